//! One fulfilment hub over time: capacity consumed, orders moving through pick, pack and ship,
//! and the orders that fall past their due time.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::{self, OrderStage};
use crate::sim::scenario::HubSpec;

/// At most this many overdue orders are listed; `overdue_open` is always the true count.
pub const OVERDUE_LIST_LIMIT: usize = 200;

/// An order the hub has received and not shipped.
#[derive(Debug, Clone, Copy)]
struct QueuedOrder {
    /// Index of the drop in the world.
    drop: usize,
    /// 0-based order number within the drop.
    seq: u64,
    placed: i64,
    due: i64,
}

/// How far a drop's orders are named: `PREFIX-1001`, …
pub(crate) struct OrderNaming<'a> {
    pub drop_ids: &'a [String],
    pub prefixes: &'a [String],
}

/// A hub being simulated.
#[derive(Debug, Clone)]
pub(crate) struct HubSim {
    pub spec: HubSpec,
    consumed: u64,
    received: u64,
    picked: u64,
    packed: u64,
    shipped: u64,
    on_time: u64,
    late: u64,
    /// Unshipped orders in arrival order: the first `packed - shipped` are packed, the next
    /// `picked - packed` picked, the rest only received. Due times never decrease along it.
    queue: VecDeque<QueuedOrder>,
    pick_credit: f64,
    pack_credit: f64,
    ship_credit: f64,
}

/// Adds a second of throughput to `credit` and takes whole orders out of it, at most `waiting`.
/// Idle capacity is not banked beyond one order, so a hub cannot burst after a quiet spell.
fn take(credit: &mut f64, per_min: f64, waiting: u64) -> u64 {
    *credit += per_min / 60.0;
    let whole = (*credit as u64).min(waiting);
    *credit -= whole as f64;
    if whole == waiting {
        *credit = credit.min(1.0);
    }
    whole
}

impl HubSim {
    pub fn new(spec: HubSpec) -> Self {
        HubSim {
            spec,
            consumed: 0,
            received: 0,
            picked: 0,
            packed: 0,
            shipped: 0,
            on_time: 0,
            late: 0,
            queue: VecDeque::new(),
            pick_credit: 0.0,
            pack_credit: 0.0,
            ship_credit: 0.0,
        }
    }

    /// Takes an order placed during second `t`.
    pub fn receive(&mut self, t: i64, drop: usize, seq: u64, units: u64) {
        self.received += 1;
        if t >= self.spec.window_start.secs() && t < self.spec.window_end.secs() {
            self.consumed += units;
        }
        self.queue.push_back(QueuedOrder {
            drop,
            seq,
            placed: t,
            due: t + self.spec.ship_within.secs(),
        });
    }

    fn carrier_out(&self, t: i64) -> bool {
        self.spec.carrier_outages.iter().any(|w| w.contains(t))
    }

    /// Integrates the second `[t, t + 1)` of picking, packing and shipping.
    pub fn step(&mut self, t: i64) {
        self.picked += take(
            &mut self.pick_credit,
            self.spec.pick_per_min,
            self.received - self.picked,
        );
        self.packed += take(
            &mut self.pack_credit,
            self.spec.pack_per_min,
            self.picked - self.packed,
        );
        let rate = if self.carrier_out(t) {
            0.0
        } else {
            self.spec.ship_per_min
        };
        let ships = take(&mut self.ship_credit, rate, self.packed - self.shipped);
        for _ in 0..ships {
            let Some(order) = self.queue.pop_front() else {
                break;
            };
            self.shipped += 1;
            // Shipped at the end of this second.
            if t < order.due {
                self.on_time += 1;
            } else {
                self.late += 1;
            }
        }
    }

    /// The hub as `GET /v1/hubs` shows it at sim second `t`.
    pub fn to_wire(&self, start: DateTime<Utc>, t: i64, naming: &OrderNaming<'_>) -> wire::Hub {
        let at = |offset: i64| start + TimeDelta::seconds(offset);
        let overdue_open = self.queue.partition_point(|o| o.due < t);
        let packed_waiting = usize::try_from(self.packed - self.shipped).unwrap_or(usize::MAX);
        let picked_waiting = usize::try_from(self.picked - self.packed).unwrap_or(usize::MAX);
        let carrier_out = self.carrier_out(t) || self.spec.ship_per_min == 0.0;
        let overdue = self
            .queue
            .iter()
            .take(overdue_open.min(OVERDUE_LIST_LIMIT))
            .enumerate()
            .map(|(i, order)| {
                let stage = if i < packed_waiting {
                    if carrier_out {
                        OrderStage::AwaitingCarrier
                    } else {
                        OrderStage::Packed
                    }
                } else if i < packed_waiting + picked_waiting {
                    OrderStage::Picked
                } else {
                    OrderStage::Received
                };
                wire::OverdueOrder {
                    order_id: format!("{}-{}", naming.prefixes[order.drop], 1001 + order.seq),
                    drop_id: naming.drop_ids[order.drop].clone(),
                    placed_at: at(order.placed),
                    due_at: at(order.due),
                    reason: self.reason(&stage, order.seq),
                    stage,
                }
            })
            .collect();
        wire::Hub {
            id: self.spec.id.clone(),
            name: self.spec.name.clone(),
            drop_ids: self.spec.drop_ids.clone(),
            capacity: wire::Capacity {
                contracted_units: self.spec.contracted_units,
                consumed_units: self.consumed,
                min_commit_units: self.spec.min_commit_units,
                window_start: at(self.spec.window_start.secs()),
                window_end: at(self.spec.window_end.secs()),
                currency: self.spec.currency.clone(),
                overage_cost_minor: self.spec.overage_cost_minor,
                unused_penalty_minor: self.spec.unused_penalty_minor,
            },
            pipeline: wire::Pipeline {
                received: self.received,
                picked: self.picked,
                packed: self.packed,
                shipped: self.shipped,
            },
            sla: wire::Sla {
                ship_within_min: u64::try_from(self.spec.ship_within.secs() / 60).unwrap_or(0),
                target_pct: self.spec.target_pct,
                on_time: self.on_time,
                late: self.late,
                overdue_open: overdue_open as u64,
            },
            overdue,
        }
    }

    /// Why an overdue order is stuck: the carrier when it did not come, else the scenario's
    /// reasons in turn, else the stage's backlog.
    fn reason(&self, stage: &OrderStage, seq: u64) -> String {
        if *stage == OrderStage::AwaitingCarrier {
            return "carrier_no_show".to_owned();
        }
        let reasons = &self.spec.overdue_reasons;
        if !reasons.is_empty() {
            let index = usize::try_from(seq % reasons.len() as u64).unwrap_or(0);
            return reasons[index].clone();
        }
        match stage {
            OrderStage::Received => "pick_backlog",
            OrderStage::Picked => "pack_backlog",
            _ => "ship_backlog",
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_does_not_bank_idle_capacity() {
        let mut credit = 0.0;
        for _ in 0..600 {
            assert_eq!(take(&mut credit, 60.0, 0), 0);
        }
        assert!(credit <= 1.0);
        assert_eq!(take(&mut credit, 60.0, 100), 2);
    }
}
