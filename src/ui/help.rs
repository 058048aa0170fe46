//! The help overlay, generated from the keymap in use: a remapped key is shown as remapped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::keymap::{Action, Group};
use crate::app::state::Access;

use super::panel;
use super::theme::{Theme, Tone};

/// Notes under the key table: what the keys alone do not say; the keys named in them are the
/// keymap's, so a remapped key reads as remapped.
fn notes(state: &State) -> Vec<String> {
    let key = |action| state.keymap().first_key_text(action);
    let mut notes = vec![
        "~6 (0–35): estimate, 90% range; plain: settled; may run out, close?: undecided".to_owned(),
        format!(
            "Filter: any column, or col:text (hub:ewr reason:short). {} completes.",
            key(Action::LineComplete)
        ),
    ];
    if let Access::ReadOnly { reason } = state.access() {
        notes.push(":sort age|hub|stage|reason  :export FILE  :freeze  :q".to_owned());
        notes.push(format!(
            "Read-only ({reason}): {} shows the bands; nothing is sent.",
            key(Action::BandPicker)
        ));
        return notes;
    }
    notes
        .push(":pause D :resume D :band D B :sort age|hub|stage|reason :export FILE :q".to_owned());
    if state.deployment().type_to_confirm {
        notes.push(format!(
            "Confirm in {}: type the drop id, then {}; {} cancels.",
            state.deployment().environment,
            key(Action::LineSubmit),
            key(Action::LineCancel)
        ));
    } else {
        notes.push(format!(
            "Confirm: {}, or {} on [Confirm], sends; any other key cancels.",
            key(Action::DialogConfirm),
            key(Action::DialogPress)
        ));
    }
    notes.push(format!(
        "{}/{}: highlighted alert. {}/{}: the Overview's drop. Freeze: polling goes on.",
        key(Action::Acknowledge),
        key(Action::Silence),
        key(Action::PauseResume),
        key(Action::BandPicker)
    ));
    notes
}

/// Width of the key column.
const KEY_WIDTH: usize = 10;

/// The key table by group; a read-only session is not shown the keys it may not use.
fn group_lines<'a>(state: &State, theme: &Theme, groups: &[Group]) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let read_only = state.access().is_read_only();
    let shared = state.session().shared();
    for group in groups {
        lines.push(Line::from(Span::styled(
            group.title().to_owned(),
            theme.title(),
        )));
        for action in Action::ALL
            .into_iter()
            .filter(|a| a.group() == *group && a.writes().allowed(read_only, shared))
        {
            let keys = state.keymap().keys_text(action);
            lines.push(Line::from(vec![
                Span::styled(format!(" {keys:<KEY_WIDTH$}"), theme.key()),
                Span::raw(action.description().to_owned()),
            ]));
        }
    }
    lines
}

/// Draws the help over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let two_columns = area.width >= 80;
    let left_groups = [Group::Navigate];
    let right_groups = [Group::Operate, Group::Display];
    let left = group_lines(state, theme, &left_groups);
    let right = group_lines(state, theme, &right_groups);
    let table_rows = if two_columns {
        left.len().max(right.len())
    } else {
        left.len() + right.len()
    };
    let notes = notes(state);
    let wanted_height = u16::try_from(table_rows + notes.len() + 3).unwrap_or(u16::MAX);
    // Below the header's first line (environment, SIMULATED) and above the status line, so the
    // help never hides where the operator is, nor leaves half a panel border peeking out.
    let room = Rect {
        y: area.y.saturating_add(1),
        height: area.height.saturating_sub(2),
        ..area
    };
    let rect = panel::centered(room, area.width.min(100), wanted_height.max(room.height));
    panel::clear_for_dialog(frame, room, rect);
    let close = state.keymap().first_key_text(Action::Help);
    let dash = if theme.ascii { "-" } else { "—" };
    let block = panel::block(
        &format!("Help {dash} {close} or Esc closes"),
        None,
        state,
        theme,
        true,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let notes_height = u16::try_from(notes.len()).unwrap_or(u16::MAX);
    let notes: Vec<Line<'_>> = notes
        .into_iter()
        .map(|n| Line::from(Span::styled(theme.plain(n), theme.tone(Tone::Dim))))
        .collect();
    let [keys_area, notes_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(notes_height.min(inner.height / 3)),
    ])
    .areas(inner);
    if two_columns {
        let [left_area, right_area] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(keys_area);
        frame.render_widget(Paragraph::new(left), left_area);
        frame.render_widget(Paragraph::new(right), right_area);
    } else {
        let mut all = left;
        all.extend(right);
        frame.render_widget(Paragraph::new(all), keys_area);
    }
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: true }), notes_area);
}
