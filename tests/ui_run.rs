//! The whole runtime loop on a `TestBackend`: scripted terminal input, reports on the event
//! channel, effects collected by a runner. Catches wiring mistakes `update` tests cannot see:
//! effects not reaching the runner, the loop not ending, the screen not being drawn.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod ui_common;

use std::io;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use futures::stream;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use dropday::app::{self, Effect, Event, Exit, Sources};
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::{FeedFailure, FeedKind};
use dropday::ui;
use ui_common::{now, screen_text, state, theme};

fn keys(chars: &str) -> Vec<io::Result<TermEvent>> {
    chars
        .chars()
        .map(|c| {
            Ok(TermEvent::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )))
        })
        .collect()
}

#[tokio::test]
async fn confirmed_pause_reaches_the_runner_once_and_q_ends_the_loop() {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    let mut state = state();
    let (_tx, rx) = mpsc::channel::<Event>(16);
    let mut effects = Vec::new();
    let theme = theme();
    let exit = app::run(
        &mut terminal,
        &mut state,
        Sources {
            input: stream::iter(keys("pyq")),
            events: rx,
            clock: now,
        },
        &mut |effect: Effect| effects.push(effect),
        |frame: &mut ratatui::Frame, state: &app::State<'_>, at| ui::view(frame, state, &theme, at),
    )
    .await
    .expect("runs");
    assert_eq!(exit, Exit::Quit);
    let sends = effects
        .iter()
        .filter(|e| matches!(e, Effect::Send(_)))
        .count();
    assert_eq!(sends, 1, "{effects:?}");
    assert_eq!(effects.last(), Some(&Effect::Quit));
    let screen = screen_text(&terminal);
    assert!(screen.contains("sent: pause hoodie-01"), "{screen}");
}

#[tokio::test]
async fn the_end_of_terminal_input_ends_the_loop() {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut state = state();
    let (tx, rx) = mpsc::channel::<Event>(16);
    // A report already waiting is drained and drawn or dropped; either way the loop must end.
    tx.send(Event::Poll(PollReport {
        feed: FeedKind::Pos,
        sent_at: now(),
        received_at: now(),
        outcome: PollOutcome::Failed(FeedFailure::Connect("refused".to_owned())),
    }))
    .await
    .expect("queued");
    let theme = theme();
    let exit = app::run(
        &mut terminal,
        &mut state,
        Sources {
            input: stream::empty(),
            events: rx,
            clock: now,
        },
        &mut |_: Effect| {},
        |frame: &mut ratatui::Frame, state: &app::State<'_>, at| ui::view(frame, state, &theme, at),
    )
    .await
    .expect("runs");
    assert_eq!(exit, Exit::TerminalGone);
}

#[tokio::test]
async fn a_shutdown_event_ends_the_loop_with_its_signal() {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut state = state();
    let (tx, rx) = mpsc::channel::<Event>(16);
    tx.send(Event::Shutdown(app::event::ShutdownReason::Signal(
        "SIGTERM",
    )))
    .await
    .expect("queued");
    let theme = theme();
    let exit = app::run(
        &mut terminal,
        &mut state,
        Sources {
            // Input that never ends: only the signal can stop the loop.
            input: stream::pending(),
            events: rx,
            clock: now,
        },
        &mut |_: Effect| {},
        |frame: &mut ratatui::Frame, state: &app::State<'_>, at| ui::view(frame, state, &theme, at),
    )
    .await
    .expect("runs");
    assert_eq!(exit, Exit::Signal("SIGTERM"));
}
