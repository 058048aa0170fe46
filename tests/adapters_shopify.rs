//! The shopify-marketplace mapping against a local stand-in for Shopify's GraphQL Admin API
//! answering in Shopify's documented shapes (tests/fixtures/adapters/shopify/README.md), which
//! checks each request: POST to the pinned version's path, the access-token header (never an
//! Authorization header), the orders search string with its watermark, and the page cursor in
//! `variables.after`. Figures are compared with values worked out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod adapters_common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use dropday::feed::FeedKind;
use dropday::feed::adapters::{self, MappedClient, MappedSource};
use dropday::feed::client::{FeedEndpoint, build_http};
use dropday::feed::events::PollOutcome;
use dropday::feed::secret::Token;
use dropday::feed::wire::Drop;
use serde_json::{Value, json};

use adapters_common::{Answer, Platform, Seen, fixture};

const TOKEN: &str = "shpat_0123456789abcdef";
const CURSOR: &str =
    "eyJsYXN0X2lkIjo1NTEyMzQ1Njc4OTAzLCJsYXN0X3ZhbHVlIjoiMjAyNi0xMS0yOCAxNzo0MTowMC4wMDAwMDAifQ==";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn shopify(seen: &Seen) -> Answer {
    let refuse =
        |why: &str| Answer::status(400, "application/json", json!({"errors": why}).to_string());
    if seen.method != "POST" || seen.path != "/admin/api/2025-10/graphql.json" {
        return Answer::status(
            404,
            "application/json",
            json!({"errors": "Not Found"}).to_string(),
        );
    }
    if seen.header("x-shopify-access-token") != Some(TOKEN) {
        return Answer::status(401, "application/json", json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}).to_string());
    }
    if seen.header("authorization").is_some() {
        return refuse("no Authorization header expected");
    }
    let query = seen.body["query"].as_str().unwrap_or("");
    let variables = &seen.body["variables"];
    if query.contains("DropVariant") {
        if variables["id"] != "gid://shopify/ProductVariant/44556677889900" {
            return refuse("variant id");
        }
        Answer::json(fixture("shopify", "variant.json"))
    } else if query.contains("DropOrders") {
        if variables["q"] != "updated_at:>='2026-11-28T17:30:00Z'" {
            return refuse("orders search string");
        }
        match variables["after"].as_str() {
            None => Answer::json(fixture("shopify", "orders-1.json")),
            Some(CURSOR) => Answer::json(fixture("shopify", "orders-2.json")),
            Some(_) => refuse("cursor"),
        }
    } else if query.contains("DropSessions") {
        if variables["q"] != "FROM sessions SHOW sessions DURING today" {
            return refuse("ShopifyQL");
        }
        Answer::json(fixture("shopify", "sessions.json"))
    } else {
        refuse("unknown query")
    }
}

fn client(platform: &Platform) -> MappedClient {
    let mapping = adapters::load("shopify-marketplace").unwrap();
    let mut config = mapping.settings.clone();
    config.insert(
        "drops".to_owned(),
        json!([{
            "id": "hoodie-01", "title": "Midnight Hoodie — Drop 01",
            "product_id": "gid://shopify/Product/8123456789",
            "variant_id": "gid://shopify/ProductVariant/44556677889900",
            "opens_at": "2026-11-28T17:30:00Z", "closes_at": "2026-11-28T19:30:00Z",
            "margin_floor_pct": 55.0,
            "bands": [{"id": "A", "label": "launch", "price_minor": 6500, "unit_cost_minor": 2400},
                      {"id": "B", "price_minor": 7200, "unit_cost_minor": 2400}]
        }]),
    );
    let source = MappedSource::new(Arc::new(mapping), Value::Object(config)).unwrap();
    let mut endpoint = FeedEndpoint::with_defaults(FeedKind::Marketplace, &platform.url);
    endpoint.token = Some(Token::new(TOKEN));
    let http = build_http(&endpoint).unwrap();
    MappedClient::new(http, endpoint, Arc::new(source))
}

fn drop_of(outcome: PollOutcome) -> Drop {
    match outcome {
        PollOutcome::Drops(mut document) => {
            assert!(document.skipped.is_empty(), "{:?}", document.skipped);
            document.entries.remove(0)
        }
        other => panic!("expected drops, got {other:?}"),
    }
}

#[tokio::test]
async fn shopify_answers_become_the_drop_figures_worked_out_by_hand() {
    let platform = Platform::start(shopify).await;
    let mut client = client(&platform);
    let drop = drop_of(
        client
            .poll_at(Some(at("2026-11-28T18:00:00Z")))
            .await
            .outcome,
    );
    // Orders of the drop's product created since 17:30: 2 units (13000), 1 (6500), 3 (19500);
    // the order created at 17:00 and the cancelled one are left out, as is the other product.
    assert_eq!(
        (
            drop.funnel.orders,
            drop.funnel.units,
            drop.funnel.revenue_minor
        ),
        (3, 6, 39_000)
    );
    // 300 + 80 available now, 6 sold: 386 allocated.
    assert_eq!((drop.stock.allocated, drop.stock.sold), (386, 6));
    // The variant's price "65.00" is band A's 6500.
    assert_eq!(drop.active_band, "A");
    assert_eq!(drop.funnel.sessions, 1_200);
    assert_eq!(drop.state.as_str(), "live");
    assert_eq!(drop.currency, "USD");
    assert_eq!(drop.price_bands.len(), 2);
    assert_eq!(
        client.state()["drops"]["hoodie-01"]["watermark"],
        json!("2026-11-28T17:55:30Z")
    );
    let seen = platform.take_seen();
    let afters: Vec<Value> = seen
        .iter()
        .filter(|s| {
            s.body["query"]
                .as_str()
                .unwrap_or("")
                .contains("DropOrders")
        })
        .map(|s| s.body["variables"]["after"].clone())
        .collect();
    assert_eq!(afters, vec![Value::Null, json!(CURSOR)]);
    assert_eq!(seen.len(), 4, "variant, two pages of orders, sessions");
}

#[tokio::test]
async fn without_the_reports_scope_sessions_are_absent_not_zero_conversion() {
    let platform = Platform::start(|seen: &Seen| {
        if seen.body["query"]
            .as_str()
            .unwrap_or("")
            .contains("DropSessions")
        {
            return Answer::json(fixture("shopify", "sessions-denied.json"));
        }
        shopify(seen)
    })
    .await;
    let mut client = client(&platform);
    let drop = drop_of(
        client
            .poll_at(Some(at("2026-11-28T18:00:00Z")))
            .await
            .outcome,
    );
    // 0 sessions: FEEDS v1's "no figure" for conversion, while orders still count; and the
    // drop carries Shopify's own reason for the room to show.
    assert_eq!((drop.funnel.sessions, drop.funnel.orders), (0, 3));
    assert_eq!(
        drop.sessions_unavailable.as_deref(),
        Some(
            "Shopify gave no sessions: Access denied for shopifyqlQuery field. Required access: `read_reports` access scope."
        )
    );
    // With the scope (a new client: the first poll's answers again), no reason.
    platform.answer_with(shopify);
    let mut fresh = crate::client(&platform);
    let drop = drop_of(
        fresh
            .poll_at(Some(at("2026-11-28T18:00:00Z")))
            .await
            .outcome,
    );
    assert_eq!(drop.sessions_unavailable, None);
}

/// `dropday status --json` on a config naming shopify-marketplace, the token without the
/// `read_reports` scope: conversion is null, never 0, and the report says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_gives_null_conversion_and_the_reason_without_the_reports_scope() {
    let platform = Platform::start(|seen: &Seen| {
        let query = seen.body["query"].as_str().unwrap_or("");
        if query.contains("DropSessions") {
            return Answer::json(fixture("shopify", "sessions-denied.json"));
        }
        // Later polls ask from the watermark: nothing new since.
        if query.contains("DropOrders")
            && seen.body["variables"]["q"] != "updated_at:>='2026-11-28T17:30:00Z'"
        {
            return Answer::json(
                json!({"data": {"orders": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}}})
                    .to_string(),
            );
        }
        shopify(seen)
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[feeds.marketplace]
adapter = "shopify-marketplace"
url = "{url}"
token_env = "SHOPIFY_TOKEN_FOR_TEST"
poll = "100ms"
[[feeds.marketplace.drops]]
id = "hoodie-01"
title = "Midnight Hoodie — Drop 01"
product_id = "gid://shopify/Product/8123456789"
variant_id = "gid://shopify/ProductVariant/44556677889900"
opens_at = "2026-11-28T17:30:00Z"
closes_at = "2026-11-28T19:30:00Z"
margin_floor_pct = 55.0
bands = [{{id = "A", price_minor = 6500, unit_cost_minor = 2400}}, {{id = "B", price_minor = 7200, unit_cost_minor = 2400}}]
"#,
            url = platform.url
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_dropday"))
            .args(["status", "--json", "--observe", "3s", "--config"])
            .arg(&config)
            .env("SHOPIFY_TOKEN_FOR_TEST", TOKEN)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let drop = &report["drops"][0];
    assert_eq!(drop["id"], "hoodie-01", "{report}");
    assert_eq!(drop["conversion_pct"], Value::Null, "{report}");
    assert_eq!(
        drop["conversion_unavailable"],
        "Shopify gave no sessions: Access denied for shopifyqlQuery field. Required access: `read_reports` access scope."
    );
}

#[tokio::test]
async fn a_price_no_band_has_and_a_graphql_error_are_feed_errors_that_say_so() {
    let platform = Platform::start(|seen: &Seen| {
        let query = seen.body["query"].as_str().unwrap_or("");
        if query.contains("DropVariant") {
            return Answer::json(
                fixture("shopify", "variant.json").replace("\"65.00\"", "\"59.00\""),
            );
        }
        shopify(seen)
    })
    .await;
    let mut client = client(&platform);
    let now = Some(at("2026-11-28T18:00:00Z"));
    let failure = match client.poll_at(now).await.outcome {
        PollOutcome::Failed(failure) => failure.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        failure,
        "mapping shopify-marketplace: malformed document: jq: requests.variant[0]: the variant's price 5900 matches no band of drop hoodie-01"
    );
    platform.answer_with(|seen: &Seen| {
        if seen.body["query"]
            .as_str()
            .unwrap_or("")
            .contains("DropOrders")
        {
            return Answer::json(
                json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})
                    .to_string(),
            );
        }
        shopify(seen)
    });
    let failure = match client.poll_at(now).await.outcome {
        PollOutcome::Failed(failure) => failure.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        failure,
        "mapping shopify-marketplace: malformed document: jq: requests.orders[0].pages[0]: requests.orders[0]: GraphQL: Throttled"
    );
    // The platform recovers; so does the feed.
    platform.answer_with(shopify);
    assert_eq!(drop_of(client.poll_at(now).await.outcome).funnel.orders, 3);
}
