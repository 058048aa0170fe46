//! Health of each feed: when it last answered, how fast, whether its last poll failed, whether
//! its data has gone stale.

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::{FeedFailure, FeedKind};

use super::clock::ClockSkew;

/// What the control room knows about one feed's polls. All instants are local time.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedHealth {
    /// Which of the three feeds this is.
    pub kind: FeedKind,
    /// Configured time between polls; staleness is measured in these. `None` until set.
    pub poll_interval: Option<TimeDelta>,
    /// When the last successful poll (a document or a 304) was answered.
    pub last_success: Option<DateTime<Utc>>,
    /// When the last poll, successful or not, ended.
    pub last_attempt: Option<DateTime<Utc>>,
    /// When the first poll ended: a feed that never answered is stale counted from here.
    pub first_attempt: Option<DateTime<Utc>>,
    /// Why the last poll failed; `None` when it succeeded (or before any poll).
    pub last_error: Option<FeedFailure>,
    /// Failed polls since the last success.
    pub consecutive_failures: u32,
    /// Milliseconds from request to answer of the last successful poll.
    pub latency_ms: Option<u64>,
    /// `as_of` (server time) of the document the board holds for this feed.
    pub data_as_of: Option<DateTime<Utc>>,
    /// The local time `data_as_of` corresponds to (midpoint of request and answer): the
    /// anchor of a server clock that runs at another speed (the demo's `--speed`).
    pub data_as_of_local: Option<DateTime<Utc>>,
    /// Server clock minus local clock, as seen in this feed's documents.
    pub skew: ClockSkew,
}

impl FeedHealth {
    /// A feed not polled yet.
    #[must_use]
    pub fn new(kind: FeedKind) -> Self {
        Self {
            kind,
            poll_interval: None,
            last_success: None,
            last_attempt: None,
            first_attempt: None,
            last_error: None,
            consecutive_failures: 0,
            latency_ms: None,
            data_as_of: None,
            data_as_of_local: None,
            skew: ClockSkew::new(),
        }
    }

    fn attempt(&mut self, at: DateTime<Utc>) {
        self.last_attempt = Some(at);
        self.first_attempt.get_or_insert(at);
    }

    /// A poll answered: with a document made at `as_of`, or a 304 (`as_of` `None`: the data held
    /// is still current, but says nothing new about the server's clock).
    pub fn record_success(
        &mut self,
        sent_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
        as_of: Option<DateTime<Utc>>,
    ) {
        self.attempt(received_at);
        self.last_success = Some(received_at);
        self.last_error = None;
        self.consecutive_failures = 0;
        self.latency_ms = u64::try_from((received_at - sent_at).num_milliseconds()).ok();
        if let Some(as_of) = as_of {
            self.data_as_of = Some(as_of);
            self.data_as_of_local = Some(if sent_at <= received_at {
                sent_at + (received_at - sent_at) / 2
            } else {
                received_at
            });
            self.skew.observe(as_of, Some(sent_at), received_at);
        }
    }

    /// A poll failed at `at`; the data held so far is kept.
    pub fn record_failure(&mut self, failure: FeedFailure, at: DateTime<Utc>) {
        self.attempt(at);
        self.last_error = Some(failure);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
    }

    /// Whether the last poll succeeded.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.last_success.is_some() && self.last_error.is_none()
    }

    /// Time since the last successful poll.
    #[must_use]
    pub fn data_age(&self, local_now: DateTime<Utc>) -> Option<TimeDelta> {
        self.last_success.map(|at| local_now - at)
    }

    /// Whether no poll succeeded for `intervals` poll intervals (counted from the first attempt
    /// when none ever succeeded). Never stale before an interval is set or a poll was made.
    #[must_use]
    pub fn is_stale(&self, local_now: DateTime<Utc>, intervals: u32) -> bool {
        let (Some(interval), Some(since)) =
            (self.poll_interval, self.last_success.or(self.first_attempt))
        else {
            return false;
        };
        let limit = interval * i32::try_from(intervals.max(1)).unwrap_or(i32::MAX);
        local_now - since > limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
            .expect("test timestamp")
            .with_timezone(&Utc)
            + TimeDelta::seconds(seconds)
    }

    #[test]
    fn success_failure_and_staleness() {
        let mut h = FeedHealth::new(FeedKind::Fulfilment);
        assert!(!h.is_ok());
        assert!(!h.is_stale(at(1000), 3));
        h.poll_interval = Some(TimeDelta::seconds(2));
        h.record_success(at(0), at(0) + TimeDelta::milliseconds(120), Some(at(10)));
        assert!(h.is_ok());
        assert_eq!(h.latency_ms, Some(120));
        assert_eq!(h.data_as_of, Some(at(10)));
        assert!(h.skew.is_known());
        h.record_failure(FeedFailure::Timeout { timeout_ms: 5000 }, at(3));
        h.record_failure(FeedFailure::Timeout { timeout_ms: 5000 }, at(5));
        assert!(!h.is_ok());
        assert_eq!(h.consecutive_failures, 2);
        assert!(!h.is_stale(at(6), 3));
        assert!(h.is_stale(at(7), 3));
        assert_eq!(h.data_age(at(7)).map(|d| d.num_milliseconds()), Some(6880));
        // a 304 is a success but leaves the data's as_of and the skew alone
        h.record_success(at(8), at(8), None);
        assert!(h.is_ok());
        assert_eq!(h.consecutive_failures, 0);
        assert_eq!(h.data_as_of, Some(at(10)));
        assert!(!h.is_stale(at(9), 3));
    }

    #[test]
    fn never_answering_feed_goes_stale_from_first_attempt() {
        let mut h = FeedHealth::new(FeedKind::Pos);
        h.poll_interval = Some(TimeDelta::seconds(1));
        h.record_failure(FeedFailure::Connect("refused".into()), at(0));
        assert!(!h.is_stale(at(3), 3));
        assert!(h.is_stale(at(4), 3));
    }
}
