//! One pop-up over time: terminals, in-person sales, stock and pick-ups.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::wire::{self, TerminalStatus};
use crate::sim::scenario::{PopupSpec, TerminalSpec};

use super::curve::{rate_at, units_of};

/// A pop-up being simulated.
#[derive(Debug, Clone)]
pub(crate) struct PopupSim {
    pub spec: PopupSpec,
    /// Sim second the world began: a terminal offline from the start was last seen then.
    began: i64,
    sale_credit: f64,
    transactions: u64,
    units: u64,
    revenue: i64,
    on_hand: u64,
    pickup_credit: f64,
    collect_credit: f64,
    /// Sim seconds at which waiting pick-ups became ready, oldest first.
    ready: VecDeque<i64>,
    collected: u64,
}

/// A terminal's status at `t` and the second it took that status.
fn status_at(terminal: &TerminalSpec, t: i64, began: i64) -> (&TerminalStatus, i64) {
    terminal
        .changes
        .iter()
        .rev()
        .find(|c| c.at.secs() <= t)
        .map_or((&terminal.status, began), |c| (&c.status, c.at.secs()))
}

/// How much selling a terminal in this status does, 0..=1.
fn selling_share(status: &TerminalStatus) -> f64 {
    match status {
        TerminalStatus::Online => 1.0,
        TerminalStatus::NeedsAttention => 0.5,
        _ => 0.0,
    }
}

impl PopupSim {
    pub fn new(spec: PopupSpec, began: i64) -> Self {
        let on_hand = spec.on_hand;
        PopupSim {
            spec,
            began,
            sale_credit: 0.0,
            transactions: 0,
            units: 0,
            revenue: 0,
            on_hand,
            pickup_credit: 0.0,
            collect_credit: 0.0,
            ready: VecDeque::new(),
            collected: 0,
        }
    }

    fn pickup_desk_online(&self, t: i64) -> bool {
        let desk = match &self.spec.pickup_terminal {
            Some(id) => self.spec.terminals.iter().find(|term| &term.id == id),
            None => None,
        };
        match desk {
            Some(term) => *status_at(term, t, self.began).0 == TerminalStatus::Online,
            None => self
                .spec
                .terminals
                .iter()
                .any(|term| *status_at(term, t, self.began).0 == TerminalStatus::Online),
        }
    }

    /// Integrates the second `[t, t + 1)`.
    pub fn step(&mut self, t: i64, wobble: f64) {
        if t < self.spec.opens.secs() || t >= self.spec.closes.secs() {
            return;
        }
        let terminals = &self.spec.terminals;
        let share = terminals
            .iter()
            .map(|term| selling_share(status_at(term, t, self.began).0))
            .sum::<f64>()
            / terminals.len().max(1) as f64;
        if self.on_hand > 0 {
            self.sale_credit += rate_at(&self.spec.sales, t) / 60.0 * wobble * share;
            while self.sale_credit >= 1.0 && self.on_hand > 0 {
                self.sale_credit -= 1.0;
                let units = units_of(self.transactions, self.spec.units_per_sale).min(self.on_hand);
                self.transactions += 1;
                self.units += units;
                self.on_hand -= units;
                self.revenue += i64::try_from(units).unwrap_or(i64::MAX) * self.spec.price_minor;
            }
        }
        self.pickup_credit += self.spec.pickups_per_min / 60.0;
        while self.pickup_credit >= 1.0 {
            self.pickup_credit -= 1.0;
            self.ready.push_back(t);
        }
        if self.pickup_desk_online(t) {
            self.collect_credit += self.spec.collect_per_min / 60.0;
            while self.collect_credit >= 1.0 && self.ready.pop_front().is_some() {
                self.collect_credit -= 1.0;
                self.collected += 1;
            }
            if self.ready.is_empty() {
                self.collect_credit = self.collect_credit.min(1.0);
            }
        } else {
            self.collect_credit = 0.0;
        }
    }

    /// The pop-up as `GET /v1/popups` shows it at sim second `t`.
    pub fn to_wire(&self, start: DateTime<Utc>, t: i64) -> wire::Popup {
        let at = |offset: i64| start + TimeDelta::seconds(offset);
        let terminals = self
            .spec
            .terminals
            .iter()
            .map(|term| {
                let (status, since) = status_at(term, t, self.began);
                // A terminal that reports is seen now; an offline one was last seen when it went.
                let last_seen = if *status == TerminalStatus::Offline {
                    since
                } else {
                    t
                };
                let battery_pct = term.battery_pct.map(|initial| {
                    let drained = term.drain_pct_per_hour * t as f64 / 3600.0;
                    (f64::from(initial) - drained).clamp(0.0, 100.0).round() as u8
                });
                wire::Terminal {
                    id: term.id.clone(),
                    name: term.name.clone(),
                    status: status.clone(),
                    last_seen: at(last_seen),
                    battery_pct,
                }
            })
            .collect();
        let due = self.spec.pickup_due.secs();
        let overdue = self.ready.partition_point(|ready_at| ready_at + due < t);
        wire::Popup {
            id: self.spec.id.clone(),
            name: self.spec.name.clone(),
            drop_ids: self.spec.drop_ids.clone(),
            opens_at: at(self.spec.opens.secs()),
            closes_at: at(self.spec.closes.secs()),
            currency: self.spec.currency.clone(),
            terminals,
            sales: wire::PopupSales {
                transactions: self.transactions,
                units: self.units,
                revenue_minor: self.revenue,
            },
            stock: wire::PopupStock {
                on_hand: self.on_hand,
            },
            pickups: wire::Pickups {
                ready: self.ready.len() as u64,
                collected: self.collected,
                overdue: overdue as u64,
            },
        }
    }
}
