//! Polling tasks: one per feed, each polling its document on its interval and backing off
//! (capped, jittered, honouring `Retry-After`) while the feed fails.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::adapters::MappedClient;
use super::client::{FeedClient, FeedEndpoint, build_http};
use super::events::{PollOutcome, PollReport, RawAnswer};
use super::{FeedFailure, FeedKind};

/// Sees every poll with its answer as received, before the report goes to the room (a
/// recording). Called on the poller's task: it must not block.
pub type PollTap = Arc<dyn Fn(&PollReport, Option<&RawAnswer>) + Send + Sync>;

/// Longest wait between two polls of a failing feed, unless the server asks for longer.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How long to wait before the next poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The healthy poll interval.
    pub every: Duration,
    /// The cap of the exponential backoff.
    pub max: Duration,
    /// The cap of the server's `Retry-After` (above `max`: the server's word usually wins).
    pub max_retry_after: Duration,
}

impl Backoff {
    /// The delay after `failures` consecutive failures (0 = healthy), the last of which may
    /// carry the server's `Retry-After`. `jitter` in `[0, 1)` spreads a failing feed's clients
    /// over ±20 % so they do not retry in step.
    #[must_use]
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        if failures == 0 {
            return self.every;
        }
        let exponent = failures.saturating_sub(1).min(16);
        let raw = self.every.saturating_mul(1 << exponent).min(self.max);
        let spread = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
        let jittered = raw.mul_f64(spread).min(self.max);
        // The server's word wins when it asks for more, up to `max_retry_after`; never poll
        // faster than healthy.
        let asked = retry_after
            .unwrap_or(Duration::ZERO)
            .min(self.max_retry_after);
        jittered.max(asked).max(self.every)
    }
}

/// The running pollers; dropping it stops them.
#[derive(Debug)]
pub struct Pollers {
    wake: Vec<Arc<Notify>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Pollers {
    /// Asks every feed to poll now instead of waiting for its next turn.
    pub fn poll_now(&self) {
        for wake in &self.wake {
            wake.notify_one();
        }
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts one polling task per endpoint; each report is sent on `events`.
/// A task ends when the receiver is gone.
///
/// # Errors
/// When the HTTP client of an endpoint cannot be built (bad CA certificate).
// Taking the sender drops it on return: the channel then closes once every poller has ended.
#[allow(clippy::needless_pass_by_value)]
pub fn spawn_pollers<E>(
    endpoints: Vec<FeedEndpoint>,
    max_backoff: Duration,
    events: mpsc::Sender<E>,
) -> Result<Pollers, String>
where
    E: From<PollReport> + Send + 'static,
{
    spawn_tapped_pollers(endpoints, max_backoff, events, None)
}

/// [`spawn_pollers`], each poll shown to `tap` (with its raw answer) before it is sent.
///
/// # Errors
/// As [`spawn_pollers`].
// Taking the sender drops it on return: the channel then closes once every poller has ended.
#[allow(clippy::needless_pass_by_value)]
pub fn spawn_tapped_pollers<E>(
    endpoints: Vec<FeedEndpoint>,
    max_backoff: Duration,
    events: mpsc::Sender<E>,
    tap: Option<PollTap>,
) -> Result<Pollers, String>
where
    E: From<PollReport> + Send + 'static,
{
    let mut wake = Vec::with_capacity(endpoints.len());
    let mut tasks = Vec::with_capacity(endpoints.len());
    for endpoint in endpoints {
        let http = build_http(&endpoint)?;
        let backoff = Backoff {
            every: endpoint.poll_every,
            max: max_backoff.max(endpoint.poll_every),
            max_retry_after: endpoint.max_retry_after,
        };
        let notify = Arc::new(Notify::new());
        wake.push(Arc::clone(&notify));
        let client = match endpoint.mapped.clone() {
            Some(source) => Source::Mapped(Box::new(MappedClient::new(http, endpoint, source))),
            None => Source::Feed(FeedClient::new(http, endpoint)),
        };
        tasks.push(tokio::spawn(poll_loop(
            client,
            backoff,
            Timer(notify),
            events.clone(),
            tap.clone(),
        )));
    }
    Ok(Pollers { wake, tasks })
}

/// What a polling task reads: a FEEDS v1 server, or a platform through a mapping.
#[derive(Debug)]
enum Source {
    Feed(FeedClient),
    // Boxed: its page cache and memo make it several times a plain feed's size.
    Mapped(Box<MappedClient>),
}

impl Source {
    fn endpoint(&self) -> &FeedEndpoint {
        match self {
            Source::Feed(client) => client.endpoint(),
            Source::Mapped(client) => client.endpoint(),
        }
    }
}

/// What a polling task polls: the feed's source in the program (a script in the loop's own
/// tests).
trait FeedSource {
    fn kind(&self) -> FeedKind;
    /// One poll, with the answer as received when a recording taps it.
    fn poll_with_body(&mut self) -> impl Future<Output = (PollReport, Option<RawAnswer>)> + Send;
}

impl FeedSource for Source {
    fn kind(&self) -> FeedKind {
        self.endpoint().kind
    }

    async fn poll_with_body(&mut self) -> (PollReport, Option<RawAnswer>) {
        match self {
            Source::Feed(client) => client.poll_with_body().await,
            Source::Mapped(client) => client.poll_with_body().await,
        }
    }
}

/// How a polling task waits before its next poll: a timer in the program (the loop's own
/// tests record the waits instead, so they check the backoff without wall time).
trait PollWait {
    fn wait(&mut self, delay: Duration) -> impl Future<Output = ()> + Send;
}

/// The program's wait: `delay` on tokio's clock, cut short by [`Pollers::poll_now`].
struct Timer(Arc<Notify>);

impl PollWait for Timer {
    async fn wait(&mut self, delay: Duration) {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = self.0.notified() => {}
        }
    }
}

async fn poll_loop<S, W, E>(
    mut source: S,
    backoff: Backoff,
    mut wait: W,
    events: mpsc::Sender<E>,
    tap: Option<PollTap>,
) where
    S: FeedSource,
    W: PollWait,
    E: From<PollReport> + Send + 'static,
{
    let mut failures: u32 = 0;
    loop {
        let (report, raw) = source.poll_with_body().await;
        if let Some(tap) = &tap {
            tap(&report, raw.as_ref());
        }
        let retry_after = if let PollOutcome::Failed(failure) = &report.outcome {
            failures = failures.saturating_add(1);
            log::warn!("{} feed: {failure}", source.kind());
            FeedFailure::retry_after_s(failure).map(Duration::from_secs)
        } else {
            if failures > 0 {
                log::info!("{} feed recovered", source.kind());
            }
            failures = 0;
            None
        };
        if events.send(E::from(report)).await.is_err() {
            return;
        }
        let jitter = rand::rng().random::<f64>();
        wait.wait(backoff.delay(failures, retry_after, jitter))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::wire::{Hub, decode_document};

    const SECOND: Duration = Duration::from_secs(1);

    fn backoff() -> Backoff {
        Backoff {
            every: SECOND,
            max: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(600),
        }
    }

    #[test]
    fn healthy_feeds_poll_on_their_interval() {
        assert_eq!(backoff().delay(0, None, 0.9), SECOND);
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap() {
        let b = backoff();
        // jitter 0.5 is the centre of the ±20 % spread.
        let delays: Vec<u64> = (1..=8).map(|n| b.delay(n, None, 0.5).as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(b.delay(u32::MAX, None, 0.5), Duration::from_secs(30));
    }

    #[test]
    fn jitter_spreads_by_twenty_percent_and_never_past_the_cap() {
        let b = backoff();
        assert_eq!(b.delay(4, None, 0.0), Duration::from_millis(6400));
        assert_eq!(b.delay(4, None, 0.999_999).as_millis(), 9599);
        assert_eq!(b.delay(9, None, 0.999), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_is_honoured_even_beyond_the_cap() {
        let b = backoff();
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(45)), 0.5),
            Duration::from_secs(45)
        );
        assert_eq!(b.delay(3, Some(SECOND), 0.5), Duration::from_secs(4));
    }

    #[test]
    fn retry_after_is_held_to_its_cap() {
        let b = backoff();
        // A proxy asking for a day parks the feed for ten minutes, not a day.
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(86_400)), 0.5),
            Duration::from_secs(600)
        );
        let tight = Backoff {
            max_retry_after: Duration::from_secs(20),
            ..b
        };
        assert_eq!(
            tight.delay(1, Some(Duration::from_secs(45)), 0.5),
            Duration::from_secs(20)
        );
        // The cap never shortens the backoff itself.
        assert_eq!(
            tight.delay(9, Some(Duration::from_secs(45)), 0.5),
            Duration::from_secs(30)
        );
    }

    /// A feed that answers as scripted, one outcome per poll (the last one again once the
    /// script is done).
    struct ScriptedFeed(Vec<PollOutcome>);

    impl FeedSource for ScriptedFeed {
        fn kind(&self) -> FeedKind {
            FeedKind::Fulfilment
        }

        async fn poll_with_body(&mut self) -> (PollReport, Option<RawAnswer>) {
            let outcome = if self.0.len() > 1 {
                self.0.remove(0)
            } else {
                self.0[0].clone()
            };
            let at = chrono::DateTime::UNIX_EPOCH;
            let report = PollReport {
                feed: FeedKind::Fulfilment,
                sent_at: at,
                received_at: at,
                outcome,
            };
            (report, None)
        }
    }

    /// Records each wait and returns at once: the delays the loop chose, free of the machine.
    struct Waits(Arc<std::sync::Mutex<Vec<Duration>>>);

    impl PollWait for Waits {
        async fn wait(&mut self, delay: Duration) {
            self.0.lock().expect("waits").push(delay);
        }
    }

    /// Runs the real polling loop over `script` (100 ms polls, backoff capped at 800 ms, as
    /// `tests/faults_room.rs`) for `polls` polls; returns each poll's outcome (failed or not) and
    /// the wait chosen after it.
    async fn run_loop(script: Vec<PollOutcome>, polls: usize) -> Vec<(bool, Duration)> {
        let backoff = Backoff {
            every: Duration::from_millis(100),
            max: Duration::from_millis(800),
            max_retry_after: Duration::from_secs(600),
        };
        let waits = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tx, mut rx) = mpsc::channel::<PollReport>(1);
        let task = tokio::spawn(poll_loop(
            ScriptedFeed(script),
            backoff,
            Waits(Arc::clone(&waits)),
            tx,
            None,
        ));
        let mut failed = Vec::new();
        while failed.len() < polls + 1 {
            let report = rx.recv().await.expect("the loop polls");
            failed.push(matches!(report.outcome, PollOutcome::Failed(_)));
        }
        drop(rx);
        task.await.expect("the loop ends once nobody listens");
        let waits = waits.lock().expect("waits").clone();
        failed.into_iter().zip(waits).take(polls).collect()
    }

    fn unavailable(retry_after_s: Option<u64>) -> PollOutcome {
        PollOutcome::Failed(FeedFailure::Status {
            status: 503,
            code: None,
            message: None,
            retry_after_s,
        })
    }

    #[tokio::test]
    async fn a_failing_feed_backs_off_doubling_up_to_its_cap_then_polls_on_its_interval() {
        let healthy = PollOutcome::Hubs(
            decode_document::<Hub>(br#"{"as_of": "2026-11-27T18:00:00Z", "hubs": []}"#)
                .expect("an empty hubs document"),
        );
        let mut script = vec![unavailable(None); 7];
        script.push(healthy);
        let polls = run_loop(script, 9).await;
        // Seven failures, each followed by one wait: 100 ms × 2^(n-1), ±20 %, never above the
        // 800 ms cap; then the feed answers and the next poll is one interval away.
        for (n, &(failed, wait)) in polls.iter().take(7).enumerate() {
            assert!(failed, "poll {} fails as scripted", n + 1);
            let raw = (100_u64 << n).min(800);
            let least = Duration::from_millis(raw * 8 / 10);
            let most = Duration::from_millis((raw * 12 / 10).min(800));
            assert!(
                (least..=most).contains(&wait),
                "wait after failure {}: {wait:?}, expected {least:?}..={most:?}",
                n + 1
            );
        }
        for &(failed, wait) in &polls[7..] {
            assert!(!failed);
            assert_eq!(
                wait,
                Duration::from_millis(100),
                "healthy again: the interval"
            );
        }
    }

    #[tokio::test]
    async fn a_retry_after_is_waited_for_then_the_backoff_resumes() {
        let polls = run_loop(vec![unavailable(Some(1)), unavailable(None)], 3).await;
        assert_eq!(polls[0], (true, Duration::from_secs(1)), "Retry-After: 1");
        // The second failure in a row: 200 ms ± 20 %, the server no longer asking for more.
        let (failed, wait) = polls[1];
        assert!(failed);
        assert!(
            (Duration::from_millis(160)..=Duration::from_millis(240)).contains(&wait),
            "{wait:?}"
        );
    }
}
