//! The bottom line: the command or filter being typed, else the latest message, else key hints
//! generated from the keymap (so a remapped key is hinted as remapped).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::overlay::Overlay;
use crate::app::state::MessageKind;

use super::text;
use super::theme::{Theme, Tone};

/// Draws the status line into `area` (one row).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let tone_of = |kind: MessageKind| match kind {
        MessageKind::Info => Tone::Normal,
        MessageKind::Warning => Tone::Warn,
        MessageKind::Error => Tone::Bad,
    };
    // What was said while the line is open (completions, an unknown column) stands after it.
    let with_message = |mut line: Line<'static>, typed: &str| {
        if let Some(message) = state.current_message(now) {
            let room = usize::from(area.width).saturating_sub(typed.chars().count() + 4);
            let said = text::fit_words(&message.text, room, theme.ellipsis());
            line.spans.push(Span::raw("   "));
            line.spans
                .push(Span::styled(said, theme.tone(tone_of(message.kind))));
        }
        line
    };
    let (line, cursor) = match state.overlay() {
        Some(Overlay::CommandLine(text)) => {
            (with_message(prompt(':', text, theme), text), Some(text))
        }
        Some(Overlay::FilterInput(text)) => {
            (with_message(prompt('/', text, theme), text), Some(text))
        }
        _ => match state.current_message(now) {
            Some(message) => {
                let tone = tone_of(message.kind);
                // Whole words only: a message longer than the line ends at a word with `…`.
                let text =
                    text::fit_words(&message.text, usize::from(area.width), theme.ellipsis());
                (Line::from(Span::styled(text, theme.tone(tone))), None)
            }
            None => (hints(state, theme, area.width), None),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
    if let Some(text) = cursor {
        let typed = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
        let x = area
            .x
            .saturating_add(1)
            .saturating_add(typed)
            .min(area.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, area.y));
    }
}

fn prompt<'a>(lead: char, text: &str, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(lead.to_string(), theme.key()),
        Span::raw(text.to_owned()),
    ])
}

/// `? help  Tab views  p pause …`, from the keymap in use, in the order of the key table's
/// status-bar column (most useful first). A read-only session is not offered the keys it may
/// not use. When the line is narrower than the hints, hints go from the end of the order, but
/// `q quit` always stays, last.
fn hints<'a>(state: &State, theme: &Theme, width: u16) -> Line<'a> {
    let read_only = state.access().is_read_only();
    let shared = state.session().shared();
    let mut shown: Vec<(String, &'static str, bool)> = Action::hinted()
        .into_iter()
        .filter(|a| a.writes().allowed(read_only, shared))
        .map(|a| {
            (
                state.keymap().first_key_text(a),
                a.hint(),
                matches!(a, Action::Quit),
            )
        })
        .collect();
    let width = usize::from(width);
    let needed = |shown: &[(String, &str, bool)], gap: usize| -> usize {
        shown
            .iter()
            .map(|(key, hint, _)| key.chars().count() + 1 + hint.chars().count() + gap)
            .sum::<usize>()
            .saturating_sub(gap)
    };
    // Two spaces between hints: with one, `help Tab views` reads as one phrase.
    let gap = 2;
    while needed(&shown, gap) > width && shown.len() > 1 {
        // The last hint that is not quit goes.
        let Some(at) = shown.iter().rposition(|(_, _, quit)| !quit) else {
            break;
        };
        shown.remove(at);
    }
    let mut spans = Vec::new();
    for (i, (key, hint, _)) in shown.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {hint}")));
    }
    Line::from(spans)
}
