//! The Overview: drops, hubs, alerts and pop-ups on one screen, each panel as tall as its
//! content. Room goes first to the rows that hold every firing critical alert, then to each
//! panel's wants in order of urgency (alerts, hubs, pop-ups, drops); a panel squeezed below its
//! wants shows what fits and says how many rows are not shown.
//!
//! On a large terminal the hubs get the burn-down chart of the selected hub beside the table,
//! and rows the left column does not want go to the pop-ups and the overdue orders.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::State;

use super::theme::Theme;
use super::{alerts, burndown, drops, hubs, popups, triage};

/// From this size of the Overview's area up (a 120×40 laptop), it has two columns and a chart.
const WIDE: (u16, u16) = (120, 34);

/// Rows the overdue orders need to be worth a panel in spare rows: borders, the two lines of
/// counts, the header and one order (its border counts the rest: `rows 1–1 of 65`). With
/// seven, popup-day at 120×40 left six rows blank under the alerts while bos-2 had 65 overdue.
const TRIAGE_ROWS: u16 = 6;

/// Rows the chart panel needs to say anything: borders, its two lines of figures and its key,
/// the x axis, and eight rows of plot so contract, min commit and consumed are rows apart.
pub const CHART_ROWS: u16 = 15;

/// Heights for panels that want `wants` rows and need at least `floors`, in `available` rows:
/// floors first, then the wants in the order of `urgency` (indices into `wants`).
#[must_use]
pub fn allot(available: u16, wants: &[u16], floors: &[u16], urgency: &[usize]) -> Vec<u16> {
    let mut heights: Vec<u16> = wants
        .iter()
        .zip(floors)
        .map(|(&want, &floor)| floor.min(want))
        .collect();
    let mut left = available.saturating_sub(heights.iter().sum());
    for &i in urgency {
        let more = wants[i].saturating_sub(heights[i]).min(left);
        heights[i] += more;
        left -= more;
    }
    // Shrink from the least urgent when even the floors do not fit.
    let mut over = heights.iter().sum::<u16>().saturating_sub(available);
    for &i in urgency.iter().rev() {
        let less = heights[i].saturating_sub(3).min(over);
        heights[i] -= less;
        over -= less;
    }
    heights
}

/// The Alerts panel's `height` grown into the rows of `available` that the panels
/// (`others` rows) left over, up to `wrapped`, the rows its messages take unshortened.
fn with_spare(height: u16, wrapped: u16, available: u16, others: u16) -> u16 {
    let spare = available.saturating_sub(others.saturating_add(height));
    height + spare.min(wrapped.saturating_sub(height))
}

/// Rows the overdue orders get of the left column's `spare` rows when they want `wanted`:
/// none when too few to show an order.
fn triage_height(spare: u16, wanted: u16) -> u16 {
    if spare >= TRIAGE_ROWS {
        wanted.min(spare)
    } else {
        0
    }
}

/// Draws the Overview into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let board = state.shown_board();
    // The wants count a bottom border, which a short screen's panels do not have.
    let trim = u16::from(frame.area().height < super::panel::FRAMED_FROM_ROWS);
    let drops_wanted = drops::wanted_height(board.drops().len()) - trim;
    let popups_wanted = popups::wanted_summary_height(board.popups().len()) - trim;
    let hubs_wanted = hubs::wanted_height(board.hubs().len()) - trim;
    let alerts_wanted = alerts::wanted_height(state) - trim;
    let alerts_floor = alerts::critical_height(state, now) - trim;
    // Side borders only on a framed screen.
    let sides = 2 * (1 - trim);
    let alerts_wrapped =
        |width: u16| alerts::wrapped_height(state, theme, width.saturating_sub(sides), now) - trim;
    if area.width >= WIDE.0 && area.height >= WIDE.1 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        // Left: drops and alerts; the alerts take what they need, the drops the rest.
        let [drops_h, alerts_h] = allot(
            left.height,
            &[drops_wanted, alerts_wanted],
            &[drops_wanted.min(6), alerts_floor],
            &[1, 0],
        )[..] else {
            return;
        };
        let alerts_h = with_spare(alerts_h, alerts_wrapped(left.width), left.height, drops_h);
        // Rows the left column does not want go to what wants them: the pop-ups move over
        // (the chart on the right gets their rows), then the overdue orders take what is
        // left, so a large screen has no blank column half its height.
        let left_spare = left.height.saturating_sub(drops_h + alerts_h);
        let popups_left = left_spare >= popups_wanted;
        let (popups_left_h, left_spare) = if popups_left {
            (popups_wanted, left_spare - popups_wanted)
        } else {
            (0, left_spare)
        };
        let triage_h = triage_height(left_spare, triage::wanted_height(state) - trim);
        let [drops_area, alerts_area, popups_left_area, triage_area, _] = Layout::vertical([
            Constraint::Length(drops_h),
            Constraint::Length(alerts_h),
            Constraint::Length(popups_left_h),
            Constraint::Length(triage_h),
            Constraint::Fill(1),
        ])
        .areas(left);
        // Right: the hubs table, the selected hub's chart, the pop-ups (unless they moved).
        let popups_wanted = if popups_left { 0 } else { popups_wanted };
        let chart_wanted = right.height;
        let [hubs_h, chart_h, popups_h] = allot(
            right.height,
            &[hubs_wanted, chart_wanted, popups_wanted],
            &[hubs_wanted.min(5), 0, popups_wanted.min(4)],
            &[0, 2, 1],
        )[..] else {
            return;
        };
        let chart_h = if chart_h >= CHART_ROWS { chart_h } else { 0 };
        let [hubs_area, chart_area, popups_right_area] = Layout::vertical([
            Constraint::Length(hubs_h),
            Constraint::Length(chart_h),
            Constraint::Length(popups_h),
        ])
        .areas(right);
        let popups_area = if popups_left {
            popups_left_area
        } else {
            popups_right_area
        };
        if triage_h > 0 {
            triage::render_in_overview(frame, triage_area, state, theme, now);
        }
        drops::render(frame, drops_area, state, theme, now);
        alerts::render(frame, alerts_area, state, theme, now);
        hubs::render(frame, hubs_area, state, theme, now, false);
        if chart_h > 0 {
            burndown::render_one(frame, chart_area, state, theme, now);
        }
        popups::render_summary(frame, popups_area, state, theme, now);
        return;
    }
    // One column: the critical alerts' rows first (the floor), then every hub's row, the
    // other alerts, the pop-ups, and the drops last (their table keeps the selected drop's
    // row and counts the others in its title).
    let [drops_h, hubs_h, popups_h, alerts_h] = allot(
        area.height,
        &[drops_wanted, hubs_wanted, popups_wanted, alerts_wanted],
        &[4 - trim, 4 - trim, 3 - trim, alerts_floor],
        &[1, 3, 2, 0],
    )[..] else {
        return;
    };
    let alerts_h = with_spare(
        alerts_h,
        alerts_wrapped(area.width),
        area.height,
        drops_h + hubs_h + popups_h,
    );
    let [drops_area, hubs_area, popups_area, alerts_area, _] = Layout::vertical([
        Constraint::Length(drops_h),
        Constraint::Length(hubs_h),
        Constraint::Length(popups_h),
        Constraint::Length(alerts_h),
        Constraint::Fill(1),
    ])
    .areas(area);
    drops::render(frame, drops_area, state, theme, now);
    hubs::render(frame, hubs_area, state, theme, now, false);
    popups::render_summary(frame, popups_area, state, theme, now);
    alerts::render(frame, alerts_area, state, theme, now);
}

#[cfg(test)]
mod tests {
    use super::{allot, triage_height};

    /// Six spare rows hold the counts, the header and one order; five cannot show an order.
    #[test]
    fn six_spare_rows_are_enough_for_the_overdue_orders() {
        assert_eq!(triage_height(6, 70), 6);
        assert_eq!(triage_height(12, 9), 9);
        assert_eq!(triage_height(5, 70), 0);
    }

    #[test]
    fn floors_first_then_wants_by_urgency() {
        // 19 rows: alerts need 8, want 13; the others want 7, 6, 4.
        let heights = allot(19, &[7, 6, 4, 13], &[4, 4, 3, 8], &[3, 1, 2, 0]);
        assert_eq!(heights, vec![4, 4, 3, 8]);
        let heights = allot(30, &[7, 6, 4, 13], &[4, 4, 3, 8], &[3, 1, 2, 0]);
        assert_eq!(heights, vec![7, 6, 4, 13]);
        let heights = allot(26, &[7, 6, 4, 13], &[4, 4, 3, 8], &[3, 1, 2, 0]);
        assert_eq!(heights, vec![4, 6, 3, 13]);
        assert!(
            allot(10, &[7, 6, 4, 13], &[4, 4, 3, 8], &[3, 1, 2, 0])
                .iter()
                .sum::<u16>()
                <= 13
        );
    }
}
