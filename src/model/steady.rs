//! Outlook words that change only once the new word has held: a hub's "lasts the window" or
//! "may run out", a drop's sell-out or units left at close, a pop-up's "lasts the day" or
//! "runs out ~14:20".
//!
//! The words come from a rate's 90 % interval. While the interval's edge sits near a window's
//! end it crosses it and back from one poll to the next, and a word computed afresh each poll
//! flips ("may run out", "lasts the window", "may run out" within ten seconds, seen in the
//! demo's first two minutes). So the word a person reads changes only after every document for
//! the pending time (`for`) of the alert that reads the same projection ([`WordHolds`];
//! [`HOLD`] by default) has read another word, so the tables and the alerts move together.
//! Facts (still measuring, the contract used up) are said at once. Words are kept per
//! document, so a stale feed freezes them.

use chrono::{DateTime, TimeDelta, Utc};

use super::figures::{CapacityOutlook, Exhaustion, StockOutlook};
use super::popup_sales::PopupOutlook;

/// How long a new outlook word must hold before it is shown, by default: the projection
/// alerts' default pending time.
pub const HOLD: TimeDelta = TimeDelta::seconds(30);

/// How long each family of words must hold: each follows the alert that reads the same
/// projection, so a config that makes `capacity_exhaustion` wait 2 minutes makes the hubs'
/// outlook wait 2 minutes too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordHolds {
    /// A hub's outlook and cost words (`[alerts.kinds.capacity_exhaustion] for`).
    pub capacity: TimeDelta,
    /// A drop's sell-out word and a pop-up's stock outlook (`[alerts.kinds.sellout_soon] for`).
    pub stock: TimeDelta,
}

impl Default for WordHolds {
    fn default() -> Self {
        Self {
            capacity: HOLD,
            stock: HOLD,
        }
    }
}

/// A word that is either a fact (shown at once) or an estimate's reading (shown once it held).
pub trait Word: Copy + PartialEq {
    /// Whether the word states a fact rather than reads an interval.
    fn is_fact(self) -> bool;
}

/// The word shown, and since when every observation has contradicted it.
///
/// The shown word changes once it has been contradicted for the whole hold, to the word read
/// last. Waiting instead for one new word to hold would keep a wrong word up for as long as
/// the evidence alternates between two others: in `quiet`, sea-1 read `may run out` for
/// minutes while its projection (24–901 of a 1,500 contract) alternated `not burning` and
/// `lasts the window`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steady<T> {
    shown: Option<T>,
    contradicted_since: Option<DateTime<Utc>>,
    /// How long a new word must hold before it is shown.
    hold: TimeDelta,
}

impl<T: Word> Steady<T> {
    /// No word yet; a new word will show once it has held for `hold`.
    #[must_use]
    pub fn new(hold: TimeDelta) -> Self {
        Self {
            shown: None,
            contradicted_since: None,
            hold,
        }
    }

    /// The word to show; `None` before the first observation.
    #[must_use]
    pub fn shown(&self) -> Option<T> {
        self.shown
    }

    /// `raw` read from the document of `at` (server time).
    pub fn observe(&mut self, raw: T, at: DateTime<Utc>) {
        match self.shown {
            Some(shown) if shown == raw => self.contradicted_since = None,
            Some(shown) if !shown.is_fact() && !raw.is_fact() => match self.contradicted_since {
                Some(since) if at.signed_duration_since(since) >= self.hold => {
                    self.shown = Some(raw);
                    self.contradicted_since = None;
                }
                Some(_) => {}
                None => self.contradicted_since = Some(at),
            },
            _ => {
                self.shown = Some(raw);
                self.contradicted_since = None;
            }
        }
    }
}

/// What a hub's contract does before its window ends, as the outlook column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityVerdict {
    /// No burn rate yet.
    Measuring,
    /// Consumption has reached the contract (a fact).
    UsedUp,
    /// The point rate is 0 and even the interval's high rate lasts the window.
    NotBurning,
    /// Even the interval's high rate lasts the window (or the point rate runs out after it).
    Lasts,
    /// The interval straddles the window's end.
    MayRunOut,
    /// The point rate runs out before the window ends, and the interval does not reach past it.
    RunsOut,
}

impl Word for CapacityVerdict {
    fn is_fact(self) -> bool {
        matches!(self, Self::Measuring | Self::UsedUp)
    }
}

impl CapacityVerdict {
    /// The reading of `c` against a window ending at `window_end`.
    #[must_use]
    pub fn of(c: &CapacityOutlook, window_end: DateTime<Utc>) -> Self {
        if matches!(c.exhaustion, Exhaustion::Reached { .. }) {
            return Self::UsedUp;
        }
        if c.burn.is_none() {
            return Self::Measuring;
        }
        let straddles = !c.surely_exhausts_before(window_end)
            && c.exhaustion_earliest.is_some_and(|e| e < window_end);
        match c.exhaustion {
            _ if straddles => Self::MayRunOut,
            Exhaustion::At(at) if at >= window_end => Self::Lasts,
            Exhaustion::At(_) => Self::RunsOut,
            Exhaustion::NotBurning | Exhaustion::Reached { .. } => Self::NotBurning,
        }
    }
}

/// What a hub's projection at its window's end costs, as the cost column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostVerdict {
    /// No projection yet.
    NoProjection,
    /// Even the interval's low rate runs over the contract.
    Over,
    /// Even the interval's high rate falls short of the minimum commitment.
    Short,
    /// The whole interval stays between the commitment and the contract.
    Within,
    /// The interval reaches over the contract but not under the commitment.
    MayRunOver,
    /// The interval reaches under the commitment but not over the contract.
    MayFallShort,
    /// The interval reaches both ways.
    OverOrShort,
}

impl Word for CostVerdict {
    fn is_fact(self) -> bool {
        self == Self::NoProjection
    }
}

impl CostVerdict {
    /// The reading of `c`'s overage and shortfall ranges.
    #[must_use]
    pub fn of(c: &CapacityOutlook) -> Self {
        let (Some(over), Some(short)) = (c.overage_units, c.shortfall_units) else {
            return Self::NoProjection;
        };
        let (over_low, over_high) = c.overage_range.map_or((over, over), |r| (r.low, r.high));
        let (short_low, short_high) = c
            .shortfall_range
            .map_or((short, short), |r| (r.low, r.high));
        match (over_low > 0, short_low > 0, over_high > 0, short_high > 0) {
            (true, _, _, _) => Self::Over,
            (_, true, _, _) => Self::Short,
            (_, _, false, false) => Self::Within,
            (_, _, true, false) => Self::MayRunOver,
            (_, _, false, true) => Self::MayFallShort,
            (_, _, true, true) => Self::OverOrShort,
        }
    }
}

/// How a live drop's stock ends, as the sell-out column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelloutVerdict {
    /// Not live, or no sales rate yet.
    Measuring,
    /// Even the interval's low rate sells out before the close.
    SellsOut,
    /// The interval straddles the close.
    MaySellOut,
    /// Even the interval's high rate leaves stock at the close.
    LeftAtClose,
}

impl Word for SelloutVerdict {
    fn is_fact(self) -> bool {
        self == Self::Measuring
    }
}

impl SelloutVerdict {
    /// The reading of a live drop's `stock` outlook (`None`: not live or measuring).
    #[must_use]
    pub fn of(stock: Option<&StockOutlook>) -> Self {
        match stock {
            None => Self::Measuring,
            Some(s) if s.sellout_earliest.is_some() && s.sellout_latest.is_none() => {
                Self::MaySellOut
            }
            Some(s) if s.sellout_at.is_some() => Self::SellsOut,
            Some(_) => Self::LeftAtClose,
        }
    }
}

/// How a pop-up's stock on hand ends the day, as its stock outlook says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupVerdict {
    /// Not open.
    Closed,
    /// Open with nothing on hand.
    OutOfStock,
    /// No sales rate yet.
    Measuring,
    /// Even the interval's high rate leaves stock at the close.
    LastsTheDay,
    /// The interval straddles the close.
    MayRunOut,
    /// Even the interval's low rate runs out before the close.
    RunsOut,
}

impl Word for PopupVerdict {
    fn is_fact(self) -> bool {
        matches!(self, Self::Closed | Self::OutOfStock | Self::Measuring)
    }
}

impl PopupVerdict {
    /// The word of `outlook`.
    #[must_use]
    pub fn of(outlook: &PopupOutlook) -> Self {
        match outlook {
            PopupOutlook::Closed => Self::Closed,
            PopupOutlook::OutOfStock => Self::OutOfStock,
            PopupOutlook::Measuring => Self::Measuring,
            PopupOutlook::LastsTheDay(_) => Self::LastsTheDay,
            PopupOutlook::MayRunOut(_) => Self::MayRunOut,
            PopupOutlook::RunsOut(_) => Self::RunsOut,
        }
    }

    /// `outlook` said with this word, when both read the same stock projection: the figures
    /// are today's, the word the one that held. A fact in either is said as it is.
    #[must_use]
    pub fn say(self, outlook: PopupOutlook) -> PopupOutlook {
        let stock = match outlook {
            PopupOutlook::LastsTheDay(s)
            | PopupOutlook::MayRunOut(s)
            | PopupOutlook::RunsOut(s) => s,
            fact => return fact,
        };
        match self {
            Self::LastsTheDay => PopupOutlook::LastsTheDay(stock),
            Self::MayRunOut => PopupOutlook::MayRunOut(stock),
            Self::RunsOut => PopupOutlook::RunsOut(stock),
            Self::Closed | Self::OutOfStock | Self::Measuring => outlook,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap_or_default()
    }

    #[test]
    fn the_first_word_shows_at_once() {
        let mut w = Steady::new(HOLD);
        assert_eq!(w.shown(), None);
        w.observe(CapacityVerdict::MayRunOut, at(0));
        assert_eq!(w.shown(), Some(CapacityVerdict::MayRunOut));
    }

    #[test]
    fn an_edge_wavering_at_the_window_end_does_not_flip_the_word() {
        // The demo's lax-2 over 20 s: lasts, lasts, may, lasts, lasts, may, lasts…
        let mut w = Steady::new(HOLD);
        w.observe(CapacityVerdict::MayRunOut, at(0));
        let wavering = [
            CapacityVerdict::Lasts,
            CapacityVerdict::Lasts,
            CapacityVerdict::MayRunOut,
            CapacityVerdict::Lasts,
            CapacityVerdict::Lasts,
            CapacityVerdict::MayRunOut,
        ];
        for (i, word) in (1_i64..).zip(wavering.iter().cycle().take(60)) {
            w.observe(*word, at(2 * i));
            assert_eq!(w.shown(), Some(CapacityVerdict::MayRunOut), "poll {i}");
        }
    }

    #[test]
    fn a_new_word_shows_once_it_held_for_the_hold_time() {
        let mut w = Steady::new(HOLD);
        w.observe(CapacityVerdict::MayRunOut, at(0));
        for s in 1..30 {
            w.observe(CapacityVerdict::Lasts, at(s));
            assert_eq!(w.shown(), Some(CapacityVerdict::MayRunOut), "{s} s");
        }
        w.observe(CapacityVerdict::Lasts, at(31));
        assert_eq!(w.shown(), Some(CapacityVerdict::Lasts));
        // And back only after holding again.
        w.observe(CapacityVerdict::MayRunOut, at(32));
        assert_eq!(w.shown(), Some(CapacityVerdict::Lasts));
    }

    #[test]
    fn a_word_contradicted_by_two_others_in_turn_gives_way_to_the_last() {
        // quiet's sea-1: `may run out` from its first wide range, then a projection that
        // never reaches the contract read `not burning` and `lasts` in turn.
        let mut w = Steady::new(HOLD);
        w.observe(CapacityVerdict::MayRunOut, at(0));
        for s in 1..30 {
            let word = if s % 2 == 0 {
                CapacityVerdict::NotBurning
            } else {
                CapacityVerdict::Lasts
            };
            w.observe(word, at(s));
            assert_eq!(w.shown(), Some(CapacityVerdict::MayRunOut), "{s} s");
        }
        w.observe(CapacityVerdict::NotBurning, at(31));
        assert_eq!(w.shown(), Some(CapacityVerdict::NotBurning));
        // The shown word read again restarts the wait.
        w.observe(CapacityVerdict::Lasts, at(32));
        w.observe(CapacityVerdict::NotBurning, at(40));
        w.observe(CapacityVerdict::Lasts, at(63));
        assert_eq!(w.shown(), Some(CapacityVerdict::NotBurning));
    }

    #[test]
    fn facts_are_said_at_once_both_ways() {
        let mut w = Steady::new(HOLD);
        w.observe(CapacityVerdict::Measuring, at(0));
        w.observe(CapacityVerdict::Lasts, at(1));
        assert_eq!(w.shown(), Some(CapacityVerdict::Lasts));
        w.observe(CapacityVerdict::UsedUp, at(2));
        assert_eq!(w.shown(), Some(CapacityVerdict::UsedUp));
        let mut s = Steady::new(HOLD);
        s.observe(SelloutVerdict::LeftAtClose, at(0));
        s.observe(SelloutVerdict::Measuring, at(1));
        assert_eq!(s.shown(), Some(SelloutVerdict::Measuring));
    }
}
