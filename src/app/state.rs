//! Everything the control room holds: the board the feeds fill, the control actions sent, and
//! what the operator is looking at. Only `update` changes it; `ui::view` only reads it.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::alerts::{AlertBook, AlertThresholds};
use crate::model::board::Board;

use super::audit::Operator;
use super::filter::Filter;
use super::keymap::Keymap;
use super::ledger::ActionLedger;
use super::overlay::Overlay;
use super::rows::TriageRows;

/// The screens of the control room, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum View {
    /// Drops, capacity burn-down, alerts, pop-ups summary.
    Overview,
    /// Burn-down per hub and the overdue-order triage table.
    Fulfilment,
    /// Pop-ups: terminals, sales, stock, pick-ups.
    Popups,
    /// Control actions sent this session and what came of them.
    Actions,
    /// The program's own log.
    Log,
}

impl View {
    /// All views in Tab order.
    pub const ALL: [View; 5] = [
        View::Overview,
        View::Fulfilment,
        View::Popups,
        View::Actions,
        View::Log,
    ];

    /// The tab title.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Fulfilment => "Fulfilment",
            View::Popups => "Pop-ups",
            View::Actions => "Actions",
            View::Log => "Log",
        }
    }

    fn position(self) -> usize {
        View::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }

    /// The next view in Tab order, wrapping.
    #[must_use]
    pub fn next(self) -> View {
        View::ALL[(self.position() + 1) % View::ALL.len()]
    }

    /// The previous view in Tab order, wrapping.
    #[must_use]
    pub fn prev(self) -> View {
        View::ALL[(self.position() + View::ALL.len() - 1) % View::ALL.len()]
    }
}

/// The table of the Overview that `j`/`k` move in and the filter applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Drops,
    Alerts,
}

/// Whether control actions may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Access {
    /// `[RW]`: control actions are possible (after confirmation).
    #[default]
    ReadWrite,
    /// `[R]`: nothing is sent; the reason is shown when the operator tries.
    ReadOnly { reason: String },
}

impl Access {
    /// Whether control actions are refused.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        matches!(self, Access::ReadOnly { .. })
    }
}

/// How a status-line message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Warning,
    Error,
}

/// A one-line message for the operator (why a key did nothing, what an action came to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub kind: MessageKind,
    pub text: String,
    /// Local clock when it was set; it fades after [`MESSAGE_TTL`].
    pub at: DateTime<Utc>,
}

/// How long a status message stays.
pub const MESSAGE_TTL: TimeDelta = TimeDelta::seconds(8);

/// A frozen display: the board as it was, shown while polling continues underneath.
#[derive(Debug, Clone)]
pub struct Frozen {
    pub board: Box<Board>,
    /// Local clock at the moment of freezing; figures of the frozen board are taken at it.
    pub at: DateTime<Utc>,
}

/// Selected row of each table, by key (a drop id, an order id, …) so that a row keeps its
/// selection when a new document reorders the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub drop: Option<String>,
    pub alert: Option<String>,
    /// `hub/order` of the triage table.
    pub overdue: Option<String>,
    pub popup: Option<String>,
    /// The hub whose burn-down chart the Fulfilment view shows.
    pub hub: Option<String>,
    pub action: Option<u64>,
}

/// The filter of each view's main table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub drops: Filter,
    pub alerts: Filter,
    pub overdue: Filter,
    pub popups: Filter,
    pub actions: Filter,
}

/// Settings of the session that do not change while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Environment name from the config (`prod`, `staging`, `demo`).
    pub environment: String,
    /// The feeds are the simulator: the header says so, loudly.
    pub simulated: bool,
    /// Who operates, for the audit log.
    pub operator: Operator,
}

impl Session {
    /// Whether this is production (`prod` or `production`, any case): drawn with a red border.
    #[must_use]
    pub fn is_production(&self) -> bool {
        let name = self.environment.trim().to_ascii_lowercase();
        name == "prod" || name == "production"
    }
}

/// What the lead's configuration gives the state machine.
#[derive(Debug, Clone)]
pub struct StateConfig {
    pub environment: String,
    pub simulated: bool,
    /// `--read-only`.
    pub read_only: bool,
    pub keymap: Keymap,
    pub operator: Operator,
    pub thresholds: AlertThresholds,
}

/// The whole state of the control room.
#[derive(Debug, Clone)]
pub struct State {
    /// What the feeds said, with rate windows and health.
    pub board: Board,
    /// Alerts raised from the live board (they stay live while the display is frozen, so the
    /// highlighted alert is always the one `a` acknowledges).
    pub alerts: AlertBook,
    pub thresholds: AlertThresholds,
    /// Control actions of this session.
    pub ledger: ActionLedger,
    pub keymap: Keymap,
    pub session: Session,
    pub access: Access,
    pub view: View,
    pub focus: Focus,
    pub selection: Selection,
    pub filters: Filters,
    /// A dialog, picker, help or input line drawn over the view; it takes the keys first.
    pub overlay: Option<Overlay>,
    pub frozen: Option<Frozen>,
    pub message: Option<StatusMessage>,
    /// Terminal size as last reported (columns, rows).
    pub size: (u16, u16),
    /// The triage table worked out for the shown board, filter and selection; `update` keeps
    /// it current ([`super::rows::refresh`]) so a frame does not go through every order.
    pub triage: TriageRows,
    /// Set once the program should end; the loop leaves after drawing nothing more.
    pub quitting: bool,
}

impl State {
    /// A fresh state around `board` (usually empty; tests pass a filled one).
    #[must_use]
    pub fn new(config: StateConfig, board: Board) -> Self {
        let access = if config.read_only {
            Access::ReadOnly {
                reason: "started with --read-only".to_owned(),
            }
        } else {
            Access::ReadWrite
        };
        let mut state = Self {
            board,
            alerts: AlertBook::new(),
            thresholds: config.thresholds,
            ledger: ActionLedger::default(),
            keymap: config.keymap,
            session: Session {
                environment: config.environment,
                simulated: config.simulated,
                operator: config.operator,
            },
            access,
            view: View::Overview,
            focus: Focus::Drops,
            selection: Selection::default(),
            filters: Filters::default(),
            overlay: None,
            frozen: None,
            message: None,
            size: (80, 24),
            quitting: false,
            triage: TriageRows::default(),
        };
        super::rows::refresh(&mut state);
        state
    }

    /// The board the screen shows: the frozen copy while frozen, else the live one.
    #[must_use]
    pub fn shown_board(&self) -> &Board {
        self.frozen.as_ref().map_or(&self.board, |f| &f.board)
    }

    /// The local instant the shown figures are taken at: the freeze time while frozen.
    #[must_use]
    pub fn shown_local_now(&self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        self.frozen.as_ref().map_or(local_now, |f| f.at)
    }

    /// Server time for the shown board (skew-corrected), the clock of every countdown.
    #[must_use]
    pub fn shown_server_now(&self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        let local = self.shown_local_now(local_now);
        self.shown_board().server_now(local)
    }

    /// Sets the status-line message.
    pub fn say(&mut self, kind: MessageKind, text: impl Into<String>, at: DateTime<Utc>) {
        self.message = Some(StatusMessage {
            kind,
            text: text.into(),
            at,
        });
    }

    /// The status message if it is still fresh at `now`.
    #[must_use]
    pub fn current_message(&self, now: DateTime<Utc>) -> Option<&StatusMessage> {
        self.message.as_ref().filter(|m| now - m.at < MESSAGE_TTL)
    }

    /// The filter of the table the current view (and focus) edits.
    #[must_use]
    pub fn current_filter(&self) -> &Filter {
        match (self.view, self.focus) {
            (View::Overview, Focus::Drops) => &self.filters.drops,
            (View::Overview, Focus::Alerts) => &self.filters.alerts,
            (View::Fulfilment, _) => &self.filters.overdue,
            (View::Popups, _) => &self.filters.popups,
            (View::Actions | View::Log, _) => &self.filters.actions,
        }
    }

    /// The filter of the current view's table, for editing.
    pub fn current_filter_mut(&mut self) -> &mut Filter {
        match (self.view, self.focus) {
            (View::Overview, Focus::Drops) => &mut self.filters.drops,
            (View::Overview, Focus::Alerts) => &mut self.filters.alerts,
            (View::Fulfilment, _) => &mut self.filters.overdue,
            (View::Popups, _) => &mut self.filters.popups,
            (View::Actions | View::Log, _) => &mut self.filters.actions,
        }
    }
}
