//! What the feed tasks report to the application: one poll's outcome, one control attempt's.
//!
//! These are plain data so `app::update` can consume them without any I/O.

use chrono::{DateTime, Utc};

use super::wire::{Document, Drop, Hub, Popup};
use super::{FeedFailure, FeedKind};

/// The outcome of one poll of one feed.
#[derive(Debug, Clone)]
pub struct PollReport {
    /// The feed that was polled.
    pub feed: FeedKind,
    /// Local clock when the request was sent.
    pub sent_at: DateTime<Utc>,
    /// Local clock when the answer (or the failure) arrived.
    pub received_at: DateTime<Utc>,
    /// What the poll brought back.
    pub outcome: PollOutcome,
}

/// A 2xx answer as the feed sent it: what a recording keeps of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body, unchanged.
    pub body: Vec<u8>,
}

/// What a poll brought back.
#[derive(Debug, Clone)]
pub enum PollOutcome {
    /// A marketplace document.
    Drops(Document<Drop>),
    /// A fulfilment document.
    Hubs(Document<Hub>),
    /// A point-of-sale document.
    Popups(Document<Popup>),
    /// `304 Not Modified`: the last document is still current.
    NotModified,
    /// The poll failed; the data held is kept.
    Failed(FeedFailure),
}

/// A control action on a drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlAction {
    /// `live` → `paused`: the storefront stops taking orders.
    Pause,
    /// `paused` → `live`.
    Resume,
    /// Make this band the active price.
    SetBand(String),
}

impl ControlAction {
    /// The action's name in the audit log and the Actions panel.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ControlAction::Pause => "pause",
            ControlAction::Resume => "resume",
            ControlAction::SetBand(_) => "price_band",
        }
    }
}

/// One confirmed control action: exactly one logical request with one idempotency key,
/// however many attempts it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRequest {
    /// Local sequence number, to match updates to the request.
    pub action_id: u64,
    /// The drop acted on.
    pub drop_id: String,
    /// What is asked of it.
    pub action: ControlAction,
    /// Sent unchanged with every attempt so a retry never applies twice.
    pub idempotency_key: String,
}

/// Progress of a control request: one report per attempt, the last one with `last = true`.
#[derive(Debug, Clone)]
pub struct ControlReport {
    /// The [`ControlRequest::action_id`] this attempt belongs to.
    pub action_id: u64,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Local clock when the attempt was sent.
    pub sent_at: DateTime<Utc>,
    /// Local clock when its answer (or failure) arrived.
    pub received_at: DateTime<Utc>,
    /// What the server said.
    pub result: AttemptResult,
    /// No further attempt follows.
    pub last: bool,
}

/// The answer to one attempt of a control request.
#[derive(Debug, Clone)]
pub enum AttemptResult {
    /// 200: the server applied it and sent the drop as it now is.
    Applied(Box<Drop>),
    /// 4xx: the server refused; retrying cannot help.
    Refused {
        /// HTTP status of the refusal.
        status: u16,
        /// `error.code` of the answer (`invalid_state`, `below_margin_floor`, …).
        code: String,
        /// `error.message` of the answer.
        message: String,
    },
    /// No usable answer (timeout, connection error, 5xx, 409 `request_in_progress`): the action
    /// may or may not have been applied. Retried with the same key unless `last`.
    NoAnswer(FeedFailure),
}
