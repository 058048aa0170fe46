//! The board everyone in the room watches: what the feeds said (with figures and health), the
//! alerts raised from it with their acknowledgements and silences, the control actions sent and
//! how they ended, and whether the marketplace still takes control requests.
//!
//! One control room has one board; serving many people shares one board between their sessions.
//! The fields are private to `app`: only `update` changes the board, `ui` reads it. Writing one
//! from outside does not compile:
//!
//! ```compile_fail,E0616
//! fn forget_every_action(room: &mut dropday::app::Room) {
//!     room.board.ledger = Default::default();
//! }
//! ```

use crate::model::alerts::{AlertBook, AlertThresholds, Deliveries};
use crate::model::board::Board;

use super::ids::IdSource;
use super::ledger::ActionLedger;
use super::state::Deployment;

/// What the configuration gives the board.
#[derive(Debug, Clone)]
pub struct BoardConfig {
    /// Where the room runs (environment name, simulated feeds).
    pub deployment: Deployment,
    /// The alert rules' thresholds from the config.
    pub thresholds: AlertThresholds,
    /// Where idempotency keys come from.
    pub ids: Box<dyn IdSource>,
}

/// The shared board.
#[derive(Debug, Clone)]
pub struct SharedBoard {
    /// What the feeds said, with rate windows and health.
    pub(in crate::app) feeds: Board,
    /// Alerts raised from the live board (they stay live while a display is frozen, so the
    /// highlighted alert is always the one `a` acknowledges).
    pub(in crate::app) alerts: AlertBook,
    pub(in crate::app) thresholds: AlertThresholds,
    /// Control actions sent from the room.
    pub(in crate::app) ledger: ActionLedger,
    pub(in crate::app) deployment: Deployment,
    /// Why the marketplace refused control (a 403), once it has: nothing more is sent.
    pub(in crate::app) control_refused: Option<String>,
    pub(in crate::app) ids: Box<dyn IdSource>,
    /// Critical and warning alerts raised so far: each session rings its bell when these grow
    /// past what it has rung for.
    pub(in crate::app) alarms: (u64, u64),
    /// What the delivery engine reported per alert and sink (`[[notify]]`), for the details.
    pub(in crate::app) deliveries: Deliveries,
}

impl SharedBoard {
    /// A board around `feeds` (usually empty; tests pass a filled one).
    #[must_use]
    pub fn new(config: BoardConfig, feeds: Board) -> Self {
        Self {
            feeds,
            alerts: AlertBook::new(),
            thresholds: config.thresholds,
            ledger: ActionLedger::default(),
            deployment: config.deployment,
            control_refused: None,
            ids: config.ids,
            alarms: (0, 0),
            deliveries: Deliveries::default(),
        }
    }

    /// What the feeds said, as it is now.
    #[must_use]
    pub fn feeds(&self) -> &Board {
        &self.feeds
    }

    /// Alerts raised from the live board.
    #[must_use]
    pub fn alerts(&self) -> &AlertBook {
        &self.alerts
    }

    /// The thresholds of the alert rules.
    #[must_use]
    pub fn thresholds(&self) -> &AlertThresholds {
        &self.thresholds
    }

    /// Control actions sent from the room.
    #[must_use]
    pub fn ledger(&self) -> &ActionLedger {
        &self.ledger
    }

    /// Where the room runs.
    #[must_use]
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The latest delivery outcome per alert and sink.
    #[must_use]
    pub fn deliveries(&self) -> &Deliveries {
        &self.deliveries
    }

    /// Why the marketplace refused control, once it has.
    #[must_use]
    pub fn control_refused(&self) -> Option<&str> {
        self.control_refused.as_deref()
    }
}
