//! Building answers: protocol error bodies, the HTML and throttling answers of faults, document
//! bodies with their `ETag`, and bodies broken on purpose.

use std::io;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderValue, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode, header::IF_NONE_MATCH};
use axum::response::{IntoResponse, Response};

use crate::feed::wire::{ErrorBody, ErrorDetail};

use super::auth::Denied;
use super::faults::FaultKind;

const JSON: &str = "application/json";
/// Chunk size of streamed (chunked) bodies.
const CHUNK: usize = 64 * 1024;
/// How long a cut-short body waits after its partial bytes before the connection closes.
const CUT_DELAY: std::time::Duration = std::time::Duration::from_millis(50);

/// The protocol's error answer: `{"error": {"code", "message"}}`.
pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = error_body(code, message);
    (status, [(CONTENT_TYPE, JSON)], body).into_response()
}

/// The bytes of an error body.
pub(crate) fn error_body(code: &str, message: impl Into<String>) -> Vec<u8> {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.into(),
        },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// 401 or 403 for a request without the right token.
pub(crate) fn denied(denied: Denied) -> Response {
    match denied {
        Denied::Unauthenticated(message) => {
            let mut response = error(StatusCode::UNAUTHORIZED, "unauthorized", message);
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
            response
        }
        Denied::Forbidden => error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this token may read the feeds but not operate the drops",
        ),
    }
}

/// A 5xx as a proxy in front of a crashed server sends it: HTML, not the protocol's JSON.
pub(crate) fn html_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = format!(
        "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (status, [(CONTENT_TYPE, "text/html")], text).into_response()
}

/// 429 with `Retry-After`.
pub(crate) fn rate_limited(retry_after_s: u64) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many requests; retry after {retry_after_s} s"),
    );
    if let Ok(value) = HeaderValue::from_str(&retry_after_s.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// A strong `ETag` of a body: FNV-1a, stable across runs (unlike the std hasher).
pub(crate) fn etag(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`).
pub(crate) fn matches_if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// 304 with the document's `ETag` (or none, for the fault that sends it unasked).
pub(crate) fn not_modified(etag: Option<&str>) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Some(value) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// A 200 JSON answer.
pub(crate) fn json(status: StatusCode, body: Vec<u8>, etag: Option<&str>) -> Response {
    let mut response = (status, [(CONTENT_TYPE, JSON)], body).into_response();
    if let Some(value) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// How a faulty document body is broken, if at all.
pub(crate) fn broken_body(faults: &[FaultKind], document: &serde_json::Value) -> Option<Response> {
    let body = || serde_json::to_vec(document).unwrap_or_default();
    for fault in faults {
        let response = match fault {
            FaultKind::MalformedJson => {
                let mut bytes = body();
                bytes.truncate(bytes.len() / 2);
                // `,,` is never JSON, whether the cut landed inside a string or not.
                bytes.extend_from_slice(b",,}<!-- upstream error -->");
                json(StatusCode::OK, bytes, None)
            }
            FaultKind::Truncated => {
                let bytes = body();
                let promised = bytes.len();
                let sent = Bytes::from(bytes).slice(..promised / 2);
                // A streamed body lets the header promise more than is sent: hyper then ends
                // the connection when the stream stops short.
                let mut response = Response::new(Body::from_stream(cut_short(sent)));
                let headers = response.headers_mut();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
                headers.insert(CONTENT_LENGTH, HeaderValue::from(promised));
                response
            }
            FaultKind::TruncatedChunked => {
                let bytes = Bytes::from(body());
                let sent = bytes.slice(..bytes.len() / 2);
                let mut response = Response::new(Body::from_stream(cut_short(sent)));
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
                response
            }
            FaultKind::Oversized { bytes } => json(StatusCode::OK, padded(document, *bytes), None),
            FaultKind::OversizedChunked { bytes } => {
                let padded = Bytes::from(padded(document, *bytes));
                let chunks: Vec<Result<Bytes, io::Error>> = (0..padded.len())
                    .step_by(CHUNK)
                    .map(|at| Ok(padded.slice(at..(at + CHUNK).min(padded.len()))))
                    .collect();
                let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
                response
            }
            _ => continue,
        };
        return Some(response);
    }
    None
}

/// A body stream that sends `sent` and then fails. The pause between lets hyper flush the head
/// and the partial body first; failing at once would close the connection before either left.
fn cut_short(sent: Bytes) -> impl futures::Stream<Item = Result<Bytes, io::Error>> {
    use futures::StreamExt;
    let fail = futures::stream::once(async {
        tokio::time::sleep(CUT_DELAY).await;
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "cut short by fault",
        ))
    });
    futures::stream::iter([Ok(sent)]).chain(fail)
}

/// The document with a `padding` field (ignored by clients) that brings it past `size` bytes.
fn padded(document: &serde_json::Value, size: u64) -> Vec<u8> {
    let mut document = document.clone();
    let base = serde_json::to_vec(&document).map_or(0, |b| b.len());
    let pad = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_sub(base)
        + 1;
    if let Some(object) = document.as_object_mut() {
        object.insert(
            "padding".to_owned(),
            serde_json::Value::String(" ".repeat(pad)),
        );
    }
    serde_json::to_vec(&document).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_stable_and_quoted() {
        assert_eq!(etag(b"abc"), etag(b"abc"));
        assert_ne!(etag(b"abc"), etag(b"abd"));
        assert!(etag(b"").starts_with('"') && etag(b"").ends_with('"'));
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let mut headers = HeaderMap::new();
        headers.insert(IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"y\""));
        assert!(matches_if_none_match(&headers, "\"y\""));
        assert!(!matches_if_none_match(&headers, "\"z\""));
    }

    #[test]
    fn padding_passes_the_size_and_stays_json() {
        let doc = serde_json::json!({"as_of": "2026-11-27T18:00:00Z", "drops": []});
        let body = padded(&doc, 1024 * 1024);
        assert!(body.len() > 1024 * 1024);
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
    }
}
