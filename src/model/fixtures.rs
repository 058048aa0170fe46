//! The example documents of FEEDS.md, shared by the model's tests.

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::{Document, Drop, Hub, Popup, decode_document};

pub const DROPS: &str = r#"{
  "as_of": "2026-11-27T18:00:00Z",
  "drops": [{
    "id": "hoodie-01",
    "title": "Midnight Hoodie — Drop 01",
    "sku": "HD-01-BLK",
    "state": "live",
    "opens_at": "2026-11-27T17:30:00Z",
    "closes_at": "2026-11-27T19:30:00Z",
    "currency": "USD",
    "stock": {"allocated": 500, "sold": 120},
    "price_bands": [
      {"id": "A", "label": "launch", "price_minor": 6500, "unit_cost_minor": 2400},
      {"id": "B", "label": "premium", "price_minor": 7200, "unit_cost_minor": 2400}
    ],
    "active_band": "A",
    "margin_floor_pct": 55.0,
    "visitors_now": 812,
    "funnel": {"sessions": 10234, "carts": 1500, "orders": 400, "units": 430, "revenue_minor": 2795000},
    "funnel_by_band": {
      "A": {"sessions": 8000, "carts": 1200, "orders": 330, "units": 355, "revenue_minor": 2307500},
      "B": {"sessions": 2234, "carts": 300, "orders": 70, "units": 75, "revenue_minor": 540000}
    }
  }]
}"#;

pub const HUBS: &str = r#"{
  "as_of": "2026-11-27T18:00:00Z",
  "hubs": [{
    "id": "ewr-1",
    "name": "Newark micro-hub",
    "drop_ids": ["hoodie-01"],
    "capacity": {
      "contracted_units": 600, "consumed_units": 210, "min_commit_units": 300,
      "window_start": "2026-11-27T17:30:00Z", "window_end": "2026-11-27T21:30:00Z",
      "currency": "USD", "overage_cost_minor": 900, "unused_penalty_minor": 150
    },
    "pipeline": {"received": 250, "picked": 230, "packed": 220, "shipped": 210},
    "sla": {"ship_within_min": 120, "target_pct": 95.0, "on_time": 200, "late": 10, "overdue_open": 4},
    "overdue": [
      {"order_id": "BM-1001", "drop_id": "hoodie-01", "placed_at": "2026-11-27T15:40:00Z",
       "due_at": "2026-11-27T17:40:00Z", "stage": "picked", "reason": "carrier_no_show"}
    ]
  }]
}"#;

pub const POPUPS: &str = r#"{
  "as_of": "2026-11-27T18:00:00Z",
  "popups": [{
    "id": "bk-1",
    "name": "Brooklyn pop-up",
    "drop_ids": ["hoodie-01"],
    "opens_at": "2026-11-27T16:00:00Z", "closes_at": "2026-11-27T22:00:00Z",
    "currency": "USD",
    "terminals": [
      {"id": "T1", "name": "front till", "status": "online", "last_seen": "2026-11-27T17:59:58Z", "battery_pct": 81},
      {"id": "T2", "name": "pickup desk", "status": "offline", "last_seen": "2026-11-27T17:51:10Z"}
    ],
    "sales": {"transactions": 80, "units": 95, "revenue_minor": 617500},
    "stock": {"on_hand": 40},
    "pickups": {"ready": 30, "collected": 22, "overdue": 3}
  }]
}"#;

/// 2026-11-27T18:00:00Z plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .expect("fixture timestamp")
        .with_timezone(&Utc)
        + TimeDelta::seconds(seconds)
}

pub fn drops() -> Document<Drop> {
    decode_document(DROPS.as_bytes()).expect("FEEDS.md drops example")
}

pub fn hubs() -> Document<Hub> {
    decode_document(HUBS.as_bytes()).expect("FEEDS.md hubs example")
}

pub fn popups() -> Document<Popup> {
    decode_document(POPUPS.as_bytes()).expect("FEEDS.md popups example")
}

/// `doc` made at `as_of`.
pub fn at_time<T>(mut doc: Document<T>, as_of: DateTime<Utc>) -> Document<T> {
    doc.as_of = as_of;
    doc
}
