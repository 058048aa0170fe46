//! Mapping the large state's pop-ups through square-pos: 1,000 Square locations' worth of
//! answers (three devices, five orders of which two are pick-ups, one inventory count each),
//! read from bytes into jaq values as the client does, mapped by the jq program and decoded.
//! Budget (docs/PERFORMANCE.md): within a poll's ingest budget of 50 ms.
//!
//! `read_map_decode` is the whole poll; `read`, `program` and `map_decode` are its pieces
//! (answers → jaq values; the jq program alone; the program, its document written as JSON and
//! decoded), so a change shows where it paid.
//!
//! `cargo bench --bench adapters -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a failed expectation fails it

use std::hint::black_box;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use dropday::feed::adapters::program::AsJson;
use dropday::feed::adapters::{self, MappedSource};
use dropday::feed::events::PollOutcome;
use jaq_json::Val;
use serde_json::{Value, json};

const LOCATIONS: usize = 1_000;

fn popup(i: usize) -> Value {
    json!({
        "id": format!("popup-{i}"), "name": format!("Pop-up {i}"), "location_id": format!("L{i:012}"),
        "opens_at": "2026-11-28T10:00:00-05:00", "closes_at": "2026-11-28T20:00:00-05:00",
        "drop_ids": ["hoodie-01"], "catalog_object_ids": ["W62UWFY35CWMYGVWK6TWJDNI"]
    })
}

fn devices(i: usize) -> Value {
    let device = |n: usize, category: &str| {
        json!({
            "id": format!("device:{i}-{n}"),
            "attributes": {"type": "TERMINAL", "manufacturer": "Square", "model": "T2", "name": format!("till {n}"),
                           "updated_at": "2026-11-28T15:59:58.335762883Z", "version": "5.41.0085"},
            "components": [{"type": "BATTERY", "battery_details": {"visible_percent": 70 + n, "external_power": "AVAILABLE_CHARGING"}},
                           {"type": "CARD_READER", "card_reader_details": {"version": "3.53.70"}}],
            "status": {"category": category}
        })
    };
    json!({"devices": [device(1, "AVAILABLE"), device(2, "AVAILABLE"), device(3, "OFFLINE")]})
}

fn orders(i: usize) -> Value {
    let order = |n: usize, state: &str, pickup: Option<&str>| {
        let mut o = json!({
            "id": format!("O-{i}-{n}"), "location_id": format!("L{i:012}"), "state": state,
            "created_at": format!("2026-11-28T15:{:02}:00.000Z", n * 5),
            "updated_at": format!("2026-11-28T15:{:02}:30.000Z", n * 5),
            "line_items": [{"uid": "a", "catalog_object_id": "W62UWFY35CWMYGVWK6TWJDNI", "quantity": "2",
                            "total_money": {"amount": 13000, "currency": "USD"}}],
            "total_money": {"amount": 13000, "currency": "USD"}
        });
        if let Some(pickup_state) = pickup {
            o["fulfillments"] = json!([{"uid": "f", "type": "PICKUP", "state": pickup_state,
                                        "pickup_details": {"pickup_at": "2026-11-28T15:40:00.000Z"}}]);
        }
        o
    };
    json!({"orders": [order(1, "COMPLETED", None), order(2, "COMPLETED", None), order(3, "COMPLETED", Some("COMPLETED")),
                      order(4, "OPEN", Some("PREPARED")), order(5, "OPEN", Some("PREPARED"))]})
}

fn stock(i: usize) -> Value {
    json!({"counts": [{"catalog_object_id": "W62UWFY35CWMYGVWK6TWJDNI", "catalog_object_type": "ITEM_VARIATION",
                       "state": "IN_STOCK", "location_id": format!("L{i:012}"), "quantity": "40",
                       "calculated_at": "2026-11-28T15:59:00.000Z"}]})
}

/// Each answer's bytes, as the platform sent them: (devices, orders, stock) per location.
fn answers() -> Vec<[Vec<u8>; 3]> {
    (0..LOCATIONS)
        .map(|i| [devices(i), orders(i), stock(i)].map(|v| serde_json::to_vec(&v).unwrap()))
        .collect()
}

/// What the client builds from the answers: name → `[{item, pages: [answer]}]`.
fn requests(source: &MappedSource, answers: &[[Vec<u8>; 3]]) -> Val {
    let mut by_name: Vec<Vec<Val>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for (item, bytes) in source.list_vals("popups").iter().zip(answers) {
        for (k, body) in bytes.iter().enumerate() {
            // As the client reads an answer: pruned to the request's `keep` when it has one.
            let page: Val = match &source.mapping.requests[k].keep {
                Some(keep) => keep.read(body).unwrap(),
                None => serde_json::from_slice(body).unwrap(),
            };
            let mut call = jaq_json::Map::default();
            call.insert(Val::from("item".to_owned()), item.clone());
            call.insert(Val::from("pages".to_owned()), [page].into_iter().collect());
            by_name[k].push(Val::obj(call));
        }
    }
    let mut map = jaq_json::Map::default();
    for (name, calls) in ["devices", "orders", "stock"].into_iter().zip(by_name) {
        map.insert(Val::from(name.to_owned()), calls.into_iter().collect());
    }
    Val::obj(map)
}

fn map_popups(c: &mut Criterion) {
    let popups: Vec<Value> = (0..LOCATIONS).map(popup).collect();
    let mapping = adapters::load("square-pos").unwrap();
    let mut config = mapping.settings.clone();
    config.insert("popups".to_owned(), Value::Array(popups));
    let source = MappedSource::new(Arc::new(mapping), Value::Object(config)).unwrap();
    let answers = answers();
    let bytes: usize = answers.iter().flatten().map(Vec::len).sum();
    let now: DateTime<Utc> = "2026-11-28T16:00:00Z".parse().unwrap();
    // The state after a first poll: the second poll's program merges into it.
    let first = source
        .map(requests(&source, &answers), now, &Val::Null)
        .unwrap();
    match &first.outcome {
        PollOutcome::Popups(d) => {
            assert_eq!(d.entries.len(), LOCATIONS);
            assert_eq!(d.entries[0].sales.revenue_minor, 39_000);
            assert_eq!(d.entries[0].pickups.overdue, 2);
            // Overdue is a part of ready (both PREPARED pick-ups wait at the desk).
            assert_eq!(d.entries[0].pickups.ready, 2);
        }
        other => panic!("{other:?}"),
    }
    eprintln!(
        "answers: {bytes} bytes for {LOCATIONS} locations; document {} bytes; state {} bytes",
        first.document.get().len(),
        serde_json::to_string(&AsJson(&first.state)).unwrap().len()
    );
    let mut group = c.benchmark_group("adapters");
    group.sample_size(10);
    group.bench_function("square_pos_1000_locations_read_map_decode", |b| {
        b.iter(|| {
            let requests = requests(black_box(&source), black_box(&answers));
            source.map(requests, now, black_box(&first.state)).unwrap()
        });
    });
    group.bench_function("square_pos_1000_locations_read", |b| {
        b.iter(|| requests(black_box(&source), black_box(&answers)));
    });
    let read = requests(&source, &answers);
    group.bench_function("square_pos_1000_locations_program", |b| {
        b.iter(|| {
            let input = source.input(read.clone(), now, black_box(&first.state));
            source.mapping.program.run(input).unwrap()
        });
    });
    group.bench_function("square_pos_1000_locations_map_decode", |b| {
        b.iter(|| {
            source
                .map(read.clone(), now, black_box(&first.state))
                .unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, map_popups);
criterion_main!(benches);
