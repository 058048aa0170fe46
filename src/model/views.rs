//! Derived views of one drop, hub or pop-up at an instant: what the panels draw and the alert
//! rules read. They borrow the board's entries, so building one copies no document.

use chrono::{DateTime, Utc};

use crate::feed::wire::{Drop, DropState, Hub, Popup, PriceBand, Terminal, TerminalStatus};

use super::estimate::{Estimate, RateEstimate, proportion_pct};
use super::figures::{
    self, CapacityOutlook, Countdown, StockOutlook, band_allowed, band_margin_pct, conversion_pct,
    on_time_pct, sell_through_pct,
};
use super::history::{DropTrack, HubTrack};
use super::popup_sales::{PopupOutlook, PopupTrack};
use super::steady::{CapacityVerdict, CostVerdict, SelloutVerdict};

/// Everything derived about one drop at a server instant.
#[derive(Debug, Clone, PartialEq)]
pub struct DropFigures<'a> {
    /// The drop as the feed last sent it.
    pub drop: &'a Drop,
    /// Time to `opens_at` (scheduled) or `closes_at` (live, paused); `None` otherwise.
    pub countdown: Option<Countdown>,
    /// Cumulative orders / sessions × 100.
    pub conversion_pct: Option<f64>,
    /// The same over the trailing window's deltas (the point of `live_conversion`).
    pub live_conversion_pct: Option<f64>,
    /// Live conversion % with its Clopper–Pearson 90 % interval.
    pub live_conversion: Option<Estimate>,
    /// Sessions that arrived in the trailing window (how much the live figure rests on).
    pub window_sessions: Option<u64>,
    /// Orders per minute over the trailing window (the point of `orders`).
    pub orders_per_min: Option<f64>,
    /// Orders per minute with its 90 % interval and the evidence behind it.
    pub orders: Option<RateEstimate>,
    /// Units sold (`stock.sold`) per minute over the trailing window (the point of `sales`).
    pub units_per_min: Option<f64>,
    /// Units sold per minute with its 90 % interval and the evidence behind it.
    pub sales: Option<RateEstimate>,
    /// Units sold / units allocated × 100; `None` when nothing was allocated.
    pub sell_through_pct: Option<f64>,
    /// allocated − sold, 0 once sold out (or oversold).
    pub remaining_stock: u64,
    /// When the remaining stock is gone at the current rate; never after `closes_at`.
    pub sellout_at: Option<DateTime<Utc>>,
    /// Sell-out range or units left at close, for a live drop with a sales rate.
    pub stock_outlook: Option<StockOutlook>,
    /// Which of those to say: the word that has held (see [`super::steady`]), else the reading of
    /// `stock_outlook` now.
    pub sellout_verdict: SelloutVerdict,
    /// One row per price band, in document order.
    pub bands: Vec<BandFigures<'a>>,
}

/// One price band of a drop.
#[derive(Debug, Clone, PartialEq)]
pub struct BandFigures<'a> {
    /// The band as the feed last sent it.
    pub band: &'a PriceBand,
    /// (price − cost) / price × 100.
    pub margin_pct: Option<f64>,
    /// Whether the band's margin clears the drop's floor (it may be activated).
    pub allowed: bool,
    /// From `funnel_by_band`, when the feed sends it.
    pub conversion_pct: Option<f64>,
    /// The band's conversion over the trailing window's deltas (the point of `live_conversion`).
    pub live_conversion_pct: Option<f64>,
    /// The band's live conversion % with its Clopper–Pearson 90 % interval.
    pub live_conversion: Option<Estimate>,
    /// Whether this is the drop's `active_band`.
    pub is_active: bool,
}

impl<'a> DropFigures<'a> {
    /// Whether the units left at close may be shown plainly: their range is within
    /// ±`within_pct` % of the figure and so is the range of the sales rate they are projected
    /// from. A large stock makes the first alone true after a few seconds of sales
    /// (`91001 left` at 10 s in `contract-edge`, while the rate was barely known).
    #[must_use]
    pub fn left_at_close_settled(&self, within_pct: f64) -> bool {
        self.stock_outlook
            .is_some_and(|s| s.left_at_close.is_settled(within_pct))
            && self
                .sales
                .is_some_and(|rate| rate.per_min.is_settled(within_pct))
    }

    /// The figures of `drop` with its trailing windows `track` at `server_now`; rates and
    /// projections are read at `rates_at` (`server_now`, or the last document's `as_of` while
    /// the feed is stale, so old samples are not projected forward).
    #[must_use]
    pub fn new(
        drop: &'a Drop,
        track: Option<&DropTrack>,
        server_now: DateTime<Utc>,
        rates_at: DateTime<Utc>,
    ) -> Self {
        let now = rates_at;
        let sales = track.and_then(|t| t.sold.estimate(now));
        let orders = track.and_then(|t| t.orders.estimate(now));
        let window_sessions = track.and_then(|t| t.sessions.delta(now));
        let live = |orders: Option<u64>, sessions: Option<u64>| proportion_pct(orders?, sessions?);
        let bands = drop
            .price_bands
            .iter()
            .map(|band| {
                let margin_pct = band_margin_pct(band.price_minor, band.unit_cost_minor);
                let funnel = drop
                    .funnel_by_band
                    .as_ref()
                    .and_then(|by_band| by_band.get(&band.id));
                let band_track = track.and_then(|t| t.bands.get(&band.id));
                let live_band =
                    band_track.and_then(|t| live(t.orders.delta(now), t.sessions.delta(now)));
                BandFigures {
                    band,
                    margin_pct,
                    allowed: band_allowed(margin_pct, drop.margin_floor_pct),
                    conversion_pct: funnel.and_then(|f| conversion_pct(f.orders, f.sessions)),
                    live_conversion_pct: live_band.map(|e| e.point),
                    live_conversion: live_band,
                    is_active: band.id == drop.active_band,
                }
            })
            .collect();
        let live_conversion = track.and_then(|t| live(t.orders.delta(now), window_sessions));
        let remaining_stock = drop.stock.allocated.saturating_sub(drop.stock.sold);
        // Only a live drop sells: a paused one's trailing rate would project a sell-out that
        // cannot happen until it is resumed.
        let stock_outlook = sales
            .filter(|_| drop.state == DropState::Live)
            .and_then(|r| StockOutlook::compute(now, remaining_stock, r.per_min, drop.closes_at));
        Self {
            drop,
            countdown: figures::countdown(&drop.state, drop.opens_at, drop.closes_at, server_now),
            conversion_pct: conversion_pct(drop.funnel.orders, drop.funnel.sessions),
            live_conversion_pct: live_conversion.map(|e| e.point),
            live_conversion,
            window_sessions,
            orders_per_min: orders.map(|r| r.per_min.point),
            orders,
            units_per_min: sales.map(|r| r.per_min.point),
            sales,
            sell_through_pct: sell_through_pct(drop.stock.sold, drop.stock.allocated),
            remaining_stock,
            sellout_at: stock_outlook.and_then(|o| o.sellout_at),
            sellout_verdict: track
                .and_then(|t| t.sellout.shown())
                .unwrap_or_else(|| SelloutVerdict::of(stock_outlook.as_ref())),
            stock_outlook,
            bands,
        }
    }

    /// The row of the active band, when the drop lists it.
    #[must_use]
    pub fn active_band(&self) -> Option<&BandFigures<'a>> {
        self.bands.iter().find(|b| b.is_active)
    }
}

/// Capacity and SLA of one hub at a server instant.
#[derive(Debug, Clone, PartialEq)]
pub struct HubOutlook<'a> {
    /// The hub as the feed last sent it.
    pub hub: &'a Hub,
    /// Remaining units, burn rate and the projection to `window_end`, with their ranges.
    pub capacity: CapacityOutlook,
    /// The burn rate with its evidence; `None` while measuring.
    pub burn: Option<RateEstimate>,
    /// What to say of the contract: the word that has held (see [`super::steady`]), else the
    /// reading of `capacity` now.
    pub verdict: CapacityVerdict,
    /// What to say of the projection's cost, likewise.
    pub cost_verdict: CostVerdict,
    /// `on_time / (on_time + late + overdue_open) × 100`.
    pub on_time_pct: Option<f64>,
    /// Orders counted in the on-time figure.
    pub sla_orders: u64,
    /// `(server time, consumed_units)` over the capacity window, at most a few hundred points.
    pub burn_down: &'a [(DateTime<Utc>, u64)],
}

impl<'a> HubOutlook<'a> {
    /// The outlook of `hub` with its burn window `track` at `rates_at` (the server's now, or
    /// the last document's `as_of` while the feed is stale: figures freeze, not drift).
    #[must_use]
    pub fn new(hub: &'a Hub, track: Option<&'a HubTrack>, rates_at: DateTime<Utc>) -> Self {
        let burn = track.and_then(|t| t.consumed.estimate(rates_at));
        let sla = &hub.sla;
        let capacity = CapacityOutlook::compute(&hub.capacity, burn.map(|b| b.per_min), rates_at);
        Self {
            hub,
            verdict: track
                .and_then(|t| t.outlook.shown())
                .unwrap_or_else(|| CapacityVerdict::of(&capacity, hub.capacity.window_end)),
            cost_verdict: track
                .and_then(|t| t.cost.shown())
                .unwrap_or_else(|| CostVerdict::of(&capacity)),
            capacity,
            burn,
            on_time_pct: on_time_pct(sla.on_time, sla.late, sla.overdue_open),
            sla_orders: sla
                .on_time
                .saturating_add(sla.late)
                .saturating_add(sla.overdue_open),
            burn_down: track.map_or(&[], |t| t.burn_down.points()),
        }
    }
}

/// A pop-up at a server instant.
#[derive(Debug, Clone, PartialEq)]
pub struct PopupSummary<'a> {
    /// The pop-up as the feed last sent it.
    pub popup: &'a Popup,
    /// Whether `opens_at <= now < closes_at`.
    pub is_open: bool,
    /// Terminals whose status is `online`.
    pub terminals_online: usize,
    /// Terminals listed in the document, whatever their status.
    pub terminals_total: usize,
    /// Terminals not online (offline, needing attention, unknown status), in document order;
    /// each one's `last_seen` says since when.
    pub down: Vec<&'a Terminal>,
    /// The sales window, read by [`Self::sales`] on demand: the alert rules read every
    /// pop-up's summary on each evaluation (1,000 of them in the large state) and need no rate.
    track: Option<&'a PopupTrack>,
    /// Where rates and projections are read (see [`DropFigures::new`]).
    rates_at: DateTime<Utc>,
}

impl<'a> PopupSummary<'a> {
    /// The summary of `popup` with its sales window `track` at `server_now`; rates are read
    /// at `rates_at` (see [`DropFigures::new`]).
    #[must_use]
    pub fn new(
        popup: &'a Popup,
        track: Option<&'a PopupTrack>,
        server_now: DateTime<Utc>,
        rates_at: DateTime<Utc>,
    ) -> Self {
        let down: Vec<&Terminal> = popup
            .terminals
            .iter()
            .filter(|t| t.status != TerminalStatus::Online)
            .collect();
        Self {
            popup,
            is_open: popup.opens_at <= server_now && server_now < popup.closes_at,
            terminals_online: popup.terminals.len() - down.len(),
            terminals_total: popup.terminals.len(),
            down,
            track,
            rates_at,
        }
    }

    /// Units sold in person per minute with its 90 % interval; `None` while measuring.
    #[must_use]
    pub fn sales(&self) -> Option<RateEstimate> {
        self.track.and_then(|t| t.units.estimate(self.rates_at))
    }

    /// Seconds of samples gathered towards [`Self::sales`] (for `measuring… (4 s)`).
    #[must_use]
    pub fn sales_evidence_s(&self) -> Option<i64> {
        self.track
            .and_then(|t| t.units.span(self.rates_at))
            .map(|s| s.num_seconds())
    }

    /// The stock on hand against `sales` (from [`Self::sales`]) until the pop-up closes.
    /// The word is the one that held (see [`super::steady`]); the figures are today's.
    #[must_use]
    pub fn outlook(&self, sales: Option<RateEstimate>) -> PopupOutlook {
        let outlook = PopupOutlook::compute(
            self.is_open,
            self.popup.stock.on_hand,
            sales,
            self.rates_at,
            self.popup.closes_at,
        );
        match self.track.and_then(|t| t.outlook.shown()) {
            Some(word) => word.say(outlook),
            None => outlook,
        }
    }

    /// Terminals whose status is `offline`.
    pub fn offline(&self) -> impl Iterator<Item = &'a Terminal> + '_ {
        self.down
            .iter()
            .copied()
            .filter(|t| t.status == TerminalStatus::Offline)
    }
}
