//! The layout invariants of issue 10 as checks over a drawn screen (rows of text), each with a
//! test that a deliberately broken screen fails it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(dead_code)]

use std::collections::BTreeSet;

/// The glyphs panels and tables are bordered with (rounded, plain and ASCII borders).
fn is_border(c: char) -> bool {
    matches!(
        c,
        '│' | '┃'
            | '║'
            | '╮'
            | '╯'
            | '╭'
            | '╰'
            | '┐'
            | '┘'
            | '┌'
            | '└'
            | '┤'
            | '├'
            | '|'
    )
}

/// What is wrong with the screens checked, by screen.
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

impl Problems {
    pub fn add(&mut self, screen: &str, found: Vec<String>) {
        self.0
            .extend(found.into_iter().map(|p| format!("{screen}: {p}")));
    }

    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    pub fn assert_none(&self) {
        assert!(
            self.0.is_empty(),
            "{} problems:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Figures from the state that must be drawn whole or not at all; messages that may be
/// shortened, but only at a word and with `…`.
#[derive(Debug, Default)]
pub struct Figures {
    whole: BTreeSet<String>,
    messages: BTreeSet<String>,
    /// Every word of the messages: `3202` drawn before a blank is a whole word, not `32022.00
    /// USD` cut short.
    words: BTreeSet<String>,
    /// Rate figures in the forms the screen draws them (`~60`, `6.1/min`, `~6/min`,
    /// `(0–35)`): checked from two characters on, as `~60` drawn as `~6` reads as a tenth.
    rates: BTreeSet<String>,
    /// The numbers of the messages' figures that carry a unit as a word of their own (`95.0`
    /// of `95.0 %`, `17` of `17 min`): such a number drawn right before an ellipsis lost its
    /// unit there (`below its 95.0…`), even though the number alone is a word of the message.
    with_unit: BTreeSet<String>,
}

impl Figures {
    /// An id (drop, hub, pop-up, order).
    pub fn add_id(&mut self, id: &str) {
        if id.chars().count() >= 3 {
            self.whole.insert(id.to_owned());
        }
    }

    /// A rate figure as the screen may draw it (two characters at least).
    pub fn add_rate(&mut self, figure: &str) {
        if figure.chars().count() >= 2 {
            self.rates.insert(figure.to_owned());
        }
    }

    /// An alert's message: the message itself, and each figure in it (a word with a digit;
    /// a `%` or a currency after a number belongs to it).
    pub fn add_message(&mut self, message: &str) {
        self.messages.insert(message.to_owned());
        let words: Vec<&str> = message.split_whitespace().collect();
        self.words.extend(words.iter().map(|w| {
            w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')'))
                .to_owned()
        }));
        for (i, word) in words.iter().enumerate() {
            let word = word.trim_end_matches([',', ';', ':', ')']);
            let word = word.trim_start_matches('(');
            if !word.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            let next = words.get(i + 1).copied().unwrap_or("");
            let next = next.trim_end_matches([',', ';', ':', ')', '.']);
            // `93.5 %`, `32022.00 USD` are one figure each; `22:00 UTC` is a time and its zone.
            let currency = next.len() == 3
                && next != "UTC"
                && next.chars().all(|c| c.is_ascii_uppercase())
                && word.contains('.');
            let unit = next == "%" || currency;
            if unit || is_time_unit(next) {
                self.with_unit.insert(word.to_owned());
            }
            let figure = if unit {
                format!("{word} {next}")
            } else {
                word.to_owned()
            };
            if figure.chars().count() >= 3 {
                self.whole.insert(figure);
            }
        }
    }
}

/// A unit of time written as a word after its number (`45 s`, `17 min`, `3 h`).
fn is_time_unit(word: &str) -> bool {
    matches!(word, "s" | "m" | "h" | "min")
}

/// Critical alerts (by subject) that are neither on a `CRIT` row naming their subject nor
/// counted: more hidden than the largest `+N more` on the screen.
pub fn hidden_criticals(screen: &[String], subjects: &[String]) -> Vec<String> {
    let mut hidden = Vec::new();
    for subject in subjects {
        let shown = screen
            .iter()
            .any(|row| row.contains("CRIT") && row.contains(subject.as_str()));
        if !shown {
            hidden.push(subject.clone());
        }
    }
    if hidden.is_empty() {
        return Vec::new();
    }
    let counted = more_counts(screen).into_iter().max().unwrap_or(0);
    if hidden.len() <= counted {
        return Vec::new();
    }
    vec![format!(
        "critical alerts not on screen and not counted (largest `+N more` is {counted}): {hidden:?}"
    )]
}

/// Every `N` of a `+N more` on the screen.
fn more_counts(screen: &[String]) -> Vec<usize> {
    let mut counts = Vec::new();
    for row in screen {
        for (i, _) in row.match_indices('+') {
            let digits: String = row[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.is_empty() {
                continue;
            }
            if row[i + 1 + digits.len()..].starts_with(" more") {
                counts.push(digits.parse().unwrap_or(0));
            }
        }
    }
    counts
}

/// A money amount (`1234.50`, `12,022.00`) drawn without the currency code after it.
pub fn money_without_currency(screen: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for (y, row) in screen.iter().enumerate() {
        let chars: Vec<char> = row.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let at_start = i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.');
            if !(at_start && chars[i].is_ascii_digit()) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ',') {
                j += 1;
            }
            let money = j + 2 < chars.len()
                && chars[j] == '.'
                && chars[j + 1].is_ascii_digit()
                && chars[j + 2].is_ascii_digit()
                && chars.get(j + 3).is_none_or(|c| !c.is_ascii_digit());
            if money {
                let end = j + 3;
                let after: String = chars[end..].iter().take(4).collect();
                let currency = after.len() == 4
                    && after.starts_with(' ')
                    && after[1..].chars().all(|c| c.is_ascii_uppercase());
                // `4.10%` and `2.50/min` are not money.
                let other_unit = matches!(chars.get(end), Some('%' | '/' | 'x' | '×'));
                if !currency && !other_unit {
                    let amount: String = chars[i..end].iter().collect();
                    problems.push(format!(
                        "row {y}: {amount} without its currency in {:?}",
                        row.trim_end()
                    ));
                }
                i = end;
            } else {
                i = j.max(i + 1);
            }
        }
    }
    problems
}

/// Figures cut short: where a figure's start is drawn (at the start of a word) and its drawing
/// stops before its end at the screen's edge, a border, an ellipsis or a blank where the
/// figure goes on. A message may stop at a word with `…`, nowhere else.
pub fn cut_figures(screen: &[String], figures: &Figures) -> Vec<String> {
    let mut problems = Vec::new();
    for (y, row) in screen.iter().enumerate() {
        let chars: Vec<char> = row.chars().collect();
        for start in 0..chars.len() {
            let at_word = start == 0 || {
                let c = chars[start - 1];
                c == ' ' || is_border(c) || matches!(c, '(' | '~' | '≈' | '[' | '·')
            };
            if !at_word {
                continue;
            }
            for figure in &figures.whole {
                if let Some(cut) =
                    cut_at(&chars, start, figure, false).filter(|cut| !figures.words.contains(cut))
                {
                    problems.push(format!("row {y}: {figure:?} drawn as {cut:?}"));
                }
            }
            for figure in &figures.rates {
                // Another rate drawn whole is not this one cut (`~6` of a second drop).
                if let Some(cut) = cut_from(&chars, start, figure, false, 2)
                    .filter(|cut| !figures.rates.contains(cut) && !figures.words.contains(cut))
                {
                    problems.push(format!("row {y}: rate {figure:?} drawn as {cut:?}"));
                }
            }
            for number in &figures.with_unit {
                if let Some(cut) = unit_dropped(&chars, start, number) {
                    problems.push(format!("row {y}: {number:?} without its unit in {cut:?}"));
                }
            }
            for message in &figures.messages {
                if let Some(cut) = cut_at(&chars, start, message, true)
                    .filter(|_| !wraps_on(screen, y, start, message))
                {
                    problems.push(format!("row {y}: message {message:?} drawn as {cut:?}"));
                }
            }
        }
    }
    problems
}

/// Whether `message`, drawn from `start` of row `y` of `screen`, stops there at a word and
/// goes on in the next row, at a column no further right where a word may start (a wrapped
/// cell's next line): there drawn whole, ended at a word with `…`, or wrapped again. A figure
/// is never split, as the words are drawn whole on one line or the other.
fn wraps_on(screen: &[String], y: usize, start: usize, message: &str) -> bool {
    let row: Vec<char> = screen[y].chars().collect();
    let f: Vec<char> = message.chars().collect();
    let n = matched(&row, start, &f);
    if n == 0 || n >= f.len() {
        return false;
    }
    let at_word = f[n] == ' ' || f[n - 1] == ' ';
    let blank_after = row.get(start + n).is_none_or(|&c| c == ' ' || is_border(c));
    if !at_word || !blank_after {
        return false;
    }
    let rest: Vec<char> = f[n..]
        .iter()
        .collect::<String>()
        .trim_start()
        .chars()
        .collect();
    let Some(next) = screen.get(y + 1) else {
        return false;
    };
    let next: Vec<char> = next.chars().collect();
    let first_word = rest.iter().take_while(|&&c| c != ' ').count();
    (0..=start.min(next.len())).any(|column| {
        let word_start = column == 0 || next[column - 1] == ' ' || is_border(next[column - 1]);
        let m = matched(&next, column, &rest);
        if !word_start || m < first_word {
            return false;
        }
        if m == rest.len() {
            return true;
        }
        // As in `cut_from`: a message may end at a word, its punctuation dropped, with `…`.
        let ended = next.get(column + m) == Some(&'…')
            && (matches!(rest[m], ' ' | ',' | ';' | ':') || rest[m - 1] == ' ');
        let rest: String = rest.iter().collect();
        ended || wraps_on(screen, y + 1, column, &rest)
    })
}

/// The drawn `number…` when `number` starts at `start` of `row` and an ellipsis follows it
/// right away: a figure ended there lost its unit (`95.0…` of `95.0 %`).
fn unit_dropped(row: &[char], start: usize, number: &str) -> Option<String> {
    let n: Vec<char> = number.chars().collect();
    let end = start + n.len();
    let drawn = row.get(start..end)? == n.as_slice();
    let ellipsis = match row.get(end) {
        Some('…') => Some("…"),
        Some('.') if row.get(end..end + 3) == Some(&['.', '.', '.']) => Some("..."),
        _ => None,
    };
    ellipsis.filter(|_| drawn).map(|e| format!("{number}{e}"))
}

/// How many characters of `figure` are drawn from `start` of `row`.
fn matched(row: &[char], start: usize, figure: &[char]) -> usize {
    let mut n = 0;
    while n < figure.len() && start + n < row.len() && row[start + n] == figure[n] {
        n += 1;
    }
    n
}

/// The drawn text when `figure` starts at `start` of `row` (three characters at least, so a
/// short word is not taken for a figure's start) and stops short of its end where it cannot
/// have gone on; `None` when drawn whole or not drawn.
fn cut_at(row: &[char], start: usize, figure: &str, message: bool) -> Option<String> {
    cut_from(row, start, figure, message, 3)
}

/// [`cut_at`] with the fewest characters drawn that count as the figure's start.
fn cut_from(
    row: &[char],
    start: usize,
    figure: &str,
    message: bool,
    fewest: usize,
) -> Option<String> {
    let f: Vec<char> = figure.chars().collect();
    let mut n = 0;
    while n < f.len() && start + n < row.len() && row[start + n] == f[n] {
        n += 1;
    }
    if n == f.len() || n < fewest.min(f.len()) {
        return None;
    }
    // A message's start is also a figure's start (`ewr-1 …`): needs more than its first word.
    if message && !f[..n].iter().collect::<String>().trim_end().contains(' ') {
        return None;
    }
    let drawn: String = row[start..start + n].iter().collect();
    let next = row.get(start + n).copied();
    let goes_on = f[n];
    let cut = match next {
        None => true,
        Some(c) if is_border(c) => true,
        // A message may end at a word (its punctuation dropped) with `…`; a figure may not.
        Some('…') => !(message && (matches!(goes_on, ' ' | ',' | ';' | ':') || f[n - 1] == ' ')),
        // A blank where the figure has no blank: the text stopped at a column's edge.
        Some(' ') => goes_on.is_alphanumeric(),
        Some(_) => false,
    };
    cut.then_some(drawn)
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Constraint;
    use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

    use super::*;

    fn rows(width: u16, height: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal.draw(draw).expect("draw");
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect()
            })
            .collect()
    }

    const MESSAGE: &str = "ewr-1 runs out at 00:34, overage 3202 = 32022.00 USD";

    fn figures() -> Figures {
        let mut f = Figures::default();
        f.add_id("ewr-1");
        f.add_message(MESSAGE);
        f
    }

    #[test]
    fn a_message_cut_at_a_border_is_found() {
        let screen = rows(30, 3, |frame| {
            frame.render_widget(
                Paragraph::new(MESSAGE).block(Block::new().borders(Borders::ALL)),
                frame.area(),
            );
        });
        let cuts = cut_figures(&screen, &figures());
        assert!(!cuts.is_empty(), "{screen:#?}");
    }

    /// The Alerts panel with rows to spare wraps a message at words: not a cut. Wrapped in the
    /// middle of a word, or with its second line cut at a border, it is.
    #[test]
    fn a_message_wrapped_at_words_is_whole_and_one_cut_on_its_next_line_is_found() {
        let wrapped = vec![
            "│CRIT ewr-1 runs out at 00:34,   │".to_owned(),
            "│     overage 3202 = 32022.00 USD│".to_owned(),
        ];
        assert_eq!(cut_figures(&wrapped, &figures()), Vec::<String>::new());
        let ended = vec![
            "│CRIT ewr-1 runs out at 00:34, │".to_owned(),
            "│     overage 3202…            │".to_owned(),
        ];
        assert_eq!(cut_figures(&ended, &figures()), Vec::<String>::new());
        let mid_word = vec![
            "│CRIT ewr-1 runs out at 00:34, ove│".to_owned(),
            "│     rage 3202 = 32022.00 USD    │".to_owned(),
        ];
        assert!(!cut_figures(&mid_word, &figures()).is_empty());
        let second_cut = vec![
            "│CRIT ewr-1 runs out at 00:34,│".to_owned(),
            "│     overage 3202 = 32022.00 │".to_owned(),
        ];
        assert!(!cut_figures(&second_cut, &figures()).is_empty());
    }

    #[test]
    fn a_figure_cut_at_a_column_edge_is_found() {
        // The message column is as wide as `ewr-1 runs out at 00:3`.
        let screen = rows(40, 1, |frame| {
            let table = Table::new(
                [Row::new(["CRIT", MESSAGE, "12m"])],
                [
                    Constraint::Length(4),
                    Constraint::Length(22),
                    Constraint::Length(4),
                ],
            );
            frame.render_widget(table, frame.area());
        });
        assert!(screen[0].contains("00:3 "), "{screen:?}");
        let cuts = cut_figures(&screen, &figures());
        assert!(cuts.iter().any(|c| c.contains("00:34")), "{cuts:?}");
    }

    /// The cut of the drops table at 80 columns: `~60` orders a minute drawn as `~6`.
    #[test]
    fn a_rate_cut_at_a_column_edge_is_found() {
        let mut f = figures();
        f.add_rate("~60");
        f.add_rate("6.1/min");
        let screen = vec!["│hoodie-01 live ▁▂▃ ~6 11.9%│".to_owned()];
        let cuts = cut_figures(&screen, &f);
        assert!(cuts.iter().any(|c| c.contains("~60")), "{cuts:?}");
        let screen = vec!["│burn 6.1/mi│".to_owned()];
        assert_eq!(cut_figures(&screen, &f).len(), 1);
        // Drawn whole, or another rate drawn whole: nothing cut.
        let screen = vec!["│hoodie-01 live ▁▂▃ ~60 11.9%  burn 6.1/min│".to_owned()];
        assert!(cut_figures(&screen, &f).is_empty());
        f.add_rate("~6");
        let screen = vec!["│cap-02 live ~6 0.0%│".to_owned()];
        assert!(cut_figures(&screen, &f).is_empty());
    }

    #[test]
    fn money_without_its_currency_is_found() {
        let screen = vec!["│overage 3202 = 32022.00 │".to_owned()];
        assert_eq!(money_without_currency(&screen).len(), 1);
        let screen = vec!["│overage 3202 = 32022.00 USD, 4.10% 2.50/min│".to_owned()];
        assert!(money_without_currency(&screen).is_empty());
    }

    #[test]
    fn a_message_ended_at_a_word_with_an_ellipsis_passes() {
        let screen = vec!["│ewr-1 runs out at…│".to_owned()];
        let cuts = cut_figures(&screen, &figures());
        assert!(cuts.is_empty(), "{cuts:?}");
        let screen = vec!["│ewr-1 runs ou…│".to_owned()];
        assert_eq!(cut_figures(&screen, &figures()).len(), 1);
        let screen = vec![format!("│{MESSAGE}│")];
        let cuts = cut_figures(&screen, &figures());
        assert!(cuts.is_empty(), "{cuts:?}");
    }

    /// Seen in the banner at 80x24 (fixed in `fit_words`, not caught here then): `below its
    /// 95.0…` passed because `95.0` is a word of the message. A number drawn right before an
    /// ellipsis lost its unit; the same message ended a word earlier, or with its unit, passes.
    #[test]
    fn a_figure_whose_unit_was_dropped_at_an_ellipsis_is_found() {
        let mut f = figures();
        f.add_message("bos-2 ships 40.3 % on time, below its 95.0 % target (12 of 30 orders)");
        f.add_message("fulfilment: no successful poll for 45 s");
        f.add_message("hoodie-01 opens in 7 min (18:07)");
        for bad in [
            "│CRIT bos-2 ships 40.3 % on time, below its 95.0…│",
            "│CRIT bos-2 ships 40.3…│",
            "│CRIT bos-2 ships 40.3 % on time, below its 95.0...│",
            "│WARN fulfilment: no successful poll for 45…│",
            "│info hoodie-01 opens in 7…│",
            "│overage 3202 = 32022.00…│",
        ] {
            let cuts = cut_figures(&[bad.to_owned()], &f);
            assert!(
                cuts.iter().any(|c| c.contains("without its unit")),
                "{bad}: {cuts:?}"
            );
        }
        for good in [
            "│CRIT bos-2 ships 40.3 % on time, below its…│",
            "│CRIT bos-2 ships 40.3 % on time, below its 95.0 %…│",
            "│WARN fulfilment: no successful poll for 45 s│",
            "│info hoodie-01 opens in…│",
            "│ewr-1 runs out at 00:34, overage 3202…│",
        ] {
            let cuts = cut_figures(&[good.to_owned()], &f);
            assert!(cuts.is_empty(), "{good}: {cuts:?}");
        }
    }

    #[test]
    fn a_hidden_critical_needs_a_count() {
        let subjects = vec!["ewr-1".to_owned(), "ord-3".to_owned()];
        let screen = vec!["CRIT ewr-1 runs out".to_owned()];
        assert_eq!(hidden_criticals(&screen, &subjects).len(), 1);
        let screen = vec![
            "CRIT ewr-1 runs out".to_owned(),
            "+1 more (↓ to see them)".to_owned(),
        ];
        assert!(hidden_criticals(&screen, &subjects).is_empty());
    }
}
