//! The simulator speaks feed protocol v1 (shared/FEEDS.md): real HTTP on an ephemeral loopback
//! port, a manual clock, no sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::time::Duration;

use dropday::feed::FeedKind;
use dropday::feed::wire::{
    self, Drop, DropState, ErrorBody, FeedEntry, Hub, IDEMPOTENCY_KEY_HEADER, Popup,
    decode_document,
};
use dropday::sim::{ControlAction, FaultKind, RunningSim, ScenarioSource, SimOptions, start};
use reqwest::StatusCode;

const MINUTE: Duration = Duration::from_secs(60);

async fn launch_with(configure: impl FnOnce(&mut SimOptions)) -> RunningSim {
    let mut opts = SimOptions::for_tests(ScenarioSource::Builtin("launch".to_owned()));
    configure(&mut opts);
    start(opts).await.expect("simulator starts")
}

async fn launch() -> RunningSim {
    launch_with(|_| {}).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

async fn fetch<T: FeedEntry>(sim: &RunningSim, feed: FeedKind) -> wire::Document<T> {
    let url = format!("{}{}", sim.feed_url(feed), feed.path());
    let response = client().get(url).send().await.expect("GET answers");
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.expect("body");
    let document = decode_document::<T>(&body).expect("document decodes");
    assert!(document.skipped.is_empty(), "{:?}", document.skipped);
    document
}

fn find<'a, T: FeedEntry>(doc: &'a wire::Document<T>, id: &str) -> &'a T {
    doc.entries
        .iter()
        .find(|e| e.id() == id)
        .unwrap_or_else(|| panic!("no entry `{id}`"))
}

/// A control request; `key: None` sends no Idempotency-Key.
async fn control(
    sim: &RunningSim,
    drop_id: &str,
    action: &str,
    key: Option<&str>,
    body: Option<&str>,
    token: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let url = format!("{}/v1/drops/{drop_id}/{action}", sim.base_url());
    let mut request = client().post(url);
    if let Some(key) = key {
        request = request.header(IDEMPOTENCY_KEY_HEADER, key);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("control answers");
    let status = response.status();
    (status, response.bytes().await.expect("body").to_vec())
}

fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body).map_or_else(
        |e| panic!("not an error body ({e}): {}", String::from_utf8_lossy(body)),
        |e| e.error.code,
    )
}

fn drop_of(body: &[u8]) -> Drop {
    serde_json::from_slice(body).expect("a drop object")
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn documents_decode_and_as_of_follows_the_clock() {
    let sim = launch().await;
    let drops = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
    let hubs = fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
    let popups = fetch::<Popup>(&sim, FeedKind::Pos).await;
    assert_eq!(drops.as_of, sim.clock().now());
    assert_eq!(hubs.as_of, sim.clock().now());
    assert_eq!(popups.as_of, sim.clock().now());
    assert!(drops.entries.len() >= 2 && hubs.entries.len() >= 2 && !popups.entries.is_empty());

    let before = drops.as_of;
    sim.clock().advance(MINUTE * 3);
    let later = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
    assert_eq!(later.as_of - before, chrono::TimeDelta::minutes(3));
    sim.shutdown().await;
}

#[tokio::test]
async fn launch_shows_a_live_and_a_soon_scheduled_drop_and_a_hub_running_hot() {
    let sim = launch().await;
    let now = sim.clock().now();
    let drops = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
    let hoodie = find(&drops, "hoodie-01");
    assert_eq!(hoodie.state, DropState::Live);
    let cap = find(&drops, "cap-02");
    assert_eq!(cap.state, DropState::Scheduled);
    assert!(cap.opens_at > now && cap.opens_at - now <= chrono::TimeDelta::minutes(8));

    let hubs = fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
    let chicago = find(&hubs, "ord-3");
    assert!(
        chicago.sla.overdue_open > 0,
        "orders overdue from the start"
    );
    let stages: Vec<_> = chicago.overdue.iter().map(|o| o.stage.clone()).collect();
    assert!(stages.contains(&wire::OrderStage::Received));

    // The spike takes Newark past its contracted units long before its window ends.
    sim.clock().advance(MINUTE * 25);
    let hubs = fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
    let newark = find(&hubs, "ewr-1");
    assert!(newark.capacity.consumed_units >= newark.capacity.contracted_units);
    assert!(newark.capacity.window_end > sim.clock().now() + chrono::TimeDelta::hours(1));
    assert!(newark.sla.overdue_open > 0);
    assert!(
        newark
            .overdue
            .iter()
            .any(|o| o.stage == wire::OrderStage::AwaitingCarrier && o.reason == "carrier_no_show")
    );
    let drops = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
    assert_eq!(find(&drops, "cap-02").state, DropState::Live);
    sim.shutdown().await;
}

#[tokio::test]
async fn counters_move_with_the_clock_and_never_decrease() {
    let sim = launch().await;
    let mut last: Option<(Drop, Hub, Popup)> = None;
    for _ in 0..12 {
        let drops = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
        let hubs = fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
        let popups = fetch::<Popup>(&sim, FeedKind::Pos).await;
        let now = (
            find(&drops, "hoodie-01").clone(),
            find(&hubs, "ewr-1").clone(),
            find(&popups, "bk-1").clone(),
        );
        if let Some((drop, hub, popup)) = &last {
            let (d, h, p) = &now;
            assert!(d.funnel.sessions > drop.funnel.sessions, "sessions move");
            assert!(d.funnel.orders >= drop.funnel.orders);
            assert!(d.funnel.revenue_minor >= drop.funnel.revenue_minor);
            assert!(d.stock.sold >= drop.stock.sold);
            assert!(h.capacity.consumed_units >= hub.capacity.consumed_units);
            assert!(h.pipeline.shipped >= hub.pipeline.shipped);
            assert!(h.sla.on_time >= hub.sla.on_time && h.sla.late >= hub.sla.late);
            assert!(p.sales.transactions >= popup.sales.transactions);
            assert!(p.pickups.collected >= popup.pickups.collected);
        }
        last = Some(now);
        sim.clock().advance(MINUTE * 2);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn pause_then_pause_again_is_invalid_state() {
    let sim = launch().await;
    let (status, body) = control(&sim, "hoodie-01", "pause", Some(&key()), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(drop_of(&body).state, DropState::Paused);
    let (status, body) = control(&sim, "hoodie-01", "pause", Some(&key()), None, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "invalid_state");

    // Paused: sessions go on, orders stop.
    let before = sim.drop_state("hoodie-01").expect("drop");
    sim.clock().advance(MINUTE * 5);
    let after = sim.drop_state("hoodie-01").expect("drop");
    assert_eq!(after.funnel.orders, before.funnel.orders);
    assert!(after.funnel.sessions > before.funnel.sessions);

    let (status, body) = control(&sim, "hoodie-01", "resume", Some(&key()), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(drop_of(&body).state, DropState::Live);
    let (status, body) = control(&sim, "hoodie-01", "resume", Some(&key()), None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::CONFLICT, "invalid_state")
    );
    // A scheduled drop is not live: it cannot be paused.
    let (status, body) = control(&sim, "cap-02", "pause", Some(&key()), None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::CONFLICT, "invalid_state")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn resume_is_refused_after_closes_at() {
    let sim = launch().await;
    let (status, _) = control(&sim, "hoodie-01", "pause", Some(&key()), None, None).await;
    assert_eq!(status, StatusCode::OK);
    sim.clock().advance(MINUTE * 101);
    let (status, body) = control(&sim, "hoodie-01", "resume", Some(&key()), None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::CONFLICT, "invalid_state")
    );
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.state),
        Some(DropState::Ended)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_and_changes_nothing() {
    let sim = launch().await;
    let key = key();
    let first = control(&sim, "hoodie-01", "pause", Some(&key), None, None).await;
    assert_eq!(first.0, StatusCode::OK);
    sim.clock().advance(MINUTE);
    let url = format!("{}/v1/drops/hoodie-01/pause", sim.base_url());
    let retry = client()
        .post(url)
        .header(IDEMPOTENCY_KEY_HEADER, &key)
        .send()
        .await
        .expect("retry answers");
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(
        retry
            .headers()
            .get("idempotent-replayed")
            .map(reqwest::header::HeaderValue::as_bytes),
        Some(&b"true"[..])
    );
    assert_eq!(retry.bytes().await.expect("body").to_vec(), first.1);
    let log = sim.control_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].action, ControlAction::Pause);
    assert_eq!(log[0].idempotency_key, key);

    // The same key on another path, or with another body, is a different request.
    let (status, body) = control(&sim, "hoodie-01", "resume", Some(&key), None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_mismatch")
    );
    let band_key = self::key();
    let (status, _) = control(
        &sim,
        "hoodie-01",
        "price-band",
        Some(&band_key),
        Some(r#"{"band":"B"}"#),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = control(
        &sim,
        "hoodie-01",
        "price-band",
        Some(&band_key),
        Some(r#"{"band":"A"}"#),
        None,
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_mismatch")
    );
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.active_band),
        Some("B".to_owned())
    );
    assert_eq!(sim.control_log().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn keys_are_required_and_bounded() {
    let sim = launch().await;
    let (status, body) = control(&sim, "hoodie-01", "pause", None, None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "idempotency_key_required")
    );
    let long = "k".repeat(256);
    let (status, _) = control(&sim, "hoodie-01", "pause", Some(&long), None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let longest = "k".repeat(255);
    let (status, _) = control(&sim, "hoodie-01", "pause", Some(&longest), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.control_log().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_key_whose_first_request_runs_is_in_progress() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::Stall { ms: 60_000 })
        .expect("marketplace takes control faults");
    let key = key();
    let url = format!("{}/v1/drops/hoodie-01/pause", sim.base_url());
    let first = tokio::spawn(
        client()
            .post(url)
            .header(IDEMPOTENCY_KEY_HEADER, key.clone())
            .send(),
    );
    // Applied, and now held by the stall.
    sim.wait_for_control_log(1).await;
    let (status, body) = control(&sim, "hoodie-01", "pause", Some(&key), None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::CONFLICT, "request_in_progress")
    );
    // Clearing the fault lets the held answer go.
    sim.clear_faults();
    let first = first.await.expect("task").expect("first answers");
    assert_eq!(first.status(), StatusCode::OK);
    let first = first.bytes().await.expect("body").to_vec();
    let (status, again) = control(&sim, "hoodie-01", "pause", Some(&key), None, None).await;
    assert_eq!((status, again), (StatusCode::OK, first));
    assert_eq!(sim.control_log().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn band_refusals_and_unknown_drops() {
    let sim = launch().await;
    let band = |b: &str| format!(r#"{{"band": "{b}"}}"#);
    let (status, body) = control(
        &sim,
        "hoodie-01",
        "price-band",
        Some(&key()),
        Some(&band("C")),
        None,
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "below_margin_floor")
    );
    let (status, body) = control(
        &sim,
        "hoodie-01",
        "price-band",
        Some(&key()),
        Some(&band("Z")),
        None,
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_band")
    );
    let (status, body) = control(&sim, "no-such-drop", "pause", Some(&key()), None, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::NOT_FOUND, "unknown_drop")
    );
    let (status, body) = control(
        &sim,
        "hoodie-01",
        "price-band",
        Some(&key()),
        Some("B"),
        None,
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
    assert!(sim.control_log().is_empty());
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.active_band),
        Some("A".to_owned())
    );

    let (status, body) = control(
        &sim,
        "hoodie-01",
        "price-band",
        Some(&key()),
        Some(&band("B")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(drop_of(&body).active_band, "B");
    // From then on band B takes the sessions.
    sim.clock().advance(MINUTE * 5);
    let drops = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
    let by_band = find(&drops, "hoodie-01")
        .funnel_by_band
        .clone()
        .expect("by band");
    assert!(by_band["B"].sessions > 1000);
    assert!(by_band["B"].orders > 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_guard_reads_and_control() {
    let sim = launch_with(|o| {
        o.read_token = Some("read-secret".to_owned());
        o.operate_token = Some("operate-secret".to_owned());
    })
    .await;
    let url = format!("{}/v1/hubs", sim.base_url());
    let read = |token: Option<&'static str>| {
        let mut request = client().get(url.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.expect("answers").status() }
    };
    assert_eq!(read(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(read(Some("guess")).await, StatusCode::UNAUTHORIZED);
    assert_eq!(read(Some("read-secret")).await, StatusCode::OK);
    assert_eq!(read(Some("operate-secret")).await, StatusCode::OK);

    let (status, body) = control(&sim, "hoodie-01", "pause", Some(&key()), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
    let (status, body) = control(
        &sim,
        "hoodie-01",
        "pause",
        Some(&key()),
        None,
        Some("read-secret"),
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _) = control(
        &sim,
        "hoodie-01",
        "pause",
        Some(&key()),
        None,
        Some("operate-secret"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.control_log().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn etag_and_if_none_match_give_304_until_the_document_changes() {
    let sim = launch().await;
    let url = format!("{}/v1/popups", sim.base_url());
    let first = client().get(&url).send().await.expect("answers");
    let etag = first
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .expect("ascii")
        .to_owned();
    let again = client()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.expect("body").is_empty());

    sim.clock().advance(MINUTE);
    let changed = client()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(
        changed
            .headers()
            .get("etag")
            .map(reqwest::header::HeaderValue::as_bytes),
        Some(etag.as_bytes())
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn port_per_feed_serves_each_feed_on_its_own_port() {
    let sim = launch_with(|o| o.port_per_feed = true).await;
    let urls: Vec<String> = FeedKind::ALL.iter().map(|f| sim.feed_url(*f)).collect();
    assert_ne!(urls[0], urls[1]);
    assert_ne!(urls[1], urls[2]);
    fetch::<Drop>(&sim, FeedKind::Marketplace).await;
    fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
    fetch::<Popup>(&sim, FeedKind::Pos).await;
    let wrong = client()
        .get(format!("{}/v1/drops", sim.feed_url(FeedKind::Fulfilment)))
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(&wrong.bytes().await.expect("body")), "not_found");
    sim.shutdown().await;
}

#[tokio::test]
async fn every_builtin_scenario_serves_valid_documents() {
    for name in dropday::sim::scenario::builtin_names() {
        let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
            name.to_owned(),
        )))
        .await
        .expect("starts");
        let drops = fetch::<Drop>(&sim, FeedKind::Marketplace).await;
        let states: Vec<_> = drops.entries.iter().map(|d| d.state.clone()).collect();
        assert!(states.contains(&DropState::Live), "{name}: {states:?}");
        assert!(
            fetch::<Hub>(&sim, FeedKind::Fulfilment).await.entries.len() >= 2,
            "{name}"
        );
        if name == "contract-edge" {
            // A focused scenario (estimates near thresholds): one live drop and its hubs, no
            // schedule, no pop-up. The rest below is what a whole demo drop day shows.
            sim.shutdown().await;
            continue;
        }
        assert!(states.contains(&DropState::Scheduled), "{name}: {states:?}");
        // Some band is below its floor, so the refusal can be shown.
        assert!(drops.entries.iter().any(|d| d.price_bands.iter().any(|b| {
            ((b.price_minor - b.unit_cost_minor) as f64 / b.price_minor as f64 * 100.0)
                < d.margin_floor_pct
        })));
        assert!(
            !fetch::<Popup>(&sim, FeedKind::Pos).await.entries.is_empty(),
            "{name}"
        );
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn quiet_projects_below_the_minimum_commitment() {
    let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
        "quiet".to_owned(),
    )))
    .await
    .expect("starts");
    let first = fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
    sim.clock().advance(MINUTE * 30);
    let later = fetch::<Hub>(&sim, FeedKind::Fulfilment).await;
    let (a, b) = (find(&first, "sea-1"), find(&later, "sea-1"));
    let rate = (b.capacity.consumed_units - a.capacity.consumed_units) as f64 / 30.0;
    let minutes_left = (b.capacity.window_end - later.as_of).num_minutes() as f64;
    let projected = b.capacity.consumed_units as f64 + rate * minutes_left;
    assert!(rate > 0.0);
    assert!(
        projected < b.capacity.min_commit_units as f64,
        "{projected}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn popup_day_has_overdue_pickups_and_an_offline_terminal() {
    let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
        "popup-day".to_owned(),
    )))
    .await
    .expect("starts");
    let popups = fetch::<Popup>(&sim, FeedKind::Pos).await;
    let soho = find(&popups, "soho-1");
    assert!(soho.pickups.overdue > 0, "{:?}", soho.pickups);
    assert!(
        soho.terminals
            .iter()
            .any(|t| t.status == wire::TerminalStatus::Offline)
    );
    sim.clock().advance(MINUTE * 5);
    let popups = fetch::<Popup>(&sim, FeedKind::Pos).await;
    let soho = find(&popups, "soho-1");
    let offline = soho
        .terminals
        .iter()
        .filter(|t| t.status == wire::TerminalStatus::Offline)
        .count();
    assert_eq!(offline, 2, "the pick-up desk and till 2");
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_methods_get_a_protocol_error_body() {
    let sim = launch().await;
    let response = client()
        .get(format!("{}/v1/drops/hoodie-01/pause", sim.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        error_code(&response.bytes().await.expect("body")),
        "method_not_allowed"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn scenario_files_load_and_their_errors_name_file_and_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("mine.toml");
    let launch = include_str!("../assets/scenarios/launch.toml");
    std::fs::write(&good, launch).expect("write");
    let sim = start(SimOptions::for_tests(ScenarioSource::from_arg(
        good.to_str().expect("utf-8 path"),
    )))
    .await
    .expect("a scenario file loads");
    assert_eq!(sim.scenario().name, "launch");
    sim.shutdown().await;

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, launch.replace("share = 0.55", "share = 1.55")).expect("write");
    let err = start(SimOptions::for_tests(ScenarioSource::File(bad.clone())))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("bad.toml") && err.contains("hubs[0].share"),
        "{err}"
    );

    let missing = ScenarioSource::File(dir.path().join("absent.toml"));
    let err = start(SimOptions::for_tests(missing))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("absent.toml"), "{err}");
}
