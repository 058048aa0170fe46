//! `dropday status`: the figures it reports are the ones FEEDS.md defines, checked here against
//! values computed by hand from the simulator's own documents; the binary prints the documented
//! JSON, fires the expected alerts and follows the monitoring-plugin exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use dropday::feed::FeedKind;
use dropday::feed::client::{FeedClient, FeedEndpoint, build_http};
use dropday::feed::events::PollOutcome;
use dropday::feed::wire::{Drop, Hub};
use dropday::model::alerts::{AlertBook, AlertThresholds};
use dropday::model::board::Board;
use dropday::model::report::Report;
use dropday::sim::{ClockMode, RunningSim, ScenarioSource, SimOptions, start};

fn client(sim: &RunningSim, kind: FeedKind) -> FeedClient {
    let endpoint = FeedEndpoint::with_defaults(kind, &sim.feed_url(kind));
    let http = build_http(&endpoint).expect("http");
    FeedClient::new(http, endpoint)
}

/// Least-squares slope in units per minute, written out independently of the model's.
fn slope_per_minute(samples: &[(DateTime<Utc>, u64)]) -> f64 {
    let t0 = samples[0].0;
    let points: Vec<(f64, f64)> = samples
        .iter()
        .map(|(t, v)| ((*t - t0).num_milliseconds() as f64 / 60_000.0, *v as f64))
        .collect();
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let num: f64 = points
        .iter()
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let den: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    num / den
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[tokio::test]
async fn reported_figures_match_a_hand_computation_from_the_documents() {
    let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
        "launch".to_owned(),
    )))
    .await
    .expect("simulator");
    let mut board = Board::default();
    let mut market = client(&sim, FeedKind::Marketplace);
    let mut hubs = client(&sim, FeedKind::Fulfilment);
    let mut pos = client(&sim, FeedKind::Pos);
    let mut consumed: Vec<(DateTime<Utc>, u64)> = Vec::new();
    let mut last_drop: Option<Drop> = None;
    let mut last_hub: Option<Hub> = None;
    for _ in 0..9 {
        let drops = market.poll().await;
        if let PollOutcome::Drops(doc) = &drops.outcome {
            last_drop = doc.entries.iter().find(|d| d.id == "hoodie-01").cloned();
        }
        let hub_report = hubs.poll().await;
        if let PollOutcome::Hubs(doc) = &hub_report.outcome {
            let hub = doc.entries.iter().find(|h| h.id == "ewr-1").cloned();
            if let Some(hub) = &hub {
                consumed.push((doc.as_of, hub.capacity.consumed_units));
            }
            last_hub = hub;
        }
        board.apply_poll(drops);
        board.apply_poll(hub_report);
        board.apply_poll(pos.poll().await);
        sim.clock().advance(Duration::from_secs(10));
    }
    let drop = last_drop.expect("hoodie-01 in the feed");
    let hub = last_hub.expect("ewr-1 in the feed");
    let local_now = Utc::now();
    let mut alerts = AlertBook::new();
    alerts.evaluate(&board, local_now, &AlertThresholds::default());
    let report = Report::build(&board, &alerts, local_now);
    let server_now = board.server_now(local_now);

    let hoodie = report
        .drops
        .iter()
        .find(|d| d.id == "hoodie-01")
        .expect("reported");
    let conversion = drop.funnel.orders as f64 / drop.funnel.sessions as f64 * 100.0;
    assert_eq!(hoodie.conversion_pct, Some(round2(conversion)));
    let sold = drop.stock.sold as f64 / drop.stock.allocated as f64 * 100.0;
    assert_eq!(hoodie.sell_through_pct, Some(round2(sold)));
    assert_eq!(
        hoodie.countdown_s,
        Some((drop.closes_at - server_now).num_seconds())
    );
    for band in &drop.price_bands {
        let margin =
            (band.price_minor - band.unit_cost_minor) as f64 / band.price_minor as f64 * 100.0;
        let reported = hoodie
            .bands
            .iter()
            .find(|b| b.id == band.id)
            .expect("band reported");
        assert_eq!(reported.margin_pct, Some(round2(margin)));
        assert_eq!(reported.allowed, margin >= drop.margin_floor_pct);
    }
    assert!(
        hoodie.bands.iter().any(|b| !b.allowed),
        "the launch has a band under its floor"
    );

    let ewr = report.hubs.iter().find(|h| h.id == "ewr-1").expect("hub");
    let (contracted, used) = (hub.capacity.contracted_units, hub.capacity.consumed_units);
    // Never negative: past the contract the excess is `over_contract_units`.
    assert_eq!(ewr.remaining_units, contracted.saturating_sub(used));
    assert_eq!(ewr.over_contract_units, used.saturating_sub(contracted));
    // The trailing window ends at server now (the skew estimate lags the manual clock's jumps
    // by a poll or two); a sample a few seconds ahead still counts, as in the model.
    consumed.retain(|(t, _)| *t <= server_now + chrono::TimeDelta::seconds(5));
    assert!(consumed.len() >= 7, "{consumed:?}");
    let rate = slope_per_minute(&consumed);
    assert!(rate > 0.0, "the launch hub is burning");
    assert_eq!(ewr.burn_units_per_min, Some(round2(rate)));
    let minutes_left = (hub.capacity.window_end - server_now).num_milliseconds() as f64 / 60_000.0;
    let projected = (hub.capacity.consumed_units as f64 + rate * minutes_left).round() as u64;
    let projected_reported = ewr.projected_at_window_end.expect("projection");
    assert!(
        projected_reported.abs_diff(projected) <= 1,
        "{projected_reported} vs {projected}"
    );
    let overage = projected_reported.saturating_sub(hub.capacity.contracted_units);
    assert_eq!(ewr.overage_units, Some(overage));
    assert_eq!(
        ewr.overage_cost_minor,
        Some(i64::try_from(overage).expect("fits") * hub.capacity.overage_cost_minor)
    );
    let sla = &hub.sla;
    let counted = sla.on_time + sla.late + sla.overdue_open;
    if counted > 0 {
        let on_time = sla.on_time as f64 / counted as f64 * 100.0;
        assert_eq!(ewr.on_time_pct, Some(round2(on_time)));
    }
    let kinds: Vec<(&str, &str)> = report
        .alerts
        .iter()
        .map(|a| (a.kind.as_str(), a.subject.as_str()))
        .collect();
    assert!(
        kinds.contains(&("capacity_exhaustion", "ewr-1")),
        "ewr-1 runs hot: {kinds:?}"
    );
    assert!(kinds.contains(&("drop_opening", "cap-02")), "{kinds:?}");
    assert!(kinds.contains(&("margin_below_floor", "hoodie-01")) == (drop.active_band == "C"));
    sim.shutdown().await;
}

fn write_config(dir: &std::path::Path, base_url: &str) -> std::path::PathBuf {
    let path = dir.join("dropday.toml");
    let text = format!(
        "[feeds.marketplace]\nurl = \"{base_url}\"\n[feeds.fulfilment]\nurl = \"{base_url}\"\n[feeds.pos]\nurl = \"{base_url}\"\n"
    );
    std::fs::write(&path, text).expect("config written");
    path
}

#[tokio::test]
async fn the_binary_prints_the_documented_json_and_exits_by_severity() {
    let mut options = SimOptions::new(ScenarioSource::Builtin("launch".to_owned()));
    options.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    options.clock = ClockMode::Wall;
    // 2 s of wall time are 120 s of simulated time: projection alerts need 60 s of samples.
    options.speed = 60.0;
    let sim = start(options).await.expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &sim.base_url());
    let binary = env!("CARGO_BIN_EXE_dropday");
    let config_arg = config.display().to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args([
                "status",
                "--config",
                &config_arg,
                "--json",
                "--check",
                "--observe",
                "2s",
                "--poll",
                "250ms",
            ])
            .output()
    })
    .await
    .expect("joined")
    .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    for key in [
        "as_of",
        "clock_skew_s",
        "feeds",
        "drops",
        "hubs",
        "popups",
        "alerts",
        "skipped",
    ] {
        assert!(json.get(key).is_some(), "key {key} in {stdout}");
    }
    for feed in json["feeds"].as_array().expect("feeds") {
        assert_eq!(feed["ok"], true, "{feed}");
        for key in ["name", "error", "last_success", "latency_ms"] {
            assert!(feed.get(key).is_some(), "feeds[].{key}");
        }
    }
    let drop_keys = [
        "id",
        "title",
        "state",
        "countdown_s",
        "conversion_pct",
        "live_conversion_pct",
        "sell_through_pct",
        "sellout_at",
        "active_band",
        "bands",
    ];
    for drop in json["drops"].as_array().expect("drops") {
        for key in drop_keys {
            assert!(drop.get(key).is_some(), "drops[].{key} in {drop}");
        }
        for band in drop["bands"].as_array().expect("bands") {
            for key in [
                "id",
                "price_minor",
                "margin_pct",
                "conversion_pct",
                "allowed",
            ] {
                assert!(band.get(key).is_some(), "bands[].{key}");
            }
        }
    }
    let hub_keys = [
        "id",
        "name",
        "remaining_units",
        "burn_units_per_min",
        "projected_exhaustion_at",
        "projected_at_window_end",
        "overage_units",
        "overage_cost_minor",
        "shortfall_units",
        "penalty_minor",
        "on_time_pct",
        "overdue_open",
    ];
    for hub in json["hubs"].as_array().expect("hubs") {
        for key in hub_keys {
            assert!(hub.get(key).is_some(), "hubs[].{key} in {hub}");
        }
    }
    for popup in json["popups"].as_array().expect("popups") {
        for key in [
            "id",
            "name",
            "terminals_online",
            "terminals_total",
            "revenue_minor",
            "pickups_overdue",
        ] {
            assert!(popup.get(key).is_some(), "popups[].{key}");
        }
    }
    let alerts = json["alerts"].as_array().expect("alerts");
    let has = |kind: &str, subject: &str| {
        alerts
            .iter()
            .any(|a| a["kind"] == kind && a["subject"] == subject)
    };
    assert!(has("capacity_exhaustion", "ewr-1"), "{alerts:?}");
    assert!(has("drop_opening", "cap-02"), "{alerts:?}");
    assert!(has("orders_overdue", "ord-3"), "{alerts:?}");
    assert!(!stdout.contains("NaN"));
    assert_eq!(
        output.status.code(),
        Some(2),
        "a critical alert fires: exit 2 with --check"
    );
    sim.shutdown().await;
}

#[test]
fn a_feed_that_hangs_is_reported_and_status_still_returns() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime
        .block_on(start(SimOptions::for_tests(ScenarioSource::Builtin(
            "quiet".to_owned(),
        ))))
        .expect("simulator");
    sim.set_fault(FeedKind::Fulfilment, dropday::sim::FaultKind::Hang)
        .expect("fault");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &sim.base_url());
    // How soon it returns is measured by the timing tests (docs/PERFORMANCE.md); here it must
    // return at all: a generous deadline only keeps a hang from hanging the suite.
    let mut command = Command::new(env!("CARGO_BIN_EXE_dropday"));
    command
        .args(["status", "--json", "--observe", "1s", "--config"])
        .arg(&config);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(command.output());
    });
    let output = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("status never returned with a hanging feed")
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let fulfilment = json["feeds"]
        .as_array()
        .and_then(|feeds| feeds.iter().find(|f| f["name"] == "fulfilment"))
        .expect("fulfilment feed");
    assert_eq!(fulfilment["ok"], false);
    assert!(
        fulfilment["error"]
            .as_str()
            .is_some_and(|e| e.contains("no answer within")),
        "{fulfilment}"
    );
    let market = json["feeds"]
        .as_array()
        .and_then(|feeds| feeds.iter().find(|f| f["name"] == "marketplace"))
        .expect("marketplace");
    assert_eq!(market["ok"], true, "the other feeds are unaffected");
    assert_eq!(output.status.code(), Some(0), "without --check: 0");
    runtime.block_on(sim.shutdown());
}

#[test]
fn a_broken_config_exits_2_with_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[feeds.pos]\nurl = \"http://127.0.0.1:7070\"\npoll = \"soon\"\n",
    )
    .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["status", "--config"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.toml line 3 key `feeds.pos.poll`"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}
