//! Figures that are estimates: a point with its 90 % interval, and the evidence behind a rate.

use chrono::TimeDelta;

use super::interval::{binomial_interval, poisson_interval};

/// A figure with its 90 % interval.
///
/// Invariant (kept by [`Estimate::new`]): every end is finite and `low <= point <= high`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The best single figure.
    pub point: f64,
    /// Low end of the 90 % interval.
    pub low: f64,
    /// High end of the 90 % interval.
    pub high: f64,
}

impl Estimate {
    /// `point` clamped into `[low, high]` (the ends swapped if given the wrong way round);
    /// `None` when any of them is not finite.
    #[must_use]
    pub fn new(point: f64, low: f64, high: f64) -> Option<Self> {
        if !(point.is_finite() && low.is_finite() && high.is_finite()) {
            return None;
        }
        let (low, high) = if low <= high {
            (low, high)
        } else {
            (high, low)
        };
        Some(Self {
            point: point.clamp(low, high),
            low,
            high,
        })
    }

    /// A figure known exactly (an interval of one point).
    #[must_use]
    pub fn exact(value: f64) -> Option<Self> {
        Self::new(value, value, value)
    }

    /// Whether the interval lies within ±`within_pct` % of the point: the figure is shown
    /// plainly. A point of 0 is settled only when the whole interval is 0.
    #[must_use]
    pub fn is_settled(&self, within_pct: f64) -> bool {
        let allowed = self.point.abs() * within_pct / 100.0;
        self.high - self.point <= allowed && self.point - self.low <= allowed
    }

    /// Whether `value` lies in the interval.
    #[must_use]
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }

    /// The same estimate through an increasing function (the interval keeps its order).
    #[must_use]
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Option<Self> {
        Self::new(f(self.point), f(self.low), f(self.high))
    }
}

/// The rate of a cumulative counter over its trailing window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateEstimate {
    /// Per minute: least-squares slope over the samples (FEEDS.md), clamped into the exact
    /// Poisson interval of `events` over `span`.
    pub per_min: Estimate,
    /// Counter increments between the first and the last sample of the window.
    pub events: u64,
    /// Time between the first and the last sample: the evidence's length, always positive.
    pub span: TimeDelta,
}

impl RateEstimate {
    /// The estimate from a least-squares `slope_per_min` and `events` seen over `span`; `None`
    /// for a span that is not positive (nothing to go on yet).
    #[must_use]
    pub fn from_counts(slope_per_min: f64, events: u64, span: TimeDelta) -> Option<Self> {
        let span_ms = span.num_milliseconds();
        if span_ms <= 0 {
            return None;
        }
        let minutes = span_ms as f64 / 60_000.0;
        let (low, high) = poisson_interval(events);
        Some(Self {
            per_min: Estimate::new(slope_per_min.max(0.0), low / minutes, high / minutes)?,
            events,
            span,
        })
    }

    /// Whole seconds of evidence.
    #[must_use]
    pub fn span_s(&self) -> i64 {
        self.span.num_seconds()
    }
}

/// `part` of `whole` as a percentage with its Clopper–Pearson 90 % interval; `None` for a
/// `whole` of 0 (no figure).
#[must_use]
pub fn proportion_pct(part: u64, whole: u64) -> Option<Estimate> {
    let (low, high) = binomial_interval(part, whole)?;
    let point = part.min(whole) as f64 / whole as f64;
    Estimate::new(point * 100.0, low * 100.0, high * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// The three cases of the issue, by hand from the chi-square tables (see `interval`).
    #[test]
    fn rate_intervals_from_the_evidence() {
        // 0 events in 60 s: [0, 2.9957] events over 1 minute. Not a rate of 0: up to 3/min.
        let r = RateEstimate::from_counts(0.0, 0, TimeDelta::seconds(60)).expect("span");
        assert_eq!((r.per_min.point, r.per_min.low), (0.0, 0.0));
        assert!(near(r.per_min.high, 2.995_7, 1e-3), "{r:?}");
        assert!(!r.per_min.is_settled(25.0));
        // 8 events in 8 s: [3.9808, 14.4347] events over 8/60 min = [29.86, 108.26]/min.
        let r = RateEstimate::from_counts(60.0, 8, TimeDelta::seconds(8)).expect("span");
        assert!(near(r.per_min.low, 29.856, 0.01), "{r:?}");
        assert!(near(r.per_min.high, 108.26, 0.01), "{r:?}");
        assert!(near(r.per_min.point, 60.0, 1e-9));
        assert!(!r.per_min.is_settled(25.0));
        // 600 events in 600 s: [560.28, 641.88] over 10 min = [56.03, 64.19]/min, within
        // ±7 % of 60: settled.
        let r = RateEstimate::from_counts(60.0, 600, TimeDelta::seconds(600)).expect("span");
        assert!(near(r.per_min.low, 56.03, 0.05) && near(r.per_min.high, 64.19, 0.05));
        assert!(r.per_min.is_settled(25.0));
        assert_eq!(r.span_s(), 600);
    }

    #[test]
    fn the_point_is_clamped_into_its_interval() {
        // A least-squares slope of 500/min from 8 events in 8 s lies outside [29.9, 108.3].
        let r = RateEstimate::from_counts(500.0, 8, TimeDelta::seconds(8)).expect("span");
        assert!(near(r.per_min.point, r.per_min.high, 1e-12));
        assert_eq!(RateEstimate::from_counts(1.0, 1, TimeDelta::zero()), None);
        assert_eq!(Estimate::new(f64::NAN, 0.0, 1.0), None);
        let e = Estimate::new(5.0, 9.0, 1.0).expect("finite");
        assert_eq!((e.low, e.point, e.high), (1.0, 5.0, 9.0));
    }

    #[test]
    fn conversion_intervals() {
        let e = proportion_pct(10, 200).expect("sessions");
        assert!(near(e.point, 5.0, 1e-12));
        assert!(e.low < 5.0 && 5.0 < e.high && e.high < 10.0, "{e:?}");
        assert_eq!(proportion_pct(3, 0), None);
        // 0 orders of 30 sessions: not 0 %, up to ~9.5 %
        let e = proportion_pct(0, 30).expect("sessions");
        assert!(
            e.point == 0.0 && e.high > 9.0 && !e.is_settled(25.0),
            "{e:?}"
        );
    }
}
