//! One `update` at the large state: a key, a tick, a poll. Budget: a key handled in under 1 ms.
//!
//! `cargo bench --bench update -- --warm-up-time 1 --measurement-time 3`

/// The binary's allocator (src/main.rs), so the bench measures what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::large_state::{self as large, LARGE};
use dropday::app::state::{Focus, View};
use dropday::app::{Event, Room};

const HISTORY: i64 = 30;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn keys(c: &mut Criterion) {
    let base = large::state(&LARGE, HISTORY);
    let now = large::at(HISTORY);
    let mut group = c.benchmark_group("key");
    let cases: [(&str, View, Focus); 4] = [
        ("j_overview_drops", View::Overview, Focus::Drops),
        ("j_overview_alerts", View::Overview, Focus::Alerts),
        ("j_fulfilment_triage", View::Fulfilment, Focus::Drops),
        ("j_popups", View::Popups, Focus::Drops),
    ];
    for (name, view, focus) in cases {
        let mut state: Room = base.clone();
        // The view's key (`1` … `5`), then `l` to move the Overview's focus to the alerts.
        let position = View::ALL.iter().position(|v| *v == view).unwrap_or(0);
        let view_key = char::from_digit(u32::try_from(position + 1).unwrap_or(1), 10);
        state.update(key(view_key.unwrap_or('1')), now);
        if focus == Focus::Alerts {
            state.update(key('l'), now);
        }
        assert_eq!((state.session.view(), state.session.focus()), (view, focus));
        // Down, then up: the selection stays in the table's first rows, as an operator's would.
        let mut down = true;
        group.bench_function(name, |b| {
            b.iter(|| {
                let event = if down { key('j') } else { key('k') };
                down = !down;
                black_box(state.update(event, now))
            });
        });
    }
    let mut state = base.clone();
    group.bench_function("tab_next_view", |b| {
        b.iter(|| {
            black_box(state.update(
                Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
                now,
            ))
        });
    });
    group.finish();
}

fn tick_and_poll(c: &mut Criterion) {
    let base = large::state(&LARGE, HISTORY);
    let now = large::at(HISTORY);
    let mut group = c.benchmark_group("update");
    let mut state = base.clone();
    group.bench_function("tick", |b| {
        b.iter(|| black_box(state.update(Event::Tick(now), now)));
    });
    group.sample_size(20);
    let bodies = large::bodies(&LARGE, HISTORY);
    let reports = large::reports(large::documents(&bodies), HISTORY);
    group.bench_function("poll_hubs_decoded", |b| {
        b.iter_batched(
            || (base.clone(), reports[1].clone()),
            |(mut state, report)| {
                state.update(Event::Poll(report), now);
                state
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, keys, tick_and_poll);
criterion_main!(benches);
