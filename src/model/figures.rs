//! The derived figures of FEEDS.md "What the control room derives", as pure functions.
//!
//! Every figure that has no meaning for its inputs (a division by zero, no rate yet) is `None`,
//! never 0 and never NaN. Counters are `u64` from the wire; sums and differences go through
//! `i128`/saturating arithmetic so no input can panic.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::feed::wire::{Capacity, DropState};

use super::estimate::Estimate;

/// What a drop's countdown runs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountdownTarget {
    /// `opens_at`, while the drop is scheduled.
    Opens,
    /// `closes_at`, while the drop is live or paused.
    Closes,
}

/// Time until a drop opens or closes, on server time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    /// Whether this counts down to the opening or the closing.
    pub target: CountdownTarget,
    /// The instant counted down to.
    pub at: DateTime<Utc>,
    /// Time left, never negative: 0 once `at` has passed but the state has not changed yet.
    pub remaining: TimeDelta,
}

impl Countdown {
    /// Whole seconds left (0 once due).
    #[must_use]
    pub fn seconds(&self) -> i64 {
        self.remaining.num_seconds()
    }

    /// Whether `at` has passed while the feed still reports the old state (the server has not
    /// flipped it yet): shown as "opening" / "closing" rather than a negative time.
    #[must_use]
    pub fn is_due(&self) -> bool {
        self.remaining <= TimeDelta::zero()
    }

    /// A short human label: `opens in`, `closes in`, `opening`, `closing`.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match (self.target, self.is_due()) {
            (CountdownTarget::Opens, false) => "opens in",
            (CountdownTarget::Opens, true) => "opening",
            (CountdownTarget::Closes, false) => "closes in",
            (CountdownTarget::Closes, true) => "closing",
        }
    }
}

/// Countdown of a drop: to `opens_at` while scheduled, to `closes_at` while live or paused, none
/// in any other state (ended, sold out, unknown).
#[must_use]
pub fn countdown(
    state: &DropState,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    server_now: DateTime<Utc>,
) -> Option<Countdown> {
    let (target, at) = match state {
        DropState::Scheduled => (CountdownTarget::Opens, opens_at),
        DropState::Live | DropState::Paused => (CountdownTarget::Closes, closes_at),
        DropState::Ended | DropState::SoldOut | DropState::Other(_) => return None,
    };
    Some(Countdown {
        target,
        at,
        remaining: (at - server_now).max(TimeDelta::zero()),
    })
}

/// `part / whole × 100`, `None` when `whole` is 0.
#[must_use]
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    // Precision loss only beyond 2^53 counts.
    Some(part as f64 / whole as f64 * 100.0)
}

/// Conversion % = orders / sessions × 100; `None` for 0 sessions.
#[must_use]
pub fn conversion_pct(orders: u64, sessions: u64) -> Option<f64> {
    percent(orders, sessions)
}

/// Conversion over the deltas of a trailing window; `None` while either delta is unknown or no
/// session arrived in the window.
#[must_use]
pub fn live_conversion_pct(orders_delta: Option<u64>, sessions_delta: Option<u64>) -> Option<f64> {
    conversion_pct(orders_delta?, sessions_delta?)
}

/// Sell-through % = sold / allocated × 100; `None` when nothing was allocated.
#[must_use]
pub fn sell_through_pct(sold: u64, allocated: u64) -> Option<f64> {
    percent(sold, allocated)
}

/// On-time % = `on_time / (on_time + late + overdue_open) × 100`; `None` while the sum is 0.
#[must_use]
pub fn on_time_pct(on_time: u64, late: u64, overdue_open: u64) -> Option<f64> {
    let total = u128::from(on_time) + u128::from(late) + u128::from(overdue_open);
    if total == 0 {
        return None;
    }
    Some(on_time as f64 / total as f64 * 100.0)
}

/// A band's margin % = (price − cost) / price × 100; `None` when the price is not positive.
#[must_use]
pub fn band_margin_pct(price_minor: i64, unit_cost_minor: i64) -> Option<f64> {
    if price_minor <= 0 {
        return None;
    }
    let margin = i128::from(price_minor) - i128::from(unit_cost_minor);
    Some(margin as f64 / price_minor as f64 * 100.0)
}

/// Whether a band with this margin may be activated: its margin is known and at least the floor.
#[must_use]
pub fn band_allowed(margin_pct: Option<f64>, margin_floor_pct: f64) -> bool {
    margin_pct.is_some_and(|m| m >= margin_floor_pct)
}

/// Longest projection reported; beyond it a date is noise (and would overflow `DateTime`).
const MAX_PROJECTION: TimeDelta = TimeDelta::days(3650);

/// `now + minutes`, `None` for a non-finite, negative or absurdly far projection.
#[must_use]
pub fn after_minutes(now: DateTime<Utc>, minutes: f64) -> Option<DateTime<Utc>> {
    if !minutes.is_finite() || minutes < 0.0 {
        return None;
    }
    let ms = minutes * 60_000.0;
    if ms > MAX_PROJECTION.num_milliseconds() as f64 {
        return None;
    }
    // In range by the check above.
    let delta = TimeDelta::milliseconds(ms.round() as i64);
    now.checked_add_signed(delta)
}

/// When `remaining` units are gone at `per_minute`; `None` without a positive rate.
#[must_use]
pub fn run_out_at(
    now: DateTime<Utc>,
    remaining: u64,
    per_minute: Option<f64>,
) -> Option<DateTime<Utc>> {
    let rate = per_minute.filter(|r| r.is_finite() && *r > 0.0)?;
    after_minutes(now, remaining as f64 / rate)
}

/// Sell-out time of a drop = now + (allocated − sold) / units-per-minute.
#[must_use]
pub fn sellout_at(
    now: DateTime<Utc>,
    allocated: u64,
    sold: u64,
    units_per_minute: Option<f64>,
) -> Option<DateTime<Utc>> {
    run_out_at(now, allocated.saturating_sub(sold), units_per_minute)
}

/// When a hub's contracted capacity runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhaustion {
    /// At this instant, at the current burn rate.
    At(DateTime<Utc>),
    /// Consumed has reached the contract (`over_by` units beyond it, possibly 0).
    Reached {
        /// Units consumed beyond the contracted units; 0 when exactly at them.
        over_by: u64,
    },
    /// No projection: no burn rate yet, or it is 0.
    NotBurning,
}

impl Exhaustion {
    /// The projected instant, when there is one.
    #[must_use]
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Exhaustion::At(at) => Some(*at),
            _ => None,
        }
    }
}

/// A figure's 90 % range: `low <= high` (for instants, `low` is the earliest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range<T> {
    /// The low end (the earliest, for instants).
    pub low: T,
    /// The high end (the latest, for instants); never below `low`.
    pub high: T,
}

impl<T: PartialOrd + Copy> Range<T> {
    /// The range of two ends given in any order.
    #[must_use]
    pub fn new(a: T, b: T) -> Self {
        if a <= b {
            Self { low: a, high: b }
        } else {
            Self { low: b, high: a }
        }
    }

    /// Whether `value` lies in it.
    #[must_use]
    pub fn contains(&self, value: T) -> bool {
        self.low <= value && value <= self.high
    }
}

/// Capacity outlook of a hub: where consumption stands and where it is heading, each
/// projection with the range the burn rate's interval gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacityOutlook {
    /// contracted − consumed, never negative (past the contract see `over_contract_units`).
    pub remaining_units: u64,
    /// consumed − contracted when positive, else 0.
    pub over_contract_units: u64,
    /// Units per minute with its 90 % interval; `None` while measuring.
    pub burn: Option<Estimate>,
    /// The point of `burn`: least squares over the trailing window.
    pub burn_units_per_min: Option<f64>,
    /// At the point rate.
    pub exhaustion: Exhaustion,
    /// Earliest exhaustion (at the interval's high rate); `None` when even that rate does not
    /// exhaust the contract within the projection horizon, or without a rate.
    pub exhaustion_earliest: Option<DateTime<Utc>>,
    /// Latest exhaustion (at the interval's low rate); `None` when the low rate is 0 (it may
    /// never run out) or without a rate.
    pub exhaustion_latest: Option<DateTime<Utc>>,
    /// Time until `window_end`, never negative.
    pub time_left: TimeDelta,
    /// consumed + rate × time left, rounded to whole units; `None` without a rate while the
    /// window is still open.
    pub projected_at_window_end: Option<u64>,
    /// The same at the interval's low and high rates.
    pub projected_range: Option<Range<u64>>,
    /// projected − contracted when positive, else 0; `None` without a projection.
    pub overage_units: Option<u64>,
    /// `overage_units` at the burn interval's low and high rates.
    pub overage_range: Option<Range<u64>>,
    /// `overage_units × overage_cost_minor`.
    pub overage_cost_minor: Option<i64>,
    /// `overage_cost_minor` of each end of `overage_range`.
    pub overage_cost_range: Option<Range<i64>>,
    /// `min_commit_units − projected` when positive, else 0; `None` without a projection.
    pub shortfall_units: Option<u64>,
    /// `shortfall_units` at the interval's high rate (low end) and low rate (high end).
    pub shortfall_range: Option<Range<u64>>,
    /// `shortfall_units × unused_penalty_minor`.
    pub penalty_minor: Option<i64>,
    /// `penalty_minor` of each end of `shortfall_range`.
    pub penalty_range: Option<Range<i64>>,
}

impl CapacityOutlook {
    /// The outlook of `capacity` at `now` (server time) with burn rate `burn` (per minute).
    #[must_use]
    pub fn compute(capacity: &Capacity, burn: Option<Estimate>, now: DateTime<Utc>) -> Self {
        let consumed = capacity.consumed_units;
        let contracted = capacity.contracted_units;
        let burn = burn.filter(|b| b.low >= 0.0);
        let rate = burn.map(|b| b.point);
        let left = contracted.saturating_sub(consumed);
        let reached = consumed >= contracted;
        let exhaustion = if reached {
            Exhaustion::Reached {
                over_by: consumed - contracted,
            }
        } else {
            match run_out_at(now, left, rate) {
                Some(at) => Exhaustion::At(at),
                None => Exhaustion::NotBurning,
            }
        };
        let (exhaustion_earliest, exhaustion_latest) = match burn {
            Some(_) if reached => (Some(now), Some(now)),
            Some(b) => (
                run_out_at(now, left, Some(b.high)),
                run_out_at(now, left, Some(b.low)),
            ),
            None => (None, None),
        };
        let time_left = (capacity.window_end - now).max(TimeDelta::zero());
        let project = |r: f64| -> u64 {
            let minutes_left = time_left.num_milliseconds() as f64 / 60_000.0;
            let projected = consumed as f64 + r * minutes_left;
            // Float-to-int `as` saturates; the projection is never below `consumed`.
            let units = projected.round() as u64;
            units.max(consumed)
        };
        let (projected_at_window_end, projected_range) = if time_left.is_zero() {
            // The window is over: what was consumed is final, no rate needed.
            (Some(consumed), Some(Range::new(consumed, consumed)))
        } else {
            (
                rate.map(project),
                burn.map(|b| Range::new(project(b.low), project(b.high))),
            )
        };
        let over = |p: u64| p.saturating_sub(contracted);
        let short = |p: u64| capacity.min_commit_units.saturating_sub(p);
        let overage_units = projected_at_window_end.map(over);
        let overage_range = projected_range.map(|r| Range::new(over(r.low), over(r.high)));
        let shortfall_units = projected_at_window_end.map(short);
        let shortfall_range = projected_range.map(|r| Range::new(short(r.high), short(r.low)));
        let cost = |u: u64| priced(u, capacity.overage_cost_minor);
        let penalty = |u: u64| priced(u, capacity.unused_penalty_minor);
        Self {
            remaining_units: left,
            over_contract_units: consumed.saturating_sub(contracted),
            burn,
            burn_units_per_min: rate,
            exhaustion,
            exhaustion_earliest,
            exhaustion_latest,
            time_left,
            projected_at_window_end,
            projected_range,
            overage_units,
            overage_range,
            overage_cost_minor: overage_units.map(cost),
            overage_cost_range: overage_range.map(|r| Range::new(cost(r.low), cost(r.high))),
            shortfall_units,
            shortfall_range,
            penalty_minor: shortfall_units.map(penalty),
            penalty_range: shortfall_range.map(|r| Range::new(penalty(r.low), penalty(r.high))),
        }
    }

    /// Whether capacity is projected (at the point rate) to run out before `window_end` (or
    /// already has, with window time left).
    #[must_use]
    pub fn exhausts_before(&self, window_end: DateTime<Utc>) -> bool {
        match self.exhaustion {
            Exhaustion::At(at) => at < window_end,
            Exhaustion::Reached { .. } => !self.time_left.is_zero(),
            Exhaustion::NotBurning => false,
        }
    }

    /// Whether even the latest exhaustion of the interval is before `window_end`: the whole
    /// interval is past the threshold.
    #[must_use]
    pub fn surely_exhausts_before(&self, window_end: DateTime<Utc>) -> bool {
        match self.exhaustion {
            Exhaustion::Reached { .. } => !self.time_left.is_zero(),
            _ => self.exhaustion_latest.is_some_and(|at| at < window_end),
        }
    }

    /// Whether the contract lasts the window at the point rate (`None` while measuring).
    #[must_use]
    pub fn lasts_window(&self, window_end: DateTime<Utc>) -> Option<bool> {
        match self.exhaustion {
            Exhaustion::Reached { .. } => Some(false),
            _ if self.burn.is_none() && !self.time_left.is_zero() => None,
            _ => Some(!self.exhausts_before(window_end)),
        }
    }
}

/// A live drop's stock outlook against its close: sell-out (never after `closes_at`) or the
/// units left at close, each with its range from the sales rate's interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockOutlook {
    /// At the point rate, only when before `closes_at`.
    pub sellout_at: Option<DateTime<Utc>>,
    /// Earliest (high rate) and latest (low rate) sell-out, each only when before `closes_at`.
    pub sellout_earliest: Option<DateTime<Utc>>,
    /// Latest sell-out (at the interval's low rate), only when before `closes_at`.
    pub sellout_latest: Option<DateTime<Utc>>,
    /// Units expected to be left when the drop closes (0 when it sells out before), with
    /// its range: low at the high rate, high at the low rate.
    pub left_at_close: Estimate,
}

impl StockOutlook {
    /// `remaining` units selling at `rate` (per minute) from `now` until `closes_at`.
    #[must_use]
    pub fn compute(
        now: DateTime<Utc>,
        remaining: u64,
        rate: Estimate,
        closes_at: DateTime<Utc>,
    ) -> Option<Self> {
        let before_close = |at: Option<DateTime<Utc>>| at.filter(|at| *at < closes_at);
        let minutes = (closes_at - now).max(TimeDelta::zero()).num_milliseconds() as f64 / 60_000.0;
        let left = |r: f64| (remaining as f64 - r * minutes).max(0.0).round();
        Some(Self {
            sellout_at: before_close(run_out_at(now, remaining, Some(rate.point))),
            sellout_earliest: before_close(run_out_at(now, remaining, Some(rate.high))),
            sellout_latest: before_close(run_out_at(now, remaining, Some(rate.low))),
            left_at_close: Estimate::new(left(rate.point), left(rate.high), left(rate.low))?,
        })
    }
}

/// `units × price`, saturating at the ends of `i64`.
#[must_use]
pub fn priced(units: u64, unit_price_minor: i64) -> i64 {
    clamp_i64(i128::from(units) * i128::from(unit_price_minor))
}

fn clamp_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::t;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 0.005)
    }

    #[test]
    fn countdowns_by_state() {
        type Expected = Option<(CountdownTarget, i64, &'static str)>;
        let opens = t("2026-11-27T17:30:00Z");
        let closes = t("2026-11-27T19:30:00Z");
        let now = t("2026-11-27T18:00:00Z");
        let cases: &[(DropState, Expected)] = &[
            (
                DropState::Live,
                Some((CountdownTarget::Closes, 5400, "closes in")),
            ),
            (
                DropState::Paused,
                Some((CountdownTarget::Closes, 5400, "closes in")),
            ),
            // scheduled but past opens_at: clamped at 0
            (
                DropState::Scheduled,
                Some((CountdownTarget::Opens, 0, "opening")),
            ),
            (DropState::Ended, None),
            (DropState::SoldOut, None),
            (DropState::Other("archived".into()), None),
        ];
        for (state, expected) in cases {
            let got =
                countdown(state, opens, closes, now).map(|c| (c.target, c.seconds(), c.label()));
            assert_eq!(got, *expected, "{state}");
        }
        let before = countdown(
            &DropState::Scheduled,
            opens,
            closes,
            t("2026-11-27T17:20:00Z"),
        );
        assert_eq!(
            before.map(|c| (c.seconds(), c.label())),
            Some((600, "opens in"))
        );
        let late = countdown(&DropState::Live, opens, closes, t("2026-11-27T20:00:00Z"));
        assert_eq!(late.map(|c| (c.seconds(), c.label())), Some((0, "closing")));
    }

    #[test]
    fn percentages() {
        assert!(close(conversion_pct(400, 10234), 3.908_540));
        assert_eq!(conversion_pct(5, 0), None);
        assert!(close(conversion_pct(330, 8000), 4.125));
        assert!(close(sell_through_pct(120, 500), 24.0));
        assert_eq!(sell_through_pct(0, 0), None);
        assert!(close(on_time_pct(200, 10, 4), 93.457_94));
        assert_eq!(on_time_pct(0, 0, 0), None);
        assert!(close(on_time_pct(u64::MAX, u64::MAX, u64::MAX), 33.333_333));
        assert!(close(live_conversion_pct(Some(10), Some(200)), 5.0));
        assert_eq!(live_conversion_pct(Some(10), Some(0)), None);
        assert_eq!(live_conversion_pct(None, Some(10)), None);
    }

    #[test]
    fn margins_and_floor() {
        let cases: &[(i64, i64, f64, Option<f64>, bool)] = &[
            (6500, 2400, 55.0, Some(63.08), true),
            (7200, 2400, 55.0, Some(66.67), true),
            (5000, 2400, 55.0, Some(52.0), false),
            (5000, 2250, 55.0, Some(55.0), true),
            (0, 2400, 55.0, None, false),
            (-100, 0, 0.0, None, false),
            (100, 300, -500.0, Some(-200.0), true),
            (i64::MAX, i64::MIN, 0.0, Some(200.0), true),
        ];
        for &(price, cost, floor, margin, allowed) in cases {
            let got = band_margin_pct(price, cost);
            match margin {
                Some(m) => assert!(close(got, m), "{price} {cost}: {got:?}"),
                None => assert_eq!(got, None),
            }
            assert_eq!(band_allowed(got, floor), allowed, "{price} {cost} {floor}");
        }
    }

    #[test]
    fn sellout_projection() {
        let now = t("2026-11-27T18:00:00Z");
        assert_eq!(
            sellout_at(now, 500, 120, Some(10.0)),
            Some(t("2026-11-27T18:38:00Z"))
        );
        assert_eq!(sellout_at(now, 500, 120, Some(0.0)), None);
        assert_eq!(sellout_at(now, 500, 120, Some(-3.0)), None);
        assert_eq!(sellout_at(now, 500, 120, None), None);
        assert_eq!(sellout_at(now, 500, 120, Some(f64::NAN)), None);
        // a trickle too slow to matter: no date, no overflow
        assert_eq!(sellout_at(now, u64::MAX, 0, Some(1e-12)), None);
        // oversold: already out
        assert_eq!(sellout_at(now, 100, 120, Some(5.0)), Some(now));
    }

    fn capacity(consumed: u64) -> Capacity {
        Capacity {
            contracted_units: 600,
            consumed_units: consumed,
            min_commit_units: 300,
            window_start: t("2026-11-27T17:30:00Z"),
            window_end: t("2026-11-27T21:30:00Z"),
            currency: "USD".into(),
            overage_cost_minor: 900,
            unused_penalty_minor: 150,
        }
    }

    #[test]
    fn capacity_outlook_table() {
        struct Case {
            consumed: u64,
            rate: Option<f64>,
            remaining: u64,
            exhaustion: Exhaustion,
            projected: Option<u64>,
            overage: Option<(u64, i64)>,
            shortfall: Option<(u64, i64)>,
            before_end: bool,
        }
        let now = t("2026-11-27T18:00:00Z"); // 210 minutes left
        let cases = [
            // FEEDS.md example at 2 units/min: 210 + 420 = 630, out at 18:00 + 195 min
            Case {
                consumed: 210,
                rate: Some(2.0),
                remaining: 390,
                exhaustion: Exhaustion::At(t("2026-11-27T21:15:00Z")),
                projected: Some(630),
                overage: Some((30, 27_000)),
                shortfall: Some((0, 0)),
                before_end: true,
            },
            // slow: 210 + 0.2 × 210 = 252, 48 short of the commitment
            Case {
                consumed: 210,
                rate: Some(0.2),
                remaining: 390,
                exhaustion: Exhaustion::At(t("2026-11-29T02:30:00Z")),
                projected: Some(252),
                overage: Some((0, 0)),
                shortfall: Some((48, 7_200)),
                before_end: false,
            },
            // no rate yet: nothing projected, nothing invented
            Case {
                consumed: 210,
                rate: None,
                remaining: 390,
                exhaustion: Exhaustion::NotBurning,
                projected: None,
                overage: None,
                shortfall: None,
                before_end: false,
            },
            // rate 0: no exhaustion, projection is what was consumed
            Case {
                consumed: 210,
                rate: Some(0.0),
                remaining: 390,
                exhaustion: Exhaustion::NotBurning,
                projected: Some(210),
                overage: Some((0, 0)),
                shortfall: Some((90, 13_500)),
                before_end: false,
            },
            // already over contract
            Case {
                consumed: 650,
                rate: Some(1.0),
                remaining: 0,
                exhaustion: Exhaustion::Reached { over_by: 50 },
                projected: Some(860),
                overage: Some((260, 234_000)),
                shortfall: Some((0, 0)),
                before_end: true,
            },
        ];
        for (i, c) in cases.iter().enumerate() {
            let o = CapacityOutlook::compute(
                &capacity(c.consumed),
                c.rate.and_then(Estimate::exact),
                now,
            );
            assert_eq!(o.remaining_units, c.remaining, "case {i}");
            assert_eq!(o.exhaustion, c.exhaustion, "case {i}");
            assert_eq!(o.projected_at_window_end, c.projected, "case {i}");
            assert_eq!(
                o.overage_units.zip(o.overage_cost_minor),
                c.overage,
                "case {i}"
            );
            assert_eq!(
                o.shortfall_units.zip(o.penalty_minor),
                c.shortfall,
                "case {i}"
            );
            assert_eq!(
                o.exhausts_before(t("2026-11-27T21:30:00Z")),
                c.before_end,
                "case {i}"
            );
        }
    }

    #[test]
    fn capacity_after_window_end_is_final() {
        let o = CapacityOutlook::compute(&capacity(250), None, t("2026-11-27T22:00:00Z"));
        assert!(o.time_left.is_zero());
        assert_eq!(o.projected_at_window_end, Some(250));
        assert_eq!(o.shortfall_units, Some(50));
        assert_eq!(o.penalty_minor, Some(7_500));
    }

    #[test]
    fn extreme_counters_do_not_panic() {
        let mut cap = capacity(u64::MAX);
        cap.contracted_units = 0;
        cap.overage_cost_minor = i64::MAX;
        let o =
            CapacityOutlook::compute(&cap, Estimate::exact(f64::MAX), t("2026-11-27T18:00:00Z"));
        assert_eq!(o.remaining_units, 0);
        assert_eq!(o.over_contract_units, u64::MAX);
        assert_eq!(o.projected_at_window_end, Some(u64::MAX));
        assert_eq!(o.overage_cost_minor, Some(i64::MAX));
        assert_eq!(priced(u64::MAX, i64::MIN), i64::MIN);
    }
}

/// The bounds of issue 9, for any counters, rates and instants.
#[cfg(test)]
mod properties {
    use chrono::{DateTime, TimeDelta, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::model::estimate::RateEstimate;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap_or_default()
    }

    fn capacity(contracted: u64, consumed: u64, min_commit: u64, end_s: i64) -> Capacity {
        Capacity {
            contracted_units: contracted,
            consumed_units: consumed,
            min_commit_units: min_commit,
            window_start: at(-3600),
            window_end: at(end_s),
            currency: "USD".into(),
            overage_cost_minor: 900,
            unused_penalty_minor: 150,
        }
    }

    proptest! {
        /// Remaining capacity is never negative, and every projection's range holds its point.
        #[test]
        fn capacity_bounds(
            contracted in 0u64..100_000,
            consumed in 0u64..200_000,
            min_commit in 0u64..100_000,
            end_s in -600i64..20_000,
            events in 0u64..5_000,
            span_s in 1i64..600,
            slope in 0.0f64..2_000.0,
        ) {
            let rate = RateEstimate::from_counts(slope, events, TimeDelta::seconds(span_s))
                .map(|r| r.per_min);
            prop_assert!(rate.is_some_and(|r| r.contains(r.point)));
            let o = CapacityOutlook::compute(
                &capacity(contracted, consumed, min_commit, end_s),
                rate,
                at(0),
            );
            prop_assert_eq!(o.remaining_units, contracted.saturating_sub(consumed));
            prop_assert_eq!(o.over_contract_units, consumed.saturating_sub(contracted));
            prop_assert!(o.remaining_units == 0 || o.over_contract_units == 0);
            if let (Some(p), Some(r)) = (o.projected_at_window_end, o.projected_range) {
                prop_assert!(r.contains(p), "{:?}", o);
            }
            if let (Some(u), Some(r)) = (o.overage_units, o.overage_range) {
                prop_assert!(r.contains(u), "{:?}", o);
            }
            if let (Some(u), Some(r)) = (o.shortfall_units, o.shortfall_range) {
                prop_assert!(r.contains(u), "{:?}", o);
            }
            if let (Exhaustion::At(p), Some(e)) = (o.exhaustion, o.exhaustion_earliest) {
                prop_assert!(e <= p);
                prop_assert!(o.exhaustion_latest.is_none_or(|l| p <= l));
            }
            // Certain exhaustion implies the point exhausts too.
            if o.surely_exhausts_before(at(end_s)) {
                prop_assert!(o.exhausts_before(at(end_s)));
            }
        }

        /// A sell-out time is never after `closes_at`, and units left at close are never
        /// negative and hold their point.
        #[test]
        fn sellout_never_after_close(
            remaining in 0u64..1_000_000,
            events in 0u64..5_000,
            span_s in 1i64..600,
            slope in 0.0f64..5_000.0,
            closes_s in -600i64..50_000,
        ) {
            let rate = RateEstimate::from_counts(slope, events, TimeDelta::seconds(span_s))
                .map(|r| r.per_min);
            let Some(rate) = rate else {
                return Err(TestCaseError::fail("a positive span gives an estimate"));
            };
            let stock = StockOutlook::compute(at(0), remaining, rate, at(closes_s));
            prop_assert!(stock.is_some());
            if let Some(s) = stock {
                for t in [s.sellout_at, s.sellout_earliest, s.sellout_latest].into_iter().flatten() {
                    prop_assert!(t < at(closes_s));
                }
                prop_assert!(s.left_at_close.low >= 0.0);
                prop_assert!(s.left_at_close.contains(s.left_at_close.point));
            }
        }

        /// Intervals narrow as evidence grows: the same rate seen over a longer span has a
        /// narrower relative interval.
        #[test]
        fn intervals_narrow_with_evidence(
            per_min in 1u64..600,
            short_s in 5i64..120,
            factor in 2i64..10,
        ) {
            let rate_at = |span_s: i64| {
                let events = per_min * u64::try_from(span_s).unwrap_or(0) / 60;
                let slope = per_min as f64;
                RateEstimate::from_counts(slope, events, TimeDelta::seconds(span_s))
                    .map(|r| r.per_min)
            };
            let (Some(short), Some(long)) = (rate_at(short_s), rate_at(short_s * factor)) else {
                return Err(TestCaseError::fail("estimates"));
            };
            prop_assert!(long.high - long.low < short.high - short.low, "{:?} {:?}", short, long);
        }
    }
}
