//! The HTTP client of one feed: one GET of its document, with a timeout, a body limit,
//! `If-None-Match`/304 and every failure classified as a [`FeedFailure`].

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, ETAG, HeaderMap, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{Response, StatusCode};

use super::events::RawAnswer;
use super::events::{PollOutcome, PollReport};
use super::secret::Token;
use super::wire::{Document, ErrorBody, FeedEntry, decode_document};
use super::{FeedFailure, FeedKind};

/// Default largest body accepted, in bytes (FEEDS.md: 8 MiB).
pub const DEFAULT_BODY_LIMIT: u64 = 8 * 1024 * 1024;

/// Default cap of a server's `Retry-After` (the config's `max_retry_after`).
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// Where and how to reach one feed. Built from the config; the token never leaves it in text.
#[derive(Debug, Clone)]
pub struct FeedEndpoint {
    /// Which feed this is.
    pub kind: FeedKind,
    /// Base URL without a trailing slash; `/v1/...` paths are appended.
    pub base_url: String,
    /// Bearer token sent with every request, when configured.
    pub token: Option<Token>,
    /// Time between polls while the feed is healthy.
    pub poll_every: Duration,
    /// Longest wait for a whole answer, body included.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub body_limit: u64,
    /// Extra PEM root certificates to trust for HTTPS (already read from disk).
    pub ca_certs_pem: Vec<Vec<u8>>,
    /// Longest `Retry-After` honoured, for polls and control requests alike: one bad answer
    /// (a proxy asking for a day) must not park the feed for longer than this.
    pub max_retry_after: Duration,
    /// Read through a mapping (`adapter = …`) instead of speaking FEEDS v1 at `base_url`.
    pub mapped: Option<std::sync::Arc<super::adapters::MappedSource>>,
}

impl FeedEndpoint {
    /// An endpoint with the contract's defaults (poll 1 s, timeout 2 s, 8 MiB, no token).
    #[must_use]
    pub fn with_defaults(kind: FeedKind, base_url: &str) -> Self {
        FeedEndpoint {
            kind,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: None,
            poll_every: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
            body_limit: DEFAULT_BODY_LIMIT,
            ca_certs_pem: Vec::new(),
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            mapped: None,
        }
    }

    /// The server's `Retry-After` in seconds, held to [`FeedEndpoint::max_retry_after`].
    #[must_use]
    pub fn retry_after(&self, seconds: u64) -> Duration {
        Duration::from_secs(seconds).min(self.max_retry_after)
    }

    /// The full URL of `path` on this feed.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// Builds the shared HTTP client for an endpoint (rustls; extra roots when configured).
///
/// # Errors
/// When a configured CA certificate is not valid PEM, or the TLS stack cannot start.
pub fn build_http(endpoint: &FeedEndpoint) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(concat!("dropday/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(endpoint.timeout)
        .pool_max_idle_per_host(2);
    for pem in &endpoint.ca_certs_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| format!("CA certificate for the {} feed: {e}", endpoint.kind))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))
}

/// Reads one feed's document, remembering its `ETag` between polls.
#[derive(Debug)]
pub struct FeedClient {
    http: reqwest::Client,
    endpoint: FeedEndpoint,
    /// The validator of the last document decoded, sent as `If-None-Match`.
    etag: Option<String>,
}

impl FeedClient {
    /// A client for `endpoint` using `http` (shared connection pool).
    #[must_use]
    pub fn new(http: reqwest::Client, endpoint: FeedEndpoint) -> Self {
        FeedClient {
            http,
            endpoint,
            etag: None,
        }
    }

    /// The endpoint this client polls.
    #[must_use]
    pub fn endpoint(&self) -> &FeedEndpoint {
        &self.endpoint
    }

    /// Polls the feed once. Never fails: a failure is a [`PollOutcome::Failed`].
    pub async fn poll(&mut self) -> PollReport {
        self.poll_with_body().await.0
    }

    /// [`Self::poll`], with the answer's status and body as received when a 2xx document came
    /// (what a recording keeps).
    pub async fn poll_with_body(&mut self) -> (PollReport, Option<RawAnswer>) {
        let sent_at = Utc::now();
        let (outcome, raw) = match tokio::time::timeout(self.endpoint.timeout, self.fetch()).await {
            Ok(answer) => answer,
            Err(_) => (
                PollOutcome::Failed(FeedFailure::Timeout {
                    timeout_ms: millis(self.endpoint.timeout),
                }),
                None,
            ),
        };
        let report = PollReport {
            feed: self.endpoint.kind,
            sent_at,
            received_at: Utc::now(),
            outcome,
        };
        (report, raw)
    }

    async fn fetch(&mut self) -> (PollOutcome, Option<RawAnswer>) {
        let url = self.endpoint.url(self.endpoint.kind.path());
        let mut request = self.http.get(&url).timeout(self.endpoint.timeout);
        if let Some(token) = &self.endpoint.token {
            request = request.header(AUTHORIZATION, token.bearer());
        }
        if let Some(etag) = &self.etag {
            request = request.header(IF_NONE_MATCH, etag.as_str());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                return (
                    PollOutcome::Failed(classify(&e, self.endpoint.timeout)),
                    None,
                );
            }
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            let outcome = if self.etag.is_some() {
                PollOutcome::NotModified
            } else {
                PollOutcome::Failed(FeedFailure::UnexpectedNotModified)
            };
            return (outcome, None);
        }
        let etag = header_text(response.headers(), ETAG);
        let body =
            match read_limited(response, self.endpoint.body_limit, self.endpoint.timeout).await {
                Ok(body) => body,
                Err(failure) => return (PollOutcome::Failed(failure), None),
            };
        if !status.is_success() {
            return (PollOutcome::Failed(body.into_status_failure(status)), None);
        }
        let outcome = decode_outcome(self.endpoint.kind, &body.bytes);
        // Only a document we could use may be the base of a later 304.
        self.etag = match outcome {
            PollOutcome::Failed(_) => None,
            _ => etag,
        };
        let raw = RawAnswer {
            status: status.as_u16(),
            body: body.bytes,
        };
        (outcome, Some(raw))
    }
}

/// Decodes a 2xx body as the document of `kind`.
#[must_use]
pub fn decode_outcome(kind: FeedKind, body: &[u8]) -> PollOutcome {
    fn wrap<T: FeedEntry>(body: &[u8], into: fn(Document<T>) -> PollOutcome) -> PollOutcome {
        match decode_document::<T>(body) {
            Ok(document) => into(document),
            Err(e) => PollOutcome::Failed(FeedFailure::Malformed(e.to_string())),
        }
    }
    match kind {
        FeedKind::Marketplace => wrap(body, PollOutcome::Drops),
        FeedKind::Fulfilment => wrap(body, PollOutcome::Hubs),
        FeedKind::Pos => wrap(body, PollOutcome::Popups),
    }
}

/// A body read whole, with what is needed to describe a non-2xx answer.
pub(crate) struct Body {
    pub(crate) bytes: Vec<u8>,
    retry_after_s: Option<u64>,
}

impl Body {
    /// The failure a non-2xx answer stands for, with the server's code and message when the
    /// body is the protocol's JSON error, else the start of whatever text it was.
    pub(crate) fn into_status_failure(self, status: StatusCode) -> FeedFailure {
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&self.bytes) {
            Ok(body) => (Some(body.error.code), Some(body.error.message)),
            Err(_) => (None, text_excerpt(&self.bytes)),
        };
        FeedFailure::Status {
            status: status.as_u16(),
            code,
            message,
            retry_after_s: self.retry_after_s,
        }
    }
}

/// Reads a response body, refusing it as soon as it is known to exceed `limit` bytes
/// (from `Content-Length` before reading, or while streaming when none was announced).
pub(crate) async fn read_limited(
    mut response: Response,
    limit: u64,
    timeout: Duration,
) -> Result<Body, FeedFailure> {
    let retry_after_s =
        header_text(response.headers(), RETRY_AFTER).and_then(|v| parse_retry_after(&v));
    let announced =
        header_text(response.headers(), CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > limit) {
        return Err(FeedFailure::TooLarge { limit_bytes: limit });
    }
    let capacity = announced.map_or(16 * 1024, |len| usize::try_from(len).unwrap_or(0));
    let mut bytes = Vec::with_capacity(capacity);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (bytes.len() + chunk.len()) as u64 > limit {
                    return Err(FeedFailure::TooLarge { limit_bytes: limit });
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(FeedFailure::Timeout {
                    timeout_ms: millis(timeout),
                });
            }
            Err(e) => return Err(FeedFailure::Truncated(error_chain(&e))),
        }
    }
    Ok(Body {
        bytes,
        retry_after_s,
    })
}

/// `Retry-After` as seconds; the HTTP-date form is converted against the local clock.
fn parse_retry_after(value: &str) -> Option<u64> {
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(seconds);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(u64::try_from(wait.num_seconds()).unwrap_or(0))
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Classifies a request error into the failure an operator can act on.
pub(crate) fn classify(error: &reqwest::Error, timeout: Duration) -> FeedFailure {
    if error.is_timeout() {
        FeedFailure::Timeout {
            timeout_ms: millis(timeout),
        }
    } else if error.is_connect() {
        FeedFailure::Connect(error_chain(error))
    } else if error.is_body() || error.is_decode() {
        FeedFailure::Truncated(error_chain(error))
    } else {
        // Requests that fail after connecting (connection reset, closed before any answer).
        FeedFailure::Connect(error_chain(error))
    }
}

/// The error's innermost cause and what was being done when it happened, the way an operator
/// wants to read it (`tcp connect error: Connection refused (os error 111)`,
/// `error reading a body from connection: end of file before message length reached`).
///
/// The outer links of a reqwest/hyper chain are generic (`error sending request`, `client error
/// (Connect)`, `error decoding response body`) and would push the cause out of a panel title;
/// the URL is left out too, as the feed name already identifies it.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut outer = error.to_string();
    if let Some(url) = error
        .downcast_ref::<reqwest::Error>()
        .and_then(reqwest::Error::url)
    {
        outer = outer.replace(&format!(" for url ({url})"), "");
    }
    let mut links = vec![outer];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // A wrapper that already quotes its cause says it once.
        if !links.iter().any(|link| link.contains(&text)) {
            links.push(text);
        }
        source = cause.source();
    }
    let keep = links.len().saturating_sub(2);
    links[keep..].join(": ")
}

/// The first line of a non-JSON error body, shortened, for the operator (an HTML error page
/// becomes its title text at best, never a wall of markup).
fn text_excerpt(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let title = text
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title);
    let line = title.unwrap_or(text).lines().next().unwrap_or("").trim();
    let mut excerpt: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        excerpt.push('…');
    }
    Some(excerpt)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{error_chain, parse_retry_after, text_excerpt};

    /// An error with a message and an optional cause, to build chains.
    #[derive(Debug)]
    struct Link(&'static str, Option<Box<Link>>);

    impl std::fmt::Display for Link {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Link {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1
                .as_deref()
                .map(|l| l as &(dyn std::error::Error + 'static))
        }
    }

    fn chain(texts: &[&'static str]) -> Link {
        let mut link: Option<Box<Link>> = None;
        for text in texts.iter().rev() {
            link = Some(Box::new(Link(text, link)));
        }
        *link.expect("one link at least")
    }

    #[test]
    fn error_chains_keep_the_cause_and_its_context() {
        let refused = chain(&[
            "error sending request",
            "client error (Connect)",
            "tcp connect error",
            "Connection refused (os error 111)",
        ]);
        assert_eq!(
            error_chain(&refused),
            "tcp connect error: Connection refused (os error 111)"
        );
        let cut = chain(&[
            "error decoding response body",
            "request or response body error",
            "error reading a body from connection",
            "end of file before message length reached",
        ]);
        assert_eq!(
            error_chain(&cut),
            "error reading a body from connection: end of file before message length reached"
        );
        // a wrapper quoting its cause, and a lone error
        let quoted = chain(&["closed: connection reset", "connection reset"]);
        assert_eq!(error_chain(&quoted), "closed: connection reset");
        assert_eq!(error_chain(&chain(&["timed out"])), "timed out");
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after("7"), Some(7));
        assert_eq!(parse_retry_after(" 0 "), Some(0));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn html_error_pages_become_their_title() {
        let page = b"<html><head><title>502 Bad Gateway</title></head><body>...</body></html>";
        assert_eq!(text_excerpt(page).as_deref(), Some("502 Bad Gateway"));
        assert_eq!(text_excerpt(b"  \n"), None);
        let long = "x".repeat(300);
        assert_eq!(
            text_excerpt(long.as_bytes()).map(|t| t.chars().count()),
            Some(121)
        );
    }
}
