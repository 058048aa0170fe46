//! Alerts leave the room for a real Alertmanager, and a real Prometheus scrapes `/metrics`:
//! `dropday serve` (the real binary) against the simulator, a hub running hot (its carrier
//! stays away, orders go overdue) and cooling again, as the test moves the simulator's clock.
//! Debian's `prometheus-alertmanager` and `prometheus` run on loopback ports; `.ci/run`
//! installs them when missing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod notify_common;

use std::process::Command;
use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::Value;

use dropday::model::alerts::{AlertKind, Severity};
use dropday::notify::{
    AlertFacts, AlertId, Change, Notification, Notifier, SinkKind, SinkSettings,
};

use notify_common::{
    Process, Receiver, always, free_port, get_json, hot_hub_sim, program, serve_config, wait_for,
};

/// The `orders_overdue` alert of hot-1 among Alertmanager's active alerts, if there.
fn hot_alert(alerts: &Value) -> Option<Value> {
    alerts.as_array()?.iter().find_map(|a| {
        (a["labels"]["alertname"] == "orders_overdue"
            && a["labels"]["hub"] == "hot-1"
            && a["status"]["state"] == "active")
            .then(|| a.clone())
    })
}

/// A webhook Alertmanager sent about hot-1's alert with `status`.
fn webhook_with(bodies: &[Value], status: &str) -> Option<Value> {
    bodies.iter().find_map(|b| {
        let about_hot = b["alerts"]
            .as_array()?
            .iter()
            .any(|a| a["labels"]["alertname"] == "orders_overdue" && a["labels"]["hub"] == "hot-1");
        (about_hot && b["status"] == status).then(|| b.clone())
    })
}

/// A real Alertmanager on a loopback port, routing every alert to `webhook`; its base URL.
async fn start_alertmanager(dir: &std::path::Path, webhook: &str) -> (Process, String) {
    let am_port = free_port();
    let am_config = dir.join("alertmanager.yml");
    std::fs::write(
        &am_config,
        format!(
            "route:\n  receiver: room\n  group_by: ['alertname', 'hub']\n  group_wait: 1s\n  \
             group_interval: 1s\n  repeat_interval: 1h\n\
             receivers:\n- name: room\n  webhook_configs:\n  - url: {webhook}\n    send_resolved: true\n"
        ),
    )
    .unwrap();
    let alertmanager = Process::spawn(
        "alertmanager",
        Command::new(program("prometheus-alertmanager", "alertmanager"))
            .arg(format!("--config.file={}", am_config.display()))
            .arg(format!("--storage.path={}", dir.join("am-data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{am_port}"))
            // Empty: no cluster, so no gossip port and nothing beyond loopback.
            .arg("--cluster.listen-address="),
    );
    let am = format!("http://127.0.0.1:{am_port}");
    wait_for(
        "Alertmanager ready",
        || async { get_json(&format!("{am}/api/v2/status")).await },
        || alertmanager.log(),
    )
    .await;
    (alertmanager, am)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_in_the_room_becomes_an_alertmanager_silence_and_the_alert_stays_current() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(always(StatusCode::OK)).await;
    let (alertmanager, am) = start_alertmanager(dir.path(), &receiver.url("/hook")).await;
    let sink = SinkSettings::new(SinkKind::Alertmanager, "am", &am);
    let mut notifier = Notifier::start(vec![sink], "it", "room-1", Utc::now).unwrap();
    let now = Utc::now();
    let facts = AlertFacts {
        id: AlertId::new("it", AlertKind::TerminalOffline, "bk-1"),
        kind: AlertKind::TerminalOffline,
        severity: Severity::Warning,
        subject: "bk-1".into(),
        message: "bk-1: 1 of 2 terminals offline".into(),
        since: now - chrono::TimeDelta::minutes(3),
        figure: Some(1.0),
        runbook: None,
        environment: "it".into(),
        test: false,
    };
    let note = |change, silenced| Notification {
        alert: facts.clone(),
        change,
        at: now,
        silenced,
    };
    notifier.enqueue(&note(Change::Firing, false));
    notifier.enqueue(&note(
        Change::Silenced {
            until: now + chrono::TimeDelta::hours(1),
            by: Some("maya".into()),
        },
        true,
    ));
    notifier.enqueue(&note(Change::Refresh, true));
    let silence = wait_for(
        "the room's silence in Alertmanager",
        || async {
            let silences = get_json(&format!("{am}/api/v2/silences")).await?;
            silences
                .as_array()?
                .iter()
                .find(|s| s["createdBy"] == "maya")
                .cloned()
        },
        || alertmanager.log(),
    )
    .await;
    assert_eq!(silence["status"]["state"], "active", "{silence}");
    let matchers: Vec<(String, String)> = silence["matchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().into(),
                m["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        matchers.contains(&("alertname".into(), "terminal_offline".into())),
        "{silence}"
    );
    assert!(
        matchers.contains(&("subject".into(), "bk-1".into())),
        "{silence}"
    );
    assert!(
        matchers.contains(&("environment".into(), "it".into())),
        "{silence}"
    );
    let ends = DateTime::parse_from_rfc3339(silence["endsAt"].as_str().unwrap()).unwrap();
    assert!(
        (ends.with_timezone(&Utc) - (now + chrono::TimeDelta::hours(1)))
            .num_seconds()
            .abs()
            <= 1
    );
    // The alert is still there, and Alertmanager marks it silenced by that silence.
    let alert = wait_for(
        "the silenced alert in Alertmanager",
        || async {
            let alerts = get_json(&format!("{am}/api/v2/alerts")).await?;
            alerts
                .as_array()?
                .iter()
                .find(|a| {
                    a["labels"]["alertname"] == "terminal_offline"
                        && a["status"]["state"] == "suppressed"
                })
                .cloned()
        },
        || alertmanager.log(),
    )
    .await;
    assert_eq!(alert["status"]["silencedBy"][0], silence["id"], "{alert}");
    assert_eq!(alert["labels"]["popup"], "bk-1", "{alert}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_hub_fires_in_alertmanager_reaches_its_receiver_and_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let sim = hot_hub_sim().await;
    let receiver = Receiver::start(always(StatusCode::OK)).await;

    let (alertmanager, am) = start_alertmanager(dir.path(), &receiver.url("/alertmanager")).await;

    let config = serve_config(
        dir.path(),
        &sim,
        &format!("[[notify]]\nkind = \"alertmanager\"\nname = \"am\"\nurl = \"{am}\"\n"),
    );
    let serve = Process::dropday_serve(dir.path(), &config, &[]);
    serve.wait_for_line("notify: sink am (alertmanager)").await;
    serve.wait_for_line("running headless").await;
    // Cool at the start: nothing overdue, nothing sent.
    assert!(hot_alert(&get_json(&format!("{am}/api/v2/alerts")).await.unwrap()).is_none());

    // Minute 7: the carrier has been away since minute 1, orders are due after 5.
    sim.clock().advance(Duration::from_secs(7 * 60));
    let alert = wait_for(
        "hot-1's orders_overdue in Alertmanager",
        || async { hot_alert(&get_json(&format!("{am}/api/v2/alerts")).await?) },
        || serve.log(),
    )
    .await;
    let labels = &alert["labels"];
    assert_eq!(labels["severity"], "warning", "{alert}");
    assert_eq!(labels["subject"], "hot-1", "{alert}");
    assert_eq!(labels["environment"], "it", "{alert}");
    assert!(
        labels["instance"].as_str().is_some_and(|i| !i.is_empty()),
        "{alert}"
    );
    assert_eq!(
        alert["annotations"]["summary"], "orders_overdue on hub hot-1 (it)",
        "{alert}"
    );
    assert!(
        alert["annotations"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("past due and not shipped")),
        "{alert}"
    );
    let fired = wait_for(
        "a firing webhook from Alertmanager",
        || async { webhook_with(&receiver.bodies(), "firing") },
        || format!("{:#?}\n{}", receiver.bodies(), alertmanager.log()),
    )
    .await;
    assert_eq!(fired["alerts"][0]["labels"]["hub"], "hot-1", "{fired}");
    serve
        .wait_for_line("notify am: firing orders_overdue hot-1: delivered")
        .await;

    // Minute 17: the carrier came back at minute 8 and shipped the backlog.
    sim.clock().advance(Duration::from_secs(10 * 60));
    serve
        .wait_for_line("notify am: resolved orders_overdue hot-1: delivered")
        .await;
    wait_for(
        "hot-1's alert gone from Alertmanager's active alerts",
        || async {
            let alerts = get_json(&format!("{am}/api/v2/alerts")).await?;
            hot_alert(&alerts).is_none().then_some(())
        },
        || serve.log(),
    )
    .await;
    let resolved = wait_for(
        "a resolved webhook from Alertmanager",
        || async { webhook_with(&receiver.bodies(), "resolved") },
        || format!("{:#?}\n{}", receiver.bodies(), alertmanager.log()),
    )
    .await;
    assert_eq!(resolved["alerts"][0]["status"], "resolved", "{resolved}");
    drop(serve);
    drop(alertmanager);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_room_and_reads_the_hubs_remaining_units() {
    let dir = tempfile::tempdir().unwrap();
    let sim = hot_hub_sim().await;
    let config = serve_config(dir.path(), &sim, "");
    let serve = Process::dropday_serve(dir.path(), &config, &["--metrics", "127.0.0.1:0"]);
    let line = serve.wait_for_line("metrics: serving http://").await;
    let metrics_url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    let target = metrics_url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_owned();

    let prom_port = free_port();
    let prom_config = dir.path().join("prometheus.yml");
    std::fs::write(
        &prom_config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n- job_name: dropday\n  static_configs:\n  - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let prometheus = Process::spawn(
        "prometheus",
        Command::new(program("prometheus", "prometheus"))
            .arg(format!("--config.file={}", prom_config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{prom_port}")),
    );
    let prom = format!("http://127.0.0.1:{prom_port}");

    let up = wait_for(
        "the dropday target up in Prometheus",
        || async {
            let targets = get_json(&format!("{prom}/api/v1/targets")).await?;
            let t = targets["data"]["activeTargets"]
                .as_array()?
                .first()?
                .clone();
            (t["health"] == "up").then_some(t)
        },
        || prometheus.log(),
    )
    .await;
    assert_eq!(up["lastError"], "", "{up}");
    assert_eq!(up["labels"]["job"], "dropday", "{up}");

    // The simulator's clock stands still, so the hub's figure does too: what Prometheus
    // stored is exactly what the feed says is left.
    let hubs = get_json(&format!("{}/v1/hubs", sim.base_url()))
        .await
        .unwrap();
    let hub = hubs["hubs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "hot-1")
        .unwrap()
        .clone();
    let capacity = &hub["capacity"];
    let left = capacity["contracted_units"].as_u64().unwrap()
        - capacity["consumed_units"].as_u64().unwrap();
    let query =
        format!("{prom}/api/v1/query?query=dropday_hub_remaining_units%7Bhub%3D%22hot-1%22%7D");
    let value = wait_for(
        "dropday_hub_remaining_units in Prometheus",
        || async {
            let answer = get_json(&query).await?;
            let result = answer["data"]["result"].as_array()?.first()?.clone();
            result["value"][1].as_str()?.parse::<f64>().ok()
        },
        || prometheus.log(),
    )
    .await;
    assert!(
        (value - left as f64).abs() < f64::EPSILON,
        "Prometheus {value}, feed {left}"
    );
    assert!(left > 0 && left < 100_000, "{hub}");

    let feed_up = get_json(&format!("{prom}/api/v1/query?query=dropday_feed_up"))
        .await
        .unwrap();
    let feeds = feed_up["data"]["result"].as_array().unwrap();
    assert_eq!(feeds.len(), 3, "{feed_up}");
    assert!(feeds.iter().all(|f| f["value"][1] == "1"), "{feed_up}");
    drop(prometheus);
    drop(serve);
    sim.shutdown().await;
}
