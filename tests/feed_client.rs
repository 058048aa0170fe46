//! The feed client against the real simulator on an ephemeral loopback port: every fault kind is
//! reported with its typed reason, the other feeds are unaffected, and the next poll after the
//! fault ends succeeds. The simulator's clock is manual; nothing waits for wall time except the
//! client's own timeout in the hang and slow-server cases.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::time::Duration;

use dropday::feed::client::{FeedClient, FeedEndpoint, build_http};
use dropday::feed::events::PollOutcome;
use dropday::feed::{FeedFailure, FeedKind};
use dropday::model::board::Board;
use dropday::sim::{FaultKind, RunningSim, ScenarioSource, SimOptions, start};

async fn launch() -> RunningSim {
    start(SimOptions::for_tests(ScenarioSource::Builtin(
        "launch".to_owned(),
    )))
    .await
    .expect("simulator starts")
}

/// The timeout of most cases: short, so the hang and slow-server cases end quickly.
const SHORT: Duration = Duration::from_millis(400);

fn client_for(sim: &RunningSim, kind: FeedKind) -> FeedClient {
    client_with_timeout(sim, kind, SHORT)
}

fn client_with_timeout(sim: &RunningSim, kind: FeedKind, timeout: Duration) -> FeedClient {
    let mut endpoint = FeedEndpoint::with_defaults(kind, &sim.feed_url(kind));
    endpoint.timeout = timeout;
    let http = build_http(&endpoint).expect("http client");
    FeedClient::new(http, endpoint)
}

fn clients(sim: &RunningSim, timeout: Duration) -> Vec<FeedClient> {
    FeedKind::ALL
        .iter()
        .map(|&k| client_with_timeout(sim, k, timeout))
        .collect()
}

fn failure(outcome: PollOutcome) -> FeedFailure {
    match outcome {
        PollOutcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn is_document(outcome: &PollOutcome) -> bool {
    matches!(
        outcome,
        PollOutcome::Drops(_) | PollOutcome::Hubs(_) | PollOutcome::Popups(_)
    )
}

/// Sets `fault` on `feed`, checks the failure `expect` accepts, checks the other feeds still
/// decode, clears the fault and checks the feed recovers on the very next poll.
async fn fault_case(kind: FaultKind, feed: FeedKind, expect: fn(&FeedFailure) -> bool) {
    fault_case_within(SHORT, kind, feed, expect).await;
}

/// [`fault_case`] with a client timeout of `timeout`: the simulator builds a 9 MiB body slowly
/// in a debug build on a busy machine, and the size check, not the clock, must refuse it.
async fn fault_case_within(
    timeout: Duration,
    kind: FaultKind,
    feed: FeedKind,
    expect: fn(&FeedFailure) -> bool,
) {
    let sim = launch().await;
    let mut all = clients(&sim, timeout);
    sim.set_fault(feed, kind.clone()).expect("fault set");
    for client in &mut all {
        let report = client.poll().await;
        if report.feed == feed {
            let failure = failure(report.outcome);
            assert!(expect(&failure), "{kind:?} on {feed}: got {failure:?}");
            assert!(!failure.to_string().is_empty());
        } else {
            assert!(
                is_document(&report.outcome),
                "{kind:?} on {feed} must not affect {}: {:?}",
                report.feed,
                report.outcome
            );
        }
    }
    sim.clear_faults();
    let client = all
        .iter_mut()
        .find(|c| c.endpoint().kind == feed)
        .expect("client");
    let report = client.poll().await;
    assert!(
        is_document(&report.outcome),
        "{feed} recovers after {kind:?}: {:?}",
        report.outcome
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn connection_refused_is_a_connect_failure() {
    let sim = launch().await;
    let url = sim.base_url();
    sim.shutdown().await;
    let endpoint = FeedEndpoint::with_defaults(FeedKind::Marketplace, &url);
    let http = build_http(&endpoint).expect("http");
    let report = FeedClient::new(http, endpoint).poll().await;
    let failure = failure(report.outcome);
    assert!(matches!(failure, FeedFailure::Connect(_)), "{failure:?}");
    assert!(failure.to_string().contains("refused"), "{failure}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    fault_case(FaultKind::Hang, FeedKind::Fulfilment, |f| {
        matches!(f, FeedFailure::Timeout { timeout_ms: 400 })
    })
    .await;
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_times_out() {
    fault_case(FaultKind::Latency { ms: 1500 }, FeedKind::Pos, |f| {
        matches!(f, FeedFailure::Timeout { .. })
    })
    .await;
}

#[tokio::test]
async fn a_5xx_with_an_html_body_is_reported_with_its_title() {
    fault_case(
        FaultKind::ServerError { status: 502 },
        FeedKind::Marketplace,
        |f| matches!(f, FeedFailure::Status { status: 502, code: None, message: Some(m), .. } if !m.contains('<')),
    )
    .await;
}

#[tokio::test]
async fn a_429_carries_its_retry_after() {
    fault_case(
        FaultKind::RateLimited { retry_after_s: 7 },
        FeedKind::Pos,
        |f| {
            matches!(
                f,
                FeedFailure::Status {
                    status: 429,
                    retry_after_s: Some(7),
                    ..
                }
            )
        },
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_malformed_document() {
    fault_case(
        FaultKind::MalformedJson,
        FeedKind::Marketplace,
        |f| matches!(f, FeedFailure::Malformed(m) if m.contains("not JSON")),
    )
    .await;
}

#[tokio::test]
async fn a_truncated_body_is_reported_as_cut_short() {
    fault_case(FaultKind::Truncated, FeedKind::Fulfilment, |f| {
        matches!(f, FeedFailure::Truncated(_))
    })
    .await;
}

#[tokio::test]
async fn a_truncated_chunked_body_is_reported_as_cut_short() {
    fault_case(FaultKind::TruncatedChunked, FeedKind::Fulfilment, |f| {
        matches!(f, FeedFailure::Truncated(_))
    })
    .await;
}

#[tokio::test]
async fn an_announced_oversized_body_is_refused() {
    fault_case_within(
        Duration::from_secs(30),
        FaultKind::Oversized {
            bytes: 9 * 1024 * 1024,
        },
        FeedKind::Marketplace,
        |f| {
            matches!(
                f,
                FeedFailure::TooLarge {
                    limit_bytes: 8_388_608
                }
            )
        },
    )
    .await;
}

#[tokio::test]
async fn an_unannounced_oversized_body_is_refused_while_streaming() {
    fault_case_within(
        Duration::from_secs(30),
        FaultKind::OversizedChunked {
            bytes: 9 * 1024 * 1024,
        },
        FeedKind::Pos,
        |f| matches!(f, FeedFailure::TooLarge { .. }),
    )
    .await;
}

#[tokio::test]
async fn a_304_without_a_cached_document_is_refused() {
    fault_case(FaultKind::NotModified, FeedKind::Fulfilment, |f| {
        matches!(f, FeedFailure::UnexpectedNotModified)
    })
    .await;
}

#[tokio::test]
async fn one_entry_with_wrong_types_is_skipped_and_the_rest_used() {
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::WrongTypes)
        .expect("fault");
    let report = client_for(&sim, FeedKind::Marketplace).poll().await;
    let PollOutcome::Drops(doc) = report.outcome else {
        panic!("the document is still usable: {:?}", report.outcome);
    };
    assert_eq!(doc.skipped.len(), 1);
    assert!(doc.skipped[0].reason.contains("invalid type"));
    assert!(!doc.entries.is_empty(), "the other drops are kept");
    sim.shutdown().await;
}

#[tokio::test]
async fn etag_gives_304_and_a_changed_document_comes_whole() {
    let sim = launch().await;
    let mut client = client_for(&sim, FeedKind::Marketplace);
    assert!(is_document(&client.poll().await.outcome));
    assert!(matches!(
        client.poll().await.outcome,
        PollOutcome::NotModified
    ));
    sim.clock().advance(Duration::from_secs(5));
    assert!(is_document(&client.poll().await.outcome));
}

#[tokio::test]
async fn a_counter_reset_restarts_rates_and_never_shows_a_negative_one() {
    let sim = launch().await;
    let mut client = client_for(&sim, FeedKind::Fulfilment);
    let mut board = Board::default();
    for _ in 0..6 {
        board.apply_poll(client.poll().await);
        sim.clock().advance(Duration::from_secs(10));
    }
    let now = board.server_now(chrono::Utc::now());
    let before = board.hub_outlook("ewr-1", now).expect("hub");
    assert!(before.capacity.burn_units_per_min.is_some_and(|r| r > 0.0));
    sim.set_fault(FeedKind::Fulfilment, FaultKind::CounterReset)
        .expect("fault");
    for poll in 0..2 {
        board.apply_poll(client.poll().await);
        // At the instant of the newest document: the skew estimate lags a manual clock that
        // jumps 10 s between polls, and would leave the newest sample outside the window.
        let now = board
            .health(FeedKind::Fulfilment)
            .data_as_of
            .expect("a document");
        let outlook = board.hub_outlook("ewr-1", now).expect("hub");
        if let Some(rate) = outlook.capacity.burn_units_per_min {
            assert!(rate >= 0.0, "never a negative rate: {rate}");
        }
        // The decrease restarted the window: one sample, no rate; the next poll gives one again.
        assert_eq!(
            outlook.capacity.burn_units_per_min.is_some(),
            poll == 1,
            "poll {poll} after the reset: {:?}",
            outlook.capacity.burn_units_per_min
        );
        sim.clock().advance(Duration::from_secs(10));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_skewed_server_clock_moves_the_estimated_skew() {
    for hours in [1_i64, -1] {
        let sim = launch().await;
        let mut client = client_for(&sim, FeedKind::Marketplace);
        let mut board = Board::default();
        board.apply_poll(client.poll().await);
        let before = board.clock_skew().expect("skew known").num_seconds();
        sim.set_fault(
            FeedKind::Marketplace,
            FaultKind::ClockSkew {
                seconds: hours * 3600,
            },
        )
        .expect("fault");
        // The estimate is a median of the last three: it follows a real jump at the second poll.
        for _ in 0..2 {
            board.apply_poll(client.poll().await);
        }
        let after = board.clock_skew().expect("skew known").num_seconds();
        let moved = after - before;
        assert!(
            (moved - hours * 3600).abs() <= 2,
            "skew moved by {moved} s for a {hours} h fault"
        );
        sim.shutdown().await;
    }
}
