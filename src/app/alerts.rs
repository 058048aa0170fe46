//! The operator's side of alerts: which one is highlighted, acknowledging it, and silencing it
//! for 15 minutes, an hour or four hours (each press of the key moves one step, then off).

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::alerts::Alert;

use super::rows;
use super::state::{Access, MessageKind, RoomMut, State};

/// Silence durations in the order the key cycles through them.
pub const SILENCE_STEPS: [TimeDelta; 3] = [
    TimeDelta::minutes(15),
    TimeDelta::hours(1),
    TimeDelta::hours(4),
];

/// The selection key of an alert: one alert per (kind, subject).
#[must_use]
pub fn alert_key(alert: &Alert) -> String {
    format!("{}/{}", alert.kind.as_str(), alert.subject)
}

/// Whether `key` is [`alert_key`] of `alert`, without building the key.
#[must_use]
pub fn is_alert_key(key: &str, alert: &Alert) -> bool {
    let kind = alert.kind.as_str();
    key.len() == kind.len() + 1 + alert.subject.len()
        && key.starts_with(kind)
        && key[kind.len()..].starts_with('/')
        && key.ends_with(alert.subject.as_str())
}

/// The highlighted alert, when the table has any.
#[must_use]
pub fn selected<'a>(state: &State<'a>) -> Option<&'a Alert> {
    let alerts = rows::alerts(state);
    let keys: Vec<String> = alerts.iter().map(|a| alert_key(a)).collect();
    let index = rows::selected_index(&keys, state.selection().alert.as_ref())?;
    alerts.get(index).copied()
}

/// Moves the alert highlight `delta` rows.
pub(in crate::app) fn move_selection(state: &mut RoomMut<'_>, delta: isize) {
    let keys: Vec<String> = rows::alerts(&state.read())
        .iter()
        .map(|a| alert_key(a))
        .collect();
    let selection = &mut state.session.selection;
    selection.alert = rows::moved(&keys, selection.alert.as_ref(), delta);
}

/// Whether this session may change what everyone sees of the alerts: always in a room of
/// one; in a shared room only with read-write access (an operator). Otherwise says why.
fn may_mark(state: &mut RoomMut<'_>, what: &str, now: DateTime<Utc>) -> bool {
    if !state.session.shared {
        return true;
    }
    match state.access() {
        Access::ReadWrite => true,
        Access::ReadOnly { reason } => {
            let text = format!("read-only ({reason}): {what} does nothing; ask an operator");
            state.say(MessageKind::Warning, text, now);
            false
        }
    }
}

/// `a` / `:ack`: marks the highlighted alert as seen, with who saw it.
pub(in crate::app) fn acknowledge_selected(state: &mut RoomMut<'_>, now: DateTime<Utc>) {
    if !may_mark(state, "acknowledge", now) {
        return;
    }
    let Some((kind, subject)) = selected(&state.read()).map(|a| (a.kind, a.subject.clone())) else {
        state.say(MessageKind::Info, "no alert to acknowledge", now);
        return;
    };
    let by = state.session.operator.display_name().to_owned();
    state.board.alerts.acknowledge_by(kind, &subject, &by, now);
    state.say(
        MessageKind::Info,
        format!("acknowledged {kind} {subject}"),
        now,
    );
}

/// The next silence after one with `remaining` left: 15m → 1h → 4h → off (`None`).
#[must_use]
pub fn next_silence(remaining: Option<TimeDelta>) -> Option<TimeDelta> {
    match remaining {
        None => Some(SILENCE_STEPS[0]),
        // The step now running is the shortest that covers what is left; go one further.
        Some(left) => {
            let running = SILENCE_STEPS.iter().position(|step| *step >= left)?;
            SILENCE_STEPS.get(running + 1).copied()
        }
    }
}

/// `s` / `:silence`: silences the highlighted alert for the next step of the cycle.
pub(in crate::app) fn silence_selected(state: &mut RoomMut<'_>, now: DateTime<Utc>) {
    if !may_mark(state, "silence", now) {
        return;
    }
    let by = state.session.operator.display_name().to_owned();
    let read = state.read();
    let Some(alert) = selected(&read) else {
        state.say(MessageKind::Info, "no alert to silence", now);
        return;
    };
    let (kind, subject) = (alert.kind, alert.subject.clone());
    let remaining = alert
        .silenced_until
        .filter(|_| alert.is_silenced(now))
        .map(|until| until - now);
    if let Some(step) = next_silence(remaining) {
        state
            .board
            .alerts
            .silence_by(kind, &subject, now + step, &by, now);
        let text = format!(
            "silenced {kind} {subject} for {} (s again: longer, then off)",
            step_text(step)
        );
        state.say(MessageKind::Info, text, now);
    } else {
        // Silencing until now ends the silence: the book has no separate "unsilence".
        state.board.alerts.silence_by(kind, &subject, now, &by, now);
        state.say(
            MessageKind::Info,
            format!("{kind} {subject} no longer silenced"),
            now,
        );
    }
}

fn step_text(step: TimeDelta) -> String {
    if step.num_minutes() < 60 {
        format!("{}m", step.num_minutes())
    } else {
        format!("{}h", step.num_hours())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_cycles_then_ends() {
        let m = TimeDelta::minutes;
        assert_eq!(next_silence(None), Some(m(15)));
        assert_eq!(next_silence(Some(m(15))), Some(m(60)));
        assert_eq!(next_silence(Some(m(14))), Some(m(60)));
        assert_eq!(next_silence(Some(m(59))), Some(m(240)));
        assert_eq!(next_silence(Some(m(300))), None);
        assert_eq!(next_silence(Some(m(60))), Some(m(240)));
        assert_eq!(next_silence(Some(m(240))), None);
    }
}
