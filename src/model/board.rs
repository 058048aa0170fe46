//! The board: everything the control room knows, fed by the poller, read by the UI, the alert
//! rules and `status`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::events::{PollOutcome, PollReport};
use crate::feed::wire::{Document, Drop, FeedEntry, Hub, OverdueOrder, Popup, SkippedEntry};
use crate::feed::{FeedFailure, FeedKind};

use super::health::FeedHealth;
use super::history::{DropTrack, HubTrack};
use super::popup_sales::PopupTrack;
use super::rate::RateWindow;
use super::steady::WordHolds;
use super::views::{DropFigures, HubOutlook, PopupSummary};

/// Settings of the board that come from configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoardSettings {
    /// Trailing window of every rate (burn, sell, live conversion).
    pub rate_window: TimeDelta,
    /// A feed is stale after this many poll intervals without a successful poll.
    pub stale_after_intervals: u32,
    /// Server seconds per local second: 1 for real feeds, the simulator's `--speed` in the
    /// demo (its clock runs faster; that is speed, not skew).
    pub clock_rate: f64,
    /// How long a new outlook word must hold before the tables show it.
    pub holds: WordHolds,
}

impl Default for BoardSettings {
    fn default() -> Self {
        Self {
            rate_window: RateWindow::DEFAULT_WINDOW,
            stale_after_intervals: 3,
            clock_rate: 1.0,
            holds: WordHolds::default(),
        }
    }
}

/// The entries of one feed in document order, an id index, and a track per id.
///
/// Invariant: `index` and `tracks` hold exactly the ids of `entries` (ids are unique).
#[derive(Debug, Clone)]
struct Roster<T, Track> {
    entries: Vec<T>,
    index: HashMap<String, usize>,
    tracks: HashMap<String, Track>,
}

impl<T, Track> Default for Roster<T, Track> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            index: HashMap::new(),
            tracks: HashMap::new(),
        }
    }
}

impl<T: FeedEntry, Track> Roster<T, Track> {
    /// Replaces the entries with those of a document; a repeated id is skipped (added to
    /// `skipped`) so each id means one entity. Tracks of ids that left are dropped, new ids get
    /// `new_track()`, and every kept entry is passed to `record` with its track.
    fn replace(
        &mut self,
        entries: Vec<T>,
        skipped: &mut Vec<SkippedEntry>,
        new_track: impl Fn() -> Track,
        mut record: impl FnMut(&mut Track, &T),
    ) {
        // Document positions of the decoded entries: the positions not taken by skipped ones.
        let taken: HashSet<usize> = skipped.iter().map(|s| s.index).collect();
        let mut positions = (0..).filter(|i| !taken.contains(i));
        let mut kept = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        for entry in entries {
            let position = positions.next().unwrap_or(usize::MAX);
            if index.contains_key(entry.id()) {
                skipped.push(SkippedEntry {
                    index: position,
                    id: Some(entry.id().to_owned()),
                    reason: "duplicate id: an earlier entry of the document has it".to_owned(),
                });
                continue;
            }
            index.insert(entry.id().to_owned(), kept.len());
            kept.push(entry);
        }
        skipped.sort_by_key(|s| s.index);
        self.tracks.retain(|id, _| index.contains_key(id));
        for entry in &kept {
            let track = self
                .tracks
                .entry(entry.id().to_owned())
                .or_insert_with(&new_track);
            record(track, entry);
        }
        self.entries = kept;
        self.index = index;
    }

    fn get(&self, id: &str) -> Option<&T> {
        self.index.get(id).and_then(|&i| self.entries.get(i))
    }
}

/// Everything the control room knows: the last document of each feed, trailing windows and
/// chart series per entity, feed health and clock skew.
///
/// The poller feeds it (`ingest_*`, `record_*`, passing local times); readers derive figures for
/// an instant (`*_figures`, `hub_outlook`, …), which borrow the entries and copy no document.
#[derive(Debug, Clone)]
pub struct Board {
    settings: BoardSettings,
    drops: Roster<Drop, DropTrack>,
    hubs: Roster<Hub, HubTrack>,
    popups: Roster<Popup, PopupTrack>,
    /// Indexed by [`slot`].
    health: [FeedHealth; 3],
    /// Entries of each feed's last document that could not be used, indexed by [`slot`].
    skipped: [Vec<SkippedEntry>; 3],
    /// (hub position, order position) of every listed overdue order, most overdue first (by
    /// `due_at`, then `placed_at`, then document order); rebuilt on each hubs document.
    overdue: Vec<(u32, u32)>,
    /// Changes whenever `overdue` is rebuilt; see [`Board::overdue_generation`].
    overdue_generation: u64,
}

/// `span × rate`, saturating at ±10 years.
fn scaled(span: TimeDelta, rate: f64) -> TimeDelta {
    let ms = span.num_milliseconds() as f64 * rate;
    let cap = 315_360_000_000.0;
    // In range by the clamp.
    TimeDelta::milliseconds(ms.clamp(-cap, cap) as i64)
}

/// Source of [`Board::overdue_generation`]: unique across boards, so a cache keyed on it can
/// never mistake one board's list for another's.
static OVERDUE_GENERATION: AtomicU64 = AtomicU64::new(1);

fn slot(feed: FeedKind) -> usize {
    match feed {
        FeedKind::Marketplace => 0,
        FeedKind::Fulfilment => 1,
        FeedKind::Pos => 2,
    }
}

impl Default for Board {
    fn default() -> Self {
        Self::new(BoardSettings::default())
    }
}

impl Board {
    /// An empty board.
    #[must_use]
    pub fn new(settings: BoardSettings) -> Self {
        Self {
            settings,
            drops: Roster::default(),
            hubs: Roster::default(),
            popups: Roster::default(),
            health: FeedKind::ALL.map(FeedHealth::new),
            skipped: Default::default(),
            overdue: Vec::new(),
            overdue_generation: 0,
        }
    }

    /// The settings the board was made with.
    #[must_use]
    pub fn settings(&self) -> BoardSettings {
        self.settings
    }

    /// Sets how many server seconds pass per local second (the demo's `--speed`).
    pub fn set_clock_rate(&mut self, rate: f64) {
        self.settings.clock_rate = rate;
    }

    /// Sets the configured poll interval of `feed` (staleness is counted in it).
    pub fn set_poll_interval(&mut self, feed: FeedKind, interval: TimeDelta) {
        self.health[slot(feed)].poll_interval = Some(interval);
    }

    // -- feeding ---------------------------------------------------------------------------------

    /// Takes a marketplace document, requested at `sent_at` and answered at `received_at` (local).
    pub fn ingest_drops(
        &mut self,
        doc: Document<Drop>,
        sent_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
    ) {
        let Document {
            as_of,
            entries,
            mut skipped,
        } = doc;
        let (window, holds) = (self.settings.rate_window, self.settings.holds);
        self.drops.replace(
            entries,
            &mut skipped,
            || DropTrack::new(window, holds),
            |track, drop| track.record(as_of, drop),
        );
        self.succeeded(FeedKind::Marketplace, as_of, skipped, sent_at, received_at);
    }

    /// Takes a fulfilment document (see [`Self::ingest_drops`]).
    pub fn ingest_hubs(
        &mut self,
        doc: Document<Hub>,
        sent_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
    ) {
        let Document {
            as_of,
            entries,
            mut skipped,
        } = doc;
        let (window, holds) = (self.settings.rate_window, self.settings.holds);
        self.hubs.replace(
            entries,
            &mut skipped,
            || HubTrack::new(window, holds),
            |track, hub| track.record(as_of, hub),
        );
        self.index_overdue();
        self.succeeded(FeedKind::Fulfilment, as_of, skipped, sent_at, received_at);
    }

    /// Takes a point-of-sale document (see [`Self::ingest_drops`]).
    pub fn ingest_popups(
        &mut self,
        doc: Document<Popup>,
        sent_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
    ) {
        let Document {
            as_of,
            entries,
            mut skipped,
        } = doc;
        let (window, holds) = (self.settings.rate_window, self.settings.holds);
        self.popups.replace(
            entries,
            &mut skipped,
            || PopupTrack::new(window, holds),
            |track, popup| track.record(as_of, popup),
        );
        self.succeeded(FeedKind::Pos, as_of, skipped, sent_at, received_at);
    }

    fn succeeded(
        &mut self,
        feed: FeedKind,
        as_of: DateTime<Utc>,
        skipped: Vec<SkippedEntry>,
        sent_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
    ) {
        self.health[slot(feed)].record_success(sent_at, received_at, Some(as_of));
        self.skipped[slot(feed)] = skipped;
    }

    /// Takes one poll's outcome, whatever it brought: the single entry point of the poller's
    /// reports, shared by the control room and `status`.
    pub fn apply_poll(&mut self, report: PollReport) {
        let PollReport {
            feed,
            sent_at,
            received_at,
            outcome,
        } = report;
        match outcome {
            PollOutcome::Drops(doc) => self.ingest_drops(doc, sent_at, received_at),
            PollOutcome::Hubs(doc) => self.ingest_hubs(doc, sent_at, received_at),
            PollOutcome::Popups(doc) => self.ingest_popups(doc, sent_at, received_at),
            PollOutcome::NotModified => self.record_not_modified(feed, sent_at, received_at),
            PollOutcome::Failed(failure) => self.record_failure(feed, failure, received_at),
        }
    }

    /// A `304 Not Modified`: the document held is still the server's, the poll succeeded.
    pub fn record_not_modified(
        &mut self,
        feed: FeedKind,
        sent_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
    ) {
        self.health[slot(feed)].record_success(sent_at, received_at, None);
    }

    /// A failed poll at `at` (local); the data held is kept.
    pub fn record_failure(&mut self, feed: FeedKind, failure: FeedFailure, at: DateTime<Utc>) {
        self.health[slot(feed)].record_failure(failure, at);
    }

    fn index_overdue(&mut self) {
        // Sorted on copied keys rather than through the hubs: each comparison then reads two
        // adjacent 32-byte keys instead of two orders far apart in memory, which was most of
        // the cost of a hubs document at 50,000 orders. The hub and order positions close the
        // key, so equal times keep document order (what a stable sort of the list gave).
        let mut keyed: Vec<(DateTime<Utc>, DateTime<Utc>, u32, u32)> =
            Vec::with_capacity(self.overdue.len());
        for (h, hub) in self.hubs.entries.iter().enumerate() {
            for (o, order) in hub.overdue.iter().enumerate() {
                // More than 4 billion hubs or orders in one document is not a real feed.
                if let (Ok(h), Ok(o)) = (u32::try_from(h), u32::try_from(o)) {
                    keyed.push((order.due_at, order.placed_at, h, o));
                }
            }
        }
        keyed.sort_unstable();
        self.overdue.clear();
        self.overdue
            .extend(keyed.into_iter().map(|(_, _, h, o)| (h, o)));
        self.overdue_generation = OVERDUE_GENERATION.fetch_add(1, Ordering::Relaxed);
    }

    // -- clocks and health -----------------------------------------------------------------------

    /// The server's clock at `local_now`: the marketplace's skew when known, else that of any
    /// other feed, else the local clock. With a `clock_rate` other than 1 (the demo at
    /// `--speed 10`), the server clock runs from the last document's `as_of` at that rate.
    #[must_use]
    pub fn server_now(&self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        if let Some((as_of, local)) = self.speed_anchor() {
            return as_of + scaled(local_now - local, self.settings.clock_rate);
        }
        local_now + self.clock_skew().unwrap_or_default()
    }

    /// The local clock at `server_now` (the inverse of [`Self::server_now`]).
    #[must_use]
    pub fn local_at(&self, server_now: DateTime<Utc>) -> DateTime<Utc> {
        if let Some((as_of, local)) = self.speed_anchor() {
            return local + scaled(server_now - as_of, 1.0 / self.settings.clock_rate);
        }
        server_now - self.clock_skew().unwrap_or_default()
    }

    /// `(as_of, local time it was seen)` of the newest document, when the server clock runs
    /// at another rate than ours.
    fn speed_anchor(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let rate = self.settings.clock_rate;
        if !rate.is_finite() || rate <= 0.0 || (rate - 1.0).abs() < f64::EPSILON {
            return None;
        }
        self.health
            .iter()
            .filter_map(|h| h.data_as_of.zip(h.data_as_of_local))
            .max_by_key(|&(_, local)| local)
    }

    /// Server clock minus local clock used by [`Self::server_now`]; `None` before any document.
    #[must_use]
    pub fn clock_skew(&self) -> Option<TimeDelta> {
        self.health.iter().find_map(|h| h.skew.skew())
    }

    /// Health of one feed.
    #[must_use]
    pub fn health(&self, feed: FeedKind) -> &FeedHealth {
        &self.health[slot(feed)]
    }

    /// Whether `feed` had no successful poll for the configured number of intervals.
    #[must_use]
    pub fn is_stale(&self, feed: FeedKind, local_now: DateTime<Utc>) -> bool {
        self.health(feed)
            .is_stale(local_now, self.settings.stale_after_intervals)
    }

    /// Entries of `feed`'s last document that were skipped, in document order.
    #[must_use]
    pub fn skipped(&self, feed: FeedKind) -> &[SkippedEntry] {
        &self.skipped[slot(feed)]
    }

    // -- entries ---------------------------------------------------------------------------------

    /// Drops in document order.
    #[must_use]
    pub fn drops(&self) -> &[Drop] {
        &self.drops.entries
    }

    /// Hubs in document order.
    #[must_use]
    pub fn hubs(&self) -> &[Hub] {
        &self.hubs.entries
    }

    /// Pop-ups in document order.
    #[must_use]
    pub fn popups(&self) -> &[Popup] {
        &self.popups.entries
    }

    /// One drop by id.
    #[must_use]
    pub fn drop_by_id(&self, id: &str) -> Option<&Drop> {
        self.drops.get(id)
    }

    /// One hub by id.
    #[must_use]
    pub fn hub_by_id(&self, id: &str) -> Option<&Hub> {
        self.hubs.get(id)
    }

    /// One pop-up by id.
    #[must_use]
    pub fn popup_by_id(&self, id: &str) -> Option<&Popup> {
        self.popups.get(id)
    }

    /// Trailing windows and series of one drop.
    #[must_use]
    pub fn drop_track(&self, id: &str) -> Option<&DropTrack> {
        self.drops.tracks.get(id)
    }

    /// Burn window and burn-down series of one hub.
    #[must_use]
    pub fn hub_track(&self, id: &str) -> Option<&HubTrack> {
        self.hubs.tracks.get(id)
    }

    // -- derived views ---------------------------------------------------------------------------

    /// The instant rates and projections of `feed` are read at: `server_now`, or while the
    /// feed is stale the `as_of` of its last document, so figures freeze at their last good
    /// values instead of being projected forward from old samples.
    #[must_use]
    pub fn rates_at(&self, feed: FeedKind, server_now: DateTime<Utc>) -> DateTime<Utc> {
        let local_now = self.local_at(server_now);
        match self.health(feed).data_as_of {
            Some(as_of) if self.is_stale(feed, local_now) => as_of.min(server_now),
            _ => server_now,
        }
    }

    /// Derived figures of one drop at `server_now`.
    #[must_use]
    pub fn drop_figures(&self, id: &str, server_now: DateTime<Utc>) -> Option<DropFigures<'_>> {
        let drop = self.drops.get(id)?;
        let rates_at = self.rates_at(FeedKind::Marketplace, server_now);
        Some(DropFigures::new(
            drop,
            self.drop_track(id),
            server_now,
            rates_at,
        ))
    }

    /// Derived figures of every drop, in document order.
    #[must_use]
    pub fn all_drop_figures(
        &self,
        server_now: DateTime<Utc>,
    ) -> impl ExactSizeIterator<Item = DropFigures<'_>> {
        let rates_at = self.rates_at(FeedKind::Marketplace, server_now);
        self.drops
            .entries
            .iter()
            .map(move |d| DropFigures::new(d, self.drop_track(&d.id), server_now, rates_at))
    }

    /// Capacity and SLA outlook of one hub at `server_now`.
    #[must_use]
    pub fn hub_outlook(&self, id: &str, server_now: DateTime<Utc>) -> Option<HubOutlook<'_>> {
        let hub = self.hubs.get(id)?;
        let rates_at = self.rates_at(FeedKind::Fulfilment, server_now);
        Some(HubOutlook::new(hub, self.hub_track(id), rates_at))
    }

    /// Outlook of every hub, in document order.
    #[must_use]
    pub fn all_hub_outlooks(
        &self,
        server_now: DateTime<Utc>,
    ) -> impl ExactSizeIterator<Item = HubOutlook<'_>> {
        let rates_at = self.rates_at(FeedKind::Fulfilment, server_now);
        self.hubs
            .entries
            .iter()
            .map(move |h| HubOutlook::new(h, self.hub_track(&h.id), rates_at))
    }

    /// Summary of one pop-up at `server_now`.
    #[must_use]
    pub fn popup_summary(&self, id: &str, server_now: DateTime<Utc>) -> Option<PopupSummary<'_>> {
        let rates_at = self.rates_at(FeedKind::Pos, server_now);
        Some(PopupSummary::new(
            self.popups.get(id)?,
            self.popups.tracks.get(id),
            server_now,
            rates_at,
        ))
    }

    /// Summary of every pop-up, in document order.
    #[must_use]
    pub fn all_popup_summaries(
        &self,
        server_now: DateTime<Utc>,
    ) -> impl ExactSizeIterator<Item = PopupSummary<'_>> {
        let rates_at = self.rates_at(FeedKind::Pos, server_now);
        self.popups
            .entries
            .iter()
            .map(move |p| PopupSummary::new(p, self.popups.tracks.get(&p.id), server_now, rates_at))
    }

    /// Orders per minute of one drop in 10-second buckets over the 30 minutes up to the last
    /// bucket its samples completed, oldest first (time not polled yet, and the bucket under
    /// way, are not drawn).
    #[must_use]
    pub fn orders_series(&self, id: &str, server_now: DateTime<Utc>) -> Option<Vec<f64>> {
        self.drop_track(id)
            .map(|t| t.orders_series.per_minute_sampled(server_now))
    }

    /// `(server time, consumed_units)` of one hub over its capacity window.
    #[must_use]
    pub fn burn_down(&self, id: &str) -> Option<&[(DateTime<Utc>, u64)]> {
        self.hub_track(id).map(|t| t.burn_down.points())
    }

    /// Every listed overdue order of every hub, with its hub's id, most overdue first. Sorted
    /// when the hubs document arrived, so reading it costs nothing more.
    pub fn overdue_orders(&self) -> impl Iterator<Item = (&str, &OverdueOrder)> {
        self.overdue
            .iter()
            .filter_map(move |&(h, o)| self.overdue_entry(h, o))
    }

    /// The orders of [`Self::overdue_orders`] in document order (hub by hub), for a reader to
    /// whom order does not matter: reading them where they lie is far quicker than in overdue
    /// order, which jumps between hubs at every step.
    pub fn overdue_orders_unsorted(&self) -> impl Iterator<Item = (&str, &OverdueOrder)> {
        // The same orders the index holds: positions that fit in a u32 (see index_overdue).
        let fits = |i: usize| u32::try_from(i).is_ok();
        self.hubs
            .entries
            .iter()
            .enumerate()
            .take_while(move |&(h, _)| fits(h))
            .flat_map(move |(_, hub)| {
                hub.overdue
                    .iter()
                    .enumerate()
                    .take_while(move |&(o, _)| fits(o))
                    .map(move |(_, order)| (hub.id.as_str(), order))
            })
    }

    /// A number that changes whenever the list of [`Self::overdue_orders`] is rebuilt (each
    /// hubs document) and is never the same for two different lists, even of two boards; a
    /// clone keeps it, as it keeps the list. Tables derived from the list are cached by it.
    #[must_use]
    pub fn overdue_generation(&self) -> u64 {
        self.overdue_generation
    }

    /// Number of listed overdue orders (a server may list fewer than its `overdue_open`).
    #[must_use]
    pub fn overdue_len(&self) -> usize {
        self.overdue.len()
    }

    /// The `index`-th overdue order of [`Self::overdue_orders`], for a table that draws only the
    /// visible rows.
    #[must_use]
    pub fn overdue_order(&self, index: usize) -> Option<(&str, &OverdueOrder)> {
        let &(h, o) = self.overdue.get(index)?;
        self.overdue_entry(h, o)
    }

    fn overdue_entry(&self, h: u32, o: u32) -> Option<(&str, &OverdueOrder)> {
        let hub = self.hubs.entries.get(h as usize)?;
        Some((hub.id.as_str(), hub.overdue.get(o as usize)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::wire::decode_document;
    use crate::model::figures::{CountdownTarget, Exhaustion};
    use crate::model::fixtures::{self, at, at_time, example_board};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 0.005)
    }

    #[test]
    fn figures_of_the_feeds_md_examples() {
        let board = example_board();
        let now = board.server_now(at(0));
        assert_eq!(now, at(0));

        let f = board.drop_figures("hoodie-01", now).expect("drop");
        assert!(close(f.conversion_pct, 3.9085));
        assert!(close(f.sell_through_pct, 24.0));
        assert_eq!(f.remaining_stock, 380);
        let countdown = f.countdown.expect("live drop counts down");
        assert_eq!(countdown.target, CountdownTarget::Closes);
        assert_eq!(countdown.seconds(), 5400);
        // one document: no rate, no live conversion, no sell-out time
        assert_eq!(f.units_per_min, None);
        assert_eq!(f.live_conversion_pct, None);
        assert_eq!(f.sellout_at, None);
        let ids: Vec<&str> = f.bands.iter().map(|b| b.band.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        let a = f.active_band().expect("active band");
        assert_eq!(a.band.id, "A");
        assert!(close(a.margin_pct, 63.08));
        assert!(a.allowed);
        assert!(close(a.conversion_pct, 4.125));
        assert!(close(f.bands[1].margin_pct, 66.67));
        assert!(close(f.bands[1].conversion_pct, 3.1334));
        assert!(!f.bands[1].is_active);

        let h = board.hub_outlook("ewr-1", now).expect("hub");
        assert_eq!(h.capacity.remaining_units, 390);
        assert_eq!(h.capacity.over_contract_units, 0);
        assert!(close(h.on_time_pct, 93.46));
        assert_eq!(h.sla_orders, 214);
        assert_eq!(h.capacity.burn_units_per_min, None);
        assert_eq!(h.capacity.exhaustion, Exhaustion::NotBurning);
        assert_eq!(h.capacity.projected_at_window_end, None);
        assert_eq!(h.burn_down, &[(at(0), 210)]);

        let p = board.popup_summary("bk-1", now).expect("popup");
        assert!(p.is_open);
        assert_eq!((p.terminals_online, p.terminals_total), (1, 2));
        assert_eq!(p.down.len(), 1);
        assert_eq!(p.down[0].id, "T2");
        assert_eq!(p.offline().count(), 1);

        assert_eq!(board.drop_figures("nope", now), None);
        assert_eq!(board.overdue_len(), 1);
        let (hub, order) = board.overdue_order(0).expect("overdue");
        assert_eq!((hub, order.order_id.as_str()), ("ewr-1", "BM-1001"));
        for feed in FeedKind::ALL {
            assert!(board.health(feed).is_ok(), "{feed}");
            assert!(board.skipped(feed).is_empty());
        }
    }

    #[test]
    fn rates_come_from_successive_documents_on_server_time() {
        let mut board = Board::default();
        // The server's clock runs 1 hour ahead of ours.
        let skew = TimeDelta::hours(1);
        for minute in 0..=5_i64 {
            let local = at(minute * 60) - skew;
            let mut drops = at_time(fixtures::drops(), at(minute * 60));
            let k = u64::try_from(minute).expect("small");
            let drop = &mut drops.entries[0];
            drop.stock.sold = 120 + 10 * k; // 10 units/min
            drop.funnel.sessions = 10_234 + 200 * k;
            drop.funnel.orders = 400 + 10 * k; // live conversion 5 %
            if let Some(a) = drop
                .funnel_by_band
                .as_mut()
                .and_then(|bands| bands.get_mut("A"))
            {
                a.sessions = 8000 + 100 * k;
                a.orders = 330 + 8 * k;
            }
            board.ingest_drops(drops, local, local);
            let mut hubs = at_time(fixtures::hubs(), at(minute * 60));
            hubs.entries[0].capacity.consumed_units = 210 + 2 * k; // 2 units/min
            board.ingest_hubs(hubs, local, local);
        }
        let local_now = at(300) - skew;
        assert_eq!(board.clock_skew(), Some(skew));
        let now = board.server_now(local_now);
        assert_eq!(now, at(300));

        let f = board.drop_figures("hoodie-01", now).expect("drop");
        assert!(close(f.units_per_min, 10.0));
        assert!(close(f.orders_per_min, 10.0));
        assert_eq!(f.window_sessions, Some(1000));
        assert!(close(f.live_conversion_pct, 5.0));
        assert!(close(f.bands[0].live_conversion_pct, 8.0));
        // 500 - 170 = 330 left at 10/min: 33 minutes
        assert_eq!(f.sellout_at, Some(at(300 + 33 * 60)));
        // Paused, the same trailing rate projects no sell-out: nothing sells until it resumes.
        let mut paused = board.clone();
        let mut drops = at_time(fixtures::drops(), at(300));
        drops.entries[0].state = crate::feed::wire::DropState::Paused;
        drops.entries[0].stock.sold = 170;
        paused.ingest_drops(drops, local_now, local_now);
        let p = paused.drop_figures("hoodie-01", now).expect("drop");
        assert_eq!(p.sellout_at, None);
        let series = board.orders_series("hoodie-01", now).expect("series");
        assert!(close(series.iter().copied().reduce(f64::max), 10.0));

        let h = board.hub_outlook("ewr-1", now).expect("hub");
        assert!(close(h.capacity.burn_units_per_min, 2.0));
        assert_eq!(h.capacity.remaining_units, 380);
        // 18:05 + 190 min = 21:15
        assert_eq!(h.capacity.exhaustion, Exhaustion::At(at(300 + 190 * 60)));
        // 220 + 2 × 205 = 630
        assert_eq!(h.capacity.projected_at_window_end, Some(630));
        assert_eq!(h.capacity.overage_units, Some(30));
        assert_eq!(h.capacity.overage_cost_minor, Some(27_000));
        assert_eq!(h.burn_down.len(), 6);
    }

    #[test]
    fn entities_that_leave_lose_their_history() {
        let mut board = example_board();
        assert!(board.drop_track("hoodie-01").is_some());
        let empty: Document<Drop> =
            decode_document(br#"{"as_of": "2026-11-27T18:00:01Z", "drops": []}"#).expect("doc");
        board.ingest_drops(empty, at(1), at(1));
        assert!(board.drops().is_empty());
        assert!(board.drop_track("hoodie-01").is_none());
        assert_eq!(board.drop_figures("hoodie-01", at(1)), None);
    }

    #[test]
    fn skipped_and_duplicate_entries_are_reported() {
        let body = br#"{"as_of": "2026-11-27T18:00:00Z", "popups": [
            {"id": "x", "name": "broken"},
            {"id": "bk-1", "name": "one", "opens_at": "2026-11-27T16:00:00Z",
             "closes_at": "2026-11-27T22:00:00Z", "currency": "USD",
             "sales": {"transactions": 0, "units": 0, "revenue_minor": 0},
             "stock": {"on_hand": 0}, "pickups": {"ready": 0, "collected": 0, "overdue": 0}},
            {"id": "bk-1", "name": "two", "opens_at": "2026-11-27T16:00:00Z",
             "closes_at": "2026-11-27T22:00:00Z", "currency": "USD",
             "sales": {"transactions": 0, "units": 0, "revenue_minor": 0},
             "stock": {"on_hand": 0}, "pickups": {"ready": 0, "collected": 0, "overdue": 0}}
        ]}"#;
        let mut board = Board::default();
        board.ingest_popups(decode_document(body).expect("doc"), at(0), at(0));
        assert_eq!(board.popups().len(), 1);
        assert_eq!(
            board.popup_by_id("bk-1").map(|p| p.name.as_str()),
            Some("one")
        );
        let skipped = board.skipped(FeedKind::Pos);
        let got: Vec<(usize, Option<&str>)> =
            skipped.iter().map(|s| (s.index, s.id.as_deref())).collect();
        assert_eq!(got, [(0, Some("x")), (2, Some("bk-1"))]);
        assert!(skipped[1].reason.contains("duplicate"));
        // the next good document clears the list
        board.ingest_popups(fixtures::popups(), at(1), at(1));
        assert!(board.skipped(FeedKind::Pos).is_empty());
    }

    #[test]
    fn overdue_orders_flattened_most_overdue_first() {
        let mut hubs = fixtures::hubs();
        let mut second = hubs.entries[0].clone();
        second.id = "jfk-2".into();
        let template = second.overdue[0].clone();
        second.overdue = (0..3)
            .map(|i| {
                let mut o = template.clone();
                o.order_id = format!("J-{i}");
                o.due_at = at(-3600 - i * 600);
                o
            })
            .collect();
        hubs.entries.push(second);
        let mut board = Board::default();
        board.ingest_hubs(hubs, at(0), at(0));
        let ids: Vec<(&str, &str)> = board
            .overdue_orders()
            .map(|(h, o)| (h, o.order_id.as_str()))
            .collect();
        // due 16:40, 16:50, 17:00 (jfk-2) then 17:40 (ewr-1)
        assert_eq!(
            ids,
            [
                ("jfk-2", "J-2"),
                ("jfk-2", "J-1"),
                ("jfk-2", "J-0"),
                ("ewr-1", "BM-1001")
            ]
        );
        assert_eq!(board.overdue_len(), 4);
        assert_eq!(board.overdue_order(4), None);
        let unsorted: Vec<(&str, &str)> = board
            .overdue_orders_unsorted()
            .map(|(h, o)| (h, o.order_id.as_str()))
            .collect();
        assert_eq!(
            unsorted,
            [
                ("ewr-1", "BM-1001"),
                ("jfk-2", "J-0"),
                ("jfk-2", "J-1"),
                ("jfk-2", "J-2")
            ]
        );
    }

    #[test]
    fn feed_health_not_modified_failure_stale() {
        let mut board = example_board();
        board.set_poll_interval(FeedKind::Marketplace, TimeDelta::seconds(2));
        board.record_failure(
            FeedKind::Marketplace,
            FeedFailure::Timeout { timeout_ms: 2000 },
            at(2),
        );
        let h = board.health(FeedKind::Marketplace);
        assert!(!h.is_ok());
        assert_eq!(h.consecutive_failures, 1);
        // the data is kept
        assert_eq!(board.drops().len(), 1);
        assert!(!board.is_stale(FeedKind::Marketplace, at(6)));
        assert!(board.is_stale(FeedKind::Marketplace, at(7)));
        board.record_not_modified(
            FeedKind::Marketplace,
            at(7),
            at(7) + TimeDelta::milliseconds(40),
        );
        let h = board.health(FeedKind::Marketplace);
        assert!(h.is_ok());
        assert_eq!(h.latency_ms, Some(40));
        assert!(!board.is_stale(FeedKind::Marketplace, at(8)));
    }

    #[test]
    fn skew_prefers_the_marketplace() {
        let mut board = Board::default();
        board.ingest_popups(at_time(fixtures::popups(), at(30)), at(0), at(0));
        assert_eq!(board.clock_skew(), Some(TimeDelta::seconds(30)));
        board.ingest_drops(at_time(fixtures::drops(), at(10)), at(0), at(0));
        assert_eq!(board.clock_skew(), Some(TimeDelta::seconds(10)));
        assert_eq!(board.server_now(at(0)), at(10));
    }

    #[test]
    fn memory_stays_flat_over_a_day_of_one_second_polls() {
        let mut board = Board::default();
        let drops = fixtures::drops();
        let hubs = fixtures::hubs();
        for s in 0..(6 * 3600_i64) {
            let k = u64::try_from(s).expect("small");
            let mut d = at_time(drops.clone(), at(s));
            d.entries[0].funnel.orders = 400 + k;
            d.entries[0].stock.sold = k / 100;
            board.ingest_drops(d, at(s), at(s));
            let mut h = at_time(hubs.clone(), at(s));
            h.entries[0].capacity.window_end = at(6 * 3600);
            h.entries[0].capacity.consumed_units = 210 + k / 60;
            board.ingest_hubs(h, at(s), at(s));
        }
        let track = board.drop_track("hoodie-01").expect("track");
        assert!(track.orders.len() <= 301, "{}", track.orders.len());
        assert!(board.burn_down("ewr-1").expect("series").len() <= 240);
        let f = board
            .drop_figures("hoodie-01", at(6 * 3600 - 1))
            .expect("drop");
        assert!(close(f.orders_per_min, 60.0));
    }
}
