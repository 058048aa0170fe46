//! `dropday status --check --observe 5s --json` gives a verdict that does not depend on luck:
//! five runs, each against a freshly started simulator of the `contract-edge` scenario, report
//! the same alert set (with a critical in it), and every run's interval of the slow hub's burn
//! holds its true rate. No timing is asserted: only what the reports say.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::collections::BTreeSet;
use std::process::Command;

use dropday::sim::{ClockMode, ScenarioSource, SimOptions, start};

/// slow-6's true burn: 1,000 sessions/min × 6 % conversion × 1 unit × a 10 % share.
const SLOW_TRUE_RATE: f64 = 6.0;

fn write_config(dir: &std::path::Path, base_url: &str) -> std::path::PathBuf {
    let path = dir.join("dropday.toml");
    let text = format!(
        "[feeds.marketplace]\nurl = \"{base_url}\"\n[feeds.fulfilment]\nurl = \"{base_url}\"\n[feeds.pos]\nurl = \"{base_url}\"\n"
    );
    std::fs::write(&path, text).expect("config written");
    path
}

/// One `status` run against a fresh simulator: the alert set and the slow hub's burn range.
async fn one_run() -> (BTreeSet<(String, String, String)>, serde_json::Value, i32) {
    let mut options = SimOptions::new(ScenarioSource::Builtin("contract-edge".to_owned()));
    options.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    options.clock = ClockMode::Wall;
    let sim = start(options).await.expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &sim.base_url())
        .display()
        .to_string();
    let binary = env!("CARGO_BIN_EXE_dropday");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args([
                "status",
                "--config",
                &config,
                "--json",
                "--check",
                "--observe",
                "5s",
            ])
            .output()
    })
    .await
    .expect("joined")
    .expect("runs");
    sim.shutdown().await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
    assert!(!stdout.contains("NaN"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    let as_of = json["as_of"].as_str().expect("as_of").to_owned();
    let mut alerts = BTreeSet::new();
    for a in json["alerts"].as_array().expect("alerts") {
        for key in ["since", "first_seen"] {
            let at = a[key].as_str().expect("instant");
            // RFC 3339 UTC strings of one format compare in time order.
            assert!(at <= as_of.as_str(), "{key} {at} after as_of {as_of}: {a}");
        }
        assert!(a["state"] == "firing" || a["state"] == "pending", "{a}");
        alerts.insert((
            a["kind"].as_str().unwrap_or_default().to_owned(),
            a["subject"].as_str().unwrap_or_default().to_owned(),
            a["severity"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    let slow = json["hubs"]
        .as_array()
        .expect("hubs")
        .iter()
        .find(|h| h["id"] == "slow-6")
        .cloned()
        .expect("slow-6 reported");
    (alerts, slow, output.status.code().unwrap_or(-1))
}

#[tokio::test]
async fn five_fresh_runs_give_one_verdict() {
    let mut verdicts = Vec::new();
    for run in 0..5 {
        let (alerts, slow, code) = one_run().await;
        let low = slow["burn_units_per_min_low"].as_f64();
        let high = slow["burn_units_per_min_high"].as_f64();
        assert!(
            low.zip(high)
                .is_some_and(|(l, h)| l <= SLOW_TRUE_RATE && SLOW_TRUE_RATE <= h),
            "run {run}: slow-6's burn range misses {SLOW_TRUE_RATE}/min: {slow}"
        );
        assert!(slow["rate_span_s"].as_i64().is_some(), "{slow}");
        assert_eq!(slow["remaining_units"].as_u64().map(|_| ()), Some(()));
        verdicts.push((alerts, code));
    }
    let (first, code) = &verdicts[0];
    assert!(
        first.iter().any(|(_, _, severity)| severity == "critical"),
        "a critical is reported at once: {first:?}"
    );
    assert_eq!(*code, 2, "--check exits 2 on a critical");
    for (run, verdict) in verdicts.iter().enumerate() {
        assert_eq!(verdict, &verdicts[0], "run {run} differs from run 0");
    }
}
