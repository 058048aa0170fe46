//! Pop-ups: terminals online of total (which are down, since when), in-person sales and their
//! rate, stock on hand and how long it lasts at that rate, and pick-ups — a summary panel for
//! the Overview and a full view with each terminal.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::rows;
use crate::feed::FeedKind;
use crate::feed::wire::{Popup, TerminalStatus};
use crate::model::format;
use crate::model::money::format_money;
use crate::model::popup_sales::PopupOutlook;
use crate::model::views::PopupSummary;

use super::columns::{self, Column};
use super::hubs;
use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// Rows the summary panel wants for `popups` pop-ups.
#[must_use]
pub fn wanted_summary_height(popups: usize) -> u16 {
    u16::try_from(popups.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(2)
}

/// Why no pop-up is listed, in the same words on the Overview and in the Pop-ups view: a
/// filter that hides them all, a POS feed that has not answered yet, or one that lists none.
fn none_listed(state: &State) -> &'static str {
    let board = state.shown_board();
    let health = board.health(FeedKind::Pos);
    if !board.popups().is_empty() {
        "no pop-up matches the filter (Esc clears it)"
    } else if health.last_success.is_some() {
        "no pop-ups: the POS feed lists none"
    } else if health.last_error.is_some() {
        "no pop-ups yet: the POS feed has not answered"
    } else {
        "no pop-ups yet: waiting for the POS feed"
    }
}

/// Summaries of `popups` (a window of the shown rows: a frame builds only what it draws).
fn summaries<'a>(state: &'a State, popups: &[&Popup], now: DateTime<Utc>) -> Vec<PopupSummary<'a>> {
    let board = state.shown_board();
    let server_now = state.shown_server_now(now);
    popups
        .iter()
        .filter_map(|p| board.popup_summary(&p.id, server_now))
        .collect()
}

/// The Overview's summary: one line per pop-up.
pub fn render_summary(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    let block = panel::feed_block("Pop-ups", FeedKind::Pos, state, theme, false, now);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let popups = rows::popups(state);
    if popups.is_empty() {
        frame.render_widget(
            Paragraph::new(none_listed(state)).style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let fit = popups.len().min(usize::from(inner.height));
    let summaries = summaries(state, &popups[..fit], now);
    let settled = state.board().thresholds().settled_within_pct;
    let server_now = state.shown_server_now(now);
    let lines: Vec<Line<'_>> = summaries
        .iter()
        .map(|s| summary_line(s, theme, settled, server_now, usize::from(inner.width)))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    panel::rows_note(frame, area, &(0..fit), popups.len(), theme);
}

/// One pop-up in `width` columns: the parts in order of urgency (tills, pick-ups overdue and
/// ready, the stock's outlook, the sales rate, the first till down, sales so far), each whole
/// or left out, never cut.
fn summary_line<'a>(
    s: &PopupSummary<'_>,
    theme: &Theme,
    settled: f64,
    server_now: DateTime<Utc>,
    width: usize,
) -> Line<'a> {
    let p = s.popup;
    let terminals_tone = if s.down.is_empty() {
        Tone::Good
    } else {
        Tone::Bad
    };
    let overdue_tone = if p.pickups.overdue > 0 {
        Tone::Warn
    } else {
        Tone::Normal
    };
    // Each part: its forms, longest first (the first that fits is drawn), its tone, and
    // whether the line goes on without it when no form fits (else the line ends there).
    let mut parts: Vec<(Vec<String>, Tone, bool)> = vec![
        (vec![format!("{} ", p.id)], Tone::Normal, false),
        (
            vec![if s.is_open { "open " } else { "closed " }.to_owned()],
            if s.is_open { Tone::Good } else { Tone::Dim },
            false,
        ),
        (
            vec![format!(
                "tills {}/{}",
                s.terminals_online, s.terminals_total
            )],
            terminals_tone,
            false,
        ),
        (
            vec![format!("  pick-ups {} overdue", p.pickups.overdue)],
            overdue_tone,
            false,
        ),
        (
            vec![format!(", {} ready", p.pickups.ready)],
            Tone::Normal,
            false,
        ),
    ];
    let sales = s.sales();
    let outlook = s.outlook(sales);
    let (words, outlook_tone) =
        outlook_words(&outlook, server_now, settled, theme, OutlookForm::Compact);
    let on_hand = format!("  stock {}", p.stock.on_hand);
    let stock = match outlook {
        // The words say it all.
        PopupOutlook::OutOfStock => vec![format!("  {words}")],
        PopupOutlook::Closed => vec![on_hand],
        PopupOutlook::Measuring => vec![format!("{on_hand} ({words})"), on_hand],
        // A phone's 80 columns: `stock 263 out ~08:32?` before the bare stock.
        _ => vec![
            format!("{on_hand} {words}"),
            format!("{on_hand} {}", short_outlook(&words)),
            on_hand,
        ],
    };
    parts.push((
        stock.into_iter().map(|t| theme.plain(t)).collect(),
        outlook_tone,
        true,
    ));
    if s.is_open || sales.is_some() {
        parts.push((
            vec![theme.plain(format!(
                "  sales {}",
                hubs::compact_rate(sales.map(|r| r.per_min), settled, None)
            ))],
            Tone::Normal,
            true,
        ));
    }
    // Which till is down may go (the count says how many).
    if let Some(first) = s.down.first() {
        parts.push((
            vec![format!(
                "  {} {} since {}",
                first.id,
                first.status.to_string().replace('_', " "),
                text::clock_hm(first.last_seen)
            )],
            Tone::Bad,
            true,
        ));
    }
    parts.push((
        vec![format!(
            "  sold {} units, {}",
            p.sales.units,
            format_money(p.sales.revenue_minor, &p.currency)
        )],
        Tone::Normal,
        false,
    ));
    parts.push((
        vec![format!(", {} collected", p.pickups.collected)],
        Tone::Dim,
        false,
    ));
    let mut used = 0;
    let mut spans = Vec::new();
    for (i, (forms, tone, optional)) in parts.into_iter().enumerate() {
        let Some(text) = forms
            .into_iter()
            .find(|t| used + t.chars().count() <= width)
        else {
            if optional {
                continue;
            }
            break;
        };
        used += text.chars().count();
        let style = if i == 0 {
            theme.title()
        } else {
            theme.tone(tone)
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

/// How a rate or an outlook is said: in a table column of its own, with its range; in the
/// Overview's one line per pop-up, as a point marked `~` while its range is wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutlookForm {
    Full,
    Compact,
}

/// The stock outlook in words, with its tone: `lasts the day`, `runs out 14:20` (settled),
/// `runs out 14:05–14:40` or `runs out ~14:20` (compact) while the range is wide,
/// `may run out ~14:20` while the range straddles the close, `measuring…`, `out of stock`.
fn outlook_words(
    outlook: &PopupOutlook,
    now: DateTime<Utc>,
    settled: f64,
    theme: &Theme,
    form: OutlookForm,
) -> (String, Tone) {
    let clock = |at| text::clock_in(at, theme.zone, now);
    match outlook {
        PopupOutlook::Closed => (theme.none().to_owned(), Tone::Dim),
        PopupOutlook::OutOfStock => ("out of stock".to_owned(), Tone::Bad),
        PopupOutlook::Measuring => (format::measuring(None), Tone::Dim),
        PopupOutlook::LastsTheDay(_) => ("lasts the day".to_owned(), Tone::Good),
        PopupOutlook::MayRunOut(stock) => {
            let words = match (stock.sellout_at, stock.sellout_earliest) {
                (Some(at), _) => format!("may run out ~{}", clock(at)),
                (None, Some(earliest)) => format!("may run out from {}", clock(earliest)),
                (None, None) => "may run out".to_owned(),
            };
            (words, Tone::Warn)
        }
        PopupOutlook::RunsOut(stock) => {
            let Some(at) = stock.sellout_at else {
                return ("runs out".to_owned(), Tone::Bad);
            };
            let (earliest, latest) = (stock.sellout_earliest, stock.sellout_latest);
            let when = match form {
                OutlookForm::Full => {
                    format::instant(now, at, earliest, latest, settled, theme.zone)
                }
                OutlookForm::Compact
                    if format::instant_is_settled(now, at, earliest, latest, settled) =>
                {
                    clock(at)
                }
                OutlookForm::Compact => format!("~{}", clock(at)),
            };
            (format!("runs out {when}"), Tone::Bad)
        }
    }
}

/// The compact outlook in fewer words: `runs out ~08:32` → `out ~08:32`, `may run out
/// ~08:32` → `out ~08:32?`, `lasts the day` → `lasts`.
fn short_outlook(words: &str) -> String {
    if let Some(rest) = words.strip_prefix("may run out ") {
        format!("out {rest}?")
    } else if let Some(rest) = words.strip_prefix("runs out ") {
        format!("out {rest}")
    } else if words == "lasts the day" {
        "lasts".to_owned()
    } else {
        words.to_owned()
    }
}

/// The Pop-ups table's columns.
const TITLES: [&str; 13] = [
    "Pop-up",
    "Name",
    "Open",
    "Tills",
    "Sales/min",
    "Stock outlook",
    "Payments",
    "Units",
    "Revenue",
    "Stock",
    "Ready",
    "Collected",
    "Overdue",
];
/// How much each column matters: the least important go first as the width shrinks.
const RANKS: [u8; 13] = [0, 6, 3, 1, 3, 2, 7, 5, 4, 3, 2, 8, 1];

/// The terminals table's columns: the till and its status stay longest.
const TERMINAL_TITLES: [&str; 6] = ["Till", "Name", "Status", "Last seen", "Ago", "Battery"];
const TERMINAL_RANKS: [u8; 6] = [0, 3, 1, 4, 2, 5];

/// The Pop-ups view: every pop-up, and the terminals of the selected one.
pub fn render_view(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    let title = if state.filters().popups.is_empty() {
        "Pop-ups".to_owned()
    } else {
        format!("Pop-ups — filter: {}", state.filters().popups.text())
    };
    let popups = rows::popups(state);
    let wanted = wanted_summary_height(popups.len()).saturating_add(1);
    let [list_area, terminals_area] =
        Layout::vertical([Constraint::Max(wanted), Constraint::Fill(1)]).areas(area);
    let block = panel::feed_block(&title, FeedKind::Pos, state, theme, true, now);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(list_area);
    frame.render_widget(block, list_area);
    if popups.is_empty() {
        frame.render_widget(
            Paragraph::new(none_listed(state)).style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let selected = rows::selected_position(&popups, state.selection().popup.as_ref(), |p, id| {
        p.id == *id
    });
    // One header row; summaries only for the rows that fit.
    let window = panel::table_window(popups.len(), selected, inner.height.saturating_sub(1));
    let summaries = summaries(state, &popups[window.clone()], now);
    let selected_popup = selected.and_then(|i| popups.get(i).copied());
    let selected = selected.map(|s| s.saturating_sub(window.start));
    let settled = state.board().thresholds().settled_within_pct;
    let server_now = state.shown_server_now(now);
    let cells: Vec<Vec<(String, Tone)>> = summaries
        .iter()
        .map(|s| {
            let p = s.popup;
            let sales = s.sales();
            let rate = if s.is_open || sales.is_some() {
                format::rate(sales.map(|r| r.per_min), settled, s.sales_evidence_s())
            } else {
                theme.none().to_owned()
            };
            let (outlook, outlook_tone) = outlook_words(
                &s.outlook(sales),
                server_now,
                settled,
                theme,
                OutlookForm::Full,
            );
            vec![
                (p.id.clone(), Tone::Normal),
                (p.name.clone(), Tone::Normal),
                (
                    if s.is_open { "open" } else { "closed" }.to_owned(),
                    Tone::Normal,
                ),
                (
                    format!("{}/{}", s.terminals_online, s.terminals_total),
                    if s.down.is_empty() {
                        Tone::Good
                    } else {
                        Tone::Bad
                    },
                ),
                (theme.plain(rate), Tone::Normal),
                (theme.plain(outlook), outlook_tone),
                (p.sales.transactions.to_string(), Tone::Normal),
                (p.sales.units.to_string(), Tone::Normal),
                (
                    format_money(p.sales.revenue_minor, &p.currency),
                    Tone::Normal,
                ),
                (p.stock.on_hand.to_string(), Tone::Normal),
                (p.pickups.ready.to_string(), Tone::Normal),
                (p.pickups.collected.to_string(), Tone::Normal),
                (
                    p.pickups.overdue.to_string(),
                    if p.pickups.overdue > 0 {
                        Tone::Warn
                    } else {
                        Tone::Normal
                    },
                ),
            ]
        })
        .collect();
    let cols: Vec<Column> = TITLES
        .iter()
        .zip(RANKS)
        .enumerate()
        .map(|(i, (title, rank))| Column::new(title, rank, cells.iter().map(|r| r[i].0.as_str())))
        .collect();
    let kept = columns::fitting(&cols, inner.width);
    let header = Row::new(kept.iter().map(|&i| cols[i].title)).style(theme.title());
    let table_rows: Vec<Row<'_>> = cells
        .into_iter()
        .map(|row| {
            Row::new(
                kept.iter()
                    .map(|&i| Cell::from(row[i].0.clone()).style(theme.tone(row[i].1))),
            )
        })
        .collect();
    let widths = columns::widths(&cols, &kept);
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, inner, &mut table_state);
    panel::rows_note(frame, list_area, &window, popups.len(), theme);

    let server_now = state.shown_server_now(now);
    if let Some(summary) =
        selected_popup.and_then(|p| state.shown_board().popup_summary(&p.id, server_now))
    {
        render_terminals(frame, terminals_area, state, &summary, theme, now);
    }
}

fn render_terminals(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    summary: &PopupSummary<'_>,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    let title = format!("Terminals of {}", summary.popup.name);
    let block = panel::block(&title, None, state, theme, false);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let server_now = state.shown_server_now(now);
    let none = theme.none();
    // Ids whole (a Square device id is `device:995CS397A6475287`): the columns are as wide as
    // their widest cell, and go whole, least important first, when the width is short.
    let cells: Vec<([String; 6], Tone)> = summary
        .popup
        .terminals
        .iter()
        .map(|t| {
            let tone = match t.status {
                TerminalStatus::Online => Tone::Good,
                TerminalStatus::NeedsAttention => Tone::Warn,
                TerminalStatus::Offline | TerminalStatus::Other(_) => Tone::Bad,
            };
            (
                [
                    t.id.clone(),
                    t.name.clone(),
                    t.status.to_string().replace('_', " "),
                    text::clock(t.last_seen),
                    text::age(server_now - t.last_seen),
                    t.battery_pct
                        .map_or_else(|| none.to_owned(), |b| format!("{b}%")),
                ],
                tone,
            )
        })
        .collect();
    let cols: Vec<Column> = TERMINAL_TITLES
        .iter()
        .zip(TERMINAL_RANKS)
        .enumerate()
        .map(|(i, (title, rank))| Column::new(title, rank, cells.iter().map(|r| r.0[i].as_str())))
        .collect();
    let kept = columns::fitting(&cols, inner.width);
    let header = Row::new(kept.iter().map(|&i| cols[i].title)).style(theme.title());
    let table_rows: Vec<Row<'_>> = cells
        .into_iter()
        .map(|(row, tone)| {
            Row::new(kept.iter().map(|&i| {
                let cell = Cell::from(row[i].clone());
                if i == 2 {
                    cell.style(theme.tone(tone))
                } else {
                    cell
                }
            }))
        })
        .collect();
    let widths = columns::widths(&cols, &kept);
    frame.render_widget(
        Table::new(table_rows, widths)
            .header(header)
            .column_spacing(1),
        inner,
    );
}
