//! The report as Markdown (the default of `dropday report`): one section per part, tables a
//! person reads in a terminal or pastes into the launch retro.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::model::money::format_money;

use super::{ConversionWindow, PostDrop};

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2} %"))
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn opt_time(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), time)
}

fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{s:02}s")
    } else {
        format!("{s}s")
    }
}

fn money(minor: i64, currency: &str) -> String {
    format_money(minor, currency)
}

fn window(w: &ConversionWindow) -> String {
    match (
        w.conversion_pct,
        w.conversion_pct_low,
        w.conversion_pct_high,
    ) {
        (Some(p), Some(low), Some(high)) => format!(
            "{p:.2} % ({low:.2}–{high:.2}) over {:.0} min, {} orders / {} sessions",
            w.minutes, w.orders, w.sessions
        ),
        _ => format!("— over {:.0} min (no sessions)", w.minutes),
    }
}

/// The report as Markdown.
#[must_use]
pub fn render(report: &PostDrop) -> String {
    let mut out = String::new();
    let r = &report.recording;
    let _ = writeln!(out, "# Post-drop report — {}\n", r.environment);
    let _ = writeln!(
        out,
        "Recording: {} segment(s), {} documents, {} failed polls, {} h of server time ({} to {} UTC){}.\n",
        r.segments,
        r.documents,
        r.failed_polls,
        report.covered_hours,
        opt_time(r.first_document),
        opt_time(r.last_document),
        if r.cut_bytes > 0 {
            format!(
                "; its last {} bytes were a cut frame (the recorder was killed) and are not counted",
                r.cut_bytes
            )
        } else {
            String::new()
        }
    );
    out.push_str("## Drops\n\n");
    for d in &report.drops {
        let _ = writeln!(
            out,
            "### {}{}\n",
            d.id,
            d.title
                .as_deref()
                .map_or(String::new(), |t| format!(" — {t}"))
        );
        let _ = writeln!(out, "| figure | value |\n| --- | --- |");
        let _ = writeln!(out, "| state at the end | {} |", d.state);
        let _ = writeln!(
            out,
            "| conversion | {} ({} orders / {} sessions) |",
            pct(d.conversion_pct),
            d.orders,
            d.sessions
        );
        let _ = writeln!(
            out,
            "| conversion, first 48 h | {} |",
            d.conversion_48h_pct.map_or_else(
                || format!("— (the recording covers {} h)", report.covered_hours),
                |v| format!("{v:.2} %")
            )
        );
        for band in &d.bands {
            let _ = writeln!(
                out,
                "| conversion, band {} | {} ({} / {}) |",
                band.id,
                pct(band.conversion_pct),
                band.orders,
                band.sessions
            );
        }
        let _ = writeln!(
            out,
            "| orders per minute | peak {}, median {} while live |",
            d.peak_orders_per_min
                .map_or_else(|| "—".to_owned(), |v| v.to_string()),
            d.median_orders_per_min
                .map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
        );
        let _ = writeln!(
            out,
            "| time to first order | {} |",
            d.time_to_first_order_s.map_or_else(
                || "— (orders came before the recording began, or none came)".to_owned(),
                duration
            )
        );
        let _ = writeln!(out, "| sell-through | {} |", pct(d.sell_through_pct));
        let _ = writeln!(
            out,
            "| sell-out | {} |",
            d.sold_out_at.map_or_else(
                || format!(
                    "not sold out: {} units left {}",
                    d.units_left,
                    if d.units_left_at_close {
                        "at close"
                    } else {
                        "when the recording ended"
                    }
                ),
                time
            )
        );
        let _ = writeln!(
            out,
            "| revenue | {} |\n",
            money(d.revenue_minor, &d.currency)
        );
        if d.band_switches.is_empty() {
            out.push_str("Band switches: none.\n\n");
        } else {
            out.push_str("Band switches:\n\n| at | from → to | by | before | after | verdict |\n| --- | --- | --- | --- | --- | --- |\n");
            for s in &d.band_switches {
                let _ = writeln!(
                    out,
                    "| {} | {} → {} | {} | {} | {} | {} |",
                    time(s.at),
                    s.from,
                    s.to,
                    s.by.as_deref().unwrap_or("—"),
                    window(&s.before),
                    window(&s.after),
                    s.verdict
                );
            }
            out.push('\n');
        }
        if d.pauses.is_empty() {
            out.push_str("Pauses: none.\n\n");
        } else {
            out.push_str("Pauses:\n\n| from | until | for | paused by | resumed by |\n| --- | --- | --- | --- | --- |\n");
            for p in &d.pauses {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    time(p.from),
                    p.until.map_or_else(|| "still paused".to_owned(), time),
                    duration(p.duration_s),
                    p.by.as_deref().unwrap_or("—"),
                    p.resumed_by.as_deref().unwrap_or("—")
                );
            }
            out.push('\n');
        }
    }
    out.push_str("## Hubs\n\n| hub | consumed / contract | overage | shortfall | on time (target) | in breach | peak overdue | overdue by reason |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for h in &report.hubs {
        let consumed = if h.projected {
            format!(
                "{} now; projected {} ({}–{}) at {} / {}",
                h.consumed_units,
                h.projected_units
                    .map_or_else(|| "—".to_owned(), |v| v.to_string()),
                h.projected_units_low
                    .map_or_else(|| "?".to_owned(), |v| v.to_string()),
                h.projected_units_high
                    .map_or_else(|| "?".to_owned(), |v| v.to_string()),
                time(h.window_end),
                h.contracted_units
            )
        } else {
            format!(
                "{} / {} at window end",
                h.consumed_units, h.contracted_units
            )
        };
        let overage = match (h.overage_units, h.overage_cost_minor) {
            (Some(units), Some(cost)) => format!(
                "{}{units} units = {}{}",
                if h.projected { "≈" } else { "" },
                money(cost, &h.currency),
                match (h.overage_cost_minor_low, h.overage_cost_minor_high) {
                    (Some(low), Some(high)) if h.projected => format!(
                        " ({}–{})",
                        money(low, &h.currency),
                        money(high, &h.currency)
                    ),
                    _ => String::new(),
                }
            ),
            _ => "—".to_owned(),
        };
        let shortfall = match (h.shortfall_units, h.penalty_minor) {
            (Some(units), Some(cost)) => format!("{units} units = {}", money(cost, &h.currency)),
            _ => "—".to_owned(),
        };
        let reasons: Vec<String> = h
            .overdue_by_reason
            .iter()
            .map(|(reason, n)| format!("{reason} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {consumed} | {overage} | {shortfall} | {} ({:.1} %) | {:.1} min | {} | {} |",
            h.id,
            pct(h.on_time_pct),
            h.target_pct,
            h.breach_minutes,
            h.peak_overdue,
            if reasons.is_empty() {
                "—".to_owned()
            } else {
                reasons.join(", ")
            }
        );
    }
    out.push_str("\n## Pop-ups\n\n| pop-up | revenue | transactions | terminal downtime | peak pick-ups overdue |\n| --- | --- | --- | --- | --- |\n");
    for p in &report.popups {
        let downtime: Vec<String> = p
            .terminal_downtime_s
            .iter()
            .map(|(id, s)| format!("{id} {}", duration(*s)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            p.id,
            money(p.revenue_minor, &p.currency),
            p.transactions,
            downtime.join(", "),
            p.peak_pickups_overdue
        );
    }
    out.push_str("\n## Alerts\n\n| raised (since) | severity | kind | subject | acknowledged by | cleared | lasted |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for a in &report.alerts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            time(a.raised_at),
            a.severity,
            a.kind,
            a.subject,
            a.acked_by.as_deref().unwrap_or("—"),
            a.cleared_at.map_or_else(|| "still firing".to_owned(), time),
            duration(a.duration_s)
        );
    }
    out.push_str("\n## Actions\n\n| at (local) | who | drop | action | outcome | latency |\n| --- | --- | --- | --- | --- | --- |\n");
    for a in &report.actions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}{} | {} ms |",
            time(a.at),
            a.who,
            a.drop,
            a.action,
            a.outcome,
            a.detail
                .as_deref()
                .map_or(String::new(), |d| format!(" ({d})")),
            a.latency_ms
        );
    }
    out.push_str("\n## After the sale\n\n");
    match &report.after_sale {
        Some(after) => {
            // Read before the last drop closed, the rates are of a sale still going on: said
            // in words, not as a negative number of days.
            let when = if after.days_after_close < 0.0 {
                format!(
                    "read {} days before the last drop closed, so returns and repeat buyers \
                     are mostly still to come",
                    -after.days_after_close
                )
            } else {
                format!("read {} days after close", after.days_after_close)
            };
            let _ = writeln!(
                out,
                "Return rate {}, repeat-buyer rate {}; {when} ({} UTC). \
                 `dropday report --refresh` reads them again.",
                pct(after.return_rate_pct),
                pct(after.repeat_buyer_rate_pct),
                time(after.read_at)
            );
        }
        None => out.push_str("The marketplace sent no `after_sale` counters.\n"),
    }
    out
}
