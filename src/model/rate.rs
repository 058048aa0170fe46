//! Rates of cumulative counters over a trailing window (burn rate, units per minute, …).

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

use super::estimate::RateEstimate;

/// Samples of one cumulative counter, from which a rate (least-squares slope) and a delta over a
/// trailing window are read.
///
/// Invariants: samples are strictly increasing in time and non-decreasing in value (a decrease
/// restarts the window), no sample is older than `window` before the newest one, and there are
/// never more than `cap` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct RateWindow {
    window: TimeDelta,
    cap: usize,
    /// (nanoseconds since the Unix epoch, value): half the size of a `DateTime` pair and plain
    /// integer arithmetic, as rates are read for every drop and hub on each evaluation.
    samples: VecDeque<(i64, u64)>,
}

/// `at` in nanoseconds since the Unix epoch (exact from 1677 to 2262; clamped outside).
fn nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

fn span_nanos(span: TimeDelta) -> i64 {
    span.num_nanoseconds()
        .unwrap_or(if span < TimeDelta::zero() {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// What [`RateWindow::record`] did with a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Added after the others.
    Appended,
    /// Had the newest sample's time and replaced it.
    Replaced,
    /// The counter went down (upstream reset) or the clock went far back: the window restarted
    /// with this sample.
    Restarted,
    /// Older than the newest sample (delivered out of order): ignored.
    Ignored,
}

/// A sample up to this far after `now` still counts as inside the window: `now` is an estimate of
/// the server's clock, so the newest `as_of` may lead it by a little jitter.
const FUTURE_GRACE: TimeDelta = TimeDelta::seconds(5);

impl RateWindow {
    /// Trailing window of the contract's rates: 5 minutes.
    pub const DEFAULT_WINDOW: TimeDelta = TimeDelta::minutes(5);
    /// At most this many samples are kept by default (5 minutes of polls every 0.5 s).
    pub const DEFAULT_CAP: usize = 600;

    /// An empty window of `window` length holding at most [`Self::DEFAULT_CAP`] samples.
    #[must_use]
    pub fn new(window: TimeDelta) -> Self {
        Self::with_cap(window, Self::DEFAULT_CAP)
    }

    /// An empty window of `window` length holding at most `cap` (at least 2) samples.
    #[must_use]
    pub fn with_cap(window: TimeDelta, cap: usize) -> Self {
        Self {
            window,
            cap: cap.max(2),
            samples: VecDeque::new(),
        }
    }

    /// The window's length.
    #[must_use]
    pub fn window(&self) -> TimeDelta {
        self.window
    }

    /// Number of samples kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether no sample is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The newest sample.
    #[must_use]
    pub fn last(&self) -> Option<(DateTime<Utc>, u64)> {
        self.samples
            .back()
            .map(|&(t, v)| (DateTime::from_timestamp_nanos(t), v))
    }

    /// Forgets every sample.
    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Records the counter's `value` at `at` (server time), then drops samples older than the
    /// window before `at` and beyond the cap.
    pub fn record(&mut self, at: DateTime<Utc>, value: u64) -> Recorded {
        let at = nanos(at);
        let window = span_nanos(self.window);
        let mut outcome = Recorded::Appended;
        if let Some(&(last_at, _)) = self.samples.back() {
            if at < last_at {
                if last_at.saturating_sub(at) <= window {
                    return Recorded::Ignored;
                }
                // Further back than a whole window: the server's clock was set back, not a late
                // delivery. Waiting for the clock to catch up would freeze the rate for that long.
                self.samples.clear();
                outcome = Recorded::Restarted;
            } else if at == last_at {
                self.samples.pop_back();
                outcome = Recorded::Replaced;
            }
        }
        if let Some(&(_, last_value)) = self.samples.back()
            && value < last_value
        {
            self.samples.clear();
            outcome = Recorded::Restarted;
        }
        self.samples.push_back((at, value));
        let oldest_kept = at.saturating_sub(window);
        while self.samples.front().is_some_and(|&(t, _)| t < oldest_kept) {
            self.samples.pop_front();
        }
        while self.samples.len() > self.cap {
            self.samples.pop_front();
        }
        outcome
    }

    /// The samples inside `[now - window, now + grace]`, found by binary search (samples are
    /// sorted by time) so a frame that reads many windows stays cheap.
    fn inside(&self, now: DateTime<Utc>) -> std::collections::vec_deque::Iter<'_, (i64, u64)> {
        let now = nanos(now);
        let from = now.saturating_sub(span_nanos(self.window));
        let to = now.saturating_add(span_nanos(FUTURE_GRACE));
        let lo = self.samples.partition_point(|&(t, _)| t < from);
        let hi = self.samples.partition_point(|&(t, _)| t <= to).max(lo);
        self.samples.range(lo..hi)
    }

    /// Units per minute: least-squares slope of the samples inside `[now - window, now]`.
    /// `None` with fewer than 2 samples or when they all have the same time. Never negative.
    #[must_use]
    pub fn per_minute(&self, now: DateTime<Utc>) -> Option<f64> {
        let inside = self.inside(now);
        if inside.len() < 2 {
            return None;
        }
        let &(t0, v0) = inside.clone().next()?;
        // Offsets from the first sample keep the sums small and exact enough in f64.
        let point = move |&(t, v): &(i64, u64)| {
            // Whole milliseconds, truncated toward zero, as `TimeDelta::num_milliseconds`.
            let x = (t.saturating_sub(t0) / 1_000_000) as f64 / 60_000.0;
            let y = v.saturating_sub(v0) as f64;
            (x, y)
        };
        let n = inside.len() as f64;
        let (sum_x, sum_y) = inside
            .clone()
            .map(point)
            .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
        let (mean_x, mean_y) = (sum_x / n, sum_y / n);
        let (sxy, sxx) = inside.map(point).fold((0.0, 0.0), |(sxy, sxx), (x, y)| {
            let dx = x - mean_x;
            (sxy + dx * (y - mean_y), sxx + dx * dx)
        });
        if sxx <= 0.0 {
            return None;
        }
        // Values never decrease inside the window, so a negative slope is only rounding.
        Some((sxy / sxx).max(0.0))
    }

    /// Units per minute with its 90 % interval from the events (counter increments) inside
    /// `[now - window, now]` over their span; `None` while there is nothing to go on (fewer
    /// than 2 samples, or no time between them): "measuring".
    #[must_use]
    pub fn estimate(&self, now: DateTime<Utc>) -> Option<RateEstimate> {
        let slope = self.per_minute(now)?;
        RateEstimate::from_counts(slope, self.delta(now)?, self.span(now)?)
    }

    /// Time between the first and the last sample inside `[now - window, now]`: how much
    /// evidence the rate stands on. `None` with fewer than 2 samples.
    #[must_use]
    pub fn span(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        let mut inside = self.inside(now);
        let first = inside.next()?.0;
        let last = inside.last()?.0;
        Some(TimeDelta::nanoseconds(last.saturating_sub(first)))
    }

    /// Last value minus first value inside `[now - window, now]`; `None` with fewer than 2 samples.
    #[must_use]
    pub fn delta(&self, now: DateTime<Utc>) -> Option<u64> {
        let mut inside = self.inside(now);
        if inside.len() < 2 {
            return None;
        }
        let &(_, first) = inside.next()?;
        let &(_, last) = inside.next_back()?;
        Some(last.saturating_sub(first))
    }
}

impl Default for RateWindow {
    fn default() -> Self {
        Self::new(Self::DEFAULT_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
            .expect("test timestamp")
            .with_timezone(&Utc)
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        t0() + TimeDelta::seconds(seconds)
    }

    fn approx(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn steady_ten_per_minute() {
        let mut w = RateWindow::default();
        // one sample every 6 s, one unit each: 10 units per minute
        for i in 0..=50 {
            w.record(at(i * 6), 1000 + u64::try_from(i).expect("small"));
        }
        let now = at(300);
        assert!(approx(w.per_minute(now), 10.0), "{:?}", w.per_minute(now));
        assert_eq!(w.delta(now), Some(50));
    }

    #[test]
    fn needs_two_samples_and_time_spread() {
        let mut w = RateWindow::default();
        assert_eq!(w.per_minute(at(0)), None);
        assert_eq!(w.delta(at(0)), None);
        w.record(at(0), 10);
        assert_eq!(w.per_minute(at(0)), None);
        assert_eq!(w.delta(at(0)), None);
        // same time: replaces, still one sample
        assert_eq!(w.record(at(0), 12), Recorded::Replaced);
        assert_eq!(w.len(), 1);
        assert_eq!(w.last(), Some((at(0), 12)));
        assert_eq!(w.per_minute(at(0)), None);
        w.record(at(60), 12);
        assert!(approx(w.per_minute(at(60)), 0.0));
        assert_eq!(w.delta(at(60)), Some(0));
    }

    #[test]
    fn reset_restarts_the_window_never_negative() {
        let mut w = RateWindow::default();
        w.record(at(0), 500);
        w.record(at(60), 600);
        assert!(approx(w.per_minute(at(60)), 100.0));
        assert_eq!(w.record(at(120), 3), Recorded::Restarted);
        assert_eq!(w.len(), 1);
        assert_eq!(w.per_minute(at(120)), None);
        w.record(at(180), 13);
        assert!(approx(w.per_minute(at(180)), 10.0));
        assert_eq!(w.delta(at(180)), Some(10));
    }

    #[test]
    fn replacing_with_a_lower_value_is_a_reset() {
        let mut w = RateWindow::default();
        w.record(at(0), 100);
        w.record(at(60), 110);
        assert_eq!(w.record(at(60), 5), Recorded::Restarted);
        assert_eq!(w.len(), 1);
        assert_eq!(w.last(), Some((at(60), 5)));
    }

    #[test]
    fn out_of_order_sample_is_ignored() {
        let mut w = RateWindow::default();
        w.record(at(0), 0);
        w.record(at(60), 10);
        assert_eq!(w.record(at(30), 999), Recorded::Ignored);
        assert_eq!(w.len(), 2);
        assert!(approx(w.per_minute(at(60)), 10.0));
    }

    #[test]
    fn clock_set_back_by_more_than_the_window_restarts() {
        let mut w = RateWindow::default();
        w.record(at(3600), 10);
        w.record(at(3660), 20);
        assert_eq!(w.record(at(0), 30), Recorded::Restarted);
        assert_eq!(w.last(), Some((at(0), 30)));
    }

    #[test]
    fn old_samples_are_pruned_and_excluded() {
        let mut w = RateWindow::default();
        w.record(at(0), 0);
        w.record(at(60), 1000);
        // only the 2 old ones: with now far later, nothing is inside
        assert_eq!(w.per_minute(at(1000)), None);
        // a new sample prunes everything older than 5 min before it
        w.record(at(330), 1100);
        assert_eq!(w.len(), 2);
        assert!(approx(w.per_minute(at(330)), 100.0 / (270.0 / 60.0)));
        w.record(at(600), 1200);
        assert_eq!(w.len(), 2);
        assert!(approx(w.per_minute(at(600)), 100.0 / (270.0 / 60.0)));
        w.record(at(1000), 1300);
        assert_eq!(w.len(), 1);
        assert_eq!(w.per_minute(at(1000)), None);
        // samples after now (beyond the small grace) do not count
        w.record(at(1060), 1310);
        assert_eq!(w.per_minute(at(900)), None);
    }

    #[test]
    fn cap_bounds_memory() {
        let mut w = RateWindow::with_cap(TimeDelta::hours(1), 10);
        for i in 0..100 {
            w.record(at(i), u64::try_from(i).expect("small") * 2);
        }
        assert_eq!(w.len(), 10);
        assert!(approx(w.per_minute(at(99)), 120.0));
        assert_eq!(w.delta(at(99)), Some(18));
    }

    #[test]
    fn least_squares_over_noisy_samples() {
        let mut w = RateWindow::default();
        // x in minutes: 0,1,2,3 ; y: 0, 12, 18, 30 -> slope = 9.6
        for (i, v) in [0u64, 12, 18, 30].into_iter().enumerate() {
            w.record(at(i64::try_from(i).expect("small") * 60), v);
        }
        assert!(
            approx(w.per_minute(at(180)), 9.6),
            "{:?}",
            w.per_minute(at(180))
        );
    }
}
