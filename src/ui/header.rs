//! The header: where we are (environment, SIMULATED, read-only or not), the server's clock, each
//! feed's health, the alert counts, FROZEN, and the view tabs.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::state::{Access, View};
use crate::feed::FeedKind;

use super::panel::Freshness;
use super::text;
use super::theme::{Theme, Tone};

/// Rows the header takes: identity, feeds and alert counts, tabs, and the "now" banner.
pub const HEIGHT: u16 = 4;

/// Below this width the identity line drops what it can spare so the clock and the skew stay
/// on screen at 80 columns (the event lead's phone over SSH), FROZEN included.
const WIDE: u16 = 100;

/// Draws the header into `area` (four rows).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let lines = vec![
        identity_line(state, theme, now, area.width < WIDE),
        health_line(state, theme, now),
        tabs_line(state, theme, area.width),
        super::banner::line(state, theme, now, area.width),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn identity_line<'a>(state: &State, theme: &Theme, now: DateTime<Utc>, compact: bool) -> Line<'a> {
    let production = state.deployment().is_production();
    let mut spans = Vec::new();
    if state.deployment().simulated {
        // Reverse video and the word SIMULATED in every form: never mistaken for a live drop.
        let banner = if compact && state.frozen().is_some() {
            " SIMULATED "
        } else {
            " SIMULATED — NOT A LIVE DROP "
        };
        spans.push(Span::styled(banner.to_owned(), theme.simulated()));
        spans.push(Span::raw(" "));
    }
    if let Some(frozen) = state.frozen() {
        spans.push(Span::styled(
            format!(
                " FROZEN at {} ",
                text::clock(state.shown_board().server_now(frozen.at))
            ),
            theme.frozen(),
        ));
        spans.push(Span::raw(" "));
    }
    if !compact {
        spans.push(Span::styled("dropday ".to_owned(), theme.title()));
    }
    spans.push(Span::styled(
        format!("env {} ", state.deployment().environment),
        theme.header(production),
    ));
    if let Some(audience) = state.audience() {
        spans.push(Span::styled(format!("{} ", audience.name), theme.title()));
    }
    match &state.access() {
        Access::ReadWrite => spans.push(Span::styled("[RW] ".to_owned(), theme.read_write())),
        // A mapped marketplace without a control server says why in the header.
        Access::ReadOnly { reason } if reason.starts_with("mapped:") => {
            spans.push(Span::styled("[R] mapped ".to_owned(), theme.title()));
        }
        Access::ReadOnly { .. } => spans.push(Span::styled("[R] ".to_owned(), theme.title())),
    }
    if let Some(audience) = state.audience() {
        spans.push(Span::raw(
            theme.plain(format!("· {} watching ", audience.watching)),
        ));
    }
    let board = state.live_board();
    let server_now = board.server_now(now);
    let rate = board.settings().clock_rate;
    let skew = match board.clock_skew() {
        // The demo's simulator runs its clock faster: that is speed, not skew.
        _ if (rate - 1.0).abs() > f64::EPSILON => format!("×{} speed", short_rate(rate)),
        Some(skew) => {
            // Milliseconds to seconds for display only.
            let seconds = skew.num_milliseconds() as f64 / 1000.0;
            format!("skew {}", text::skew(seconds))
        }
        None => "skew unknown".to_owned(),
    };
    let clock = text::clock_s_in(server_now, theme.zone);
    let zone = theme.zone;
    spans.push(Span::raw(theme.plain(if compact {
        format!("{clock} {zone} {skew}")
    } else {
        format!("server {clock} {zone} ({skew}) ")
    })));
    Line::from(spans)
}

/// `10`, `2.5`: a speed factor without a needless `.0`.
fn short_rate(rate: f64) -> String {
    let text = format!("{rate:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

fn health_line<'a>(state: &State, theme: &Theme, now: DateTime<Utc>) -> Line<'a> {
    let mut spans = Vec::new();
    for feed in FeedKind::ALL {
        let (text, tone) = match Freshness::of(state, feed, now) {
            Freshness::Fresh => ("ok".to_owned(), Tone::Good),
            Freshness::Waiting => ("waiting".to_owned(), Tone::Dim),
            Freshness::NoData(reason) | Freshness::Failed { reason, .. } => {
                (format!("ERROR {reason}"), Tone::Bad)
            }
            // The reason is in the panel titles and the feed_error alert; the header keeps to
            // the age so three failing feeds still fit on one line.
            Freshness::Stale { age, .. } => (format!("STALE {age}"), Tone::Bad),
        };
        spans.push(Span::raw(format!("{feed} ")));
        spans.push(Span::styled(text, theme.tone(tone)));
        spans.push(Span::raw("  "));
    }
    let counts = state.alerts().counts(now);
    spans.push(Span::raw("alerts ".to_owned()));
    let count = |n: usize, word: &str, tone: Tone| {
        let tone = if n == 0 { Tone::Dim } else { tone };
        Span::styled(format!("{n} {word} "), theme.tone(tone))
    };
    spans.push(count(counts.critical, "crit", Tone::Critical));
    spans.push(count(counts.warning, "warn", Tone::Warn));
    spans.push(count(counts.info, "info", Tone::Normal));
    Line::from(spans)
}

fn tabs_line<'a>(state: &State, theme: &Theme, width: u16) -> Line<'a> {
    let actions = [
        Action::ViewOverview,
        Action::ViewFulfilment,
        Action::ViewPopups,
        Action::ViewActions,
        Action::ViewLog,
    ];
    let mut spans = Vec::new();
    for (view, action) in View::ALL.into_iter().zip(actions) {
        let key = state.keymap().first_key_text(action);
        let label = format!(" {key} {} ", view.title());
        let style = if view == state.view() {
            theme
                .selected()
                .add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            theme.tone(Tone::Dim)
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    // The reason can be long (a server message): after the tabs, ending at a word with `…`
    // where the line ends.
    if let Access::ReadOnly { reason } = &state.access() {
        let used: usize = spans.iter().map(Span::width).sum();
        let room = usize::from(width).saturating_sub(used + 1);
        let said = text::fit_words(&format!("read-only: {reason}"), room, theme.ellipsis());
        spans.push(Span::styled(format!("{said} "), theme.tone(Tone::Dim)));
    }
    let pending = state.ledger().pending();
    if pending > 0 {
        spans.push(Span::styled(
            format!(" {pending} action(s) pending "),
            theme.tone(Tone::Warn),
        ));
    }
    Line::from(spans)
}
