//! The report as one self-contained HTML file: inline CSS and inline SVG charts, no script,
//! no font, no image fetched from anywhere (a test checks there is no external reference).

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::{PostDrop, markdown};

/// Chart size in SVG units.
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 220.0;
const PAD: f64 = 40.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Scales server times and values into the chart's box.
struct Frame {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    max: f64,
}

impl Frame {
    fn x(&self, at: DateTime<Utc>) -> f64 {
        let span = (self.t1 - self.t0).num_milliseconds().max(1) as f64;
        PAD + (at - self.t0).num_milliseconds() as f64 / span * (WIDTH - 2.0 * PAD)
    }

    fn y(&self, value: f64) -> f64 {
        let max = if self.max > 0.0 { self.max } else { 1.0 };
        HEIGHT - PAD + -(value / max) * (HEIGHT - 2.0 * PAD)
    }

    fn axes(&self, out: &mut String, unit: &str) {
        let _ = write!(
            out,
            r##"<line x1="{PAD}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/><line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{b}" stroke="#888"/><text x="{PAD}" y="{ty}" class="tick">{t0}</text><text x="{r}" y="{ty}" class="tick" text-anchor="end">{t1}</text><text x="{lx}" y="{top}" class="tick" text-anchor="end">{max:.0}</text><text x="{lx}" y="{b}" class="tick" text-anchor="end">0</text><text x="{ux}" y="{uy}" class="tick">{unit}</text>"##,
            b = HEIGHT - PAD,
            r = WIDTH - PAD,
            ty = HEIGHT - PAD + 16.0,
            t0 = self.t0.format("%H:%M"),
            t1 = self.t1.format("%H:%M UTC"),
            lx = PAD - 4.0,
            top = PAD + 4.0,
            max = self.max,
            ux = PAD + 6.0,
            uy = PAD - 14.0,
        );
    }
}

fn polyline(points: &[(f64, f64)], class: &str) -> String {
    let mut path = String::new();
    for (x, y) in points {
        let _ = write!(path, "{x:.1},{y:.1} ");
    }
    format!(r#"<polyline class="{class}" fill="none" points="{path}"/>"#)
}

fn svg(body: &str, label: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">{body}</svg>"#,
        escape(label)
    )
}

fn orders_chart(report: &PostDrop, id: &str) -> Option<String> {
    let series = report.charts.orders_per_min.get(id)?;
    let drop = report.drops.iter().find(|d| d.id == id)?;
    let (first, last) = (series.first()?.0, series.last()?.0);
    let frame = Frame {
        t0: first,
        t1: last + chrono::TimeDelta::minutes(1),
        max: series.iter().map(|(_, n)| *n).max().unwrap_or(0) as f64 * 1.1,
    };
    let mut body = String::new();
    for pause in &drop.pauses {
        let x0 = frame.x(pause.from.max(frame.t0));
        let x1 = frame.x(pause.until.unwrap_or(frame.t1).min(frame.t1));
        let _ = write!(
            body,
            r#"<rect class="pause" x="{x0:.1}" y="{PAD}" width="{:.1}" height="{}"><title>paused by {}</title></rect><text class="mark" x="{:.1}" y="{}">paused{}</text>"#,
            (x1 - x0).max(1.0),
            HEIGHT - 2.0 * PAD,
            escape(pause.by.as_deref().unwrap_or("?")),
            x0 + 3.0,
            PAD + 12.0,
            pause
                .by
                .as_deref()
                .map_or(String::new(), |by| format!(" by {}", escape(by)))
        );
    }
    frame.axes(&mut body, "orders / min");
    let bar = ((WIDTH - 2.0 * PAD) / series.len().max(1) as f64 - 1.0).max(1.0);
    for (at, n) in series {
        let (x, y) = (frame.x(*at), frame.y(*n as f64));
        let _ = write!(
            body,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{:.1}"/>"#,
            HEIGHT - PAD - y
        );
    }
    for switch in &drop.band_switches {
        let x = frame.x(switch.at);
        let _ = write!(
            body,
            r#"<line class="switch" x1="{x:.1}" y1="{PAD}" x2="{x:.1}" y2="{}"/><text class="mark" x="{:.1}" y="{}">band {} → {}{}</text>"#,
            HEIGHT - PAD,
            x + 3.0,
            PAD + 26.0,
            escape(&switch.from),
            escape(&switch.to),
            switch
                .by
                .as_deref()
                .map_or(String::new(), |by| format!(" by {}", escape(by)))
        );
    }
    Some(svg(&body, &format!("orders per minute of {id}")))
}

fn burn_chart(report: &PostDrop, id: &str) -> Option<String> {
    let series = report.charts.burn_down.get(id)?;
    let hub = report.hubs.iter().find(|h| h.id == id)?;
    let (first, last) = (series.first()?.0, series.last()?.0);
    let end = if hub.window_end > last && hub.projected {
        hub.window_end
    } else {
        last
    };
    let top = series
        .iter()
        .map(|(_, n)| *n)
        .chain([hub.contracted_units, hub.projected_units_high.unwrap_or(0)])
        .max()
        .unwrap_or(0) as f64
        * 1.1;
    let frame = Frame {
        t0: first,
        t1: end,
        max: top,
    };
    let mut body = String::new();
    frame.axes(&mut body, "units consumed");
    let contract = frame.y(hub.contracted_units as f64);
    let _ = write!(
        body,
        r#"<line class="contract" x1="{PAD}" y1="{contract:.1}" x2="{}" y2="{contract:.1}"/><text class="mark" x="{}" y="{:.1}">contract {}</text>"#,
        WIDTH - PAD,
        PAD + 4.0,
        contract - 4.0,
        hub.contracted_units
    );
    let points: Vec<(f64, f64)> = series
        .iter()
        .map(|(at, n)| (frame.x(*at), frame.y(*n as f64)))
        .collect();
    body.push_str(&polyline(&points, "consumed"));
    if let (true, Some(projected)) = (hub.projected, hub.projected_units)
        && let Some(&(at, n)) = series.last()
    {
        let from = (frame.x(at), frame.y(n as f64));
        let to = (frame.x(hub.window_end), frame.y(projected as f64));
        body.push_str(&polyline(&[from, to], "projected"));
    }
    Some(svg(&body, &format!("burn-down of {id}")))
}

fn on_time_chart(report: &PostDrop, id: &str) -> Option<String> {
    let series = report.charts.on_time.get(id)?;
    let hub = report.hubs.iter().find(|h| h.id == id)?;
    let frame = Frame {
        t0: series.first()?.0,
        t1: series.last()?.0,
        max: 100.0,
    };
    let mut body = String::new();
    frame.axes(&mut body, "on time %");
    let target = frame.y(hub.target_pct);
    let _ = write!(
        body,
        // The label at the right end, under the line: at the left it sat on the axis's
        // `100` and `on time %` (seen in a browser).
        r#"<line class="contract" x1="{PAD}" y1="{target:.1}" x2="{right}" y2="{target:.1}"/><text class="mark" x="{right}" y="{:.1}" text-anchor="end">target {} %</text>"#,
        target + 14.0,
        hub.target_pct,
        right = WIDTH - PAD,
    );
    let points: Vec<(f64, f64)> = series
        .iter()
        .map(|(at, p)| (frame.x(*at), frame.y(*p)))
        .collect();
    body.push_str(&polyline(&points, "ontime"));
    Some(svg(&body, &format!("on-time % of {id}")))
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{margin-top:28px;border-bottom:1px solid #ccc}h3{margin-bottom:4px}\
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}\
svg{width:100%;height:auto;background:#fafafa;border:1px solid #eee;margin:6px 0}\
.tick{font-size:11px;fill:#555}.mark{font-size:12px;fill:#b00}\
.bar{fill:#3b7dd8}.pause{fill:#f5c6c6}.switch{stroke:#b00;stroke-width:2;stroke-dasharray:4 3}\
.contract{stroke:#d08b00;stroke-width:1.5;stroke-dasharray:6 4}.consumed{stroke:#3b7dd8;stroke-width:2}\
.projected{stroke:#3b7dd8;stroke-width:2;stroke-dasharray:3 3}.ontime{stroke:#2a9d4b;stroke-width:2}\
pre{white-space:pre-wrap}";

/// The report as one HTML page.
#[must_use]
pub fn render(report: &PostDrop) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Post-drop report — {}</title><style>{STYLE}</style></head><body>",
        escape(&report.recording.environment)
    );
    let _ = write!(
        out,
        "<h1>Post-drop report — {}</h1><p>{} h of server time, {} documents.</p>",
        escape(&report.recording.environment),
        report.covered_hours,
        report.recording.documents
    );
    out.push_str("<h2>Orders per minute</h2><p>Band switches are the dashed red lines, pauses the shaded spans.</p>");
    for drop in &report.drops {
        let _ = write!(out, "<h3>{}</h3>", escape(&drop.id));
        if let Some(chart) = orders_chart(report, &drop.id) {
            out.push_str(&chart);
        }
    }
    out.push_str("<h2>Capacity burn-down vs contract</h2>");
    for hub in &report.hubs {
        let _ = write!(
            out,
            "<h3>{}{}</h3>",
            escape(&hub.id),
            if hub.projected {
                " (dotted: projected to window end)"
            } else {
                ""
            }
        );
        if let Some(chart) = burn_chart(report, &hub.id) {
            out.push_str(&chart);
        }
    }
    out.push_str("<h2>On-time % over time</h2>");
    for hub in &report.hubs {
        let _ = write!(out, "<h3>{}</h3>", escape(&hub.id));
        if let Some(chart) = on_time_chart(report, &hub.id) {
            out.push_str(&chart);
        }
    }
    out.push_str("<h2>Figures</h2>");
    out.push_str(&tables(&markdown::render(report)));
    out.push_str("</body></html>\n");
    out
}

/// Markdown's `code` spans as `<code>`, the rest escaped (a browser showed the backticks).
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (n, part) in text.split('`').enumerate() {
        if n % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

/// The Markdown report's tables and paragraphs as HTML (the same words and figures).
fn tables(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_table = false;
    for line in markdown.lines() {
        let cells = line.starts_with('|');
        if cells && line.contains("| --- ") {
            continue;
        }
        if cells && !in_table {
            out.push_str("<table>");
            in_table = true;
        } else if !cells && in_table {
            out.push_str("</table>");
            in_table = false;
        }
        if cells {
            out.push_str("<tr>");
            for cell in line.trim_matches('|').split(" | ") {
                let _ = write!(out, "<td>{}</td>", inline(cell.trim()));
            }
            out.push_str("</tr>");
        } else if let Some(title) = line.strip_prefix("### ") {
            let _ = write!(out, "<h3>{}</h3>", escape(title));
        } else if let Some(title) = line.strip_prefix("## ") {
            let _ = write!(out, "<h2>{}</h2>", escape(title));
        } else if line.starts_with("# ") {
        } else if !line.trim().is_empty() {
            let _ = write!(out, "<p>{}</p>", inline(line));
        }
    }
    if in_table {
        out.push_str("</table>");
    }
    out
}
