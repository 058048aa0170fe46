//! The frame every panel is drawn in, and what it says about its feed: a panel whose feed failed
//! or went stale says so in its title, in words, while it keeps showing the last good data.

use chrono::{DateTime, Utc};
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
    Failed { reason: String, age: String },
    /// No successful poll for several intervals; older data is shown.
    Stale { age: String },
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
            (_, Some(age)) if board.is_stale(feed, now) => Freshness::Stale { age },
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
            Freshness::Stale { age } => Some((format!("STALE: {feed} data {age} old"), Tone::Bad)),
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
    let production = state.session.is_production();
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
