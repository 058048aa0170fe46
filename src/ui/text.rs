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
    let mut out = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let sep = usize::from(!out.is_empty());
        let word_width = word.chars().count();
        if used + sep + word_width > room {
            break;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(word);
        used += sep + word_width;
    }
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
}
