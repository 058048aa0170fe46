//! Rules `capacity_exhaustion`, `capacity_underuse`, `sla_breach`, `orders_overdue`.

use crate::model::figures::{Exhaustion, priced};
use crate::model::format::{money, utc_clock, utc_hhmm};
use crate::model::views::HubOutlook;

use super::super::finding::{Findings, POINT_MIN_EVENTS, graded};
use super::super::kind::{AlertKind, Severity};
use super::super::thresholds::AlertThresholds;
use super::{minutes_words, plural, rate_words};

pub(super) fn rules(hub: &HubOutlook<'_>, t: &AlertThresholds, out: &mut Findings) {
    exhaustion(hub, t, out);
    underuse(hub, t, out);
    sla(hub, t, out);
    let h = hub.hub;
    if h.sla.overdue_open > 0 {
        let found = out.push(
            AlertKind::OrdersOverdue,
            &h.id,
            Severity::Warning,
            format!(
                "{} has {} order{} past due and not shipped",
                h.id,
                h.sla.overdue_open,
                plural(h.sla.overdue_open),
            ),
        );
        // The problem began when the oldest listed order fell due.
        found.began = h.overdue.iter().map(|o| o.due_at).min();
        let overdue = h.sla.overdue_open as f64;
        found.figure = Some(overdue);
    }
}

/// Whether the burn's point estimate rests on enough events to grade an alert by itself.
fn point_has_evidence(hub: &HubOutlook<'_>) -> bool {
    hub.burn.is_some_and(|b| b.events >= POINT_MIN_EVENTS)
}

/// Critical when even the latest exhaustion is before the window ends and even the smallest
/// overage is material; warning when the point overage is; info when the overage is certain
/// but immaterial; nothing otherwise.
#[allow(clippy::many_single_char_names)] // t, h and the rest: every rule's shorthand for thresholds, hub
fn exhaustion(hub: &HubOutlook<'_>, t: &AlertThresholds, out: &mut Findings) {
    let h = hub.hub;
    let cap = &h.capacity;
    let o = &hub.capacity;
    let rule = t.rule(AlertKind::CapacityExhaustion);
    let sure = o.surely_exhausts_before(cap.window_end);
    let likely = o.exhausts_before(cap.window_end) && point_has_evidence(hub);
    let over_now = (
        o.over_contract_units,
        priced(o.over_contract_units, cap.overage_cost_minor),
    );
    let low = o
        .overage_range
        .zip(o.overage_cost_range)
        .map_or(over_now, |(u, c)| {
            (u.low.max(over_now.0), c.low.max(over_now.1))
        });
    let point = o
        .overage_units
        .zip(o.overage_cost_minor)
        .map_or(low, |(u, c)| (u.max(low.0), c.max(low.1)));
    // Certain to run out but with its least overage immaterial: the point says how much, and
    // a material one is a warning (not info: "certain and small" is not what the range says).
    let severity = if sure && rule.is_material(low.0, low.1) {
        Some(Severity::Critical)
    } else if (likely || sure) && rule.is_material(point.0, point.1) {
        graded(Severity::Critical, false, true)
    } else if sure {
        Some(Severity::Info)
    } else {
        None
    };
    let Some(severity) = severity else {
        return;
    };
    let cost = money(point.1, &cap.currency);
    let message = match o.exhaustion {
        Exhaustion::At(at) => {
            let range = match (o.exhaustion_earliest, o.exhaustion_latest) {
                (Some(e), Some(l)) => format!(" ({}–{})", utc_clock(e, at), utc_clock(l, at)),
                (Some(e), None) => format!(" ({}–later)", utc_clock(e, at)),
                _ => String::new(),
            };
            format!(
                "{} runs out at {}{range}, {} before its window ends ({} units left at {}); about {} over, {cost}",
                h.id,
                utc_hhmm(at),
                minutes_words(cap.window_end - at),
                o.remaining_units,
                rate_words(o.burn, t),
                point.0,
            )
        }
        Exhaustion::Reached { over_by: 0 } => format!(
            "{} has used all {} contracted units with {} of its window left",
            h.id,
            cap.contracted_units,
            minutes_words(o.time_left),
        ),
        Exhaustion::Reached { over_by } => format!(
            "{} is {} units over its contract of {} with {} of its window left",
            h.id,
            over_by,
            cap.contracted_units,
            minutes_words(o.time_left),
        ),
        // `exhausts_before` is false without a projection.
        Exhaustion::NotBurning => format!("{} runs out before its window ends", h.id),
    };
    let found = out.push(AlertKind::CapacityExhaustion, &h.id, severity, message);
    let units = point.0 as f64;
    found.figure = Some(units);
}

/// Warning when even the highest projection is short of the commitment by a material amount;
/// info when only the point is, or the shortfall is certain but immaterial.
fn underuse(hub: &HubOutlook<'_>, t: &AlertThresholds, out: &mut Findings) {
    let h = hub.hub;
    let cap = &h.capacity;
    let o = &hub.capacity;
    let rule = t.rule(AlertKind::CapacityUnderuse);
    let (Some(at_end), Some(units), Some(penalty)) = (
        o.projected_at_window_end,
        o.shortfall_units,
        o.penalty_minor,
    ) else {
        return;
    };
    let low = o
        .shortfall_range
        .zip(o.penalty_range)
        .map_or((units, penalty), |(u, c)| (u.low, c.low));
    let base = AlertKind::CapacityUnderuse.severity();
    let severity = if low.0 > 0 && rule.is_material(low.0, low.1) {
        Some(base)
    } else if units > 0 && point_has_evidence(hub) && rule.is_material(units, penalty) {
        graded(base, false, true)
    } else if low.0 > 0 {
        Some(Severity::Info)
    } else {
        None
    };
    let Some(severity) = severity else {
        return;
    };
    let range = o
        .projected_range
        .filter(|r| r.low != r.high)
        .map(|r| format!(" ({}–{})", r.low, r.high))
        .unwrap_or_default();
    let found = out.push(
        AlertKind::CapacityUnderuse,
        &h.id,
        severity,
        format!(
            "{} heads for {at_end}{range} of its {} committed units by {}: {units} short, penalty {}",
            h.id,
            cap.min_commit_units,
            utc_hhmm(cap.window_end),
            money(penalty, &cap.currency),
        ),
    );
    let units = units as f64;
    found.figure = Some(units);
}

fn sla(hub: &HubOutlook<'_>, t: &AlertThresholds, out: &mut Findings) {
    let h = hub.hub;
    if let Some(pct) = hub.on_time_pct
        && hub.sla_orders >= t.sla_min_orders
        && pct < h.sla.target_pct
    {
        let found = out.push(
            AlertKind::SlaBreach,
            &h.id,
            AlertKind::SlaBreach.severity(),
            format!(
                "{} ships {:.1} % on time, below its {:.1} % target ({} of {} orders)",
                h.id, pct, h.sla.target_pct, h.sla.on_time, hub.sla_orders,
            ),
        );
        // Worse means further below target: the gap is the figure.
        found.figure = Some(h.sla.target_pct - pct);
    }
}
