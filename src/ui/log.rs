//! The Log view: the program's own log through tui-logger (the binary initialises the logger),
//! each record wrapped at words (tui-logger's own formatter breaks words, and figures, at the
//! panel's edge: `runs out at 00:3` / `4`).

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use tui_logger::{ExtLogRecord, LogFormatter, TuiLoggerWidget};

use crate::app::State;

use super::panel;
use super::theme::{Theme, Tone};

/// Continuation lines start under the message, past `HH:MM:SS L `.
const INDENT: usize = 11;

/// Draws the log into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = panel::block("Log", None, state, theme, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let widget = TuiLoggerWidget::default().formatter(Box::new(WordWrap {
        error: theme.tone(Tone::Bad),
        warn: theme.tone(Tone::Warn),
        info: theme.tone(Tone::Normal),
        dim: theme.tone(Tone::Dim),
    }));
    // tui-logger fills the panel from the newest record up, so its top row can be the tail of
    // a record whose head did not fit (`           every 1s (timeout 2s)`): drawn aside, and
    // only the rows from the first record's head on are kept.
    let mut drawn = Buffer::empty(inner);
    widget.render(inner, &mut drawn);
    let skip = first_head(&drawn);
    let buf = frame.buffer_mut();
    for y in inner.top() + skip..inner.bottom() {
        for x in inner.left()..inner.right() {
            buf[(x, y)] = drawn[(x, y)].clone();
        }
    }
}

/// Rows of `drawn` before the first that starts a record (`HH:MM:SS `); none when no row does.
fn first_head(drawn: &Buffer) -> u16 {
    let area = drawn.area;
    (0..area.height)
        .find(|&dy| {
            let start: String = (0..area.width.min(9))
                .map(|dx| drawn[(area.left() + dx, area.top() + dy)].symbol())
                .collect();
            is_head(&start)
        })
        .unwrap_or(0)
}

/// Whether a drawn row starts with a record's `HH:MM:SS ` (continuation rows start blank).
fn is_head(start: &str) -> bool {
    let c: Vec<char> = start.chars().collect();
    c.len() >= 9
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| c[i].is_ascii_digit())
        && c[2] == ':'
        && c[5] == ':'
        && c[8] == ' '
}

/// `HH:MM:SS L target message`, wrapped at words, in the level's style.
struct WordWrap {
    error: Style,
    warn: Style,
    info: Style,
    dim: Style,
}

impl LogFormatter for WordWrap {
    fn min_width(&self) -> u16 {
        // The indent and a few characters of message.
        u16::try_from(INDENT).unwrap_or(u16::MAX) + 4
    }

    fn format(&self, width: usize, evt: &ExtLogRecord) -> Vec<Line<'_>> {
        let (style, level) = match evt.level {
            log::Level::Error => (self.error, 'E'),
            log::Level::Warn => (self.warn, 'W'),
            log::Level::Info => (self.info, 'I'),
            log::Level::Debug => (self.dim, 'D'),
            log::Level::Trace => (self.dim, 'T'),
        };
        let head = format!(
            "{} {level} {} ",
            evt.timestamp.strftime("%H:%M:%S"),
            evt.target()
        );
        wrap_words(&head, evt.msg(), width, INDENT)
            .into_iter()
            .map(|line| Line::styled(line, style))
            .collect()
    }
}

/// `head` then `message` in lines of at most `width` characters, broken at blanks; the
/// message's own lines start new lines, and every line after the first is indented by
/// `indent`. A word longer than a whole line is the only thing ever broken.
fn wrap_words(head: &str, message: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(1);
    let indent = indent.min(width.saturating_sub(1));
    let pad = " ".repeat(indent);
    let mut lines: Vec<String> = Vec::new();
    let mut line = head.trim_end().to_owned();
    let mut used = line.chars().count();
    for (n, text) in message.lines().enumerate() {
        if n > 0 {
            lines.push(std::mem::replace(&mut line, pad.clone()));
            used = indent;
        }
        // A unit goes with its figure (`6903.00 USD`, `44.4 %`): one word for the wrapping.
        let mut words: Vec<String> = Vec::new();
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            match words.last_mut() {
                Some(figure) if super::text::is_unit(word) => {
                    figure.push(' ');
                    figure.push_str(word);
                }
                _ => words.push(word.to_owned()),
            }
        }
        for word in words {
            let mut word: Vec<char> = word.chars().collect();
            let blank = usize::from(used > indent || (lines.is_empty() && used > 0));
            if used + blank + word.len() > width && used > indent {
                lines.push(std::mem::replace(&mut line, pad.clone()));
                used = indent;
            } else if blank == 1 {
                line.push(' ');
                used += 1;
            }
            // A word longer than the room of a line: the only break inside a word.
            while used + word.len() > width {
                let room = width - used;
                line.extend(word.drain(..room));
                lines.push(std::mem::replace(&mut line, pad.clone()));
                used = indent;
            }
            used += word.len();
            line.extend(word);
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use super::{first_head, wrap_words};

    /// Seen in the Log view at 80x24 (launch, 90 s): the top row was `           every 1s
    /// (timeout 2s)`, the tail of a record whose head had scrolled off.
    #[test]
    fn rows_before_the_first_records_head_are_left_out() {
        let rows = [
            "           every 1s (timeout 2s)",
            "13:51:29 I dropday::room fulfilment feed",
            "           1s (timeout 2s)",
        ];
        let mut drawn = Buffer::empty(Rect::new(1, 5, 40, 3));
        for (dy, row) in (0u16..).zip(rows) {
            drawn.set_string(1, 5 + dy, row, ratatui::style::Style::default());
        }
        assert_eq!(first_head(&drawn), 1);
        assert_eq!(first_head(&Buffer::empty(Rect::new(0, 0, 40, 3))), 0);
        let mut whole = Buffer::empty(Rect::new(0, 0, 40, 2));
        whole.set_string(0, 0, rows[1], ratatui::style::Style::default());
        assert_eq!(first_head(&whole), 0);
    }

    #[test]
    fn wraps_at_words_with_an_indent() {
        let message = "ewr-1 runs out at 19:08 UTC (18:53–19:28), 81 min before its window ends";
        let lines = wrap_words("18:04:00 W dropday::alerts ", message, 40, 11);
        assert_eq!(
            lines,
            vec![
                "18:04:00 W dropday::alerts ewr-1 runs",
                "           out at 19:08 UTC",
                "           (18:53–19:28), 81 min before",
                "           its window ends",
            ]
        );
        for line in &lines {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        // Every word of the message is on some line whole.
        let joined = lines.join(" ");
        for word in message.split(' ') {
            assert!(joined.split(' ').any(|w| w == word), "{word:?} cut");
        }
    }

    /// Seen in the Log view at 80x24: `about 767 over, 6903.00` / `USD`.
    #[test]
    fn a_unit_stays_on_its_figures_line() {
        let message = "ewr-1: about 767 over, 6903.00 USD at 44.4 % on time";
        let lines = wrap_words("10:42:06 W x ", message, 36, 11);
        assert_eq!(
            lines,
            vec![
                "10:42:06 W x ewr-1: about 767 over,",
                "           6903.00 USD at 44.4 % on",
                "           time",
            ]
        );
        // From the width where `6903.00 USD` fits after the indent.
        for width in 22..60 {
            let lines = wrap_words("10:42:06 W x ", message, width, 11);
            assert!(lines.iter().any(|l| l.contains("6903.00 USD")), "{lines:?}");
            assert!(lines.iter().any(|l| l.contains("44.4 %")), "{lines:?}");
        }
    }

    #[test]
    fn only_a_word_longer_than_a_line_is_broken() {
        let lines = wrap_words("12:00:00 I x ", "a 0123456789012345678901234 b", 20, 4);
        assert_eq!(
            lines,
            vec!["12:00:00 I x a", "    0123456789012345", "    678901234 b",]
        );
        assert_eq!(wrap_words("h ", "one\ntwo", 20, 2), vec!["h one", "  two"]);
        assert_eq!(wrap_words("h ", "", 20, 2), vec!["h"]);
    }
}
