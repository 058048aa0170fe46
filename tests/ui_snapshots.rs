//! Screens drawn from a fixed state on a `TestBackend`, compared with reviewed snapshots.
//! A change to any panel shows up here as a diff to read.

mod ui_common;

use ui_common::{ch, draw, press, screen_text, state, theme};

#[test]
fn overview_80x24() {
    let state = state();
    insta::assert_snapshot!(screen_text(&draw(&state, 80, 24, &theme())));
}

#[test]
fn overview_160x48() {
    let state = state();
    insta::assert_snapshot!(screen_text(&draw(&state, 160, 48, &theme())));
}

#[test]
fn fulfilment_triage_100x30() {
    let mut state = state();
    press(&mut state, [ch('2')]);
    insta::assert_snapshot!(screen_text(&draw(&state, 100, 30, &theme())));
}

#[test]
fn help_overlay_80x24() {
    let mut state = state();
    press(&mut state, [ch('?')]);
    insta::assert_snapshot!(screen_text(&draw(&state, 80, 24, &theme())));
}

#[test]
fn band_picker_100x30() {
    let mut state = state();
    press(&mut state, [ch('b')]);
    insta::assert_snapshot!(screen_text(&draw(&state, 100, 30, &theme())));
}

#[test]
fn overview_80x24_ascii() {
    let state = state();
    let theme = dropday::ui::Theme::fixed(dropday::ui::ColorMode::Never, true);
    insta::assert_snapshot!(screen_text(&draw(&state, 80, 24, &theme)));
}

#[test]
fn confirm_dialog_in_production_simulated_80x24() {
    let mut state = ui_common::state_with(dropday::app::RoomConfig {
        environment: "prod".to_owned(),
        simulated: true,
        ..ui_common::config()
    });
    press(&mut state, [ch('b'), ch('j'), crossterm_enter()]);
    insta::assert_snapshot!(screen_text(&draw(&state, 80, 24, &theme())));
}

fn crossterm_enter() -> dropday::app::Event {
    ui_common::key(crossterm::event::KeyCode::Enter)
}
