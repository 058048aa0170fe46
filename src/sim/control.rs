//! Control actions on drops: pause, resume and price band, behind tokens and idempotency keys.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;

use crate::feed::FeedKind;
use crate::feed::wire::{BandChange, IDEMPOTENCY_KEY_HEADER};

use super::auth::Access;
use super::faults::{DropPattern, FaultKind};
use super::idempotency::{Admission, KeyHold, RequestIdentity, Stamp, StoredResponse, check_key};
use super::listener::ConnectionCutter;
use super::respond;
use super::server::transport_faults;
use super::state::{ControlAction, ControlRecord, SimState, lock};
use super::world::{DropAction, Refusal};

/// Header set on an answer replayed for a retried idempotency key.
const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// What the route asked for; the band is read from the body later.
#[derive(Debug, Clone, Copy)]
enum Route {
    Pause,
    Resume,
    PriceBand,
}

/// Everything a control request carries.
struct ControlRequest {
    route: Route,
    drop_id: String,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// `POST /v1/drops/{id}/pause`.
pub(crate) async fn pause(
    State(state): State<Arc<SimState>>,
    cutter: Option<Extension<ConnectionCutter>>,
    Path(drop_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = ControlRequest {
        route: Route::Pause,
        drop_id,
        uri,
        headers,
        body,
    };
    handle(&state, cutter.map(|c| c.0), request).await
}

/// `POST /v1/drops/{id}/resume`.
pub(crate) async fn resume(
    State(state): State<Arc<SimState>>,
    cutter: Option<Extension<ConnectionCutter>>,
    Path(drop_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = ControlRequest {
        route: Route::Resume,
        drop_id,
        uri,
        headers,
        body,
    };
    handle(&state, cutter.map(|c| c.0), request).await
}

/// `POST /v1/drops/{id}/price-band` with `{"band": "B"}`.
pub(crate) async fn price_band(
    State(state): State<Arc<SimState>>,
    cutter: Option<Extension<ConnectionCutter>>,
    Path(drop_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = ControlRequest {
        route: Route::PriceBand,
        drop_id,
        uri,
        headers,
        body,
    };
    handle(&state, cutter.map(|c| c.0), request).await
}

async fn handle(
    state: &SimState,
    cutter: Option<ConnectionCutter>,
    request: ControlRequest,
) -> Response {
    if let Err(denied) = state.tokens.check(&request.headers, Access::Operate) {
        return respond::denied(denied);
    }
    // A transport failure happens before the request reaches the shop: nothing is applied.
    if let Some(response) =
        transport_faults(state, FeedKind::Marketplace, FaultKind::hits_control).await
    {
        return response;
    }
    let key = match request.headers.get(IDEMPOTENCY_KEY_HEADER) {
        None => {
            return respond::error(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "control requests need an Idempotency-Key header (a fresh UUID v4 per action)",
            );
        }
        Some(value) => match value
            .to_str()
            .map_err(|_| "not ASCII".to_owned())
            .and_then(|k| {
                check_key(k)?;
                Ok(k.to_owned())
            }) {
            Ok(key) => key,
            Err(message) => {
                return respond::error(StatusCode::BAD_REQUEST, "invalid_idempotency_key", message);
            }
        },
    };
    let identity = RequestIdentity {
        path: request.uri.path().to_owned(),
        body: request.body.to_vec(),
    };
    let now = Stamp {
        sim_s: state.sim_secs(),
        wall: Instant::now(),
    };
    let admission = lock(&state.idempotency).admit(&key, identity, now);
    match admission {
        Admission::Replay(stored) => replay(&stored),
        Admission::Mismatch => respond::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_mismatch",
            format!(
                "Idempotency-Key `{key}` was used for a different request; use a fresh key for a \
                 new action"
            ),
        ),
        Admission::InProgress => respond::error(
            StatusCode::CONFLICT,
            "request_in_progress",
            format!("the first request with Idempotency-Key `{key}` is still running; retry later"),
        ),
        Admission::Fresh => {
            let hold = KeyHold::new(Arc::clone(&state.idempotency), key.clone());
            apply_fresh(state, cutter, &request, key, hold).await
        }
    }
}

/// Applies a first-time request, then plays the control faults (stall, dropped answer).
async fn apply_fresh(
    state: &SimState,
    cutter: Option<ConnectionCutter>,
    request: &ControlRequest,
    key: String,
    mut hold: KeyHold,
) -> Response {
    let stored = apply(state, request, key);
    hold.set_response(stored.clone());
    let faults = state.active_faults(FeedKind::Marketplace);
    if let Some(ms) = faults.iter().find_map(|f| match f {
        FaultKind::Stall { ms } => Some(*ms),
        _ => None,
    }) {
        // Held while the key stays "in progress"; clearing the fault lets it go early.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(ms)) => {}
            () = state.wait_while(FeedKind::Marketplace, |f| matches!(f, FaultKind::Stall { .. })) => {}
        }
    }
    let pattern = faults.iter().find_map(|f| match f {
        FaultKind::DropResponse(pattern) => Some(*pattern),
        _ => None,
    });
    let count = state.control_requests.fetch_add(1, Ordering::Relaxed) + 1;
    // The key is finished before the answer goes (or is swallowed), so a retry replays it.
    drop(hold);
    if let (Some(pattern), Some(cutter)) = (pattern, cutter)
        && swallows(pattern, count, state.seed)
    {
        cutter.cut();
        std::future::pending::<()>().await;
    }
    stored_response(&stored)
}

fn swallows(pattern: DropPattern, count: u64, seed: u64) -> bool {
    match pattern {
        DropPattern::EveryNth(n) => count.is_multiple_of(n.max(1)),
        DropPattern::Probability(p) => faults_unit(seed, count) < p,
    }
}

fn faults_unit(seed: u64, count: u64) -> f64 {
    super::world::unit_interval(seed ^ count.wrapping_mul(0x2545_F491_4F6C_DD1D))
}

/// Runs the action on the world and records it when applied.
fn apply(state: &SimState, request: &ControlRequest, key: String) -> StoredResponse {
    let (action, kind) = match request.route {
        Route::Pause => (DropAction::Pause, ControlAction::Pause),
        Route::Resume => (DropAction::Resume, ControlAction::Resume),
        Route::PriceBand => match serde_json::from_slice::<BandChange>(&request.body) {
            Ok(change) => (DropAction::PriceBand(change.band), ControlAction::PriceBand),
            Err(e) => {
                return StoredResponse {
                    status: 400,
                    body: respond::error_body(
                        "invalid_body",
                        format!("expected a body like {{\"band\": \"B\"}}: {e}"),
                    ),
                };
            }
        },
    };
    let now = state.clock.now();
    let result = state.world().control(&request.drop_id, &action, now);
    match result {
        Ok(drop) => {
            let band = match &action {
                DropAction::PriceBand(band) => Some(band.clone()),
                _ => None,
            };
            state.log_control(ControlRecord {
                drop_id: request.drop_id.clone(),
                action: kind,
                band,
                idempotency_key: key,
                at: now,
            });
            StoredResponse {
                status: 200,
                body: serde_json::to_vec(&drop).unwrap_or_default(),
            }
        }
        Err(refusal) => refused(&refusal),
    }
}

fn refused(refusal: &Refusal) -> StoredResponse {
    StoredResponse {
        status: refusal.status(),
        body: respond::error_body(refusal.code(), refusal.message()),
    }
}

fn stored_response(stored: &StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond::json(status, stored.body.clone(), None)
}

fn replay(stored: &StoredResponse) -> Response {
    let mut response = stored_response(stored);
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_swallows_exactly_those() {
        let swallowed: Vec<u64> = (1..=9)
            .filter(|n| swallows(DropPattern::EveryNth(3), *n, 0))
            .collect();
        assert_eq!(swallowed, [3, 6, 9]);
    }

    #[test]
    fn probability_is_roughly_kept() {
        let swallowed = (1..=1000)
            .filter(|n| swallows(DropPattern::Probability(0.3), *n, 42))
            .count();
        assert!((200..400).contains(&swallowed), "{swallowed}");
    }
}
