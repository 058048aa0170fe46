//! The Drops panel: per drop its state, countdown on server time, conversion (cumulative and
//! live), orders-per-minute sparkline, sell-through, sell-out time and active band; under the
//! table, the selected drop's bands side by side with their own conversion.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::rows;
use crate::app::state::{Focus, View};
use crate::feed::FeedKind;
use crate::feed::wire::DropState;
use crate::model::estimate::Estimate;
use crate::model::figures::CountdownTarget;
use crate::model::format;
use crate::model::money::format_money;
use crate::model::views::{BandFigures, DropFigures};

use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// Rows the band strip under the table takes.
const BAND_ROWS: u16 = 2;

/// Rows the panel wants for `drops` drops (borders, header, rows, band strip).
#[must_use]
pub fn wanted_height(drops: usize) -> u16 {
    let rows = u16::try_from(drops.max(1)).unwrap_or(u16::MAX);
    rows.saturating_add(3 + BAND_ROWS)
}

/// Draws the panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let focused = state.view() == View::Overview && state.focus() == Focus::Drops;
    let mut title = "Drops".to_owned();
    if !state.filters().drops.is_empty() {
        title = format!("Drops — filter: {}", state.filters().drops.text());
    }
    let block = panel::feed_block(&title, FeedKind::Marketplace, state, theme, focused, now);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let board = state.shown_board();
    let server_now = state.shown_server_now(now);
    let drops = rows::drops(state);
    if drops.is_empty() {
        let text = if board.drops().is_empty() {
            "no drops yet"
        } else {
            "no drop matches the filter (Esc clears it)"
        };
        frame.render_widget(Paragraph::new(text).style(theme.tone(Tone::Dim)), inner);
        return;
    }
    let selected =
        rows::selected_position(&drops, state.selection().drop.as_ref(), |d, id| d.id == *id);
    let strip = if inner.height > BAND_ROWS + 2 {
        BAND_ROWS
    } else {
        0
    };
    let [table_area, strip_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(strip)]).areas(inner);

    // Narrow (80 columns): no gauge, a short sparkline, the band without its margin (the strip
    // under the table has it). Wide: everything.
    let layout = if table_area.width >= 100 {
        Columns::WIDE
    } else if table_area.width >= 84 {
        // The left column of a 160-column Overview: room for the gauge, not for the margin.
        Columns::MEDIUM
    } else if table_area.width >= 70 {
        Columns::NARROW
    } else {
        Columns::NARROWEST
    };
    let header = Row::new([
        "Drop",
        "State",
        "Countdown",
        "Conv/live",
        // The column's title whole: it is a rate, and says so in the room it has.
        match layout.spark + 3 {
            10.. => "Orders/min",
            7..=9 => "Ord/min",
            _ => "Ord/m",
        },
        "Sold",
        layout.sellout_title,
        "Band",
    ])
    .style(theme.title());
    // Figures (and sparklines) only for the rows that fit under the header.
    let window = panel::table_window(drops.len(), selected, table_area.height.saturating_sub(1));
    let figures: Vec<DropFigures<'_>> = drops[window.clone()]
        .iter()
        .filter_map(|d| board.drop_figures(&d.id, server_now))
        .collect();
    let selected = selected.map(|s| s.saturating_sub(window.start));
    let table_rows: Vec<Row<'_>> = figures
        .iter()
        .map(|f| {
            drop_row(
                f,
                board,
                state.board().thresholds().settled_within_pct,
                server_now,
                theme,
                &layout,
            )
        })
        .collect();
    let widths = [
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(12),
        Constraint::Length(layout.conversion),
        Constraint::Length(layout.spark + 3),
        Constraint::Length(if layout.gauge > 0 {
            layout.gauge + 6
        } else {
            5
        }),
        Constraint::Length(layout.sellout),
        Constraint::Fill(1),
    ];
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.row_highlight(focused));
    let mut table_state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, table_area, &mut table_state);
    panel::rows_note(frame, area, &window, drops.len(), theme);

    if strip > 0
        && let Some(figures) = selected.and_then(|i| figures.get(i))
    {
        render_bands(
            frame,
            strip_area,
            figures,
            state.board().thresholds().settled_within_pct,
            theme,
        );
    }
}

/// Column sizes of the drops table.
struct Columns {
    conversion: u16,
    spark: u16,
    /// Cells of the sell-through gauge; 0 for none.
    gauge: u16,
    sellout: u16,
    sellout_title: &'static str,
    band_margin: bool,
}

impl Columns {
    const WIDE: Columns = Columns {
        conversion: 11,
        spark: 10,
        gauge: 5,
        sellout: 8,
        sellout_title: "Sell-out",
        band_margin: true,
    };
    const MEDIUM: Columns = Columns {
        conversion: 9,
        spark: 6,
        gauge: 5,
        sellout: 8,
        sellout_title: "Sell-out",
        band_margin: false,
    };
    /// 64 cells of fixed columns: the left half of a 120-column Overview keeps the whole
    /// countdown (the band column goes first; the strip under the table shows the bands).
    const NARROWEST: Columns = Columns {
        conversion: 9,
        spark: 3,
        gauge: 0,
        sellout: 6,
        sellout_title: "Out at",
        band_margin: false,
    };
    const NARROW: Columns = Columns {
        conversion: 9,
        spark: 5,
        gauge: 0,
        sellout: 6,
        sellout_title: "Out at",
        band_margin: false,
    };
}

fn drop_row<'a>(
    f: &DropFigures<'_>,
    board: &crate::model::board::Board,
    state_settled: f64,
    server_now: DateTime<Utc>,
    theme: &Theme,
    layout: &Columns,
) -> Row<'a> {
    let none = theme.none();
    let settled = state_settled;
    let drop = f.drop;
    let state_tone = match drop.state {
        DropState::Live => Tone::Good,
        DropState::Paused | DropState::Other(_) => Tone::Warn,
        DropState::Scheduled => Tone::Normal,
        DropState::Ended | DropState::SoldOut => Tone::Dim,
    };
    let countdown = match &f.countdown {
        Some(c) if c.is_due() => c.label().to_owned(),
        Some(c) => {
            let word = match c.target {
                CountdownTarget::Opens => "opens",
                CountdownTarget::Closes => "ends",
            };
            format!("{word} {}", text::countdown(c.remaining))
        }
        None => none.to_owned(),
    };
    let conversion = match (&f.conversion_pct, &drop.sessions_unavailable) {
        // The feed cannot count sessions (the reason is in the drop's details): not a dash,
        // which reads as "not measured yet".
        (None, Some(_)) => "n/a".to_owned(),
        _ => format!(
            "{}/{}",
            pct(f.conversion_pct, none),
            approx_pct(f.live_conversion, settled, none)
        ),
    };
    let series = board
        .orders_series(&drop.id, server_now)
        .unwrap_or_default();
    let rate = match f.orders.map(|r| r.per_min) {
        Some(r) if r.is_settled(settled) => format!("{:.0}", r.point),
        Some(r) => format!("~{:.0}", r.point),
        None => "…".to_owned(),
    };
    // The figure is drawn whole and the sparkline takes what is left of the column: `~60` cut
    // to `~6` at 80 columns read as a tenth of the real rate.
    let column = usize::from(layout.spark) + 3;
    let spark = column.saturating_sub(rate.chars().count() + 1);
    let orders = format!("{} {rate}", sparkline(&series, spark, theme));
    let sold = match f.sell_through_pct {
        Some(p) if layout.gauge > 0 => format!(
            "{} {}",
            theme.gauge_text(p / 100.0, usize::from(layout.gauge)),
            pct(Some(p), none)
        ),
        Some(p) => pct(Some(p), none),
        None => none.to_owned(),
    };
    let sellout = theme.plain(sellout_cell(
        f,
        server_now,
        layout.sellout,
        settled,
        theme,
        none,
    ));
    let band = match f.active_band() {
        Some(b) => Cell::from(Line::from(band_cell(
            b,
            &drop.currency,
            none,
            layout.band_margin,
        )))
        .style(if b.allowed {
            theme.tone(Tone::Normal)
        } else {
            theme.tone(Tone::Bad)
        }),
        None => Cell::from(format!("{} (not listed)", drop.active_band)),
    };
    Row::new(vec![
        Cell::from(drop.id.clone()),
        Cell::from(drop.state.to_string()).style(theme.tone(state_tone)),
        Cell::from(countdown),
        Cell::from(conversion),
        Cell::from(orders),
        Cell::from(sold),
        Cell::from(sellout),
        band,
    ])
}

fn band_cell(b: &BandFigures<'_>, currency: &str, none: &str, margin: bool) -> String {
    let floor = if b.allowed { "" } else { "!" };
    let price = format_money(b.band.price_minor, currency);
    if margin {
        format!("{} {price} m{}{floor}", b.band.id, pct(b.margin_pct, none))
    } else {
        format!("{} {price}{floor}", b.band.id)
    }
}

/// The selected drop's bands side by side: price, margin, floor, conversion (and live).
fn render_bands(frame: &mut Frame, area: Rect, f: &DropFigures<'_>, settled: f64, theme: &Theme) {
    let none = theme.none();
    let count = u32::try_from(f.bands.len().clamp(1, 4)).unwrap_or(1);
    let columns = Layout::horizontal(vec![Constraint::Ratio(1, count); count as usize]).split(area);
    for (band, column) in f.bands.iter().zip(columns.iter()) {
        let (mark, mark_tone) = match (band.is_active, band.allowed) {
            (true, true) => (" ACTIVE", Tone::Good),
            (true, false) => (" ACTIVE<FLOOR", Tone::Bad),
            (false, true) => ("", Tone::Normal),
            (false, false) => (" <FLOOR", Tone::Bad),
        };
        let margin_tone = if band.allowed {
            Tone::Normal
        } else {
            Tone::Bad
        };
        let width = usize::from(column.width.saturating_sub(1));
        let lines = vec![
            // The marks come right after the band's id: in a narrow strip the margin goes
            // first, then the price, never whether the band is active or under the floor; each
            // part whole, so neighbouring bands never run into each other.
            whole_parts(
                vec![
                    Span::styled(band.band.id.clone(), theme.title()),
                    Span::styled(mark.to_owned(), theme.tone(mark_tone)),
                    Span::raw(format!(
                        " {}",
                        format_money(band.band.price_minor, &f.drop.currency)
                    )),
                    Span::styled(
                        format!(" m{}", pct(band.margin_pct, none)),
                        theme.tone(margin_tone),
                    ),
                ],
                width,
            ),
            whole_parts(
                vec![
                    Span::raw(format!("  conv {}", pct(band.conversion_pct, none))),
                    Span::raw(format!(
                        " live {}",
                        approx_pct(band.live_conversion, settled, none)
                    )),
                ],
                width,
            ),
        ];
        frame.render_widget(Paragraph::new(lines), *column);
    }
}

/// The spans from the start that fit in `width` columns, each whole.
fn whole_parts(spans: Vec<Span<'_>>, width: usize) -> Line<'_> {
    let mut used = 0;
    let mut kept = Vec::new();
    for span in spans {
        used += span.width();
        if used > width {
            break;
        }
        kept.push(span);
    }
    Line::from(kept)
}

/// The sell-out cell: its time when it surely sells out before it closes (`~18:38` while the
/// range is wide), what will surely be left at close (`180 left`, `≈180 left`), `close?` while
/// the range straddles the close, `…` while measuring.
fn sellout_cell(
    f: &DropFigures<'_>,
    server_now: DateTime<Utc>,
    width: u16,
    settled: f64,
    theme: &Theme,
    none: &str,
) -> String {
    if f.drop.state != DropState::Live {
        return none.to_owned();
    }
    let Some(stock) = f.stock_outlook else {
        return "…".to_owned();
    };
    // The range straddles the close: it may or may not sell out before. Said as such until
    // the range decides, so the cell never flips between a time and units left.
    if stock.sellout_earliest.is_some() && stock.sellout_latest.is_none() {
        return "close?".to_owned();
    }
    if let Some(at) = stock.sellout_at {
        let clock = text::clock_in(at, theme.zone, server_now);
        if format::instant_is_settled(
            server_now,
            at,
            stock.sellout_earliest,
            stock.sellout_latest,
            settled,
        ) {
            clock
        } else {
            format!("~{clock}")
        }
    } else {
        let left = stock.left_at_close;
        let mark = if left.is_settled(settled) { "" } else { "≈" };
        let text = format!("{mark}{:.0} left", left.point);
        // A narrow column keeps the figure and its mark, and says "left" as `l`.
        if text.chars().count() <= usize::from(width) {
            text
        } else {
            format!("{mark}{:.0}l", left.point)
        }
    }
}

/// A narrow estimated percentage: `4.1%` when settled, `~4.1%` when its range is wide.
fn approx_pct(value: Option<Estimate>, settled: f64, none: &str) -> String {
    match value {
        Some(e) if e.is_settled(settled) => pct(Some(e.point), none),
        // Whole percent: an estimate's decimals say nothing, and the cell is narrow.
        Some(e) if e.point.is_finite() => format!("~{:.0}%", e.point),
        _ => none.to_owned(),
    }
}

/// A percentage for a narrow cell: `3.9%`; the figure itself comes from the model.
#[must_use]
pub fn pct(value: Option<f64>, none: &str) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.1}%"),
        _ => none.to_owned(),
    }
}

/// The last `width` values as sparkline characters, scaled to the largest of them.
#[must_use]
pub fn sparkline(values: &[f64], width: usize, theme: &Theme) -> String {
    let set = theme.bar_set();
    let levels = [
        set.empty,
        set.one_eighth,
        set.one_quarter,
        set.three_eighths,
        set.half,
        set.five_eighths,
        set.three_quarters,
        set.seven_eighths,
        set.full,
    ];
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let mut out: String = " ".repeat(width - tail.len());
    for value in tail {
        let level = if max > 0.0 && value.is_finite() {
            // 0..=8 by construction.
            ((value / max) * 8.0).round().clamp(0.0, 8.0) as usize
        } else {
            0
        };
        out.push_str(levels[level]);
    }
    out
}
