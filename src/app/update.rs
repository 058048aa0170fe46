//! `update`: the one place the board and the sessions change. Each event is routed to the module
//! that knows about it; what must happen outside comes back as [`Effect`]s. Polls, control
//! reports and ticks change the board (and tell the session); keys change the session and, for
//! acknowledgements, silences and control actions, the board. The alert rules run on the
//! tick only.

use chrono::{DateTime, Utc};

use crate::feed::FeedKind;
use crate::feed::wire::SkippedEntry;
use crate::model::alerts::Severity;

use super::board::SharedBoard;
use super::effect::Effect;
use super::event::{Event, ShutdownReason};
use super::keys;
use super::operate;
use super::rows;
use super::session::{Bell, Session};
use super::state::{Access, MessageKind, RoomMut};

/// Applies one event at local time `now` to `board` and the `session` it came from (or, for
/// feed events, the session that watches) and returns what must be done outside. Same events
/// in, same board, session and effects out: nothing here reads a clock or draws a random number.
pub fn update(
    board: &mut SharedBoard,
    session: &mut Session,
    event: Event,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let mut state = RoomMut { board, session };
    let mut effects = apply(&mut state, event, now);
    // Tables derived from the state follow it here, so drawing a frame does not redo them.
    rows::refresh(state.board, state.session);
    effects.extend(ring(state.board, state.session));
    effects
}

/// [`Effect::Bell`] when alerts at this session's `ui.bell` level were raised since it last
/// rang (once however many came at once); the session is then even with the board.
fn ring(board: &SharedBoard, session: &mut Session) -> Option<Effect> {
    let (critical, warning) = board.alarms;
    let (rung_critical, rung_warning) = session.rung;
    session.rung = board.alarms;
    let news = match session.bell {
        Bell::Off => false,
        Bell::Critical => critical > rung_critical,
        Bell::Warning => critical > rung_critical || warning > rung_warning,
    };
    news.then_some(Effect::Bell)
}

fn apply(state: &mut RoomMut<'_>, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
    match event {
        Event::Key(key) => keys::on_key(state, key, now),
        Event::Resize(width, height) => {
            state.session.size = (width, height);
            Vec::new()
        }
        Event::Tick(at) => {
            // The alert rules run here, once a second, and nowhere else: three feeds answering
            // at different moments would otherwise run them three times a second over every
            // drop, hub and pop-up, and time-driven rules (staleness, a drop opening soon)
            // change without any new document anyway. A report is in the alerts by the next
            // tick, as it is on screen (the loop draws poll reports with the tick).
            evaluate_alerts(state, at);
            if state.session.current_message(at).is_none() {
                state.session.message = None;
            }
            Vec::new()
        }
        Event::Poll(report) => {
            let feed = report.feed;
            let skipped_before = state.board.feeds.skipped(feed).to_vec();
            state.board.feeds.apply_poll(report);
            say_skipped(state, feed, &skipped_before, now);
            Vec::new()
        }
        Event::Control(report) => operate::on_report(state, &report, now),
        Event::Delivery(report) => {
            let board = &mut *state.board;
            board.deliveries.record(report, &board.alerts);
            Vec::new()
        }
        Event::Exported(answer) => {
            match answer {
                Ok(path) => state.say(MessageKind::Info, format!("exported to {path}"), now),
                Err(why) => state.say(MessageKind::Error, format!("export failed: {why}"), now),
            }
            Vec::new()
        }
        Event::Access(access) => {
            let text = match &access {
                Access::ReadWrite => "you may now act (read-write)".to_owned(),
                Access::ReadOnly { reason } => format!("you are now read-only ({reason})"),
            };
            state.session.access = access;
            state.say(MessageKind::Warning, text, now);
            Vec::new()
        }
        Event::Replayed(replayed) => {
            super::replayed::apply(state, replayed);
            Vec::new()
        }
        Event::Shutdown(reason) => {
            let text = match reason {
                ShutdownReason::Signal(name) => format!("{name}: leaving"),
                ShutdownReason::TerminalGone => "the terminal went away: leaving".to_owned(),
            };
            state.say(MessageKind::Warning, text, now);
            state.session.quitting = true;
            vec![Effect::Quit]
        }
    }
}

/// A session that watches a board someone else's events change (a served room): its tables
/// follow the board and its status message fades, as a tick would do, without evaluating the
/// alert rules again (the board's own tick does that once for everyone).
/// The answers to this session's own control actions are said on its status line, and a new
/// alert at its bell level rings its bell ([`Effect::Bell`], the only effect returned).
pub fn follow_board(board: &SharedBoard, session: &mut Session, now: DateTime<Utc>) -> Vec<Effect> {
    if session.current_message(now).is_none() {
        session.message = None;
    }
    operate::tell_answers(board, session, now);
    rows::refresh(board, session);
    ring(board, session).into_iter().collect()
}

/// Tells the operator when a document of `feed` starts skipping entries it cannot decode (or
/// skips other ones): the contract says such an entry is skipped *and reported*, and on screen
/// it would otherwise just vanish from its panel. Said once per change, not on every poll.
fn say_skipped(
    state: &mut RoomMut<'_>,
    feed: FeedKind,
    before: &[SkippedEntry],
    now: DateTime<Utc>,
) {
    let skipped = state.board.feeds.skipped(feed);
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
fn evaluate_alerts(state: &mut RoomMut<'_>, now: DateTime<Utc>) {
    let board = &mut *state.board;
    let changes = board.alerts.evaluate(&board.feeds, now, &board.thresholds);
    for raised in changes.raised {
        // `raised` says the severity first (`critical ewr-1 …`): counted for the bells.
        if raised.starts_with(Severity::Critical.as_str()) {
            board.alarms.0 += 1;
            log::warn!("alert {raised}");
        } else if raised.starts_with(Severity::Warning.as_str()) {
            board.alarms.1 += 1;
            log::warn!("alert {raised}");
        } else {
            // An info alert is news, not a warning: the Log view marks it `I`, not `W`.
            log::info!("alert {raised}");
        }
    }
    for cleared in changes.cleared {
        log::info!("alert cleared: {cleared}");
    }
    // Delivery outcomes live as long as their alert does in the book.
    board.deliveries.forget_gone(&board.alerts);
}
