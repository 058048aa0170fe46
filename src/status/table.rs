//! The readable form of a [`Report`]: one aligned table per section.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::model::money::format_money;
use crate::model::report::Report;

/// Renders `report` as aligned plain-text tables (no colour, no box drawing: it goes to pipes
/// and cron mail as often as to a terminal).
#[must_use]
pub fn render_table(report: &Report) -> String {
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
            pct(drop.live_conversion_pct),
            pct(drop.sell_through_pct),
            drop.sellout_at.map_or_else(dash, clock),
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
        let exhausts = match (hub.capacity_reached, hub.projected_exhaustion_at) {
            (true, _) => "reached".to_owned(),
            (false, Some(at)) => clock(at),
            (false, None) => dash(),
        };
        let priced = |units: Option<u64>, cost: Option<i64>| match (units, cost) {
            (Some(0), _) => "0".to_owned(),
            (Some(units), Some(cost)) => format!("{units} ({})", format_money(cost, &hub.currency)),
            _ => dash(),
        };
        hubs.row(vec![
            hub.id.clone(),
            hub.remaining_units.to_string(),
            hub.burn_units_per_min
                .map_or_else(dash, |rate| format!("{rate:.1}")),
            exhausts,
            hub.projected_at_window_end
                .map_or_else(dash, |units| units.to_string()),
            priced(hub.overage_units, hub.overage_cost_minor),
            priced(hub.shortfall_units, hub.penalty_minor),
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

    let mut alerts = Table::new(&["SEVERITY", "KIND", "SUBJECT", "SINCE", "MESSAGE"]);
    for alert in &report.alerts {
        alerts.row(vec![
            format!(
                "{}{}",
                alert.severity.as_str(),
                if alert.silenced { " (silenced)" } else { "" }
            ),
            alert.kind.as_str().to_owned(),
            alert.subject.clone(),
            clock(alert.since),
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
    value.map_or_else(dash, |v| format!("{v:.1} %"))
}

fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M:%S").to_string()
}

/// `1h 05m 09s`, `12m 30s`, `45s`.
fn countdown(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::countdown;

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(3909), "1h 05m 09s");
        assert_eq!(countdown(750), "12m 30s");
        assert_eq!(countdown(45), "45s");
        assert_eq!(countdown(-3), "0s");
    }
}
