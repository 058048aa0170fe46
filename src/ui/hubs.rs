//! The hubs as one compact row each: units used of the contract, burn, what the projection
//! says (runs out / lasts, over / short), and the SLA (on-time % against its target, late,
//! overdue). Columns go whole, least important first, as the width shrinks; a range dropped
//! to fit keeps its estimate mark (`~2/min`), so an estimate never reads as a fact.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::feed::FeedKind;
use crate::model::estimate::Estimate;
use crate::model::format;
use crate::model::views::HubOutlook;

use super::burndown::{cost_words, evidence_s, exhaustion_words, settled_pct, without_range};
use super::columns::{self, Column};
use super::panel;
use super::theme::{Theme, Tone};

/// Rows the table wants for `hubs` hubs: borders, header and a row each.
#[must_use]
pub fn wanted_height(hubs: usize) -> u16 {
    u16::try_from(hubs.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3)
}

/// Index of the hub whose chart is shown (the Fulfilment view's `h`/`l` choose it).
#[must_use]
pub fn selected(state: &State) -> Option<usize> {
    let keys: Vec<String> = state
        .shown_board()
        .hubs()
        .iter()
        .map(|h| h.id.clone())
        .collect();
    crate::app::rows::selected_index(&keys, state.selection().hub.as_ref())
}

/// One hub's cells, text and tone, in column order.
struct HubCells {
    texts: Vec<String>,
    tones: Vec<Tone>,
}

const TITLES: [&str; 9] = [
    "Hub", "Used", "Burn", "Outlook", "Cost", "On-time", "Target", "Late", "Overdue",
];
/// How much each column matters: 0 stays longest.
const RANKS: [u8; 9] = [0, 1, 3, 2, 4, 3, 7, 8, 5];

/// A compact rate that keeps its mark: `~2/min`, and `~0–45/min` when the point rounds to 0
/// (a bare `~0/min` would read as "not burning" in the first seconds). Shared with the
/// pop-ups' sales rate.
pub(super) fn compact_rate(
    estimate: Option<Estimate>,
    settled: f64,
    evidence: Option<i64>,
) -> String {
    match estimate {
        Some(e) if !e.is_settled(settled) && e.point < 0.5 => {
            format!("~0–{}/min", format::short_number(e.high))
        }
        _ => without_range(&format::rate(estimate, settled, evidence)),
    }
}

fn cells(
    o: &HubOutlook<'_>,
    state: &State,
    server_now: DateTime<Utc>,
    theme: &Theme,
    compact: bool,
) -> HubCells {
    let hub = o.hub;
    let cap = &hub.capacity;
    let c = &o.capacity;
    let settled = settled_pct(state);
    let evidence = evidence_s(state, o, server_now);
    let used = if c.over_contract_units > 0 {
        format!(
            "{}/{} +{}",
            cap.consumed_units, cap.contracted_units, c.over_contract_units
        )
    } else {
        format!("{}/{}", cap.consumed_units, cap.contracted_units)
    };
    let burn = if compact {
        compact_rate(c.burn, settled, evidence)
    } else {
        format::rate(c.burn, settled, evidence)
    };
    let (mut outlook, outlook_tone) = exhaustion_words(o, server_now, settled, theme.zone);
    if compact {
        outlook = without_range(&outlook);
        if outlook == "runs out" {
            // `runs out 03:14–04:20` without its range still says it is an estimate.
            outlook = "runs out ~".to_owned()
                + &match c.exhaustion {
                    crate::model::figures::Exhaustion::At(at) => {
                        super::text::clock_in(at, theme.zone, server_now)
                    }
                    _ => String::new(),
                };
        }
    }
    let (cost, cost_tone) = cost_words(o, settled, compact);
    let none = theme.none();
    let target = hub.sla.target_pct;
    let (on_time, on_time_tone) = match o.on_time_pct {
        Some(p) if p.is_finite() => (
            format!("{p:.1}%"),
            if p < target { Tone::Bad } else { Tone::Good },
        ),
        _ => (none.to_owned(), Tone::Dim),
    };
    let overdue = hub.sla.overdue_open;
    HubCells {
        texts: vec![
            hub.id.clone(),
            used,
            theme.plain(burn),
            theme.plain(outlook),
            theme.plain(cost),
            on_time,
            format!("{target:.0}%"),
            hub.sla.late.to_string(),
            overdue.to_string(),
        ],
        tones: vec![
            Tone::Normal,
            if c.over_contract_units > 0 {
                Tone::Bad
            } else {
                Tone::Normal
            },
            Tone::Normal,
            outlook_tone,
            cost_tone,
            on_time_tone,
            Tone::Dim,
            Tone::Normal,
            if overdue > 0 {
                Tone::Warn
            } else {
                Tone::Normal
            },
        ],
    }
}

/// Draws the table into `area`; the hub whose chart is shown is highlighted.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    now: DateTime<Utc>,
    focused: bool,
) {
    let block = panel::feed_block("Hubs", FeedKind::Fulfilment, state, theme, focused, now);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let board = state.shown_board();
    let server_now = state.shown_server_now(now);
    let selected = selected(state);
    let window = panel::table_window(board.hubs().len(), selected, inner.height.saturating_sub(1));
    let outlooks: Vec<HubOutlook<'_>> = board.hubs()[window.clone()]
        .iter()
        .filter_map(|h| board.hub_outlook(&h.id, server_now))
        .collect();
    if outlooks.is_empty() {
        frame.render_widget(
            Paragraph::new("no hubs yet").style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let build = |compact: bool| -> (Vec<HubCells>, Vec<Column>) {
        let rows: Vec<HubCells> = outlooks
            .iter()
            .map(|o| cells(o, state, server_now, theme, compact))
            .collect();
        let columns = TITLES
            .iter()
            .zip(RANKS)
            .enumerate()
            .map(|(i, (title, rank))| {
                Column::new(title, rank, rows.iter().map(|r| r.texts[i].as_str()))
            })
            .collect();
        (rows, columns)
    };
    let (mut rows, mut cols) = build(false);
    let mut kept = columns::fitting(&cols, inner.width);
    if kept.len() < cols.len() {
        // The ranges take the room of whole columns: the compact forms (with their marks).
        (rows, cols) = build(true);
        kept = columns::fitting(&cols, inner.width);
    }
    let header = Row::new(kept.iter().map(|&i| cols[i].title)).style(theme.title());
    let table_rows: Vec<Row<'_>> =
        rows.into_iter()
            .map(|r| {
                Row::new(kept.iter().map(|&i| {
                    Cell::from(Line::from(r.texts[i].clone())).style(theme.tone(r.tones[i]))
                }))
            })
            .collect();
    let table = Table::new(table_rows, columns::widths(&cols, &kept))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(if board.hubs().len() > 1 {
            theme.row_highlight(focused)
        } else {
            Style::new()
        });
    let mut table_state =
        TableState::default().with_selected(selected.map(|s| s.saturating_sub(window.start)));
    frame.render_stateful_widget(table, inner, &mut table_state);
    panel::rows_note(frame, area, &window, board.hubs().len(), theme);
}
