//! Recording and replay costs (docs/PERFORMANCE.md, "Recording"):
//!
//! - `record/poll_large`: one poll of all three feeds at the large state
//!   (`benches/common/large_state.rs`; eight consecutive polls in turn) written to a recording
//!   and flushed: the writer's work per poll (JSON line, zstd stream flushed, file write). The
//!   room's own share is a copy of each body and a channel send.
//! - After criterion, one two-hour `launch` run of the simulator (manual clock, a poll of each
//!   feed every simulated second, a flush every 2 polls as the 2-second writer makes them)
//!   is recorded: its size, then how fast it replays through a room (simulated hours per
//!   second, ticks included) and how long the report takes.
//!
//! `cargo bench --bench record -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

/// The binary's allocator (src/main.rs), so the bench measures what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::Criterion;

use common::large_state::{self as large, LARGE};
use dropday::app::audit::Operator;
use dropday::app::ids::CountedKeys;
use dropday::app::keymap::Keymap;
use dropday::app::{ColorMode, Room, RoomConfig};
use dropday::feed::FeedKind;
use dropday::feed::client::{FeedClient, FeedEndpoint, build_http};
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::model::alerts::AlertThresholds;
use dropday::model::board::Board;
use dropday::record::format::{FeedSource, Header};
use dropday::record::replay::Player;
use dropday::record::{Entry, FORMAT_VERSION, Recorder, Recording, report};
use dropday::sim::{ScenarioSource, SimOptions, start};

fn header() -> Entry {
    Entry::Header(Header {
        format: FORMAT_VERSION,
        dropday: "bench".to_owned(),
        environment: "bench".to_owned(),
        feeds: FeedKind::ALL
            .iter()
            .map(|k| FeedSource {
                feed: k.name().to_owned(),
                url: format!("http://127.0.0.1:1{}", k.path()),
            })
            .collect(),
        started_at: Utc::now(),
        clock_rate: 1.0,
        command: "bench".to_owned(),
    })
}

/// Consecutive polls of the large state the bench cycles through: successive documents differ
/// (counters grow), as a recording's do; the same documents again would compress better than
/// any real recording.
const LARGE_POLLS: i64 = 8;

fn record_poll_large(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::start(&dir.path().join("large.rec"), &header()).unwrap();
    let handle = recorder.handle();
    // A document outcome is what the tap sees; the body is what is written.
    // `cargo test --all-targets` runs this once without `--bench`: two polls are enough there
    // (generating and decoding eight large states takes minutes in a debug build).
    let benching = std::env::args().any(|arg| arg == "--bench");
    let count = if benching { LARGE_POLLS } else { 2 };
    let polls: Vec<Vec<(PollReport, Vec<u8>)>> = (30..30 + count)
        .map(|step| {
            let bodies = large::bodies(&LARGE, step);
            let report = |feed, outcome| PollReport {
                feed,
                sent_at: large::at(step),
                received_at: large::at(step),
                outcome,
            };
            vec![
                (
                    report(
                        FeedKind::Marketplace,
                        PollOutcome::Drops(
                            dropday::feed::wire::decode_document(&bodies.drops).unwrap(),
                        ),
                    ),
                    bodies.drops,
                ),
                (
                    report(
                        FeedKind::Fulfilment,
                        PollOutcome::Hubs(
                            dropday::feed::wire::decode_document(&bodies.hubs).unwrap(),
                        ),
                    ),
                    bodies.hubs,
                ),
                (
                    report(
                        FeedKind::Pos,
                        PollOutcome::Popups(
                            dropday::feed::wire::decode_document(&bodies.popups).unwrap(),
                        ),
                    ),
                    bodies.popups,
                ),
            ]
        })
        .collect();
    let mut group = c.benchmark_group("record");
    group.sample_size(10);
    let mut polled = 0u64;
    group.bench_function("poll_large", |b| {
        b.iter(|| {
            let poll = &polls[(polled % polls.len() as u64) as usize];
            polled += 1;
            for (report, body) in poll {
                handle.write(Entry::of_poll(report, Some(200), Some(body)));
            }
            handle.flush();
        });
    });
    group.finish();
    let written = recorder.finish().unwrap();
    eprintln!(
        "large state: {polled} polls, {} flushes, {} frames, {:.1} MB of JSON → {:.1} MB on disk ({:.0} kB per poll of the three feeds; ratio {:.1})",
        written.flushes,
        written.frames,
        written.json_bytes as f64 / 1e6,
        written.file_bytes as f64 / 1e6,
        written.file_bytes as f64 / polled.max(1) as f64 / 1e3,
        written.json_bytes as f64 / written.file_bytes.max(1) as f64
    );
}

fn room() -> Room {
    Room::new(
        RoomConfig {
            environment: "bench".to_owned(),
            simulated: true,
            read_only: true,
            keymap: Keymap::default(),
            operator: Operator::default(),
            thresholds: AlertThresholds::default(),
            color: ColorMode::Never,
            ascii: true,
            type_to_confirm: false,
            bell: dropday::app::session::Bell::Off,
            ids: Box::new(CountedKeys::default()),
        },
        Board::new(dropday::model::board::BoardSettings::default()),
    )
}

/// Two hours of `launch` at one poll per feed per simulated second.
async fn two_hour_launch(path: &std::path::Path) {
    let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
        "launch".into(),
    )))
    .await
    .unwrap();
    let recorder = Recorder::start(path, &header()).unwrap();
    let record = recorder.handle();
    let mut clients: Vec<FeedClient> = FeedKind::ALL
        .iter()
        .map(|&kind| {
            let endpoint = FeedEndpoint::with_defaults(kind, &sim.base_url());
            FeedClient::new(build_http(&endpoint).unwrap(), endpoint)
        })
        .collect();
    for second in 0..7200 {
        for client in &mut clients {
            let (report, raw) = client.poll_with_body().await;
            record.write(Entry::of_poll(
                &report,
                raw.as_ref().map(|r| r.status),
                raw.as_ref().map(|r| r.body.as_slice()),
            ));
        }
        if second % 2 == 1 {
            record.flush();
        }
        sim.clock().advance(Duration::from_secs(1));
    }
    let written = recorder.finish().unwrap();
    eprintln!(
        "two-hour launch at 1 s polling: {} entries, {} flushes, {} frames, {:.1} MB of JSON → {:.2} MB on disk",
        written.entries,
        written.flushes,
        written.frames,
        written.json_bytes as f64 / 1e6,
        written.file_bytes as f64 / 1e6
    );
    sim.shutdown().await;
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    record_poll_large(&mut criterion);
    criterion.final_summary();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("launch-2h.rec");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(two_hour_launch(&path));
    // `DROPDAY_BENCH_KEEP=FILE` keeps the recording for a look with `zstdcat` or `dropday report`.
    if let Some(keep) = std::env::var_os("DROPDAY_BENCH_KEEP") {
        std::fs::copy(&path, &keep).unwrap();
    }

    let began = Instant::now();
    let recording = Recording::read(&path).unwrap();
    let read = began.elapsed();
    let began = Instant::now();
    let mut player = Player::new(&recording);
    let mut replayed = room();
    // Simulated (server) hours: the documents' own clock, not the wall time of recording.
    let hours = report::build(&recording).covered_hours;
    let mut events = 0u64;
    for (event, at) in player.advance(player.end()) {
        replayed.update(event, at);
        events += 1;
    }
    let replay = began.elapsed();
    let began = Instant::now();
    let post = report::build(&recording);
    let reported = began.elapsed();
    eprintln!(
        "replay of {hours:.2} simulated hours ({events} events, ticks included): read {:.2} s, replay {:.2} s = {:.1} simulated hours per second; report {:.2} s ({} drops)",
        read.as_secs_f64(),
        replay.as_secs_f64(),
        hours / replay.as_secs_f64(),
        reported.as_secs_f64(),
        post.drops.len()
    );
}
