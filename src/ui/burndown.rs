//! Capacity burn-down per hub: consumed units over the contract window against the contracted
//! line and the minimum commitment, with the projection to the window's end; and in words the
//! remaining units, burn rate, projected exhaustion and what the projection costs.
//!
//! With room, each hub gets a chart; without, two lines of figures (nothing is lost, the chart
//! is one view away in Fulfilment).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
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
use crate::model::views::HubOutlook;

use super::panel;
use super::text;
use super::theme::{Series, Theme, Tone};

/// A hub needs this many rows for a chart under its two lines of figures.
const CHART_MIN_ROWS: u16 = 6;

/// Rows the panel wants for `hubs` hubs drawn as one line of text each.
#[must_use]
pub fn wanted_text_height(hubs: usize) -> u16 {
    let hubs = u16::try_from(hubs.max(1)).unwrap_or(u16::MAX);
    hubs.saturating_add(2)
}

/// Draws the panel into `area`: charts when every hub gets [`CHART_MIN_ROWS`] rows and `charts`
/// is allowed, else figures only.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    now: DateTime<Utc>,
    charts: bool,
) {
    let block = panel::feed_block(
        "Capacity burn-down",
        FeedKind::Fulfilment,
        state,
        theme,
        false,
        now,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let board = state.shown_board();
    let server_now = state.shown_server_now(now);
    let hubs = board.hubs().len();
    // With charts every hub has a slot; as text, no more hubs than rows can show.
    let shown = if charts {
        hubs
    } else {
        hubs.min(usize::from(inner.height))
    };
    let outlooks: Vec<HubOutlook<'_>> = board.all_hub_outlooks(server_now).take(shown).collect();
    if outlooks.is_empty() {
        frame.render_widget(
            Paragraph::new("no hubs yet").style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let count = u16::try_from(hubs).unwrap_or(u16::MAX);
    let per_hub = inner.height / count.max(1);
    let with_charts = charts && per_hub >= CHART_MIN_ROWS + 3;
    if !with_charts {
        // Two lines per hub when they fit, else the most telling figures on one.
        let two_lines = usize::from(inner.height) >= hubs * 2;
        let lines: Vec<Line<'_>> = outlooks
            .iter()
            .take(usize::from(inner.height))
            .flat_map(|o| {
                if two_lines {
                    figure_lines(o, state, server_now, theme, inner.width)
                } else {
                    vec![one_line(o, state, server_now, theme)]
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let slots =
        Layout::vertical(vec![Constraint::Ratio(1, u32::from(count)); outlooks.len()]).split(inner);
    for (outlook, slot) in outlooks.iter().zip(slots.iter()) {
        let [figures_area, chart_area] =
            Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(*slot);
        let mut lines = figure_lines(outlook, state, server_now, theme, figures_area.width);
        lines.push(legend(outlook, theme));
        frame.render_widget(Paragraph::new(lines), figures_area);
        render_chart(frame, chart_area, outlook, server_now, theme);
    }
}

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
    let [figures_area, chart_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(inner);
    let mut lines = figure_lines(&outlook, state, server_now, theme, figures_area.width);
    lines.push(legend(&outlook, theme));
    frame.render_widget(Paragraph::new(lines), figures_area);
    render_chart(frame, chart_area, &outlook, server_now, theme);
}

/// The chart's key, with the two reference levels in units.
fn legend<'a>(o: &HubOutlook<'_>, theme: &Theme) -> Line<'a> {
    let cap = &o.hub.capacity;
    let sample = |role: Series| match theme.marker(role) {
        Marker::Custom(c) => c.to_string().repeat(3),
        _ => if theme.ascii { "***" } else { "⣀⣀⣀" }.to_owned(),
    };
    Line::from(vec![
        Span::styled(
            format!("  {} ", sample(Series::Consumed)),
            theme.series(Series::Consumed),
        ),
        Span::raw("consumed  "),
        Span::styled(
            format!("{} ", sample(Series::Projection)),
            theme.series(Series::Projection),
        ),
        Span::raw("projected  "),
        Span::styled(
            format!("{} ", sample(Series::Contracted)),
            theme.series(Series::Contracted),
        ),
        Span::raw(format!("contract {}  ", cap.contracted_units)),
        Span::styled(
            format!("{} ", sample(Series::MinCommit)),
            theme.series(Series::MinCommit),
        ),
        Span::raw(format!("min commit {}", cap.min_commit_units)),
    ])
}

/// How settled a figure must be to be shown plainly (`alerts.settled_within_pct`).
fn settled_pct(state: &State) -> f64 {
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
/// of the range is before the window ends.
fn exhaustion_words(
    o: &HubOutlook<'_>,
    server_now: DateTime<Utc>,
    settled: f64,
    zone: text::Zone,
) -> (String, Tone) {
    let cap = &o.hub.capacity;
    let c = &o.capacity;
    // While the range straddles the window's end the verdict is "may run out", whichever
    // side the point is on: an estimate settling must not flip "runs out" and "lasts".
    let straddles = c.burn.is_some()
        && !c.surely_exhausts_before(cap.window_end)
        && c.exhaustion_earliest.is_some_and(|e| e < cap.window_end);
    match c.exhaustion {
        Exhaustion::At(at) if straddles => {
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
        Exhaustion::NotBurning if straddles => {
            let from = c
                .exhaustion_earliest
                .map(|e| text::clock_in(e, zone, server_now))
                .unwrap_or_default();
            (format!("may run out (from {from})"), Tone::Warn)
        }
        // Running out after the window closes is no exhaustion at all.
        Exhaustion::At(at) if at >= cap.window_end => ("lasts the window".to_owned(), Tone::Good),
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
        Exhaustion::Reached { .. } => ("contract used up".to_owned(), Tone::Bad),
        Exhaustion::NotBurning => ("not burning".to_owned(), Tone::Dim),
    }
}

/// What the projection at window end costs, as a verdict that changes at most once: certain
/// (`over 30 = …`, `short 90 = …`, `within contract`) only when the whole range says so, else
/// `may run over` / `may fall short` with the range.
///
/// `compact` (one line per hub) leaves the ranges out: `short ≈163 = 326.00 USD`.
fn cost_words(o: &HubOutlook<'_>, settled: f64, compact: bool) -> (String, Tone) {
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
    let shown = |range: crate::model::figures::Range<u64>| (!compact).then_some(range);
    if over_range.low > 0 {
        let text = priced_range(
            "over",
            over,
            shown(over_range),
            &money(c.overage_cost_minor),
            settled,
        );
        let text = if compact && !text.contains('≈') && over_range.low != over_range.high {
            text.replacen("over ", "over ≈", 1)
        } else {
            text
        };
        (text, Tone::Bad)
    } else if short_range.low > 0 {
        let text = priced_range(
            "short",
            short,
            shown(short_range),
            &money(c.penalty_minor),
            settled,
        );
        let text = if compact && !text.contains('≈') && short_range.low != short_range.high {
            text.replacen("short ", "short ≈", 1)
        } else {
            text
        };
        (text, Tone::Warn)
    } else if over_range.high == 0 && short_range.high == 0 {
        ("within contract".to_owned(), Tone::Good)
    } else if over_range.high > 0 && short_range.high == 0 {
        let range = if compact {
            String::new()
        } else {
            format!(" (0–{})", over_range.high)
        };
        (format!("may run over{range}"), Tone::Warn)
    } else if short_range.high > 0 && over_range.high == 0 {
        let range = if compact {
            String::new()
        } else {
            format!(" (0–{})", short_range.high)
        };
        (format!("may fall short{range}"), Tone::Warn)
    } else {
        ("over or short?".to_owned(), Tone::Warn)
    }
}

/// Seconds since the newest sample of a hub's burn window, for `measuring… (N s)`.
fn evidence_s(state: &State, o: &HubOutlook<'_>, server_now: DateTime<Utc>) -> Option<i64> {
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

/// One line of figures for one hub, when there is no room for two.
fn one_line<'a>(
    o: &HubOutlook<'_>,
    state: &State,
    server_now: DateTime<Utc>,
    theme: &Theme,
) -> Line<'a> {
    let cap = &o.hub.capacity;
    let c = &o.capacity;
    let settled = settled_pct(state);
    let (out, _) = exhaustion_words(o, server_now, settled, theme.zone);
    let cost = cost_words(o, settled, true);
    Line::from(vec![
        Span::styled(format!("{} ", o.hub.id), theme.title()),
        Span::raw(theme.plain(format!(
            "{}/{} {} {} ",
            cap.consumed_units,
            cap.contracted_units,
            format::rate(c.burn, settled, evidence_s(state, o, server_now)),
            out
        ))),
        Span::styled(theme.plain(cost.0), theme.tone(cost.1)),
    ])
}

/// Two lines of figures for one hub.
/// Two lines of figures for one hub in `width` columns: with the ranges when they fit, else
/// the compact forms (`~2/min`, `may run out`, `≈630`), so nothing is cut at the border.
fn figure_lines<'a>(
    o: &HubOutlook<'_>,
    state: &State,
    server_now: DateTime<Utc>,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'a>> {
    let full = figure_lines_as(o, state, server_now, theme, false);
    if full.iter().all(|l| l.width() <= usize::from(width)) {
        full
    } else {
        figure_lines_as(o, state, server_now, theme, true)
    }
}

/// A figure's text without its parenthesised range: `may run out (19:54–23:59)` → `may run
/// out`, `~2/min (1.1–3.4)` → `~2/min`.
fn without_range(text: &str) -> String {
    text.split(" (").next().unwrap_or(text).to_owned()
}

fn figure_lines_as<'a>(
    o: &HubOutlook<'_>,
    state: &State,
    server_now: DateTime<Utc>,
    theme: &Theme,
    compact: bool,
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
            let (cost, tone) = cost_words(o, settled, compact);
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

/// Minutes from `start` to `at`, the chart's x unit.
fn minutes(start: DateTime<Utc>, at: DateTime<Utc>) -> f64 {
    // Milliseconds of a capacity window fit f64 exactly.
    let ms = (at - start).num_milliseconds() as f64;
    ms / 60_000.0
}

fn units(value: u64) -> f64 {
    value as f64
}

fn render_chart(
    frame: &mut Frame,
    area: Rect,
    o: &HubOutlook<'_>,
    server_now: DateTime<Utc>,
    theme: &Theme,
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
    let now_x = minutes(cap.window_start, server_now).clamp(0.0, span);
    let projection: Vec<(f64, f64)> = match o.capacity.projected_at_window_end {
        Some(projected) if now_x < span => {
            vec![(now_x, units(cap.consumed_units)), (span, units(projected))]
        }
        _ => Vec::new(),
    };
    let top = [
        cap.contracted_units,
        cap.min_commit_units,
        cap.consumed_units,
        o.capacity.projected_at_window_end.unwrap_or(0),
    ]
    .into_iter()
    .max()
    .map_or(1.0, |m| nice_ceiling(units(m.max(1)) * 1.1));
    // Datasets borrow their points; these live until the end of this function.
    let consumed: &[(f64, f64)] = &consumed;
    let projection: &[(f64, f64)] = &projection;
    let datasets = vec![
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
        Dataset::default()
            .name("projected")
            .marker(theme.marker(Series::Projection))
            .graph_type(GraphType::Line)
            .style(theme.series(Series::Projection))
            .data(projection),
        Dataset::default()
            .name("consumed")
            .marker(theme.marker(Series::Consumed))
            .graph_type(GraphType::Line)
            .style(theme.series(Series::Consumed))
            .data(consumed),
    ];
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
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

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
