//! Decoding and ingesting the three feed documents at the large state (see
//! `benches/common/large_state.rs`). Budget: a poll of all three feeds ingested in under 50 ms.
//!
//! `cargo bench --bench ingest -- --warm-up-time 1 --measurement-time 3`
//!
//! `ingest_cpu/*` measures the same work in the bench thread's CPU time rather than wall time,
//! so a figure taken while other programs share the cores is not inflated by the time the
//! thread waited for one (on a quiet machine the two agree).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

/// The binary's allocator (src/main.rs), so the bench measures what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use common::large_state::{self as large, LARGE};
use dropday::app::Event;
use dropday::feed::wire::{Drop, Hub, Popup, decode_document};

/// Polls already taken before the measured one, so every track has history.
const HISTORY: i64 = 30;

fn decode(c: &mut Criterion) {
    let bodies = large::bodies(&LARGE, HISTORY);
    eprintln!(
        "document sizes: drops {} B, hubs {} B, pop-ups {} B",
        bodies.drops.len(),
        bodies.hubs.len(),
        bodies.popups.len()
    );
    let mut group = c.benchmark_group("decode");
    group.sample_size(20);
    group.bench_function("drops_500", |b| {
        b.iter(|| decode_document::<Drop>(black_box(&bodies.drops)).expect("decodes"));
    });
    group.bench_function("hubs_200_overdue_50000", |b| {
        b.iter(|| decode_document::<Hub>(black_box(&bodies.hubs)).expect("decodes"));
    });
    group.bench_function("popups_1000", |b| {
        b.iter(|| decode_document::<Popup>(black_box(&bodies.popups)).expect("decodes"));
    });
    group.finish();
}

fn ingest(c: &mut Criterion) {
    ingest_group(c, "ingest");
}

fn ingest_cpu(c: &mut Criterion<ThreadCpuTime>) {
    ingest_group(c, "ingest_cpu");
}

fn ingest_group<M: Measurement>(c: &mut Criterion<M>, group_name: &str) {
    let state = large::state(&LARGE, HISTORY);
    let bodies = large::bodies(&LARGE, HISTORY);
    let now = large::at(HISTORY);
    let mut group = c.benchmark_group(group_name);
    group.sample_size(20);
    // `update` with one poll report: the board takes the document (the alert rules run on the
    // next tick, not here).
    for (name, index) in [("drops", 0), ("hubs", 1), ("popups", 2)] {
        group.bench_function(format!("update_poll_{name}"), |b| {
            b.iter_batched(
                || {
                    let reports = large::reports(large::documents(&bodies), HISTORY);
                    (state.clone(), reports[index].clone())
                },
                |(mut state, report)| {
                    state.update(Event::Poll(report), now);
                    state
                },
                BatchSize::LargeInput,
            );
        });
    }
    // The budget's figure: the three bodies decoded and handed to `update`.
    group.bench_function("decode_and_update_all_three", |b| {
        b.iter_batched(
            || state.clone(),
            |mut state| {
                for report in large::reports(large::documents(black_box(&bodies)), HISTORY) {
                    state.update(Event::Poll(report), now);
                }
                state
            },
            BatchSize::LargeInput,
        );
    });
    // The same, then the tick that runs the alert rules over the new board: what one second of
    // the running loop pays for a poll of all three feeds, alerts up to date. (Before the rules
    // moved to the tick, `update` ran them after each of the three reports.)
    group.bench_function("decode_and_update_all_three_then_tick", |b| {
        b.iter_batched(
            || state.clone(),
            |mut state| {
                for report in large::reports(large::documents(black_box(&bodies)), HISTORY) {
                    state.update(Event::Poll(report), now);
                }
                state.update(Event::Tick(now), now);
                state
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

/// CPU time of the bench's thread, from `/proc/thread-self/schedstat` (nanoseconds on a CPU;
/// the kernel brings it up to date at least every scheduler tick, a few milliseconds, which is
/// small beside the tens of milliseconds measured here).
struct ThreadCpuTime;

fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .expect("/proc/thread-self/schedstat (Linux) is readable")
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }

    fn end(&self, started: u64) -> u64 {
        thread_cpu_ns().saturating_sub(started)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    #[allow(clippy::cast_precision_loss)] // nanoseconds of a bench run: far below 2^52
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall time: criterion's own duration formatter.
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

criterion_group!(benches, decode, ingest);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = ingest_cpu
}
criterion_main!(benches, cpu);
