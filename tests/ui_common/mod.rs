//! A fixed control room for the UI tests: the FEEDS.md example documents, grown to a few drops,
//! hubs and overdue orders, fed to the board as twenty-one polls 30 s apart ending at 18:00:00Z,
//! so rates, sparklines, burn-down charts and alerts all have something to show.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(dead_code)] // Each test file uses a different part of this.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

use dropday::app::audit::Operator;
use dropday::app::ids::CountedKeys;
use dropday::app::keymap::Keymap;
use dropday::app::session::Bell;
use dropday::app::{Effect, Event, Room, RoomConfig};
use dropday::feed::FeedKind;
use dropday::feed::wire::{Drop, Hub, Popup, decode_document};
use dropday::model::alerts::AlertThresholds;
use dropday::model::board::Board;
use dropday::ui::{self, ColorMode, Theme};

/// The instant every test runs at (local and server clocks agree).
pub fn now() -> DateTime<Utc> {
    at("2026-11-27T18:00:00Z")
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test timestamp")
        .with_timezone(&Utc)
}

const POLLS: i64 = 20;

fn drops_doc(step: i64) -> Value {
    let back = POLLS - step;
    let mut doc: Value = serde_json::from_str(include_str!("../fixtures/feeds_md_drops.json"))
        .expect("FEEDS.md drops");
    let hoodie = &mut doc["drops"][0];
    hoodie["price_bands"].as_array_mut().expect("bands").push(
        json!({"id": "C", "label": "clearance", "price_minor": 4000, "unit_cost_minor": 2400}),
    );
    hoodie["stock"]["sold"] = json!(120 - back * 3);
    hoodie["funnel"]["sessions"] = json!(10234 - back * 60);
    hoodie["funnel"]["orders"] = json!(400 - back * 3);
    hoodie["funnel"]["units"] = json!(430 - back * 3);
    hoodie["funnel_by_band"]["A"]["sessions"] = json!(8000 - back * 45);
    hoodie["funnel_by_band"]["A"]["orders"] = json!(330 - back * 2);
    hoodie["funnel_by_band"]["B"]["sessions"] = json!(2234 - back * 15);
    hoodie["funnel_by_band"]["B"]["orders"] = json!(70 - back);
    doc["drops"].as_array_mut().expect("drops").push(json!({
        "id": "cap-02",
        "title": "Night Cap — Drop 02",
        "state": "scheduled",
        "opens_at": "2026-11-27T18:05:00Z",
        "closes_at": "2026-11-27T19:05:00Z",
        "currency": "EUR",
        "stock": {"allocated": 200, "sold": 0},
        "price_bands": [
            {"id": "A", "price_minor": 3000, "unit_cost_minor": 1200},
            {"id": "B", "price_minor": 3500, "unit_cost_minor": 1200}
        ],
        "active_band": "A",
        "margin_floor_pct": 50.0,
        "funnel": {"sessions": 0, "carts": 0, "orders": 0, "units": 0, "revenue_minor": 0}
    }));
    doc["as_of"] = json!(stamp(step));
    doc
}

fn hubs_doc(step: i64) -> Value {
    let back = POLLS - step;
    let mut doc: Value = serde_json::from_str(include_str!("../fixtures/feeds_md_hubs.json"))
        .expect("FEEDS.md hubs");
    let ewr = &mut doc["hubs"][0];
    ewr["capacity"]["consumed_units"] = json!(210 - back);
    ewr["overdue"].as_array_mut().expect("overdue").push(json!({
        "order_id": "BM-1007", "drop_id": "hoodie-01", "placed_at": "2026-11-27T15:55:00Z",
        "due_at": "2026-11-27T17:55:00Z", "stage": "packed", "reason": "short_pick"
    }));
    doc["hubs"].as_array_mut().expect("hubs").push(json!({
        "id": "lax-2",
        "name": "LA micro-hub",
        "drop_ids": ["hoodie-01", "cap-02"],
        "capacity": {
            "contracted_units": 400, "consumed_units": 80 - back / 4, "min_commit_units": 300,
            "window_start": "2026-11-27T17:00:00Z", "window_end": "2026-11-27T20:00:00Z",
            "currency": "USD", "overage_cost_minor": 1100, "unused_penalty_minor": 200
        },
        "pipeline": {"received": 90, "picked": 85, "packed": 80, "shipped": 78},
        "sla": {"ship_within_min": 120, "target_pct": 95.0, "on_time": 70, "late": 6, "overdue_open": 2},
        "overdue": [
            {"order_id": "LX-2002", "drop_id": "hoodie-01", "placed_at": "2026-11-27T15:20:00Z",
             "due_at": "2026-11-27T17:20:00Z", "stage": "received", "reason": "address_hold"},
            {"order_id": "LX-2005", "drop_id": "hoodie-01", "placed_at": "2026-11-27T15:50:00Z",
             "due_at": "2026-11-27T17:50:00Z", "stage": "awaiting_carrier", "reason": "carrier_no_show"}
        ]
    }));
    doc["as_of"] = json!(stamp(step));
    doc
}

fn popups_doc(step: i64) -> Value {
    let mut doc: Value = serde_json::from_str(include_str!("../fixtures/feeds_md_popups.json"))
        .expect("FEEDS.md popups");
    doc["as_of"] = json!(stamp(step));
    doc
}

fn time_of(step: i64) -> DateTime<Utc> {
    now() - TimeDelta::seconds((POLLS - step) * 30)
}

fn stamp(step: i64) -> String {
    time_of(step).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).expect("encode")
}

/// The board after the scripted polls.
pub fn board() -> Board {
    let mut board = Board::default();
    for feed in FeedKind::ALL {
        board.set_poll_interval(feed, TimeDelta::seconds(2));
    }
    for step in 0..=POLLS {
        let when = time_of(step);
        let drops = decode_document::<Drop>(&bytes(&drops_doc(step))).expect("drops doc");
        let hubs = decode_document::<Hub>(&bytes(&hubs_doc(step))).expect("hubs doc");
        let popups = decode_document::<Popup>(&bytes(&popups_doc(step))).expect("popups doc");
        board.ingest_drops(drops, when, when);
        board.ingest_hubs(hubs, when, when);
        board.ingest_popups(popups, when, when);
    }
    board
}

pub fn config() -> RoomConfig {
    RoomConfig {
        environment: "staging".to_owned(),
        simulated: false,
        read_only: false,
        keymap: Keymap::default(),
        operator: Operator {
            user: Some("ana".to_owned()),
            ssh_client: Some("10.0.0.7".to_owned()),
            ..Operator::default()
        },
        thresholds: AlertThresholds::default(),
        color: ColorMode::Never,
        ascii: false,
        type_to_confirm: false,
        bell: Bell::Off,
        ids: Box::new(CountedKeys::default()),
    }
}

/// The control room at 18:00:00Z with alerts evaluated.
pub fn state() -> Room {
    state_with(config())
}

pub fn state_with(config: RoomConfig) -> Room {
    let mut state = Room::new(config, board());
    // A tick runs the alert rules, as the running program does every second.
    let effects = state.update(Event::Tick(now()), now());
    assert!(effects.is_empty());
    state
}

pub fn theme() -> Theme {
    Theme::fixed(ColorMode::Never, false)
}

/// The screen as text after drawing `state` on a `width` × `height` test terminal.
pub fn draw(state: &Room, width: u16, height: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ui::view(frame, &state.state(), theme, now()))
        .expect("draw");
    terminal
}

/// The whole screen as one string, rows separated by newlines.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

pub fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Event {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Feeds events one by one, collecting every effect.
pub fn press(state: &mut Room, events: impl IntoIterator<Item = Event>) -> Vec<Effect> {
    events
        .into_iter()
        .flat_map(|event| state.update(event, now()))
        .collect()
}

/// Types a whole command line: `:` is pressed by the caller's keymap, the text, then Enter.
pub fn typed(text: &str) -> Vec<Event> {
    let mut events: Vec<Event> = text.chars().map(ch).collect();
    events.push(key(KeyCode::Enter));
    events
}

/// Key overrides for a test.
pub fn overrides(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, k)| ((*a).to_owned(), (*k).to_owned()))
        .collect()
}
