//! A mapped marketplace with `control_url`: the drop is read from a stand-in for Shopify's
//! GraphQL Admin API, and a pause goes to the FEEDS v1 control server named by `control_url` —
//! the real simulator here, which takes control requests only with its operate token — with
//! that server's own token. The real binary runs in a pty; the operator presses `p` and `y`.
//! The pause reaches the simulator once; the Shopify stand-in never sees the control token nor
//! a control request; the platform token goes only to Shopify. Waits are conditions.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(unsafe_code)] // the pty harness uses libc

mod adapters_common;
mod pty_common;

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, TimeDelta, Utc};
use dropday::sim::{ClockMode, ControlAction, ScenarioSource, SimOptions, start};
use serde_json::json;

use adapters_common::{Answer, Platform, Seen, fixture};
use pty_common::{Home, PtyRun, SETTLE};

const PLATFORM_TOKEN: &str = "shpat_0123456789abcdef";
const CONTROL_TOKEN: &str = "control-operate-token-7d2e41";

fn shopify(seen: &Seen) -> Answer {
    if seen.method != "POST" || seen.path != "/admin/api/2025-10/graphql.json" {
        return Answer::status(
            404,
            "application/json",
            json!({"errors": "Not Found"}).to_string(),
        );
    }
    if seen.header("x-shopify-access-token") != Some(PLATFORM_TOKEN) {
        return Answer::status(
            401,
            "application/json",
            json!({"errors": "[API] Invalid API key or access token"}).to_string(),
        );
    }
    let query = seen.body["query"].as_str().unwrap_or("");
    if query.contains("DropVariant") {
        Answer::json(fixture("shopify", "variant.json"))
    } else if query.contains("DropOrders") {
        // No orders of the drop's product since it opened (the fixture's are days old).
        Answer::json(
            json!({"data": {"orders": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}}})
                .to_string(),
        )
    } else {
        Answer::json(fixture("shopify", "sessions.json"))
    }
}

fn drop_row<'a>(screen: &'a str, drop_id: &str) -> Option<&'a str> {
    let framed = format!("│{drop_id} ");
    screen
        .lines()
        .find(|l| l.trim_start().starts_with(&framed) || l.trim_start().starts_with(drop_id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_goes_to_the_control_server_with_its_own_token_never_to_the_platform() {
    let platform = Platform::start(shopify).await;
    let sim = start(SimOptions {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        clock: ClockMode::Wall,
        speed: 1.0,
        operate_token: Some(CONTROL_TOKEN.to_owned()),
        ..SimOptions::new(ScenarioSource::Builtin("launch".into()))
    })
    .await
    .expect("simulator starts");
    let home = Home::new();
    // The drop is live now by the local clock (the mapping tells live from `now`).
    let time = |minutes: i64| {
        (Utc::now() + TimeDelta::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"audit_log = "{audit}"
[ui]
environment = "e2e"

[feeds.marketplace]
adapter = "shopify-marketplace"
url = "{shopify}"
token_env = "SHOPIFY_TOKEN_FOR_TEST"
poll = "500ms"
control_url = "{control}"
control_token_env = "CONTROL_TOKEN_FOR_TEST"
[[feeds.marketplace.drops]]
id = "hoodie-01"
title = "Midnight Hoodie — Drop 01"
product_id = "gid://shopify/Product/8123456789"
variant_id = "gid://shopify/ProductVariant/44556677889900"
opens_at = "{opens}"
closes_at = "{closes}"
margin_floor_pct = 55.0
bands = [{{id = "A", price_minor = 6500, unit_cost_minor = 2400}}, {{id = "B", price_minor = 7200, unit_cost_minor = 2400}}]
"#,
            audit = home.audit_log().display(),
            shopify = platform.url,
            control = sim.base_url(),
            opens = time(-30),
            closes = time(120),
        ),
    )
    .unwrap();
    let mut run = PtyRun::spawn(
        &home,
        &["--config", config.to_str().unwrap()],
        &[
            ("SHOPIFY_TOKEN_FOR_TEST", PLATFORM_TOKEN),
            ("CONTROL_TOKEN_FOR_TEST", CONTROL_TOKEN),
        ],
        120,
        40,
    );
    run.wait_for("hoodie-01 live, read from Shopify", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" live "))
    });
    // Not read-only: the header has no `[R] mapped`.
    assert!(!run.screen().contains("[R] mapped"), "{}", run.screen());
    run.send("p");
    run.wait_for_text("Confirm: Pause hoodie-01?", SETTLE);
    assert!(sim.control_log().is_empty(), "nothing is sent before y");
    run.send("y");
    // The simulator takes control requests only with its operate token: one logged pause
    // means it came once, with the control token.
    let deadline = Instant::now() + SETTLE;
    while sim.control_log().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = sim.control_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0].drop_id.as_str(), log[0].action),
        ("hoodie-01", ControlAction::Pause)
    );
    // A few more polls of Shopify, then what it saw: reads only, only the platform token.
    let polls_before = platform.seen.lock().unwrap().len();
    let deadline = Instant::now() + SETTLE;
    while platform.seen.lock().unwrap().len() < polls_before + 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    run.kill();
    let seen = platform.take_seen();
    assert!(!seen.is_empty());
    for request in &seen {
        assert_eq!(
            request.path, "/admin/api/2025-10/graphql.json",
            "{request:?}"
        );
        assert_eq!(
            request.header("x-shopify-access-token"),
            Some(PLATFORM_TOKEN),
            "{request:?}"
        );
        let everything = format!("{:?} {}", request.headers, request.body);
        assert!(
            !everything.contains(CONTROL_TOKEN),
            "the control token reached Shopify: {request:?}"
        );
    }
    // Still exactly one pause: no retry went elsewhere and came back.
    assert_eq!(sim.control_log().len(), 1);
}
