//! One drop over time: its phase, funnel, stock and price band.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::{self, DropState, Funnel};
use crate::sim::scenario::DropSpec;

use super::Refusal;
use super::curve::{rate_at, units_of};

/// Seconds of sessions counted in `visitors_now`.
const VISITOR_WINDOW_S: i64 = 300;
/// Seconds between samples of cumulative sessions kept for `visitors_now`.
const VISITOR_SAMPLE_S: i64 = 10;

/// Share of the units sold that come back within 30 days.
const RETURN_SHARE: f64 = 0.07;
/// Distinct buyers per order.
const BUYERS_PER_ORDER: f64 = 0.93;
/// Share of the buyers who buy again within 75 days of close.
const REPEAT_SHARE: f64 = 0.18;

/// The phase of a drop; `Paused` only through a control request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Scheduled,
    Live,
    Paused,
    Ended,
    SoldOut,
}

/// An order a drop took during one step, to be routed to a hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlacedOrder {
    /// 0-based order number within the drop.
    pub seq: u64,
    pub units: u64,
}

/// Counters of one band, fractional where they come from rates.
#[derive(Debug, Clone, Default)]
struct BandTally {
    sessions: f64,
    carts: f64,
    funnel: Funnel,
}

impl BandTally {
    /// The funnel as the wire shows it: whole sessions and carts, never fewer carts than orders.
    fn wire(&self) -> Funnel {
        Funnel {
            sessions: self.sessions as u64,
            carts: (self.carts as u64).max(self.funnel.orders),
            ..self.funnel
        }
    }
}

/// A drop being simulated.
#[derive(Debug, Clone)]
pub(crate) struct DropSim {
    pub spec: DropSpec,
    phase: Phase,
    active: usize,
    total: BandTally,
    bands: Vec<BandTally>,
    /// Fractional orders not yet placed.
    order_credit: f64,
    sold: u64,
    orders_placed: u64,
    /// `(sim second, cumulative sessions)` every `VISITOR_SAMPLE_S` over the last window.
    visitor_samples: VecDeque<(i64, f64)>,
}

impl DropSim {
    pub fn new(spec: DropSpec) -> Self {
        let active = spec
            .bands
            .iter()
            .position(|b| b.id == spec.active_band)
            .unwrap_or(0);
        let bands = vec![BandTally::default(); spec.bands.len()];
        DropSim {
            spec,
            phase: Phase::Scheduled,
            active,
            total: BandTally::default(),
            bands,
            order_credit: 0.0,
            sold: 0,
            orders_placed: 0,
            visitor_samples: VecDeque::new(),
        }
    }

    /// Moves the phase to what sim second `t` calls for (idempotent).
    pub fn settle(&mut self, t: i64) {
        if self.phase == Phase::Scheduled && t >= self.spec.opens.secs() {
            self.phase = Phase::Live;
        }
        if matches!(self.phase, Phase::Live | Phase::Paused) && t >= self.spec.closes.secs() {
            self.phase = Phase::Ended;
        }
    }

    /// Integrates the second `[t, t + 1)`; orders taken go to `placed`.
    pub fn step(&mut self, t: i64, wobble: f64, placed: &mut Vec<PlacedOrder>) {
        self.settle(t);
        if t.rem_euclid(VISITOR_SAMPLE_S) == 0 {
            self.visitor_samples.push_back((t, self.total.sessions));
            while self
                .visitor_samples
                .front()
                .is_some_and(|(at, _)| *at < t - VISITOR_WINDOW_S)
            {
                self.visitor_samples.pop_front();
            }
        }
        // Sessions go on while paused or sold out (people still visit); nothing before opening.
        if !matches!(self.phase, Phase::Live | Phase::Paused | Phase::SoldOut) {
            return;
        }
        let sessions = rate_at(&self.spec.demand, t) / 60.0 * wobble;
        self.total.sessions += sessions;
        self.bands[self.active].sessions += sessions;
        if self.phase != Phase::Live {
            return;
        }
        let carts = sessions * self.spec.cart_rate;
        self.total.carts += carts;
        self.bands[self.active].carts += carts;
        let band = &self.spec.bands[self.active];
        self.order_credit += sessions * band.conversion;
        while self.order_credit >= 1.0 && self.sold < self.spec.allocated {
            self.order_credit -= 1.0;
            let seq = self.orders_placed;
            self.orders_placed += 1;
            let units =
                units_of(seq, self.spec.units_per_order).min(self.spec.allocated - self.sold);
            self.sold += units;
            let revenue = i64::try_from(units).unwrap_or(i64::MAX) * band.price_minor;
            for tally in [&mut self.total, &mut self.bands[self.active]] {
                tally.funnel.orders += 1;
                tally.funnel.units += units;
                tally.funnel.revenue_minor += revenue;
            }
            placed.push(PlacedOrder { seq, units });
        }
        if self.sold >= self.spec.allocated {
            self.phase = Phase::SoldOut;
            self.order_credit = 0.0;
        }
    }

    /// The downstream counters at sim second `t`: returns arrive over the 30 days after the
    /// drop opens, repeat purchases over the 75 days after it closes, so both keep moving
    /// after close. Each is a whole share of a count that never decreases times a ramp that
    /// never decreases: cumulative, as the contract wants.
    fn after_sale(&self, t: i64) -> wire::AfterSale {
        const DAY_S: f64 = 86_400.0;
        let ramp = |since: i64, days: f64| ((t - since) as f64 / (days * DAY_S)).clamp(0.0, 1.0);
        let funnel = &self.total.funnel;
        // Some buyers order twice within the drop: a buyer is fewer than an order.
        let buyers = (funnel.orders as f64 * BUYERS_PER_ORDER) as u64;
        wire::AfterSale {
            returned_units: (funnel.units as f64
                * RETURN_SHARE
                * ramp(self.spec.opens.secs(), 30.0)) as u64,
            buyers,
            repeat_buyers: (buyers as f64 * REPEAT_SHARE * ramp(self.spec.closes.secs(), 75.0))
                as u64,
        }
    }

    /// The drop as `GET /v1/drops` shows it at sim second `t`.
    pub fn to_wire(&self, start: DateTime<Utc>, t: i64) -> wire::Drop {
        let at = |offset: i64| start + TimeDelta::seconds(offset);
        let visitors = self
            .visitor_samples
            .front()
            .map_or(0.0, |(_, earlier)| self.total.sessions - earlier);
        wire::Drop {
            id: self.spec.id.clone(),
            title: self.spec.title.clone(),
            sku: self.spec.sku.clone(),
            state: self.state(),
            opens_at: at(self.spec.opens.secs()),
            closes_at: at(self.spec.closes.secs()),
            currency: self.spec.currency.clone(),
            stock: wire::DropStock {
                allocated: self.spec.allocated,
                sold: self.sold,
            },
            price_bands: self
                .spec
                .bands
                .iter()
                .map(|b| wire::PriceBand {
                    id: b.id.clone(),
                    label: b.label.clone(),
                    price_minor: b.price_minor,
                    unit_cost_minor: b.unit_cost_minor,
                })
                .collect(),
            active_band: self.spec.bands[self.active].id.clone(),
            margin_floor_pct: self.spec.margin_floor_pct,
            visitors_now: Some(visitors.max(0.0) as u64),
            funnel: self.total.wire(),
            funnel_by_band: Some(
                self.spec
                    .bands
                    .iter()
                    .zip(&self.bands)
                    .map(|(spec, tally)| (spec.id.clone(), tally.wire()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            after_sale: Some(self.after_sale(t)),
            sessions_unavailable: None,
        }
    }

    /// The protocol state.
    pub fn state(&self) -> DropState {
        match self.phase {
            Phase::Scheduled => DropState::Scheduled,
            Phase::Live => DropState::Live,
            Phase::Paused => DropState::Paused,
            Phase::Ended => DropState::Ended,
            Phase::SoldOut => DropState::SoldOut,
        }
    }

    /// `live` → `paused`.
    pub fn pause(&mut self) -> Result<(), Refusal> {
        if self.phase != Phase::Live {
            return Err(Refusal::InvalidState(format!(
                "drop `{}` is {}; only a live drop can be paused",
                self.spec.id,
                self.state()
            )));
        }
        self.phase = Phase::Paused;
        Ok(())
    }

    /// `paused` → `live`, refused once `closes_at` has passed (`now_ms`: sim milliseconds).
    pub fn resume(&mut self, now_ms: i64) -> Result<(), Refusal> {
        if now_ms >= self.spec.closes.secs() * 1000 {
            return Err(Refusal::InvalidState(format!(
                "drop `{}` closed at its closes_at; it cannot be resumed",
                self.spec.id
            )));
        }
        if self.phase != Phase::Paused {
            return Err(Refusal::InvalidState(format!(
                "drop `{}` is {}; only a paused drop can be resumed",
                self.spec.id,
                self.state()
            )));
        }
        self.phase = Phase::Live;
        Ok(())
    }

    /// Makes `band` the active price; conversion changes from the next second on.
    pub fn set_band(&mut self, band: &str) -> Result<(), Refusal> {
        let Some(index) = self.spec.bands.iter().position(|b| b.id == band) else {
            let known: Vec<&str> = self.spec.bands.iter().map(|b| b.id.as_str()).collect();
            return Err(Refusal::UnknownBand(format!(
                "drop `{}` has no band `{band}`; its bands are {}",
                self.spec.id,
                known.join(", ")
            )));
        };
        let spec = &self.spec.bands[index];
        if spec.margin_pct() < self.spec.margin_floor_pct {
            return Err(Refusal::BelowMarginFloor(format!(
                "band `{band}` of drop `{}` has a margin of {:.1} %, below the floor of {} %",
                self.spec.id,
                spec.margin_pct(),
                self.spec.margin_floor_pct
            )));
        }
        if matches!(self.phase, Phase::Ended | Phase::SoldOut) {
            return Err(Refusal::InvalidState(format!(
                "drop `{}` is {}; its price can no longer change",
                self.spec.id,
                self.state()
            )));
        }
        self.active = index;
        Ok(())
    }
}
