//! Drawing a full frame of each view at the large state on a 200×60 `TestBackend` (and the
//! Overview at 120×40 and 80×24). Budget: a frame drawn in under 4 ms.
//!
//! `cargo bench --bench frame -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::large_state::{self as large, LARGE};
use dropday::app::state::View;
use dropday::app::{Event, State, update};
use dropday::ui::{self, ColorMode, Theme};

const HISTORY: i64 = 30;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The large state with a few control actions in the ledger (pending: nothing answers them),
/// so the Actions view has rows.
fn state() -> State {
    let mut state = large::state(&LARGE, HISTORY);
    let now = large::at(HISTORY);
    for _ in 0..20 {
        for event in [key('p'), key('y'), key('j')] {
            update(&mut state, event, now);
        }
    }
    state.message = None;
    state
}

fn frames(c: &mut Criterion) {
    let base = state();
    let now = large::at(HISTORY);
    let theme = Theme::fixed(ColorMode::Ansi256, false);
    let mut group = c.benchmark_group("frame");
    let cases: [(&str, View, (u16, u16)); 7] = [
        ("overview_200x60", View::Overview, (200, 60)),
        ("fulfilment_200x60", View::Fulfilment, (200, 60)),
        ("popups_200x60", View::Popups, (200, 60)),
        ("actions_200x60", View::Actions, (200, 60)),
        ("log_200x60", View::Log, (200, 60)),
        ("overview_120x40", View::Overview, (120, 40)),
        ("overview_80x24", View::Overview, (80, 24)),
    ];
    for (name, view, (width, height)) in cases {
        let mut state = base.clone();
        state.view = view;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::view(frame, &state, &theme, now))
                    .expect("draws");
            });
        });
    }
    // Deep in the triage table: the selection 40,000 rows down.
    let mut state = base.clone();
    state.view = View::Fulfilment;
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    state.selection.overdue = state
        .board
        .overdue_order(40_000)
        .map(|(hub, order)| dropday::app::rows::overdue_key(hub, order));
    // What `update` does after any event.
    dropday::app::rows::refresh(&mut state);
    group.bench_function("fulfilment_200x60_row_40000", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| ui::view(frame, &state, &theme, now))
                .expect("draws");
        });
    });
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
