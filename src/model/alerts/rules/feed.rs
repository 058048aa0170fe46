//! Rules `feed_error`, `feed_stale`: one alert per feed problem, the stale one superseding
//! the error that caused it.

use chrono::{DateTime, Utc};

use crate::feed::FeedKind;
use crate::model::board::Board;

use super::super::finding::Findings;
use super::super::kind::AlertKind;
use super::super::thresholds::AlertThresholds;

pub(super) fn rules(
    board: &Board,
    feed: FeedKind,
    local_now: DateTime<Utc>,
    t: &AlertThresholds,
    out: &mut Findings,
) {
    let health = board.health(feed);
    let skew = board.clock_skew().unwrap_or_default();
    if health.is_stale(local_now, t.stale_after_intervals) {
        let since = health.last_success.or(health.first_attempt);
        let age = since.map_or(0, |s| (local_now - s).num_seconds());
        let cause = health
            .last_error
            .as_ref()
            .map(|e| format!(" (last error: {e})"))
            .unwrap_or_default();
        let message = match health.last_success {
            Some(_) => format!("{feed}: no successful poll for {age} s{cause}"),
            None => format!("{feed}: no successful poll since starting {age} s ago{cause}"),
        };
        let found = out.push(
            AlertKind::FeedStale,
            feed.name(),
            AlertKind::FeedStale.severity(),
            message,
        );
        // Local instants are put on the server's clock, as every instant of the book.
        found.began = since.map(|s| s + skew);
    } else if let Some(error) = &health.last_error {
        let found = out.push(
            AlertKind::FeedError,
            feed.name(),
            AlertKind::FeedError.severity(),
            format!(
                "{feed}: last poll failed ({} in a row): {error}",
                health.consecutive_failures
            ),
        );
        let failures = f64::from(health.consecutive_failures);
        found.figure = Some(failures);
    }
}
