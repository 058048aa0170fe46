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
use crate::model::steady::SelloutVerdict;
use crate::model::views::{BandFigures, DropFigures};

use super::columns::{self, Column};
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
    // The strip when the table keeps two rows under its header, or every row when there are
    // fewer (a day of one drop shows that drop's bands).
    let strip = if inner.height >= BAND_ROWS + 1 + u16::try_from(drops.len().min(2)).unwrap_or(2) {
        BAND_ROWS
    } else {
        0
    };
    let [table_area, strip_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(strip)]).areas(inner);

    // Figures (and sparklines) only for the rows that fit under the header.
    let window = panel::table_window(drops.len(), selected, table_area.height.saturating_sub(1));
    let figures: Vec<DropFigures<'_>> = drops[window.clone()]
        .iter()
        .filter_map(|d| board.drop_figures(&d.id, server_now))
        .collect();
    let selected = selected.map(|s| s.saturating_sub(window.start));
    let settled = state.board().thresholds().settled_within_pct;
    let rows: Vec<DropCells> = figures
        .iter()
        .map(|f| drop_cells(f, settled, server_now, theme))
        .collect();
    let (cols, kept, extras) = fit_columns(&rows, table_area.width);
    let header = Row::new(kept.iter().map(|&i| cols[i].title)).style(theme.title());
    let table_rows: Vec<Row<'_>> = figures
        .iter()
        .zip(&rows)
        .map(|(f, cells)| drop_row(f, cells, &kept, &extras, board, server_now, theme))
        .collect();
    let mut widths = columns::widths(&cols, &kept);
    for (&i, width) in kept.iter().zip(widths.iter_mut()) {
        let more = match i {
            ORDERS => extras.spark,
            SOLD => extras.gauge.map_or(0, |g| g + 1),
            BAND => extras.margin,
            _ => 0,
        };
        *width = Constraint::Length(cols[i].width + more);
    }
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

/// The table's columns, in order.
const ORDERS: usize = 4;
const SOLD: usize = 5;
const BAND: usize = 7;
const TITLES: [&str; 8] = [
    "Drop",
    "State",
    "Countdown",
    "Conv/live",
    "Orders/min",
    "Sold",
    "Sell-out",
    "Band",
];
/// How much each column matters (0 stays longest): the time left and what is left at the
/// end before how it is going; the band last, as the strip under the table shows it.
const RANKS: [u8; 8] = [0, 2, 1, 5, 3, 4, 1, 6];
/// Cells of the sparkline beside the orders-per-minute figure, at most.
const SPARK: u16 = 10;
/// Cells of the sell-through gauge.
const GAUGE: u16 = 5;

/// One drop's cells as text, each whole: what decides the columns' widths. The sparkline,
/// the gauge and the band's margin are extras drawn only where room is left.
struct DropCells {
    texts: [String; 8],
    state_tone: Tone,
    /// The band's margin (` m63.1%`), drawn after the band when room is left.
    margin: String,
}

/// Room left over once the kept columns fit, given to the extras in order.
struct Extras {
    /// Sparkline cells added to the orders column.
    spark: u16,
    /// The orders column's whole width: the rate, a blank and the sparkline.
    orders_width: u16,
    /// Gauge cells in the sold column, when there is room for it.
    gauge: Option<u16>,
    /// Cells added to the band column for its margin (0: none).
    margin: u16,
}

/// The columns that fit in `width`, whole, the least important gone first, and what the room
/// left over buys: the sparkline first (up to 10 cells), then the gauge, then the margin.
fn fit_columns(rows: &[DropCells], width: u16) -> (Vec<Column>, Vec<usize>, Extras) {
    let make = |orders_title: &'static str| -> Vec<Column> {
        TITLES
            .iter()
            .zip(RANKS)
            .enumerate()
            .map(|(i, (&title, rank))| {
                let title = if i == ORDERS { orders_title } else { title };
                let column = Column::new(title, rank, rows.iter().map(|r| r.texts[i].as_str()));
                // The id column keeps its 10 cells of before when ids are shorter.
                if i == 0 {
                    Column {
                        width: column.width.max(10),
                        ..column
                    }
                } else {
                    column
                }
            })
            .collect()
    };
    // The rate's title whole, shortened before any column goes for it.
    let mut cols = make("Orders/min");
    let mut kept = columns::fitting(&cols, width);
    if kept.len() < cols.len() {
        cols = make("Ord/min");
        kept = columns::fitting(&cols, width);
    }
    let used: u16 = kept
        .iter()
        .map(|&i| cols[i].width)
        .sum::<u16>()
        .saturating_add(u16::try_from(kept.len().saturating_sub(1)).unwrap_or(u16::MAX));
    let mut left = width.saturating_sub(used);
    let mut extras = Extras {
        spark: 0,
        orders_width: 0,
        gauge: None,
        margin: 0,
    };
    if kept.contains(&ORDERS) {
        // The column is as wide as its title or its widest rate; the sparkline takes what
        // the title leaves beside the rate, and more from the room left.
        let widest_rate = rows
            .iter()
            .map(|r| r.texts[ORDERS].chars().count())
            .max()
            .unwrap_or(0);
        let inside = usize::from(cols[ORDERS].width).saturating_sub(widest_rate + 1);
        let inside = u16::try_from(inside).unwrap_or(0);
        extras.spark = SPARK.saturating_sub(inside).min(left);
        extras.orders_width = cols[ORDERS].width + extras.spark;
        left -= extras.spark;
    }
    if kept.contains(&SOLD) && left > GAUGE {
        extras.gauge = Some(GAUGE);
        left -= GAUGE + 1;
    }
    if kept.contains(&BAND) {
        let margin = rows
            .iter()
            .map(|r| r.margin.chars().count())
            .max()
            .unwrap_or(0);
        let margin = u16::try_from(margin).unwrap_or(u16::MAX);
        if margin <= left {
            extras.margin = margin;
        }
    }
    (cols, kept, extras)
}

fn drop_cells(
    f: &DropFigures<'_>,
    settled: f64,
    server_now: DateTime<Utc>,
    theme: &Theme,
) -> DropCells {
    let none = theme.none();
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
    let rate = match f.orders.map(|r| r.per_min) {
        Some(r) if r.is_settled(settled) => format!("{:.0}", r.point),
        Some(r) => format!("~{:.0}", r.point),
        None => "…".to_owned(),
    };
    let sold = pct(f.sell_through_pct, none);
    let sellout = theme.plain(sellout_cell(f, server_now, settled, theme, none));
    let (band, margin) = match f.active_band() {
        Some(b) => band_cell(b, &drop.currency, none),
        None => (format!("{} (not listed)", drop.active_band), String::new()),
    };
    DropCells {
        texts: [
            drop.id.clone(),
            drop.state.to_string(),
            countdown,
            conversion,
            theme.plain(rate),
            sold,
            sellout,
            band,
        ],
        state_tone,
        margin,
    }
}

fn drop_row<'a>(
    f: &DropFigures<'_>,
    cells: &DropCells,
    kept: &[usize],
    extras: &Extras,
    board: &crate::model::board::Board,
    server_now: DateTime<Utc>,
    theme: &Theme,
) -> Row<'a> {
    let drop = f.drop;
    let cell = |i: usize| -> Cell<'a> {
        let text = &cells.texts[i];
        match i {
            1 => Cell::from(text.clone()).style(theme.tone(cells.state_tone)),
            ORDERS => {
                // The figure is drawn whole and the sparkline takes what is left of the
                // column: `~60` cut to `~6` at 80 columns read as a tenth of the real rate.
                let series = board
                    .orders_series(&drop.id, server_now)
                    .unwrap_or_default();
                let spark = usize::from(extras.orders_width)
                    .saturating_sub(text.chars().count() + 1)
                    .min(usize::from(SPARK));
                Cell::from(format!("{} {text}", sparkline(&series, spark, theme)))
            }
            SOLD => match (extras.gauge, f.sell_through_pct) {
                (Some(g), Some(p)) => Cell::from(format!(
                    "{} {text}",
                    theme.gauge_text(p / 100.0, usize::from(g))
                )),
                _ => Cell::from(text.clone()),
            },
            BAND => {
                let tone = match f.active_band() {
                    Some(b) if !b.allowed => Tone::Bad,
                    _ => Tone::Normal,
                };
                let text = if extras.margin > 0 {
                    format!("{text}{}", cells.margin)
                } else {
                    text.clone()
                };
                Cell::from(text).style(theme.tone(tone))
            }
            _ => Cell::from(text.clone()),
        }
    };
    Row::new(kept.iter().map(|&i| cell(i)).collect::<Vec<_>>())
}

/// The active band's cell (`A 65.00 USD`, `!` when under the floor) and its margin
/// (` m63.1%`), drawn only where room is left.
fn band_cell(b: &BandFigures<'_>, currency: &str, none: &str) -> (String, String) {
    let floor = if b.allowed { "" } else { "!" };
    let price = format_money(b.band.price_minor, currency);
    (
        format!("{} {price}{floor}", b.band.id),
        format!(" m{}", pct(b.margin_pct, none)),
    )
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
    // The drop's steady verdict decides which to say (a new one shows once it has held; see
    // `model::steady`), so the cell never flips between a time and units left. While the
    // range straddles the close it may or may not sell out before: said as such.
    let at = match f.sellout_verdict {
        SelloutVerdict::Measuring => return "…".to_owned(),
        SelloutVerdict::MaySellOut => return "close?".to_owned(),
        // Held while today's range no longer sells out before the close.
        SelloutVerdict::SellsOut => match stock.sellout_at.or(stock.sellout_earliest) {
            Some(at) => Some(at),
            None => return "close?".to_owned(),
        },
        SelloutVerdict::LeftAtClose => None,
    };
    if let Some(at) = at {
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
        let mark = if f.left_at_close_settled(settled) {
            ""
        } else {
            "≈"
        };
        // Whole, with its word: the column is as wide as its widest cell or goes whole
        // (`91001l` at 80 columns read as a figure with a stray letter).
        format!("{mark}{:.0} left", left.point)
    }
}

/// A narrow estimated percentage: `4.1%` when settled, `~4.1%` when its range is wide.
pub(super) fn approx_pct(value: Option<Estimate>, settled: f64, none: &str) -> String {
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
