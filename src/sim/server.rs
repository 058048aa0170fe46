//! The HTTP routes: the three feed documents, the control actions and the fault admin.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use crate::feed::FeedKind;
use crate::feed::wire::paths;

use super::auth::Access;
use super::faults::FaultKind;
use super::state::SimState;
use super::{admin, control, documents, respond};

/// Routes for the feeds in `feeds` (all three on one port, or one per port), plus the admin.
pub(crate) fn router(state: Arc<SimState>, feeds: &[FeedKind]) -> Router {
    let mut router = Router::new();
    for feed in feeds {
        router = match feed {
            FeedKind::Marketplace => router
                .route(paths::DROPS, get(drops))
                .route("/v1/drops/{id}/pause", post(control::pause))
                .route("/v1/drops/{id}/resume", post(control::resume))
                .route("/v1/drops/{id}/price-band", post(control::price_band)),
            FeedKind::Fulfilment => router.route(paths::HUBS, get(hubs)),
            FeedKind::Pos => router.route(paths::POPUPS, get(popups)),
        };
    }
    router
        .route(
            "/_sim/faults",
            get(admin::list).post(admin::set).delete(admin::clear),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn method_not_allowed() -> Response {
    respond::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "feeds are read with GET; control actions are POSTed",
    )
}

async fn not_found() -> Response {
    respond::error(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such path; the feeds are /v1/drops, /v1/hubs and /v1/popups",
    )
}

async fn drops(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    document(&state, FeedKind::Marketplace, &headers).await
}

async fn hubs(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    document(&state, FeedKind::Fulfilment, &headers).await
}

async fn popups(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    document(&state, FeedKind::Pos, &headers).await
}

/// `GET` of a feed document, faults and conditional request included.
async fn document(state: &SimState, feed: FeedKind, headers: &HeaderMap) -> Response {
    if let Err(denied) = state.tokens.check(headers, Access::Read) {
        return respond::denied(denied);
    }
    if let Some(response) = transport_faults(state, feed, |_| true).await {
        return response;
    }
    // Looked up again: a hang may have outlasted the faults seen before it.
    let faults = state.active_faults(feed);
    if faults.contains(&FaultKind::NotModified) {
        return respond::not_modified(None);
    }
    let document = documents::render(state, feed, &faults);
    if let Some(broken) = respond::broken_body(&faults, &document) {
        return broken;
    }
    let body = serde_json::to_vec(&document).unwrap_or_default();
    let etag = respond::etag(&body);
    if respond::matches_if_none_match(headers, &etag) {
        return respond::not_modified(Some(&etag));
    }
    respond::json(StatusCode::OK, body, Some(&etag))
}

/// Latency, hang, 5xx and 429 faults on `feed` that `applies` to; `Some` answer when one ends
/// the request.
pub(crate) async fn transport_faults(
    state: &SimState,
    feed: FeedKind,
    applies: impl Fn(&FaultKind) -> bool,
) -> Option<Response> {
    let faults: Vec<FaultKind> = state
        .active_faults(feed)
        .into_iter()
        .filter(|f| applies(f))
        .collect();
    for fault in &faults {
        if let FaultKind::Latency { ms } = fault {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    if faults.contains(&FaultKind::Hang) {
        state
            .wait_while(feed, |f| *f == FaultKind::Hang && applies(f))
            .await;
    }
    faults.iter().find_map(|fault| match fault {
        FaultKind::ServerError { status } => Some(respond::html_error(*status)),
        FaultKind::RateLimited { retry_after_s } => Some(respond::rate_limited(*retry_after_s)),
        _ => None,
    })
}
