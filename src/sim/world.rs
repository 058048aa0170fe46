//! The simulated world: drops, hubs and pop-ups advanced second by second of sim time.
//!
//! Deterministic: the state at a sim second depends only on the scenario and the control actions
//! applied (and when), never on how often the clock was read. Integration is in whole seconds,
//! incrementally from where the last call left off, so polling is cheap.

mod curve;
mod drop_sim;
mod hub_sim;
mod popup_sim;

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire;

use self::drop_sim::{DropSim, PlacedOrder};
use self::hub_sim::{HubSim, OrderNaming};
use self::popup_sim::PopupSim;
use super::scenario::Scenario;

pub(crate) use self::curve::unit_interval;
pub use self::hub_sim::OVERDUE_LIST_LIMIT;

/// At most this much sim time is integrated in one call; beyond it the world stands still
/// (every scenario is over well before), so a clock pushed years ahead cannot stall a request.
const MAX_STEPS_PER_CALL: i64 = 14 * 24 * 3600;

/// Why a control action was refused; maps onto the protocol's error codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 404 `unknown_drop`.
    UnknownDrop(String),
    /// 409 `invalid_state`.
    InvalidState(String),
    /// 422 `unknown_band`.
    UnknownBand(String),
    /// 422 `below_margin_floor`.
    BelowMarginFloor(String),
}

impl Refusal {
    /// The HTTP status of the refusal.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Refusal::UnknownDrop(_) => 404,
            Refusal::InvalidState(_) => 409,
            Refusal::UnknownBand(_) | Refusal::BelowMarginFloor(_) => 422,
        }
    }

    /// The protocol's error code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownDrop(_) => "unknown_drop",
            Refusal::InvalidState(_) => "invalid_state",
            Refusal::UnknownBand(_) => "unknown_band",
            Refusal::BelowMarginFloor(_) => "below_margin_floor",
        }
    }

    /// What was refused and why, for a person.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Refusal::UnknownDrop(m)
            | Refusal::InvalidState(m)
            | Refusal::UnknownBand(m)
            | Refusal::BelowMarginFloor(m) => m,
        }
    }
}

/// A control action on a drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropAction {
    /// `live` → `paused`.
    Pause,
    /// `paused` → `live`.
    Resume,
    /// Make this band active.
    PriceBand(String),
}

/// Where one drop's orders go: each hub's share and the credit of smooth weighted round-robin,
/// so hubs get exactly their share without randomness. The last route is "not simulated".
#[derive(Debug, Clone)]
struct Routes {
    /// `(hub index or None for elsewhere, share, credit)`.
    routes: Vec<(Option<usize>, f64, f64)>,
}

impl Routes {
    fn pick(&mut self) -> Option<usize> {
        for route in &mut self.routes {
            route.2 += route.1;
        }
        let best = self.routes.iter_mut().max_by(|a, b| a.2.total_cmp(&b.2))?;
        best.2 -= 1.0;
        best.0
    }
}

/// The simulated world.
#[derive(Debug, Clone)]
pub struct World {
    /// Sim second 0 in UTC.
    start: DateTime<Utc>,
    /// The next second to integrate: everything before it is done.
    t: i64,
    seed: u64,
    noise: f64,
    drops: Vec<DropSim>,
    hubs: Vec<HubSim>,
    popups: Vec<PopupSim>,
    routes: Vec<Routes>,
    drop_ids: Vec<String>,
    prefixes: Vec<String>,
    placed: Vec<PlacedOrder>,
}

impl World {
    /// Builds the world and integrates the scenario's history, up to sim second 0 (`start`).
    #[must_use]
    pub fn new(scenario: &Scenario, start: DateTime<Utc>) -> World {
        let began = -scenario.history_s;
        let drops: Vec<DropSim> = scenario.drops.iter().cloned().map(DropSim::new).collect();
        let drop_ids: Vec<String> = drops.iter().map(|d| d.spec.id.clone()).collect();
        let prefixes = scenario
            .drops
            .iter()
            .map(|d| d.order_prefix.clone().unwrap_or_else(|| prefix_of(&d.id)))
            .collect();
        let routes = scenario
            .drops
            .iter()
            .map(|drop| {
                let mut routes: Vec<(Option<usize>, f64, f64)> = scenario
                    .hubs
                    .iter()
                    .enumerate()
                    .filter(|(_, hub)| hub.drop_ids.contains(&drop.id))
                    .map(|(i, hub)| (Some(i), hub.share, 0.0))
                    .collect();
                let routed: f64 = routes.iter().map(|r| r.1).sum();
                routes.push((None, (1.0 - routed).max(0.0), 0.0));
                Routes { routes }
            })
            .collect();
        let mut world = World {
            start,
            t: began,
            seed: scenario.seed,
            noise: scenario.noise,
            drops,
            hubs: scenario.hubs.iter().cloned().map(HubSim::new).collect(),
            popups: scenario
                .popups
                .iter()
                .cloned()
                .map(|p| PopupSim::new(p, began))
                .collect(),
            routes,
            drop_ids,
            prefixes,
            placed: Vec::new(),
        };
        world.advance_secs(0);
        world
    }

    /// Sim second 0 in UTC.
    #[must_use]
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The sim time the world has reached (whole seconds).
    #[must_use]
    pub fn time(&self) -> DateTime<Utc> {
        self.start + TimeDelta::seconds(self.t)
    }

    /// Integrates up to `now` (whole seconds; earlier times are ignored: time never runs back).
    pub fn advance_to(&mut self, now: DateTime<Utc>) {
        let secs = (now - self.start).num_milliseconds().div_euclid(1000);
        self.advance_secs(secs);
    }

    fn advance_secs(&mut self, target: i64) {
        let stop = target.min(self.t.saturating_add(MAX_STEPS_PER_CALL));
        while self.t < stop {
            self.step(self.t);
            self.t += 1;
        }
        // Beyond the per-call limit the world stands still but the clock still reads `target`.
        self.t = self.t.max(target);
        for drop in &mut self.drops {
            drop.settle(self.t);
        }
    }

    fn step(&mut self, t: i64) {
        for (d, drop) in self.drops.iter_mut().enumerate() {
            let wobble = curve::wobble(self.seed, d as u64, t, self.noise);
            self.placed.clear();
            drop.step(t, wobble, &mut self.placed);
            for order in &self.placed {
                if let Some(hub) = self.routes[d].pick() {
                    self.hubs[hub].receive(t, d, order.seq, order.units);
                }
            }
        }
        for hub in &mut self.hubs {
            hub.step(t);
        }
        for (p, popup) in self.popups.iter_mut().enumerate() {
            let salt = 0x5050_0000 + p as u64;
            popup.step(t, curve::wobble(self.seed, salt, t, self.noise));
        }
    }

    /// Every drop as `GET /v1/drops` lists it.
    #[must_use]
    pub fn drops(&self) -> Vec<wire::Drop> {
        self.drops
            .iter()
            .map(|d| d.to_wire(self.start, self.t))
            .collect()
    }

    /// One drop, when it exists.
    #[must_use]
    pub fn drop_by_id(&self, id: &str) -> Option<wire::Drop> {
        self.drops
            .iter()
            .find(|d| d.spec.id == id)
            .map(|d| d.to_wire(self.start, self.t))
    }

    /// Every hub as `GET /v1/hubs` lists it.
    #[must_use]
    pub fn hubs(&self) -> Vec<wire::Hub> {
        let naming = OrderNaming {
            drop_ids: &self.drop_ids,
            prefixes: &self.prefixes,
        };
        self.hubs
            .iter()
            .map(|h| h.to_wire(self.start, self.t, &naming))
            .collect()
    }

    /// Every pop-up as `GET /v1/popups` lists it.
    #[must_use]
    pub fn popups(&self) -> Vec<wire::Popup> {
        self.popups
            .iter()
            .map(|p| p.to_wire(self.start, self.t))
            .collect()
    }

    /// Applies a control action at `now` (after integrating up to it) and returns the updated
    /// drop.
    ///
    /// # Errors
    /// A [`Refusal`] when the drop is unknown, in the wrong state, or the band is unknown or
    /// below the margin floor; nothing changes then.
    pub fn control(
        &mut self,
        id: &str,
        action: &DropAction,
        now: DateTime<Utc>,
    ) -> Result<wire::Drop, Refusal> {
        self.advance_to(now);
        let now_ms = (now - self.start).num_milliseconds();
        let (start, t) = (self.start, self.t);
        let drop = self
            .drops
            .iter_mut()
            .find(|d| d.spec.id == id)
            .ok_or_else(|| Refusal::UnknownDrop(format!("there is no drop `{id}`")))?;
        match action {
            DropAction::Pause => drop.pause()?,
            DropAction::Resume => drop.resume(now_ms)?,
            DropAction::PriceBand(band) => drop.set_band(band)?,
        }
        Ok(drop.to_wire(start, t))
    }
}

/// Order-id prefix from a drop id: its first two letters, upper-cased (`hoodie-01` → `HO`).
fn prefix_of(id: &str) -> String {
    let prefix: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(2)
        .collect::<String>()
        .to_ascii_uppercase();
    if prefix.is_empty() {
        "ORD".to_owned()
    } else {
        prefix
    }
}

#[cfg(test)]
mod tests;
