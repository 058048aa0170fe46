//! What the room did, turned into recording entries: alert transitions, acknowledgements and
//! silences (seen by comparing the alert book after each event with the book before), and
//! control actions (from the audit record `update` hands out at each action's final outcome).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::app::audit::{AuditOutcome, AuditRecord};
use crate::model::alerts::{Alert, AlertBook, AlertKind, Mark, Severity};

use super::format::{AlertChange, AlertTransition, Entry, RecordedAction};

/// What was last seen of one alert.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    firing: bool,
    severity: Severity,
    acked_by: Option<Mark>,
    silenced: Option<(DateTime<Utc>, Mark)>,
}

impl Seen {
    fn of(alert: &Alert) -> Self {
        Seen {
            firing: alert.is_firing(),
            severity: alert.severity,
            acked_by: alert.acknowledged_by.clone(),
            silenced: alert.silenced_until.zip(alert.silenced_by.clone()),
        }
    }
}

/// Remembers the alert book between events to tell what changed.
#[derive(Debug, Clone, Default)]
pub struct AlertWatch {
    seen: HashMap<(AlertKind, String), Seen>,
}

impl AlertWatch {
    /// A watch that has seen nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries for what changed in `book` since the last call, at local time `now`.
    pub fn changes(&mut self, book: &AlertBook, now: DateTime<Utc>) -> Vec<Entry> {
        let mut entries = Vec::new();
        let mut still = HashMap::with_capacity(self.seen.len());
        for alert in book.firing().chain(book.recently_cleared()) {
            let key = (alert.kind, alert.subject.clone());
            let seen = Seen::of(alert);
            let before = self.seen.remove(&key);
            if before.as_ref() == Some(&seen) {
                still.insert(key, seen);
                continue;
            }
            let was_firing = before.as_ref().is_some_and(|b| b.firing);
            let transition = |change| {
                Entry::Alert(AlertTransition {
                    at: now,
                    change,
                    kind: alert.kind,
                    subject: alert.subject.clone(),
                    severity: alert.severity,
                    since: alert.since,
                    first_seen: alert.first_seen,
                    cleared_at: alert.cleared_at,
                    message: alert.message.clone(),
                })
            };
            // An alert first seen already cleared was raised and cleared by one evaluation's
            // worth of events: both are told.
            if before.is_none() || (!was_firing && seen.firing) {
                entries.push(transition(AlertChange::Raised));
            }
            if (was_firing || before.is_none()) && !seen.firing {
                entries.push(transition(AlertChange::Cleared));
            }
            if was_firing
                && seen.firing
                && before.as_ref().map(|b| b.severity) != Some(seen.severity)
            {
                entries.push(transition(AlertChange::Severity));
            }
            if let Some(mark) = &seen.acked_by
                && before.as_ref().and_then(|b| b.acked_by.as_ref()) != Some(mark)
            {
                entries.push(Entry::Ack {
                    at: mark.at,
                    kind: alert.kind,
                    subject: alert.subject.clone(),
                    by: mark.by.clone(),
                });
            }
            if let Some((until, mark)) = &seen.silenced
                && before.as_ref().and_then(|b| b.silenced.as_ref())
                    != Some(&(*until, mark.clone()))
            {
                entries.push(Entry::Silence {
                    at: mark.at,
                    kind: alert.kind,
                    subject: alert.subject.clone(),
                    until: *until,
                    by: mark.by.clone(),
                });
            }
            still.insert(key, seen);
        }
        // What is left was forgotten by the book (cleared past its retention): nothing to say.
        self.seen = still;
        entries
    }
}

/// The recording entry of a control action's audit record: who, what, outcome, latency. No
/// idempotency key, address or key fingerprint is kept.
#[must_use]
pub fn action_entry(record: &AuditRecord) -> Entry {
    Entry::Action(RecordedAction {
        at: record.time,
        who: record
            .key_name
            .clone()
            .or_else(|| record.user.clone())
            .unwrap_or_else(|| "someone".to_owned()),
        drop: record.drop.clone(),
        action: record.action.clone(),
        parameters: record.parameters.clone(),
        outcome: match record.outcome {
            AuditOutcome::Applied => "applied",
            AuditOutcome::Refused => "refused",
            AuditOutcome::Unknown => "unknown",
        }
        .to_owned(),
        detail: record.detail.clone(),
        attempts: record.attempts,
        latency_ms: record.latency_ms,
    })
}
