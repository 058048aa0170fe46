//! The control room as the screen reads it: a [`Room`] is one [`SharedBoard`] (what everyone
//! watches) and one [`Session`] (what one person looks at); [`State`] borrows the two for
//! drawing. Only `update` changes either; `ui::view` gets a `State` and can only read.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::alerts::{AlertBook, AlertThresholds};
use crate::model::board::Board;

use super::audit::Operator;
use super::board::{BoardConfig, SharedBoard};
use super::color::ColorMode;
use super::effect::Effect;
use super::event::Event;
use super::filter::Filter;
use super::ids::IdSource;
use super::keymap::Keymap;
use super::ledger::ActionLedger;
use super::overlay::Overlay;
use super::session::{Session, SessionConfig};

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
    /// The drops table (the default).
    #[default]
    Drops,
    /// The alerts table.
    Alerts,
}

/// Whether control actions may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Access {
    /// `[RW]`: control actions are possible (after confirmation).
    #[default]
    ReadWrite,
    /// `[R]`: nothing is sent; the reason is shown when the operator tries.
    ReadOnly {
        /// Why, in words (`--read-only`, a viewer's role).
        reason: String,
    },
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
    /// Neutral news: what an action came to, what a key changed.
    Info,
    /// Why a key did nothing, or something the operator should look at.
    Warning,
    /// Something failed: a command that could not be read, an action that failed.
    Error,
}

/// A one-line message for the operator (why a key did nothing, what an action came to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// How the message reads (its colour on the status line).
    pub kind: MessageKind,
    /// The message, one line.
    pub text: String,
    /// Local clock when it was set; it fades after [`MESSAGE_TTL`].
    pub at: DateTime<Utc>,
}

/// How long a status message stays.
pub const MESSAGE_TTL: TimeDelta = TimeDelta::seconds(8);

/// A frozen display: the board as it was, shown while polling continues underneath.
#[derive(Debug, Clone)]
pub struct Frozen {
    /// The board as it was at `at`.
    pub board: Box<Board>,
    /// Local clock at the moment of freezing; figures of the frozen board are taken at it.
    pub at: DateTime<Utc>,
}

/// Selected row of each table, by key (a drop id, an order id, …) so that a row keeps its
/// selection when a new document reorders the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Id of the selected drop.
    pub drop: Option<String>,
    /// `kind/subject` key of the selected alert.
    pub alert: Option<String>,
    /// `hub/order` of the triage table.
    pub overdue: Option<String>,
    /// Id of the selected pop-up.
    pub popup: Option<String>,
    /// The hub whose burn-down chart the Fulfilment view shows.
    pub hub: Option<String>,
    /// `action_id` of the selected row of the Actions view.
    pub action: Option<u64>,
}

/// The filter of each view's main table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// The Overview's drops table.
    pub drops: Filter,
    /// The Overview's alerts table.
    pub alerts: Filter,
    /// The Fulfilment view's overdue-orders triage table.
    pub overdue: Filter,
    /// The Pop-ups view's table.
    pub popups: Filter,
    /// The Actions view's ledger.
    pub actions: Filter,
}

/// Where the room runs: the same for everyone watching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// Environment name from the config (`prod`, `staging`, `demo`).
    pub environment: String,
    /// The feeds are the simulator: the header says so, loudly.
    pub simulated: bool,
    /// The environment is one of `ui.type_to_confirm`: pause, resume and band switches are
    /// confirmed by typing the drop id.
    pub type_to_confirm: bool,
}

impl Deployment {
    /// Whether this is production (`prod` or `production`, any case): drawn with a red border.
    #[must_use]
    pub fn is_production(&self) -> bool {
        let name = self.environment.trim().to_ascii_lowercase();
        name == "prod" || name == "production"
    }
}

/// What the lead's configuration gives a one-person room: the board's part and the session's.
// Each bool is one independent yes/no of the config (simulated, read-only, ASCII, typed
// confirmation); an enum per flag would add four types and no meaning.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// Environment name from the config (`prod`, `staging`, `demo`).
    pub environment: String,
    /// The feeds are the built-in simulator (`demo`): the header says so.
    pub simulated: bool,
    /// `--read-only`.
    pub read_only: bool,
    /// The key bindings, defaults overlaid with the config's `[keys]`.
    pub keymap: Keymap,
    /// Who operates, for the audit log.
    pub operator: Operator,
    /// The alert rules' thresholds from the config.
    pub thresholds: AlertThresholds,
    /// `--color`, resolved by the launch code (never read from the environment in here).
    pub color: ColorMode,
    /// `--ascii`.
    pub ascii: bool,
    /// The environment is one of `ui.type_to_confirm` (typing the drop id confirms).
    pub type_to_confirm: bool,
    /// `ui.bell`: which new alerts ring the terminal's bell.
    pub bell: super::session::Bell,
    /// Where idempotency keys come from: [`super::ids::RandomKeys`] in the program, a counter
    /// in tests and replays.
    pub ids: Box<dyn IdSource>,
}

impl RoomConfig {
    /// The part every session shares and the part that is this person's.
    #[must_use]
    pub fn split(self) -> (BoardConfig, SessionConfig) {
        (
            BoardConfig {
                deployment: Deployment {
                    environment: self.environment,
                    simulated: self.simulated,
                    type_to_confirm: self.type_to_confirm,
                },
                thresholds: self.thresholds,
                ids: self.ids,
            },
            SessionConfig {
                read_only: self
                    .read_only
                    .then(|| "started with --read-only".to_owned()),
                shared: false,
                keymap: self.keymap,
                operator: self.operator,
                color: self.color,
                ascii: self.ascii,
                bell: self.bell,
            },
        )
    }
}

/// A control room for one person: the board and their session. Serving many people holds one
/// board and a session each; the two parts are public and separable for that (neither can be
/// changed from outside except through [`super::update`]).
#[derive(Debug, Clone)]
pub struct Room {
    /// The part shared by everyone watching: feeds, figures, alerts, the action ledger.
    pub board: SharedBoard,
    /// This person's part: view, selection, filters, dialogs, size, colours.
    pub session: Session,
}

impl Room {
    /// A fresh room around `feeds` (usually empty; tests pass a filled one).
    #[must_use]
    pub fn new(config: RoomConfig, feeds: Board) -> Self {
        let (board, session) = config.split();
        let board = SharedBoard::new(board, feeds);
        let session = Session::new(session, &board);
        Self { board, session }
    }

    /// [`super::update`] on this room's board and session.
    pub fn update(&mut self, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
        super::update(&mut self.board, &mut self.session, event, now)
    }

    /// The room as the screen reads it.
    #[must_use]
    pub fn state(&self) -> State<'_> {
        State::new(&self.board, &self.session)
    }
}

/// One person's view of the room, read-only: what `ui::view` draws.
#[derive(Debug, Clone, Copy)]
pub struct State<'a> {
    board: &'a SharedBoard,
    session: &'a Session,
    audience: Option<&'a Audience>,
}

/// Who is in a shared room, as its header shows it: `maya [RW] · 4 watching`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// This person's name (their key's name).
    pub name: String,
    /// Sessions open on the board, this one included.
    pub watching: usize,
}

impl<'a> State<'a> {
    /// The room of `session` on `board`.
    #[must_use]
    pub fn new(board: &'a SharedBoard, session: &'a Session) -> Self {
        Self {
            board,
            session,
            audience: None,
        }
    }

    /// The same room, drawn for one of several people watching it.
    #[must_use]
    pub fn with_audience(self, audience: &'a Audience) -> Self {
        Self {
            audience: Some(audience),
            ..self
        }
    }

    /// Who is in the room, when it is shared.
    #[must_use]
    pub fn audience(&self) -> Option<&'a Audience> {
        self.audience
    }

    /// The board everyone watches.
    #[must_use]
    pub fn board(&self) -> &'a SharedBoard {
        self.board
    }

    /// This person's session.
    #[must_use]
    pub fn session(&self) -> &'a Session {
        self.session
    }

    /// What the feeds said, as it is now (not frozen).
    #[must_use]
    pub fn live_board(&self) -> &'a Board {
        self.board.feeds()
    }

    /// The board the screen shows: the frozen copy while frozen, else the live one.
    #[must_use]
    pub fn shown_board(&self) -> &'a Board {
        self.session
            .frozen()
            .map_or(self.board.feeds(), |f| &f.board)
    }

    /// The local instant the shown figures are taken at: the freeze time while frozen.
    #[must_use]
    pub fn shown_local_now(&self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        self.session.frozen().map_or(local_now, |f| f.at)
    }

    /// Server time for the shown board (skew-corrected), the clock of every countdown.
    #[must_use]
    pub fn shown_server_now(&self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        let local = self.shown_local_now(local_now);
        self.shown_board().server_now(local)
    }

    /// Alerts raised from the live board.
    #[must_use]
    pub fn alerts(&self) -> &'a AlertBook {
        self.board.alerts()
    }

    /// Control actions sent from this room.
    #[must_use]
    pub fn ledger(&self) -> &'a ActionLedger {
        self.board.ledger()
    }

    /// Where the room runs.
    #[must_use]
    pub fn deployment(&self) -> &'a Deployment {
        self.board.deployment()
    }

    /// Whether this person may send control actions: read-only when their session is, or when
    /// the marketplace refused the room's control token (a 403).
    #[must_use]
    pub fn access(&self) -> Access {
        match self.board.control_refused() {
            Some(reason) if !self.session.access().is_read_only() => Access::ReadOnly {
                reason: reason.to_owned(),
            },
            _ => self.session.access().clone(),
        }
    }

    /// The screen shown.
    #[must_use]
    pub fn view(&self) -> View {
        self.session.view()
    }

    /// The Overview table that `j`/`k` move in.
    #[must_use]
    pub fn focus(&self) -> Focus {
        self.session.focus()
    }

    /// Selected row of each table.
    #[must_use]
    pub fn selection(&self) -> &'a Selection {
        self.session.selection()
    }

    /// The filter of each table.
    #[must_use]
    pub fn filters(&self) -> &'a Filters {
        self.session.filters()
    }

    /// The dialog, picker, help or input line drawn over the view.
    #[must_use]
    pub fn overlay(&self) -> Option<&'a Overlay> {
        self.session.overlay()
    }

    /// The frozen display, while frozen.
    #[must_use]
    pub fn frozen(&self) -> Option<&'a Frozen> {
        self.session.frozen()
    }

    /// This person's keys.
    #[must_use]
    pub fn keymap(&self) -> &'a Keymap {
        self.session.keymap()
    }

    /// The status message if it is still fresh at `now`.
    #[must_use]
    pub fn current_message(&self, now: DateTime<Utc>) -> Option<&'a StatusMessage> {
        self.session.current_message(now)
    }

    /// The filter of the table the current view (and focus) edits.
    #[must_use]
    pub fn current_filter(&self) -> &'a Filter {
        self.session.current_filter()
    }
}

/// A room borrowed for changing: what the update modules (and nothing outside `app`) work on.
pub(in crate::app) struct RoomMut<'a> {
    pub(in crate::app) board: &'a mut SharedBoard,
    pub(in crate::app) session: &'a mut Session,
}

impl RoomMut<'_> {
    /// The room as the screen would read it now.
    pub(in crate::app) fn read(&self) -> State<'_> {
        State::new(self.board, self.session)
    }

    /// Sets the status-line message.
    pub(in crate::app) fn say(
        &mut self,
        kind: MessageKind,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) {
        self.session.say(kind, text, at);
    }

    /// Whether control actions may be sent from this session, as [`State::access`] says.
    pub(in crate::app) fn access(&self) -> Access {
        self.read().access()
    }
}
