//! Text fitted to the screen; the figures themselves are formatted by `model::format`, shared
//! with `status` so both print the same figure the same way.

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

/// `text` in at most `width` characters, shortened at a word and ended with `…` when it does
/// not fit, so no figure is cut mid-way (`ewr-1 runs out at…`, never `ewr-1 runs out at 00:3`).
/// Only `…` when not even the first word fits.
#[must_use]
pub fn fit_words(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!out.is_empty());
        // Room for the word, its blank and the ellipsis.
        if out.chars().count() + sep + word.chars().count() + 1 > width {
            break;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(word);
    }
    // A word that ends in punctuation reads better without it before the ellipsis.
    let out = out.trim_end_matches([',', ';', ':', '(', ' ', '·', '=']);
    format!("{out}…")
}

/// [`fit_words`] for a terminal that may be plain ASCII, where the ellipsis becomes `...`:
/// the room for it is kept so the text still ends inside `width`.
#[must_use]
pub fn fit_words_in(text: &str, width: usize, ascii: bool) -> String {
    let fitted = fit_words(text, width);
    if !ascii || !fitted.ends_with('…') {
        return fitted;
    }
    let shorter = fit_words(text, width.saturating_sub(2));
    shorter.replace('…', "...")
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
        assert_eq!(fit_words(message, 80), message);
        assert_eq!(fit_words(message, 22), "ewr-1 runs out at…");
        assert_eq!(fit_words(message, 25), "ewr-1 runs out at 00:34…");
        assert_eq!(fit_words(message, 3), "…");
        assert_eq!(fit_words(message, 0), "");
        assert!(fit_words(message, 40).chars().count() <= 40);
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
}
