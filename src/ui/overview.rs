//! The Overview: drops, capacity burn-down, alerts and the pop-ups summary on one screen. On a
//! large terminal the burn-down gets charts; at 80×24 it is two lines of figures per hub (the
//! charts are in the Fulfilment view).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::State;

use super::theme::Theme;
use super::{alerts, burndown, drops, popups};

/// From this size up, the Overview has two columns and charts.
const WIDE: (u16, u16) = (120, 36);

/// Draws the Overview into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let board = state.shown_board();
    let drops_wanted = drops::wanted_height(board.drops().len());
    let popups_wanted = popups::wanted_summary_height(board.popups().len());
    if area.width >= WIDE.0 && area.height >= WIDE.1 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        let [drops_area, alerts_area] = Layout::vertical([
            Constraint::Length(drops_wanted.min(left.height * 3 / 5)),
            Constraint::Fill(1),
        ])
        .areas(left);
        let [burn_area, popups_area] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Max(popups_wanted.min(right.height / 3)),
        ])
        .areas(right);
        drops::render(frame, drops_area, state, theme, now);
        alerts::render(frame, alerts_area, state, theme, now);
        burndown::render(frame, burn_area, state, theme, now, true);
        popups::render_summary(frame, popups_area, state, theme, now);
        return;
    }
    let burn_wanted = burndown::wanted_text_height(board.hubs().len());
    let [drops_area, burn_area, popups_area, alerts_area] = Layout::vertical([
        Constraint::Max(drops_wanted.min(area.height * 2 / 5)),
        Constraint::Max(burn_wanted.min(area.height * 3 / 10)),
        Constraint::Max(popups_wanted.min(area.height / 5)),
        Constraint::Min(3),
    ])
    .areas(area);
    drops::render(frame, drops_area, state, theme, now);
    burndown::render(frame, burn_area, state, theme, now, false);
    popups::render_summary(frame, popups_area, state, theme, now);
    alerts::render(frame, alerts_area, state, theme, now);
}
