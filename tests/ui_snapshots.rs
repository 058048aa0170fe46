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

/// A Square device id (`device:995CS397A6475287`) is drawn whole in the terminals table, at
/// 80 columns too: the other columns go first.
#[test]
fn popups_view_long_till_id_80x24() {
    let mut board = ui_common::board();
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/feeds_md_popups.json")).expect("popups");
    doc["popups"][0]["terminals"][1]["id"] = serde_json::json!("device:995CS397A6475287");
    doc["as_of"] = serde_json::json!("2026-11-27T18:00:00Z");
    let doc = dropday::feed::wire::decode_document::<dropday::feed::wire::Popup>(
        &serde_json::to_vec(&doc).expect("encode"),
    )
    .expect("decode");
    board.ingest_popups(doc, ui_common::now(), ui_common::now());
    let mut state = dropday::app::Room::new(ui_common::config(), board);
    state.update(
        dropday::app::Event::Tick(ui_common::now()),
        ui_common::now(),
    );
    press(&mut state, [ch('3')]);
    let screen = screen_text(&draw(&state, 80, 24, &theme()));
    assert!(screen.contains("device:995CS397A6475287"), "{screen}");
    insta::assert_snapshot!(screen);
}
