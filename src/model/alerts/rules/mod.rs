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

/// `17 min`, or `under a minute` where whole minutes would say `0 min` (an exhaustion a few
/// seconds before the window ends read `0 min before its window ends`).
fn minutes_words(span: TimeDelta) -> String {
    match minutes(span) {
        0 => "under a minute".to_owned(),
        n => format!("{n} min"),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `6.0/min` or `~6/min (0–35)` with the rule's settled width.
fn rate_words(rate: Option<crate::model::estimate::Estimate>, t: &AlertThresholds) -> String {
    crate::model::format::rate(rate, t.settled_within_pct, None)
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::minutes_words;

    #[test]
    fn less_than_a_minute_is_said_in_words() {
        assert_eq!(minutes_words(TimeDelta::seconds(40)), "under a minute");
        assert_eq!(minutes_words(TimeDelta::seconds(-5)), "under a minute");
        assert_eq!(minutes_words(TimeDelta::seconds(60)), "1 min");
        assert_eq!(minutes_words(TimeDelta::minutes(81)), "81 min");
    }
}
