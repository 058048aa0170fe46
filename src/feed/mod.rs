//! The three feeds: wire types, the HTTP client that reads them and the polling tasks.

pub mod adapters;
pub mod client;
pub mod control;
pub mod events;
pub mod poller;
pub mod secret;
pub mod timestamp;
pub mod wire;

use std::fmt;

use serde::Serialize;

/// One of the three feeds the control room reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// Drop windows, funnel, stock, price bands; also takes control actions.
    Marketplace,
    /// Hub capacity, pipeline, SLA, overdue orders.
    Fulfilment,
    /// Pop-up terminals, sales, pick-ups.
    Pos,
}

impl FeedKind {
    /// All feeds, in display order.
    pub const ALL: [FeedKind; 3] = [FeedKind::Marketplace, FeedKind::Fulfilment, FeedKind::Pos];

    /// The name used in config sections, logs and `status` output.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            FeedKind::Marketplace => "marketplace",
            FeedKind::Fulfilment => "fulfilment",
            FeedKind::Pos => "pos",
        }
    }

    /// The path of this feed's document, appended to its base URL.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            FeedKind::Marketplace => wire::paths::DROPS,
            FeedKind::Fulfilment => wire::paths::HUBS,
            FeedKind::Pos => wire::paths::POPUPS,
        }
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why one poll of a feed failed. Pure data, so the core can reason about it without I/O.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedFailure {
    /// The TCP/TLS connection could not be made (refused, unreachable, DNS, TLS).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// No complete answer within the request timeout.
    #[error("no answer within {timeout_ms} ms")]
    Timeout {
        /// The timeout that ran out, in milliseconds.
        timeout_ms: u64,
    },
    /// The server answered with a non-2xx status.
    #[error("HTTP {status}{}", code_text(.code.as_ref(), .message.as_ref()))]
    Status {
        /// The HTTP status code.
        status: u16,
        /// `error.code` of a JSON error body, when the body was one.
        code: Option<String>,
        /// `error.message`, or the start of a non-JSON body.
        message: Option<String>,
        /// Seconds the server asked us to wait (`Retry-After`), when it said so.
        retry_after_s: Option<u64>,
    },
    /// The body could not be read to its end (connection cut, truncated body).
    #[error("body cut short: {0}")]
    Truncated(String),
    /// The body was larger than the configured limit.
    #[error("body larger than the {limit_bytes}-byte limit")]
    TooLarge {
        /// The configured limit, in bytes.
        limit_bytes: u64,
    },
    /// The body was read but is not a valid document.
    #[error("malformed document: {0}")]
    Malformed(String),
    /// `304 Not Modified` although we sent no `If-None-Match` (or have nothing cached).
    #[error("304 Not Modified without a cached document")]
    UnexpectedNotModified,
    /// A mapped source failed: which mapping, which of its requests (none: its jq program or
    /// the decoder), and why.
    #[error("mapping {mapping}{}: {cause}", .request.as_ref().map(|r| format!(", request {r}")).unwrap_or_default())]
    Mapping {
        /// The mapping's name (`square-pos`, or the path of the user's file).
        mapping: String,
        /// The request that failed, when one did.
        request: Option<String>,
        /// What went wrong.
        cause: Box<FeedFailure>,
    },
}

fn code_text(code: Option<&String>, message: Option<&String>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!(" {code}: {message}"),
        (Some(code), None) => format!(" {code}"),
        (None, Some(message)) => format!(": {message}"),
        (None, None) => String::new(),
    }
}

impl FeedFailure {
    /// Seconds the server asked the client to wait before the next poll.
    #[must_use]
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            FeedFailure::Status { retry_after_s, .. } => *retry_after_s,
            FeedFailure::Mapping { cause, .. } => cause.retry_after_s(),
            _ => None,
        }
    }
}
