//! The header must never leave doubt about where the operator is: simulated or live, which
//! environment (production in red), read-only or not, frozen or not, each feed's health.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod ui_common;

use ratatui::style::Color;

use dropday::app::{Event, RoomConfig};
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::{FeedFailure, FeedKind};
use dropday::ui::{ColorMode, Theme};
use ui_common::{ch, config, draw, now, press, screen_text, state_with, theme};

#[test]
fn simulated_read_only_frozen_are_said_in_words() {
    let mut state = state_with(RoomConfig {
        simulated: true,
        read_only: true,
        environment: "demo".to_owned(),
        ..config()
    });
    press(&mut state, [ch('f')]);
    let screen = screen_text(&draw(&state, 120, 30, &theme()));
    for words in [
        "SIMULATED — NOT A LIVE DROP",
        "env demo",
        "[R]",
        "read-only: started with --read-only",
        "FROZEN at 18:00:00",
        "server 18:00:00 UTC",
    ] {
        assert!(screen.contains(words), "missing {words:?}:\n{screen}");
    }
    assert!(!screen.contains("[RW]"));
}

#[test]
fn production_panels_have_red_borders_and_staging_does_not() {
    let colour = Theme::fixed(ColorMode::Ansi16, false);
    let border_fg = |environment: &str| {
        let state = state_with(RoomConfig {
            environment: environment.to_owned(),
            ..config()
        });
        let terminal = draw(&state, 80, 24, &colour);
        // Top-left corner of the first panel, under the header's rows.
        terminal.backend().buffer()[(0, dropday::ui::header::HEIGHT)].fg
    };
    assert_eq!(border_fg("prod"), Color::Red);
    assert_eq!(border_fg("Production"), Color::Red);
    assert_ne!(border_fg("staging"), Color::Red);
}

#[test]
fn a_stale_feed_says_stale_with_the_data_age() {
    let mut state = state_with(config());
    // No poll succeeds for a minute (the fixture polls every 2 s; stale after 3 intervals).
    let later = now() + chrono::TimeDelta::seconds(60);
    let failure = Event::Poll(PollReport {
        feed: FeedKind::Fulfilment,
        sent_at: later,
        received_at: later,
        outcome: PollOutcome::Failed(FeedFailure::Connect("refused".to_owned())),
    });
    state.update(failure, later);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).expect("terminal");
    terminal
        .draw(|frame| dropday::ui::view(frame, &state.state(), &theme(), later))
        .expect("draw");
    let screen = screen_text(&terminal);
    assert!(screen.contains("fulfilment STALE 1m00s"), "{screen}");
    // The panel keeps saying why the feed fails once it has gone stale.
    assert!(
        screen.contains("STALE: fulfilment data 1m00s old; cannot connect: refused"),
        "{screen}"
    );
}
