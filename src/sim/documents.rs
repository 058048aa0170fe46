//! Builds the feed documents, with the faults that change their content (counter reset, clock
//! skew, wrong types) applied.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use crate::feed::FeedKind;
use crate::feed::wire::{FeedEntry, encode_document};

use super::counter_reset::{self, Counters};
use super::faults::FaultKind;
use super::state::{SimState, lock};

/// The document of `feed` now, as JSON, with content faults applied.
pub(crate) fn render(state: &SimState, feed: FeedKind, faults: &[FaultKind]) -> Value {
    let now = state.clock.now();
    let reset = faults.contains(&FaultKind::CounterReset);
    let skew = faults.iter().find_map(|f| match f {
        FaultKind::ClockSkew { seconds } => Some(TimeDelta::seconds(*seconds)),
        _ => None,
    });
    let as_of = now + skew.unwrap_or_default();
    let (world_drops, world_hubs, world_popups) = {
        let world = state.world();
        match feed {
            FeedKind::Marketplace => (world.drops(), Vec::new(), Vec::new()),
            FeedKind::Fulfilment => (Vec::new(), world.hubs(), Vec::new()),
            FeedKind::Pos => (Vec::new(), Vec::new(), world.popups()),
        }
    };
    let mut baselines = lock(&state.baselines);
    let mut document = match feed {
        FeedKind::Marketplace => encode(world_drops, &mut baselines.drops, reset, as_of),
        FeedKind::Fulfilment => encode(world_hubs, &mut baselines.hubs, reset, as_of),
        FeedKind::Pos => encode(world_popups, &mut baselines.popups, reset, as_of),
    };
    if faults.contains(&FaultKind::WrongTypes) {
        break_first_entry(feed, &mut document);
    }
    document
}

fn encode<T: Counters>(
    mut entries: Vec<T>,
    baseline: &mut Option<std::collections::HashMap<String, T>>,
    reset: bool,
    as_of: DateTime<Utc>,
) -> Value {
    counter_reset::apply(&mut entries, baseline, reset);
    encode_document(as_of, &entries)
}

/// Gives the first entry a counter of the wrong type, so that entry (and only it) fails to
/// decode: `"sessions": "many"` and the like.
fn break_first_entry(feed: FeedKind, document: &mut Value) {
    let (list, pointer, text) = match feed {
        FeedKind::Marketplace => (
            crate::feed::wire::Drop::LIST_KEY,
            "/funnel/sessions",
            "many",
        ),
        FeedKind::Fulfilment => (
            crate::feed::wire::Hub::LIST_KEY,
            "/capacity/consumed_units",
            "lots",
        ),
        FeedKind::Pos => (
            crate::feed::wire::Popup::LIST_KEY,
            "/sales/transactions",
            "many",
        ),
    };
    if let Some(field) = document
        .get_mut(list)
        .and_then(|entries| entries.get_mut(0))
        .and_then(|entry| entry.pointer_mut(pointer))
    {
        *field = Value::String(text.to_owned());
    }
}
