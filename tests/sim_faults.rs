//! Every fault kind of the simulator is observable over HTTP. Real HTTP on an ephemeral
//! loopback port, manual sim clock; the only waits are the server's own (latency, stall) and a
//! client timeout for the hang.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::time::{Duration, Instant};

use dropday::feed::FeedKind;
use dropday::feed::wire::{Drop, DropState, Hub, IDEMPOTENCY_KEY_HEADER, Popup, decode_document};
use dropday::sim::{DropPattern, FaultKind, RunningSim, ScenarioSource, SimOptions, start};
use reqwest::StatusCode;

const EIGHT_MIB: usize = 8 * 1024 * 1024;

async fn launch() -> RunningSim {
    start(SimOptions::for_tests(ScenarioSource::Builtin(
        "launch".to_owned(),
    )))
    .await
    .expect("simulator starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds")
}

fn url(sim: &RunningSim, feed: FeedKind) -> String {
    format!("{}{}", sim.feed_url(feed), feed.path())
}

async fn get(sim: &RunningSim, feed: FeedKind) -> reqwest::Response {
    client()
        .get(url(sim, feed))
        .send()
        .await
        .expect("GET answers")
}

async fn pause(sim: &RunningSim, key: &str) -> Result<reqwest::Response, reqwest::Error> {
    // A fresh client each time: a cut connection must not be reused.
    client()
        .post(format!("{}/v1/drops/hoodie-01/pause", sim.base_url()))
        .header(IDEMPOTENCY_KEY_HEADER, key)
        .send()
        .await
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Pos, FaultKind::Latency { ms: 300 })
        .expect("set");
    let started = Instant::now();
    assert_eq!(get(&sim, FeedKind::Pos).await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.shutdown().await;
}

#[tokio::test]
async fn server_errors_come_with_html() {
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Marketplace,
        FaultKind::ServerError { status: 502 },
    )
    .expect("set");
    let response = get(&sim, FeedKind::Marketplace).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body = response.text().await.expect("body");
    assert!(body.contains("<html>"));
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    // Nothing is applied while the marketplace fails.
    let response = pause(&sim, "k-502").await.expect("answers");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(sim.control_log().is_empty());
    // The other feeds are fine.
    assert_eq!(
        get(&sim, FeedKind::Fulfilment).await.status(),
        StatusCode::OK
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_says_when_to_retry() {
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Fulfilment,
        FaultKind::RateLimited { retry_after_s: 7 },
    )
    .expect("set");
    let response = get(&sim, FeedKind::Fulfilment).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(reqwest::header::HeaderValue::as_bytes),
        Some(&b"7"[..])
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_json_does_not_decode() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::MalformedJson)
        .expect("set");
    let response = get(&sim, FeedKind::Marketplace).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.expect("body");
    assert!(decode_document::<Drop>(&body).is_err());
    sim.shutdown().await;
}

#[tokio::test]
async fn truncated_bodies_cannot_be_read_to_the_end() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Fulfilment, FaultKind::Truncated)
        .expect("set");
    let response = get(&sim, FeedKind::Fulfilment).await;
    assert!(response.content_length().is_some_and(|n| n > 0));
    assert!(
        response.bytes().await.is_err(),
        "Content-Length longer than the body"
    );

    sim.clear_faults();
    sim.set_fault(FeedKind::Fulfilment, FaultKind::TruncatedChunked)
        .expect("set");
    let response = get(&sim, FeedKind::Fulfilment).await;
    assert!(response.headers().get("content-length").is_none());
    assert!(
        response.bytes().await.is_err(),
        "chunked body without its last chunk"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_pass_eight_mib_with_and_without_length() {
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Pos,
        FaultKind::Oversized {
            bytes: 9 * 1024 * 1024,
        },
    )
    .expect("set");
    let response = get(&sim, FeedKind::Pos).await;
    assert!(
        response
            .content_length()
            .is_some_and(|n| n > EIGHT_MIB as u64)
    );
    let body = response.bytes().await.expect("body");
    assert!(body.len() > EIGHT_MIB);
    assert!(
        decode_document::<Popup>(&body).is_ok(),
        "still a valid document"
    );

    sim.clear_faults();
    sim.set_fault(
        FeedKind::Pos,
        FaultKind::OversizedChunked {
            bytes: 9 * 1024 * 1024,
        },
    )
    .expect("set");
    let response = get(&sim, FeedKind::Pos).await;
    assert!(response.headers().get("content-length").is_none());
    assert!(response.bytes().await.expect("body").len() > EIGHT_MIB);
    sim.shutdown().await;
}

#[tokio::test]
async fn hang_never_answers_until_cleared() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::Hang)
        .expect("set");
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = impatient
        .get(url(&sim, FeedKind::Marketplace))
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error}");

    // A hanging request is released when the fault is cleared.
    let waiting = tokio::spawn(client().get(url(&sim, FeedKind::Marketplace)).send());
    tokio::task::yield_now().await;
    sim.clear_faults();
    let response = waiting.await.expect("task").expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn counter_reset_restarts_the_counters_from_zero() {
    let sim = launch().await;
    sim.clock().advance(Duration::from_secs(600));
    let body = get(&sim, FeedKind::Fulfilment)
        .await
        .bytes()
        .await
        .expect("body");
    let before = decode_document::<Hub>(&body).expect("decodes");
    let consumed_before = before.entries[0].capacity.consumed_units;
    assert!(consumed_before > 0);

    sim.set_fault(FeedKind::Fulfilment, FaultKind::CounterReset)
        .expect("set");
    let body = get(&sim, FeedKind::Fulfilment)
        .await
        .bytes()
        .await
        .expect("body");
    let reset = decode_document::<Hub>(&body).expect("decodes");
    assert_eq!(reset.entries[0].capacity.consumed_units, 0);
    assert_eq!(reset.entries[0].pipeline.received, 0);

    sim.clock().advance(Duration::from_secs(120));
    let body = get(&sim, FeedKind::Fulfilment)
        .await
        .bytes()
        .await
        .expect("body");
    let counting = decode_document::<Hub>(&body).expect("decodes");
    let consumed_after = counting.entries[0].capacity.consumed_units;
    assert!(consumed_after > 0 && consumed_after < consumed_before);
    sim.shutdown().await;
}

#[tokio::test]
async fn clock_skew_moves_as_of() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Pos, FaultKind::ClockSkew { seconds: -90 })
        .expect("set");
    let body = get(&sim, FeedKind::Pos).await.bytes().await.expect("body");
    let document = decode_document::<Popup>(&body).expect("decodes");
    assert_eq!(
        sim.clock().now() - document.as_of,
        chrono::TimeDelta::seconds(90)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_types_spoil_one_entry_only() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::WrongTypes)
        .expect("set");
    let body = get(&sim, FeedKind::Marketplace)
        .await
        .bytes()
        .await
        .expect("body");
    let raw: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(raw["drops"][0]["funnel"]["sessions"], "many");
    let document = decode_document::<Drop>(&body).expect("decodes");
    assert_eq!(document.skipped.len(), 1);
    assert_eq!(document.skipped[0].id.as_deref(), Some("hoodie-01"));
    assert!(!document.entries.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn not_modified_without_being_asked() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Fulfilment, FaultKind::NotModified)
        .expect("set");
    let response = get(&sim, FeedKind::Fulfilment).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_dropped_answer_was_still_applied_and_a_retry_replays_it() {
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Marketplace,
        FaultKind::DropResponse(DropPattern::EveryNth(1)),
    )
    .expect("set");
    let error = pause(&sim, "k-dropped").await.expect_err("no answer");
    assert!(
        !error.is_timeout(),
        "the connection is closed, not left hanging: {error}"
    );
    assert_eq!(sim.control_log().len(), 1);
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.state),
        Some(DropState::Paused)
    );

    sim.clear_faults();
    let retry = pause(&sim, "k-dropped").await.expect("answers");
    assert_eq!(retry.status(), StatusCode::OK);
    let drop: Drop = serde_json::from_slice(&retry.bytes().await.expect("body")).expect("drop");
    assert_eq!(drop.state, DropState::Paused);
    assert_eq!(sim.control_log().len(), 1, "paused exactly once");
    sim.shutdown().await;
}

#[tokio::test]
async fn every_second_answer_is_dropped() {
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Marketplace,
        FaultKind::DropResponse(DropPattern::EveryNth(2)),
    )
    .expect("set");
    assert!(pause(&sim, "k-1").await.is_ok());
    assert!(pause(&sim, "k-2").await.is_err());
    assert!(pause(&sim, "k-3").await.is_ok());
    sim.shutdown().await;
}

#[tokio::test]
async fn stall_applies_then_holds_the_answer() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::Stall { ms: 300 })
        .expect("set");
    let started = Instant::now();
    let response = pause(&sim, "k-stall").await.expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        sim.set_fault(FeedKind::Pos, FaultKind::Stall { ms: 1 })
            .is_err(),
        "control faults are marketplace-only"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_admin_endpoint_sets_lists_and_clears_faults() {
    let sim = launch().await;
    let admin = format!("{}/_sim/faults", sim.base_url());
    let set = client()
        .post(&admin)
        .body(r#"{"feed": "fulfilment", "kind": "http503"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(set.status(), StatusCode::OK);
    let set = client()
        .post(&admin)
        .body(r#"{"fault": "pos:latency:1"}"#)
        .send()
        .await
        .expect("answers");
    let listed: serde_json::Value =
        serde_json::from_slice(&set.bytes().await.expect("body")).expect("json");
    assert_eq!(
        listed["faults"],
        serde_json::json!(["fulfilment:http503", "pos:latency:1"])
    );
    assert_eq!(
        get(&sim, FeedKind::Fulfilment).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    let bad = client()
        .post(&admin)
        .body(r#"{"fault": "pos:explode"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let cleared = client().delete(&admin).send().await.expect("answers");
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(
        get(&sim, FeedKind::Fulfilment).await.status(),
        StatusCode::OK
    );
    assert!(sim.active_faults().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn scenario_faults_come_and_go_with_sim_time() {
    let toml = r#"
[scenario]
name = "faulty"
history = "1m"

[[faults]]
feed = "pos"
kind = "http500"
from = "1m"
until = "2m"
"#;
    let source = ScenarioSource::Inline {
        origin: "inline".to_owned(),
        toml: toml.to_owned(),
    };
    let sim = start(SimOptions::for_tests(source)).await.expect("starts");
    assert_eq!(get(&sim, FeedKind::Pos).await.status(), StatusCode::OK);
    sim.clock().advance(Duration::from_secs(60));
    assert_eq!(
        get(&sim, FeedKind::Pos).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    sim.clock().advance(Duration::from_secs(60));
    assert_eq!(get(&sim, FeedKind::Pos).await.status(), StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_given_at_start_are_on() {
    let mut opts = SimOptions::for_tests(ScenarioSource::Builtin("quiet".to_owned()));
    opts.faults = vec!["fulfilment:http429:3".parse().expect("valid spelling")];
    let sim = start(opts).await.expect("starts");
    assert_eq!(
        get(&sim, FeedKind::Fulfilment).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    sim.shutdown().await;
}
