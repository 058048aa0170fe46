//! The delivery engine: the room's alert changes in ([`Notifier::observe`], called after each
//! update), one task per sink out. Each sink has its own bounded queue and its own task, so a
//! slow or dead sink delays nobody: not another sink, not the room, not the poller. Each
//! notification is retried until the sink takes it (at-least-once), waiting with capped
//! backoff or the sink's `Retry-After`; another 4xx is given up and logged with the answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::Notify;

use super::backoff::{Verdict, judge, wait_before_retry};
use super::outgoing::{Outgoing, SendContext};
use super::policy::SinkPolicy;
use super::queue::SinkQueue;
use super::settings::{SinkKind, SinkSettings};
use super::transition::{AlertWatch, Change, Notification};
use super::{alertmanager, pagerduty, slack, webhook};
use crate::model::alerts::{AlertBook, AlertThresholds, DeliveryOutcome, DeliveryReport};

/// The local clock the engine reads when it builds a request (`Utc::now` in the program).
pub type Clock = fn() -> DateTime<Utc>;

/// Where each delivery outcome goes besides the log: the room turns it into an event, so the
/// alert's details say per sink whether it was delivered. Must not wait (it is called from
/// the room's loop and from the sinks' tasks).
pub type Reporter = Arc<dyn Fn(DeliveryReport) + Send + Sync>;

/// A sink that could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("notify sink `{sink}`: {problem}")]
pub struct NotifyError {
    /// The sink's name.
    pub sink: String,
    /// What is wrong.
    pub problem: String,
}

/// The requests a sink of `kind` sends for `note`.
#[must_use]
pub fn requests(kind: SinkKind, note: &Notification, ctx: &SendContext) -> Vec<Outgoing> {
    match kind {
        SinkKind::Alertmanager => alertmanager::requests(note, ctx),
        SinkKind::Pagerduty => pagerduty::requests(note, ctx),
        SinkKind::Slack => slack::requests(note, ctx),
        SinkKind::Webhook => webhook::requests(note, ctx),
    }
}

/// Counts of one sink since the start.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
}

/// One sink's figures, for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkStats {
    /// The sink's name.
    pub name: String,
    /// What it speaks.
    pub kind: SinkKind,
    /// Requests the sink took (2xx).
    pub sent: u64,
    /// Attempts that failed (timeout, no connection, 5xx, 429, refusal).
    pub failed: u64,
    /// Notifications dropped from its full queue.
    pub dropped: u64,
}

/// A cheap handle on every sink's counts, for readers on other tasks (`/metrics`).
#[derive(Debug, Clone, Default)]
pub struct NotifyStats {
    sinks: Arc<Vec<(String, SinkKind, Arc<Counters>)>>,
}

impl NotifyStats {
    /// The counts now, in config order.
    #[must_use]
    pub fn read(&self) -> Vec<SinkStats> {
        self.sinks
            .iter()
            .map(|(name, kind, c)| SinkStats {
                name: name.clone(),
                kind: *kind,
                sent: c.sent.load(Ordering::Relaxed),
                failed: c.failed.load(Ordering::Relaxed),
                dropped: c.dropped.load(Ordering::Relaxed),
            })
            .collect()
    }
}

struct Lane {
    settings: Arc<SinkSettings>,
    report: Option<Reporter>,
    policy: SinkPolicy,
    queue: Arc<Mutex<SinkQueue<Notification>>>,
    wake: Arc<Notify>,
    counters: Arc<Counters>,
}

/// The alert changes of the room, delivered to every configured sink.
pub struct Notifier {
    watch: AlertWatch,
    lanes: Vec<Lane>,
    stats: NotifyStats,
}

impl Notifier {
    /// Starts one delivery task per sink (on the current tokio runtime). Alerts are labelled
    /// with `environment` and `instance`.
    ///
    /// # Errors
    /// When a sink's HTTP client cannot be built (a CA certificate that is not PEM).
    pub fn start(
        sinks: Vec<SinkSettings>,
        environment: &str,
        instance: &str,
        clock: Clock,
    ) -> Result<Self, NotifyError> {
        Self::start_reporting(sinks, environment, instance, clock, None)
    }

    /// As [`Notifier::start`], and each delivery outcome (delivered, retrying, refused, not
    /// sent) is also handed to `report`.
    ///
    /// # Errors
    /// When a sink's HTTP client cannot be built (a CA certificate that is not PEM).
    pub fn start_reporting(
        sinks: Vec<SinkSettings>,
        environment: &str,
        instance: &str,
        clock: Clock,
        report: Option<&Reporter>,
    ) -> Result<Self, NotifyError> {
        let mut lanes = Vec::new();
        for settings in sinks {
            let http = http_client(&settings)?;
            let settings = Arc::new(settings);
            let queue = Arc::new(Mutex::new(SinkQueue::new(settings.queue)));
            let wake = Arc::new(Notify::new());
            let counters = Arc::new(Counters::default());
            tokio::spawn(run_lane(LaneTask {
                settings: settings.clone(),
                http,
                queue: queue.clone(),
                wake: wake.clone(),
                counters: counters.clone(),
                instance: instance.to_owned(),
                clock,
                report: report.cloned(),
            }));
            lanes.push(Lane {
                settings,
                report: report.cloned(),
                policy: SinkPolicy::default(),
                queue,
                wake,
                counters,
            });
        }
        let stats = NotifyStats {
            sinks: Arc::new(
                lanes
                    .iter()
                    .map(|l| (l.settings.name.clone(), l.settings.kind, l.counters.clone()))
                    .collect(),
            ),
        };
        let refresh =
            TimeDelta::from_std(alertmanager::RESEND_EVERY).unwrap_or(TimeDelta::minutes(1));
        Ok(Notifier {
            watch: AlertWatch::new(environment, refresh),
            lanes,
            stats,
        })
    }

    /// The sinks' counts, for `/metrics`.
    #[must_use]
    pub fn stats(&self) -> NotifyStats {
        self.stats.clone()
    }

    /// Looks at the book after an update (local time `now`; the feeds' clock is
    /// `server_offset` ahead) and queues what changed for each sink that wants it. Never
    /// waits for a sink.
    pub fn observe(
        &mut self,
        book: &AlertBook,
        thresholds: &AlertThresholds,
        server_offset: TimeDelta,
        now: DateTime<Utc>,
    ) {
        for note in self.watch.observe(book, thresholds, server_offset, now) {
            self.enqueue(&note);
        }
    }

    /// Queues `note` for each sink that wants it (what `observe` does with each change).
    pub fn enqueue(&mut self, note: &Notification) {
        for lane in &mut self.lanes {
            let Some(planned) = lane.policy.plan(&lane.settings, note) else {
                if let (Some(report), Some(reason)) = (&lane.report, not_sent(&lane.settings, note))
                {
                    report(DeliveryReport {
                        sink: lane.settings.name.clone(),
                        kind: note.alert.kind,
                        subject: note.alert.subject.clone(),
                        change: note.change.word(),
                        outcome: DeliveryOutcome::NotSent { reason },
                        at: note.at,
                    });
                }
                continue;
            };
            let dropped = lane
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(planned);
            if let Some(old) = dropped {
                lane.counters.dropped.fetch_add(1, Ordering::Relaxed);
                log::warn!(
                    "notify {}: queue full ({} waiting); dropped the oldest: {} {} {}",
                    lane.settings.name,
                    lane.settings.queue,
                    old.change.word(),
                    old.alert.kind,
                    old.alert.subject
                );
            }
            lane.wake.notify_one();
        }
    }
}

/// Why a new alert (or a new severity) was not sent to `sink`, when that is worth showing:
/// a room silence or the sink's filters. Other changes (a clear, an acknowledgement) of an
/// alert the sink never heard of are nothing to that sink.
fn not_sent(sink: &SinkSettings, note: &Notification) -> Option<String> {
    if !matches!(note.change, Change::Firing | Change::SeverityChanged { .. }) {
        return None;
    }
    if note.alert.severity > sink.min_severity {
        Some(format!("below its min_severity {}", sink.min_severity))
    } else if !sink.wants(note.alert.kind, note.alert.severity) {
        Some("not one of its kinds".to_owned())
    } else if note.silenced && sink.kind != SinkKind::Alertmanager {
        Some("silenced".to_owned())
    } else {
        None
    }
}

/// The HTTP client of one sink: rustls, its CA roots, its timeout per request.
///
/// # Errors
/// A CA certificate that is not PEM, or a TLS stack that cannot start.
pub fn http_client(settings: &SinkSettings) -> Result<reqwest::Client, NotifyError> {
    let problem = |problem: String| NotifyError {
        sink: settings.name.clone(),
        problem,
    };
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(concat!("dropday/", env!("CARGO_PKG_VERSION")))
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .pool_max_idle_per_host(1);
    for pem in &settings.ca_certs_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| problem(format!("CA certificate: {e}")))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| problem(format!("cannot start the HTTP client: {e}")))
}

/// What a sink answered to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status, `None` when there was no answer.
    pub status: Option<u16>,
    /// The verdict on it.
    pub verdict: Verdict,
    /// In words: `HTTP 202: {"status":"success"…}`, `no answer within 5s`, … (never the URL).
    pub text: String,
}

/// Sends one request to a sink, once.
pub async fn send_once(
    http: &reqwest::Client,
    settings: &SinkSettings,
    request: &Outgoing,
    now: DateTime<Utc>,
) -> Answer {
    let url = format!(
        "{}{}",
        settings.url.expose().trim_end_matches('/'),
        request.path
    );
    let url = if request.path.is_empty() {
        settings.url.expose().to_owned()
    } else {
        url
    };
    // reqwest's `json` feature is off in this crate; the body is serialised here.
    let mut post = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(request.body.to_string());
    if let Some(token) = &settings.token {
        post = post.bearer_auth(token.expose());
    }
    match post.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response.text().await.unwrap_or_default();
            let body: String = body.trim().chars().take(200).collect();
            Answer {
                status: Some(status),
                verdict: judge(
                    status,
                    retry_after.as_deref(),
                    now,
                    settings.max_retry_after,
                ),
                text: if body.is_empty() {
                    format!("HTTP {status}")
                } else {
                    format!("HTTP {status}: {body}")
                },
            }
        }
        Err(e) => Answer {
            status: None,
            verdict: Verdict::Retry { after: None },
            text: describe_failure(&e.without_url(), settings.timeout),
        },
    }
}

/// A transport failure in a few words; the URL (a secret for Slack) is never in it.
fn describe_failure(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        format!("no answer within {}", humantime::format_duration(timeout))
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    }
}

struct LaneTask {
    settings: Arc<SinkSettings>,
    http: reqwest::Client,
    queue: Arc<Mutex<SinkQueue<Notification>>>,
    wake: Arc<Notify>,
    counters: Arc<Counters>,
    instance: String,
    clock: Clock,
    report: Option<Reporter>,
}

impl LaneTask {
    /// Hands one outcome of `note` to the room, when it listens.
    fn tell(&self, note: &Notification, outcome: DeliveryOutcome, at: DateTime<Utc>) {
        if let Some(report) = &self.report {
            report(DeliveryReport {
                sink: self.settings.name.clone(),
                kind: note.alert.kind,
                subject: note.alert.subject.clone(),
                change: note.change.word(),
                outcome,
                at,
            });
        }
    }

    async fn next(&self) -> Notification {
        loop {
            let popped = self
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            if let Some(note) = popped {
                return note;
            }
            // `notify_one` keeps a permit when nobody waits: no wake-up is lost.
            self.wake.notified().await;
        }
    }

    /// Delivers `note`: every request it makes, in order, each retried until taken or refused.
    async fn deliver(&self, note: &Notification) {
        let name = &self.settings.name;
        let what = format!(
            "{} {} {}",
            note.change.word(),
            note.alert.kind,
            note.alert.subject
        );
        let mut index = 0;
        let mut failures = 0u32;
        loop {
            let now = (self.clock)();
            let ctx = SendContext {
                instance: self.instance.clone(),
                now,
                sink: name.clone(),
                routing_key: self
                    .settings
                    .routing_key
                    .as_ref()
                    .map(|k| k.expose().to_owned()),
            };
            // Built again on each try, so a firing alert's `endsAt` counts from the send.
            let all = requests(self.settings.kind, note, &ctx);
            let Some(request) = all.get(index) else {
                return;
            };
            let answer = send_once(&self.http, &self.settings, request, now).await;
            match answer.verdict {
                Verdict::Delivered => {
                    self.counters.sent.fetch_add(1, Ordering::Relaxed);
                    log::info!(
                        "notify {name}: {what}{}: delivered ({}{})",
                        part(index, all.len()),
                        answer.text,
                        if failures > 0 {
                            format!(", after {failures} failed attempt(s)")
                        } else {
                            String::new()
                        }
                    );
                    let answer = answer
                        .status
                        .map_or_else(|| answer.text.clone(), |s| format!("HTTP {s}"));
                    self.tell(note, DeliveryOutcome::Delivered { answer }, now);
                    index += 1;
                    failures = 0;
                }
                Verdict::Refused => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    log::error!(
                        "notify {name}: {what}{}: refused, not retried: {}",
                        part(index, all.len()),
                        answer.text
                    );
                    self.tell(
                        note,
                        DeliveryOutcome::Failed {
                            answer: answer.text.clone(),
                        },
                        now,
                    );
                    index += 1;
                    failures = 0;
                }
                Verdict::Retry { after } => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    let wait = wait_before_retry(failures, after, self.settings.max_backoff);
                    log::warn!(
                        "notify {name}: {what}{}: {}; retry in {}",
                        part(index, all.len()),
                        answer.text,
                        humantime::format_duration(wait)
                    );
                    self.tell(
                        note,
                        DeliveryOutcome::Retrying {
                            // The status alone (the body is in the log); else what happened.
                            answer: answer
                                .status
                                .map_or_else(|| answer.text.clone(), |s| format!("HTTP {s}")),
                            attempt: failures,
                        },
                        now,
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

fn part(index: usize, of: usize) -> String {
    if of > 1 {
        format!(" ({} of {of})", index + 1)
    } else {
        String::new()
    }
}

async fn run_lane(task: LaneTask) {
    loop {
        let note = task.next().await;
        task.deliver(&note).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::Severity;
    use crate::notify::outgoing::fixture::overdue;

    #[test]
    fn what_was_not_sent_says_why_for_new_alerts_only() {
        let pd = SinkSettings::new(SinkKind::Pagerduty, "pd", "http://127.0.0.1:1");
        let am = SinkSettings::new(SinkKind::Alertmanager, "am", "http://127.0.0.1:1");
        let mut silenced = overdue(Change::Firing);
        silenced.silenced = true;
        assert_eq!(not_sent(&pd, &silenced).as_deref(), Some("silenced"));
        assert_eq!(
            not_sent(&am, &silenced),
            None,
            "Alertmanager takes silenced alerts"
        );

        let mut info = overdue(Change::Firing);
        info.alert.severity = Severity::Info;
        assert_eq!(
            not_sent(&pd, &info).as_deref(),
            Some("below its min_severity warning")
        );
        let mut other_kinds = pd.clone();
        other_kinds.exclude_kinds = vec![info.alert.kind];
        assert_eq!(
            not_sent(&other_kinds, &overdue(Change::Firing)).as_deref(),
            Some("not one of its kinds")
        );
        assert_eq!(not_sent(&pd, &overdue(Change::Resolved)), None);
    }
}
