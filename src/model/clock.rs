//! Server time from a feed's `as_of`: countdowns run on the server's clock, not the local one.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

/// How many recent observations the median is taken over. Three means one odd sample (a slow
/// answer, a cached document) never moves the estimate, and a real jump of the server's clock is
/// followed at the second poll after it.
const SAMPLES: usize = 3;

/// Estimate of one feed's clock minus the local clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClockSkew {
    /// Most recent observations, oldest first, in milliseconds (server minus local).
    recent_ms: VecDeque<i64>,
}

impl ClockSkew {
    /// An estimate with no observation yet (skew unknown, taken as 0).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one document: its `as_of` (server clock) against the local time the server most
    /// likely made it, which is the midpoint of `sent_at` and `received_at` when the request time is
    /// known (and sane), else `received_at`.
    pub fn observe(
        &mut self,
        as_of: DateTime<Utc>,
        sent_at: Option<DateTime<Utc>>,
        received_at: DateTime<Utc>,
    ) {
        let local = match sent_at {
            Some(sent) if sent <= received_at => sent + (received_at - sent) / 2,
            _ => received_at,
        };
        let skew_ms = (as_of - local).num_milliseconds();
        if self.recent_ms.len() == SAMPLES {
            self.recent_ms.pop_front();
        }
        self.recent_ms.push_back(skew_ms);
    }

    /// Whether at least one document has been seen.
    #[must_use]
    pub fn is_known(&self) -> bool {
        !self.recent_ms.is_empty()
    }

    /// Server clock minus local clock (median of the recent observations), `None` before any.
    #[must_use]
    pub fn skew(&self) -> Option<TimeDelta> {
        self.median_ms().map(TimeDelta::milliseconds)
    }

    /// [`Self::skew`] in seconds.
    #[must_use]
    pub fn skew_seconds(&self) -> Option<f64> {
        // Precision loss only beyond 2^53 ms (about 285,000 years).
        self.median_ms().map(|ms| ms as f64 / 1000.0)
    }

    /// The server's clock at `local_now` (the local clock itself while the skew is unknown).
    #[must_use]
    pub fn server_now(&self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        local_now + self.skew().unwrap_or_default()
    }

    fn median_ms(&self) -> Option<i64> {
        let mut sorted: Vec<i64> = self.recent_ms.iter().copied().collect();
        sorted.sort_unstable();
        match sorted.len() {
            0 => None,
            // With two samples the older one may predate a jump; the newer is the better guess.
            2 => self.recent_ms.back().copied(),
            n => Some(sorted[n / 2]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::t;

    #[test]
    fn unknown_skew_is_local_time() {
        let clock = ClockSkew::new();
        assert!(!clock.is_known());
        assert_eq!(clock.skew(), None);
        assert_eq!(
            clock.server_now(t("2026-11-27T18:00:00Z")),
            t("2026-11-27T18:00:00Z")
        );
    }

    #[test]
    fn uses_midpoint_of_request_and_answer() {
        let cases: &[(&str, Option<&str>, &str, i64)] = &[
            // server made it at 18:00:10, we sent at 18:00:00 and got it at 18:00:02 -> mid 18:00:01
            (
                "2026-11-27T18:00:10Z",
                Some("2026-11-27T18:00:00Z"),
                "2026-11-27T18:00:02Z",
                9_000,
            ),
            // no request time: the receive time
            ("2026-11-27T18:00:10Z", None, "2026-11-27T18:00:02Z", 8_000),
            // sent after received (nonsense): the receive time
            (
                "2026-11-27T18:00:00Z",
                Some("2026-11-27T18:00:05Z"),
                "2026-11-27T18:00:02Z",
                -2_000,
            ),
        ];
        for &(as_of, sent, received, expected_ms) in cases {
            let mut clock = ClockSkew::new();
            clock.observe(t(as_of), sent.map(t), t(received));
            assert_eq!(clock.skew(), Some(TimeDelta::milliseconds(expected_ms)));
        }
    }

    #[test]
    fn ignores_one_outlier_and_follows_a_real_jump() {
        let mut clock = ClockSkew::new();
        let local = t("2026-11-27T18:00:00Z");
        for i in 0..3 {
            let at = local + TimeDelta::seconds(i);
            clock.observe(at + TimeDelta::seconds(5), None, at);
        }
        assert_eq!(clock.skew_seconds(), Some(5.0));
        // one slow/cached answer does not move the estimate
        clock.observe(local, None, local + TimeDelta::seconds(30));
        assert_eq!(clock.skew_seconds(), Some(5.0));
        // the server's clock jumps by one hour: followed at the second poll
        let jump = TimeDelta::hours(1) + TimeDelta::seconds(5);
        clock.observe(local + jump, None, local);
        clock.observe(local + jump, None, local);
        assert_eq!(clock.skew_seconds(), Some(3605.0));
        assert_eq!(clock.server_now(local), local + jump);
    }

    #[test]
    fn second_sample_wins_over_first() {
        let mut clock = ClockSkew::new();
        let local = t("2026-11-27T18:00:00Z");
        clock.observe(local, None, local);
        clock.observe(local + TimeDelta::hours(1), None, local);
        assert_eq!(clock.skew(), Some(TimeDelta::hours(1)));
    }
}
