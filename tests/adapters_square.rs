//! The square-pos mapping against a local stand-in for Square that answers in Square's
//! documented shapes (tests/fixtures/adapters/square/README.md says where each comes from) and
//! checks every request: method, path, bearer token, Square-Version, location, cursors and the
//! incremental `updated_at` watermark. Figures are compared with values worked out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod adapters_common;

use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use dropday::feed::adapters::{self, MappedClient, MappedSource};
use dropday::feed::client::{FeedEndpoint, build_http};
use dropday::feed::events::PollOutcome;
use dropday::feed::secret::Token;
use dropday::feed::wire::Popup;
use dropday::feed::{FeedFailure, FeedKind};
use serde_json::{Value, json};

use adapters_common::{Answer, Platform, Seen, fixture};

const LOCATION: &str = "L8ZQ4W2XK1Y3P";
const TOKEN: &str = "EAAAl-square-sandbox-token";
const OPENS_AT: &str = "2026-11-28T10:00:00-05:00";
/// The watermark after the first poll: the latest `updated_at` among the orders it kept.
const WATERMARK_1: &str = "2026-11-28T15:33:00.000Z";
const WATERMARK_2: &str = "2026-11-28T16:02:00.000Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Square as the fixtures describe it; anything unexpected is a 400 the test sees as a failure.
fn square(seen: &Seen) -> Answer {
    let refuse = |why: &str| {
        Answer::status(400, "application/json", json!({"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "BAD_REQUEST", "detail": why}]}).to_string())
    };
    if seen.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return Answer::status(401, "application/json", json!({"errors": [{"category": "AUTHENTICATION_ERROR", "code": "UNAUTHORIZED", "detail": "bad token"}]}).to_string());
    }
    if seen.header("square-version") != Some("2025-10-16") {
        return refuse("Square-Version");
    }
    match (seen.method.as_str(), seen.path.as_str()) {
        ("GET", "/v2/devices") => {
            if seen.query.get("location_id").map(String::as_str) != Some(LOCATION) {
                return refuse("location_id");
            }
            match seen.query.get("cursor").map(String::as_str) {
                None => Answer::json(fixture("square", "devices-1.json")),
                Some("GcXjlV2iaizH7R0fMT6wUDbw6l4otigjzx8XOOspUKHo9EPLRByM") => {
                    Answer::json(fixture("square", "devices-2.json"))
                }
                Some(_) => refuse("cursor"),
            }
        }
        ("POST", "/v2/orders/search") => {
            let body = &seen.body;
            if body["location_ids"] != json!([LOCATION])
                || body["query"]["filter"]["state_filter"]["states"]
                    != json!(["OPEN", "COMPLETED", "CANCELED"])
                || body["query"]["sort"] != json!({"sort_field": "UPDATED_AT", "sort_order": "ASC"})
            {
                return refuse("orders query");
            }
            let start = body["query"]["filter"]["date_time_filter"]["updated_at"]["start_at"]
                .as_str()
                .unwrap_or("");
            let cursor = body["cursor"].as_str();
            match (start, cursor) {
                (OPENS_AT, None) => Answer::json(fixture("square", "orders-1.json")),
                (OPENS_AT, Some("CAEaBAgBEgA")) => Answer::json(fixture("square", "orders-2.json")),
                (WATERMARK_1, None) => Answer::json(fixture("square", "orders-update.json")),
                // Nothing changed since: Square answers an empty object.
                (WATERMARK_2, None) => Answer::json("{}".to_owned()),
                _ => refuse("orders start_at/cursor"),
            }
        }
        ("POST", "/v2/inventory/counts/batch-retrieve") => {
            if seen.body
                != json!({"catalog_object_ids": ["W62UWFY35CWMYGVWK6TWJDNI"], "location_ids": [LOCATION], "states": ["IN_STOCK"]})
            {
                return refuse("inventory body");
            }
            Answer::json(fixture("square", "inventory.json"))
        }
        _ => Answer::status(
            404,
            "application/json",
            json!({"errors": [{"code": "NOT_FOUND"}]}).to_string(),
        ),
    }
}

fn popups() -> Value {
    json!([{
        "id": "soho-1",
        "name": "SoHo pop-up",
        "location_id": LOCATION,
        "opens_at": OPENS_AT,
        "closes_at": "2026-11-28T20:00:00-05:00",
        "drop_ids": ["hoodie-01"],
        "catalog_object_ids": ["W62UWFY35CWMYGVWK6TWJDNI"]
    }])
}

fn client(platform: &Platform) -> MappedClient {
    let mapping = adapters::load("square-pos").unwrap();
    let mut config = mapping.settings.clone();
    config.insert("popups".to_owned(), popups());
    let source = MappedSource::new(Arc::new(mapping), Value::Object(config)).unwrap();
    let mut endpoint = FeedEndpoint::with_defaults(FeedKind::Pos, &platform.url);
    endpoint.token = Some(Token::new(TOKEN));
    let http = build_http(&endpoint).unwrap();
    MappedClient::new(http, endpoint, Arc::new(source))
}

fn popup(outcome: PollOutcome) -> Popup {
    match outcome {
        PollOutcome::Popups(mut document) => {
            assert!(document.skipped.is_empty(), "{:?}", document.skipped);
            assert_eq!(document.entries.len(), 1);
            document.entries.remove(0)
        }
        other => panic!("expected pop-ups, got {other:?}"),
    }
}

fn failure(outcome: PollOutcome) -> FeedFailure {
    match outcome {
        PollOutcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn square_answers_become_the_pop_up_figures_worked_out_by_hand() {
    let platform = Platform::start(square).await;
    let mut client = client(&platform);

    let first = popup(
        client
            .poll_at(Some(at("2026-11-28T16:00:00Z")))
            .await
            .outcome,
    );
    // Terminals: 2 on the first devices page, 1 on the second (the cursor was followed).
    let terminals: Vec<(&str, &str, Option<u8>)> = first
        .terminals
        .iter()
        .map(|t| (t.name.as_str(), t.status.as_str(), t.battery_pct))
        .collect();
    assert_eq!(
        terminals,
        vec![
            ("front till", "online", Some(81)),
            // Square's own example shows 108 %: held to 100.
            ("pickup desk", "offline", Some(100)),
            ("side till", "needs_attention", None),
        ]
    );
    // Orders since opens_at: two COMPLETED (19500 for 2+1 units, 6500 for 1); the one created
    // before opening is left out; the two OPEN orders are pick-ups, not sales yet.
    assert_eq!(
        (
            first.sales.transactions,
            first.sales.units,
            first.sales.revenue_minor
        ),
        (2, 4, 26_000)
    );
    // Pick-ups at 16:00: one COMPLETED (collected); two PREPARED, both waiting at the desk
    // (ready 2), of which the one for 15:40 is overdue (15:40 + 15 min grace = 15:55 < 16:00)
    // and the one for 17:30 is not. Overdue is a part of ready, as the simulator counts them.
    assert_eq!(
        (
            first.pickups.ready,
            first.pickups.collected,
            first.pickups.overdue
        ),
        (2, 1, 1)
    );
    assert_eq!(first.stock.on_hand, 40);
    assert_eq!(first.currency, "USD");
    assert_eq!(first.opens_at, at("2026-11-28T15:00:00Z"));
    assert_eq!(
        client.state()["popups"]["soho-1"]["watermark"],
        json!(WATERMARK_1)
    );

    let seen = platform.take_seen();
    let paths: Vec<(String, String, Option<String>)> = seen
        .iter()
        .map(|s| {
            let cursor = s
                .query
                .get("cursor")
                .cloned()
                .or_else(|| s.body["cursor"].as_str().map(str::to_owned));
            (s.method.clone(), s.path.clone(), cursor)
        })
        .collect();
    assert_eq!(
        paths,
        vec![
            ("GET".into(), "/v2/devices".into(), None),
            (
                "GET".into(),
                "/v2/devices".into(),
                Some("GcXjlV2iaizH7R0fMT6wUDbw6l4otigjzx8XOOspUKHo9EPLRByM".into())
            ),
            ("POST".into(), "/v2/orders/search".into(), None),
            (
                "POST".into(),
                "/v2/orders/search".into(),
                Some("CAEaBAgBEgA".into())
            ),
            (
                "POST".into(),
                "/v2/inventory/counts/batch-retrieve".into(),
                None
            ),
        ]
    );
    // The second page repeats the first page's query, as Square requires.
    assert_eq!(seen[3].body["query"], seen[2].body["query"]);

    // The next poll asks only for orders updated since the watermark: one order was collected
    // and completed (6500, 1 unit); the unchanged one comes back again and is not counted twice.
    let second = popup(
        client
            .poll_at(Some(at("2026-11-28T16:05:00Z")))
            .await
            .outcome,
    );
    assert_eq!(
        (
            second.sales.transactions,
            second.sales.units,
            second.sales.revenue_minor
        ),
        (3, 5, 32_500)
    );
    assert_eq!(
        (
            second.pickups.ready,
            second.pickups.collected,
            second.pickups.overdue
        ),
        (1, 2, 0)
    );
    let orders: Vec<Value> = platform
        .take_seen()
        .into_iter()
        .filter(|s| s.path == "/v2/orders/search")
        .map(|s| s.body["query"]["filter"]["date_time_filter"]["updated_at"]["start_at"].clone())
        .collect();
    assert_eq!(orders, vec![json!(WATERMARK_1)]);

    // Nothing new: Square answers `{}`; the running totals stand.
    let third = popup(
        client
            .poll_at(Some(at("2026-11-28T16:06:00Z")))
            .await
            .outcome,
    );
    assert_eq!(third.sales.revenue_minor, 32_500);
    // The answers differed from the second poll's (`{}` for the orders): one page read anew,
    // the pop-up mapped again.
    assert_eq!(client.last_poll_work(), (1, 1));

    // The same answers again and the state came back unchanged: nothing is read or mapped
    // anew, and the figures stand.
    let fourth = popup(
        client
            .poll_at(Some(at("2026-11-28T16:07:00Z")))
            .await
            .outcome,
    );
    assert_eq!(client.last_poll_work(), (0, 0));
    assert_eq!(fourth, third);
    // Time alone changes a figure: the pick-up for 17:30 is overdue once 17:45 (its grace)
    // has passed. Up to 17:45:00 the pop-up is kept; at 17:45:01 it is mapped again.
    let due = popup(
        client
            .poll_at(Some(at("2026-11-28T17:45:00Z")))
            .await
            .outcome,
    );
    assert_eq!((client.last_poll_work(), due.pickups.overdue), ((0, 0), 0));
    let overdue = popup(
        client
            .poll_at(Some(at("2026-11-28T17:45:01Z")))
            .await
            .outcome,
    );
    assert_eq!(client.last_poll_work(), (0, 1));
    assert_eq!(
        (
            overdue.pickups.ready,
            overdue.pickups.collected,
            overdue.pickups.overdue
        ),
        (1, 2, 1)
    );
}

#[tokio::test]
async fn changed_shapes_are_feed_errors_naming_mapping_request_and_path_and_the_feed_recovers() {
    let platform = Platform::start(square).await;
    let mut client = client(&platform);
    let now = Some(at("2026-11-28T16:00:00Z"));

    // A device without `status.category`.
    platform.answer_with(|seen| {
        if seen.path == "/v2/devices" {
            let mut page: Value =
                serde_json::from_str(&fixture("square", "devices-2.json")).unwrap();
            page["devices"][0].as_object_mut().unwrap().remove("status");
            return Answer::json(page.to_string());
        }
        square(seen)
    });
    let missing = failure(client.poll_at(now).await.outcome).to_string();
    assert_eq!(
        missing,
        "mapping square-pos: malformed document: jq: popups[0] soho-1: request devices: pages[0].devices[0]: missing `status.category`"
    );
    assert_eq!(
        &client.state(),
        &Value::Null,
        "a failed poll keeps the state as it was"
    );

    // A quantity that is an object instead of Square's decimal string.
    platform.answer_with(|seen| {
        if seen.path == "/v2/orders/search" && seen.body["cursor"].is_null() {
            let mut page: Value =
                serde_json::from_str(&fixture("square", "orders-1.json")).unwrap();
            page["orders"][0]["line_items"][0]["quantity"] = json!({"value": 2});
            return Answer::json(page.to_string());
        }
        square(seen)
    });
    let mistyped = failure(client.poll_at(now).await.outcome).to_string();
    assert_eq!(
        mistyped,
        "mapping square-pos: malformed document: jq: popups[0] soho-1: requests.orders.pages[0].orders[0]: `quantity` is object, not a number"
    );

    // An HTML error page from a proxy in front of the platform.
    platform.answer_with(|seen| {
        if seen.path == "/v2/inventory/counts/batch-retrieve" {
            return Answer::status(
                502,
                "text/html",
                "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
                    .to_owned(),
            );
        }
        square(seen)
    });
    let html = failure(client.poll_at(now).await.outcome);
    assert_eq!(
        html.to_string(),
        "mapping square-pos, request stock: HTTP 502: 502 Bad Gateway"
    );

    // 429 with Retry-After: the poller's backoff reads it through the mapping's failure.
    platform.answer_with(|seen| {
        if seen.path == "/v2/devices" {
            let mut answer =
                Answer::status(429, "application/json", fixture("square", "error-429.json"));
            answer.headers.push(("retry-after", "7".to_owned()));
            return answer;
        }
        square(seen)
    });
    let limited = failure(client.poll_at(now).await.outcome);
    assert_eq!(limited.retry_after_s(), Some(7));
    assert!(
        limited
            .to_string()
            .starts_with("mapping square-pos, request devices: HTTP 429"),
        "{limited}"
    );

    // An extra field anywhere is ignored; the platform recovers and so does the feed, with
    // the same figures as a clean first poll.
    platform.answer_with(|seen| {
        let mut answer = square(seen);
        if let Ok(mut value) = serde_json::from_str::<Value>(&answer.body)
            && let Some(fields) = value.as_object_mut()
        {
            fields.insert("new_in_2027".to_owned(), json!({"anything": [1, 2]}));
            answer.body = value.to_string();
        }
        answer
    });
    let recovered = popup(client.poll_at(now).await.outcome);
    assert_eq!(
        (
            recovered.sales.transactions,
            recovered.sales.revenue_minor,
            recovered.pickups.overdue
        ),
        (2, 26_000, 1)
    );
}

/// An OPEN pick-up order that is cancelled leaves the state: the next poll asks for orders in
/// state CANCELED too, and the cancelled one stops counting as ready or overdue.
#[tokio::test]
async fn a_cancelled_open_order_stops_counting_as_a_pick_up() {
    let platform = Platform::start(square).await;
    let mut client = client(&platform);
    let first = popup(
        client
            .poll_at(Some(at("2026-11-28T16:00:00Z")))
            .await
            .outcome,
    );
    // As in the first test: two PREPARED pick-ups wait (EiQ3… for 15:40, overdue at 16:00;
    // FhG9… for 17:30), one was collected.
    assert_eq!(
        (
            first.pickups.ready,
            first.pickups.collected,
            first.pickups.overdue
        ),
        (2, 1, 1)
    );

    // At 16:04 the customer of EiQ3… had not come: Square shows the order CANCELED, with its
    // pick-up fulfillment CANCELED; FhG9… comes back unchanged (updated at the watermark).
    platform.answer_with(|seen| {
        if seen.path == "/v2/orders/search"
            && seen.body["query"]["filter"]["date_time_filter"]["updated_at"]["start_at"]
                == json!(WATERMARK_1)
        {
            return Answer::json(fixture("square", "orders-canceled.json"));
        }
        square(seen)
    });
    let second = popup(
        client
            .poll_at(Some(at("2026-11-28T16:05:00Z")))
            .await
            .outcome,
    );
    // Ready: FhG9… alone (1); overdue: none (FhG9… is due at 17:30); collected unchanged (1).
    // Sales unchanged: a cancelled order was never a sale (2 transactions, 4 units, 26000).
    assert_eq!(
        (
            second.pickups.ready,
            second.pickups.collected,
            second.pickups.overdue
        ),
        (1, 1, 0)
    );
    assert_eq!(
        (
            second.sales.transactions,
            second.sales.units,
            second.sales.revenue_minor
        ),
        (2, 4, 26_000)
    );
    let state = client.state();
    let kept = &state["popups"]["soho-1"];
    assert_eq!(kept["watermark"], json!("2026-11-28T16:04:00.000Z"));
    assert!(
        kept["open"].get("EiQ3BLT8jqUhBmYnpVZ3rRHMmEwXkY").is_none(),
        "the cancelled order left the state: {kept}"
    );
}

/// `dropday status --json` on a config that names the adapter: the figures the room derives
/// from Square's answers. The real clock is past every pick-up time of the fixtures, so both
/// PREPARED pick-ups are overdue by then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_reads_square_through_the_mapping() {
    let platform = Platform::start(square).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[feeds.pos]
adapter = "square-pos"
url = "{url}"
token_env = "SQUARE_ACCESS_TOKEN_FOR_TEST"
poll = "100ms"
[[feeds.pos.popups]]
id = "soho-1"
name = "SoHo pop-up"
location_id = "{LOCATION}"
opens_at = "{OPENS_AT}"
closes_at = "2026-11-28T20:00:00-05:00"
drop_ids = ["hoodie-01"]
catalog_object_ids = ["W62UWFY35CWMYGVWK6TWJDNI"]
"#,
            url = platform.url
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_dropday"))
            .args(["status", "--json", "--observe", "3s", "--config"])
            .arg(&config)
            .env("SQUARE_ACCESS_TOKEN_FOR_TEST", TOKEN)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let popup = &report["popups"][0];
    assert_eq!(popup["id"], "soho-1");
    assert_eq!(popup["terminals_online"], 1);
    assert_eq!(popup["terminals_total"], 3);
    // 19500 + 6500 on the first poll, + 6500 once the update was read.
    assert_eq!(popup["revenue_minor"], 32_500);
    assert_eq!(popup["pickups_overdue"], 1);
    assert_eq!(popup["currency"], "USD");
}

/// `dropday adapters check` on saved answers: the document and the verdict entry by entry.
#[test]
fn adapters_check_prints_the_document_and_each_entrys_verdict() {
    let page = |name: &str| serde_json::from_str::<Value>(&fixture("square", name)).unwrap();
    let item = popups()[0].clone();
    // A second pop-up whose closing time the mapping passes through unread: the decoder skips
    // that entry and says why, and keeps the first.
    let mut broken = item.clone();
    broken["id"] = json!("noho-2");
    broken["closes_at"] = json!("tonight");
    let input = json!({
        "now": "2026-11-28T16:00:00Z",
        "config": {"popups": [item.clone(), broken.clone()]},
        "requests": {
            "devices": [{"item": item, "pages": [page("devices-1.json"), page("devices-2.json")]},
                        {"item": broken, "pages": [{"devices": [{"id": "device:x", "attributes": {"updated_at": "2026-11-28T15:00:00Z"}, "status": {"category": "AVAILABLE"}}]}]}],
            "orders": [{"pages": [page("orders-1.json"), page("orders-2.json")]}, {"pages": [{}]}],
            "stock": [{"pages": [page("inventory.json")]}, {"pages": [{}]}]
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.json");
    std::fs::write(&file, input.to_string()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["adapters", "check", "square-pos", "--input"])
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // A skipped entry makes the check fail (exit 1), after printing everything.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("\"revenue_minor\": 26000"), "{text}");
    assert!(text.contains("popups[0] soho-1: ok"), "{text}");
    assert!(text.contains("popups[1] noho-2: SKIPPED"), "{text}");
    assert!(text.contains("closes_at"), "{text}");
    assert!(text.contains("1 of 2 popups decoded"), "{text}");

    let listed = Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["adapters", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("square-pos") && listed.contains("feed pos"),
        "{listed}"
    );
}
