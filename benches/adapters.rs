//! Mapping the large state's pop-ups through square-pos: 1,000 Square locations' worth of
//! answers, read from bytes into jaq values as the client does (the same page cache), mapped by
//! the jq program (run per pop-up, with the same memo as the client) and decoded. Budget
//! (docs/PERFORMANCE.md): within a poll's ingest budget of 50 ms.
//!
//! - `first_poll`: the first poll of the day, nothing known yet: three devices, five orders of
//!   which two are pick-ups, one inventory count per location, every one read and mapped.
//! - `steady_poll`: a poll 5 s after the one before, as the large state sells: each pop-up
//!   sells about a unit every 30 s there, so a location has a new order in about one poll in
//!   seven. Such a location answers its new order and the one at its watermark (Square's
//!   `start_at` is inclusive; that order as it was, unchanged) and a lower stock count; at the
//!   poll after, the order at its watermark alone; the others answer what they answered before
//!   (their devices too: a pop-up mapped for a sale reads its tills' answer from the last time). Every fourth order is a
//!   pick-up due 20 min after it was placed, so some pop-ups are mapped again when one turns
//!   overdue. Each measured poll is the next one of the day (state, cache and memo carried on).
//!
//! Times are wall-clock: the entries a poll maps run on up to four threads (the machine's
//! cores), as in the client; docs/PERFORMANCE.md gives the CPU time beside them.
//!
//! `cargo bench --bench adapters -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a failed expectation fails it

/// The binary's allocator (src/main.rs), so the bench measures what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dropday::feed::adapters::entries::EntryMemo;
use dropday::feed::adapters::pages::PageCache;
use dropday::feed::adapters::program::AsJson;
use dropday::feed::adapters::source::Mapped;
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

fn source() -> MappedSource {
    let popups: Vec<Value> = (0..LOCATIONS).map(popup).collect();
    let mapping = adapters::load("square-pos").unwrap();
    let mut config = mapping.settings.clone();
    config.insert("popups".to_owned(), Value::Array(popups));
    MappedSource::new(Arc::new(mapping), Value::Object(config)).unwrap()
}

/// A sold order of the steady day: order `n` of location `i`, placed at `at`; every fourth a
/// pick-up waiting at the desk, due 20 min later.
fn steady_order(i: usize, n: usize, at: DateTime<Utc>) -> Value {
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let pickup = n % 4 == 3;
    let mut order = json!({
        "id": format!("S-{i}-{n}"), "location_id": format!("L{i:012}"),
        "state": if pickup { "OPEN" } else { "COMPLETED" },
        "created_at": stamp(at), "updated_at": stamp(at),
        "line_items": [{"uid": "a", "catalog_object_id": "W62UWFY35CWMYGVWK6TWJDNI", "quantity": "1",
                        "total_money": {"amount": 6500, "currency": "USD"}}],
        "total_money": {"amount": 6500, "currency": "USD"}
    });
    if pickup {
        order["fulfillments"] = json!([{"uid": "f", "type": "PICKUP", "state": "PREPARED",
            "pickup_details": {"pickup_at": stamp(at + TimeDelta::minutes(5))}}]);
    }
    order
}

fn secs(n: usize) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(n).unwrap())
}

/// The steady day: each location's orders so far, when its last one was placed, and its
/// answers at the poll under way.
struct SteadyDay {
    poll: usize,
    start: DateTime<Utc>,
    sold: Vec<usize>,
    last_placed: Vec<DateTime<Utc>>,
    answers: Vec<[Vec<u8>; 3]>,
}

impl SteadyDay {
    fn new(answers: Vec<[Vec<u8>; 3]>, start: DateTime<Utc>) -> Self {
        SteadyDay {
            poll: 0,
            start,
            sold: vec![0; answers.len()],
            last_placed: vec![start; answers.len()],
            answers,
        }
    }

    /// The next poll's instant and answers (made here, outside the measured part).
    fn next(&mut self) -> (DateTime<Utc>, Vec<[Vec<u8>; 3]>) {
        self.poll += 1;
        let now = self.start + secs(5 * self.poll);
        for i in 0..self.answers.len() {
            let placed = |n: usize| now - secs(2 + n % 3);
            let sells = (i + self.poll).is_multiple_of(7);
            let sold_before = self.sold[i];
            // The order at the watermark comes back as it was (Square's `start_at` is
            // inclusive): placed, and last updated, when it was.
            let at_watermark = |n: usize| steady_order(i, n, self.last_placed[i]);
            let orders = if sells {
                self.sold[i] += 1;
                let placed = placed(self.sold[i]);
                let new = steady_order(i, self.sold[i], placed);
                let orders = match sold_before {
                    0 => json!({"orders": [new]}),
                    n => json!({"orders": [at_watermark(n), new]}),
                };
                self.last_placed[i] = placed;
                orders
            } else if (i + self.poll) % 7 == 1 && sold_before > 0 {
                // The poll after a sale: the order at the watermark alone.
                json!({"orders": [at_watermark(sold_before)]})
            } else {
                continue;
            };
            self.answers[i][1] = serde_json::to_vec(&orders).unwrap();
            if sells {
                let mut count = stock(i);
                count["counts"][0]["quantity"] = json!(format!("{}", 400 - self.sold[i]));
                self.answers[i][2] = serde_json::to_vec(&count).unwrap();
            }
        }
        (now, self.answers.clone())
    }
}

/// One poll as the client makes it: answers through the page cache (each body handed over as
/// the client hands over the bytes it received), the program per entry through the memo, the
/// document decoded.
fn poll(
    source: &MappedSource,
    pages: &mut PageCache,
    memo: &mut EntryMemo,
    answers: Vec<[Vec<u8>; 3]>,
    now: DateTime<Utc>,
    state: &Val,
) -> Mapped {
    pages.start_poll();
    let mut by_name: Vec<Vec<Val>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for (index, (item, bytes)) in source.list_vals("popups").iter().zip(answers).enumerate() {
        for (k, body) in bytes.into_iter().enumerate() {
            let keep = &source.mapping.requests[k].keep;
            let (page, _) = pages
                .read(
                    (k, index, 0),
                    body,
                    |b| match keep {
                        Some(keep) => keep.read(b),
                        None => serde_json::from_slice(b),
                    },
                    |_| Ok(Val::Null),
                )
                .unwrap();
            by_name[k].push(pages.call((k, index), item, vec![page]));
        }
    }
    let mut requests = jaq_json::Map::default();
    for (name, calls) in ["devices", "orders", "stock"].into_iter().zip(by_name) {
        requests.insert(Val::from(name.to_owned()), calls.into_iter().collect());
    }
    source
        .map_with(Val::obj(requests), now, state, memo)
        .unwrap()
}

fn map_popups(c: &mut Criterion) {
    let source = source();
    let answers = answers();
    let bytes: usize = answers.iter().flatten().map(Vec::len).sum();
    let now: DateTime<Utc> = "2026-11-28T16:00:00Z".parse().unwrap();
    let first = poll(
        &source,
        &mut PageCache::default(),
        &mut EntryMemo::default(),
        answers.clone(),
        now,
        &Val::Null,
    );
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
    group.bench_function("square_pos_1000_locations_first_poll", |b| {
        b.iter_batched(
            || answers.clone(),
            |answers| {
                let mut pages = PageCache::default();
                let mut memo = EntryMemo::default();
                poll(
                    &source,
                    &mut pages,
                    &mut memo,
                    black_box(answers),
                    now,
                    &Val::Null,
                )
            },
            BatchSize::PerIteration,
        );
    });

    // The steady day starts from the first poll's state, cache and memo, a minute of polls in.
    let mut day = SteadyDay::new(answers.clone(), now);
    let mut pages = PageCache::default();
    let mut memo = EntryMemo::default();
    let mut state = Val::Null;
    let mut work = (0_u32, 0_u32, 0_u32, 0_u32);
    for _ in 0..12 {
        let (at, answers) = day.next();
        state = poll(&source, &mut pages, &mut memo, answers, at, &state).state;
    }
    group.bench_function("square_pos_1000_locations_steady_poll", |b| {
        b.iter_batched(
            || day.next(),
            |(at, answers)| {
                let mapped = poll(&source, &mut pages, &mut memo, answers, at, &state);
                assert!(!matches!(mapped.outcome, PollOutcome::Failed(_)));
                state = mapped.state;
                let count = |n: usize| u32::try_from(n).unwrap();
                work = (
                    work.0 + 1,
                    work.1 + count(pages.parsed_last_poll),
                    work.2 + count(memo.mapped_last_poll),
                    work.3 + count(memo.answered_last_poll),
                );
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    if work.0 > 0 {
        eprintln!(
            "steady polls: {} measured, on average {:.0} pages read anew, {:.0} pop-ups mapped of {LOCATIONS}, \
             {:.0} devices answers read anew",
            work.0,
            f64::from(work.1) / f64::from(work.0),
            f64::from(work.2) / f64::from(work.0),
            f64::from(work.3) / f64::from(work.0)
        );
    }
}

criterion_group!(benches, map_popups);
criterion_main!(benches);
