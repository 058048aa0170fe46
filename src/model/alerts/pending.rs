//! Conditions that hold but have not held for their kind's pending time (`for`) yet.

use chrono::{DateTime, Utc};

use super::finding::Finding;
use super::kind::{AlertKind, Severity};

/// A condition waiting out its pending time. Forgotten as soon as an evaluation does not
/// find it (the pending time starts over), unless its kind is held.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAlert {
    /// The rule that found it.
    pub kind: AlertKind,
    /// Id of the drop, hub or pop-up, or the feed's name.
    pub subject: String,
    /// How urgent it will be when it fires: the most urgent any evaluation found while it
    /// waited.
    pub severity: Severity,
    /// What is wrong, with the figures of the latest evaluation.
    pub message: String,
    /// When the problem began (the feed's word, else `first_seen`), never after `first_seen`'s
    /// evaluation. Server time.
    pub since: DateTime<Utc>,
    /// When an evaluation first found it (server time).
    pub first_seen: DateTime<Utc>,
    /// How bad it is, in the rule's own unit (see `Finding::figure`).
    pub figure: Option<f64>,
}

impl PendingAlert {
    /// A condition first found at `now`.
    #[must_use]
    pub fn new(finding: Finding, now: DateTime<Utc>) -> Self {
        let mut pending = Self {
            kind: finding.kind,
            subject: finding.subject.clone(),
            severity: finding.severity,
            message: String::new(),
            since: now,
            first_seen: now,
            figure: None,
        };
        pending.update(finding, now);
        pending
    }

    /// The condition found again at `now`, with new words and figures. Its severity only
    /// rises while it waits, as a firing alert's falls only after its clear delay: a figure
    /// hovering at a materiality threshold otherwise showed `crit pending` and `info pending`
    /// on alternate seconds, and fired with whichever it had at the 30th.
    pub fn update(&mut self, finding: Finding, now: DateTime<Utc>) {
        self.severity = self.severity.min(finding.severity);
        self.message = finding.message;
        self.figure = finding.figure;
        self.since = finding.began.unwrap_or(self.first_seen).min(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::at;

    fn finding(severity: Severity) -> Finding {
        Finding {
            kind: AlertKind::CapacityExhaustion,
            subject: "ewr-1".to_owned(),
            severity,
            message: format!("{severity:?}"),
            began: None,
            figure: None,
        }
    }

    #[test]
    fn a_waiting_condition_keeps_its_most_urgent_severity() {
        // The least overage hovering at the 20-unit materiality threshold: critical and info
        // on alternate seconds.
        let mut pending = PendingAlert::new(finding(Severity::Info), at(0));
        assert_eq!(pending.severity, Severity::Info);
        pending.update(finding(Severity::Critical), at(1));
        pending.update(finding(Severity::Info), at(2));
        assert_eq!(pending.severity, Severity::Critical);
        assert_eq!(pending.message, "Info", "the words are the latest");
    }
}
