//! What one person looks at: view, focus, selection, filters, dialogs, a frozen copy, the status
//! message, the terminal size, the colour profile, their keys, who they are and what they may
//! do. Many sessions can watch one [`SharedBoard`]; each has its own of everything here.
//!
//! The fields are private to `app`: only `update` changes a session, `ui` reads it through the
//! accessors. Writing one from outside does not compile:
//!
//! ```compile_fail,E0616
//! fn resize_behind_updates_back(room: &mut dropday::app::Room) {
//!     room.session.size = (1, 1);
//! }
//! ```

use chrono::{DateTime, Utc};

use super::audit::Operator;
use super::board::SharedBoard;
use super::color::ColorMode;
use super::filter::Filter;
use super::keymap::Keymap;
use super::overlay::Overlay;
use super::rows::{self, TriageRows, TriageSort, columns};
use super::state::{
    Access, Filters, Focus, Frozen, MESSAGE_TTL, MessageKind, Selection, StatusMessage, View,
};

/// What the configuration (or, later, a served connection) gives one session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Why nothing may be sent from this session (`--read-only`, a viewer's role); `None`:
    /// control actions are possible.
    pub read_only: Option<String>,
    /// The board is shared with other people (a served room): acknowledging and silencing
    /// change what everyone sees, so they need read-write access too.
    pub shared: bool,
    /// The key bindings, defaults overlaid with the config's `[keys]`.
    pub keymap: Keymap,
    /// Who operates, for the audit log.
    pub operator: Operator,
    /// The terminal's colour profile, already resolved.
    pub color: ColorMode,
    /// Plain ASCII glyphs only.
    pub ascii: bool,
    /// Which new alerts ring the terminal's bell (`ui.bell`).
    pub bell: Bell,
}

/// Which newly raised alerts ring the terminal's bell (`ui.bell`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bell {
    /// A new critical alert (the default).
    #[default]
    Critical,
    /// A new warning or critical alert.
    Warning,
    /// Never.
    Off,
}

impl std::str::FromStr for Bell {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Ok(Bell::Critical),
            "warning" => Ok(Bell::Warning),
            "off" | "never" | "none" => Ok(Bell::Off),
            other => Err(format!(
                "`{other}` is not a bell setting; use \"critical\", \"warning\" or \"off\""
            )),
        }
    }
}

/// One person's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub(in crate::app) operator: Operator,
    pub(in crate::app) access: Access,
    pub(in crate::app) shared: bool,
    pub(in crate::app) keymap: Keymap,
    pub(in crate::app) color: ColorMode,
    pub(in crate::app) ascii: bool,
    pub(in crate::app) view: View,
    pub(in crate::app) focus: Focus,
    pub(in crate::app) selection: Selection,
    pub(in crate::app) filters: Filters,
    /// A dialog, picker, help or input line drawn over the view; it takes the keys first.
    pub(in crate::app) overlay: Option<Overlay>,
    pub(in crate::app) frozen: Option<Frozen>,
    pub(in crate::app) message: Option<StatusMessage>,
    /// Terminal size as last reported by an `Event::Resize` (columns, rows).
    pub(in crate::app) size: (u16, u16),
    /// The triage table worked out for the shown board, filter and selection; `update` keeps
    /// it current ([`super::rows::refresh`]) so a frame does not go through every order.
    pub(in crate::app) triage: TriageRows,
    /// Set once the session should end; the loop leaves after drawing nothing more.
    pub(in crate::app) quitting: bool,
    /// How the triage table is sorted.
    pub(in crate::app) triage_sort: TriageSort,
    /// Actions this session sent whose final answer it has not been told yet (a served room
    /// gets the answers on the board's own loop; [`super::follow_board`] tells the sender).
    pub(in crate::app) awaiting: Vec<u64>,
    pub(in crate::app) bell: Bell,
    /// The board's alarm counts (critical, warning raised so far) this session has rung for.
    pub(in crate::app) rung: (u64, u64),
}

impl Session {
    /// Refuses control actions for `reason` (a mapped marketplace without a control server),
    /// unless the session already refuses them for its own.
    pub fn refuse_actions(&mut self, reason: String) {
        if !self.access.is_read_only() {
            self.access = Access::ReadOnly { reason };
        }
    }

    /// A fresh session watching `board`.
    #[must_use]
    pub fn new(config: SessionConfig, board: &SharedBoard) -> Self {
        let access = match config.read_only {
            Some(reason) => Access::ReadOnly { reason },
            None => Access::ReadWrite,
        };
        let mut session = Self {
            operator: config.operator,
            access,
            shared: config.shared,
            keymap: config.keymap,
            color: config.color,
            ascii: config.ascii,
            view: View::Overview,
            focus: Focus::Drops,
            selection: Selection::default(),
            filters: Filters::default(),
            overlay: None,
            frozen: None,
            message: None,
            size: (80, 24),
            triage: TriageRows::default(),
            quitting: false,
            triage_sort: TriageSort::default(),
            awaiting: Vec::new(),
            bell: config.bell,
            // Alerts raised before the session opened are on screen, not news.
            rung: board.alarms,
        };
        rows::refresh(board, &mut session);
        session
    }

    /// Who operates in this session.
    #[must_use]
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// Whether this session may send control actions (the board can refuse them all: see
    /// [`super::State::access`]).
    #[must_use]
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// Whether the board is shared with other people (a served room).
    #[must_use]
    pub fn shared(&self) -> bool {
        self.shared
    }

    /// This person's keys.
    #[must_use]
    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    /// The terminal's colour profile.
    #[must_use]
    pub fn color(&self) -> ColorMode {
        self.color
    }

    /// Plain ASCII glyphs only.
    #[must_use]
    pub fn ascii(&self) -> bool {
        self.ascii
    }

    /// The screen shown.
    #[must_use]
    pub fn view(&self) -> View {
        self.view
    }

    /// The Overview table that `j`/`k` move in.
    #[must_use]
    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// Selected row of each table.
    #[must_use]
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The filter of each table.
    #[must_use]
    pub fn filters(&self) -> &Filters {
        &self.filters
    }

    /// The dialog, picker, help or input line drawn over the view.
    #[must_use]
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// The frozen display, while frozen.
    #[must_use]
    pub fn frozen(&self) -> Option<&Frozen> {
        self.frozen.as_ref()
    }

    /// The status message as last set, fresh or not (see [`Self::current_message`]).
    #[must_use]
    pub fn message(&self) -> Option<&StatusMessage> {
        self.message.as_ref()
    }

    /// Terminal size as last reported (columns, rows).
    #[must_use]
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// How the triage table is sorted.
    #[must_use]
    pub fn triage_sort(&self) -> TriageSort {
        self.triage_sort
    }

    /// The columns the current table's filter may name.
    #[must_use]
    pub fn current_filter_columns(&self) -> &'static [&'static str] {
        match (self.view, self.focus) {
            (View::Overview, Focus::Drops) => columns::DROPS,
            (View::Overview, Focus::Alerts) => columns::ALERTS,
            (View::Fulfilment, _) => columns::OVERDUE,
            (View::Popups, _) => columns::POPUPS,
            (View::Actions | View::Log, _) => columns::ACTIONS,
        }
    }

    /// Whether the session asked to end.
    #[must_use]
    pub fn quitting(&self) -> bool {
        self.quitting
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
    pub(in crate::app) fn current_filter_mut(&mut self) -> &mut Filter {
        match (self.view, self.focus) {
            (View::Overview, Focus::Drops) => &mut self.filters.drops,
            (View::Overview, Focus::Alerts) => &mut self.filters.alerts,
            (View::Fulfilment, _) => &mut self.filters.overdue,
            (View::Popups, _) => &mut self.filters.popups,
            (View::Actions | View::Log, _) => &mut self.filters.actions,
        }
    }

    /// Sets the status-line message.
    pub(in crate::app) fn say(
        &mut self,
        kind: MessageKind,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) {
        self.message = Some(StatusMessage {
            kind,
            text: text.into(),
            at,
        });
    }
}
