//! What one evaluation of the rules finds: the conditions that hold now, each with its
//! severity, its words, when the feed says it began, and the figure an acknowledgement is
//! measured against.

use chrono::{DateTime, Utc};

use super::kind::{AlertKind, Severity};

/// One condition that holds now, for one (kind, subject).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule that found it.
    pub kind: AlertKind,
    /// Id of the drop, hub or pop-up, or the feed's name.
    pub subject: String,
    /// How urgent it is by the rule's thresholds.
    pub severity: Severity,
    /// What is wrong, with the figures.
    pub message: String,
    /// When the problem began, where the feed says so (server time): a terminal's
    /// `last_seen`, the oldest overdue order's `due_at`, …; `None`: when first observed.
    pub began: Option<DateTime<Utc>>,
    /// How bad it is, in the rule's own unit (orders overdue, units over, …): an
    /// acknowledgement re-arms when this grows past a factor of its acknowledged value.
    pub figure: Option<f64>,
}

/// The findings of one evaluation, and the projection kinds held (neither raised nor
/// cleared) because the feed they project from is stale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Every condition that holds at this evaluation, one per (kind, subject).
    pub found: Vec<Finding>,
    /// Projection kinds neither raised nor cleared this time: their feed is stale.
    pub held: Vec<AlertKind>,
}

impl Findings {
    /// Adds a finding.
    pub fn push(
        &mut self,
        kind: AlertKind,
        subject: &str,
        severity: Severity,
        message: String,
    ) -> &mut Finding {
        self.found.push(Finding {
            kind,
            subject: subject.to_owned(),
            severity,
            message,
            began: None,
            figure: None,
        });
        let last = self.found.len() - 1;
        &mut self.found[last]
    }

    /// Whether alerts of `kind` hold their state this evaluation.
    #[must_use]
    pub fn is_held(&self, kind: AlertKind) -> bool {
        self.held.contains(&kind)
    }
}

/// A point estimate resting on fewer counted events than this grades no alert: one unit in
/// the first four seconds reads 15/min, the next run's none reads 0/min, and a one-shot
/// `status` would warn or not by luck (seen on a loaded machine: five `contract-edge` runs,
/// four warned of slow-6 running out and one did not). Below it only a certain interval
/// raises anything. Five events: the 90 % interval then spans a factor of about 5.
pub const POINT_MIN_EVENTS: u64 = 5;

/// The severity of a projection alert from its interval: the kind's own severity when the
/// whole interval is past the threshold (`sure`), one step less when only the point is
/// (`likely`), none otherwise.
#[must_use]
pub fn graded(base: Severity, sure: bool, likely: bool) -> Option<Severity> {
    if sure {
        Some(base)
    } else if likely {
        base.less_urgent()
    } else {
        None
    }
}
