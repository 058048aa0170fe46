//! `update`: the one place the state changes. Each event is routed to the module that knows
//! about it; what must happen outside comes back as [`Effect`]s.

use chrono::{DateTime, Utc};

use super::effect::Effect;
use super::event::{Event, ShutdownReason};
use super::keys;
use super::operate;
use super::state::{MessageKind, State};

/// Applies one event at local time `now` and returns what must be done outside.
pub fn update(state: &mut State, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
    match event {
        Event::Key(key) => keys::on_key(state, key, now),
        Event::Resize(width, height) => {
            state.size = (width, height);
            Vec::new()
        }
        Event::Tick(at) => {
            // Time-driven rules (staleness, drop opening soon) change without any new document.
            evaluate_alerts(state, at);
            if state.current_message(at).is_none() {
                state.message = None;
            }
            Vec::new()
        }
        Event::Poll(report) => {
            state.board.apply_poll(report);
            evaluate_alerts(state, now);
            Vec::new()
        }
        Event::Control(report) => operate::on_report(state, &report, now),
        Event::Shutdown(reason) => {
            let text = match reason {
                ShutdownReason::Signal(name) => format!("{name}: leaving"),
                ShutdownReason::TerminalGone => "the terminal went away: leaving".to_owned(),
            };
            state.say(MessageKind::Warning, text, now);
            state.quitting = true;
            vec![Effect::Quit]
        }
    }
}

/// Runs the alert rules and puts what changed in the program's log (the Log view).
fn evaluate_alerts(state: &mut State, now: DateTime<Utc>) {
    let changes = state.alerts.evaluate(&state.board, now, &state.thresholds);
    for raised in changes.raised {
        log::warn!("alert {raised}");
    }
    for cleared in changes.cleared {
        log::info!("alert cleared: {cleared}");
    }
}
