//! The confirmation dialog: the drop, the environment, the change in words, and two buttons with
//! Cancel focused so a stray Enter sends nothing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::overlay::{Choice, Confirm};
use crate::feed::events::ControlAction;

use super::panel;
use super::theme::{Theme, Tone};

/// Draws the dialog over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, confirm: &Confirm, theme: &Theme) {
    let rect = panel::centered(area, 78, 12);
    panel::clear_for_dialog(frame, area, rect);
    let verb = match &confirm.action {
        ControlAction::Pause => "Pause".to_owned(),
        ControlAction::Resume => "Resume".to_owned(),
        ControlAction::SetBand(band) => format!("Set band {band} on"),
    };
    let block = panel::block(
        &format!("Confirm: {verb} {}?", confirm.drop_id),
        None,
        state,
        theme,
        true,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let production = state.deployment().is_production();
    let keymap = state.keymap();
    let dash = if theme.ascii { "-" } else { "—" };
    let dot = if theme.ascii { "|" } else { "·" };
    let drop = match &confirm.drop_title {
        Some(title) => format!("{} {dash} {title}", confirm.drop_id),
        None => confirm.drop_id.clone(),
    };
    let change = if theme.ascii {
        confirm.change.replace('→', "->")
    } else {
        confirm.change.clone()
    };
    let button = |label: &str, focused: bool| {
        if focused {
            Span::styled(format!("[ {label} ]"), theme.selected())
        } else {
            Span::raw(format!("  {label}  "))
        }
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("Drop:   ", theme.title()),
            Span::raw(drop),
        ]),
        Line::from(vec![
            Span::styled("Env:    ", theme.title()),
            Span::styled(
                confirm.environment.clone(),
                if production {
                    theme.tone(Tone::Critical)
                } else {
                    theme.header(false)
                },
            ),
            Span::raw(if state.deployment().simulated {
                " (simulated)"
            } else {
                ""
            }),
        ]),
        Line::from(vec![
            Span::styled("Change: ", theme.title()),
            Span::raw(change),
        ]),
        Line::from(Span::styled(
            format!("        {}", confirm.consequence),
            theme.tone(Tone::Dim),
        )),
        Line::default(),
    ];
    let mut lines = lines;
    // GitHub style: the drop id typed out, so a reflex `y` in production sends nothing.
    if let Some(typed) = &confirm.typed {
        lines.push(Line::from(vec![
            Span::styled("Type ", theme.title()),
            Span::styled(confirm.drop_id.clone(), theme.tone(Tone::Critical)),
            Span::styled(" to confirm: ", theme.title()),
            Span::styled(format!("{typed}_"), theme.selected()),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "{} {} {dot} {} {} {dot} {} {}",
                keymap.first_key_text(Action::LineSubmit),
                Action::LineSubmit.hint(),
                keymap.first_key_text(Action::LineErase),
                Action::LineErase.hint(),
                keymap.first_key_text(Action::LineCancel),
                Action::LineCancel.hint(),
            ),
            theme.tone(Tone::Dim),
        )));
    } else {
        lines.push(Line::from(vec![
            Span::raw("        "),
            button("Cancel", confirm.choice == Choice::Cancel),
            Span::raw("     "),
            button("Confirm", confirm.choice == Choice::Confirm),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "{} {} {dot} {} {} {dot} {} {} {dot} any other key cancels",
                keymap.first_key_text(Action::DialogConfirm),
                Action::DialogConfirm.hint(),
                keymap.some_keys_text(Action::DialogSwitch, 2),
                Action::DialogSwitch.hint(),
                keymap.first_key_text(Action::DialogPress),
                Action::DialogPress.hint(),
            ),
            theme.tone(Tone::Dim),
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
