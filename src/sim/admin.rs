//! `/_sim/faults`: see, set and clear faults while a client (the TUI) is running.
//!
//! - `GET /_sim/faults` → `{"faults": ["marketplace:latency:800", …]}`
//! - `POST /_sim/faults` with `{"fault": "marketplace:latency:800"}` or
//!   `{"feed": "marketplace", "kind": "latency", "arg": 800}` → the faults now on
//! - `DELETE /_sim/faults` (all, scheduled ones too) or `DELETE /_sim/faults?feed=pos`
//!
//! With tokens configured these need the operate token.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::auth::Access;
use super::faults::{FaultSpec, parse_feed};
use super::respond;
use super::state::SimState;

/// Body of `POST /_sim/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// The whole spelling, `FEED:KIND[:ARG]`.
    fault: Option<String>,
    feed: Option<String>,
    kind: Option<String>,
    arg: Option<serde_json::Value>,
}

impl FaultRequest {
    fn spelling(&self) -> Result<String, String> {
        if let Some(fault) = &self.fault {
            return Ok(fault.clone());
        }
        let (Some(feed), Some(kind)) = (&self.feed, &self.kind) else {
            return Err("give either `fault` or both `feed` and `kind`".to_owned());
        };
        Ok(match &self.arg {
            None | Some(serde_json::Value::Null) => format!("{feed}:{kind}"),
            Some(serde_json::Value::String(arg)) => format!("{feed}:{kind}:{arg}"),
            Some(arg) => format!("{feed}:{kind}:{arg}"),
        })
    }
}

/// Query of `DELETE /_sim/faults`.
#[derive(Debug, Deserialize)]
pub(crate) struct ClearQuery {
    feed: Option<String>,
}

fn listing(state: &SimState) -> Response {
    let faults: Vec<String> = state
        .all_active_faults()
        .iter()
        .map(ToString::to_string)
        .collect();
    let body = serde_json::json!({ "faults": faults });
    respond::json(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
        None,
    )
}

/// `GET /_sim/faults`.
pub(crate) async fn list(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    if let Err(denied) = state.tokens.check(&headers, Access::Operate) {
        return respond::denied(denied);
    }
    listing(&state)
}

/// `POST /_sim/faults`.
pub(crate) async fn set(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = state.tokens.check(&headers, Access::Operate) {
        return respond::denied(denied);
    }
    let spelling = serde_json::from_slice::<FaultRequest>(&body)
        .map_err(|e| format!("expected {{\"fault\": \"FEED:KIND[:ARG]\"}}: {e}"))
        .and_then(|request| request.spelling());
    match spelling.and_then(|s| s.parse::<FaultSpec>().map_err(|e| e.to_string())) {
        Ok(spec) => {
            log::info!("sim: fault on: {spec}");
            state.set_fault(spec);
            listing(&state)
        }
        Err(message) => respond::error(StatusCode::BAD_REQUEST, "invalid_fault", message),
    }
}

/// `DELETE /_sim/faults[?feed=FEED]`.
pub(crate) async fn clear(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(query): Query<ClearQuery>,
) -> Response {
    if let Err(denied) = state.tokens.check(&headers, Access::Operate) {
        return respond::denied(denied);
    }
    let feed = match query.feed.as_deref().map(parse_feed).transpose() {
        Ok(feed) => feed,
        Err(message) => return respond::error(StatusCode::BAD_REQUEST, "invalid_feed", message),
    };
    state.clear_faults(feed);
    log::info!("sim: faults cleared");
    listing(&state)
}
