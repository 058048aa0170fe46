//! The control actions sent this session, as the Actions view lists them: what was asked, under
//! which idempotency key, and what came of it after how many attempts.

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::events::{AttemptResult, ControlAction, ControlReport, ControlRequest};

use super::audit::{AuditOutcome, Operator};

/// Where a control action stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionStatus {
    /// Sent; no final answer yet.
    Pending,
    /// The server applied it.
    Applied,
    /// The server refused it; retrying cannot help.
    Refused {
        /// The HTTP status of the refusal (409, 422, …).
        status: u16,
        /// The error body's machine code (`below_margin_floor`, …).
        code: String,
        /// The error body's message, for the operator.
        message: String,
    },
    /// No usable answer after the last attempt: it may or may not have been applied.
    Unknown {
        /// The last failure, in words (timeout, connection refused, 503, …).
        reason: String,
    },
}

impl ActionStatus {
    /// The status in words, as the Actions view and the status line show it.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            ActionStatus::Pending => "pending".to_owned(),
            ActionStatus::Applied => "applied".to_owned(),
            ActionStatus::Refused { code, message, .. } if message.is_empty() => {
                format!("refused — {code}")
            }
            ActionStatus::Refused { code, message, .. } => format!("refused — {code}: {message}"),
            ActionStatus::Unknown { reason } => {
                format!("unknown — check the drop ({reason})")
            }
        }
    }

    /// The outcome for the audit log, `None` while pending.
    #[must_use]
    pub fn audit_outcome(&self) -> Option<AuditOutcome> {
        match self {
            ActionStatus::Pending => None,
            ActionStatus::Applied => Some(AuditOutcome::Applied),
            ActionStatus::Refused { .. } => Some(AuditOutcome::Refused),
            ActionStatus::Unknown { .. } => Some(AuditOutcome::Unknown),
        }
    }
}

/// One control action of this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEntry {
    /// The request as sent: drop, action, idempotency key.
    pub request: ControlRequest,
    /// Who confirmed it: the audit names them even when another session is the one watching
    /// when the answer arrives.
    pub operator: Operator,
    /// Local clock when the operator confirmed it.
    pub confirmed_at: DateTime<Utc>,
    /// Where the action stands.
    pub status: ActionStatus,
    /// Attempts reported so far.
    pub attempts: u32,
    /// Local clock when the first attempt went out.
    pub first_sent_at: Option<DateTime<Utc>>,
    /// Local clock when the latest answer (or failure) arrived.
    pub last_received_at: Option<DateTime<Utc>>,
}

impl ActionEntry {
    /// From the first attempt sent to the latest answer; `None` before any answer.
    #[must_use]
    pub fn latency(&self) -> Option<TimeDelta> {
        Some(self.last_received_at? - self.first_sent_at?)
    }

    /// The action as the operator would say it: `pause`, `resume`, `band C`.
    #[must_use]
    pub fn describe_action(&self) -> String {
        describe_action(&self.request.action)
    }
}

/// A control action as the operator would say it: `pause`, `resume`, `band C`.
#[must_use]
pub fn describe_action(action: &ControlAction) -> String {
    match action {
        ControlAction::Pause => "pause".to_owned(),
        ControlAction::Resume => "resume".to_owned(),
        ControlAction::SetBand(band) => format!("band {band}"),
    }
}

/// Every control action of the session, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionLedger {
    entries: Vec<ActionEntry>,
    next_id: u64,
}

impl ActionLedger {
    /// A fresh action id (1, 2, …) for a request about to be confirmed.
    pub fn next_action_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Records a request `operator` confirmed.
    pub fn push(
        &mut self,
        request: ControlRequest,
        operator: Operator,
        confirmed_at: DateTime<Utc>,
    ) {
        self.entries.push(ActionEntry {
            request,
            operator,
            confirmed_at,
            status: ActionStatus::Pending,
            attempts: 0,
            first_sent_at: None,
            last_received_at: None,
        });
    }

    /// Records an action that was settled elsewhere (a replayed recording), under a fresh id.
    pub fn push_settled(&mut self, mut entry: ActionEntry) {
        entry.request.action_id = self.next_action_id();
        self.entries.push(entry);
    }

    /// Records one attempt's report. Returns the entry when this report settled it (the final
    /// outcome is known), so the caller can audit it exactly once.
    pub fn record(&mut self, report: &ControlReport) -> Option<&ActionEntry> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.request.action_id == report.action_id)?;
        if entry.status != ActionStatus::Pending {
            // A late duplicate report must not audit or change a settled action.
            return None;
        }
        entry.attempts = entry.attempts.max(report.attempt);
        entry.first_sent_at = Some(
            entry
                .first_sent_at
                .map_or(report.sent_at, |first| first.min(report.sent_at)),
        );
        entry.last_received_at = Some(report.received_at);
        let settled = match &report.result {
            AttemptResult::Applied(_) => Some(ActionStatus::Applied),
            AttemptResult::Refused {
                status,
                code,
                message,
            } => Some(ActionStatus::Refused {
                status: *status,
                code: code.clone(),
                message: message.clone(),
            }),
            AttemptResult::NoAnswer(failure) if report.last => Some(ActionStatus::Unknown {
                reason: failure.to_string(),
            }),
            AttemptResult::NoAnswer(_) => None,
        };
        let status = settled?;
        entry.status = status;
        Some(entry)
    }

    /// All entries, oldest first.
    #[must_use]
    pub fn entries(&self) -> &[ActionEntry] {
        &self.entries
    }

    /// Actions still waiting for a final answer.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.status == ActionStatus::Pending)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedFailure;
    use crate::model::fixtures::t;

    fn report(attempt: u32, result: AttemptResult, last: bool) -> ControlReport {
        ControlReport {
            action_id: 1,
            attempt,
            sent_at: t("2026-11-27T18:00:00Z") + TimeDelta::seconds(i64::from(attempt) * 2),
            received_at: t("2026-11-27T18:00:01Z") + TimeDelta::seconds(i64::from(attempt) * 2),
            result,
            last,
        }
    }

    fn ledger() -> ActionLedger {
        let mut ledger = ActionLedger::default();
        let id = ledger.next_action_id();
        ledger.push(
            ControlRequest {
                action_id: id,
                drop_id: "hoodie-01".to_owned(),
                action: ControlAction::Pause,
                idempotency_key: "k".to_owned(),
            },
            Operator::default(),
            t("2026-11-27T18:00:00Z"),
        );
        ledger
    }

    #[test]
    fn settles_once_after_retries() {
        let mut ledger = ledger();
        let timeout = || AttemptResult::NoAnswer(FeedFailure::Timeout { timeout_ms: 5000 });
        assert!(ledger.record(&report(1, timeout(), false)).is_none());
        let settled = ledger
            .record(&report(2, timeout(), true))
            .expect("last attempt settles")
            .clone();
        assert_eq!(settled.attempts, 2);
        assert!(matches!(settled.status, ActionStatus::Unknown { .. }));
        assert_eq!(settled.latency(), Some(TimeDelta::seconds(3)));
        assert!(settled.status.describe().contains("check the drop"));
        // a duplicate final report changes nothing
        assert!(ledger.record(&report(2, timeout(), true)).is_none());
        assert_eq!(ledger.pending(), 0);
    }

    #[test]
    fn refusal_is_described_with_code_and_message() {
        let mut ledger = ledger();
        let refused = AttemptResult::Refused {
            status: 422,
            code: "below_margin_floor".to_owned(),
            message: "band B's margin 20 % is under the 50 % floor".to_owned(),
        };
        let entry = ledger
            .record(&report(1, refused, true))
            .expect("refusal settles");
        assert_eq!(
            entry.status.describe(),
            "refused — below_margin_floor: band B's margin 20 % is under the 50 % floor"
        );
        assert_eq!(entry.status.audit_outcome(), Some(AuditOutcome::Refused));
    }
}
