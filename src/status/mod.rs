//! `dropday status`: poll the feeds for a while, then print the derived figures and alerts,
//! as a table or as JSON (a documented interface for scripts and monitoring).

mod table;

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::config::Config;
use crate::feed::events::PollReport;
use crate::feed::poller::spawn_pollers;
use crate::feed::{FeedFailure, FeedKind};
use crate::model::alerts::AlertBook;
use crate::model::report::Report;

pub use table::render_table;

/// Polls every feed of `config` for `observe`, then returns the report at the end.
/// Returns within `observe` plus a few milliseconds whatever the feeds do: a feed that has not
/// answered once by then is reported as failed ("no answer within …").
///
/// # Errors
/// When the HTTP client cannot be built (a bad CA certificate).
pub async fn observe(config: &Config, observe: Duration) -> Result<Report, String> {
    let mut board = config.board();
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
