//! `update`: the one place the state changes. Each event is routed to the module that knows
//! about it; what must happen outside comes back as [`Effect`]s.

use chrono::{DateTime, Utc};

use crate::feed::FeedKind;
use crate::feed::wire::SkippedEntry;

use super::effect::Effect;
use super::event::{Event, ShutdownReason};
use super::keys;
use super::operate;
use super::rows;
use super::state::{MessageKind, State};

/// Applies one event at local time `now` and returns what must be done outside.
pub fn update(state: &mut State, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
    let effects = apply(state, event, now);
    // Tables derived from the state follow it here, so drawing a frame does not redo them.
    rows::refresh(state);
    effects
}

fn apply(state: &mut State, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
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
            let feed = report.feed;
            let skipped_before = state.board.skipped(feed).to_vec();
            state.board.apply_poll(report);
            say_skipped(state, feed, &skipped_before, now);
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

/// Tells the operator when a document of `feed` starts skipping entries it cannot decode (or
/// skips other ones): the contract says such an entry is skipped *and reported*, and on screen
/// it would otherwise just vanish from its panel. Said once per change, not on every poll.
fn say_skipped(state: &mut State, feed: FeedKind, before: &[SkippedEntry], now: DateTime<Utc>) {
    let skipped = state.board.skipped(feed);
    if skipped.is_empty() || skipped == before {
        return;
    }
    let first = &skipped[0];
    let name = first
        .id
        .clone()
        .unwrap_or_else(|| format!("entry #{}", first.index + 1));
    let count = match skipped.len() {
        1 => "1 entry".to_owned(),
        n => format!("{n} entries"),
    };
    let more = if skipped.len() > 1 { ", …" } else { "" };
    let text = format!(
        "{feed}: {count} skipped, the rest is shown ({name}: {}{more})",
        first.reason
    );
    log::warn!("{text}");
    state.say(MessageKind::Warning, text, now);
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
