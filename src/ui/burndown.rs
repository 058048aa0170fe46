//! Capacity burn-down per hub: consumed units over the contract window against the contracted
//! line and the minimum commitment, with the projection to the window's end; and in words the
//! remaining units, burn rate, projected exhaustion and what the projection costs.
//!
//! The chart is drawn for the selected hub where it has room to be read; the hubs table
//! (`hubs.rs`) has every hub's figures in a compact row.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};

use crate::app::State;
use crate::app::keymap::Action;
use crate::feed::FeedKind;
use crate::model::estimate::Estimate;
use crate::model::figures::Exhaustion;
use crate::model::format;
use crate::model::money::format_money;
use crate::model::steady::{CapacityVerdict, CostVerdict};
use crate::model::views::HubOutlook;

use super::panel;
use super::text;
use super::theme::{Series, Theme, Tone};

/// The Fulfilment view's panel: the chart of one hub (chosen with the focus keys) under its
/// figures, so a chart fits even at 80×24.
pub fn render_one(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let board = state.shown_board();
    let keys: Vec<String> = board.hubs().iter().map(|h| h.id.clone()).collect();
    let index = crate::app::rows::selected_index(&keys, state.selection().hub.as_ref());
    let title = match index {
        Some(i) if keys.len() > 1 => format!(
            "Capacity burn-down — hub {} of {} ({}/{}: other hubs)",
            i + 1,
            keys.len(),
            state.keymap().first_key_text(Action::FocusPrev),
            state.keymap().first_key_text(Action::FocusNext),
        ),
        _ => "Capacity burn-down".to_owned(),
    };
    let block = panel::feed_block(&title, FeedKind::Fulfilment, state, theme, false, now);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let server_now = state.shown_server_now(now);
    let Some(outlook) = index
        .and_then(|i| keys.get(i))
        .and_then(|id| board.hub_outlook(id, server_now))
    else {
        frame.render_widget(
            Paragraph::new("no hubs yet").style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    };
    // The key takes a second line where its entries do not fit one and the chart keeps its
    // rows: at 120×40 the Overview's 52-column key left out `min commit` (the line an
    // underuse alert is about), `projected` and `now` over a chart of 25 rows.
    let key_lines = if inner.height >= TWO_LINE_KEY_FROM_ROWS {
        2
    } else {
        1
    };
    let key = legend(
        &outlook,
        theme,
        server_now,
        settled_pct(state),
        inner.width,
        key_lines,
    );
    let figure_rows = 2 + u16::try_from(key.len()).unwrap_or(1);
    let [figures_area, chart_area] =
        Layout::vertical([Constraint::Length(figure_rows), Constraint::Fill(1)]).areas(inner);
    let mut lines = figure_lines(&outlook, state, server_now, theme, figures_area.width);
    lines.extend(key);
    frame.render_widget(Paragraph::new(lines), figures_area);
    render_chart(
        frame,
        chart_area,
        &outlook,
        server_now,
        theme,
        settled_pct(state),
    );
}

/// Rows of the panel's inside from which the key may take a second line (the chart then
/// keeps at least ten rows with its axes).
const TWO_LINE_KEY_FROM_ROWS: u16 = 14;

/// The chart's key in `width` columns and at most `max_lines` lines: each series with its
/// sample, the two reference levels in units, the "now" line and, when the contract runs out
/// inside the window, the mark at that point with its time. Whole entries only, in that
/// order: an entry that does not fit its line starts the next; those left over are left out.
fn legend<'a>(
    o: &HubOutlook<'_>,
    theme: &Theme,
    server_now: DateTime<Utc>,
    settled: f64,
    width: u16,
    max_lines: usize,
) -> Vec<Line<'a>> {
    let cap = &o.hub.capacity;
    let sample = |role: Series| match theme.marker(role) {
        Marker::Custom(c) => c.to_string().repeat(3),
        _ => if theme.ascii { "***" } else { "⣀⣀⣀" }.to_owned(),
    };
    let mut entries: Vec<(String, Style, String)> = vec![
        (
            format!("  {} ", sample(Series::Consumed)),
            theme.series(Series::Consumed),
            "consumed".to_owned(),
        ),
        (
            format!("  {} ", sample(Series::Contracted)),
            theme.series(Series::Contracted),
            format!("contract {}", cap.contracted_units),
        ),
        (
            format!("  {} ", sample(Series::MinCommit)),
            theme.series(Series::MinCommit),
            format!("min commit {}", cap.min_commit_units),
        ),
        (
            format!("  {} ", sample(Series::Projection)),
            theme.series(Series::Projection),
            "projected".to_owned(),
        ),
        (
            format!("  {NOW_MARK} "),
            theme.tone(Tone::Dim),
            format!("now {}", text::clock_in(server_now, theme.zone, server_now)),
        ),
    ];
    if let Some(at) = exhaustion_in_window(o) {
        let c = &o.capacity;
        // The point of a wide range is an estimate: `runs out ~07:53`, never a plain time.
        let mark = if format::instant_is_settled(
            server_now,
            at,
            c.exhaustion_earliest,
            c.exhaustion_latest,
            settled,
        ) {
            ""
        } else {
            "~"
        };
        // The mark's words agree with the verdict beside it: `runs out` only under a verdict
        // that says so; `may run out ~16:31` under `may run out` (or a verdict still held
        // while today's point falls inside the window), `out ~16:31?` (the pop-ups' short
        // form) where the long one would push the contract off the key.
        let clock = text::clock_in(at, theme.zone, server_now);
        let exhaustion_entry =
            |words: String, tone: Tone| (format!("  {EXHAUSTION_MARK} "), theme.tone(tone), words);
        if matches!(
            o.verdict,
            CapacityVerdict::RunsOut | CapacityVerdict::UsedUp
        ) {
            entries.insert(
                1,
                exhaustion_entry(format!("runs out {mark}{clock}"), Tone::Bad),
            );
        } else {
            // The long words unless the short ones keep more of the key (the contract first).
            let mut long = entries.clone();
            long.insert(
                1,
                exhaustion_entry(format!("may run out {mark}{clock}"), Tone::Warn),
            );
            entries.insert(
                1,
                exhaustion_entry(format!("out {mark}{clock}?"), Tone::Warn),
            );
            if flowed(&long, width, max_lines).1 >= flowed(&entries, width, max_lines).1 {
                entries = long;
            }
        }
    }
    flowed(&entries, width, max_lines).0
}

/// `entries` (mark, its style, words) laid out whole and in order in lines of `width`
/// columns, at most `max_lines` of them, and how many entries were laid out.
fn flowed<'a>(
    entries: &[(String, Style, String)],
    width: u16,
    max_lines: usize,
) -> (Vec<Line<'a>>, usize) {
    let mut lines: Vec<Vec<Span<'a>>> = vec![Vec::new()];
    let mut used = 0;
    let mut placed = 0;
    for (mark, style, words) in entries {
        let len = mark.chars().count() + words.chars().count();
        if used + len > usize::from(width) {
            if lines.len() >= max_lines || used == 0 {
                break;
            }
            lines.push(Vec::new());
            used = 0;
            if len > usize::from(width) {
                break;
            }
        }
        used += len;
        placed += 1;
        if let Some(line) = lines.last_mut() {
            line.push(Span::styled(mark.clone(), *style));
            line.push(Span::raw(words.clone()));
        }
    }
    lines.retain(|spans| !spans.is_empty());
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    (lines.into_iter().map(Line::from).collect(), placed)
}

/// The "now" line's character (ASCII, so every terminal draws it).
const NOW_MARK: char = '|';
/// The projected exhaustion point's character.
const EXHAUSTION_MARK: char = 'X';

/// When the contract runs out by the projection's point, if inside the window.
fn exhaustion_in_window(o: &HubOutlook<'_>) -> Option<DateTime<Utc>> {
    match o.capacity.exhaustion {
        Exhaustion::At(at) if at < o.hub.capacity.window_end => Some(at),
        _ => None,
    }
}

/// How settled a figure must be to be shown plainly (`alerts.settled_within_pct`).
pub(super) fn settled_pct(state: &State) -> f64 {
    state.board().thresholds().settled_within_pct
}

/// `1350/900 used, over by 450 (4050.00 USD)` or `210/600 used` (what is left is plain from
/// the two): never a negative remainder.
fn usage(o: &HubOutlook<'_>) -> String {
    let cap = &o.hub.capacity;
    let c = &o.capacity;
    if c.over_contract_units > 0 {
        format!(
            "{}/{} used, over by {} ({})",
            cap.consumed_units,
            cap.contracted_units,
            c.over_contract_units,
            format_money(
                crate::model::figures::priced(c.over_contract_units, cap.overage_cost_minor),
                &cap.currency
            )
        )
    } else {
        format!("{}/{} used", cap.consumed_units, cap.contracted_units)
    }
}

/// When the contract runs out, with its tone: certain (`Bad`) only when even the latest end
/// of the range is before the window ends. The word is the hub's steady verdict (a new one
/// shows once it has held; see `model::steady`), so an interval's edge wavering at the
/// window's end does not flip "may run out" and "lasts the window"; the times are today's.
pub(super) fn exhaustion_words(
    o: &HubOutlook<'_>,
    server_now: DateTime<Utc>,
    settled: f64,
    zone: text::Zone,
) -> (String, Tone) {
    let cap = &o.hub.capacity;
    let c = &o.capacity;
    let may_run_out = || match c.exhaustion {
        Exhaustion::At(at) if c.exhaustion_earliest.is_some_and(|e| e < cap.window_end) => {
            let range = format::instant(
                server_now,
                at,
                c.exhaustion_earliest,
                c.exhaustion_latest,
                0.0,
                zone,
            );
            (format!("may run out ({range})"), Tone::Warn)
        }
        _ => match c.exhaustion_earliest.filter(|e| *e < cap.window_end) {
            Some(from) => {
                let from = text::clock_in(from, zone, server_now);
                (format!("may run out (from {from})"), Tone::Warn)
            }
            // Held while today's range no longer reaches the window's end.
            None => ("may run out".to_owned(), Tone::Warn),
        },
    };
    match o.verdict {
        CapacityVerdict::Measuring => ("measuring…".to_owned(), Tone::Dim),
        CapacityVerdict::UsedUp => ("contract used up".to_owned(), Tone::Bad),
        CapacityVerdict::NotBurning => ("not burning".to_owned(), Tone::Dim),
        CapacityVerdict::Lasts => ("lasts the window".to_owned(), Tone::Good),
        CapacityVerdict::MayRunOut => may_run_out(),
        // While held, today's range may reach past the window's end: said as it is.
        CapacityVerdict::RunsOut => match c.exhaustion {
            Exhaustion::At(at) => {
                if format::instant_is_settled(
                    server_now,
                    at,
                    c.exhaustion_earliest,
                    c.exhaustion_latest,
                    settled,
                ) {
                    let when = format!(
                        "runs out {} ({})",
                        text::in_time(at, server_now),
                        text::clock_in(at, zone, server_now)
                    );
                    (when, Tone::Bad)
                } else {
                    let range = format::instant(
                        server_now,
                        at,
                        c.exhaustion_earliest,
                        c.exhaustion_latest,
                        settled,
                        zone,
                    );
                    (format!("runs out {range}"), Tone::Bad)
                }
            }
            // Held while today's point rate is 0 (a stall): the range's early end is all
            // there is to say.
            _ => match c.exhaustion_earliest {
                Some(from) => {
                    let from = text::clock_in(from, zone, server_now);
                    (format!("runs out from {from}?"), Tone::Warn)
                }
                None => ("runs out?".to_owned(), Tone::Warn),
            },
        },
    }
}

/// What the projection at window end costs, as a verdict that changes at most once: certain
/// (`over 30 = …`, `short 90 = …`, `within contract`) only when the whole range says so, else
/// `may run over` / `may fall short` with the range.
///
/// `compact` (one line per hub) leaves the ranges out: `short ≈163 = 326.00 USD`.
pub(super) fn cost_words(o: &HubOutlook<'_>, settled: f64, compact: bool) -> (String, Tone) {
    let cap = &o.hub.capacity;
    let c = &o.capacity;
    let money = |minor: Option<i64>| format_money(minor.unwrap_or(0), &cap.currency);
    let (Some(over), Some(short)) = (c.overage_units, c.shortfall_units) else {
        return ("no projection".to_owned(), Tone::Dim);
    };
    let over_range = c
        .overage_range
        .unwrap_or(crate::model::figures::Range::new(over, over));
    let short_range = c
        .shortfall_range
        .unwrap_or(crate::model::figures::Range::new(short, short));
    // A possible overage or shortfall: the word, with how far it may go and what that costs
    // where there is room. A bare `(0–2114)` in the Cost column read as money without its
    // currency; it is units, priced at the range's far end.
    let maybe = |word: &str, high: u64, cost_high: Option<i64>| match cost_high {
        Some(cost) if !compact && high > 0 => {
            format!("{word} (≤{high} = {})", money(Some(cost)))
        }
        _ => word.to_owned(),
    };
    // A certain overage or shortfall with its cost; one line per hub (`compact`) leaves the
    // range out and marks an unsettled figure with `≈`.
    let priced = |word: &str, units: u64, range: crate::model::figures::Range<u64>, cost| {
        let text = priced_range(
            word,
            units,
            (!compact).then_some(range),
            &money(cost),
            settled,
        );
        if compact && !text.contains('≈') && range.low != range.high {
            text.replacen(&format!("{word} "), &format!("{word} ≈"), 1)
        } else {
            text
        }
    };
    // The hub's steady cost word decides what to say (a new one shows once it has held; see
    // `model::steady`); the figures are today's.
    match o.cost_verdict {
        CostVerdict::NoProjection => ("no projection".to_owned(), Tone::Dim),
        CostVerdict::Over => (
            priced("over", over, over_range, c.overage_cost_minor),
            Tone::Bad,
        ),
        CostVerdict::Short => (
            priced("short", short, short_range, c.penalty_minor),
            Tone::Warn,
        ),
        CostVerdict::Within => ("within contract".to_owned(), Tone::Good),
        CostVerdict::MayRunOver => (
            maybe(
                "may run over",
                over_range.high,
                c.overage_cost_range.map(|r| r.high),
            ),
            Tone::Warn,
        ),
        CostVerdict::MayFallShort => (
            maybe(
                "may fall short",
                short_range.high,
                c.penalty_range.map(|r| r.high),
            ),
            Tone::Warn,
        ),
        CostVerdict::OverOrShort => ("over or short?".to_owned(), Tone::Warn),
    }
}

/// Seconds since the newest sample of a hub's burn window, for `measuring… (N s)`.
pub(super) fn evidence_s(
    state: &State,
    o: &HubOutlook<'_>,
    server_now: DateTime<Utc>,
) -> Option<i64> {
    let board = state.shown_board();
    let (at, _) = board.hub_track(&o.hub.id)?.consumed.last()?;
    Some((server_now - at).num_seconds().max(0))
}

/// `overage 30 = 270.00 USD` or, unsettled, `overage ≈30 (0–932) = 270.00 USD`.
fn priced_range(
    word: &str,
    units: u64,
    range: Option<crate::model::figures::Range<u64>>,
    cost: &str,
    settled: f64,
) -> String {
    let estimate = range.and_then(|r| Estimate::new(units as f64, r.low as f64, r.high as f64));
    match estimate {
        Some(e) if !e.is_settled(settled) => {
            format!("{word} {} = {cost}", format::units(e, settled))
        }
        _ => format!("{word} {units} = {cost}"),
    }
}

/// Two lines of figures for one hub in `width` columns, each with its ranges when they fit, else
/// the compact forms (`~2/min`, `may run out`, `≈630`), so nothing is cut at the border.
fn figure_lines<'a>(
    o: &HubOutlook<'_>,
    state: &State,
    server_now: DateTime<Utc>,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'a>> {
    // Each line on its own, the longest form that fits: a long cost on the second line leaves
    // the first its ranges, and then the projection its range before the cost's goes.
    let full = figure_lines_as(o, state, server_now, theme, false, false);
    let short_cost = figure_lines_as(o, state, server_now, theme, false, true);
    let compact = figure_lines_as(o, state, server_now, theme, true, true);
    full.into_iter()
        .zip(short_cost)
        .zip(compact)
        .map(|((full, short_cost), compact)| {
            if full.width() <= usize::from(width) {
                full
            } else if short_cost.width() <= usize::from(width) {
                short_cost
            } else {
                // Still too wide: the parts at the end go whole (the hubs table has every
                // figure).
                whole_spans(compact, usize::from(width))
            }
        })
        .collect()
}

/// The spans of `line` that fit in `width` columns, from the start, each whole.
fn whole_spans(line: Line<'_>, width: usize) -> Line<'_> {
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        used += span.width();
        if used > width {
            break;
        }
        spans.push(span);
    }
    Line::from(spans)
}

/// A figure's text without its parenthesised range: `may run out (19:54–23:59)` → `may run
/// out`, `~2/min (1.1–3.4)` → `~2/min`.
pub(super) fn without_range(text: &str) -> String {
    text.split(" (").next().unwrap_or(text).to_owned()
}

/// The two figure lines: `compact` leaves every range out, `compact_cost` only the cost's.
fn figure_lines_as<'a>(
    o: &HubOutlook<'_>,
    state: &State,
    server_now: DateTime<Utc>,
    theme: &Theme,
    compact: bool,
    compact_cost: bool,
) -> Vec<Line<'a>> {
    let hub = o.hub;
    let cap = &hub.capacity;
    let c = &o.capacity;
    let settled = settled_pct(state);
    let (mut exhaustion, exhaustion_tone) = exhaustion_words(o, server_now, settled, theme.zone);
    let mut rate = format::rate(c.burn, settled, evidence_s(state, o, server_now));
    if compact {
        exhaustion = match c.exhaustion {
            // `runs out 03:14–04:20` → `runs out ~03:40`: the point, marked as an estimate.
            Exhaustion::At(at)
                if exhaustion.starts_with("runs out") && exhaustion.contains('–') =>
            {
                format!("runs out ~{}", text::clock_in(at, theme.zone, server_now))
            }
            _ => without_range(&exhaustion),
        };
        rate = without_range(&rate);
    }
    let first = Line::from(vec![
        Span::styled(format!("{} ", hub.id), theme.title()),
        Span::raw(theme.plain(format!("{}, burn {rate}, ", usage(o)))),
        Span::styled(theme.plain(exhaustion), theme.tone(exhaustion_tone)),
    ]);
    let end = text::clock_in(cap.window_end, theme.zone, server_now);
    let projection = match c.projected_at_window_end {
        None => vec![Span::styled(
            format!("  at {end}: no projection yet (measuring)"),
            theme.tone(Tone::Dim),
        )],
        Some(projected) => {
            let shown = match c.projected_range {
                Some(r) => Estimate::new(projected as f64, r.low as f64, r.high as f64)
                    .map_or_else(|| projected.to_string(), |e| format::units(e, settled)),
                None => projected.to_string(),
            };
            let shown = if compact {
                without_range(&shown)
            } else {
                shown
            };
            let mut spans = vec![Span::raw(
                theme.plain(format!("  at {end}: {shown} projected")),
            )];
            let (cost, tone) = cost_words(o, settled, compact || compact_cost);
            spans.push(Span::styled(
                theme.plain(format!(", {cost}")),
                theme.tone(tone),
            ));
            if server_now >= cap.window_end {
                spans.push(Span::styled(
                    " (window over)".to_owned(),
                    theme.tone(Tone::Dim),
                ));
            }
            spans
        }
    };
    vec![first, Line::from(projection)]
}

/// The smallest multiple of half a power of ten at or above `value`, so the axis reads 0 / 350 /
/// 700 rather than 0 / 346 / 693.
fn nice_ceiling(value: f64) -> f64 {
    if !value.is_finite() || value <= 0.0 {
        return 1.0;
    }
    let step = 10f64.powf(value.log10().floor()) / 2.0;
    (value / step).ceil() * step
}

/// The chart's top in units: a round step above the contract, the minimum commitment and what
/// is consumed, with a quarter to spare. Derived only from figures that never shrink within a
/// window (the contract is fixed, consumption only grows), so the scale grows in steps and never
/// shrinks, and no frame remembers anything. A projection above it is drawn to the top edge
/// (its figures are in words above the chart).
fn chart_top(contracted: u64, min_commit: u64, consumed: u64) -> f64 {
    let base = contracted.max(min_commit).max(consumed).max(1);
    nice_ceiling(units(base) * 1.25)
}

/// Minutes from `start` to `at`, the chart's x unit.
fn minutes(start: DateTime<Utc>, at: DateTime<Utc>) -> f64 {
    // Milliseconds of a capacity window fit f64 exactly.
    let ms = (at - start).num_milliseconds() as f64;
    ms / 60_000.0
}

fn units(value: u64) -> f64 {
    value as f64
}

/// The segment from `from` to `to` cut where it leaves the chart at `top`.
fn clipped(from: (f64, f64), to: (f64, f64), top: f64) -> [(f64, f64); 2] {
    if to.1 <= top || (to.1 - from.1).abs() < f64::EPSILON {
        return [from, to];
    }
    let x = from.0 + (to.0 - from.0) * (top - from.1) / (to.1 - from.1);
    [from, (x, top)]
}

/// The size of one cell of a chart's plot in data units: the chart's area less the y labels
/// and the axis on the left, and the x labels and the axis below.
#[derive(Debug, Clone, Copy)]
struct Grid {
    x_cell: f64,
    y_cell: f64,
}

impl Grid {
    fn of(area: Rect, span: f64, top: f64) -> Self {
        let label_width = format!("{top:.0}").len() + 1;
        let cols = usize::from(area.width).saturating_sub(label_width).max(1);
        let rows = area.height.saturating_sub(2).max(1);
        Self {
            x_cell: span / cols as f64,
            y_cell: top / f64::from(rows),
        }
    }

    /// `x` moved to the middle of its cell: every `x` in a cell gives the same.
    fn x(self, x: f64) -> f64 {
        snap(x, self.x_cell)
    }

    /// `y` moved to the middle of its cell.
    fn y(self, y: f64) -> f64 {
        snap(y, self.y_cell)
    }
}

fn snap(value: f64, cell: f64) -> f64 {
    if cell > 0.0 && cell.is_finite() {
        ((value / cell).floor() + 0.5) * cell
    } else {
        value
    }
}

/// The projection's point as a line from `start` (now, consumed) to the window's end, and
/// where its `range` is wide, the range as a bar at the window's end; both cut at the chart's
/// `top`, placed on `grid`'s cells. Where the range is wide and the projection not `firm`
/// (the verdict is `may run out` and the burn rate not settled), the range alone: a line from
/// a few seconds of data swung across the chart every second in the first minutes, an early
/// estimate drawn as a fact beside words that say it may or may not run out (and a dot moved
/// on every row it crossed, most of the 120×40 room's terminal output then).
///
/// Two lines from now to the range's edges were drawn before: in the first minutes the high
/// edge narrows every second, and where it left the top moved a column a second, redrawing a
/// dot on every row it crossed (72 % of the 120×40 room's terminal output,
/// docs/PERFORMANCE.md). A bar moves a cell at a time in one column and says the same thing:
/// where consumption may stand when the window ends.
fn projection_lines(
    grid: Grid,
    start: (f64, f64),
    span: f64,
    top: f64,
    point: u64,
    range: Option<crate::model::figures::Range<u64>>,
    firm: bool,
) -> Vec<[(f64, f64); 2]> {
    let wide = range.filter(|r| r.low != r.high);
    let mut lines = Vec::new();
    if firm || wide.is_none() {
        lines.push(clipped(start, (span, grid.y(units(point))), top));
    }
    if let Some(range) = wide {
        lines.push([
            (span, grid.y(units(range.low)).min(top)),
            (span, grid.y(units(range.high)).min(top)),
        ]);
    }
    lines
}

fn render_chart(
    frame: &mut Frame,
    area: Rect,
    o: &HubOutlook<'_>,
    server_now: DateTime<Utc>,
    theme: &Theme,
    settled: f64,
) {
    let cap = &o.hub.capacity;
    let span = minutes(cap.window_start, cap.window_end).max(1.0);
    let consumed: Vec<(f64, f64)> = o
        .burn_down
        .iter()
        .map(|&(at, value)| (minutes(cap.window_start, at), units(value)))
        .collect();
    let contracted = [
        (0.0, units(cap.contracted_units)),
        (span, units(cap.contracted_units)),
    ];
    let min_commit = [
        (0.0, units(cap.min_commit_units)),
        (span, units(cap.min_commit_units)),
    ];
    let top = chart_top(
        cap.contracted_units,
        cap.min_commit_units,
        cap.consumed_units,
    );
    // The lines drawn from estimates (the projection from now, the now line, the exhaustion
    // mark) are placed on the chart's own cells: a rate moving a little each second then
    // redraws nothing until a line moves by a whole cell. Unsnapped, the three projection
    // lines were re-rasterised every second in the first minutes: 62 % of the 120×40 room's
    // terminal output (docs/PERFORMANCE.md).
    let grid = Grid::of(area, span, top);
    let now_x = grid
        .x(minutes(cap.window_start, server_now).clamp(0.0, span))
        .min(span);
    let start = (now_x, grid.y(units(cap.consumed_units)));
    let c = &o.capacity;
    let projections = c
        .projected_at_window_end
        .filter(|_| now_x < span)
        .map(|point| {
            // Whichever the point, the verdict holds: the line says what the words say.
            let firm = !matches!(
                o.verdict,
                CapacityVerdict::MayRunOut | CapacityVerdict::Measuring
            ) || c.burn.is_some_and(|b| b.is_settled(settled));
            projection_lines(grid, start, span, top, point, c.projected_range, firm)
        })
        .unwrap_or_default();
    let now_line = [(now_x, 0.0), (now_x, top)];
    let exhaustion: Vec<(f64, f64)> = exhaustion_in_window(o)
        .map(|at| {
            (
                grid.x(minutes(cap.window_start, at).clamp(0.0, span))
                    .min(span),
                units(cap.contracted_units),
            )
        })
        .into_iter()
        .collect();
    let mut datasets = vec![
        Dataset::default()
            .name("now")
            .marker(Marker::Custom(NOW_MARK))
            .graph_type(GraphType::Line)
            .style(theme.tone(Tone::Dim))
            .data(&now_line),
        Dataset::default()
            .name("contract")
            .marker(theme.marker(Series::Contracted))
            .graph_type(GraphType::Line)
            .style(theme.series(Series::Contracted))
            .data(&contracted),
        Dataset::default()
            .name("min commit")
            .marker(theme.marker(Series::MinCommit))
            .graph_type(GraphType::Line)
            .style(theme.series(Series::MinCommit))
            .data(&min_commit),
    ];
    for projection in &projections {
        datasets.push(
            Dataset::default()
                .name("projected")
                .marker(theme.marker(Series::Projection))
                .graph_type(GraphType::Line)
                .style(theme.series(Series::Projection))
                .data(projection),
        );
    }
    datasets.push(
        Dataset::default()
            .name("consumed")
            .marker(theme.marker(Series::Consumed))
            .graph_type(GraphType::Line)
            .style(theme.series(Series::Consumed))
            .data(&consumed),
    );
    datasets.push(
        Dataset::default()
            .name("runs out")
            .marker(Marker::Custom(EXHAUSTION_MARK))
            .graph_type(GraphType::Scatter)
            .style(theme.tone(Tone::Bad))
            .data(&exhaustion),
    );
    let dim = theme.tone(Tone::Dim);
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([0.0, span]).style(dim).labels([
            text::clock_hm(cap.window_start),
            text::clock_hm(cap.window_end),
        ]))
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .style(dim)
                // Evenly spaced labels: bottom, middle and top of the bounds.
                .labels([
                    "0".to_owned(),
                    format!("{:.0}", top / 2.0),
                    format!("{top:.0}"),
                ]),
        )
        // The key is a line of text above the chart, so it never covers the curves.
        .legend_position(None)
        .style(Style::new());
    frame.render_widget(chart, area);
    tint_blanks(
        frame.buffer_mut(),
        area,
        theme.series(Series::Projection).fg,
    );
}

/// Gives the chart's blank cells the projection's colour, which a blank does not show.
///
/// The projection and its range are the lines that move while the estimates settle (in the
/// first minutes, one of the three every second or two). A dot moved by one cell is a blank
/// where it was and a dot beside it: with blanks in the default colour that is a cursor move,
/// a colour reset, the blank, the projection's colour and the dot, 34 bytes a row for 3 bytes
/// of text; with the blanks in the projection's colour it is the move and ` ·`, 11 bytes. At
/// 120×40 the moving lines were 72 % of the terminal output (docs/PERFORMANCE.md).
fn tint_blanks(buf: &mut Buffer, area: Rect, fg: Option<Color>) {
    let Some(fg) = fg else {
        return;
    };
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            // Only what shows nothing either way: no reverse video, no underline.
            if cell.symbol() == " "
                && cell.fg == Color::Reset
                && cell.bg == Color::Reset
                && cell.modifier.is_empty()
            {
                cell.fg = fg;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{chart_top, clipped, nice_ceiling};

    #[test]
    fn the_scale_grows_in_steps_and_never_shrinks() {
        // Consumption only grows: the top follows in round steps, never down.
        let mut last = 0.0;
        for consumed in (0_u32..=2000).step_by(25) {
            let top = chart_top(600, 300, u64::from(consumed));
            assert!(top >= last, "{consumed}: {top} < {last}");
            assert!(top >= 600.0 && top >= f64::from(consumed));
            last = top;
        }
        assert!((chart_top(600, 300, 210) - 750.0).abs() < 1e-9);
        assert!((chart_top(600, 300, 1350) - 2000.0).abs() < 1e-9);
    }

    #[test]
    fn a_projection_above_the_chart_stops_at_its_top() {
        let [from, to] = clipped((10.0, 100.0), (20.0, 300.0), 200.0);
        assert_eq!(from, (10.0, 100.0));
        assert!((to.0 - 15.0).abs() < 1e-9 && (to.1 - 200.0).abs() < 1e-9);
        assert_eq!(clipped((0.0, 0.0), (5.0, 50.0), 200.0)[1], (5.0, 50.0));
    }

    #[test]
    fn values_in_one_cell_snap_to_one_place() {
        let grid = super::Grid::of(ratatui::layout::Rect::new(0, 0, 45, 22), 180.0, 2000.0);
        // 40 columns of 4.5 min, 20 rows of 100 units.
        assert!((grid.x(10.0) - grid.x(13.4)).abs() < 1e-9);
        assert!((grid.x(10.0) - 11.25).abs() < 1e-9);
        assert!((grid.y(1301.0) - grid.y(1399.0)).abs() < 1e-9);
        assert!((grid.y(1301.0) - 1350.0).abs() < 1e-9);
        assert!(grid.y(1401.0) > grid.y(1399.0));
    }

    #[test]
    fn blanks_take_the_projection_colour_and_nothing_else_changes() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        use ratatui::style::{Color, Modifier, Style};

        let area = Rect::new(0, 0, 6, 2);
        let mut buf = Buffer::empty(area);
        buf[(1, 0)].set_symbol("·").set_fg(Color::Indexed(177));
        buf[(2, 0)].set_symbol("=").set_fg(Color::Indexed(203));
        // A reversed or underlined blank shows its colours: left alone.
        buf[(3, 0)].set_style(Style::new().add_modifier(Modifier::REVERSED));
        buf[(4, 0)].set_style(Style::new().add_modifier(Modifier::UNDERLINED));
        let before = buf.clone();
        super::tint_blanks(&mut buf, area, Some(Color::Indexed(177)));
        for (x, y) in [(0, 0), (5, 0), (0, 1), (3, 1)] {
            assert_eq!(buf[(x, y)].symbol(), " ");
            assert_eq!(buf[(x, y)].fg, Color::Indexed(177), "({x}, {y})");
        }
        for x in 1..5 {
            assert_eq!(buf[(x, 0)], before[(x, 0)], "cell {x} changed");
        }
        // Without colour (`--color never`) there is nothing to give.
        let mut plain = before.clone();
        super::tint_blanks(&mut plain, area, None);
        assert_eq!(plain, before);
    }

    #[test]
    fn a_projection_dot_moved_by_one_cell_costs_no_colour_change() {
        use ratatui::backend::CrosstermBackend;
        use ratatui::layout::Rect;
        use ratatui::style::Color;
        use ratatui::{Terminal, TerminalOptions, Viewport};

        /// What the backend wrote (its own writer is not public in ratatui 0.30).
        #[derive(Clone, Default)]
        struct Written(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl std::io::Write for Written {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        // A steep line over three plot rows moving right by one column, drawn as the program
        // draws: a blank where each dot was, the dot beside it.
        let dot = |at: u16| {
            move |frame: &mut ratatui::Frame| {
                let area = frame.area();
                for y in 0..3 {
                    frame.buffer_mut()[(at + y, y)]
                        .set_symbol("·")
                        .set_fg(Color::Indexed(177));
                }
                super::tint_blanks(frame.buffer_mut(), area, Some(Color::Indexed(177)));
            }
        };
        let written = Written::default();
        let mut terminal = Terminal::with_options(
            CrosstermBackend::new(written.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 10, 3)),
            },
        )
        .expect("terminal");
        terminal.draw(dot(3)).expect("draw");
        let first = written.0.borrow().len();
        terminal.draw(dot(4)).expect("draw");
        let moved = String::from_utf8_lossy(&written.0.borrow()[first..]).into_owned();
        // Per row a cursor move and ` ·`; the colour is set once, never reset between rows
        // (with default-coloured blanks each row paid `ESC[39;49m` and `ESC[38;5;177;49m`).
        assert_eq!(moved.matches(" ·").count(), 3, "{moved:?}");
        assert_eq!(moved.matches("38;5;").count(), 1, "{moved:?}");
        assert!(!moved.contains("[39;49m"), "{moved:?}");
    }

    #[test]
    fn the_range_is_a_bar_at_the_window_end_that_moves_only_in_its_column() {
        use crate::model::figures::Range;
        // 40 columns of 4.5 min over a 180-minute window, 20 rows of 100 units up to 2,000.
        let grid = super::Grid::of(ratatui::layout::Rect::new(0, 0, 45, 22), 180.0, 2000.0);
        let start = (grid.x(30.0), grid.y(400.0));
        let drawn = |low, high, firm| {
            super::projection_lines(
                grid,
                start,
                180.0,
                2000.0,
                1500,
                Some(Range { low, high }),
                firm,
            )
        };
        let range = |low, high| drawn(low, high, true);
        let lines = |high| range(900, high);
        let wide = lines(9_000);
        assert_eq!(wide.len(), 2);
        // The point's line runs from now to the window's end.
        assert_eq!(wide[0][0], start);
        assert!((wide[0][1].0 - 180.0).abs() < 1e-9);
        // The range stands in the window's end column, from its low edge to the chart's top.
        let [low, high] = wide[1];
        assert!((low.0 - 180.0).abs() < 1e-9 && (high.0 - 180.0).abs() < 1e-9);
        assert!((low.1 - grid.y(900.0)).abs() < 1e-9);
        assert!((high.1 - 2000.0).abs() < 1e-9);
        // The high edge narrowing above the top (each second in the first minutes) moves
        // nothing drawn; inside the chart it moves only the bar's end, in its column.
        assert_eq!(lines(6_000), wide);
        let inside = lines(1_750);
        assert_eq!(inside[0], wide[0]);
        assert!((inside[1][1].0 - 180.0).abs() < 1e-9);
        assert!((inside[1][1].1 - grid.y(1_750.0)).abs() < 1e-9);
        // A settled range (one value) is the point alone.
        assert_eq!(range(1500, 1500).len(), 1);
        // A wide range of a projection that is not firm: the bar alone, no line from a few
        // seconds of data; a one-value range still draws its point.
        assert_eq!(drawn(900, 9_000, false), vec![wide[1]]);
        assert_eq!(drawn(1500, 1500, false).len(), 1);
        assert_eq!(drawn(1500, 1500, false)[0], wide[0]);
    }

    #[test]
    fn axis_tops_are_round() {
        let cases = [
            (660.0, 700.0),
            (440.0, 450.0),
            (1.1, 1.5),
            (0.0, 1.0),
            (93.0, 95.0),
        ];
        for (value, expected) in cases {
            assert!((nice_ceiling(value) - expected).abs() < 1e-9, "{value}");
        }
    }
}
