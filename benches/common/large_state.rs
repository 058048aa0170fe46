//! The large state of the performance budget, generated: 500 drops, 200 hubs with 50,000
//! overdue orders between them, 1,000 pop-ups — ten times a busy drop day. Shared by the
//! benches (`benches/*.rs`, as `mod common`) and the memory test (`tests/memory_six_hours.rs`,
//! through `#[path]`), so both measure the same thing.
//!
//! Documents are made for a poll `step` (one per second from [`start`]): counters grow with
//! the step, so rates, sparklines and burn-down charts have something to show, and every
//! document differs from the one before, as a busy feed's do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(dead_code)] // Each user takes a different part of this.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use dropday::app::audit::Operator;
use dropday::app::ids::CountedKeys;
use dropday::app::keymap::Keymap;
use dropday::app::session::Bell;
use dropday::app::{ColorMode, Event, Room, RoomConfig};
use dropday::feed::FeedKind;
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::wire::{Document, Drop, Hub, Popup, decode_document};
use dropday::model::alerts::AlertThresholds;
use dropday::model::board::Board;

/// How large the generated state is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub drops: usize,
    pub hubs: usize,
    /// Listed overdue orders per hub.
    pub overdue_per_hub: usize,
    pub popups: usize,
    pub terminals_per_popup: usize,
}

/// The budget's scale: 500 drops, 200 hubs × 250 = 50,000 overdue orders, 1,000 pop-ups.
pub const LARGE: Scale = Scale {
    drops: 500,
    hubs: 200,
    overdue_per_hub: 250,
    popups: 1_000,
    terminals_per_popup: 3,
};

/// Poll 0's instant (server and local clocks agree).
pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .expect("fixed instant")
        .with_timezone(&Utc)
}

/// The instant of poll `step`.
pub fn at(step: i64) -> DateTime<Utc> {
    start() + TimeDelta::seconds(step)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn u(step: i64) -> u64 {
    u64::try_from(step.max(0)).unwrap_or(0)
}

/// The marketplace document of poll `step`.
pub fn drops_value(scale: &Scale, step: i64) -> Value {
    let k = u(step);
    let opens = stamp(start() - TimeDelta::minutes(30));
    let closes = stamp(start() + TimeDelta::hours(8));
    let later = stamp(start() + TimeDelta::hours(9));
    let drops: Vec<Value> = (0..scale.drops)
        .map(|i| {
            let n = i as u64;
            // Every tenth drop is still scheduled, so countdowns to opening run too.
            let scheduled = i % 10 == 9;
            let rate = 1 + n % 7;
            let sold = if scheduled {
                0
            } else {
                (120 + rate * k / 4).min(5_000)
            };
            let sessions = if scheduled {
                0
            } else {
                10_000 + n * 13 + k * (20 + rate)
            };
            let orders = if scheduled { 0 } else { 400 + n + k * rate / 3 };
            json!({
                "id": format!("drop-{i:03}"),
                "title": format!("Drop {i:03} — limited run"),
                "sku": format!("SKU-{i:05}"),
                "state": if scheduled { "scheduled" } else { "live" },
                "opens_at": if scheduled { closes.clone() } else { opens.clone() },
                "closes_at": if scheduled { later.clone() } else { closes.clone() },
                "currency": "USD",
                "stock": {"allocated": 5_000, "sold": sold},
                "price_bands": [
                    {"id": "A", "label": "launch", "price_minor": 6500, "unit_cost_minor": 2400},
                    {"id": "B", "label": "premium", "price_minor": 7200, "unit_cost_minor": 2400},
                    {"id": "C", "label": "clearance", "price_minor": 4000, "unit_cost_minor": 2400}
                ],
                "active_band": "A",
                "margin_floor_pct": 55.0,
                "visitors_now": 800 + n,
                "funnel": {"sessions": sessions, "carts": sessions / 7, "orders": orders,
                           "units": orders + orders / 10, "revenue_minor": orders * 6500},
                "funnel_by_band": {
                    "A": {"sessions": sessions * 3 / 4, "carts": sessions / 10,
                          "orders": orders * 3 / 4, "units": orders * 3 / 4,
                          "revenue_minor": orders * 3 / 4 * 6500},
                    "B": {"sessions": sessions / 4, "carts": sessions / 30,
                          "orders": orders / 4, "units": orders / 4,
                          "revenue_minor": orders / 4 * 7200}
                }
            })
        })
        .collect();
    json!({"as_of": stamp(at(step)), "drops": drops})
}

const STAGES: [&str; 4] = ["received", "picked", "packed", "awaiting_carrier"];
const REASONS: [&str; 5] = [
    "carrier_no_show",
    "short_pick",
    "address_hold",
    "label_error",
    "damaged",
];

/// The fulfilment document of poll `step`.
pub fn hubs_value(scale: &Scale, step: i64) -> Value {
    let k = u(step);
    let window_start = stamp(start() - TimeDelta::minutes(30));
    let window_end = stamp(start() + TimeDelta::hours(7));
    let hubs: Vec<Value> = (0..scale.hubs)
        .map(|h| {
            let n = h as u64;
            let overdue: Vec<Value> = (0..scale.overdue_per_hub)
                .map(|o| {
                    // Spread over the last ~7 hours, not in order: the board sorts them.
                    let back = i64::try_from((o * 7919 + h * 104_729) % 25_000).unwrap_or(0);
                    let due = start() - TimeDelta::seconds(60 + back);
                    json!({
                        "order_id": format!("H{h:03}-{o:05}"),
                        "drop_id": format!("drop-{:03}", (h * 7 + o) % scale.drops.max(1)),
                        "placed_at": stamp(due - TimeDelta::hours(2)),
                        "due_at": stamp(due),
                        "stage": STAGES[o % STAGES.len()],
                        "reason": REASONS[(o + h) % REASONS.len()],
                    })
                })
                .collect();
            let consumed = 200 + n + k * (1 + n % 3) / 20;
            json!({
                "id": format!("hub-{h:03}"),
                "name": format!("Micro-hub {h:03}"),
                "drop_ids": [format!("drop-{:03}", h % scale.drops.max(1))],
                "capacity": {
                    "contracted_units": 2_000 + n * 5, "consumed_units": consumed,
                    "min_commit_units": 900,
                    "window_start": window_start, "window_end": window_end,
                    "currency": "USD", "overage_cost_minor": 900, "unused_penalty_minor": 150
                },
                "pipeline": {"received": consumed + 40, "picked": consumed + 20,
                             "packed": consumed + 10, "shipped": consumed},
                "sla": {"ship_within_min": 120, "target_pct": 95.0,
                        "on_time": 200 + k / 10, "late": 10 + n % 20,
                        "overdue_open": scale.overdue_per_hub},
                "overdue": overdue
            })
        })
        .collect();
    json!({"as_of": stamp(at(step)), "hubs": hubs})
}

/// The point-of-sale document of poll `step`.
pub fn popups_value(scale: &Scale, step: i64) -> Value {
    let k = u(step);
    let last_seen = stamp(at(step) - TimeDelta::seconds(2));
    let long_ago = stamp(start() - TimeDelta::minutes(9));
    let popups: Vec<Value> = (0..scale.popups)
        .map(|p| {
            let n = p as u64;
            let terminals: Vec<Value> = (0..scale.terminals_per_popup)
                .map(|t| {
                    // One till in thirty is offline, so the terminal rule has work.
                    let offline = (p + t) % 30 == 0;
                    json!({
                        "id": format!("T{}", t + 1),
                        "name": format!("till {}", t + 1),
                        "status": if offline { "offline" } else { "online" },
                        "last_seen": if offline { long_ago.clone() } else { last_seen.clone() },
                        "battery_pct": 40 + (p + t) % 60
                    })
                })
                .collect();
            let units = 10 + n % 50 + k / 30;
            json!({
                "id": format!("pop-{p:04}"),
                "name": format!("Pop-up {p:04}"),
                "drop_ids": [format!("drop-{:03}", p % scale.drops.max(1))],
                "opens_at": stamp(start() - TimeDelta::hours(2)),
                "closes_at": stamp(start() + TimeDelta::hours(8)),
                "currency": "USD",
                "terminals": terminals,
                "sales": {"transactions": units * 9 / 10, "units": units,
                          "revenue_minor": units * 6500},
                "stock": {"on_hand": 500 - units.min(500)},
                "pickups": {"ready": 30, "collected": 22 + k / 60, "overdue": p % 4}
            })
        })
        .collect();
    json!({"as_of": stamp(at(step)), "popups": popups})
}

/// The three documents of poll `step`, as the wire carries them.
pub struct Bodies {
    pub drops: Vec<u8>,
    pub hubs: Vec<u8>,
    pub popups: Vec<u8>,
}

pub fn bodies(scale: &Scale, step: i64) -> Bodies {
    let bytes = |v: Value| serde_json::to_vec(&v).expect("encode");
    Bodies {
        drops: bytes(drops_value(scale, step)),
        hubs: bytes(hubs_value(scale, step)),
        popups: bytes(popups_value(scale, step)),
    }
}

/// The three documents of poll `step`, decoded.
pub struct Documents {
    pub drops: Document<Drop>,
    pub hubs: Document<Hub>,
    pub popups: Document<Popup>,
}

impl Documents {
    /// A copy of `hubs` whose hubs list no overdue orders unless `with_overdue` (copying
    /// 50,000 orders is most of the cost of a copy).
    pub fn hubs_without_overdue(hubs: &Document<Hub>, with_overdue: bool) -> Document<Hub> {
        Document {
            as_of: hubs.as_of,
            entries: hubs
                .entries
                .iter()
                .map(|h| Hub {
                    id: h.id.clone(),
                    name: h.name.clone(),
                    drop_ids: h.drop_ids.clone(),
                    capacity: h.capacity.clone(),
                    pipeline: h.pipeline,
                    sla: h.sla.clone(),
                    overdue: if with_overdue {
                        h.overdue.clone()
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            skipped: hubs.skipped.clone(),
        }
    }
}

pub fn documents(bodies: &Bodies) -> Documents {
    Documents {
        drops: decode_document(&bodies.drops).expect("drops document"),
        hubs: decode_document(&bodies.hubs).expect("hubs document"),
        popups: decode_document(&bodies.popups).expect("pop-ups document"),
    }
}

/// The poll reports of one poll of every feed at `step`.
pub fn reports(docs: Documents, step: i64) -> [PollReport; 3] {
    let t = at(step);
    let report = |feed, outcome| PollReport {
        feed,
        sent_at: t,
        received_at: t,
        outcome,
    };
    [
        report(FeedKind::Marketplace, PollOutcome::Drops(docs.drops)),
        report(FeedKind::Fulfilment, PollOutcome::Hubs(docs.hubs)),
        report(FeedKind::Pos, PollOutcome::Popups(docs.popups)),
    ]
}

/// A board after `polls` one-second polls (at least 2, so rates exist), the last at step
/// `polls - 1`.
pub fn board(scale: &Scale, polls: i64) -> Board {
    let mut board = Board::default();
    for feed in FeedKind::ALL {
        board.set_poll_interval(feed, TimeDelta::seconds(1));
    }
    for step in 0..polls.max(2) {
        for report in reports(documents(&bodies(scale, step)), step) {
            board.apply_poll(report);
        }
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
            user: Some("bench".to_owned()),
            ssh_client: None,
            ..Operator::default()
        },
        thresholds: AlertThresholds::default(),
        color: ColorMode::Ansi256,
        ascii: false,
        type_to_confirm: false,
        bell: Bell::Off,
        ids: Box::new(CountedKeys::default()),
    }
}

/// The control room at the large scale after `polls` polls, alerts evaluated.
pub fn state(scale: &Scale, polls: i64) -> Room {
    let board = board(scale, polls);
    let mut state = Room::new(config(), board);
    let now = at(polls.max(2) - 1);
    state.update(Event::Tick(now), now);
    state
}
