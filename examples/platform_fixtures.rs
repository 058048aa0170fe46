//! Stand-in platforms for a demo-like run of the mapped sources: Square (Devices, Orders,
//! Inventory), Shopify (GraphQL Admin API) and ShipBob (Orders API 1.0) on one loopback port,
//! answering with the fixture answers of `tests/fixtures/adapters/` and checking each request
//! as the tests do (method, path, auth header, version header, pagination cursor, query).
//! A request that is not what the platform expects gets the platform's kind of 4xx, and every
//! request is logged on stderr, so a mapping's mistake shows here and as a feed error in the room.
//!
//! ```sh
//! cargo run --example platform_fixtures -- --listen 127.0.0.1:18181
//! SQUARE_ACCESS_TOKEN=EAAAl-square-sandbox-token \
//!   cargo run --release -- run --config assets/platform-fixtures/square-pos.toml
//! ```
//!
//! Unlike the tests, later polls (asking from the mapping's watermark) get the first answers
//! again: the mappings count an order once however often it comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a demo server: a failed start ends it

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const SQUARE_TOKEN: &str = "EAAAl-square-sandbox-token";
const SHOPIFY_TOKEN: &str = "shpat_0123456789abcdef";
const SHIPBOB_TOKEN: &str = "shipbob-pat-0123";
const SQUARE_LOCATION: &str = "L8ZQ4W2XK1Y3P";
const SQUARE_DEVICES_CURSOR: &str = "GcXjlV2iaizH7R0fMT6wUDbw6l4otigjzx8XOOspUKHo9EPLRByM";
const SQUARE_ORDERS_CURSOR: &str = "CAEaBAgBEgA";
const SHOPIFY_ORDERS_CURSOR: &str =
    "eyJsYXN0X2lkIjo1NTEyMzQ1Njc4OTAzLCJsYXN0X3ZhbHVlIjoiMjAyNi0xMS0yOCAxNzo0MTowMC4wMDAwMDAifQ==";

macro_rules! fixture {
    ($platform:literal, $name:literal) => {
        include_str!(concat!(
            "../tests/fixtures/adapters/",
            $platform,
            "/",
            $name
        ))
    };
}

struct Request<'a> {
    method: &'a Method,
    path: &'a str,
    query: Vec<(String, String)>,
    headers: &'a HeaderMap,
    body: Value,
}

impl Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn json_answer(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_owned(),
    )
        .into_response()
}

fn square(r: &Request<'_>) -> Response {
    let refuse = |why: &str| {
        json_answer(
            StatusCode::BAD_REQUEST,
            &json!({"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "BAD_REQUEST", "detail": why}]}).to_string(),
        )
    };
    if r.header("authorization") != Some(&format!("Bearer {SQUARE_TOKEN}")) {
        return json_answer(
            StatusCode::UNAUTHORIZED,
            &json!({"errors": [{"category": "AUTHENTICATION_ERROR", "code": "UNAUTHORIZED", "detail": "This request could not be authorized."}]}).to_string(),
        );
    }
    if r.header("square-version").is_none() {
        return refuse("Square-Version header missing");
    }
    match (r.method.as_str(), r.path) {
        ("GET", "/v2/devices") => {
            if r.query("location_id") != Some(SQUARE_LOCATION) {
                return refuse("location_id");
            }
            match r.query("cursor") {
                None => json_answer(StatusCode::OK, fixture!("square", "devices-1.json")),
                Some(SQUARE_DEVICES_CURSOR) => {
                    json_answer(StatusCode::OK, fixture!("square", "devices-2.json"))
                }
                Some(_) => refuse("cursor"),
            }
        }
        ("POST", "/v2/orders/search") => {
            if r.body["location_ids"] != json!([SQUARE_LOCATION])
                || r.body["query"]["sort"]
                    != json!({"sort_field": "UPDATED_AT", "sort_order": "ASC"})
                || !r.body["query"]["filter"]["date_time_filter"]["updated_at"]["start_at"]
                    .is_string()
            {
                return refuse("orders query");
            }
            match r.body["cursor"].as_str() {
                None => json_answer(StatusCode::OK, fixture!("square", "orders-1.json")),
                Some(SQUARE_ORDERS_CURSOR) => {
                    json_answer(StatusCode::OK, fixture!("square", "orders-2.json"))
                }
                Some(_) => refuse("cursor"),
            }
        }
        ("POST", "/v2/inventory/counts/batch-retrieve") => {
            if r.body["location_ids"] != json!([SQUARE_LOCATION]) {
                return refuse("inventory body");
            }
            json_answer(StatusCode::OK, fixture!("square", "inventory.json"))
        }
        _ => json_answer(
            StatusCode::NOT_FOUND,
            &json!({"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND"}]})
                .to_string(),
        ),
    }
}

fn shopify(r: &Request<'_>) -> Response {
    let refuse =
        |why: &str| json_answer(StatusCode::BAD_REQUEST, &json!({"errors": why}).to_string());
    if r.method != Method::POST || !r.path.ends_with("/graphql.json") {
        return json_answer(
            StatusCode::NOT_FOUND,
            &json!({"errors": "Not Found"}).to_string(),
        );
    }
    if r.header("x-shopify-access-token") != Some(SHOPIFY_TOKEN) {
        return json_answer(
            StatusCode::UNAUTHORIZED,
            &json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}).to_string(),
        );
    }
    if r.header("authorization").is_some() {
        return refuse("no Authorization header expected");
    }
    let query = r.body["query"].as_str().unwrap_or("");
    let variables = &r.body["variables"];
    if query.contains("DropVariant") {
        json_answer(StatusCode::OK, fixture!("shopify", "variant.json"))
    } else if query.contains("DropOrders") {
        if !variables["q"]
            .as_str()
            .is_some_and(|q| q.starts_with("updated_at:>="))
        {
            return refuse("orders search string");
        }
        match variables["after"].as_str() {
            None => json_answer(StatusCode::OK, fixture!("shopify", "orders-1.json")),
            Some(SHOPIFY_ORDERS_CURSOR) => {
                json_answer(StatusCode::OK, fixture!("shopify", "orders-2.json"))
            }
            Some(_) => refuse("cursor"),
        }
    } else if query.contains("DropSessions") {
        // Set DROPDAY_FIXTURES_NO_REPORTS=1 to answer as to a token without read_reports.
        if std::env::var_os("DROPDAY_FIXTURES_NO_REPORTS").is_some() {
            json_answer(StatusCode::OK, fixture!("shopify", "sessions-denied.json"))
        } else {
            json_answer(StatusCode::OK, fixture!("shopify", "sessions.json"))
        }
    } else {
        refuse("unknown query")
    }
}

fn shipbob(r: &Request<'_>) -> Response {
    let refuse =
        |why: &str| json_answer(StatusCode::BAD_REQUEST, &json!({"title": why}).to_string());
    if r.header("authorization") != Some(&format!("Bearer {SHIPBOB_TOKEN}")) {
        return json_answer(StatusCode::UNAUTHORIZED, "{}");
    }
    if r.query("StartDate").is_none()
        || r.query("LastUpdateStartDate").is_none()
        || r.query("Limit") != Some("250")
        || r.query("Page") != Some("1")
    {
        return refuse("query");
    }
    json_answer(StatusCode::OK, fixture!("shipbob", "orders.json"))
}

async fn answer(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let request = Request {
        method: &method,
        path: uri.path(),
        query: url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
        headers: &headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let response = if request.path.starts_with("/v2/") {
        square(&request)
    } else if request.path.starts_with("/admin/api/") {
        shopify(&request)
    } else if request.path == "/1.0/order" && method == Method::GET {
        shipbob(&request)
    } else {
        json_answer(StatusCode::NOT_FOUND, "{}")
    };
    eprintln!("{method} {} → {}", uri, response.status().as_u16());
    response
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 18181));
    while let Some(arg) = args.next() {
        let ("--listen", Some(addr)) = (arg.as_str(), args.next()) else {
            eprintln!("usage: platform_fixtures [--listen 127.0.0.1:PORT]");
            std::process::exit(2);
        };
        match addr.parse() {
            Ok(addr) => listen = addr,
            Err(e) => {
                eprintln!("platform_fixtures: --listen {addr}: {e}");
                std::process::exit(2);
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {listen}: {e}"));
    eprintln!(
        "platform_fixtures: Square, Shopify and ShipBob stand-ins on http://{}",
        listener.local_addr().expect("bound")
    );
    axum::serve(listener, Router::new().fallback(answer))
        .await
        .expect("serve");
}
