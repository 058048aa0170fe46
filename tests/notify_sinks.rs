//! The delivery engine against local receivers that check the documented payload fields and
//! answer as the services do: PagerDuty's Events API v2 (202 with the dedup key), a Slack
//! incoming webhook (`ok`), a sink that hangs, one that answers 500 then 200, one that answers
//! 400, and a dead sink's bounded queue. Every notification goes through the real HTTP path.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod notify_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use dropday::model::alerts::{AlertKind, DeliveryOutcome, DeliveryReport, Severity};
use dropday::notify::deliver::Reporter;
use dropday::notify::{
    AlertFacts, AlertId, Change, Notification, Notifier, SinkKind, SinkSettings,
};
use notify_common::{Receiver, wait_for};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn overdue(change: Change) -> Notification {
    Notification {
        alert: AlertFacts {
            id: AlertId::new("it", AlertKind::OrdersOverdue, "ewr-1"),
            kind: AlertKind::OrdersOverdue,
            severity: Severity::Warning,
            subject: "ewr-1".into(),
            message: "ewr-1 has 12 orders past due and not shipped".into(),
            since: now() - chrono::TimeDelta::minutes(20),
            figure: Some(12.0),
            runbook: Some("https://wiki.example/hubs#overdue".into()),
            environment: "it".into(),
            test: false,
        },
        change,
        at: now(),
        silenced: false,
    }
}

/// PagerDuty's Events API v2, as far as its documented required fields go.
fn pagerduty_check(body: &Value) -> Result<(), String> {
    if body["routing_key"] != "R0UTING-KEY-32-CHARS-xxxxxxxxxxx" {
        return Err("routing_key".into());
    }
    let action = body["event_action"].as_str().ok_or("event_action")?;
    if !["trigger", "acknowledge", "resolve"].contains(&action) {
        return Err(format!("event_action {action}"));
    }
    if body["dedup_key"]
        .as_str()
        .is_none_or(|k| k.is_empty() || k.len() > 255)
    {
        return Err("dedup_key".into());
    }
    if action == "trigger" {
        let payload = &body["payload"];
        let summary = payload["summary"].as_str().ok_or("payload.summary")?;
        if summary.is_empty() || summary.len() > 1024 {
            return Err("payload.summary length".into());
        }
        if payload["source"].as_str().is_none_or(str::is_empty) {
            return Err("payload.source".into());
        }
        let severity = payload["severity"].as_str().ok_or("payload.severity")?;
        if !["critical", "error", "warning", "info"].contains(&severity) {
            return Err(format!("payload.severity {severity}"));
        }
        if let Some(at) = payload["timestamp"].as_str() {
            DateTime::parse_from_rfc3339(at).map_err(|e| format!("payload.timestamp: {e}"))?;
        }
    }
    Ok(())
}

/// A Slack incoming webhook: `text` or `blocks`, each block typed.
fn slack_check(body: &Value) -> Result<(), String> {
    if body["text"].as_str().is_none_or(str::is_empty) {
        return Err("text".into());
    }
    let blocks = body["blocks"].as_array().ok_or("blocks")?;
    if blocks.is_empty() || blocks.iter().any(|b| b["type"].as_str().is_none()) {
        return Err("blocks".into());
    }
    Ok(())
}

fn sink(kind: SinkKind, name: &str, url: &str) -> SinkSettings {
    let mut sink = SinkSettings::new(kind, name, url);
    // Long enough that the hanging sink is still hanging when everything else is done.
    sink.timeout = Duration::from_secs(60);
    sink
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sink_gets_its_payloads_and_a_dead_or_failing_one_delays_no_one() {
    let pagerduty = Receiver::start(Arc::new(|_, body: &Value| match pagerduty_check(body) {
        Ok(()) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({"status": "success", "message": "Event processed",
                              "dedup_key": body["dedup_key"]})),
        )
            .into_response(),
        Err(field) => (
            StatusCode::BAD_REQUEST,
            axum::Json(
                json!({"status": "invalid event", "message": "Event object is invalid",
                              "errors": [field]}),
            ),
        )
            .into_response(),
    }))
    .await;
    let slack = Receiver::start(Arc::new(|_, body: &Value| match slack_check(body) {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "invalid_payload").into_response(),
    }))
    .await;
    let hanging = Receiver::hanging().await;
    // 500 once, asking to come back at once, then 200.
    let flaky = Receiver::start(Arc::new(|n, _| {
        if n == 0 {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [("retry-after", "0")],
                "busy",
            )
                .into_response()
        } else {
            StatusCode::OK.into_response()
        }
    }))
    .await;
    let refusing = Receiver::start(Arc::new(|_, _| {
        (StatusCode::BAD_REQUEST, "no such receiver").into_response()
    }))
    .await;

    let mut pd = sink(SinkKind::Pagerduty, "pd", &pagerduty.url("/v2/enqueue"));
    pd.routing_key = Some(dropday::notify::settings::Secret::new(
        "R0UTING-KEY-32-CHARS-xxxxxxxxxxx",
    ));
    let sinks = vec![
        sink(SinkKind::Webhook, "hangs", &hanging.url("/hook")),
        pd,
        sink(SinkKind::Slack, "slack", &slack.url("/services/T0/B0/x")),
        sink(SinkKind::Webhook, "flaky", &flaky.url("/hook")),
        sink(SinkKind::Webhook, "refuses", &refusing.url("/hook")),
    ];
    // What the room hears of each outcome (it shows the latest per sink in the details).
    let reports: Arc<Mutex<Vec<DeliveryReport>>> = Arc::default();
    let heard = reports.clone();
    let reporter: Reporter = Arc::new(move |r| heard.lock().unwrap().push(r));
    let mut notifier =
        Notifier::start_reporting(sinks, "it", "room-1", Utc::now, Some(&reporter)).unwrap();
    for change in [
        Change::Firing,
        Change::Acknowledged {
            by: Some("maya".into()),
        },
        Change::Resolved,
    ] {
        notifier.enqueue(&overdue(change));
    }

    let stats = notifier.stats();
    let by_name = |name: &str| stats.read().into_iter().find(|s| s.name == name).unwrap();
    wait_for(
        "every answering sink done",
        || {
            let done = by_name("pd").sent == 3
                && by_name("slack").sent == 3
                && by_name("flaky").sent == 2
                && by_name("refuses").failed == 2;
            async move { done.then_some(()) }
        },
        || format!("{:#?}", stats.read()),
    )
    .await;
    // The hanging sink holds its first request, and held nobody else up.
    assert_eq!(hanging.bodies().len(), 1);
    assert_eq!(by_name("hangs").sent + by_name("hangs").failed, 0);

    let pd_bodies = pagerduty.bodies();
    let actions: Vec<&str> = pd_bodies
        .iter()
        .map(|b| b["event_action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["trigger", "acknowledge", "resolve"]);
    let key = overdue(Change::Resolved).alert.id;
    assert!(pd_bodies.iter().all(|b| b["dedup_key"] == key.as_str()));
    assert_eq!(pd_bodies[0]["payload"]["custom_details"]["figure"], 12.0);
    assert_eq!(by_name("pd").failed, 0);

    let texts: Vec<String> = slack
        .bodies()
        .iter()
        .map(|b| b["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        texts[0].contains("WARNING orders_overdue on hub ewr-1 (it)"),
        "{texts:?}"
    );
    assert!(texts[1].contains("acknowledged by maya"), "{texts:?}");
    assert!(texts[2].contains("RESOLVED"), "{texts:?}");

    // 500 then 200: the same firing body twice, then the resolve; acknowledgements are not
    // part of Alertmanager's webhook.
    let flaky_bodies = flaky.bodies();
    assert_eq!(flaky_bodies.len(), 3, "{flaky_bodies:#?}");
    assert_eq!(flaky_bodies[0]["status"], "firing");
    assert_eq!(flaky_bodies[0]["alerts"], flaky_bodies[1]["alerts"]);
    assert_eq!(flaky_bodies[2]["status"], "resolved");
    assert_eq!((by_name("flaky").sent, by_name("flaky").failed), (2, 1));

    // 400: given up at once, one request per notification.
    assert_eq!(refusing.bodies().len(), 2);
    assert_eq!((by_name("refuses").sent, by_name("refuses").failed), (0, 2));

    // Each outcome reached the room's reporter, sink by sink (reported after the counts).
    let outcomes = |sink: &str| -> Vec<(&'static str, DeliveryOutcome)> {
        reports
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.sink == sink && r.subject == "ewr-1")
            .map(|r| (r.change, r.outcome.clone()))
            .collect()
    };
    wait_for(
        "the last outcome of every answering sink reported",
        || {
            let done = ["pd", "slack", "flaky", "refuses"].iter().all(|sink| {
                outcomes(sink)
                    .last()
                    .is_some_and(|(change, _)| *change == "resolved")
            });
            async move { done.then_some(()) }
        },
        || format!("{:#?}", reports.lock().unwrap()),
    )
    .await;
    let delivered = |answer: &str| DeliveryOutcome::Delivered {
        answer: answer.to_owned(),
    };
    assert_eq!(
        outcomes("pd"),
        [
            ("firing", delivered("HTTP 202")),
            ("acknowledged", delivered("HTTP 202")),
            ("resolved", delivered("HTTP 202")),
        ]
    );
    assert_eq!(
        outcomes("flaky"),
        [
            (
                "firing",
                DeliveryOutcome::Retrying {
                    answer: "HTTP 500".to_owned(),
                    attempt: 1
                }
            ),
            ("firing", delivered("HTTP 200")),
            ("resolved", delivered("HTTP 200")),
        ]
    );
    let refused = DeliveryOutcome::Failed {
        answer: "HTTP 400: no such receiver".to_owned(),
    };
    assert_eq!(
        outcomes("refuses"),
        [("firing", refused.clone()), ("resolved", refused)]
    );
    assert!(outcomes("hangs").is_empty(), "still waiting for its answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_sinks_queue_keeps_the_newest_and_counts_what_it_dropped() {
    let hanging = Receiver::hanging().await;
    let mut dead = sink(SinkKind::Webhook, "dead", &hanging.url("/hook"));
    dead.queue = 2;
    let mut notifier = Notifier::start(vec![dead], "it", "room-1", Utc::now).unwrap();
    notifier.enqueue(&overdue(Change::Firing));
    wait_for(
        "the first notification in flight",
        || {
            let n = hanging.bodies().len();
            async move { (n == 1).then_some(()) }
        },
        String::new,
    )
    .await;
    for _ in 0..5 {
        notifier.enqueue(&overdue(Change::Refresh));
    }
    let stats = notifier.stats().read();
    assert_eq!(stats[0].dropped, 3, "{stats:?}");
    assert_eq!(hanging.bodies().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_test_sends_a_marked_alert_to_each_sink_and_fails_when_one_refuses() {
    let good = Receiver::start(Arc::new(|_, _| StatusCode::OK.into_response())).await;
    let bad = Receiver::start(Arc::new(|_, _| {
        (StatusCode::BAD_REQUEST, "unknown receiver").into_response()
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dropday.toml");
    std::fs::write(
        &config,
        format!(
            "[ui]\nenvironment = \"it\"\n\n\
             [[notify]]\nkind = \"webhook\"\nname = \"good\"\nurl = \"{}\"\n\n\
             [[notify]]\nkind = \"webhook\"\nname = \"bad\"\nurl_env = \"BAD_HOOK_URL\"\n",
            good.url("/hook")
        ),
    )
    .unwrap();
    let run = |sink: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dropday"));
        command
            .args(["notify", "test", "--config"])
            .arg(&config)
            .env("BAD_HOOK_URL", bad.url("/secret-path"))
            .env("HOME", dir.path());
        if let Some(sink) = sink {
            command.args(["--sink", sink]);
        }
        command
    };
    // Off the runtime's threads: the receivers answer on them.
    let both = tokio::task::spawn_blocking({
        let mut command = run(None);
        move || command.output().unwrap()
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&both.stdout);
    assert_eq!(both.status.code(), Some(1), "{out}");
    assert!(
        out.contains("good (webhook): ok\n  firing: HTTP 200\n  resolved: HTTP 200"),
        "{out}"
    );
    assert!(
        out.contains("bad (webhook): FAILED\n  firing: HTTP 400: unknown receiver"),
        "{out}"
    );
    assert!(
        !out.contains("secret-path"),
        "a sink's URL is never printed: {out}"
    );
    let sent = good.bodies();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["alerts"][0]["labels"]["alertname"], "dropday_test");
    assert_eq!(sent[0]["status"], "firing");
    assert_eq!(sent[1]["status"], "resolved");

    let only_good = tokio::task::spawn_blocking({
        let mut command = run(Some("good"));
        move || command.output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(only_good.status.code(), Some(0));
    assert_eq!(bad.bodies().len(), 2, "--sink good leaves bad alone");
}
