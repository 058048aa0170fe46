//! Text fitted to the screen; the figures themselves are formatted by `model::format`, shared
//! with `status` so both print the same figure the same way.

use super::theme::ASCII_ELLIPSIS;

pub use crate::model::format::{
    Zone, age, clock, clock_hm, clock_in, clock_s_in, coarse_age, countdown, in_time, per_minute,
    skew,
};

/// `text` cut to `width` characters, ending in `ellipsis` when cut.
#[must_use]
pub fn fit(text: &str, width: usize, ellipsis: &str) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(ellipsis.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    if width > 0 {
        out.push_str(ellipsis);
    }
    out
}

/// `text` in at most `width` characters, shortened at a word and ended with `ellipsis` when it
/// does not fit, so no figure is cut mid-way (`ewr-1 runs out at…`, never `ewr-1 runs out at
/// 00:3`). Only the ellipsis when not even the first word fits: a cut word could be a cut figure.
#[must_use]
pub fn fit_words(text: &str, width: usize, ellipsis: &str) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let ellipsis_width = ellipsis.chars().count();
    if width < ellipsis_width {
        return String::new();
    }
    let room = width - ellipsis_width;
    let words: Vec<&str> = text.split(' ').collect();
    let mut kept = 0;
    let mut used = 0;
    for word in &words {
        let sep = usize::from(kept > 0);
        let word_width = word.chars().count();
        if used + sep + word_width > room {
            break;
        }
        used += sep + word_width;
        kept += 1;
    }
    // A figure whose unit does not fit goes with it: `95.0…` would read as a bare number.
    if words.get(kept).is_some_and(|next| is_unit(next)) {
        kept = kept.saturating_sub(1);
    }
    let out = words[..kept].join(" ");
    // A word that ends in punctuation reads better without it before the ellipsis.
    let out = out.trim_end_matches([',', ';', ':', '(', ' ', '·', '=']);
    format!("{out}{ellipsis}")
}

/// [`fit_words`] for a terminal that may be plain ASCII, where the ellipsis becomes the
/// theme's [`ASCII_ELLIPSIS`]: the room for it is kept so the text still ends inside `width`.
#[must_use]
pub fn fit_words_in(text: &str, width: usize, ascii: bool) -> String {
    fit_words(text, width, if ascii { ASCII_ELLIPSIS } else { "…" })
}

/// `text` wrapped at words into at most `lines` lines of `width` characters; when it needs
/// more, the last line is shortened at a word with `ellipsis` ([`fit_words`]). A figure's unit
/// stays on its figure's line (`44.4 %`, `32022.00 USD`, `00:34 UTC`): the line never breaks
/// before a `%` or a three-letter code. Empty when not even the ellipsis fits.
#[must_use]
pub fn wrap_words(text: &str, width: usize, lines: usize, ellipsis: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() && out.len() < lines {
        if out.len() + 1 == lines || rest.chars().count() <= width {
            let last = fit_words(rest, width, ellipsis);
            if !last.is_empty() {
                out.push(last);
            }
            break;
        }
        let taken = words_for_line(rest, width);
        if taken.is_empty() {
            // Not one word fits: the word is not cut (it could be a figure).
            let last = fit_words(rest, width, ellipsis);
            if !last.is_empty() {
                out.push(last);
            }
            break;
        }
        out.push(taken.to_owned());
        rest = rest[taken.len()..].trim_start();
    }
    out
}

/// The longest start of `text` made of whole words that fits in `width`, not ending before a
/// unit that belongs to the word before it.
fn words_for_line(text: &str, width: usize) -> &str {
    let mut end = 0;
    let mut count = 0;
    for (i, word) in text.split(' ').enumerate() {
        let start = if i == 0 { 0 } else { end + 1 };
        let with = word.chars().count() + if i == 0 { 0 } else { count + 1 };
        if with > width {
            break;
        }
        end = start + word.len();
        count = with;
    }
    let line = &text[..end];
    // Never end a line before a unit: the figure moves down with it.
    let next = text[end..].split_whitespace().next().unwrap_or("");
    if is_unit(next) {
        return line.rfind(' ').map_or("", |cut| &line[..cut]);
    }
    line
}

/// A word that belongs to the figure before it: `%`, a unit of time (`81 min`, `45 s`) or a
/// three-letter code (`USD`, `UTC`).
#[must_use]
pub fn is_unit(word: &str) -> bool {
    let word = word.trim_end_matches([',', ';', ':', ')', '.']);
    matches!(word, "%" | "min" | "s" | "h")
        || (word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()))
}

/// The separator between the parts of a line: `·`, or `-` on a plain ASCII terminal.
#[must_use]
pub fn dot(ascii: bool) -> &'static str {
    if ascii { "-" } else { "·" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_at_a_word() {
        let message = "ewr-1 runs out at 00:34, overage 3202 = 32022.00 USD";
        assert_eq!(fit_words(message, 80, "…"), message);
        assert_eq!(fit_words(message, 22, "…"), "ewr-1 runs out at…");
        assert_eq!(fit_words(message, 25, "…"), "ewr-1 runs out at 00:34…");
        assert_eq!(fit_words(message, 3, "…"), "…");
        // Seen in the banner at 80x24: `below its 95.0…` lost the percentage's `%`.
        assert_eq!(
            fit_words(
                "bos-2 ships 40.3 % on time, below its 95.0 % target",
                43,
                "…"
            ),
            "bos-2 ships 40.3 % on time, below its…"
        );
        // Seen in the banner at 80x24 in `launch`: `(18:53–19:28), 81…` lost `min`.
        assert_eq!(
            fit_words(
                "ewr-1 runs out at 19:08 UTC (18:53–19:28), 81 min before its window ends",
                48,
                "…"
            ),
            "ewr-1 runs out at 19:08 UTC (18:53–19:28)…"
        );
        assert_eq!(
            fit_words("feed: no successful poll for 45 s (last error: x)", 32, "…"),
            "feed: no successful poll for…"
        );
        assert_eq!(
            fit_words(
                "ewr-1 runs out at 19:08 UTC (18:53–19:28), 81 min before its window ends",
                50,
                "…"
            ),
            "ewr-1 runs out at 19:08 UTC (18:53–19:28), 81 min…"
        );
        assert_eq!(fit_words(message, 57, "…"), message);
        assert_eq!(
            fit_words(message, 51, "…"),
            "ewr-1 runs out at 00:34, overage 3202…"
        );
        assert_eq!(fit_words(message, 0, "…"), "");
        assert!(fit_words(message, 40, "...").chars().count() <= 40);
        assert_eq!(fit_words_in(message, 22, true), "ewr-1 runs out at...");
        assert_eq!(fit_words_in(message, 80, true), message);
    }

    #[test]
    fn fits_text() {
        assert_eq!(fit("hoodie-01", 20, "…"), "hoodie-01");
        assert_eq!(fit("Midnight Hoodie", 8, "…"), "Midnigh…");
        assert_eq!(fit("Midnight Hoodie", 8, "~"), "Midnigh~");
        assert_eq!(fit("abc", 0, "…"), "");
    }

    #[test]
    fn fits_whole_words() {
        assert_eq!(
            fit_words("read-only: viewer key", 30, "…"),
            "read-only: viewer key"
        );
        assert_eq!(
            fit_words("read-only: viewer key", 19, "…"),
            "read-only: viewer…"
        );
        // Merged with the layout's rule: punctuation before the ellipsis goes, and a word that
        // does not fit is not cut (it could be a figure).
        assert_eq!(fit_words("read-only: viewer key", 12, "…"), "read-only…");
        assert_eq!(fit_words("unbreakable", 5, "…"), "…");
        assert_eq!(
            fit_words("read-only: viewer key", 15, "..."),
            "read-only..."
        );
    }
    #[test]
    fn wraps_at_words_and_keeps_units_with_figures() {
        let message = "ewr-1 runs out at 00:34, overage 3202 = 32022.00 USD";
        assert_eq!(wrap_words(message, 80, 3, "…"), vec![message]);
        assert_eq!(
            wrap_words(message, 30, 3, "…"),
            vec!["ewr-1 runs out at 00:34,", "overage 3202 = 32022.00 USD"]
        );
        // `32022.00` and `USD` stay on one line.
        assert_eq!(
            wrap_words(message, 48, 3, "…"),
            vec!["ewr-1 runs out at 00:34, overage 3202 =", "32022.00 USD"]
        );
        assert_eq!(
            wrap_words("bos-2 ships 44.4 % on time", 15, 3, "…"),
            vec!["bos-2 ships", "44.4 % on time"]
        );
        // Too long for the lines given: the last line ends at a word with the ellipsis.
        assert_eq!(
            wrap_words(message, 20, 2, "…"),
            vec!["ewr-1 runs out at", "00:34, overage 3202…"]
        );
        assert_eq!(wrap_words("unbreakable", 5, 2, "…"), vec!["…"]);
        assert!(wrap_words(message, 0, 2, "…").is_empty());
        assert!(wrap_words(message, 10, 0, "…").is_empty());
    }
}
