//! Memory over a six-hour drop day at the large state (500 drops, 200 hubs with 50,000 overdue
//! orders, 1,000 pop-ups), polled every second on an injected clock: what the control room
//! keeps (rate windows, sparkline buckets, burn-down series, alerts, the triage table) must
//! stay under 100 MB and stop growing once every retention is full.
//!
//! A counting global allocator measures it: bytes allocated now, and the most at any time. It
//! counts what the binary's allocator (mimalloc, src/main.rs) is asked for.
//!
//! By default the test plays the first three minutes (the bound is checked, flatness is not),
//! so `cargo test` stays quick. The whole day, six hours of one-second polls (several minutes
//! in release on two cores), with memory printed each hour and checked flat after the first:
//!
//! `DROPDAY_MEMORY_SECONDS=21600 cargo test --release --test memory_six_hours -- --nocapture`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(unsafe_code)] // a counting global allocator wraps the binary's one.

#[path = "../benches/common/large_state.rs"]
mod large_state;

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::TimeDelta;

use dropday::app::{Event, Room};
use dropday::feed::FeedKind;
use dropday::feed::events::{PollOutcome, PollReport};
use large_state::{LARGE, at};

/// mimalloc (the binary's allocator) with two counters: bytes allocated now and the most ever allocated at once.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn added(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed to mimalloc unchanged; only the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is mimalloc's.
        let ptr = unsafe { MiMalloc.alloc(layout) };
        if !ptr.is_null() {
            added(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let ptr = unsafe { MiMalloc.alloc_zeroed(layout) };
        if !ptr.is_null() {
            added(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { MiMalloc.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let new = unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            added(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MB: usize = 1024 * 1024;

fn mb(bytes: usize) -> f64 {
    bytes as f64 / MB as f64
}

/// The hubs' overdue lists are sent in full once a minute (and on the last poll); the other
/// polls carry the same hubs without them. A hubs document replaces the whole list, so what it
/// costs is one document's worth whatever the hour, and the peak below includes it; leaving
/// it out of most polls keeps six hours of polls to about a minute.
const FULL_OVERDUE_EVERY: i64 = 60;

#[test]
fn a_drop_day_of_one_second_polls_stays_under_100_mb() {
    let seconds: i64 = std::env::var("DROPDAY_MEMORY_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3 * 60);
    // Decoded once; each poll is a copy with the clock and the counters moved on.
    let template = large_state::documents(&large_state::bodies(&LARGE, 0));
    let mut board = dropday::model::board::Board::default();
    for feed in FeedKind::ALL {
        board.set_poll_interval(feed, TimeDelta::seconds(1));
    }
    let mut state = Room::new(large_state::config(), board);
    // What the test itself holds (the template documents) is not the control room's; the JSON
    // it was decoded from is gone, and the peak starts here.
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let mut hourly = Vec::new();
    for s in 0..seconds {
        let now = at(s);
        let k = u64::try_from(s).expect("positive");

        let mut drops = template.drops.clone();
        drops.as_of = now;
        for (i, drop) in drops.entries.iter_mut().enumerate() {
            let rate = 1 + i as u64 % 7;
            drop.funnel.sessions += k * (20 + rate);
            drop.funnel.orders += k * rate / 3;
            drop.funnel.units += k * rate / 3;
            drop.stock.sold = (drop.stock.sold + k * rate / 40).min(drop.stock.allocated);
            if let Some(bands) = drop.funnel_by_band.as_mut() {
                for funnel in bands.values_mut() {
                    funnel.sessions += k * 5;
                    funnel.orders += k / 10;
                }
            }
        }
        let full_list = s % FULL_OVERDUE_EVERY == 0 || s == seconds - 1;
        let mut hubs = large_state::Documents::hubs_without_overdue(&template.hubs, full_list);
        hubs.as_of = now;
        for (i, hub) in hubs.entries.iter_mut().enumerate() {
            hub.capacity.consumed_units += k * (1 + i as u64 % 3) / 20;
            hub.sla.on_time += k / 10;
        }
        let mut popups = template.popups.clone();
        popups.as_of = now;
        for popup in &mut popups.entries {
            popup.sales.units += k / 30;
            popup.sales.transactions += k / 30;
            popup.pickups.collected += k / 60;
            for terminal in &mut popup.terminals {
                terminal.last_seen = now;
            }
        }

        let report = |feed, outcome| PollReport {
            feed,
            sent_at: now,
            received_at: now,
            outcome,
        };
        // As the running program: one event per poll report and a tick each second. The alert
        // book holds one alert per (kind, subject) at most, whatever the hour.
        for event in [
            Event::Poll(report(FeedKind::Marketplace, PollOutcome::Drops(drops))),
            Event::Poll(report(FeedKind::Fulfilment, PollOutcome::Hubs(hubs))),
            Event::Poll(report(FeedKind::Pos, PollOutcome::Popups(popups))),
            Event::Tick(now),
        ] {
            state.update(event, now);
        }
        // On the hour (and at the end), after a poll with the full overdue list, so each
        // figure holds the same documents.
        if (s > 0 && s % 3600 == 0) || s == seconds - 1 {
            let held = CURRENT.load(Ordering::Relaxed) - baseline;
            println!(
                "{:.2} h: {:.1} MB held, peak so far {:.1} MB",
                f64::from(u32::try_from(s + 1).unwrap_or(u32::MAX)) / 3600.0,
                mb(held),
                mb(PEAK.load(Ordering::Relaxed) - baseline)
            );
            hourly.push(held);
        }
    }
    let held = CURRENT.load(Ordering::Relaxed) - baseline;
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    println!(
        "after {seconds} one-second polls: {:.1} MB held by the control room's state, peak {:.1} \
         MB allocated (besides the test's template documents, {:.1} MB)",
        mb(held),
        mb(peak),
        mb(baseline)
    );
    // The documents above arrive decoded; the program decodes each body itself, and the
    // largest (the hubs', ~7.9 MB of JSON) passes through a `serde_json::Value` first. That
    // passing cost comes on top of what is held, once per poll.
    let bodies = large_state::bodies(&LARGE, seconds);
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let decoded = large_state::documents(&bodies);
    let decoding = PEAK.load(Ordering::Relaxed) - before;
    drop(decoded);
    println!(
        "decoding one poll's documents: {:.1} MB at most while it runs; at most held + \
         decoding (the new documents included), the worst moment of a poll: {:.1} MB",
        mb(decoding),
        mb(peak + decoding)
    );
    assert!(peak + decoding < 100 * MB, "{:.1} MB", mb(peak + decoding));
    assert_eq!(state.board.feeds().drops().len(), LARGE.drops);
    assert_eq!(
        state.board.feeds().overdue_len(),
        LARGE.hubs * LARGE.overdue_per_hub
    );
    assert!(peak < 100 * MB, "peak {:.1} MB", mb(peak));
    if let [first, .., last] = hourly[..] {
        // Every retention is full after the first hour: later hours hold no more (5 %
        // slack for the alert messages, whose text changes with the figures).
        assert!(
            last <= first + first / 20,
            "hour 1 {:.1} MB, hour 6 {:.1} MB",
            mb(first),
            mb(last)
        );
    }
}
