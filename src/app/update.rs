//! `update`: the one place the state changes. Each event is routed to the module that knows
//! about it; what must happen outside comes back as [`Effect`]s.

use chrono::{DateTime, Utc};

use crate::feed::events::{PollOutcome, PollReport};

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
            state.alerts.evaluate(&state.board, at, &state.thresholds);
            if state.current_message(at).is_none() {
                state.message = None;
            }
            Vec::new()
        }
        Event::Poll(report) => {
            ingest(state, report);
            state.alerts.evaluate(&state.board, now, &state.thresholds);
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

/// Hands one poll's outcome to the board; a failure keeps the last good data.
fn ingest(state: &mut State, report: PollReport) {
    let PollReport {
        feed,
        sent_at,
        received_at,
        outcome,
    } = report;
    let board = &mut state.board;
    match outcome {
        PollOutcome::Drops(doc) => board.ingest_drops(doc, sent_at, received_at),
        PollOutcome::Hubs(doc) => board.ingest_hubs(doc, sent_at, received_at),
        PollOutcome::Popups(doc) => board.ingest_popups(doc, sent_at, received_at),
        PollOutcome::NotModified => board.record_not_modified(feed, sent_at, received_at),
        PollOutcome::Failed(failure) => board.record_failure(feed, failure, received_at),
    }
}
