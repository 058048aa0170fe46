//! Drawing only: one file per panel or view, a theme, the help generated from the keymap.
//! Nothing here changes the state or does I/O; [`view`] draws a [`State`] at an instant.

pub mod actions;
pub mod alerts;
pub mod ascii;
pub mod band_picker;
pub mod banner;
pub mod burndown;
pub mod columns;
pub mod confirm;
pub mod details;
pub mod drops;
pub mod header;
pub mod help;
pub mod hubs;
pub mod log;
pub mod overview;
pub mod panel;
pub mod popups;
pub mod replay_banner;
pub mod sgr;
pub mod status_bar;
pub mod text;
pub mod theme;
pub mod triage;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::overlay::Overlay;
use crate::app::state::View;

pub use theme::{ColorMode, Theme};

/// The smallest screen everything is laid out for.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draws the whole screen for `state` at local time `now`.
pub fn view(frame: &mut Frame, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame, area, state);
    } else {
        screen(frame, area, state, theme, now);
    }
    if theme.ascii {
        ascii::downgrade(frame.buffer_mut(), area);
    }
}

fn screen(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let [header_area, body, status_area] = Layout::vertical([
        Constraint::Length(header::HEIGHT),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(frame, header_area, state, theme, now);
    match state.view() {
        View::Overview => overview::render(frame, body, state, theme, now),
        View::Fulfilment => fulfilment(frame, body, state, theme, now),
        View::Popups => popups::render_view(frame, body, state, theme, now),
        View::Actions => actions::render(frame, body, state, theme, now),
        View::Log => log::render(frame, body, state, theme),
    }
    status_bar::render(frame, status_area, state, theme, now);
    match state.overlay() {
        // The help takes the whole screen: at 80×24 every key must fit.
        Some(Overlay::Help) => help::render(frame, area, state, theme),
        Some(Overlay::Confirm(confirm)) => confirm::render(frame, body, state, confirm, theme),
        Some(Overlay::BandPicker(picker)) => {
            band_picker::render(frame, body, state, picker, theme, now);
        }
        Some(Overlay::Details) => details::render(frame, body, state, theme, now),
        Some(Overlay::CommandLine(_) | Overlay::FilterInput(_)) | None => {}
    }
}

/// The Fulfilment view: the hubs with their SLA, the selected hub's chart where it has room to
/// say something (at 80×24 the table's compact row stands for it), and the overdue orders.
fn fulfilment(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let trim = u16::from(frame.area().height < panel::FRAMED_FROM_ROWS);
    let hubs_h =
        (hubs::wanted_height(state.shown_board().hubs().len()) - trim).min(area.height / 2);
    let rest = area.height.saturating_sub(hubs_h);
    // The chart gets what the triage table does not want, at least half of what is left, when
    // that is a readable chart and the table keeps its rows (eight at most); else the table
    // takes it all (the hubs' rows stand for the chart). A short or empty list of overdue
    // orders leaves its rows to the chart rather than to blank lines.
    let triage_wanted = triage::wanted_height(state) - trim;
    let keep = triage_wanted.min(8);
    let chart_h = if rest >= overview::CHART_ROWS + keep {
        rest.saturating_sub(triage_wanted)
            .max(rest / 2)
            .max(overview::CHART_ROWS)
            .min(rest - keep)
    } else {
        0
    };
    let [hubs_area, chart_area, triage_area] = Layout::vertical([
        Constraint::Length(hubs_h),
        Constraint::Length(chart_h),
        Constraint::Fill(1),
    ])
    .areas(area);
    hubs::render(frame, hubs_area, state, theme, now, false);
    if chart_h > 0 {
        burndown::render_one(frame, chart_area, state, theme, now);
    }
    triage::render(frame, triage_area, state, theme, now);
}

/// Below 80×24 the layout would lie; say what is needed and keep `q` working.
fn too_small(frame: &mut Frame, area: Rect, state: &State) {
    let quit = state.keymap().first_key_text(Action::Quit);
    let need = format!("need {}×{},", MIN_SIZE.0, MIN_SIZE.1);
    let have = format!("have {}×{}", area.width, area.height);
    let mut lines = if usize::from(area.width) > need.chars().count() + have.chars().count() {
        vec![Line::from(format!("{need} {have}"))]
    } else {
        vec![Line::from(need), Line::from(have)]
    };
    lines.push(Line::from(format!("{quit} quits")));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}
