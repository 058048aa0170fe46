//! Control actions on the marketplace: one logical request, one idempotency key, bounded retries.

use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use tokio::sync::mpsc;

use super::client::{FeedEndpoint, build_http, classify, read_limited};
use super::events::{AttemptResult, ControlAction, ControlReport, ControlRequest};
use super::wire::{BandChange, Drop, IDEMPOTENCY_KEY_HEADER};
use super::{FeedFailure, FeedKind};

/// How many times a request without a usable answer is sent, and the waits between.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub first_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            first_wait: Duration::from_millis(500),
        }
    }
}

/// Sends control requests to the marketplace. It exists only in read-write sessions: a
/// read-only session has none, so no control request can be sent from it.
#[derive(Debug, Clone)]
pub struct ControlClient {
    http: reqwest::Client,
    endpoint: FeedEndpoint,
    retry: RetryPolicy,
}

impl ControlClient {
    /// A client for the marketplace endpoint.
    ///
    /// # Errors
    /// When the endpoint is not the marketplace's or its HTTP client cannot be built.
    pub fn new(endpoint: FeedEndpoint, retry: RetryPolicy) -> Result<Self, String> {
        if endpoint.kind != FeedKind::Marketplace {
            return Err("control actions go to the marketplace feed only".to_owned());
        }
        let http = build_http(&endpoint)?;
        Ok(ControlClient {
            http,
            endpoint,
            retry,
        })
    }

    /// Runs `request` to its final outcome, sending a report after every attempt.
    /// Attempts carry the same idempotency key, so the server applies it at most once.
    pub async fn execute<E>(&self, request: ControlRequest, reports: mpsc::Sender<E>)
    where
        E: From<ControlReport> + Send + 'static,
    {
        let attempts = self.retry.attempts.max(1);
        let mut wait = self.retry.first_wait;
        for attempt in 1..=attempts {
            let sent_at = Utc::now();
            let result = self.attempt(&request).await;
            let retry = matches!(result, AttemptResult::NoAnswer(_)) && attempt < attempts;
            let report = ControlReport {
                action_id: request.action_id,
                attempt,
                sent_at,
                received_at: Utc::now(),
                result,
                last: !retry,
            };
            let asked = match &report.result {
                AttemptResult::NoAnswer(failure) => failure.retry_after_s(),
                _ => None,
            };
            if reports.send(E::from(report)).await.is_err() || !retry {
                return;
            }
            tokio::time::sleep(next_wait(wait, asked, &self.endpoint)).await;
            wait = wait.saturating_mul(2);
        }
    }

    async fn attempt(&self, request: &ControlRequest) -> AttemptResult {
        let path = match &request.action {
            ControlAction::Pause => "pause",
            ControlAction::Resume => "resume",
            ControlAction::SetBand(_) => "price-band",
        };
        let url = self.endpoint.url(&format!(
            "/v1/drops/{}/{path}",
            encode_path_segment(&request.drop_id)
        ));
        let mut builder = self
            .http
            .post(&url)
            .timeout(self.endpoint.timeout)
            .header(IDEMPOTENCY_KEY_HEADER, request.idempotency_key.as_str());
        if let Some(token) = &self.endpoint.token {
            builder = builder.header(AUTHORIZATION, token.bearer());
        }
        if let ControlAction::SetBand(band) = &request.action {
            let body = BandChange { band: band.clone() };
            match serde_json::to_vec(&body) {
                Ok(bytes) => {
                    builder = builder
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(bytes);
                }
                Err(e) => {
                    return AttemptResult::NoAnswer(FeedFailure::Malformed(e.to_string()));
                }
            }
        }
        let timeout = self.endpoint.timeout;
        let exchange = async {
            let response = builder.send().await.map_err(|e| classify(&e, timeout))?;
            let status = response.status();
            let body = read_limited(response, self.endpoint.body_limit, timeout).await?;
            Ok::<_, FeedFailure>((status, body))
        };
        let (status, body) = match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(failure)) => return AttemptResult::NoAnswer(failure),
            Err(_) => {
                return AttemptResult::NoAnswer(FeedFailure::Timeout {
                    timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                });
            }
        };
        if status.is_success() {
            return match serde_json::from_slice::<Drop>(&body.bytes) {
                Ok(drop) => AttemptResult::Applied(Box::new(drop)),
                // Applied, but we cannot show the result: the next poll will.
                Err(e) => AttemptResult::NoAnswer(FeedFailure::Malformed(format!(
                    "the server answered {status} with a drop that does not decode: {e}"
                ))),
            };
        }
        let failure = body.into_status_failure(status);
        match failure {
            FeedFailure::Status {
                status,
                code,
                message,
                ..
            } if is_refusal(status, code.as_deref()) => AttemptResult::Refused {
                status,
                code: code.unwrap_or_else(|| format!("http_{status}")),
                message: message.unwrap_or_default(),
            },
            other => AttemptResult::NoAnswer(other),
        }
    }
}

/// The wait before the next attempt: the policy's, or longer when a 429 (or 503) said
/// `Retry-After`, held to the endpoint's `max_retry_after` as polls are.
fn next_wait(
    policy_wait: Duration,
    retry_after_s: Option<u64>,
    endpoint: &FeedEndpoint,
) -> Duration {
    retry_after_s.map_or(policy_wait, |s| policy_wait.max(endpoint.retry_after(s)))
}

/// A 4xx is the server's final word, except `409 request_in_progress` (the first attempt is
/// still running there: asking again later gets its answer) and `429` (come back later).
fn is_refusal(status: u16, code: Option<&str>) -> bool {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    status.is_client_error()
        && status != StatusCode::TOO_MANY_REQUESTS
        && status != StatusCode::REQUEST_TIMEOUT
        && code != Some("request_in_progress")
}

/// Percent-encodes a drop id for use as one path segment.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{FeedEndpoint, FeedKind, encode_path_segment, is_refusal, next_wait};

    #[test]
    fn a_rate_limited_control_request_waits_as_asked_within_the_cap() {
        let mut endpoint = FeedEndpoint::with_defaults(FeedKind::Marketplace, "http://x");
        endpoint.max_retry_after = Duration::from_secs(20);
        let policy = Duration::from_millis(500);
        assert_eq!(next_wait(policy, None, &endpoint), policy);
        assert_eq!(next_wait(policy, Some(0), &endpoint), policy);
        assert_eq!(
            next_wait(policy, Some(3), &endpoint),
            Duration::from_secs(3)
        );
        assert_eq!(
            next_wait(policy, Some(86_400), &endpoint),
            Duration::from_secs(20)
        );
    }

    #[test]
    fn refusals_are_final_but_in_progress_and_rate_limits_are_retried() {
        assert!(is_refusal(409, Some("invalid_state")));
        assert!(is_refusal(422, Some("below_margin_floor")));
        assert!(is_refusal(403, None));
        assert!(!is_refusal(409, Some("request_in_progress")));
        assert!(!is_refusal(429, None));
        assert!(!is_refusal(503, None));
    }

    #[test]
    fn drop_ids_are_one_path_segment() {
        assert_eq!(encode_path_segment("hoodie-01"), "hoodie-01");
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
    }
}
