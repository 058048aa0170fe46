//! A recorded `launch` run of the simulator (its manual clock advanced 30 s between polls, so
//! two and a half hours of drop take a second): the report's figures equal the ones computed
//! here from the simulator's own documents, a replay shows the same figures as the live room
//! at the same instants (same inputs, same model), and a recording cut in the middle of its
//! last frame (a SIGKILL mid-write) still replays and reports up to its last whole frame.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::time::Duration;

use chrono::{DateTime, Utc};

use dropday::app::audit::Operator;
use dropday::app::ids::RandomKeys;
use dropday::app::keymap::Keymap;
use dropday::app::{Event, Room, RoomConfig};
use dropday::feed::FeedKind;
use dropday::feed::client::{FeedClient, FeedEndpoint, build_http};
use dropday::feed::wire::{Drop, Hub, decode_document};
use dropday::model::alerts::AlertThresholds;
use dropday::model::board::{Board, BoardSettings};
use dropday::model::report::Report;
use dropday::record::format::{FeedSource, Header};
use dropday::record::replay::Player;
use dropday::record::report;
use dropday::record::{Entry, FORMAT_VERSION, Recorder, Recording};
use dropday::sim::{ScenarioSource, SimOptions, start};

/// Sim time between two rounds of polls.
const STEP: Duration = Duration::from_secs(30);
/// Rounds: 2 h 40 min of drop, past hoodie-01's close and ewr-1's window end.
const ROUNDS: usize = 320;

fn room() -> Room {
    Room::new(
        RoomConfig {
            environment: "test".to_owned(),
            simulated: true,
            read_only: true,
            keymap: Keymap::default(),
            operator: Operator::default(),
            thresholds: AlertThresholds::default(),
            color: dropday::app::ColorMode::Never,
            ascii: true,
            type_to_confirm: false,
            bell: dropday::app::session::Bell::Off,
            ids: Box::new(RandomKeys),
        },
        Board::new(BoardSettings::default()),
    )
}

/// The board's figures as `status --json` has them (drops, hubs, pop-ups, feeds), without
/// the alerts: the live room here got no ticks, a replay gets one a second.
fn figures(room: &Room, local_now: DateTime<Utc>) -> serde_json::Value {
    let report = Report::build(room.board.feeds(), room.board.alerts(), local_now);
    let mut json = serde_json::to_value(&report).unwrap();
    json.as_object_mut().unwrap().remove("alerts");
    json
}

fn header(base: &str) -> Entry {
    Entry::Header(Header {
        format: FORMAT_VERSION,
        dropday: "test".to_owned(),
        environment: "test".to_owned(),
        feeds: FeedKind::ALL
            .iter()
            .map(|kind| FeedSource {
                feed: kind.name().to_owned(),
                url: format!("{base}{}", kind.path()),
            })
            .collect(),
        started_at: Utc::now(),
        clock_rate: 1.0,
        command: "test".to_owned(),
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

struct Run {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
    /// `(local instant, figures)` of the live room after some polls.
    snapshots: Vec<(DateTime<Utc>, serde_json::Value)>,
    /// The simulator's marketplace document at the end, fetched by the test itself.
    drops_at_end: Vec<Drop>,
    /// The simulator's hub document at the last round at or before each hub's window end.
    hubs_at_window_end: Vec<Hub>,
}

async fn recorded_launch() -> Run {
    let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
        "launch".into(),
    )))
    .await
    .expect("simulator");
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("launch.rec");
    let recorder = Recorder::start(&path, &header(&base)).expect("recorder");
    let record = recorder.handle();
    let mut clients: Vec<FeedClient> = FeedKind::ALL
        .iter()
        .map(|&kind| {
            let endpoint = FeedEndpoint::with_defaults(kind, &base);
            FeedClient::new(build_http(&endpoint).unwrap(), endpoint)
        })
        .collect();
    let http = reqwest::Client::new();
    let mut live = room();
    let mut snapshots = Vec::new();
    let mut hubs_at_window_end: Vec<Hub> = Vec::new();
    for round in 0..ROUNDS {
        let mut last_local = None;
        for client in &mut clients {
            let (report, raw) = client.poll_with_body().await;
            record.write(Entry::of_poll(
                &report,
                raw.as_ref().map(|r| r.status),
                raw.as_ref().map(|r| r.body.as_slice()),
            ));
            last_local = Some(report.received_at);
            live.update(Event::Poll(report.clone()), report.received_at);
        }
        if round % 16 == 0 {
            let at = last_local.unwrap();
            snapshots.push((at, figures(&live, at)));
            // A frame boundary now and then, as the writer's clock would make over hours.
            record.flush();
        }
        // The test's own reading of the hubs, for the figures at each window end.
        let body = http
            .get(format!("{base}/v1/hubs"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let doc = decode_document::<Hub>(&body).unwrap();
        for hub in doc.entries {
            if doc.as_of <= hub.capacity.window_end {
                match hubs_at_window_end.iter_mut().find(|h| h.id == hub.id) {
                    Some(kept) => *kept = hub,
                    None => hubs_at_window_end.push(hub),
                }
            }
        }
        if round + 1 < ROUNDS {
            sim.clock().advance(STEP);
        }
    }
    let written = recorder.finish().expect("finish");
    assert!(written.flushes > 10, "{written:?}");
    let body = http
        .get(format!("{base}/v1/drops"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let drops_at_end = decode_document::<Drop>(&body).unwrap().entries;
    sim.shutdown().await;
    Run {
        path,
        _dir: dir,
        snapshots,
        drops_at_end,
        hubs_at_window_end,
    }
}

/// Replays `recording` into a fresh room and compares its figures with each live snapshot
/// the recording reaches; returns how many were compared.
fn replay_matches(
    recording: &Recording,
    snapshots: &[(DateTime<Utc>, serde_json::Value)],
) -> usize {
    let mut player = Player::new(recording);
    let mut replayed = room();
    let mut compared = 0;
    for (at, live) in snapshots {
        if *at > player.end() {
            break;
        }
        for (event, when) in player.advance(*at) {
            if !matches!(event, Event::Tick(_)) {
                replayed.update(event, when);
            }
        }
        assert_eq!(&figures(&replayed, *at), live, "figures differ at {at}");
        compared += 1;
    }
    compared
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_launch_reports_the_simulators_figures_and_replays_the_live_ones() {
    let run = recorded_launch().await;
    let recording = Recording::read(&run.path).expect("reads");
    assert_eq!(recording.cut_bytes, 0);
    assert_eq!(recording.skipped_lines, 0);

    // Replay: the same figures as the live room, at every snapshot.
    assert_eq!(
        replay_matches(&recording, &run.snapshots),
        run.snapshots.len()
    );

    // Report: every drop's figures from the simulator's own last document.
    let post = report::build(&recording);
    assert!(post.covered_hours >= 2.6, "{}", post.covered_hours);
    assert_eq!(post.drops.len(), run.drops_at_end.len());
    for sim_drop in &run.drops_at_end {
        let score = post.drops.iter().find(|d| d.id == sim_drop.id).unwrap();
        let f = sim_drop.funnel;
        assert_eq!(score.orders, f.orders, "{}", sim_drop.id);
        assert_eq!(score.revenue_minor, f.revenue_minor, "{}", sim_drop.id);
        assert_eq!(
            score.conversion_pct,
            Some(round2(f.orders as f64 / f.sessions as f64 * 100.0)),
            "{}",
            sim_drop.id
        );
        assert_eq!(
            score.sell_through_pct,
            Some(round2(
                sim_drop.stock.sold as f64 / sim_drop.stock.allocated as f64 * 100.0
            ))
        );
        assert_eq!(
            score.units_left,
            sim_drop.stock.allocated - sim_drop.stock.sold
        );
        for (band, counted) in sim_drop.funnel_by_band.as_ref().unwrap() {
            let b = score.bands.iter().find(|b| &b.id == band).unwrap();
            let expected = (counted.sessions > 0)
                .then(|| round2(counted.orders as f64 / counted.sessions as f64 * 100.0));
            assert_eq!(b.conversion_pct, expected, "{} band {band}", sim_drop.id);
        }
        // Less than 48 hours recorded: no 48-hour figure.
        assert_eq!(score.conversion_48h_pct, None);
    }
    // hoodie-01 sells out in this scenario (around +1h25m): a sell-out time, no units left.
    let hoodie = post.drops.iter().find(|d| d.id == "hoodie-01").unwrap();
    assert!(hoodie.sold_out_at.is_some(), "{hoodie:?}");
    assert!(hoodie.peak_orders_per_min.unwrap() > 0);

    // Hubs: a window that ended within the run has realised figures, from the simulator's
    // document at the last round at or before the window end; one still open is projected
    // from the last document, with an interval.
    for sim_hub in &run.hubs_at_window_end {
        let score = post.hubs.iter().find(|h| h.id == sim_hub.id).unwrap();
        let c = &sim_hub.capacity;
        assert_eq!(score.consumed_units, c.consumed_units, "{}", sim_hub.id);
        if score.projected {
            assert!(c.window_end > post.recording.last_document.unwrap());
            let (low, point, high) = (
                score.projected_units_low.unwrap(),
                score.projected_units.unwrap(),
                score.projected_units_high.unwrap(),
            );
            assert!(
                low <= point && point <= high && c.consumed_units <= low,
                "{score:?}"
            );
            continue;
        }
        let over = c.consumed_units.saturating_sub(c.contracted_units);
        assert_eq!(score.overage_units, Some(over), "{}", sim_hub.id);
        assert_eq!(
            score.overage_cost_minor,
            Some(i64::try_from(over).unwrap() * c.overage_cost_minor),
            "{}",
            sim_hub.id
        );
        let short = c.min_commit_units.saturating_sub(c.consumed_units);
        assert_eq!(
            score.penalty_minor,
            Some(i64::try_from(short).unwrap() * c.unused_penalty_minor)
        );
    }
    let ewr = post.hubs.iter().find(|h| h.id == "ewr-1").unwrap();
    assert!(
        !ewr.projected,
        "ewr-1's window ends at +2h30m, within the run"
    );
    assert!(
        ewr.overage_units.unwrap() > 0,
        "ewr-1 runs over its contract: {ewr:?}"
    );

    // after_sale: the simulator's counters, read after close.
    let after = post.after_sale.as_ref().expect("after_sale");
    let (returned, units, repeat, buyers) = run.drops_at_end.iter().fold((0, 0, 0, 0), |acc, d| {
        let a = d.after_sale.unwrap();
        (
            acc.0 + a.returned_units,
            acc.1 + d.funnel.units,
            acc.2 + a.repeat_buyers,
            acc.3 + a.buyers,
        )
    });
    assert_eq!(
        after.return_rate_pct,
        Some(round2(returned as f64 / units as f64 * 100.0))
    );
    assert_eq!(
        after.repeat_buyer_rate_pct,
        Some(round2(repeat as f64 / buyers as f64 * 100.0))
    );
    assert!(after.days_after_close > 0.0, "{after:?}");

    // The JSON interface has the documented keys.
    let json = serde_json::to_value(&post).unwrap();
    for key in [
        "drops",
        "hubs",
        "popups",
        "alerts",
        "actions",
        "after_sale",
        "covered_hours",
    ] {
        assert!(json.get(key).is_some(), "no {key}");
    }
    let drop = &json["drops"][0];
    for key in [
        "id",
        "conversion_pct",
        "conversion_48h_pct",
        "bands",
        "band_switches",
        "peak_orders_per_min",
        "sell_through_pct",
        "pauses",
    ] {
        assert!(drop.get(key).is_some(), "no drops[].{key}");
    }
    for key in [
        "id",
        "consumed_units",
        "contracted_units",
        "overage_units",
        "overage_cost_minor",
        "shortfall_units",
        "penalty_minor",
        "on_time_pct",
        "breach_minutes",
    ] {
        assert!(json["hubs"][0].get(key).is_some(), "no hubs[].{key}");
    }
    assert!(json["popups"][0].get("terminal_downtime_s").is_some());

    // The HTML is one self-contained, well-formed page.
    let html = report::html::render(&post);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.matches("<svg").count() >= post.drops.len() + 2 * post.hubs.len());
    for external in ["http://", "https://", "src=", "<script", "<link", "url("] {
        assert!(
            !html.contains(external),
            "the page fetches something: {external}"
        );
    }

    // SIGKILL in the middle of the last frame: the rest replays and reports.
    let bytes = std::fs::read(&run.path).unwrap();
    // One start, one frame: every cut below is inside compressed data.
    assert_eq!(dropday::record::frames::whole_frames(&bytes).len(), 1);
    let cut = bytes.len() - 40;
    let cut_recording = Recording::from_bytes(&bytes[..cut]).expect("a cut file still reads");
    assert!(cut_recording.cut_bytes > 0);
    let whole_entries = recording.entries().count();
    let kept = cut_recording.entries().count();
    assert!(
        kept > 0 && kept < whole_entries,
        "{kept} of {whole_entries}"
    );
    let compared = replay_matches(&cut_recording, &run.snapshots);
    assert!(compared >= run.snapshots.len() - 2, "{compared}");
    let cut_report = report::build(&cut_recording);
    assert_eq!(cut_report.drops.len(), post.drops.len());
    assert!(!report::markdown::render(&cut_report).is_empty());

    // Killed half-way: the first half replays (as the live room showed it) and reports.
    let half = Recording::from_bytes(&bytes[..bytes.len() / 2]).expect("half a file reads");
    let kept = half.entries().count();
    assert!(
        kept > whole_entries / 4 && kept < whole_entries * 3 / 4,
        "{kept} of {whole_entries}"
    );
    // Every live snapshot up to the cut is reproduced (replay_matches asserts each).
    let compared = replay_matches(&half, &run.snapshots);
    assert!(
        compared > 2 && compared < run.snapshots.len(),
        "{compared} of {}",
        run.snapshots.len()
    );
    assert_eq!(report::build(&half).drops.len(), post.drops.len());
}
