//! The recording format: one JSON object per line, `"t"` naming what it is. A file is a
//! sequence of segments, each opened by a [`Header`] (one per start of a recording process),
//! followed by what happened, in arrival order. Lines are only ever added to this format;
//! `format` in the header says which version wrote a segment.
//!
//! Instants are RFC 3339 UTC. `received_at`/`sent_at` and the marks of people (acks, silences,
//! actions) are on the local clock of the recording process; alert instants are server time
//! (the feeds' `as_of` clock), as the alert book keeps them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::feed::events::{PollOutcome, PollReport};
use crate::feed::wire::{self, Drop, Hub, Popup};
use crate::feed::{FeedFailure, FeedKind};
use crate::model::alerts::{AlertKind, Severity};

/// The version of the format this build writes (and the newest it reads). The lines are the
/// same in both; 2 changed the framing ([`super::frames`]): a frame per start, flushed in
/// blocks, which may be left unended. Format 1 (a frame per flush) is still read.
pub const FORMAT_VERSION: u32 = 2;

/// One line of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Entry {
    /// Opens a segment: who recorded, against what, from when.
    Header(Header),
    /// A feed document as received, its body unchanged.
    Doc {
        /// `marketplace`, `fulfilment` or `pos`.
        feed: String,
        /// Local clock when the request was sent.
        sent_at: DateTime<Utc>,
        /// Local clock when the answer arrived.
        received_at: DateTime<Utc>,
        /// HTTP status of the answer (2xx).
        status: u16,
        /// The body exactly as the feed sent it (a document is UTF-8 JSON by the contract).
        body: String,
    },
    /// `304 Not Modified`: the feed's last document still holds; not stored again.
    Unchanged {
        /// `marketplace`, `fulfilment` or `pos`.
        feed: String,
        /// Local clock when the request was sent.
        sent_at: DateTime<Utc>,
        /// Local clock when the answer arrived.
        received_at: DateTime<Utc>,
    },
    /// A poll that brought nothing usable.
    Failed {
        /// `marketplace`, `fulfilment` or `pos`.
        feed: String,
        /// Local clock when the request was sent.
        sent_at: DateTime<Utc>,
        /// Local clock when the failure was known.
        received_at: DateTime<Utc>,
        /// HTTP status, when the server answered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Why, in words (the room's own wording).
        reason: String,
        /// The failure as the room classified it, so a replay shows the same health.
        failure: RecordedFailure,
    },
    /// An alert started firing, changed severity, or cleared.
    Alert(AlertTransition),
    /// Someone acknowledged an alert.
    Ack {
        /// Local clock of the acknowledgement.
        at: DateTime<Utc>,
        /// The alert's kind.
        kind: AlertKind,
        /// The alert's subject (drop, hub, pop-up or feed).
        subject: String,
        /// Who.
        by: String,
    },
    /// Someone silenced an alert (or ended a silence: `until` at or before `at`).
    Silence {
        /// Local clock of the silence.
        at: DateTime<Utc>,
        /// The alert's kind.
        kind: AlertKind,
        /// The alert's subject.
        subject: String,
        /// Local clock the silence ends.
        until: DateTime<Utc>,
        /// Who.
        by: String,
    },
    /// A control action at its final outcome.
    Action(RecordedAction),
}

/// The start of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// The dropday version that recorded.
    pub dropday: String,
    /// The configured environment name.
    pub environment: String,
    /// Each feed's name and URL, with no credentials (no token, no user or password).
    pub feeds: Vec<FeedSource>,
    /// Local clock at the start of the segment.
    pub started_at: DateTime<Utc>,
    /// How fast the server clock runs against the local one (the demo's `--speed`; 1 for real
    /// feeds), so a replay derives rates on the same clock as the live room.
    pub clock_rate: f64,
    /// `run`, `demo` or `serve`.
    pub command: String,
}

/// One feed of a recording's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSource {
    /// `marketplace`, `fulfilment` or `pos`.
    pub feed: String,
    /// The document's URL without user, password, query or fragment.
    pub url: String,
}

/// What happened to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertChange {
    /// It started firing.
    Raised,
    /// It fires at another severity now.
    Severity,
    /// It stopped firing.
    Cleared,
}

/// One alert transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertTransition {
    /// Local clock of the evaluation that made the change.
    pub at: DateTime<Utc>,
    /// Raised, severity changed, cleared.
    pub change: AlertChange,
    /// The rule.
    pub kind: AlertKind,
    /// Drop, hub, pop-up or feed.
    pub subject: String,
    /// Severity after the change.
    pub severity: Severity,
    /// When the problem began (server time).
    pub since: DateTime<Utc>,
    /// When an evaluation first found it (server time).
    pub first_seen: DateTime<Utc>,
    /// When it cleared (server time); only on `cleared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_at: Option<DateTime<Utc>>,
    /// The alert's text at the change.
    pub message: String,
}

/// A control action as the audit log has it, without anything secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedAction {
    /// Local clock of the final outcome.
    pub at: DateTime<Utc>,
    /// Who sent it (a served room's key name, else the local user).
    pub who: String,
    /// The drop acted on.
    pub drop: String,
    /// `pause`, `resume` or `price_band`.
    pub action: String,
    /// The action's parameters (`{"band": "B"}`).
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// `applied`, `refused` or `unknown`.
    pub outcome: String,
    /// The refusal or the last failure, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// HTTP attempts made.
    pub attempts: u32,
    /// First attempt sent to final answer, in milliseconds.
    pub latency_ms: i64,
}

/// A [`FeedFailure`] in the recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordedFailure {
    /// No connection.
    Connect {
        /// The error text.
        detail: String,
    },
    /// No answer in time.
    Timeout {
        /// The timeout, in milliseconds.
        timeout_ms: u64,
    },
    /// A non-2xx answer.
    Status {
        /// HTTP status.
        status: u16,
        /// `error.code`.
        code: Option<String>,
        /// `error.message`.
        message: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_s: Option<u64>,
    },
    /// The body was cut.
    Truncated {
        /// The error text.
        detail: String,
    },
    /// The body was over the limit.
    TooLarge {
        /// The limit in bytes.
        limit_bytes: u64,
    },
    /// Not a valid document.
    Malformed {
        /// The error text.
        detail: String,
    },
    /// A 304 with nothing cached.
    UnexpectedNotModified,
    /// A mapped feed's mapping failed (`feed::adapters`).
    Mapping {
        /// The mapping's name or path.
        mapping: String,
        /// The request that failed, when one did.
        request: Option<String>,
        /// What went wrong.
        cause: Box<RecordedFailure>,
    },
}

impl From<&FeedFailure> for RecordedFailure {
    fn from(failure: &FeedFailure) -> Self {
        match failure.clone() {
            FeedFailure::Connect(detail) => RecordedFailure::Connect { detail },
            FeedFailure::Timeout { timeout_ms } => RecordedFailure::Timeout { timeout_ms },
            FeedFailure::Status {
                status,
                code,
                message,
                retry_after_s,
            } => RecordedFailure::Status {
                status,
                code,
                message,
                retry_after_s,
            },
            FeedFailure::Truncated(detail) => RecordedFailure::Truncated { detail },
            FeedFailure::TooLarge { limit_bytes } => RecordedFailure::TooLarge { limit_bytes },
            FeedFailure::Malformed(detail) => RecordedFailure::Malformed { detail },
            FeedFailure::UnexpectedNotModified => RecordedFailure::UnexpectedNotModified,
            FeedFailure::Mapping {
                mapping,
                request,
                cause,
            } => RecordedFailure::Mapping {
                mapping,
                request,
                cause: Box::new(RecordedFailure::from(&*cause)),
            },
        }
    }
}

impl From<RecordedFailure> for FeedFailure {
    fn from(failure: RecordedFailure) -> Self {
        match failure {
            RecordedFailure::Connect { detail } => FeedFailure::Connect(detail),
            RecordedFailure::Timeout { timeout_ms } => FeedFailure::Timeout { timeout_ms },
            RecordedFailure::Status {
                status,
                code,
                message,
                retry_after_s,
            } => FeedFailure::Status {
                status,
                code,
                message,
                retry_after_s,
            },
            RecordedFailure::Truncated { detail } => FeedFailure::Truncated(detail),
            RecordedFailure::TooLarge { limit_bytes } => FeedFailure::TooLarge { limit_bytes },
            RecordedFailure::Malformed { detail } => FeedFailure::Malformed(detail),
            RecordedFailure::UnexpectedNotModified => FeedFailure::UnexpectedNotModified,
            RecordedFailure::Mapping {
                mapping,
                request,
                cause,
            } => FeedFailure::Mapping {
                mapping,
                request,
                cause: Box::new(FeedFailure::from(*cause)),
            },
        }
    }
}

/// The feed of a recorded name, `None` for a name this build does not know.
#[must_use]
pub fn feed_named(name: &str) -> Option<FeedKind> {
    FeedKind::ALL.into_iter().find(|kind| kind.name() == name)
}

impl Entry {
    /// The entry for one poll: the document's body as received (`status` and `body` are the
    /// answer the report came from), `unchanged` for a 304, `failed` otherwise.
    #[must_use]
    pub fn of_poll(report: &PollReport, status: Option<u16>, body: Option<&[u8]>) -> Entry {
        let feed = report.feed.name().to_owned();
        let (sent_at, received_at) = (report.sent_at, report.received_at);
        match (&report.outcome, body) {
            (PollOutcome::NotModified, _) => Entry::Unchanged {
                feed,
                sent_at,
                received_at,
            },
            (PollOutcome::Failed(failure), _) => Entry::Failed {
                feed,
                sent_at,
                received_at,
                status: match failure {
                    FeedFailure::Status { status, .. } => Some(*status),
                    _ => status,
                },
                reason: failure.to_string(),
                failure: RecordedFailure::from(failure),
            },
            (_, Some(body)) => Entry::Doc {
                feed,
                sent_at,
                received_at,
                status: status.unwrap_or(200),
                body: String::from_utf8_lossy(body).into_owned(),
            },
            // A document without its body (a source that hands over decoded documents only)
            // is written as the room read it: the same figures on replay.
            (outcome, None) => Entry::Doc {
                feed,
                sent_at,
                received_at,
                status: status.unwrap_or(200),
                body: reserialize(outcome),
            },
        }
    }

    /// The poll report a feed entry stands for (decoded as the live room decoded it), `None`
    /// for entries that are not polls or name a feed this build does not know.
    #[must_use]
    pub fn to_poll(&self) -> Option<PollReport> {
        let (feed, sent_at, received_at, outcome) = match self {
            Entry::Doc {
                feed,
                sent_at,
                received_at,
                body,
                ..
            } => {
                let kind = feed_named(feed)?;
                (kind, sent_at, received_at, decode(kind, body.as_bytes()))
            }
            Entry::Unchanged {
                feed,
                sent_at,
                received_at,
            } => (
                feed_named(feed)?,
                sent_at,
                received_at,
                PollOutcome::NotModified,
            ),
            Entry::Failed {
                feed,
                sent_at,
                received_at,
                failure,
                ..
            } => (
                feed_named(feed)?,
                sent_at,
                received_at,
                PollOutcome::Failed(failure.clone().into()),
            ),
            _ => return None,
        };
        Some(PollReport {
            feed,
            sent_at: *sent_at,
            received_at: *received_at,
            outcome,
        })
    }

    /// The local instant the entry happened at (a header's start).
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Entry::Header(header) => header.started_at,
            Entry::Doc { received_at, .. }
            | Entry::Unchanged { received_at, .. }
            | Entry::Failed { received_at, .. } => *received_at,
            Entry::Alert(transition) => transition.at,
            Entry::Ack { at, .. } | Entry::Silence { at, .. } => *at,
            Entry::Action(action) => action.at,
        }
    }
}

/// Decodes a recorded body as the live room decoded the answer (the same as the feed client).
#[must_use]
pub fn decode(kind: FeedKind, body: &[u8]) -> PollOutcome {
    fn wrap<T: wire::FeedEntry>(
        body: &[u8],
        into: fn(wire::Document<T>) -> PollOutcome,
    ) -> PollOutcome {
        match wire::decode_document::<T>(body) {
            Ok(document) => into(document),
            Err(e) => PollOutcome::Failed(FeedFailure::Malformed(e.to_string())),
        }
    }
    match kind {
        FeedKind::Marketplace => wrap::<Drop>(body, PollOutcome::Drops),
        FeedKind::Fulfilment => wrap::<Hub>(body, PollOutcome::Hubs),
        FeedKind::Pos => wrap::<Popup>(body, PollOutcome::Popups),
    }
}

/// A decoded document written back as the protocol's JSON (for sources without a raw body).
fn reserialize(outcome: &PollOutcome) -> String {
    #[derive(Serialize)]
    struct Out<'a, T> {
        as_of: DateTime<Utc>,
        #[serde(flatten)]
        list: std::collections::BTreeMap<&'static str, &'a [T]>,
    }
    fn out<T: Serialize + wire::FeedEntry>(doc: &wire::Document<T>) -> String {
        let list = std::iter::once((T::LIST_KEY, doc.entries.as_slice())).collect();
        serde_json::to_string(&Out {
            as_of: doc.as_of,
            list,
        })
        .unwrap_or_default()
    }
    match outcome {
        PollOutcome::Drops(doc) => out(doc),
        PollOutcome::Hubs(doc) => out(doc),
        PollOutcome::Popups(doc) => out(doc),
        PollOutcome::NotModified | PollOutcome::Failed(_) => String::new(),
    }
}
