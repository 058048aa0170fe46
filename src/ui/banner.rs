//! The "now" banner under the header: the most urgent firing alert in words, how long it has
//! been going on, and how many more are firing. It is on every view at every size, so what is
//! critical is never only on a panel that happens to be off screen.

use chrono::{DateTime, Utc};
use ratatui::text::{Line, Span};

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::state::View;
use crate::model::alerts::{Alert, Severity};

use super::text;
use super::theme::{Theme, Tone};

/// Firing alerts that are not silenced, most urgent first: critical before warning before
/// info, unacknowledged before acknowledged, then oldest first.
fn urgent<'a>(state: &State<'a>, now: DateTime<Utc>) -> Vec<&'a Alert> {
    let mut alerts: Vec<&Alert> = state
        .alerts()
        .firing()
        .filter(|a| !a.is_silenced(now))
        .collect();
    alerts.sort_by_key(|a| (a.severity, a.acknowledged, a.since));
    alerts
}

/// The banner in `width` columns: `CRIT ewr-1 runs out in 17m (00:34)… · 12m · +3 more (2
/// crit) 1 Overview`. The count and where to see the rest come first when room is short; the
/// message is shortened at a word.
#[must_use]
pub fn line<'a>(state: &State, theme: &Theme, now: DateTime<Utc>, width: u16) -> Line<'a> {
    let alerts = urgent(state, now);
    let Some(first) = alerts.first() else {
        let pending = state.alerts().pending().len();
        let words = if pending > 0 {
            format!("no alert firing ({pending} pending)")
        } else {
            "no alert firing".to_owned()
        };
        return Line::from(Span::styled(words, theme.tone(Tone::Good)));
    };
    let (word, tone) = match first.severity {
        Severity::Critical => ("CRIT", Tone::Critical),
        Severity::Warning => ("WARN", Tone::Warn),
        Severity::Info => ("info", Tone::Normal),
    };
    let server_now = state.live_board().server_now(now);
    let dot = text::dot(theme.ascii);
    let age = format!(" {dot} {}", text::coarse_age(server_now - first.since));
    let rest = &alerts[1..];
    let more = if rest.is_empty() {
        String::new()
    } else {
        let critical = rest
            .iter()
            .filter(|a| a.severity == Severity::Critical)
            .count();
        let crit = if critical > 0 {
            format!(", {critical} crit")
        } else {
            String::new()
        };
        // Where the rest are: the Alerts panel is on the Overview.
        let key = if state.view() == View::Overview {
            "below".to_owned()
        } else {
            format!(
                "{} Overview",
                state.keymap().first_key_text(Action::ViewOverview)
            )
        };
        format!(" {dot} +{} more ({key}{crit})", rest.len())
    };
    let ack = if first.acknowledged { " (ack)" } else { "" };
    let fixed =
        word.chars().count() + 1 + ack.chars().count() + age.chars().count() + more.chars().count();
    let room = usize::from(width).saturating_sub(fixed);
    let mut spans = vec![
        Span::styled(word.to_owned(), theme.tone(tone)),
        Span::raw(" "),
    ];
    let message = text::fit_words_in(&first.message, room, theme.ascii);
    let message_style = if first.acknowledged {
        theme.tone(Tone::Dim)
    } else {
        theme.tone(tone)
    };
    spans.push(Span::styled(theme.plain(message), message_style));
    spans.push(Span::styled(ack.to_owned(), theme.tone(Tone::Dim)));
    spans.push(Span::styled(age, theme.tone(Tone::Dim)));
    spans.push(Span::styled(more, theme.title()));
    Line::from(spans)
}
