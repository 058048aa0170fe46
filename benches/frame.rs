//! Drawing a full frame of each view at the large state on a 200×60 `TestBackend` (and the
//! Overview at 120×40 and 80×24). Budget: a frame drawn in under 4 ms.
//!
//! `cargo bench --bench frame -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

/// The binary's allocator (src/main.rs), so the bench measures what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::large_state::{self as large, LARGE};
use dropday::app::state::View;
use dropday::app::{Event, Room};
use dropday::ui::{self, ColorMode, Theme};

const HISTORY: i64 = 30;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn press(state: &mut Room, keys: &str, now: chrono::DateTime<chrono::Utc>) {
    for c in keys.chars() {
        state.update(key(c), now);
    }
}

/// The key of a view in the default keymap (`1` … `5`).
fn view_key(view: View) -> char {
    let position = View::ALL.iter().position(|v| *v == view).unwrap_or(0);
    char::from_digit(u32::try_from(position + 1).unwrap_or(1), 10).unwrap_or('1')
}

/// The large state with a few control actions in the ledger (pending: nothing answers them),
/// so the Actions view has rows.
fn state() -> Room {
    let mut state = large::state(&LARGE, HISTORY);
    let now = large::at(HISTORY);
    for _ in 0..20 {
        for event in [key('p'), key('y'), key('j')] {
            state.update(event, now);
        }
    }
    // A tick after the messages have faded: the status line shows the key hints again.
    let later = now + chrono::TimeDelta::seconds(10);
    state.update(Event::Tick(later), later);
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
        press(&mut state, &view_key(view).to_string(), now);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::view(frame, &state.state(), &theme, now))
                    .expect("draws");
            });
        });
    }
    // Deep in the triage table: the selection 40,000 rows down.
    let mut state = base.clone();
    press(&mut state, &view_key(View::Fulfilment).to_string(), now);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    // Selected the way an operator would: filter down to that one order (ids are all of one
    // width, so the text matches no other), take it with `j`, and clear the filter with Esc;
    // the selection is kept by key.
    let order = state
        .board
        .feeds()
        .overdue_order(40_000)
        .map(|(_, order)| order.order_id.clone())
        .expect("the large state has 40,000 overdue orders");
    press(&mut state, &format!("/order:{order}"), now);
    state.update(
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    );
    press(&mut state, "j", now);
    state.update(
        Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        now,
    );
    let expected = state
        .board
        .feeds()
        .overdue_order(40_000)
        .map(|(hub, o)| dropday::app::rows::overdue_key(hub, o));
    assert_eq!(state.session.selection().overdue, expected);
    group.bench_function("fulfilment_200x60_row_40000", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| ui::view(frame, &state.state(), &theme, now))
                .expect("draws");
        });
    });
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
