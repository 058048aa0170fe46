//! `dropday status`: poll the feeds for a while, then print the derived figures and alerts,
//! as a table or as JSON (a documented interface for scripts and monitoring).

mod table;

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::feed::events::PollReport;
use crate::feed::poller::spawn_pollers;
use crate::feed::{FeedFailure, FeedKind};
use crate::model::alerts::AlertBook;
use crate::model::board::{Board, BoardSettings};
use crate::model::report::Report;

pub use table::render_table;

/// A board for `config`: its rate window, its staleness rule and each feed's poll interval.
#[must_use]
pub fn board_for(config: &Config) -> Board {
    let mut board = Board::new(BoardSettings {
        rate_window: TimeDelta::from_std(config.rate_window).unwrap_or(TimeDelta::minutes(5)),
        stale_after_intervals: config.alerts.stale_after_intervals,
        clock_rate: 1.0,
    });
    for endpoint in &config.feeds {
        if let Ok(every) = TimeDelta::from_std(endpoint.poll_every) {
            board.set_poll_interval(endpoint.kind, every);
        }
    }
    board
}

/// Polls every feed of `config` for `observe`, then returns the report at the end.
/// Returns within `observe` plus a few milliseconds whatever the feeds do: a feed that has not
/// answered once by then is reported as failed ("no answer within …").
///
/// # Errors
/// When the HTTP client cannot be built (a bad CA certificate).
pub async fn observe(config: &Config, observe: Duration) -> Result<Report, String> {
    let mut board = board_for(config);
    let (tx, mut rx) = mpsc::channel::<PollReport>(64);
    let pollers = spawn_pollers(config.feeds.clone(), config.max_backoff, tx)?;
    let deadline = tokio::time::Instant::now() + observe;
    // Ends at the deadline (timeout) or when every poller has gone (channel closed).
    let mut alerts = AlertBook::new();
    // Evaluated after every poll, so an alert whose condition held for its pending time
    // during the observation is reported firing, else pending.
    while let Ok(Some(report)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        board.apply_poll(report);
        alerts.evaluate(&board, Utc::now(), &config.alerts);
    }
    drop(pollers);
    let now = Utc::now();
    for kind in FeedKind::ALL {
        if board.health(kind).last_attempt.is_none() {
            board.record_failure(
                kind,
                FeedFailure::Timeout {
                    timeout_ms: u64::try_from(observe.as_millis()).unwrap_or(u64::MAX),
                },
                now,
            );
        }
    }
    alerts.evaluate(&board, now, &config.alerts);
    Ok(Report::build(&board, &alerts, now))
}
