//! The outputs that watch the board rather than draw it: alert delivery (`[[notify]]`) and
//! `/metrics`. Both look at the board after every update, in the loop that owns it, and
//! never wait there: notifications are queued for the sinks' own tasks, and the metrics text
//! is rendered at most once a second for the scrapes to take.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

use tokio::sync::mpsc;

use crate::app::{Event, SharedBoard};
use crate::metrics::{self, FeedFailureTally, MetricsServer, Scrape};
use crate::notify::deliver::Reporter;
use crate::notify::{Notifier, NotifyStats, SinkSettings};

/// Alert delivery and `/metrics`, either or both.
pub struct Outputs {
    notifier: Option<Notifier>,
    stats: NotifyStats,
    failures: FeedFailureTally,
    metrics: Option<MetricsCache>,
    /// The served sessions, when `dropday serve` serves SSH: their figures join `/metrics`.
    serve: Option<crate::serve::ServeWatch>,
}

struct MetricsCache {
    text: Arc<Mutex<String>>,
    rendered_at: Option<DateTime<Utc>>,
    server: MetricsServer,
}

/// What to start.
pub struct OutputSettings<'a> {
    /// The sinks to deliver to (none: no delivery).
    pub sinks: &'a [SinkSettings],
    /// The `environment` label of every alert.
    pub environment: &'a str,
    /// Where `/metrics` listens, if anywhere.
    pub metrics: Option<SocketAddr>,
}

/// How stale the metrics text may get while the board changes: one rendering per second.
const RENDER_EVERY: TimeDelta = TimeDelta::seconds(1);

/// This host's name for the `instance` label when `/metrics` is not served.
#[must_use]
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "dropday".to_owned())
}

impl Outputs {
    /// Starts the sinks' tasks and the metrics server (on the current runtime). Each delivery
    /// outcome comes back on `events` as [`Event::Delivery`], for the alert's details.
    ///
    /// # Errors
    /// A sink whose client cannot be built, or a metrics address that cannot be bound.
    pub async fn start(
        settings: OutputSettings<'_>,
        events: mpsc::Sender<Event>,
    ) -> Result<Outputs, String> {
        let metrics = match settings.metrics {
            Some(addr) => {
                let text = Arc::new(Mutex::new(String::new()));
                let shared = text.clone();
                let server = metrics::serve(
                    addr,
                    Arc::new(move || {
                        shared
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .clone()
                    }),
                )
                .await
                .map_err(|e| format!("cannot serve /metrics on {addr}: {e}"))?;
                log::info!("metrics: serving http://{}/metrics", server.local_addr());
                Some(MetricsCache {
                    text,
                    rendered_at: None,
                    server,
                })
            }
            None => None,
        };
        let instance = metrics
            .as_ref()
            .map_or_else(host_name, |m| m.server.local_addr().to_string());
        let notifier = if settings.sinks.is_empty() {
            None
        } else {
            for sink in settings.sinks {
                log::info!(
                    "notify: sink {} ({}), {} and more urgent{}",
                    sink.name,
                    sink.kind,
                    sink.min_severity,
                    if sink.kinds.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", kinds {}",
                            sink.kinds
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join(",")
                        )
                    }
                );
            }
            // `try_send`: a full event queue loses a line of the details, never delays a sink
            // or the loop (the log has every outcome).
            let report: Reporter = Arc::new(move |report| {
                let _ = events.try_send(Event::Delivery(report));
            });
            Some(
                Notifier::start_reporting(
                    settings.sinks.to_vec(),
                    settings.environment,
                    &instance,
                    Utc::now,
                    Some(&report),
                )
                .map_err(|e| e.to_string())?,
            )
        };
        let stats = notifier.as_ref().map(Notifier::stats).unwrap_or_default();
        Ok(Outputs {
            notifier,
            stats,
            failures: FeedFailureTally::default(),
            metrics,
            serve: None,
        })
    }

    /// Whether anything is on.
    #[must_use]
    pub fn any(&self) -> bool {
        self.notifier.is_some() || self.metrics.is_some()
    }

    /// Where `/metrics` listens, when it does.
    #[must_use]
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|m| m.server.local_addr())
    }

    /// Adds the served sessions' figures to `/metrics` from now on.
    pub fn watch_serve(&mut self, serve: crate::serve::ServeWatch) {
        self.serve = Some(serve);
    }

    /// Looks at the board after an update at local time `now`.
    pub fn after_update(&mut self, board: &SharedBoard, now: DateTime<Utc>) {
        if let Some(notifier) = &mut self.notifier {
            let offset = board.feeds().server_now(now) - now;
            notifier.observe(board.alerts(), board.thresholds(), offset, now);
        }
        let Some(metrics) = &mut self.metrics else {
            return;
        };
        self.failures.observe(board.feeds());
        if metrics
            .rendered_at
            .is_some_and(|at| now >= at && now - at < RENDER_EVERY)
        {
            return;
        }
        let sinks = self.stats.read();
        match metrics::render(&Scrape {
            board: board.feeds(),
            alerts: board.alerts(),
            failures: &self.failures,
            sinks: &sinks,
            serve: self.serve.as_ref().map(crate::serve::ServeWatch::figures),
            now,
        }) {
            Ok(text) => {
                *metrics.text.lock().unwrap_or_else(PoisonError::into_inner) = text;
                metrics.rendered_at = Some(now);
            }
            Err(e) => log::error!("metrics: cannot render: {e}"),
        }
    }
}
