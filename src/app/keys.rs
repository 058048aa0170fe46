//! Key presses: an open overlay gets them first (text lines, dialogs, the picker); otherwise the
//! keymap turns the key into an [`Action`] and [`perform`] carries it out.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod complete;
mod export;

use crate::feed::events::ControlAction;

use super::alerts;
use super::command::{self, Command};
use super::effect::Effect;
use super::filter::Filter;
use super::keymap::{Action, Keymap};
use super::operate;
use super::overlay::{BandPicker, Choice, Confirm, Overlay};
use super::rows::{self, TriageSort};
use super::state::{Focus, Frozen, MessageKind, RoomMut, View};

/// Handles one key press.
pub(in crate::app) fn on_key(
    state: &mut RoomMut<'_>,
    key: KeyEvent,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    // Ctrl-C leaves from anywhere, even from a text line where `q` is just a letter.
    if state.session.keymap.is(&key, Action::ForceQuit) {
        return quit(state);
    }
    match state.session.overlay.take() {
        None => match state.session.keymap.action_for(&key) {
            Some(action) => perform(state, action, now),
            None => Vec::new(),
        },
        // Details and help are read-only panes: the key closes them and is not lost.
        Some(Overlay::Help | Overlay::Details) => on_help_key(state, key, now),
        Some(Overlay::Confirm(confirm)) => on_confirm_key(state, confirm, key, now),
        Some(Overlay::BandPicker(picker)) => on_picker_key(state, picker, key, now),
        Some(Overlay::CommandLine(text)) => on_command_key(state, text, key, now),
        Some(Overlay::FilterInput(text)) => {
            on_filter_key(state, text, key, now);
            Vec::new()
        }
    }
}

fn quit(state: &mut RoomMut<'_>) -> Vec<Effect> {
    state.session.quitting = true;
    vec![Effect::Quit]
}

fn on_help_key(state: &mut RoomMut<'_>, key: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
    match state.session.keymap.action_for(&key) {
        Some(Action::Help | Action::Clear | Action::Details) | None => Vec::new(),
        Some(Action::Quit) => quit(state),
        // Any other key closes the help and does what it says, so help never traps anyone.
        Some(action) => perform(state, action, now),
    }
}

/// The dialog keys of the keymap: confirm (`y`) sends, press (Enter) sends when Confirm has the
/// focus, switch (arrows, Tab, `h`/`l`) moves between the buttons; anything else cancels.
/// Cancel has the focus, so a stray Enter never sends.
fn on_confirm_key(
    state: &mut RoomMut<'_>,
    mut confirm: Confirm,
    key: KeyEvent,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    if let Some(typed) = confirm.typed.take() {
        return on_typed_confirm_key(state, confirm, typed, key, now);
    }
    match state.session.keymap.dialog_action_for(&key) {
        Some(Action::DialogConfirm) => operate::send_confirmed(state, confirm, now),
        Some(Action::DialogPress) if confirm.choice == Choice::Confirm => {
            operate::send_confirmed(state, confirm, now)
        }
        Some(Action::DialogSwitch) => {
            confirm.choice = confirm.choice.toggled();
            state.session.overlay = Some(Overlay::Confirm(confirm));
            Vec::new()
        }
        _ => {
            state.say(MessageKind::Info, "cancelled: nothing sent", now);
            Vec::new()
        }
    }
}

/// A confirmation in an environment of `ui.type_to_confirm`: the keys type the drop id (the
/// text-line keys edit it); it is sent only when what was typed is the drop id (any case).
/// Esc cancels; a wrong id keeps the dialog open and says so.
fn on_typed_confirm_key(
    state: &mut RoomMut<'_>,
    mut confirm: Confirm,
    typed: String,
    key: KeyEvent,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let erase_on_empty =
        typed.is_empty() && state.session.keymap.line_action_for(&key) == Some(Action::LineErase);
    let typed = match edit_line(&state.session.keymap, typed, key) {
        _ if erase_on_empty => String::new(),
        LineEdit::Open(text) | LineEdit::Complete(text) => text,
        LineEdit::Cancel => {
            state.say(MessageKind::Info, "cancelled: nothing sent", now);
            return Vec::new();
        }
        LineEdit::Submit(text) if text.trim().eq_ignore_ascii_case(&confirm.drop_id) => {
            return operate::send_confirmed(state, confirm, now);
        }
        LineEdit::Submit(text) => {
            let said = format!(
                "`{}` is not {}: type the drop id to confirm, Esc cancels",
                text.trim(),
                confirm.drop_id
            );
            state.say(MessageKind::Warning, said, now);
            text
        }
    };
    confirm.typed = Some(typed);
    state.session.overlay = Some(Overlay::Confirm(confirm));
    Vec::new()
}

fn on_picker_key(
    state: &mut RoomMut<'_>,
    mut picker: BandPicker,
    key: KeyEvent,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let bands = state
        .board
        .feeds
        .drop_by_id(&picker.drop_id)
        .map_or(0, |d| d.price_bands.len());
    let action = state.session.keymap.action_for(&key);
    match action {
        Some(Action::Down) => {
            picker.selected = (picker.selected + 1).min(bands.saturating_sub(1));
        }
        Some(Action::Up) => picker.selected = picker.selected.saturating_sub(1),
        Some(Action::Clear | Action::BandPicker) => return Vec::new(),
        Some(Action::Quit) => return quit(state),
        _ if state.session.keymap.dialog_action_for(&key) == Some(Action::DialogPress) => {
            let band = state
                .board
                .feeds
                .drop_by_id(&picker.drop_id)
                .and_then(|d| d.price_bands.get(picker.selected))
                .map(|b| b.id.clone());
            let drop_id = picker.drop_id.clone();
            // Stays open when the band is refused, so another can be picked.
            state.session.overlay = Some(Overlay::BandPicker(picker));
            if let Some(band) = band {
                operate::request_band(state, &drop_id, &band, now);
            }
            return Vec::new();
        }
        _ => {}
    }
    state.session.overlay = Some(Overlay::BandPicker(picker));
    Vec::new()
}

/// What a key did to a one-line text input.
enum LineEdit {
    /// Still open, with this text.
    Open(String),
    /// The completion key: the caller completes this text.
    Complete(String),
    Submit(String),
    Cancel,
}

/// The text-line keys of the keymap (submit, cancel, erase, complete); any other plain key is
/// a character typed.
fn edit_line(keymap: &Keymap, mut text: String, key: KeyEvent) -> LineEdit {
    match keymap.line_action_for(&key) {
        Some(Action::LineSubmit) => return LineEdit::Submit(text),
        Some(Action::LineCancel) => return LineEdit::Cancel,
        Some(Action::LineErase) => {
            if text.pop().is_none() {
                return LineEdit::Cancel;
            }
            return LineEdit::Open(text);
        }
        Some(Action::LineComplete) => return LineEdit::Complete(text),
        _ => {}
    }
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            // A line longer than any command or filter is a stuck key, not intent.
            if text.chars().count() < 200 {
                text.push(c);
            }
            LineEdit::Open(text)
        }
        _ => LineEdit::Open(text),
    }
}

fn on_command_key(
    state: &mut RoomMut<'_>,
    text: String,
    key: KeyEvent,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    match edit_line(&state.session.keymap, text, key) {
        LineEdit::Open(text) => {
            state.session.overlay = Some(Overlay::CommandLine(text));
            Vec::new()
        }
        LineEdit::Complete(text) => {
            let text = complete::command_line(state, &text, now);
            state.session.overlay = Some(Overlay::CommandLine(text));
            Vec::new()
        }
        LineEdit::Cancel => Vec::new(),
        LineEdit::Submit(text) => match command::parse(&text) {
            Ok(command) => run_command(state, command, now),
            Err(e) => {
                state.say(MessageKind::Warning, e.to_string(), now);
                Vec::new()
            }
        },
    }
}

fn run_command(state: &mut RoomMut<'_>, command: Command, now: DateTime<Utc>) -> Vec<Effect> {
    match command {
        Command::Pause(drop_id) => {
            let drop_id = complete::drop_id(state, &drop_id);
            operate::request_pause_resume(state, &drop_id, Some(ControlAction::Pause), now);
        }
        Command::Resume(drop_id) => {
            let drop_id = complete::drop_id(state, &drop_id);
            operate::request_pause_resume(state, &drop_id, Some(ControlAction::Resume), now);
        }
        Command::Band { drop_id, band } => {
            let drop_id = complete::drop_id(state, &drop_id);
            let band = complete::band_id(state, &drop_id, &band);
            operate::request_band(state, &drop_id, &band, now);
        }
        Command::Sort(sort) => set_sort(state, sort, now),
        Command::Export(file) => return export::triage(state, file, now),
        Command::Ack => alerts::acknowledge_selected(state, now),
        Command::Silence => alerts::silence_selected(state, now),
        Command::Freeze => toggle_freeze(state, now),
        Command::Help => state.session.overlay = Some(Overlay::Help),
        Command::Quit => return quit(state),
    }
    Vec::new()
}

/// The filter applies as it is typed; Enter keeps it, Esc drops it. A column the table does
/// not have is an error: Enter says so and leaves the line open to mend it. Tab completes a
/// column name.
fn on_filter_key(state: &mut RoomMut<'_>, text: String, key: KeyEvent, now: DateTime<Utc>) {
    let columns = state.session.current_filter_columns();
    match edit_line(&state.session.keymap, text, key) {
        LineEdit::Open(text) => {
            *state.session.current_filter_mut() = Filter::parse(&text);
            state.session.overlay = Some(Overlay::FilterInput(text));
        }
        LineEdit::Complete(text) => {
            let text = complete::filter_column(state, &text, columns, now);
            *state.session.current_filter_mut() = Filter::parse(&text);
            state.session.overlay = Some(Overlay::FilterInput(text));
        }
        LineEdit::Submit(text) => {
            let filter = Filter::parse(&text);
            if let Some(column) = filter.unknown_column(columns) {
                let said = format!(
                    "no column `{column}` here; columns: {} (a prefix is enough)",
                    columns.join(", ")
                );
                state.say(MessageKind::Error, said, now);
                state.session.overlay = Some(Overlay::FilterInput(text));
            }
            *state.session.current_filter_mut() = filter;
        }
        LineEdit::Cancel => *state.session.current_filter_mut() = Filter::default(),
    }
}

/// `o` / `:sort`: how the triage table is sorted; said on the status line.
fn set_sort(state: &mut RoomMut<'_>, sort: TriageSort, now: DateTime<Utc>) {
    state.session.triage_sort = sort;
    let said = match sort {
        TriageSort::Age => "overdue orders: most overdue first".to_owned(),
        other => format!(
            "overdue orders by {}, most overdue first within each",
            other.name()
        ),
    };
    state.say(MessageKind::Info, said, now);
}

/// Carries out a keymap action with no overlay open.
pub(in crate::app) fn perform(
    state: &mut RoomMut<'_>,
    action: Action,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    match action {
        Action::Help => state.session.overlay = Some(Overlay::Help),
        Action::NextView => state.session.view = state.session.view.next(),
        Action::PrevView => state.session.view = state.session.view.prev(),
        Action::ViewOverview => state.session.view = View::Overview,
        Action::ViewFulfilment => state.session.view = View::Fulfilment,
        Action::ViewPopups => state.session.view = View::Popups,
        Action::ViewActions => state.session.view = View::Actions,
        Action::ViewLog => state.session.view = View::Log,
        Action::Down => move_selection(state, 1),
        Action::Up => move_selection(state, -1),
        Action::FocusNext => move_focus(state, 1),
        Action::FocusPrev => move_focus(state, -1),
        Action::Details => state.session.overlay = Some(Overlay::Details),
        Action::PauseResume => {
            if let Some(drop_id) = selected_drop(state, "pause", now) {
                operate::request_pause_resume(state, &drop_id, None, now);
            }
        }
        Action::BandPicker => {
            if let Some(drop_id) = selected_drop(state, "band", now) {
                operate::open_band_picker(state, &drop_id, now);
            }
        }
        Action::Acknowledge => alerts::acknowledge_selected(state, now),
        Action::Silence => alerts::silence_selected(state, now),
        Action::Filter => {
            if state.session.view == View::Log {
                state.say(MessageKind::Info, "the Log view has no filter", now);
            } else {
                // The filter in force, to edit: a space after it so what is typed next is a
                // new term, not glued onto the last one (`hub:ewr` + `foo` ≠ `hub:ewrfoo`).
                state.session.message = None;
                let mut text = state.session.current_filter().text().trim_end().to_owned();
                if !text.is_empty() {
                    text.push(' ');
                }
                state.session.overlay = Some(Overlay::FilterInput(text));
            }
        }
        Action::SortTriage => {
            if state.session.view == View::Fulfilment {
                let sort = state.session.triage_sort.next();
                set_sort(state, sort, now);
            } else {
                let key = state.session.keymap.first_key_text(Action::ViewFulfilment);
                let said = format!("sort: the Fulfilment view's overdue orders ({key})");
                state.say(MessageKind::Info, said, now);
            }
        }
        Action::Clear => *state.session.current_filter_mut() = Filter::default(),
        Action::CommandLine => {
            // What the line says while it is open is about the line (completions, errors).
            state.session.message = None;
            state.session.overlay = Some(Overlay::CommandLine(String::new()));
        }
        Action::Freeze => toggle_freeze(state, now),
        Action::PollNow => {
            state.say(MessageKind::Info, "polling every feed now", now);
            return vec![Effect::PollNow];
        }
        Action::Quit | Action::ForceQuit => return quit(state),
        // Dialog and text-line keys mean nothing on a screen (`action_for` never returns them).
        Action::DialogConfirm
        | Action::DialogSwitch
        | Action::DialogPress
        | Action::LineSubmit
        | Action::LineCancel
        | Action::LineErase
        | Action::LineComplete => {}
    }
    Vec::new()
}

/// The drop `p` and `b` act on: the one highlighted in the Overview's drops table. From other
/// views the operator cannot see which drop that is, so the key says where to go instead.
fn selected_drop(state: &mut RoomMut<'_>, what: &str, now: DateTime<Utc>) -> Option<String> {
    if state.session.view != View::Overview {
        let key = state.session.keymap.first_key_text(Action::ViewOverview);
        let text = format!("{what}: select a drop in the Overview first ({key})");
        state.say(MessageKind::Info, text, now);
        return None;
    }
    let drops: Vec<String> = rows::drops(&state.read())
        .iter()
        .map(|d| d.id.clone())
        .collect();
    let index = rows::selected_index(&drops, state.session.selection.drop.as_ref());
    let id = index.and_then(|i| drops.get(i).cloned());
    if id.is_none() {
        state.say(MessageKind::Info, format!("{what}: no drop to act on"), now);
    }
    id
}

fn move_selection(state: &mut RoomMut<'_>, delta: isize) {
    match (state.session.view, state.session.focus) {
        (View::Overview, Focus::Drops) => {
            let keys: Vec<String> = rows::drops(&state.read())
                .iter()
                .map(|d| d.id.clone())
                .collect();
            state.session.selection.drop =
                rows::moved(&keys, state.session.selection.drop.as_ref(), delta);
        }
        (View::Overview, Focus::Alerts) => alerts::move_selection(state, delta),
        (View::Fulfilment, _) => {
            // Tens of thousands of rows: only the selection's neighbour is looked at.
            state.session.selection.overdue = rows::triage(&state.read()).moved(delta);
        }
        (View::Popups, _) => {
            let keys: Vec<String> = rows::popups(&state.read())
                .iter()
                .map(|p| p.id.clone())
                .collect();
            state.session.selection.popup =
                rows::moved(&keys, state.session.selection.popup.as_ref(), delta);
        }
        (View::Actions, _) => {
            let keys: Vec<u64> = rows::actions(&state.read())
                .iter()
                .map(|e| e.request.action_id)
                .collect();
            state.session.selection.action =
                rows::moved(&keys, state.session.selection.action.as_ref(), delta);
        }
        (View::Log, _) => {}
    }
}

/// Overview: drops ↔ alerts. Fulfilment: the next hub's chart.
fn move_focus(state: &mut RoomMut<'_>, delta: isize) {
    match state.session.view {
        View::Overview => {
            state.session.focus = match state.session.focus {
                Focus::Drops => Focus::Alerts,
                Focus::Alerts => Focus::Drops,
            };
        }
        View::Fulfilment => {
            let keys: Vec<String> = state
                .read()
                .shown_board()
                .hubs()
                .iter()
                .map(|h| h.id.clone())
                .collect();
            state.session.selection.hub =
                rows::moved(&keys, state.session.selection.hub.as_ref(), delta);
        }
        View::Popups | View::Actions | View::Log => {}
    }
}

fn toggle_freeze(state: &mut RoomMut<'_>, now: DateTime<Utc>) {
    if state.session.frozen.take().is_some() {
        state.say(MessageKind::Info, "display live again", now);
    } else {
        state.session.frozen = Some(Frozen {
            board: Box::new(state.board.feeds.clone()),
            at: now,
        });
        state.say(
            MessageKind::Info,
            "display frozen; polling continues underneath",
            now,
        );
    }
}
