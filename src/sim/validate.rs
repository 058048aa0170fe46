//! Checks a parsed scenario for values that would make the simulation meaningless.
//!
//! Errors are `(key, message)`: the key is the TOML path (`drops[0].bands[2].conversion`) so the
//! person editing the file finds the line.

use std::collections::HashMap;

use crate::feed::wire::TerminalStatus;

use super::scenario::{
    BandSpec, DropSpec, HubSpec, Offset, PopupSpec, RatePoint, Scenario, TerminalSpec, duplicate,
};

type Check = Result<(), (String, String)>;

fn fail(key: impl Into<String>, message: impl Into<String>) -> Check {
    Err((key.into(), message.into()))
}

/// Validates the whole scenario.
pub(crate) fn check(s: &Scenario) -> Check {
    if s.name.trim().is_empty() {
        return fail("scenario.name", "is empty: give the scenario a name");
    }
    if !(0.0..=0.5).contains(&s.noise) {
        return fail("scenario.noise", "must be between 0 and 0.5");
    }
    if s.history_s > 48 * 3600 {
        return fail("scenario.history", "must be at most 48h");
    }
    if let Some((i, id)) = duplicate(s.drops.iter().map(|d| d.id.as_str())) {
        return fail(format!("drops[{i}].id"), format!("`{id}` is used twice"));
    }
    if let Some((i, id)) = duplicate(s.hubs.iter().map(|h| h.id.as_str())) {
        return fail(format!("hubs[{i}].id"), format!("`{id}` is used twice"));
    }
    if let Some((i, id)) = duplicate(s.popups.iter().map(|p| p.id.as_str())) {
        return fail(format!("popups[{i}].id"), format!("`{id}` is used twice"));
    }
    for (i, drop) in s.drops.iter().enumerate() {
        check_drop(&format!("drops[{i}]"), drop)?;
    }
    let mut shares: HashMap<&str, f64> = HashMap::new();
    for (i, hub) in s.hubs.iter().enumerate() {
        let key = format!("hubs[{i}]");
        check_hub(&key, hub, s)?;
        for drop_id in &hub.drop_ids {
            let total = shares.entry(drop_id.as_str()).or_default();
            *total += hub.share;
            if *total > 1.0 + 1e-9 {
                return fail(
                    format!("{key}.share"),
                    format!("brings the hubs' shares of `{drop_id}` above 1 ({total:.2})"),
                );
            }
        }
    }
    for (i, popup) in s.popups.iter().enumerate() {
        check_popup(&format!("popups[{i}]"), popup, s)?;
    }
    Ok(())
}

fn check_id(key: &str, id: &str) -> Check {
    if id.trim().is_empty() {
        return fail(format!("{key}.id"), "is empty");
    }
    Ok(())
}

fn check_currency(key: &str, currency: &str) -> Check {
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return fail(
            format!("{key}.currency"),
            format!("`{currency}` is not an ISO 4217 code like USD"),
        );
    }
    Ok(())
}

fn check_span(key: &str, from_key: &str, from: Offset, to_key: &str, to: Offset) -> Check {
    if to <= from {
        return fail(
            format!("{key}.{to_key}"),
            format!("({to}) must be after `{from_key}` ({from})"),
        );
    }
    Ok(())
}

fn check_rate(key: &str, value: f64) -> Check {
    if !value.is_finite() || value < 0.0 {
        return fail(key, format!("({value}) must be a number ≥ 0"));
    }
    Ok(())
}

fn check_curve(key: &str, points: &[RatePoint]) -> Check {
    if points.is_empty() {
        return fail(
            key,
            "needs at least one point {{ at = \"0\", per_min = … }}",
        );
    }
    for (i, point) in points.iter().enumerate() {
        check_rate(&format!("{key}[{i}].per_min"), point.per_min)?;
        if i > 0 && point.at <= points[i - 1].at {
            return fail(
                format!("{key}[{i}].at"),
                "points must be in increasing time order",
            );
        }
    }
    Ok(())
}

fn check_band(key: &str, band: &BandSpec) -> Check {
    check_id(key, &band.id)?;
    if band.price_minor <= 0 {
        return fail(format!("{key}.price_minor"), "must be above 0");
    }
    if band.unit_cost_minor < 0 {
        return fail(format!("{key}.unit_cost_minor"), "must not be negative");
    }
    if !(0.0..=1.0).contains(&band.conversion) {
        return fail(
            format!("{key}.conversion"),
            "is orders per session: between 0 and 1",
        );
    }
    Ok(())
}

fn check_drop(key: &str, d: &DropSpec) -> Check {
    check_id(key, &d.id)?;
    check_span(key, "opens", d.opens, "closes", d.closes)?;
    check_currency(key, &d.currency)?;
    if d.bands.is_empty() {
        return fail(format!("{key}.bands"), "needs at least one [[drops.bands]]");
    }
    if let Some((i, id)) = duplicate(d.bands.iter().map(|b| b.id.as_str())) {
        return fail(
            format!("{key}.bands[{i}].id"),
            format!("`{id}` is used twice"),
        );
    }
    for (i, band) in d.bands.iter().enumerate() {
        check_band(&format!("{key}.bands[{i}]"), band)?;
    }
    if !(0.0..100.0).contains(&d.margin_floor_pct) {
        return fail(
            format!("{key}.margin_floor_pct"),
            "must be between 0 and 100",
        );
    }
    let Some(active) = d.bands.iter().find(|b| b.id == d.active_band) else {
        return fail(
            format!("{key}.active_band"),
            format!("`{}` is not one of the drop's bands", d.active_band),
        );
    };
    if active.margin_pct() < d.margin_floor_pct {
        return fail(
            format!("{key}.active_band"),
            format!(
                "`{}` has a margin of {:.1} %, below the floor of {} %",
                active.id,
                active.margin_pct(),
                d.margin_floor_pct
            ),
        );
    }
    let max_conversion = d.bands.iter().map(|b| b.conversion).fold(0.0, f64::max);
    if !(max_conversion..=1.0).contains(&d.cart_rate) {
        return fail(
            format!("{key}.cart_rate"),
            format!("must be between the best band conversion ({max_conversion}) and 1"),
        );
    }
    if !(1.0..=100.0).contains(&d.units_per_order) {
        return fail(
            format!("{key}.units_per_order"),
            "must be between 1 and 100",
        );
    }
    check_curve(&format!("{key}.demand"), &d.demand)
}

fn check_drop_ids(key: &str, ids: &[String], s: &Scenario) -> Check {
    for (i, id) in ids.iter().enumerate() {
        if !s.drops.iter().any(|d| &d.id == id) {
            return fail(
                format!("{key}.drop_ids[{i}]"),
                format!("`{id}` is not a drop of this scenario"),
            );
        }
    }
    Ok(())
}

fn check_hub(key: &str, h: &HubSpec, s: &Scenario) -> Check {
    check_id(key, &h.id)?;
    check_drop_ids(key, &h.drop_ids, s)?;
    if !(h.share > 0.0 && h.share <= 1.0) {
        return fail(format!("{key}.share"), "must be above 0 and at most 1");
    }
    check_span(
        key,
        "window_start",
        h.window_start,
        "window_end",
        h.window_end,
    )?;
    check_currency(key, &h.currency)?;
    if h.min_commit_units > h.contracted_units {
        return fail(
            format!("{key}.min_commit_units"),
            "must not exceed contracted_units",
        );
    }
    if h.ship_within.secs() <= 0 {
        return fail(format!("{key}.ship_within"), "must be a positive duration");
    }
    if !(h.target_pct > 0.0 && h.target_pct <= 100.0) {
        return fail(
            format!("{key}.target_pct"),
            "must be above 0 and at most 100",
        );
    }
    check_rate(&format!("{key}.pick_per_min"), h.pick_per_min)?;
    check_rate(&format!("{key}.pack_per_min"), h.pack_per_min)?;
    check_rate(&format!("{key}.ship_per_min"), h.ship_per_min)?;
    for (i, outage) in h.carrier_outages.iter().enumerate() {
        check_span(
            &format!("{key}.carrier_outages[{i}]"),
            "from",
            outage.from,
            "until",
            outage.until,
        )?;
    }
    Ok(())
}

fn check_terminal(key: &str, t: &TerminalSpec) -> Check {
    check_id(key, &t.id)?;
    let known = |status: &TerminalStatus| !matches!(status, TerminalStatus::Other(_));
    if !known(&t.status) {
        return fail(
            format!("{key}.status"),
            format!("`{}` is not online, offline or needs_attention", t.status),
        );
    }
    if t.battery_pct.is_some_and(|b| b > 100) {
        return fail(format!("{key}.battery_pct"), "must be at most 100");
    }
    check_rate(&format!("{key}.drain_pct_per_hour"), t.drain_pct_per_hour)?;
    for (i, change) in t.changes.iter().enumerate() {
        if !known(&change.status) {
            return fail(
                format!("{key}.changes[{i}].status"),
                format!(
                    "`{}` is not online, offline or needs_attention",
                    change.status
                ),
            );
        }
        if i > 0 && change.at <= t.changes[i - 1].at {
            return fail(
                format!("{key}.changes[{i}].at"),
                "changes must be in increasing time order",
            );
        }
    }
    Ok(())
}

fn check_popup(key: &str, p: &PopupSpec, s: &Scenario) -> Check {
    check_id(key, &p.id)?;
    check_drop_ids(key, &p.drop_ids, s)?;
    check_span(key, "opens", p.opens, "closes", p.closes)?;
    check_currency(key, &p.currency)?;
    if p.price_minor < 0 {
        return fail(format!("{key}.price_minor"), "must not be negative");
    }
    if !(1.0..=100.0).contains(&p.units_per_sale) {
        return fail(format!("{key}.units_per_sale"), "must be between 1 and 100");
    }
    check_curve(&format!("{key}.sales"), &p.sales)?;
    check_rate(&format!("{key}.pickups_per_min"), p.pickups_per_min)?;
    check_rate(&format!("{key}.collect_per_min"), p.collect_per_min)?;
    if p.pickup_due.secs() <= 0 {
        return fail(format!("{key}.pickup_due"), "must be a positive duration");
    }
    if p.terminals.is_empty() {
        return fail(
            format!("{key}.terminals"),
            "needs at least one [[popups.terminals]]",
        );
    }
    if let Some((i, id)) = duplicate(p.terminals.iter().map(|t| t.id.as_str())) {
        return fail(
            format!("{key}.terminals[{i}].id"),
            format!("`{id}` is used twice"),
        );
    }
    for (i, terminal) in p.terminals.iter().enumerate() {
        check_terminal(&format!("{key}.terminals[{i}]"), terminal)?;
    }
    if let Some(pickup) = &p.pickup_terminal
        && !p.terminals.iter().any(|t| &t.id == pickup)
    {
        return fail(
            format!("{key}.pickup_terminal"),
            format!("`{pickup}` is not one of the pop-up's terminals"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::sim::scenario::Scenario;

    const BASE: &str = r#"
[scenario]
name = "t"
history = "10m"

[[drops]]
id = "d"
opens = "-5m"
closes = "1h"
currency = "USD"
allocated = 100
active_band = "A"
margin_floor_pct = 50.0
cart_rate = 0.2
demand = [{ at = "0", per_min = 60 }]
[[drops.bands]]
id = "A"
price_minor = 1000
unit_cost_minor = 400
conversion = 0.05
"#;

    fn error_of(extra: &str, find: &str, replace: &str) -> String {
        let text = format!("{}{extra}", BASE.replace(find, replace));
        match Scenario::from_toml(&text, "t.toml") {
            Ok(_) => "valid".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn base_is_valid() {
        assert_eq!(error_of("", "", ""), "valid");
    }

    #[test]
    fn invalid_values_name_their_key() {
        let hub = "\n[[hubs]]\nid = \"h\"\nname = \"H\"\ndrop_ids = [\"zz\"]\nshare = 0.5\n\
                   contracted_units = 10\nmin_commit_units = 5\nwindow_start = \"0\"\n\
                   window_end = \"1h\"\ncurrency = \"USD\"\noverage_cost_minor = 1\n\
                   unused_penalty_minor = 1\nship_within = \"30m\"\ntarget_pct = 95.0\n\
                   pick_per_min = 1.0\npack_per_min = 1.0\nship_per_min = 1.0\n";
        for (extra, find, replace, needle) in [
            (
                "",
                "closes = \"1h\"",
                "closes = \"-10m\"",
                "drops[0].closes",
            ),
            (
                "",
                "currency = \"USD\"",
                "currency = \"dollars\"",
                "drops[0].currency",
            ),
            (
                "",
                "active_band = \"A\"",
                "active_band = \"Z\"",
                "drops[0].active_band",
            ),
            (
                "",
                "unit_cost_minor = 400",
                "unit_cost_minor = 900",
                "below the floor",
            ),
            (
                "",
                "cart_rate = 0.2",
                "cart_rate = 0.01",
                "drops[0].cart_rate",
            ),
            (
                "",
                "conversion = 0.05",
                "conversion = 1.5",
                "drops[0].bands[0].conversion",
            ),
            (
                "",
                "per_min = 60",
                "per_min = -1",
                "drops[0].demand[0].per_min",
            ),
            (hub, "", "", "hubs[0].drop_ids[0]"),
        ] {
            let err = error_of(extra, find, replace);
            assert!(
                err.contains(needle) && err.contains("t.toml"),
                "{needle}: {err}"
            );
        }
    }
}
