//! What `update` asks the outside world to do. The runtime hands each effect to an
//! [`EffectRunner`] the binary wires to the feed layer, so the state machine never does I/O.

use chrono::{DateTime, Utc};

use crate::feed::events::ControlRequest;

use super::audit::AuditRecord;
use super::board::SharedBoard;

/// A request from `update` to the outside world.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send this confirmed control request (retries reuse its idempotency key); progress comes
    /// back as `Event::Control`.
    Send(ControlRequest),
    /// Poll every feed now instead of waiting for the next interval.
    PollNow,
    /// Append this record to the audit log (one per control action, at its final outcome).
    Audit(AuditRecord),
    /// Write the CSV text `csv` to the file the person named (`:export FILE`); the edge
    /// decides where a relative name goes (`export_dir`) and answers with `Event::Exported`.
    Export {
        /// The name as typed.
        file: String,
        /// The whole file.
        csv: String,
    },
    /// Ring this person's terminal bell (a new alert at their `ui.bell` level).
    Bell,
    /// Restore the terminal and leave.
    Quit,
}

/// Carries out effects. Implementations must not block: start the work (spawn a task, send on a
/// channel) and report back as events.
pub trait EffectRunner {
    /// Starts one effect. `Effect::Quit` is handled by the runtime loop itself and also passed
    /// here, so a runner can flush what it holds.
    fn run(&mut self, effect: Effect);

    /// Called after each event has gone through `update` and its effects were started, with
    /// the board as it is now: the edges that watch the board (alert delivery, `/metrics`)
    /// look here. Nothing by default.
    fn after_update(&mut self, _board: &SharedBoard, _now: DateTime<Utc>) {}
}

/// Any `FnMut(Effect)` is a runner, for tests and small wiring.
impl<F: FnMut(Effect)> EffectRunner for F {
    fn run(&mut self, effect: Effect) {
        self(effect);
    }
}
