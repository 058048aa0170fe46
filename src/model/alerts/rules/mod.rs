//! The rules: what holds on the board at an instant, one finding per (kind, subject).

mod drop;
mod feed;
mod hub;
mod popup;

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::FeedKind;

use super::finding::Findings;
use super::kind::AlertKind;
use super::thresholds::AlertThresholds;
use crate::model::board::Board;

/// Every rule on `board` at `local_now` (feed health is on the local clock, figures on the
/// server's). Projection kinds of a stale feed are listed as held.
#[must_use]
pub fn findings(board: &Board, local_now: DateTime<Utc>, t: &AlertThresholds) -> Findings {
    let now = board.server_now(local_now);
    let mut out = Findings::default();
    for kind in AlertKind::ALL {
        if kind.is_projection()
            && kind
                .feed()
                .is_some_and(|feed| board.is_stale(feed, local_now))
        {
            out.held.push(kind);
        }
    }
    for hub in board.all_hub_outlooks(now) {
        hub::rules(&hub, t, &mut out);
    }
    for popup in board.all_popup_summaries(now) {
        popup::rules(&popup, &mut out);
    }
    let rate_window = board.settings().rate_window;
    for figures in board.all_drop_figures(now) {
        drop::rules(&figures, rate_window, t, &mut out);
    }
    for kind in FeedKind::ALL {
        feed::rules(board, kind, local_now, t, &mut out);
    }
    out
}

/// Whole minutes of a span, rounded down, never negative.
fn minutes(span: TimeDelta) -> i64 {
    span.num_minutes().max(0)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `6.0/min` or `~6/min (0–35)` with the rule's settled width.
fn rate_words(rate: Option<crate::model::estimate::Estimate>, t: &AlertThresholds) -> String {
    crate::model::format::rate(rate, t.settled_within_pct, None)
}
