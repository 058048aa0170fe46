//! One pass over a recording: documents decoded as the room decodes them, kept as small
//! samples per entity, then turned into the scorecard.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use crate::feed::events::PollOutcome;
use crate::feed::wire::{AfterSale, Drop, Hub, Popup};
use crate::model::board::{Board, BoardSettings};
use crate::model::figures::{conversion_pct, on_time_pct, percent, sell_through_pct};
use crate::model::interval::binomial_interval;

use super::super::format::{AlertChange, Entry, RecordedAction};
use super::super::reader::Recording;
use super::{
    ActionLine, AfterSaleScore, AlertLine, BandScore, BandSwitch, Charts, ConversionWindow,
    DropScore, HubScore, Pause, PopupScore, PostDrop, RecordingInfo, round2,
};

/// Longest window on either side of a band switch its conversion is compared over.
const SWITCH_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Fewer orders than this on either side of a switch is too little to say anything.
const SWITCH_MIN_ORDERS: u64 = 5;

/// One marketplace document's view of one drop.
#[derive(Debug, Clone)]
struct DropSample {
    at: DateTime<Utc>,
    local: DateTime<Utc>,
    drop: Drop,
}

#[derive(Debug, Clone)]
struct HubSample {
    at: DateTime<Utc>,
    consumed: u64,
    on_time_pct: Option<f64>,
    overdue_open: u64,
}

#[derive(Debug, Default)]
struct HubTrace {
    last: Option<Hub>,
    samples: Vec<HubSample>,
    reasons: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Default)]
struct PopupTrace {
    last: Option<(DateTime<Utc>, Popup)>,
    downtime_s: BTreeMap<String, i64>,
    peak_overdue: u64,
}

/// Reads every entry once and builds the report.
#[must_use]
pub fn build(recording: &Recording) -> PostDrop {
    let mut board = Board::new(BoardSettings {
        clock_rate: recording.header().clock_rate,
        ..BoardSettings::default()
    });
    let mut drops: Vec<(String, Vec<DropSample>)> = Vec::new();
    let mut hubs: Vec<(String, HubTrace)> = Vec::new();
    let mut popups: Vec<(String, PopupTrace)> = Vec::new();
    let mut alerts: Vec<AlertLine> = Vec::new();
    let mut open_alerts: HashMap<(String, String), usize> = HashMap::new();
    let mut actions: Vec<RecordedAction> = Vec::new();
    let mut info = RecordingInfo {
        environment: recording.header().environment.clone(),
        segments: recording.segments.len(),
        first_document: None,
        last_document: None,
        documents: 0,
        failed_polls: 0,
        cut_bytes: recording.cut_bytes,
    };
    for entry in recording.entries() {
        match entry {
            Entry::Doc { .. } | Entry::Unchanged { .. } | Entry::Failed { .. } => {
                let Some(report) = entry.to_poll() else {
                    continue;
                };
                let local = report.received_at;
                match &report.outcome {
                    PollOutcome::Drops(doc) => {
                        note_document(&mut info, doc.as_of);
                        for drop in &doc.entries {
                            let sample = DropSample {
                                at: doc.as_of,
                                local,
                                drop: drop.clone(),
                            };
                            slot(&mut drops, &drop.id).push(sample);
                        }
                    }
                    PollOutcome::Hubs(doc) => {
                        note_document(&mut info, doc.as_of);
                        for hub in &doc.entries {
                            let trace = slot(&mut hubs, &hub.id);
                            trace.samples.push(HubSample {
                                at: doc.as_of,
                                consumed: hub.capacity.consumed_units,
                                on_time_pct: on_time_pct(
                                    hub.sla.on_time,
                                    hub.sla.late,
                                    hub.sla.overdue_open,
                                ),
                                overdue_open: hub.sla.overdue_open,
                            });
                            for order in &hub.overdue {
                                trace
                                    .reasons
                                    .entry(order.reason.clone())
                                    .or_default()
                                    .insert(order.order_id.clone());
                            }
                            trace.last = Some(hub.clone());
                        }
                    }
                    PollOutcome::Popups(doc) => {
                        note_document(&mut info, doc.as_of);
                        for popup in &doc.entries {
                            let trace = slot(&mut popups, &popup.id);
                            if let Some((before, previous)) = &trace.last {
                                let span = (doc.as_of - *before).num_seconds().max(0);
                                for terminal in &previous.terminals {
                                    let down =
                                        trace.downtime_s.entry(terminal.id.clone()).or_insert(0);
                                    if terminal.status.as_str() != "online" {
                                        *down += span;
                                    }
                                }
                            }
                            for terminal in &popup.terminals {
                                trace.downtime_s.entry(terminal.id.clone()).or_insert(0);
                            }
                            trace.peak_overdue = trace.peak_overdue.max(popup.pickups.overdue);
                            trace.last = Some((doc.as_of, popup.clone()));
                        }
                    }
                    PollOutcome::Failed(_) => info.failed_polls += 1,
                    PollOutcome::NotModified => {}
                }
                board.apply_poll(report);
            }
            Entry::Alert(transition) => {
                let key = (
                    transition.kind.as_str().to_owned(),
                    transition.subject.clone(),
                );
                match transition.change {
                    AlertChange::Raised => {
                        open_alerts.insert(key.clone(), alerts.len());
                        alerts.push(AlertLine {
                            kind: key.0,
                            subject: key.1,
                            severity: transition.severity.as_str().to_owned(),
                            raised_at: transition.since,
                            first_seen: transition.first_seen,
                            cleared_at: None,
                            acked_by: None,
                            duration_s: 0,
                            message: transition.message.clone(),
                        });
                    }
                    AlertChange::Severity => {
                        if let Some(&i) = open_alerts.get(&key) {
                            // Severities order critical first: the worst is the smallest.
                            let worse = transition.severity.as_str();
                            if rank(worse) < rank(&alerts[i].severity) {
                                worse.clone_into(&mut alerts[i].severity);
                            }
                        }
                    }
                    AlertChange::Cleared => {
                        if let Some(i) = open_alerts.remove(&key) {
                            alerts[i].cleared_at = transition.cleared_at.or(Some(transition.at));
                        }
                    }
                }
            }
            Entry::Ack {
                kind, subject, by, ..
            } => {
                let key = (kind.as_str().to_owned(), subject.clone());
                let line = open_alerts.get(&key).copied().or_else(|| {
                    alerts
                        .iter()
                        .rposition(|a| a.kind == key.0 && a.subject == key.1)
                });
                if let Some(i) = line {
                    alerts[i].acked_by = Some(by.clone());
                }
            }
            Entry::Action(action) => actions.push(action.clone()),
            Entry::Header(_) | Entry::Silence { .. } => {}
        }
    }
    let end = info.last_document.unwrap_or(recording.header().started_at);
    for alert in &mut alerts {
        alert.duration_s = (alert.cleared_at.unwrap_or(end) - alert.raised_at)
            .num_seconds()
            .max(0);
    }
    let mut charts = Charts::default();
    let drop_scores: Vec<DropScore> = drops
        .iter()
        .map(|(id, samples)| {
            let (score, series) = drop_score(samples, &actions, end);
            charts.orders_per_min.insert(id.clone(), series);
            score
        })
        .collect();
    let hub_scores: Vec<HubScore> = hubs
        .iter()
        .filter_map(|(id, trace)| {
            charts.burn_down.insert(
                id.clone(),
                trace.samples.iter().map(|s| (s.at, s.consumed)).collect(),
            );
            charts.on_time.insert(
                id.clone(),
                trace
                    .samples
                    .iter()
                    .filter_map(|s| s.on_time_pct.map(|p| (s.at, p)))
                    .collect(),
            );
            hub_score(trace, &board)
        })
        .collect();
    let popup_scores = popups
        .iter()
        .filter_map(|(_, trace)| {
            let (_, popup) = trace.last.as_ref()?;
            Some(PopupScore {
                id: popup.id.clone(),
                name: popup.name.clone(),
                currency: popup.currency.clone(),
                revenue_minor: popup.sales.revenue_minor,
                transactions: popup.sales.transactions,
                terminal_downtime_s: trace.downtime_s.clone(),
                peak_pickups_overdue: trace.peak_overdue,
            })
        })
        .collect();
    let covered_hours = match (info.first_document, info.last_document) {
        (Some(first), Some(last)) => round2((last - first).num_seconds() as f64 / 3600.0),
        _ => 0.0,
    };
    PostDrop {
        covered_hours,
        after_sale: after_sale(&drops),
        recording: info,
        drops: drop_scores,
        hubs: hub_scores,
        popups: popup_scores,
        alerts,
        actions: actions.iter().map(action_line).collect(),
        charts,
    }
}

fn rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    }
}

fn note_document(info: &mut RecordingInfo, as_of: DateTime<Utc>) {
    info.documents += 1;
    info.first_document = Some(info.first_document.map_or(as_of, |f| f.min(as_of)));
    info.last_document = Some(info.last_document.map_or(as_of, |l| l.max(as_of)));
}

/// The entry for `id`, added in first-seen order.
fn slot<'a, T: Default>(list: &'a mut Vec<(String, T)>, id: &str) -> &'a mut T {
    let i = if let Some(i) = list.iter().position(|(k, _)| k == id) {
        i
    } else {
        list.push((id.to_owned(), T::default()));
        list.len() - 1
    };
    &mut list[i].1
}

fn action_line(action: &RecordedAction) -> ActionLine {
    let band = action.parameters.get("band").and_then(|b| b.as_str());
    ActionLine {
        at: action.at,
        who: action.who.clone(),
        drop: action.drop.clone(),
        action: match (action.action.as_str(), band) {
            ("price_band", Some(band)) => format!("band {band}"),
            (other, _) => other.to_owned(),
        },
        outcome: action.outcome.clone(),
        detail: action.detail.clone(),
        latency_ms: action.latency_ms,
    }
}

/// The last sample at or before `at` (the counters as the room knew them then).
fn at_or_before(samples: &[DropSample], at: DateTime<Utc>) -> Option<&DropSample> {
    let i = samples.partition_point(|s| s.at <= at);
    i.checked_sub(1).map(|i| &samples[i])
}

fn drop_score(
    samples: &[DropSample],
    actions: &[RecordedAction],
    end: DateTime<Utc>,
) -> (DropScore, Vec<(DateTime<Utc>, u64)>) {
    let first = &samples[0];
    let last = &samples[samples.len() - 1];
    let drop = &last.drop;
    let funnel = drop.funnel;
    let conversion_48h_pct = (end >= drop.opens_at + TimeDelta::hours(48))
        .then(|| at_or_before(samples, drop.opens_at + TimeDelta::hours(48)))
        .flatten()
        .and_then(|s| conversion_pct(s.drop.funnel.orders, s.drop.funnel.sessions))
        .map(round2);
    let bands = drop
        .price_bands
        .iter()
        .map(|band| {
            let counted = drop
                .funnel_by_band
                .as_ref()
                .and_then(|by| by.get(&band.id))
                .copied()
                .unwrap_or_default();
            BandScore {
                id: band.id.clone(),
                conversion_pct: conversion_pct(counted.orders, counted.sessions).map(round2),
                orders: counted.orders,
                sessions: counted.sessions,
            }
        })
        .collect();
    let per_minute = orders_per_minute(samples);
    let live_minutes: Vec<u64> = per_minute
        .iter()
        .filter(|(minute, _)| {
            at_or_before(samples, *minute).is_some_and(|s| s.drop.state.as_str() == "live")
        })
        .map(|(_, n)| *n)
        .collect();
    let time_to_first_order_s = if first.drop.funnel.orders > 0 {
        None
    } else {
        samples
            .iter()
            .find(|s| s.drop.funnel.orders > 0)
            .map(|s| (s.at - drop.opens_at).num_seconds())
    };
    let units_left_at_close = last.at >= drop.closes_at;
    let score = DropScore {
        id: drop.id.clone(),
        title: drop.title.clone(),
        currency: drop.currency.clone(),
        opens_at: drop.opens_at,
        closes_at: drop.closes_at,
        state: drop.state.as_str().to_owned(),
        conversion_pct: conversion_pct(funnel.orders, funnel.sessions).map(round2),
        conversion_48h_pct,
        bands,
        band_switches: band_switches(samples, actions),
        peak_orders_per_min: per_minute.iter().map(|(_, n)| *n).max(),
        median_orders_per_min: median(&live_minutes),
        time_to_first_order_s,
        sell_through_pct: sell_through_pct(drop.stock.sold, drop.stock.allocated).map(round2),
        sold_out_at: samples
            .iter()
            .find(|s| s.drop.state.as_str() == "sold_out")
            .map(|s| s.at),
        units_left: drop.stock.allocated.saturating_sub(drop.stock.sold),
        units_left_at_close,
        pauses: pauses(samples, actions, end),
        revenue_minor: funnel.revenue_minor,
        orders: funnel.orders,
        sessions: funnel.sessions,
    };
    (score, per_minute)
}

/// Orders in each whole minute of server time between the first and the last document: the
/// cumulative counter at each minute's end minus at its start (the last document at or before
/// each instant; a counter reset counts as 0, never negative).
fn orders_per_minute(samples: &[DropSample]) -> Vec<(DateTime<Utc>, u64)> {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return Vec::new();
    };
    // The first whole minute that begins at or after the first document: a minute before it
    // would count every order taken before the recording began.
    let floor = first.at
        - TimeDelta::seconds(first.at.timestamp().rem_euclid(60))
        - TimeDelta::nanoseconds(i64::from(first.at.timestamp_subsec_nanos()));
    let start = if floor < first.at {
        floor + TimeDelta::minutes(1)
    } else {
        floor
    };
    let mut out = Vec::new();
    let mut minute = start;
    while minute + TimeDelta::minutes(1) <= last.at {
        let next = minute + TimeDelta::minutes(1);
        let orders = |at| at_or_before(samples, at).map_or(0, |s| s.drop.funnel.orders);
        out.push((minute, orders(next).saturating_sub(orders(minute))));
        minute = next;
    }
    out
}

fn median(values: &[u64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
    } else {
        sorted[mid] as f64
    })
}

/// Who did `action` (to `band`, for a switch) on `drop` last, at or before local `local`.
fn who_did(
    actions: &[RecordedAction],
    drop: &str,
    action: &str,
    band: Option<&str>,
    local: DateTime<Utc>,
) -> Option<String> {
    actions
        .iter()
        .rev()
        .filter(|a| a.drop == drop && a.action == action && a.outcome == "applied")
        .filter(|a| a.at <= local + TimeDelta::seconds(1))
        .find(|a| band.is_none_or(|b| a.parameters.get("band").and_then(|v| v.as_str()) == Some(b)))
        .map(|a| a.who.clone())
}

fn window(samples: &[DropSample], from: DateTime<Utc>, to: DateTime<Utc>) -> ConversionWindow {
    let counters = |at| at_or_before(samples, at).map(|s| s.drop.funnel);
    let (start, end) = (counters(from), counters(to));
    let (sessions, orders) = match (start, end) {
        (Some(a), Some(b)) => (
            b.sessions.saturating_sub(a.sessions),
            b.orders.saturating_sub(a.orders),
        ),
        _ => (0, 0),
    };
    let interval = binomial_interval(orders, sessions);
    ConversionWindow {
        minutes: round2((to - from).num_seconds() as f64 / 60.0),
        sessions,
        orders,
        conversion_pct: percent(orders, sessions).map(round2),
        conversion_pct_low: interval.map(|(low, _)| round2(low * 100.0)),
        conversion_pct_high: interval.map(|(_, high)| round2(high * 100.0)),
    }
}

fn band_switches(samples: &[DropSample], actions: &[RecordedAction]) -> Vec<BandSwitch> {
    let changes: Vec<usize> = (1..samples.len())
        .filter(|&i| samples[i].drop.active_band != samples[i - 1].drop.active_band)
        .collect();
    let last_at = samples[samples.len() - 1].at;
    changes
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let at = samples[i].at;
            let drop = &samples[i].drop;
            let previous = n.checked_sub(1).map(|p| samples[changes[p]].at);
            let next = changes.get(n + 1).map(|&j| samples[j].at);
            // Each side stops at the neighbouring switch, the drop's window, the recording's
            // ends and (after) the next pause: a paused drop takes sessions but no orders.
            let paused_after = samples[i..]
                .iter()
                .find(|s| s.drop.state.as_str() == "paused")
                .map(|s| s.at);
            let from = (at - SWITCH_WINDOW)
                .max(previous.unwrap_or(drop.opens_at))
                .max(drop.opens_at)
                .max(samples[0].at);
            let to = (at + SWITCH_WINDOW)
                .min(next.unwrap_or(last_at))
                .min(paused_after.unwrap_or(last_at))
                .min(drop.closes_at)
                .min(last_at);
            let before = window(samples, from, samples[i - 1].at);
            let after = window(samples, at, to);
            let verdict = verdict(&before, &after);
            BandSwitch {
                at,
                from: samples[i - 1].drop.active_band.clone(),
                to: drop.active_band.clone(),
                by: who_did(
                    actions,
                    &drop.id,
                    "price_band",
                    Some(&drop.active_band),
                    samples[i].local,
                ),
                before,
                after,
                verdict,
            }
        })
        .collect()
}

/// Whether the two windows tell conversion apart: their 90 % intervals must not overlap.
fn verdict(before: &ConversionWindow, after: &ConversionWindow) -> String {
    if before.orders < SWITCH_MIN_ORDERS || after.orders < SWITCH_MIN_ORDERS {
        return format!("too little evidence (fewer than {SWITCH_MIN_ORDERS} orders on a side)");
    }
    match (
        before.conversion_pct_low.zip(before.conversion_pct_high),
        after.conversion_pct_low.zip(after.conversion_pct_high),
    ) {
        (Some((_, b_high)), Some((a_low, _))) if a_low > b_high => "higher".to_owned(),
        (Some((b_low, _)), Some((_, a_high))) if a_high < b_low => "lower".to_owned(),
        (Some(_), Some(_)) => "no clear change (the 90 % intervals overlap)".to_owned(),
        _ => "too little evidence".to_owned(),
    }
}

fn pauses(samples: &[DropSample], actions: &[RecordedAction], end: DateTime<Utc>) -> Vec<Pause> {
    let mut out: Vec<Pause> = Vec::new();
    let mut open: Option<usize> = None;
    for sample in samples {
        let paused = sample.drop.state.as_str() == "paused";
        match (paused, open) {
            (true, None) => {
                open = Some(out.len());
                out.push(Pause {
                    from: sample.at,
                    until: None,
                    duration_s: 0,
                    by: who_did(actions, &sample.drop.id, "pause", None, sample.local),
                    resumed_by: None,
                });
            }
            (false, Some(p)) => {
                out[p].until = Some(sample.at);
                out[p].resumed_by = who_did(actions, &sample.drop.id, "resume", None, sample.local)
                    .filter(|_| sample.drop.state.as_str() == "live");
                open = None;
            }
            _ => {}
        }
    }
    for pause in &mut out {
        pause.duration_s = (pause.until.unwrap_or(end) - pause.from)
            .num_seconds()
            .max(0);
    }
    out
}

fn hub_score(trace: &HubTrace, board: &Board) -> Option<HubScore> {
    let hub = trace.last.as_ref()?;
    let capacity = &hub.capacity;
    let last_at = trace.samples.last()?.at;
    let projected = last_at < capacity.window_end;
    let mut score = HubScore {
        id: hub.id.clone(),
        name: hub.name.clone(),
        currency: capacity.currency.clone(),
        window_end: capacity.window_end,
        projected,
        consumed_units: capacity.consumed_units,
        projected_units: None,
        projected_units_low: None,
        projected_units_high: None,
        contracted_units: capacity.contracted_units,
        min_commit_units: capacity.min_commit_units,
        overage_units: None,
        overage_cost_minor: None,
        overage_cost_minor_low: None,
        overage_cost_minor_high: None,
        shortfall_units: None,
        penalty_minor: None,
        on_time_pct: on_time_pct(hub.sla.on_time, hub.sla.late, hub.sla.overdue_open).map(round2),
        target_pct: hub.sla.target_pct,
        breach_minutes: breach_minutes(&trace.samples, hub.sla.target_pct),
        peak_overdue: trace
            .samples
            .iter()
            .map(|s| s.overdue_open)
            .max()
            .unwrap_or(0),
        overdue_by_reason: trace
            .reasons
            .iter()
            .map(|(reason, orders)| (reason.clone(), orders.len() as u64))
            .collect(),
    };
    if projected {
        if let Some(outlook) = board.hub_outlook(&hub.id, last_at) {
            let c = outlook.capacity;
            score.projected_units = c.projected_at_window_end;
            score.projected_units_low = c.projected_range.map(|r| r.low);
            score.projected_units_high = c.projected_range.map(|r| r.high);
            score.overage_units = c.overage_units;
            score.overage_cost_minor = c.overage_cost_minor;
            score.overage_cost_minor_low = c.overage_cost_range.map(|r| r.low);
            score.overage_cost_minor_high = c.overage_cost_range.map(|r| r.high);
            score.shortfall_units = c.shortfall_units;
            score.penalty_minor = c.penalty_minor;
        }
    } else {
        // Consumption as it stood at window end: the last document at or before it.
        let consumed = trace
            .samples
            .iter()
            .rev()
            .find(|s| s.at <= capacity.window_end)
            .map_or(capacity.consumed_units, |s| s.consumed);
        score.consumed_units = consumed;
        let over = consumed.saturating_sub(capacity.contracted_units);
        let short = capacity.min_commit_units.saturating_sub(consumed);
        score.overage_units = Some(over);
        score.overage_cost_minor = Some(
            i64::try_from(over)
                .unwrap_or(i64::MAX)
                .saturating_mul(capacity.overage_cost_minor),
        );
        score.shortfall_units = Some(short);
        score.penalty_minor = Some(
            i64::try_from(short)
                .unwrap_or(i64::MAX)
                .saturating_mul(capacity.unused_penalty_minor),
        );
    }
    Some(score)
}

/// Minutes between consecutive documents that began below target.
fn breach_minutes(samples: &[HubSample], target: f64) -> f64 {
    let seconds: i64 = samples
        .windows(2)
        .filter(|pair| pair[0].on_time_pct.is_some_and(|p| p < target))
        .map(|pair| (pair[1].at - pair[0].at).num_seconds().max(0))
        .sum();
    round2(seconds as f64 / 60.0)
}

fn after_sale(drops: &[(String, Vec<DropSample>)]) -> Option<AfterSaleScore> {
    let mut read_at: Option<DateTime<Utc>> = None;
    let mut counters: Vec<(AfterSale, u64, DateTime<Utc>)> = Vec::new();
    for (_, samples) in drops {
        if let Some(sample) = samples.iter().rev().find(|s| s.drop.after_sale.is_some()) {
            let after = sample.drop.after_sale?;
            counters.push((after, sample.drop.funnel.units, sample.drop.closes_at));
            read_at = Some(read_at.map_or(sample.at, |r| r.max(sample.at)));
        }
    }
    let read_at = read_at?;
    let closes = counters.iter().map(|(_, _, c)| *c).max()?;
    let returned: u64 = counters.iter().map(|(a, _, _)| a.returned_units).sum();
    let units: u64 = counters.iter().map(|(_, u, _)| *u).sum();
    let buyers: u64 = counters.iter().map(|(a, _, _)| a.buyers).sum();
    let repeat: u64 = counters.iter().map(|(a, _, _)| a.repeat_buyers).sum();
    Some(AfterSaleScore {
        return_rate_pct: percent(returned, units).map(round2),
        repeat_buyer_rate_pct: percent(repeat, buyers).map(round2),
        days_after_close: round2((read_at - closes).num_seconds() as f64 / 86_400.0),
        read_at,
    })
}

#[cfg(test)]
mod tests {
    use super::{DropSample, orders_per_minute};
    use crate::feed::wire::{Drop, decode_document};
    use chrono::{DateTime, Utc};

    fn sample(at: &str, orders: u64) -> DropSample {
        let doc = decode_document::<Drop>(include_bytes!(
            "../../../tests/fixtures/feeds_md_drops.json"
        ))
        .expect("FEEDS.md drops");
        let mut drop = doc.entries[0].clone();
        drop.funnel.orders = orders;
        let at: DateTime<Utc> = DateTime::parse_from_rfc3339(at).expect("time").into();
        DropSample {
            at,
            local: at,
            drop,
        }
    }

    #[test]
    fn orders_taken_before_the_recording_are_in_no_minute() {
        let samples = [
            sample("2026-11-27T18:00:30Z", 400),
            sample("2026-11-27T18:01:00Z", 410),
            sample("2026-11-27T18:02:00Z", 430),
            sample("2026-11-27T18:03:10Z", 431),
        ];
        let minutes: Vec<u64> = orders_per_minute(&samples)
            .iter()
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(minutes, vec![20, 0]);
    }
}
