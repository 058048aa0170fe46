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

/// One hub's cells in column order: the long form of each (with its range), the compact one
/// (the point, marked as an estimate; the same text where a column has one form), and the tone.
struct HubCells {
    texts: Vec<String>,
    compact: Vec<String>,
    tones: Vec<Tone>,
}

const TITLES: [&str; 9] = [
    "Hub", "Used", "Burn", "Outlook", "Cost", "On-time", "Target", "Late", "Overdue",
];
/// How much each column matters: 0 stays longest.
const RANKS: [u8; 9] = [0, 1, 3, 2, 4, 3, 7, 8, 5];

/// The columns with a long and a compact form (Burn, Outlook, Cost), and how much their long
/// form is worth keeping when both cannot be had: the outlook's range first.
const TWO_FORMS: [(usize, u32); 3] = [(3, 4), (2, 2), (4, 1)];

/// Widths a column keeps whatever its cells say this frame, long form then compact: a burn
/// of `~5.8/min` then `~17/min` then `~0–20/min` would move every column after it (and
/// repaint them) a frame at a time, and its widest moment would push a column off.
fn floor_width(column: usize, compact: bool) -> u16 {
    match (column, compact) {
        // `~4.2/min (0.3–26)`; `~0–45/min`.
        (2, false) => 17,
        (2, true) => 9,
        // `runs out 14:29–15:32`. (The compact outlook has none: it changes only with the
        // hub's steady verdict, and 16 for `lasts the window` cost the Late column at 80x24.)
        (3, false) => 20,
        // `short ≈876 = 2190.00 EUR`: a cost growing from `over ≈30 = 360.00 USD` to
        // `over ≈534 = 6408.00 USD` pushed Target and Late off at 200x60 a second later.
        (4, false) => 24,
        _ => 0,
    }
}

/// A compact rate that keeps its mark: `~2/min`, and `~0–45/min` when the point rounds to 0
/// (a bare `~0/min` would read as "not burning" in the first seconds), its top rounded up to
/// a whole unit (`~0–9/min`, not `~0–8.6/min`: a range a little wider, and one that fits the
/// column's 9, so the columns after it do not move). Shared with the pop-ups' sales rate.
pub(super) fn compact_rate(
    estimate: Option<Estimate>,
    settled: f64,
    evidence: Option<i64>,
) -> String {
    match estimate {
        Some(e) if !e.is_settled(settled) && e.point < 0.5 => {
            format!("~0–{}/min", format::short_number(e.high.ceil()))
        }
        _ => without_range(&format::rate(estimate, settled, evidence)),
    }
}

/// The outlook in one line per hub: without its range, a `runs out` range as its point marked
/// `~` (`runs out 03:14–04:20` → `runs out ~03:40`), so an estimate never reads as a fact.
fn compact_outlook(
    outlook: &str,
    exhaustion: crate::model::figures::Exhaustion,
    theme: &Theme,
    server_now: DateTime<Utc>,
) -> String {
    let ranged_runs_out =
        outlook == "runs out" || (outlook.starts_with("runs out ") && outlook.contains('–'));
    match exhaustion {
        crate::model::figures::Exhaustion::At(at) if ranged_runs_out => {
            format!(
                "runs out ~{}",
                super::text::clock_in(at, theme.zone, server_now)
            )
        }
        _ => without_range(outlook),
    }
}

fn cells(o: &HubOutlook<'_>, state: &State, server_now: DateTime<Utc>, theme: &Theme) -> HubCells {
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
    let burn = format::rate(c.burn, settled, evidence);
    let burn_compact = compact_rate(c.burn, settled, evidence);
    let (outlook, outlook_tone) = exhaustion_words(o, server_now, settled, theme.zone);
    let outlook_compact = compact_outlook(&outlook, c.exhaustion, theme, server_now);
    let (cost, cost_tone) = cost_words(o, settled, false);
    let (cost_compact, _) = cost_words(o, settled, true);
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
    let texts = vec![
        hub.id.clone(),
        used,
        theme.plain(burn),
        theme.plain(outlook),
        theme.plain(cost),
        on_time,
        format!("{target:.0}%"),
        hub.sla.late.to_string(),
        overdue.to_string(),
    ];
    let mut compact = texts.clone();
    compact[2] = theme.plain(burn_compact);
    compact[3] = theme.plain(outlook_compact);
    compact[4] = theme.plain(cost_compact);
    HubCells {
        texts,
        compact,
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
    let rows: Vec<HubCells> = outlooks
        .iter()
        .map(|o| cells(o, state, server_now, theme))
        .collect();
    let (forms, cols, kept) = fitting_forms(&rows, inner.width);
    let header = Row::new(kept.iter().map(|&i| cols[i].title)).style(theme.title());
    let table_rows: Vec<Row<'_>> = rows
        .into_iter()
        .map(|r| {
            Row::new(kept.iter().map(|&i| {
                let text = if forms[i] { &r.compact[i] } else { &r.texts[i] };
                Cell::from(Line::from(text.clone())).style(theme.tone(r.tones[i]))
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

/// Each column's form (`true`: compact), the columns as wide as those forms, and the kept ones.
type Fitted = ([bool; 9], Vec<Column>, Vec<usize>);

/// Which form each column takes (`true`: compact) and which columns are kept in `width`:
/// of every choice of long or compact form for Burn, Outlook and Cost, the one that keeps the
/// most important columns (a column outweighs every less important one together), then the
/// most long forms. The width is used: a range is left out only for a column it would push off.
fn fitting_forms(rows: &[HubCells], width: u16) -> Fitted {
    let mut best: Option<((u32, u32), Fitted)> = None;
    for mask in 0..(1u8 << TWO_FORMS.len()) {
        let mut forms = [false; 9];
        let mut long_worth = 0;
        for (bit, &(column, worth)) in TWO_FORMS.iter().enumerate() {
            forms[column] = mask & (1 << bit) != 0;
            if !forms[column] {
                long_worth += worth;
            }
        }
        let cols: Vec<Column> = TITLES
            .iter()
            .zip(RANKS)
            .enumerate()
            .map(|(i, (title, rank))| {
                let cells = rows.iter().map(|r| {
                    if forms[i] {
                        r.compact[i].as_str()
                    } else {
                        r.texts[i].as_str()
                    }
                });
                let mut column = Column::new(title, rank, cells);
                column.width = column.width.max(floor_width(i, forms[i]));
                column
            })
            .collect();
        let kept = columns::fitting(&cols, width);
        let kept_worth: u32 = kept
            .iter()
            .map(|&i| 4u32.pow(u32::from(8 - RANKS[i])))
            .sum();
        let score = (kept_worth, long_worth);
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, (forms, cols, kept)));
        }
    }
    best.map(|(_, fitted)| fitted).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{HubCells, compact_rate, fitting_forms};
    use crate::model::estimate::Estimate;
    use crate::ui::theme::Tone;

    fn row(burn: (&str, &str), outlook: (&str, &str), cost: (&str, &str)) -> HubCells {
        let texts: Vec<String> = [
            "ewr-1", "183/900", burn.0, outlook.0, cost.0, "35.7%", "95%", "2", "7",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut compact = texts.clone();
        compact[2] = burn.1.to_owned();
        compact[3] = outlook.1.to_owned();
        compact[4] = cost.1.to_owned();
        HubCells {
            texts,
            compact,
            tones: vec![Tone::Normal; 9],
        }
    }

    fn ewr() -> HubCells {
        row(
            ("~9.9/min (6.8–16)", "~9.9/min"),
            ("runs out 14:28–15:30", "runs out ~14:56"),
            (
                "over ≈756 (255–1636) = 6804.00 USD",
                "over ≈756 = 6804.00 USD",
            ),
        )
    }

    /// Every column whose cells fit is kept: a range gives way before a column does, and
    /// only the range that has to (at 102 columns the outlook keeps its range).
    #[test]
    fn ranges_give_way_before_columns() {
        let rows = [ewr()];
        // Long forms: 5+7+17+20+34+7+6+4+7 and 8 blanks = 115.
        let (forms, _, kept) = fitting_forms(&rows, 115);
        assert_eq!(kept.len(), 9);
        assert!(!forms.iter().any(|&c| c));
        // The cost's range goes first (23 for 34), then the burn's (9 for 17).
        let (forms, _, kept) = fitting_forms(&rows, 104);
        assert_eq!(kept.len(), 9);
        assert_eq!((forms[2], forms[3], forms[4]), (false, false, true));
        let (forms, _, kept) = fitting_forms(&rows, 96);
        assert_eq!(kept.len(), 9);
        assert_eq!((forms[2], forms[3], forms[4]), (true, false, true));
        // 80 columns less borders: the outlook's range gives way to Target (Overdue, dropped
        // before Cost, does not fit in any form; Late went first).
        let (forms, _, kept) = fitting_forms(&rows, 78);
        assert_eq!(kept, vec![0, 1, 2, 3, 4, 5, 6]);
        assert_eq!((forms[2], forms[3], forms[4]), (true, true, true));
    }

    /// The burn column is as wide for `~5.8/min` as for `~17/min` and `~0–20/min`: a changing
    /// figure does not move the columns after it.
    #[test]
    fn the_burn_column_keeps_its_width() {
        let widths: Vec<u16> = ["~5.8/min", "~17/min", "~0–20/min", "~0–9/min"]
            .iter()
            .map(|burn| {
                let rows = [row(
                    (burn, burn),
                    ("may run out", "may run out"),
                    ("over or short?", "over or short?"),
                )];
                let (_, cols, _) = fitting_forms(&rows, 78);
                cols[2].width
            })
            .collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{widths:?}");
    }

    /// A rate whose point rounds to 0 shows its range's top in whole units, rounded up: the
    /// range stays honest and, under 100/min, its text stays within the column's 9.
    #[test]
    fn an_unsettled_zero_rate_shows_a_whole_top() {
        let rate = |high: f64| compact_rate(Estimate::new(0.2, 0.0, high), 5.0, Some(12));
        assert_eq!(rate(8.6), "~0–9/min");
        assert_eq!(rate(12.0), "~0–12/min");
        assert_eq!(rate(0.4), "~0–1/min");
        assert_eq!(rate(98.2).chars().count(), 9, "{}", rate(98.2));
    }

    /// A certain cost keeps the Cost column's width as its figures grow (`over ≈30 = 360.00
    /// USD`, then `over ≈534 = 6408.00 USD` a second later), so the columns after it and the
    /// set of columns shown stay put.
    #[test]
    fn the_cost_column_keeps_its_width() {
        let fitted: Vec<(u16, Vec<usize>)> = ["over ≈30 = 360.00 USD", "over ≈534 = 6408.00 USD"]
            .iter()
            .map(|cost| {
                let rows = [row(
                    ("~5.8/min", "~5.8/min"),
                    ("may run out", "may run out"),
                    (cost, cost),
                )];
                let (forms, cols, kept) = fitting_forms(&rows, 106);
                assert!(!forms[4], "the long cost is shown at 106 columns");
                (cols[4].width, kept)
            })
            .collect();
        assert_eq!(fitted[0], fitted[1]);
    }
}
