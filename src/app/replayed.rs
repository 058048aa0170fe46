//! What a replay hands the room besides the feeds' documents: the acknowledgements, silences
//! and control actions people made while the drop was recorded, with who made them. The
//! replay's room is read-only: these are the only way anything but a document reaches its
//! board, and they change it exactly as the live room's keys and answers did.

use chrono::{DateTime, Utc};

use crate::model::alerts::AlertKind;

use super::ledger::ActionEntry;
use super::state::RoomMut;

/// A recorded act of a person.
#[derive(Debug, Clone, PartialEq)]
pub enum Replayed {
    /// `by` acknowledged the alert at `at` (local clock of the recording).
    Ack {
        /// The alert's kind.
        kind: AlertKind,
        /// The alert's subject.
        subject: String,
        /// Who.
        by: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// `by` silenced the alert until `until`.
    Silence {
        /// The alert's kind.
        kind: AlertKind,
        /// The alert's subject.
        subject: String,
        /// End of the silence.
        until: DateTime<Utc>,
        /// Who.
        by: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// A control action, at its final outcome.
    Action(Box<ActionEntry>),
}

/// Applies one recorded act to the board.
pub(in crate::app) fn apply(state: &mut RoomMut<'_>, replayed: Replayed) {
    match replayed {
        Replayed::Ack {
            kind,
            subject,
            by,
            at,
        } => {
            state.board.alerts.acknowledge_by(kind, &subject, &by, at);
        }
        Replayed::Silence {
            kind,
            subject,
            until,
            by,
            at,
        } => {
            state
                .board
                .alerts
                .silence_by(kind, &subject, until, &by, at);
        }
        Replayed::Action(entry) => state.board.ledger.push_settled(*entry),
    }
}
