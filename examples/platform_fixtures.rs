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
//!   cargo run --release -- run --config /tmp/dropday-platform-fixtures-18181/square-pos.toml
//! ```
//!
//! The fixtures describe 2026-11-28 at 18:00 UTC, when the drop, the hub's window and the
//! pop-up are all open. With `--at now` (the default) every time in the answers and in the
//! configs is moved by the same offset, so the server's start is that moment and the windows are
//! live; `--at 2026-11-28T18:00:00Z` serves the fixtures as written (as the tests read them).
//! The configs of `assets/platform-fixtures/`, moved alike and pointing at the listening
//! address, are written to `--configs DIR` (default `$TMPDIR/dropday-platform-fixtures-PORT`)
//! and their paths printed.
//!
//! Unlike the tests, later polls (asking from the mapping's watermark) get the first answers
//! again: the mappings count an order once however often it comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a demo server: a failed start ends it

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

const SQUARE_TOKEN: &str = "EAAAl-square-sandbox-token";
const SHOPIFY_TOKEN: &str = "shpat_0123456789abcdef";
const SHIPBOB_TOKEN: &str = "shipbob-pat-0123";
const SQUARE_LOCATION: &str = "L8ZQ4W2XK1Y3P";
const SQUARE_DEVICES_CURSOR: &str = "GcXjlV2iaizH7R0fMT6wUDbw6l4otigjzx8XOOspUKHo9EPLRByM";
const SQUARE_ORDERS_CURSOR: &str = "CAEaBAgBEgA";
const SHOPIFY_ORDERS_CURSOR: &str =
    "eyJsYXN0X2lkIjo1NTEyMzQ1Njc4OTAzLCJsYXN0X3ZhbHVlIjoiMjAyNi0xMS0yOCAxNzo0MTowMC4wMDAwMDAifQ==";

/// The moment the fixture answers describe: the drop (17:30–19:30), the hub's window
/// (17:30–21:30) and the pop-up (15:00–01:00) are all open.
const FIXTURES_AT: &str = "2026-11-28T18:00:00Z";

/// The address the configs of `assets/platform-fixtures/` name.
const CONFIGS_URL: &str = "http://127.0.0.1:18181";

macro_rules! fixture_files {
    ($($platform:literal / $name:literal),* $(,)?) => {
        [$((concat!($platform, "/", $name), include_str!(concat!("../tests/fixtures/adapters/", $platform, "/", $name)))),*]
    };
}

/// Every answer served, by `platform/file`, with its times moved.
static ANSWERS: OnceLock<HashMap<&'static str, String>> = OnceLock::new();

macro_rules! fixture {
    ($platform:literal, $name:literal) => {
        ANSWERS
            .get()
            .and_then(|answers| answers.get(concat!($platform, "/", $name)))
            .map_or("{}", String::as_str)
    };
}

/// `text` with every RFC 3339 time in it (`2026-11-28T15:05:00.000Z`,
/// `2026-12-05T10:00:00-05:00`) moved by `by`, each written as it was (its offset, `Z`, and
/// as many fraction digits).
fn shift_times(text: &str, by: TimeDelta) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(end) = time_end(bytes, i)
            && let Ok(time) = DateTime::parse_from_rfc3339(&text[i..end])
        {
            let written = &text[i..end];
            let digits = written.split_once('.').map_or(0, |(_, rest)| {
                rest.bytes().take_while(u8::is_ascii_digit).count()
            });
            let format = match digits {
                0 => SecondsFormat::Secs,
                3 => SecondsFormat::Millis,
                6 => SecondsFormat::Micros,
                9 => SecondsFormat::Nanos,
                _ => SecondsFormat::AutoSi,
            };
            out.push_str(&text[copied..i]);
            out.push_str(&(time + by).to_rfc3339_opts(format, written.ends_with('Z')));
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a time that starts at `at` ends: `dddd-dd-ddTdd:dd:dd`, a fraction, `Z` or `±hh:mm`.
fn time_end(bytes: &[u8], at: usize) -> Option<usize> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    let fits = |from: usize, shape: &[u8]| {
        bytes.len() >= from + shape.len()
            && shape
                .iter()
                .zip(&bytes[from..])
                .all(|(want, got)| match want {
                    b'd' => got.is_ascii_digit(),
                    other => other == got,
                })
    };
    if (at > 0 && bytes[at - 1].is_ascii_digit()) || !fits(at, SHAPE) {
        return None;
    }
    let mut end = at + SHAPE.len();
    if bytes.get(end) == Some(&b'.') {
        end += 1;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    match bytes.get(end) {
        Some(b'Z') => Some(end + 1),
        Some(b'+' | b'-') if fits(end + 1, b"dd:dd") => Some(end + 6),
        _ => None,
    }
}

/// The configs of `assets/platform-fixtures/`, moved by `by` and pointing at `url`, written to
/// `dir`; their paths.
fn write_configs(dir: &PathBuf, by: TimeDelta, url: &str) -> std::io::Result<Vec<PathBuf>> {
    let configs = [
        (
            "square-pos.toml",
            include_str!("../assets/platform-fixtures/square-pos.toml"),
        ),
        (
            "shopify-marketplace.toml",
            include_str!("../assets/platform-fixtures/shopify-marketplace.toml"),
        ),
        (
            "shipbob-fulfilment.toml",
            include_str!("../assets/platform-fixtures/shipbob-fulfilment.toml"),
        ),
        (
            "all-three.toml",
            include_str!("../assets/platform-fixtures/all-three.toml"),
        ),
    ];
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in configs {
        let path = dir.join(name);
        let header = format!(
            "# Written by platform_fixtures for {url}: every time moved by {} s, as in its answers.\n",
            by.num_seconds()
        );
        std::fs::write(
            &path,
            header + &shift_times(&text.replace(CONFIGS_URL, url), by),
        )?;
        written.push(path);
    }
    Ok(written)
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

fn usage(why: &str) -> ! {
    eprintln!(
        "platform_fixtures: {why}\nusage: platform_fixtures [--listen 127.0.0.1:PORT] [--at now|RFC3339] [--configs DIR]"
    );
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 18181));
    let mut at: Option<DateTime<Utc>> = None;
    let mut configs: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        let Some(value) = args.next() else {
            usage(&format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--listen" => match value.parse() {
                Ok(addr) => listen = addr,
                Err(e) => usage(&format!("--listen {value}: {e}")),
            },
            "--at" if value == "now" => at = None,
            "--at" => match DateTime::parse_from_rfc3339(&value) {
                Ok(time) => at = Some(time.with_timezone(&Utc)),
                Err(e) => usage(&format!(
                    "--at {value}: {e} (now, or a time like {FIXTURES_AT})"
                )),
            },
            "--configs" => configs = Some(PathBuf::from(value)),
            _ => usage(&format!("unknown argument {arg}")),
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {listen}: {e}"));
    let bound = listener.local_addr().expect("bound");
    let url = format!("http://{bound}");
    // The fixtures' moment becomes `--at` (the server's start by default), to the second.
    let fixtures_at: DateTime<Utc> = FIXTURES_AT.parse().expect("a time");
    let by = TimeDelta::seconds((at.unwrap_or_else(Utc::now) - fixtures_at).num_seconds());
    let answers = fixture_files![
        "square" / "devices-1.json",
        "square" / "devices-2.json",
        "square" / "orders-1.json",
        "square" / "orders-2.json",
        "square" / "inventory.json",
        "shopify" / "variant.json",
        "shopify" / "orders-1.json",
        "shopify" / "orders-2.json",
        "shopify" / "sessions.json",
        "shopify" / "sessions-denied.json",
        "shipbob" / "orders.json",
    ];
    ANSWERS
        .set(
            answers
                .into_iter()
                .map(|(name, text)| (name, shift_times(text, by)))
                .collect(),
        )
        .expect("set once");
    let dir = configs.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("dropday-platform-fixtures-{}", bound.port()))
    });
    let written = write_configs(&dir, by, &url)
        .unwrap_or_else(|e| panic!("cannot write the configs to {}: {e}", dir.display()));
    eprintln!(
        "platform_fixtures: Square, Shopify and ShipBob stand-ins on {url}; the fixtures' {FIXTURES_AT} is {} (times moved by {} s)",
        (fixtures_at + by).to_rfc3339_opts(SecondsFormat::Secs, true),
        by.num_seconds()
    );
    for path in written {
        eprintln!("platform_fixtures: config {}", path.display());
    }
    axum::serve(listener, Router::new().fallback(answer))
        .await
        .expect("serve");
}
