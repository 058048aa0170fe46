//! The `counter-reset` fault: a feed's counters restart from 0 when the fault comes on, as when
//! an upstream loses its state. Served counters are the true ones minus those at that moment.

use std::collections::HashMap;

use crate::feed::wire::{self, FeedEntry, Funnel};

/// Each feed's counters at the moment its `counter-reset` fault came on, by entity id.
#[derive(Debug, Default)]
pub(crate) struct Baselines {
    pub drops: Option<HashMap<String, wire::Drop>>,
    pub hubs: Option<HashMap<String, wire::Hub>>,
    pub popups: Option<HashMap<String, wire::Popup>>,
}

/// An entity whose cumulative counters can be taken back to a baseline.
pub(crate) trait Counters: FeedEntry + Clone {
    /// Subtracts the baseline's counters from this entity's.
    fn minus(&mut self, base: &Self);
}

/// While `on`, serves `entries` counted from the baseline (taken now if there is none); when
/// off, forgets the baseline so the next reset starts from that moment.
pub(crate) fn apply<T: Counters>(
    entries: &mut [T],
    baseline: &mut Option<HashMap<String, T>>,
    on: bool,
) {
    if !on {
        *baseline = None;
        return;
    }
    let base = baseline.get_or_insert_with(|| {
        entries
            .iter()
            .map(|e| (e.id().to_owned(), e.clone()))
            .collect()
    });
    for entry in entries {
        if let Some(b) = base.get(entry.id()) {
            entry.minus(b);
        }
    }
}

fn funnel_minus(f: &mut Funnel, b: &Funnel) {
    f.sessions = f.sessions.saturating_sub(b.sessions);
    f.carts = f.carts.saturating_sub(b.carts);
    f.orders = f.orders.saturating_sub(b.orders);
    f.units = f.units.saturating_sub(b.units);
    f.revenue_minor = (f.revenue_minor - b.revenue_minor).max(0);
}

impl Counters for wire::Drop {
    fn minus(&mut self, base: &Self) {
        self.stock.sold = self.stock.sold.saturating_sub(base.stock.sold);
        funnel_minus(&mut self.funnel, &base.funnel);
        if let (Some(bands), Some(base_bands)) = (&mut self.funnel_by_band, &base.funnel_by_band) {
            for (id, funnel) in bands.iter_mut() {
                if let Some(b) = base_bands.get(id) {
                    funnel_minus(funnel, b);
                }
            }
        }
    }
}

impl Counters for wire::Hub {
    fn minus(&mut self, base: &Self) {
        let (c, b) = (&mut self.capacity, &base.capacity);
        c.consumed_units = c.consumed_units.saturating_sub(b.consumed_units);
        let (p, b) = (&mut self.pipeline, &base.pipeline);
        p.received = p.received.saturating_sub(b.received);
        p.picked = p.picked.saturating_sub(b.picked);
        p.packed = p.packed.saturating_sub(b.packed);
        p.shipped = p.shipped.saturating_sub(b.shipped);
        self.sla.on_time = self.sla.on_time.saturating_sub(base.sla.on_time);
        self.sla.late = self.sla.late.saturating_sub(base.sla.late);
    }
}

impl Counters for wire::Popup {
    fn minus(&mut self, base: &Self) {
        let (s, b) = (&mut self.sales, &base.sales);
        s.transactions = s.transactions.saturating_sub(b.transactions);
        s.units = s.units.saturating_sub(b.units);
        s.revenue_minor = (s.revenue_minor - b.revenue_minor).max(0);
        self.pickups.collected = self
            .pickups
            .collected
            .saturating_sub(base.pickups.collected);
    }
}
