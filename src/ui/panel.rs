//! The frame every panel is drawn in, and what it says about its feed: a panel whose feed failed
//! or went stale says so in its title, in words, while it keeps showing the last good data.

use std::ops::Range;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use crate::app::State;
use crate::feed::FeedKind;

use super::text;
use super::theme::{Theme, Tone};

/// What a panel's feed is like at the moment, for its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// The last poll succeeded and the data is recent.
    Fresh,
    /// Nothing arrived yet (first poll under way).
    Waiting,
    /// No document ever arrived and the last poll failed.
    NoData(String),
    /// The last poll failed; older data is shown.
    Failed {
        /// Why the last poll failed.
        reason: String,
        /// Age of the data shown, in words (`text::age`).
        age: String,
    },
    /// No successful poll for several intervals; older data is shown. `reason` is why the last
    /// poll failed, when it did (a feed can also go stale with polls that never come back).
    Stale {
        /// Age of the data shown, in words (`text::age`).
        age: String,
        /// Why the last poll failed, when it did.
        reason: Option<String>,
    },
}

impl Freshness {
    /// The state of `feed` on the shown board at local time `now`.
    #[must_use]
    pub fn of(state: &State, feed: FeedKind, local_now: DateTime<Utc>) -> Self {
        let board = state.shown_board();
        let now = state.shown_local_now(local_now);
        let health = board.health(feed);
        let age = health.data_age(now).map(text::age);
        match (&health.last_error, age) {
            (Some(error), None) => Freshness::NoData(error.to_string()),
            (None, None) => Freshness::Waiting,
            (error, Some(age)) if board.is_stale(feed, now) => Freshness::Stale {
                age,
                reason: error.as_ref().map(ToString::to_string),
            },
            (Some(error), Some(age)) => Freshness::Failed {
                reason: error.to_string(),
                age,
            },
            (None, Some(_)) => Freshness::Fresh,
        }
    }

    /// The words for the panel title, `None` when fresh.
    #[must_use]
    pub fn note(&self, feed: FeedKind) -> Option<(String, Tone)> {
        match self {
            Freshness::Fresh => None,
            Freshness::Waiting => Some((format!("waiting for {feed}"), Tone::Dim)),
            Freshness::NoData(reason) => Some((format!("no data: {feed} {reason}"), Tone::Bad)),
            Freshness::Failed { reason, age } => Some((
                format!("{feed} failed: {reason}; data {age} old"),
                Tone::Warn,
            )),
            Freshness::Stale { age, reason } => Some((
                match reason {
                    Some(reason) => format!("STALE: {feed} data {age} old; {reason}"),
                    None => format!("STALE: {feed} data {age} old"),
                },
                Tone::Bad,
            )),
        }
    }
}

/// A bordered panel with a title and, when its feed is not fresh, the reason after it.
#[must_use]
pub fn block<'a>(
    title: &str,
    note: Option<(String, Tone)>,
    state: &State,
    theme: &Theme,
    focused: bool,
) -> Block<'a> {
    let production = state.deployment().is_production();
    let mut spans = vec![Span::styled(format!(" {title} "), theme.title())];
    if let Some((text, tone)) = note {
        spans.push(Span::styled(format!("[{text}] "), theme.tone(tone)));
    }
    Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border_set())
        .border_style(theme.border(production, focused))
        .title(Line::from(spans))
}

/// A block for a panel fed by `feed`, with its freshness in the title.
#[must_use]
pub fn feed_block<'a>(
    title: &str,
    feed: FeedKind,
    state: &State,
    theme: &Theme,
    focused: bool,
    now: DateTime<Utc>,
) -> Block<'a> {
    let note = Freshness::of(state, feed, now).note(feed);
    block(title, note, state, theme, focused)
}

/// Below this many rows of screen, panels on the main views have only their title line: the
/// side and bottom borders would cost four rows of an 80×24 Overview, the rows that hold its
/// alerts.
pub const FRAMED_FROM_ROWS: u16 = 30;

/// `block` as the screen can afford it: all borders on a tall screen, the title line alone on
/// a short one.
#[must_use]
pub fn for_screen<'a>(block: Block<'a>, frame: &Frame) -> Block<'a> {
    if frame.area().height < FRAMED_FROM_ROWS {
        block.borders(Borders::TOP)
    } else {
        block
    }
}

/// Writes `rows 1–5 of 14` on the title line of the panel drawn in `area` when `window`
/// (the rows drawn) is not all of `len`, so hidden rows are always counted.
pub fn rows_note(frame: &mut Frame, area: Rect, window: &Range<usize>, len: usize, theme: &Theme) {
    if window.len() >= len || area.height == 0 || area.width < 4 {
        return;
    }
    let text = if window.is_empty() {
        format!(" 0 of {len} rows shown ")
    } else {
        format!(" rows {}–{} of {len} ", window.start + 1, window.end)
    };
    let text = theme.plain(text);
    let width = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
    if width + 2 > area.width {
        return;
    }
    // On the title line at the right: every panel has one, framed or not.
    let note = Rect {
        x: area.right() - 1 - width,
        y: area.y,
        width,
        height: 1,
    };
    frame.render_widget(
        ratatui::widgets::Paragraph::new(text).style(theme.tone(Tone::Warn)),
        note,
    );
}

/// A rectangle of at most `width` × `height` centred in `area`.
#[must_use]
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `rect`, a dialog over `area`, and the rest of its rows across `area`: what shows
/// beside a dialog is whole rows above and below it, never the ends of rows it covers (`SD`
/// of a `USD`, `f…` of a message).
pub fn clear_for_dialog(frame: &mut Frame, area: Rect, rect: Rect) {
    let band = Rect {
        x: area.x,
        y: rect.y,
        width: area.width,
        height: rect.height,
    };
    frame.render_widget(ratatui::widgets::Clear, band.intersection(area));
}

/// The rows a table shows when `rows_height` rows fit under its header, `selected` is
/// highlighted and the table starts at the top: ratatui's own rule for a fresh `TableState`
/// (rows one line high), so a view can build only these rows and pass the selection as
/// `selected - start`. Building every row of a long table each frame is what this avoids.
#[must_use]
pub fn table_window(len: usize, selected: Option<usize>, rows_height: u16) -> Range<usize> {
    let height = usize::from(rows_height);
    if height == 0 || len == 0 {
        return 0..0;
    }
    match selected.map(|s| s.min(len - 1)) {
        Some(s) if s >= height => s + 1 - height..s + 1,
        _ => 0..len.min(height),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Constraint;
    use ratatui::style::{Modifier, Style};
    use ratatui::widgets::{Row, Table, TableState};

    use super::table_window;

    /// A table of `rows` rows, `rows_height` of them visible, with `selected` highlighted.
    fn drawn(rows: &[String], selected: Option<usize>, rows_height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(12, rows_height + 1)).expect("terminal");
        terminal
            .draw(|frame| {
                let table = Table::new(
                    rows.iter().map(|r| Row::new([r.as_str()])),
                    [Constraint::Fill(1)],
                )
                .header(Row::new(["head"]))
                .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
                let mut state = TableState::default().with_selected(selected);
                frame.render_stateful_widget(table, frame.area(), &mut state);
            })
            .expect("draw");
        format!("{:?}", terminal.backend().buffer())
    }

    #[test]
    fn the_window_draws_what_the_whole_table_draws() {
        for len in [0_usize, 1, 5, 9, 10, 11, 40] {
            let rows: Vec<String> = (0..len).map(|i| format!("row {i}")).collect();
            for height in [1_u16, 3, 10] {
                let mut selections: Vec<Option<usize>> = (0..len).map(Some).collect();
                selections.push(None);
                for selected in selections {
                    let window = table_window(len, selected, height);
                    let shown = selected.map(|s| s - window.start);
                    assert_eq!(
                        drawn(&rows[window.clone()], shown, height),
                        drawn(&rows, selected, height),
                        "len {len}, height {height}, selected {selected:?}, window {window:?}"
                    );
                }
            }
        }
    }
}
