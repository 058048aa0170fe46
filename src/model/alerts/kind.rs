//! What an alert is about and how urgent it is: the stable names of `status --json`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::feed::FeedKind;

/// How urgent an alert is. Orders critical first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Act now; `status --check` exits 2.
    Critical,
    /// Needs a look soon; `status --check` exits 1.
    Warning,
    /// Worth knowing, nothing to do yet; `status --check` exits 0.
    Info,
}

impl Severity {
    /// The stable lower-case name (`critical`, `warning`, `info`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl Severity {
    /// One step less urgent; `None` below info.
    #[must_use]
    pub fn less_urgent(self) -> Option<Severity> {
        match self {
            Severity::Critical => Some(Severity::Warning),
            Severity::Warning => Some(Severity::Info),
            Severity::Info => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an alert is about. The `snake_case` names are a stable interface (`status --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A hub's capacity is projected to run out (or has run out) before its window ends.
    CapacityExhaustion,
    /// A hub's projected consumption at window end is below its minimum commitment.
    CapacityUnderuse,
    /// A hub's on-time % is below its target, over enough orders.
    SlaBreach,
    /// A hub has orders past due and not shipped.
    OrdersOverdue,
    /// An open pop-up has a terminal offline.
    TerminalOffline,
    /// A pop-up has pick-ups waiting past their time.
    PickupsOverdue,
    /// A drop's active price band has a margin below the drop's floor.
    MarginBelowFloor,
    /// A live drop is projected to sell out before it closes.
    SelloutSoon,
    /// A scheduled drop opens soon.
    DropOpening,
    /// A live drop converts much worse now than over its whole life.
    ConversionDrop,
    /// The last poll of a feed failed.
    FeedError,
    /// A feed had no successful poll for several intervals.
    FeedStale,
}

impl AlertKind {
    /// Every kind.
    pub const ALL: [AlertKind; 12] = [
        AlertKind::CapacityExhaustion,
        AlertKind::CapacityUnderuse,
        AlertKind::SlaBreach,
        AlertKind::OrdersOverdue,
        AlertKind::TerminalOffline,
        AlertKind::PickupsOverdue,
        AlertKind::MarginBelowFloor,
        AlertKind::SelloutSoon,
        AlertKind::DropOpening,
        AlertKind::ConversionDrop,
        AlertKind::FeedError,
        AlertKind::FeedStale,
    ];

    /// The stable `snake_case` name, the same as its serde form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::CapacityExhaustion => "capacity_exhaustion",
            AlertKind::CapacityUnderuse => "capacity_underuse",
            AlertKind::SlaBreach => "sla_breach",
            AlertKind::OrdersOverdue => "orders_overdue",
            AlertKind::TerminalOffline => "terminal_offline",
            AlertKind::PickupsOverdue => "pickups_overdue",
            AlertKind::MarginBelowFloor => "margin_below_floor",
            AlertKind::SelloutSoon => "sellout_soon",
            AlertKind::DropOpening => "drop_opening",
            AlertKind::ConversionDrop => "conversion_drop",
            AlertKind::FeedError => "feed_error",
            AlertKind::FeedStale => "feed_stale",
        }
    }

    /// Whether the rule projects a rate forward: it grades its severity on the rate's
    /// interval, and holds its state while the rate's feed is stale.
    #[must_use]
    pub fn is_projection(self) -> bool {
        matches!(
            self,
            AlertKind::CapacityExhaustion
                | AlertKind::CapacityUnderuse
                | AlertKind::SelloutSoon
                | AlertKind::ConversionDrop
        )
    }

    /// The feed whose figures the rule reads (`None` for the feed-health rules, which read
    /// every feed).
    #[must_use]
    pub fn feed(self) -> Option<FeedKind> {
        match self {
            AlertKind::CapacityExhaustion
            | AlertKind::CapacityUnderuse
            | AlertKind::SlaBreach
            | AlertKind::OrdersOverdue => Some(FeedKind::Fulfilment),
            AlertKind::TerminalOffline | AlertKind::PickupsOverdue => Some(FeedKind::Pos),
            AlertKind::MarginBelowFloor
            | AlertKind::SelloutSoon
            | AlertKind::DropOpening
            | AlertKind::ConversionDrop => Some(FeedKind::Marketplace),
            AlertKind::FeedError | AlertKind::FeedStale => None,
        }
    }

    /// How urgent alerts of this kind are when their condition is certain (a projection
    /// whose interval straddles its threshold is one step less urgent, see
    /// [`Severity::less_urgent`]).
    #[must_use]
    pub fn severity(self) -> Severity {
        match self {
            AlertKind::CapacityExhaustion
            | AlertKind::SlaBreach
            | AlertKind::MarginBelowFloor
            | AlertKind::FeedStale => Severity::Critical,
            AlertKind::CapacityUnderuse
            | AlertKind::OrdersOverdue
            | AlertKind::TerminalOffline
            | AlertKind::PickupsOverdue
            | AlertKind::ConversionDrop
            | AlertKind::FeedError => Severity::Warning,
            AlertKind::SelloutSoon | AlertKind::DropOpening => Severity::Info,
        }
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
