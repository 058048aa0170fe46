//! A pop-up's in-person sales rate and how long its stock on hand lasts at it.
//!
//! The rate is read as a drop's orders per minute is ([`RateWindow`]: least squares over the
//! trailing window, with the Poisson interval of the units counted over its span); the outlook
//! is a [`StockOutlook`] of the units on hand against the pop-up's `closes_at`, so a pop-up's
//! "runs out ~14:20" rests on the same arithmetic and the same honesty rules as a drop's
//! sell-out.

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::Popup;

use super::estimate::RateEstimate;
use super::figures::StockOutlook;
use super::rate::RateWindow;
use super::steady::{PopupVerdict, Steady, WordHolds};

/// The trailing window of one pop-up's sales, sampled on each POS document's `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct PopupTrack {
    /// `sales.units`: units sold in person (cumulative), the rate stock on hand runs out at.
    pub units: RateWindow,
    /// The stock outlook's word, changed only once a new word has held (see
    /// [`super::steady`]): at
    /// a boundary the interval's edge crosses the close and back from one poll to the next.
    pub outlook: Steady<PopupVerdict>,
}

impl PopupTrack {
    /// An empty window of length `window`; the outlook word holds as `holds` says.
    #[must_use]
    pub fn new(window: TimeDelta, holds: WordHolds) -> Self {
        Self {
            units: RateWindow::new(window),
            outlook: Steady::new(holds.stock),
        }
    }

    /// Records the sales of `popup` as of `as_of` (server time).
    pub fn record(&mut self, as_of: DateTime<Utc>, popup: &Popup) {
        self.units.record(as_of, popup.sales.units);
        // Read as `PopupSummary::outlook` reads it, at the document's own instant.
        let is_open = popup.opens_at <= as_of && as_of < popup.closes_at;
        let outlook = PopupOutlook::compute(
            is_open,
            popup.stock.on_hand,
            self.units.estimate(as_of),
            as_of,
            popup.closes_at,
        );
        self.outlook.observe(PopupVerdict::of(&outlook), as_of);
    }
}

/// What becomes of a pop-up's stock on hand by the time it closes, at its sales rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PopupOutlook {
    /// Not open: nothing is sold, so nothing is projected.
    Closed,
    /// Open with nothing on hand.
    OutOfStock,
    /// Open, but no sales rate yet, or no unit sold in the window: no events is
    /// "measuring" (FEEDS.md), not a rate of 0 and not a run-out from the interval's high end.
    Measuring,
    /// Even at the high end of the rate's interval, stock is left at close.
    LastsTheDay(StockOutlook),
    /// The range straddles the close: at the high rate it runs out before, at the low rate
    /// it does not.
    MayRunOut(StockOutlook),
    /// Even at the low end of the rate's interval, it runs out before close
    /// (`sellout_at`, `sellout_earliest` and `sellout_latest` are all set).
    RunsOut(StockOutlook),
}

impl PopupOutlook {
    /// The outlook of `on_hand` units selling at `sales` from `now` until `closes_at`.
    #[must_use]
    pub fn compute(
        is_open: bool,
        on_hand: u64,
        sales: Option<RateEstimate>,
        now: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Self {
        if !is_open {
            return Self::Closed;
        }
        if on_hand == 0 {
            return Self::OutOfStock;
        }
        let Some(stock) = sales
            .filter(|r| r.events > 0)
            .and_then(|r| StockOutlook::compute(now, on_hand, r.per_min, closes_at))
        else {
            return Self::Measuring;
        };
        match (stock.sellout_earliest, stock.sellout_latest) {
            (None, _) => Self::LastsTheDay(stock),
            (Some(_), None) => Self::MayRunOut(stock),
            (Some(_), Some(_)) => Self::RunsOut(stock),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::at;

    /// `per_min` units a minute seen over `span_s` seconds (a steady counter).
    fn rate(per_min: f64, span_s: i64) -> Option<RateEstimate> {
        // A steady counter: whole units over the span.
        let events = (per_min * span_s as f64 / 60.0).round() as u64;
        RateEstimate::from_counts(per_min, events, TimeDelta::seconds(span_s))
    }

    #[test]
    fn outlooks_by_stock_rate_and_close() {
        let now = at(0);
        let closes = at(4 * 3600);
        // 10 units a minute over five minutes (50 units): [7.8, 12.7]/min.
        let steady = rate(10.0, 300);
        let cases: &[(bool, u64, Option<RateEstimate>, &str)] = &[
            (false, 40, steady, "closed"),
            (true, 0, steady, "out of stock"),
            (true, 40, None, "measuring"),
            // 40 units at ~10/min: out in ~4 min, whatever end of the range.
            (true, 40, steady, "runs out"),
            // 10,000 units at 10/min last 16 h: past the close at any rate of the range.
            (true, 10_000, steady, "lasts"),
            // 2,400 units at 10/min is exactly the 4 h left: the range straddles the close.
            (true, 2_400, steady, "may run out"),
        ];
        for &(open, on_hand, sales, want) in cases {
            let got = PopupOutlook::compute(open, on_hand, sales, now, closes);
            let name = match got {
                PopupOutlook::Closed => "closed",
                PopupOutlook::OutOfStock => "out of stock",
                PopupOutlook::Measuring => "measuring",
                PopupOutlook::LastsTheDay(_) => "lasts",
                PopupOutlook::MayRunOut(_) => "may run out",
                PopupOutlook::RunsOut(_) => "runs out",
            };
            assert_eq!(name, want, "{open} {on_hand}: {got:?}");
        }
        let PopupOutlook::RunsOut(stock) = PopupOutlook::compute(true, 40, steady, now, closes)
        else {
            panic!("runs out");
        };
        assert_eq!(stock.sellout_at, Some(now + TimeDelta::minutes(4)));
        assert!(stock.sellout_earliest < stock.sellout_at);
        assert!(stock.sellout_latest > stock.sellout_at);
    }

    #[test]
    fn no_sale_yet_is_measuring_and_one_sale_is_a_wide_range() {
        // No unit sold in a minute: up to ~3/min, but no events is "measuring", not a
        // run-out worked out from the interval's high end.
        let quiet = rate(0.0, 60);
        for on_hand in [100, 1_000] {
            let got = PopupOutlook::compute(true, on_hand, quiet, at(0), at(4 * 3600));
            assert_eq!(got, PopupOutlook::Measuring, "{on_hand}");
        }
        // One unit in a minute: [0.05, 4.74]/min. 100 units may run out in 4 h or not;
        // 2,000 last the day at any rate of the range.
        let one = rate(1.0, 60);
        let got = PopupOutlook::compute(true, 100, one, at(0), at(4 * 3600));
        assert!(matches!(got, PopupOutlook::MayRunOut(_)), "{got:?}");
        let got = PopupOutlook::compute(true, 2_000, one, at(0), at(4 * 3600));
        assert!(matches!(got, PopupOutlook::LastsTheDay(_)), "{got:?}");
    }

    #[test]
    fn the_track_reads_units_sold() {
        let mut track = PopupTrack::new(RateWindow::DEFAULT_WINDOW, WordHolds::default());
        let mut popup = crate::model::fixtures::popups().entries.remove(0);
        for i in 0..=30 {
            popup.sales.units = 95 + u64::try_from(i).expect("small");
            track.record(at(i * 6), &popup);
        }
        // One unit every 6 s: 10 a minute.
        let sales = track.units.estimate(at(180)).expect("rate");
        assert!((sales.per_min.point - 10.0).abs() < 1e-9, "{sales:?}");
        assert_eq!(sales.events, 30);
    }

    #[test]
    fn the_outlook_word_changes_only_once_the_new_word_has_held() {
        use crate::model::views::PopupSummary;
        let mut track = PopupTrack::new(RateWindow::DEFAULT_WINDOW, WordHolds::default());
        let mut popup = crate::model::fixtures::popups().entries.remove(0);
        popup.opens_at = at(-3600);
        popup.closes_at = at(4 * 3600);
        let word = |track: &PopupTrack, popup: &Popup, now| {
            let s = PopupSummary::new(popup, Some(track), now, now);
            PopupVerdict::of(&s.outlook(s.sales()))
        };
        // One unit every 6 s (10 a minute) for five minutes; 2,400 on hand is exactly the
        // four hours left, so the range straddles the close.
        popup.stock.on_hand = 2_400;
        for i in 0..=50 {
            popup.sales.units = u64::try_from(i).expect("small");
            track.record(at(i * 6), &popup);
        }
        assert_eq!(word(&track, &popup, at(300)), PopupVerdict::MayRunOut);
        // A delivery: 10,000 on hand lasts the day at any rate of the range. The word waits
        // for the new reading to hold, whichever way the edge wavers meanwhile.
        popup.stock.on_hand = 10_000;
        for i in 51..=55 {
            popup.sales.units = u64::try_from(i).expect("small");
            track.record(at(i * 6), &popup);
            assert_eq!(
                word(&track, &popup, at(i * 6)),
                PopupVerdict::MayRunOut,
                "{i}"
            );
        }
        for i in 56..=56 + 5 {
            popup.sales.units = u64::try_from(i).expect("small");
            track.record(at(i * 6), &popup);
        }
        assert_eq!(word(&track, &popup, at(61 * 6)), PopupVerdict::LastsTheDay);
        // A fact is said at once: the stock gone.
        popup.stock.on_hand = 0;
        track.record(at(62 * 6), &popup);
        assert_eq!(word(&track, &popup, at(62 * 6)), PopupVerdict::OutOfStock);
    }
}
