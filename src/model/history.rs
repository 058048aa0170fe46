//! Time series for charts, with a fixed memory bound so a six-hour day at one poll a second
//! keeps memory flat.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::{Drop, DropState, Hub};

use super::figures::{CapacityOutlook, StockOutlook};
use super::rate::RateWindow;
use super::steady::{CapacityVerdict, CostVerdict, SelloutVerdict, Steady, WordHolds};

/// Trailing windows and chart series of one drop, sampled on each document's `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropTrack {
    /// `funnel.sessions`.
    pub sessions: RateWindow,
    /// `funnel.orders`.
    pub orders: RateWindow,
    /// `funnel.units`.
    pub units: RateWindow,
    /// `stock.sold`: the rate sell-out is projected with.
    pub sold: RateWindow,
    /// Per band of `funnel_by_band`, by band id; bands that leave the document are forgotten.
    pub bands: BTreeMap<String, BandTrack>,
    /// Orders per minute for the chart.
    pub orders_series: BucketSeries,
    /// The sell-out word, changed only once a new word has held (see [`super::steady`]).
    pub sellout: Steady<SelloutVerdict>,
    /// Whether the last document had the drop live.
    was_live: bool,
}

/// Trailing windows of one price band's funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct BandTrack {
    /// The band's cumulative sessions, sampled once per marketplace document.
    pub sessions: RateWindow,
    /// The band's cumulative orders, sampled once per marketplace document.
    pub orders: RateWindow,
}

impl DropTrack {
    /// Empty windows of length `window`; the sell-out word holds as `holds` says.
    #[must_use]
    pub fn new(window: TimeDelta, holds: WordHolds) -> Self {
        Self {
            sessions: RateWindow::new(window),
            orders: RateWindow::new(window),
            units: RateWindow::new(window),
            sold: RateWindow::new(window),
            bands: BTreeMap::new(),
            orders_series: BucketSeries::default(),
            sellout: Steady::new(holds.stock),
            was_live: false,
        }
    }

    /// Records the counters of `drop` as of `as_of` (server time).
    pub fn record(&mut self, as_of: DateTime<Utc>, drop: &Drop) {
        let live = drop.state == DropState::Live;
        if live && !self.was_live {
            // Opening or resuming starts the evidence afresh: minutes of a scheduled or
            // paused drop selling nothing say nothing about how it sells now, and would
            // read as a confident "sells slowly" (cap-02 in `launch` read "left at close"
            // on its first second).
            self.sessions.clear();
            self.orders.clear();
            self.units.clear();
            self.sold.clear();
            self.bands.clear();
        }
        self.was_live = live;
        self.sessions.record(as_of, drop.funnel.sessions);
        self.orders.record(as_of, drop.funnel.orders);
        self.units.record(as_of, drop.funnel.units);
        self.sold.record(as_of, drop.stock.sold);
        self.orders_series.record(as_of, drop.funnel.orders);
        // Read as `DropFigures` reads it: only a live drop sells.
        let stock = self.sold.estimate(as_of).filter(|_| live).and_then(|r| {
            let remaining = drop.stock.allocated.saturating_sub(drop.stock.sold);
            StockOutlook::compute(as_of, remaining, r.per_min, drop.closes_at)
        });
        self.sellout
            .observe(SelloutVerdict::of(stock.as_ref()), as_of);
        match &drop.funnel_by_band {
            Some(by_band) => {
                self.bands.retain(|id, _| by_band.contains_key(id));
                let window = self.sessions.window();
                for (id, funnel) in by_band {
                    let track = self.bands.entry(id.clone()).or_insert_with(|| BandTrack {
                        sessions: RateWindow::new(window),
                        orders: RateWindow::new(window),
                    });
                    track.sessions.record(as_of, funnel.sessions);
                    track.orders.record(as_of, funnel.orders);
                }
            }
            None => self.bands.clear(),
        }
    }
}

/// Trailing burn window and burn-down chart of one hub.
#[derive(Debug, Clone, PartialEq)]
pub struct HubTrack {
    /// `capacity.consumed_units`: the burn rate.
    pub consumed: RateWindow,
    /// `(as_of, consumed_units)` over the hub's capacity window.
    pub burn_down: DownsampledSeries,
    /// The window the chart belongs to; a new window starts a new chart.
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The outlook word, changed only once a new word has held (see [`super::steady`]).
    pub outlook: Steady<CapacityVerdict>,
    /// The cost word, likewise.
    pub cost: Steady<CostVerdict>,
}

impl HubTrack {
    /// An empty burn window of length `window`; the words hold as `holds` says.
    #[must_use]
    pub fn new(window: TimeDelta, holds: WordHolds) -> Self {
        Self {
            consumed: RateWindow::new(window),
            burn_down: DownsampledSeries::default(),
            window: None,
            outlook: Steady::new(holds.capacity),
            cost: Steady::new(holds.capacity),
        }
    }

    /// Records the consumption of `hub` as of `as_of` (server time).
    pub fn record(&mut self, as_of: DateTime<Utc>, hub: &Hub) {
        let capacity = &hub.capacity;
        let consumed = capacity.consumed_units;
        let window = (capacity.window_start, capacity.window_end);
        let restarted = self.consumed.record(as_of, consumed) == super::rate::Recorded::Restarted;
        if self.window != Some(window) || restarted {
            self.burn_down.clear();
            self.window = Some(window);
        }
        if as_of >= capacity.window_start && as_of <= capacity.window_end {
            self.burn_down.record(as_of, consumed);
        }
        let burn = self.consumed.estimate(as_of).map(|r| r.per_min);
        let outlook = CapacityOutlook::compute(capacity, burn, as_of);
        self.outlook
            .observe(CapacityVerdict::of(&outlook, capacity.window_end), as_of);
        self.cost.observe(CostVerdict::of(&outlook), as_of);
    }
}

/// Per-minute rate of one cumulative counter in fixed-width time buckets over a trailing span
/// (by default 10-second buckets over 30 minutes), for sparkline-style charts.
///
/// The increase between two samples is spread over the buckets the interval covers, so a slow
/// poll does not draw as spikes. Memory: at most `buckets` values.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketSeries {
    bucket: TimeDelta,
    buckets: usize,
    /// (bucket start, counter increase inside the bucket), oldest first, starts strictly
    /// increasing, none older than the span before the newest.
    values: VecDeque<(DateTime<Utc>, f64)>,
    last: Option<(DateTime<Utc>, u64)>,
}

impl BucketSeries {
    /// Width of one bucket by default.
    pub const DEFAULT_BUCKET: TimeDelta = TimeDelta::seconds(10);
    /// Buckets kept by default: 30 minutes of 10 s.
    pub const DEFAULT_BUCKETS: usize = 180;

    /// An empty series of `buckets` buckets (at least 1) of width `bucket` (at least 1 s).
    #[must_use]
    pub fn new(bucket: TimeDelta, buckets: usize) -> Self {
        Self {
            bucket: bucket.max(TimeDelta::seconds(1)),
            buckets: buckets.max(1),
            values: VecDeque::new(),
            last: None,
        }
    }

    /// Number of buckets drawn by [`Self::per_minute`].
    #[must_use]
    pub fn buckets(&self) -> usize {
        self.buckets
    }

    /// Width of one bucket.
    #[must_use]
    pub fn bucket_width(&self) -> TimeDelta {
        self.bucket
    }

    fn span(&self) -> TimeDelta {
        self.bucket * i32::try_from(self.buckets).unwrap_or(i32::MAX)
    }

    fn bucket_start(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let width = self.bucket.num_milliseconds().max(1);
        let ms = at.timestamp_millis();
        let start = ms - ms.rem_euclid(width);
        DateTime::from_timestamp_millis(start).unwrap_or(at)
    }

    /// Records the counter's value at `at` (server time). Older samples are ignored; a decrease
    /// (upstream reset) starts counting again from the new value without drawing anything.
    pub fn record(&mut self, at: DateTime<Utc>, value: u64) {
        let Some((last_at, last_value)) = self.last else {
            self.last = Some((at, value));
            return;
        };
        if at < last_at {
            return;
        }
        self.last = Some((at, value));
        let increase = value.saturating_sub(last_value);
        if increase == 0 {
            return;
        }
        let increase = increase as f64;
        if at == last_at {
            self.add(at, increase);
            return;
        }
        // Spread over (from, at], but never further back than the span.
        let from = last_at.max(at - self.span());
        let total_ms = (at - last_at).num_milliseconds().max(1);
        let mut cursor = from;
        while cursor < at {
            let start = self.bucket_start(cursor);
            let end = (start + self.bucket).min(at);
            let share = (end - cursor).num_milliseconds() as f64 / total_ms as f64;
            self.add(cursor, increase * share);
            cursor = end;
        }
        let oldest = self.bucket_start(at) - self.span();
        while self.values.front().is_some_and(|&(s, _)| s <= oldest) {
            self.values.pop_front();
        }
    }

    fn add(&mut self, at: DateTime<Utc>, amount: f64) {
        let start = self.bucket_start(at);
        match self.values.back_mut() {
            Some((last_start, value)) if *last_start == start => *value += amount,
            Some((last_start, _)) if *last_start > start => {
                if let Some(slot) = self.values.iter_mut().rev().find(|(s, _)| *s == start) {
                    slot.1 += amount;
                } else {
                    // A bucket inside the existing range with no value yet: keep starts sorted.
                    let index = self.values.partition_point(|&(s, _)| s < start);
                    self.values.insert(index, (start, amount));
                }
            }
            _ => self.values.push_back((start, amount)),
        }
        while self.values.len() > self.buckets {
            self.values.pop_front();
        }
    }

    /// Per-minute rate of each of the last [`Self::buckets`] buckets up to the one holding `now`,
    /// oldest first; buckets with no increase are 0.
    #[must_use]
    pub fn per_minute(&self, now: DateTime<Utc>) -> Vec<f64> {
        let mut out = vec![0.0; self.buckets];
        let scale = 60_000.0 / self.bucket.num_milliseconds().max(1) as f64;
        let newest = self.bucket_start(now);
        let width = self.bucket.num_milliseconds().max(1);
        for &(start, value) in &self.values {
            let back = (newest - start).num_milliseconds() / width;
            if let Ok(back) = usize::try_from(back)
                && back < self.buckets
            {
                out[self.buckets - 1 - back] = value * scale;
            }
        }
        out
    }
    /// [`Self::per_minute`] up to the last bucket the samples have completed (no later than
    /// `now`): time not polled yet (a poll's interval, or 30 s of it at ×30) is left off rather
    /// than drawn as buckets of no orders, and the bucket under way is left off rather than
    /// drawn from a second or two of it (one order in its first second reads as 60 a minute).
    #[must_use]
    pub fn per_minute_sampled(&self, now: DateTime<Utc>) -> Vec<f64> {
        let Some((last_at, _)) = self.last else {
            return self.per_minute(now);
        };
        // The bucket under way starts here; the one before it is complete.
        let under_way = self.bucket_start(last_at.min(now));
        self.per_minute(under_way - TimeDelta::milliseconds(1))
    }
}

impl Default for BucketSeries {
    fn default() -> Self {
        Self::new(Self::DEFAULT_BUCKET, Self::DEFAULT_BUCKETS)
    }
}

/// Points `(time, value)` of a counter over a long stretch (a hub's window), never more than a
/// fixed number: when full, every other point is dropped and the spacing between kept points
/// doubles. The newest point is always the latest sample.
#[derive(Debug, Clone, PartialEq)]
pub struct DownsampledSeries {
    max_points: usize,
    /// Minimum spacing between two kept points; the last point may be closer (it is replaced
    /// by each newer sample until the spacing is reached).
    spacing: TimeDelta,
    points: Vec<(DateTime<Utc>, u64)>,
}

impl DownsampledSeries {
    /// Points kept at most by default.
    pub const DEFAULT_MAX_POINTS: usize = 240;

    /// An empty series of at most `max_points` (at least 4) points.
    #[must_use]
    pub fn new(max_points: usize) -> Self {
        Self {
            max_points: max_points.max(4),
            spacing: TimeDelta::zero(),
            points: Vec::new(),
        }
    }

    /// The kept points, oldest first.
    #[must_use]
    pub fn points(&self) -> &[(DateTime<Utc>, u64)] {
        &self.points
    }

    /// Forgets every point.
    pub fn clear(&mut self) {
        self.points.clear();
        self.spacing = TimeDelta::zero();
    }

    /// Adds a sample (older samples than the newest point are ignored).
    pub fn record(&mut self, at: DateTime<Utc>, value: u64) {
        if let Some(&(last_at, _)) = self.points.last() {
            if at < last_at {
                return;
            }
            let anchor = self.points.len().checked_sub(2).map(|i| self.points[i].0);
            // The newest point is provisional until it is `spacing` after the one before it.
            if at == last_at || anchor.is_some_and(|a| last_at - a < self.spacing) {
                self.points.pop();
            }
        }
        self.points.push((at, value));
        if self.points.len() > self.max_points {
            self.halve();
        }
    }

    fn halve(&mut self) {
        let last = self.points.last().copied();
        let mut index = 0;
        self.points.retain(|_| {
            index += 1;
            index % 2 == 1
        });
        if let (Some(last), Some(&kept)) = (last, self.points.last())
            && kept != last
        {
            self.points.push(last);
        }
        let span = match (self.points.first(), self.points.last()) {
            (Some(first), Some(last)) => last.0 - first.0,
            _ => TimeDelta::zero(),
        };
        let per_point = span / i32::try_from(self.max_points / 2).unwrap_or(i32::MAX);
        self.spacing = (self.spacing * 2).max(per_point).max(TimeDelta::seconds(1));
    }
}

impl Default for DownsampledSeries {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_POINTS)
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
    fn buckets_hold_per_minute_rates() {
        let mut s = BucketSeries::default();
        // 1 order per second for a minute: 60 per minute in every bucket
        for i in 0..=60 {
            s.record(at(i), u64::try_from(i).expect("small"));
        }
        let series = s.per_minute(at(60));
        assert_eq!(series.len(), 180);
        // buckets [0,10) … [50,60) are full; the bucket of `now` (60) has nothing yet
        for value in &series[173..179] {
            assert!((value - 60.0).abs() < 1e-9, "{series:?}");
        }
        assert!(series[..173].iter().all(|v| *v == 0.0));
        assert!(series[179].abs() < 1e-9);
    }

    #[test]
    fn sampled_series_ends_at_the_last_complete_bucket() {
        let mut s = BucketSeries::default();
        // 1 order per second up to 65 s; the screen draws at 92 s (×30: the next poll is due).
        for i in 0..=65 {
            s.record(at(i), u64::try_from(i).expect("small"));
        }
        // [0,10) … [50,60) complete, [60,70) under way: left off, as is all after 65 s.
        for now in [at(92), at(65), at(60)] {
            let series = s.per_minute_sampled(now);
            assert_eq!(series.len(), 180);
            for value in &series[174..] {
                assert!((value - 60.0).abs() < 1e-9, "{:?}", &series[170..]);
            }
            assert!(series[..174].iter().all(|v| *v == 0.0));
        }
        assert!(
            BucketSeries::default()
                .per_minute_sampled(at(5))
                .iter()
                .all(|v| *v == 0.0)
        );
    }

    #[test]
    fn slow_polls_spread_over_buckets() {
        let mut s = BucketSeries::default();
        s.record(at(0), 0);
        s.record(at(30), 30); // 30 orders over 30 s = 60/min in 3 buckets
        let series = s.per_minute(at(30));
        for value in &series[176..179] {
            assert!((value - 60.0).abs() < 1e-9, "{:?}", &series[170..]);
        }
    }

    #[test]
    fn reset_and_old_samples_draw_nothing() {
        let mut s = BucketSeries::default();
        s.record(at(0), 100);
        s.record(at(10), 110);
        s.record(at(5), 500); // out of order: ignored
        s.record(at(20), 3); // reset
        s.record(at(30), 3);
        let series = s.per_minute(at(30));
        let total: f64 = series.iter().sum();
        assert!((total - 60.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn memory_stays_flat_over_a_day() {
        let mut s = BucketSeries::default();
        let mut d = DownsampledSeries::default();
        for i in 0..(6 * 3600) {
            let v = u64::try_from(i).expect("small") * 3;
            s.record(at(i), v);
            d.record(at(i), v);
            assert!(s.values.len() <= 180);
            assert!(d.points().len() <= 240);
        }
        assert!(d.points().len() >= 120, "{}", d.points().len());
        assert_eq!(d.points().first(), Some(&(at(0), 0)));
        assert_eq!(
            d.points().last(),
            Some(&(at(6 * 3600 - 1), (6 * 3600 - 1) * 3))
        );
        assert!(d.points().windows(2).all(|w| w[0].0 < w[1].0));
        let series = s.per_minute(at(6 * 3600 - 1));
        assert!((series[100] - 180.0).abs() < 1e-9);
    }

    #[test]
    fn downsampled_keeps_latest_and_ignores_older() {
        let mut d = DownsampledSeries::new(4);
        d.record(at(0), 0);
        d.record(at(10), 5);
        d.record(at(10), 6);
        d.record(at(5), 99);
        assert_eq!(d.points(), &[(at(0), 0), (at(10), 6)]);
        for i in 2..10 {
            d.record(at(i * 10), u64::try_from(i).expect("small") * 10);
        }
        assert!(d.points().len() <= 4);
        assert_eq!(d.points().last(), Some(&(at(90), 90)));
        d.clear();
        assert!(d.points().is_empty());
    }
}
