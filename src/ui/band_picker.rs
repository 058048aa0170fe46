//! The band picker: every band of the drop with price, margin, the floor and per-band conversion.
//! Bands under the floor are listed (so the operator sees why) but marked refused.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::overlay::BandPicker;
use crate::app::state::Access;
use crate::model::money::format_money;

use super::drops::{approx_pct, pct};
use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// Draws the picker over `area`.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    picker: &BandPicker,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    // Live board: the picker acts on the drop as it is now, frozen display or not.
    let server_now = state.live_board().server_now(now);
    let Some(figures) = state.live_board().drop_figures(&picker.drop_id, server_now) else {
        return;
    };
    let bands = u16::try_from(figures.bands.len()).unwrap_or(u16::MAX);
    let rect = panel::centered(area, 84, bands.saturating_add(7));
    panel::clear_for_dialog(frame, area, rect);
    let dash = if theme.ascii { "-" } else { "—" };
    let dot = if theme.ascii { "|" } else { "·" };
    // The floor as the Floor column spells it (`55.0%`), not `55.0 %` above it.
    let title = format!(
        "Price band of {} {dash} floor {}",
        picker.drop_id,
        pct(Some(figures.drop.margin_floor_pct), theme.none())
    );
    let block = panel::block(&title, None, state, theme, true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [table_area, footer_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(inner);
    let none = theme.none();
    let settled = state.board().thresholds().settled_within_pct;
    // As wide as the longest label (a label longer than 18 ends at a word with `…`).
    let label_width = figures
        .bands
        .iter()
        .filter_map(|b| b.band.label.as_deref())
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(5, 18);
    let header = Row::new([
        "Band", "Label", "Price", "Margin", "Floor", "Conv", "Live", "Status",
    ])
    .style(theme.title());
    // Columns before the status, with a blank after each: the status says why in full where
    // it fits, else the word that matters (the Floor column beside it says why).
    let before_status = 5 + label_width + 12 + 7 + 6 + 6 + 6 + 7;
    let refused = if usize::from(table_area.width) >= before_status + "below floor: refused".len() {
        "below floor: refused"
    } else {
        "refused"
    };
    let table_rows: Vec<Row<'_>> = figures
        .bands
        .iter()
        .map(|b| {
            let (status, tone) = match (b.allowed, b.is_active) {
                (_, true) => ("active", Tone::Good),
                (true, false) => ("allowed", Tone::Normal),
                (false, false) => (refused, Tone::Bad),
            };
            Row::new(vec![
                Cell::from(b.band.id.clone()),
                Cell::from(text::fit_words(
                    b.band.label.as_deref().unwrap_or_default(),
                    label_width,
                    theme.ellipsis(),
                )),
                Cell::from(format_money(b.band.price_minor, &figures.drop.currency)),
                Cell::from(pct(b.margin_pct, none)).style(theme.tone(tone)),
                Cell::from(pct(Some(figures.drop.margin_floor_pct), none)),
                Cell::from(pct(b.conversion_pct, none)),
                // A few minutes of sessions: `~4%` until its range is narrow, as in the drops
                // table beside it (a bare `4.3%` read as a fact in the first minute).
                Cell::from(approx_pct(b.live_conversion, settled, none)),
                Cell::from(status).style(theme.tone(tone)),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(5),
        Constraint::Length(u16::try_from(label_width).unwrap_or(18)),
        Constraint::Length(12),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Fill(1),
    ];
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::default().with_selected(Some(picker.selected));
    frame.render_stateful_widget(table, table_area, &mut table_state);
    let footer = if let Access::ReadOnly { reason } = state.access() {
        let said = text::fit_words(
            &format!("Read-only ({reason}): to look at, nothing is sent."),
            usize::from(footer_area.width),
            theme.ellipsis(),
        );
        vec![
            Line::styled(said, theme.tone(Tone::Warn)),
            Line::styled(
                format!(
                    "{}/{} move {dot} {} closes {dot} bands below the floor are refused to all",
                    state.keymap().first_key_text(Action::Down),
                    state.keymap().first_key_text(Action::Up),
                    state.keymap().first_key_text(Action::Clear),
                ),
                theme.tone(Tone::Dim),
            ),
        ]
    } else {
        vec![
            Line::styled(
                format!(
                    "{} chooses (then confirm) {dot} {}/{} move {dot} {} closes",
                    state.keymap().first_key_text(Action::DialogPress),
                    state.keymap().first_key_text(Action::Down),
                    state.keymap().first_key_text(Action::Up),
                    state.keymap().first_key_text(Action::Clear),
                ),
                theme.tone(Tone::Dim),
            ),
            Line::styled(
                "Bands below the floor are shown but refused: nothing is sent.",
                theme.tone(Tone::Dim),
            ),
        ]
    };
    frame.render_widget(Paragraph::new(footer), footer_area);
}
