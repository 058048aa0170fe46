//! The shipbob-fulfilment mapping against a local stand-in for ShipBob's Orders API 1.0,
//! answering in ShipBob's documented shape (tests/fixtures/adapters/shipbob/README.md) and
//! checking each request: GET /1.0/order, the bearer token, the window's `StartDate`, the
//! incremental `LastUpdateStartDate`, `Limit` and `Page`. Figures are compared with values worked out
//! by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod adapters_common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use dropday::feed::FeedKind;
use dropday::feed::adapters::{self, MappedClient, MappedSource};
use dropday::feed::client::{FeedEndpoint, build_http};
use dropday::feed::events::PollOutcome;
use dropday::feed::secret::Token;
use dropday::feed::wire::Hub;
use serde_json::{Value, json};

use adapters_common::{Answer, Platform, Seen, fixture};

const TOKEN: &str = "shipbob-pat-0123";
const WINDOW_START: &str = "2026-11-28T17:30:00Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn shipbob(seen: &Seen) -> Answer {
    let refuse =
        |why: &str| Answer::status(400, "application/json", json!({"title": why}).to_string());
    if seen.method != "GET" || seen.path != "/1.0/order" {
        return Answer::status(404, "application/json", "{}".to_owned());
    }
    if seen.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return Answer::status(401, "application/json", "{}".to_owned());
    }
    let q = |name: &str| seen.query.get(name).map(String::as_str);
    if q("StartDate") != Some(WINDOW_START) || q("Limit") != Some("250") || q("Page") != Some("1") {
        return refuse("query");
    }
    match q("LastUpdateStartDate") {
        Some(WINDOW_START) => Answer::json(fixture("shipbob", "orders.json")),
        // Nothing updated since the watermark.
        Some("2026-11-28T18:30:00Z") => Answer::json("[]".to_owned()),
        _ => refuse("LastUpdateStartDate"),
    }
}

fn client(platform: &Platform) -> MappedClient {
    let mapping = adapters::load("shipbob-fulfilment").unwrap();
    let mut config = mapping.settings.clone();
    config.insert(
        "hubs".to_owned(),
        json!([{
            "id": "ewr-1", "name": "Newark micro-hub", "location_id": 10, "drop_ids": ["hoodie-01"],
            "contracted_units": 600, "min_commit_units": 300,
            "window_start": WINDOW_START, "window_end": "2026-11-28T21:30:00Z",
            "currency": "USD", "overage_cost_minor": 900, "unused_penalty_minor": 150,
            "ship_within_min": 120, "target_pct": 95.0
        }]),
    );
    let source = MappedSource::new(Arc::new(mapping), Value::Object(config)).unwrap();
    let mut endpoint = FeedEndpoint::with_defaults(FeedKind::Fulfilment, &platform.url);
    endpoint.token = Some(Token::new(TOKEN));
    let http = build_http(&endpoint).unwrap();
    MappedClient::new(http, endpoint, Arc::new(source))
}

fn hub(outcome: PollOutcome) -> Hub {
    match outcome {
        PollOutcome::Hubs(mut document) => {
            assert!(document.skipped.is_empty(), "{:?}", document.skipped);
            document.entries.remove(0)
        }
        other => panic!("expected hubs, got {other:?}"),
    }
}

#[tokio::test]
async fn shipbob_answers_become_the_hub_figures_worked_out_by_hand() {
    let platform = Platform::start(shipbob).await;
    let mut client = client(&platform);
    let hub = hub(client
        .poll_at(Some(at("2026-11-28T18:40:00Z")))
        .await
        .outcome);
    // Newark's shipments created in the window, not cancelled: 2 + 1 + 3 + 1 units.
    assert_eq!(hub.capacity.consumed_units, 7);
    assert_eq!(hub.capacity.contracted_units, 600);
    // Two completed, one labelled, one processing.
    assert_eq!(
        (
            hub.pipeline.received,
            hub.pipeline.picked,
            hub.pipeline.packed,
            hub.pipeline.shipped
        ),
        (4, 3, 3, 2)
    );
    assert_eq!(
        (hub.sla.on_time, hub.sla.late, hub.sla.overdue_open),
        (1, 1, 1)
    );
    assert_eq!(hub.overdue.len(), 1);
    let late = &hub.overdue[0];
    assert_eq!(
        (
            late.order_id.as_str(),
            late.stage.as_str(),
            late.reason.as_str(),
            late.due_at
        ),
        (
            "BM-1003",
            "received",
            "OutOfStock",
            at("2026-11-28T17:55:00Z")
        )
    );
    assert_eq!(
        client.state()["hubs"]["ewr-1"]["watermark"],
        json!("2026-11-28T18:30:00Z")
    );
    assert_eq!(
        platform.take_seen().len(),
        1,
        "one page: fewer than 250 orders"
    );

    // The next poll asks from the watermark; nothing changed, the figures stand.
    let again = hub_again(&mut client).await;
    assert_eq!(
        (again.capacity.consumed_units, again.sla.overdue_open),
        (7, 1)
    );
}

async fn hub_again(client: &mut MappedClient) -> Hub {
    hub(client
        .poll_at(Some(at("2026-11-28T18:45:00Z")))
        .await
        .outcome)
}

#[tokio::test]
async fn an_answer_that_is_not_a_list_is_a_feed_error_naming_the_request() {
    let platform = Platform::start(|_: &Seen| {
        Answer::json(json!({"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1", "title": "One or more validation errors occurred."}).to_string())
    })
    .await;
    let mut client = client(&platform);
    let failure = match client
        .poll_at(Some(at("2026-11-28T18:40:00Z")))
        .await
        .outcome
    {
        PollOutcome::Failed(failure) => failure.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        failure,
        "mapping shipbob-fulfilment: malformed document: jq: requests.orders[0].pages[0]: the answer is object, not a list of orders"
    );
}
