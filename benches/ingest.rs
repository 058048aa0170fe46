//! Decoding and ingesting the three feed documents at the large state (see
//! `benches/common/large_state.rs`). Budget: a poll of all three feeds ingested in under 50 ms.
//!
//! `cargo bench --bench ingest -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod common;

use std::hint::black_box;

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
    let state = large::state(&LARGE, HISTORY);
    let bodies = large::bodies(&LARGE, HISTORY);
    let now = large::at(HISTORY);
    let mut group = c.benchmark_group("ingest");
    group.sample_size(20);
    // `update` with one poll report: the board takes the document, the alert rules run.
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
    group.finish();
}

criterion_group!(benches, decode, ingest);
criterion_main!(benches);
