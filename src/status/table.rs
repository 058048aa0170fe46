//! The readable form of a [`Report`]: one aligned table per section.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::model::estimate::Estimate;
use crate::model::format::{self, Zone, money as format_money};
use crate::model::report::{AlertState, Report};

/// Renders `report` as aligned plain-text tables (no colour, no box drawing: it goes to pipes
/// and cron mail as often as to a terminal). Estimates whose 90 % range is wider than
/// ±`settled_pct` % are shown as estimates with their range (`~6/min (0–35)`, a projected
/// time `~21:15 (19:01–Sat 12:17)`), by the same formatting code as the screen.
#[must_use]
pub fn render_table(report: &Report, settled_pct: f64) -> String {
    let now = report.as_of;
    let at = |t: DateTime<Utc>| format::clock_in(t, Zone::Utc, now);
    let mut out = String::new();
    let skew = report
        .clock_skew_s
        .map_or_else(|| "unknown".to_owned(), |s| format!("{s:+.1} s"));
    let _ = writeln!(
        out,
        "dropday status at {} (server time; clock skew {skew})\n",
        clock(report.as_of)
    );

    let mut feeds = Table::new(&["FEED", "STATE", "LATENCY", "LAST SUCCESS"]);
    for feed in &report.feeds {
        let state = match (&feed.error, feed.stale) {
            (Some(error), true) => format!("STALE, {error}"),
            (Some(error), false) => format!("error: {error}"),
            (None, true) => "STALE".to_owned(),
            (None, false) => "ok".to_owned(),
        };
        feeds.row(vec![
            feed.name.to_owned(),
            state,
            feed.latency_ms.map_or_else(dash, |ms| format!("{ms} ms")),
            feed.last_success.map_or_else(dash, clock),
        ]);
    }
    feeds.write_to(&mut out, "FEEDS");

    let mut drops = Table::new(&[
        "DROP",
        "STATE",
        "COUNTDOWN",
        "CONV",
        "LIVE",
        "SOLD",
        "SELL-OUT",
        "BAND",
        "BANDS",
    ]);
    for drop in &report.drops {
        let bands = drop
            .bands
            .iter()
            .map(|band| {
                format!(
                    "{}{} {} m{}{}",
                    band.id,
                    if band.id == drop.active_band { "*" } else { "" },
                    format_money(band.price_minor, &drop.currency),
                    pct(band.margin_pct),
                    if band.allowed { "" } else { " (below floor)" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        drops.row(vec![
            drop.id.clone(),
            drop.state.clone(),
            drop.countdown_s.map_or_else(dash, countdown),
            pct(drop.conversion_pct),
            estimate3(
                drop.live_conversion_pct,
                drop.live_conversion_pct_low,
                drop.live_conversion_pct_high,
            )
            .map_or_else(dash, |e| format::percent_estimate(Some(e), settled_pct)),
            pct(drop.sell_through_pct),
            match (drop.sellout_at, drop.units_left_at_close) {
                (Some(point), _) => format::instant_estimate(
                    now,
                    point,
                    drop.sellout_at_low,
                    drop.sellout_at_high,
                    settled_pct,
                    Zone::Utc,
                ),
                (None, Some(left)) => {
                    units_estimate(
                        left,
                        drop.units_left_at_close_low,
                        drop.units_left_at_close_high,
                        settled_pct,
                    ) + " left at close"
                }
                (None, None) => dash(),
            },
            drop.active_band.clone(),
            bands,
        ]);
    }
    drops.write_to(&mut out, "DROPS");

    let mut hubs = Table::new(&[
        "HUB",
        "REMAINING",
        "BURN/MIN",
        "EXHAUSTS",
        "AT WINDOW END",
        "OVERAGE",
        "SHORTFALL",
        "ON TIME",
        "OVERDUE",
    ]);
    for hub in &report.hubs {
        let exhausts = match (
            hub.capacity_reached,
            hub.lasts_window,
            hub.projected_exhaustion_at,
        ) {
            (true, _, _) => "reached".to_owned(),
            (false, Some(true), _) => "lasts the window".to_owned(),
            (false, _, Some(point)) => format::instant_estimate(
                now,
                point,
                hub.projected_exhaustion_at_low,
                hub.projected_exhaustion_at_high,
                settled_pct,
                Zone::Utc,
            ),
            (false, _, None) => dash(),
        };
        let priced = |units: Option<u64>,
                      low: Option<u64>,
                      high: Option<u64>,
                      cost: Option<i64>| match (units, cost) {
            (Some(0), _) if high.is_none_or(|h| h == 0) => "0".to_owned(),
            (Some(units), Some(cost)) => format!(
                "{} ({})",
                units_estimate(units, low, high, settled_pct),
                format_money(cost, &hub.currency)
            ),
            _ => dash(),
        };
        let remaining = if hub.over_contract_units > 0 {
            format!("over by {}", hub.over_contract_units)
        } else {
            hub.remaining_units.to_string()
        };
        let burn = estimate3(
            hub.burn_units_per_min,
            hub.burn_units_per_min_low,
            hub.burn_units_per_min_high,
        );
        hubs.row(vec![
            hub.id.clone(),
            remaining,
            format::rate(burn, settled_pct, hub.rate_span_s),
            exhausts,
            hub.projected_at_window_end.map_or_else(dash, |units| {
                units_estimate(
                    units,
                    hub.projected_at_window_end_low,
                    hub.projected_at_window_end_high,
                    settled_pct,
                )
            }),
            priced(
                hub.overage_units,
                hub.overage_units_low,
                hub.overage_units_high,
                hub.overage_cost_minor,
            ),
            priced(
                hub.shortfall_units,
                hub.shortfall_units_low,
                hub.shortfall_units_high,
                hub.penalty_minor,
            ),
            pct(hub.on_time_pct),
            hub.overdue_open.to_string(),
        ]);
    }
    hubs.write_to(&mut out, "HUBS");

    let mut popups = Table::new(&["POP-UP", "OPEN", "TERMINALS", "REVENUE", "PICKUPS OVERDUE"]);
    for popup in &report.popups {
        popups.row(vec![
            popup.id.clone(),
            if popup.open { "open" } else { "closed" }.to_owned(),
            format!(
                "{}/{} online",
                popup.terminals_online, popup.terminals_total
            ),
            format_money(popup.revenue_minor, &popup.currency),
            popup.pickups_overdue.to_string(),
        ]);
    }
    popups.write_to(&mut out, "POP-UPS");

    let mut alerts = Table::new(&["SEVERITY", "STATE", "KIND", "SUBJECT", "SINCE", "MESSAGE"]);
    for alert in &report.alerts {
        alerts.row(vec![
            format!(
                "{}{}",
                alert.severity.as_str(),
                if alert.silenced { " (silenced)" } else { "" }
            ),
            match alert.state {
                AlertState::Firing => "firing",
                AlertState::Pending => "pending",
            }
            .to_owned(),
            alert.kind.as_str().to_owned(),
            alert.subject.clone(),
            at(alert.since),
            alert.message.clone(),
        ]);
    }
    alerts.write_to(&mut out, "ALERTS");

    if !report.skipped.is_empty() {
        let mut skipped = Table::new(&["FEED", "ENTRY", "ERROR"]);
        for entry in &report.skipped {
            skipped.row(vec![
                entry.feed.to_owned(),
                entry.entry.clone(),
                entry.error.clone(),
            ]);
        }
        skipped.write_to(&mut out, "SKIPPED ENTRIES");
    }
    out
}

/// Rows of cells, drawn with each column as wide as its widest cell.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn write_to(&self, out: &mut String, title: &str) {
        let _ = writeln!(out, "{title}");
        if self.rows.is_empty() {
            let _ = writeln!(out, "  (none)\n");
            return;
        }
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::from(" ");
            for (cell, width) in row.iter().zip(&widths) {
                let _ = write!(line, " {cell:<width$}");
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out.push('\n');
    }
}

fn dash() -> String {
    "-".to_owned()
}

fn pct(value: Option<f64>) -> String {
    format::percent(value)
}

fn clock(at: DateTime<Utc>) -> String {
    format::clock(at)
}

fn countdown(seconds: i64) -> String {
    format::countdown_words(seconds)
}

/// An estimate from a report's point and `_low`/`_high` siblings.
fn estimate3(point: Option<f64>, low: Option<f64>, high: Option<f64>) -> Option<Estimate> {
    Estimate::new(point?, low.unwrap_or(point?), high.unwrap_or(point?))
}

/// A count of units with its range: `630` or `≈630 (285–1532)`.
fn units_estimate(point: u64, low: Option<u64>, high: Option<u64>, settled_pct: f64) -> String {
    let as_f = |u: u64| u as f64;
    Estimate::new(
        as_f(point),
        as_f(low.unwrap_or(point)),
        as_f(high.unwrap_or(point)),
    )
    .map_or_else(|| point.to_string(), |e| format::units(e, settled_pct))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::AlertBook;
    use crate::model::board::Board;
    use crate::model::fixtures::{self, at, at_time};

    /// The table's row of `id` in section `title`.
    fn row<'t>(table: &'t str, title: &str, id: &str) -> &'t str {
        let section = table.split(&format!("{title}\n")).nth(1).expect("section");
        section
            .lines()
            .find(|line| line.trim_start().starts_with(id))
            .expect("row")
    }

    #[test]
    fn an_unsettled_exhaustion_is_an_estimate_with_its_range() {
        // ewr-1 burned 2 units in the minute before the FEEDS.md example: a rate from two
        // events, whose 90 % range is far wider than ±25 %.
        let mut board = Board::default();
        let mut hubs = at_time(fixtures::hubs(), at(-60));
        hubs.entries[0].capacity.consumed_units = 208;
        board.ingest_hubs(hubs, at(-60), at(-60));
        board.ingest_hubs(fixtures::hubs(), at(0), at(0));
        let report = Report::build(&board, &AlertBook::new(), at(0));
        let hub = &report.hubs[0];
        let (point, low, high) = (
            hub.projected_exhaustion_at.expect("point"),
            hub.projected_exhaustion_at_low.expect("earliest"),
            hub.projected_exhaustion_at_high.expect("latest"),
        );
        assert!(low < point && point < high, "{low} {point} {high}");
        let table = render_table(&report, 25.0);
        let ewr = row(&table, "HUBS", "ewr-1");
        let cell = format!(
            "~{} ({}–{})",
            point.format("%H:%M"),
            low.format("%H:%M"),
            high.format("%a %H:%M")
        );
        assert!(ewr.contains(&cell), "{cell} in {ewr}");
        // Settled at a ±100000 % tolerance: the point alone, as the room shows a settled figure.
        let settled = row(&render_table(&report, 100_000.0), "HUBS", "ewr-1").to_owned();
        assert!(
            settled.contains(&format!(" {} ", point.format("%H:%M"))),
            "{settled}"
        );
        assert!(!settled.contains('~'), "{settled}");
    }
}
