//! Fulfilment triage: overdue orders of every hub in one table, most overdue first, filterable
//! by hub, drop, stage and reason, with the counts by reason over what is shown.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::rows;
use crate::feed::FeedKind;

use super::columns::{self, Column};
use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// The table's columns, and how much each matters (0 stays longest): the age and the order
/// id say what to chase, the stage and reason why, then where.
const TITLES: [&str; 7] = ["Overdue", "Order", "Hub", "Drop", "Stage", "Reason", "Due"];
const RANKS: [u8; 7] = [0, 0, 1, 4, 2, 2, 3];

/// Rows the panel wants: its borders, the two lines of counts, and the table's header and a
/// row per order shown (none are: the second line says so).
#[must_use]
pub fn wanted_height(state: &State) -> u16 {
    let orders = rows::triage(state).len();
    // An empty list says so on the line the reasons would take: two lines and the borders,
    // so the rows go to the chart (at 100×30 with three hubs it missed its 15 rows by one).
    let rows = if orders == 0 { 0 } else { orders + 1 };
    u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(4)
}

/// Draws the triage table into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    render_titled(
        frame,
        area,
        state,
        theme,
        now,
        "Overdue orders (/ filters: hub: drop: stage: reason:)",
        text::age,
    );
}

/// The same table in the Overview's spare rows, where `/` filters another table: its title
/// says where it is worked. Its ages are coarse (`40s`, `4m`): on the screen kept open all
/// day, six rows of ages ticking every second were the largest part of what a frame sent to
/// the terminal at 120×40; the triage view keeps them to the second.
pub fn render_in_overview(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    render_titled(
        frame,
        area,
        state,
        theme,
        now,
        "Overdue orders (2: triage)",
        text::coarse_age,
    );
}

fn render_titled(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    now: DateTime<Utc>,
    unfiltered: &str,
    age: fn(chrono::TimeDelta) -> String,
) {
    let title = if state.filters().overdue.is_empty() {
        unfiltered.to_owned()
    } else {
        format!(
            "Overdue orders — filter: {}",
            state.filters().overdue.text()
        )
    };
    // The order in force, when it is not the default (`o` cycles, `:sort`).
    let sort = state.session().triage_sort();
    let title = if sort == crate::app::rows::TriageSort::Age {
        title
    } else {
        format!("{title}, by {}", sort.name())
    };
    let block = panel::feed_block(&title, FeedKind::Fulfilment, state, theme, true, now);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let board = state.shown_board();
    let server_now = state.shown_server_now(now);
    // Worked out in `update`; the frame reads the rows it draws and nothing more.
    let orders = rows::triage(state);
    let open: u64 = board
        .hubs()
        .iter()
        .map(|h| h.sla.overdue_open)
        .fold(0, u64::saturating_add);

    // How many rows are drawn is on the panel's border (`rows 1–5 of 14`); this line says
    // what the list holds.
    let listed = board.overdue_len();
    let summary = Line::styled(
        if orders.len() == listed {
            format!("{listed} listed; {open} overdue open at the hubs")
        } else {
            format!(
                "{} of {listed} listed match the filter; {open} overdue open at the hubs",
                orders.len()
            )
        },
        theme.title(),
    );
    let reasons: Vec<String> = orders
        .reasons()
        .iter()
        .map(|(reason, n)| format!("{} {n}", reason_words(reason)))
        .collect();
    let reasons = if reasons.is_empty() {
        Line::default()
    } else {
        Line::from(vec![
            Span::raw("by reason: "),
            Span::raw(whole_counts(
                &reasons,
                usize::from(inner.width).saturating_sub(11),
            )),
        ])
    };
    if orders.is_empty() {
        let text = if board.overdue_len() == 0 {
            "no overdue orders listed"
        } else {
            "no overdue order matches the filter (Esc clears it)"
        };
        let said = Line::styled(text, theme.tone(Tone::Dim));
        frame.render_widget(Paragraph::new(vec![summary, said]), inner);
        return;
    }
    let [counts_area, table_area] =
        Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(vec![summary, reasons]), counts_area);

    let selected = orders.selected();
    // One header row; only the rows that fit are built.
    let window = panel::table_window(orders.len(), selected, table_area.height.saturating_sub(1));
    let cells: Vec<[String; 7]> = window
        .clone()
        .filter_map(|i| orders.get(i))
        .map(|(hub, o)| {
            [
                age(server_now - o.due_at),
                o.order_id.clone(),
                hub.to_owned(),
                o.drop_id.clone(),
                o.stage.to_string(),
                reason_words(&o.reason),
                text::clock_hm(o.due_at),
            ]
        })
        .collect();
    // Columns as wide as their widest cell, dropped whole (least important first) where the
    // width is short, as the Overview's spare rows at 120×40 are: a reason is never cut to `a`.
    let mut cols: Vec<Column> = TITLES
        .iter()
        .zip(RANKS)
        .enumerate()
        .map(|(i, (title, rank))| Column::new(title, rank, cells.iter().map(|r| r[i].as_str())))
        .collect();
    // `awaiting carrier` and a blank: the stage never runs into the reason's words
    // (`awaiting carrier carrier no show`).
    cols[4].width += 1;
    let kept = columns::fitting(&cols, table_area.width);
    let header = Row::new(kept.iter().map(|&i| cols[i].title)).style(theme.title());
    let table_rows: Vec<Row<'_>> = cells
        .into_iter()
        .map(|row| {
            Row::new(kept.iter().map(|&i| {
                let cell = Cell::from(row[i].clone());
                if i == 0 {
                    cell.style(theme.tone(Tone::Warn))
                } else {
                    cell
                }
            }))
        })
        .collect();
    let table = Table::new(table_rows, columns::widths(&cols, &kept))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut table_state =
        TableState::default().with_selected(selected.map(|s| s.saturating_sub(window.start)));
    frame.render_stateful_widget(table, table_area, &mut table_state);
    panel::rows_note(frame, area, &window, orders.len(), theme);
}

/// A reason code in words (`short_pick` → `short pick`), as the enums' readable words are; the
/// filter matches either form (`reason:short_pick` and `reason:short pick`).
fn reason_words(reason: &str) -> String {
    reason.replace('_', " ")
}

/// `counts` joined with `, ` in `width` columns, each whole: those that do not fit are counted
/// (`, +2 more`) rather than cut (`short_pick 1` for `short_pick 14` at 80 columns).
fn whole_counts(counts: &[String], width: usize) -> String {
    let all = counts.join(", ");
    if all.chars().count() <= width {
        return all;
    }
    for shown in (0..counts.len()).rev() {
        let more = format!("+{} more", counts.len() - shown);
        let text = if shown == 0 {
            more
        } else {
            format!("{}, {more}", counts[..shown].join(", "))
        };
        if text.chars().count() <= width || shown == 0 {
            return text;
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::whole_counts;

    #[test]
    fn counts_that_do_not_fit_are_counted_not_cut() {
        let counts: Vec<String> = [
            "address_hold 16",
            "carrier_no_show 28",
            "damaged_in_pick 15",
            "short_pick 14",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(whole_counts(&counts, 100), counts.join(", "));
        // 80 columns less `by reason: `.
        assert_eq!(
            whole_counts(&counts, 69),
            "address_hold 16, carrier_no_show 28, damaged_in_pick 15, +1 more"
        );
        assert_eq!(whole_counts(&counts, 10), "+4 more");
    }
}
