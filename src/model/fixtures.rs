//! The example documents of FEEDS.md, shared by the model's tests. They are stored once, in
//! `tests/fixtures/feeds_md_*.json`, which `tests/feed_contract.rs` compares with FEEDS.md itself.

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::{Document, Drop, Hub, Popup, decode_document};
use crate::model::board::Board;

pub const DROPS: &str = include_str!("../../tests/fixtures/feeds_md_drops.json");

pub const HUBS: &str = include_str!("../../tests/fixtures/feeds_md_hubs.json");

pub const POPUPS: &str = include_str!("../../tests/fixtures/feeds_md_popups.json");

/// 2026-11-27T18:00:00Z plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .expect("fixture timestamp")
        .with_timezone(&Utc)
        + TimeDelta::seconds(seconds)
}

/// A timestamp written out in a test (RFC 3339).
pub fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test timestamp")
        .with_timezone(&Utc)
}

/// A board that received the FEEDS.md examples at 18:00:00 (server and local clocks equal).
pub fn example_board() -> Board {
    let mut board = Board::default();
    board.ingest_drops(drops(), at(0), at(0));
    board.ingest_hubs(hubs(), at(0), at(0));
    board.ingest_popups(popups(), at(0), at(0));
    board
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
