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

/// `text` whole when it fits `width` characters, else cut at the end of the last word that
/// fits with `ellipsis` after it (never mid-word; a first word too long is cut).
#[must_use]
pub fn fit_words(text: &str, width: usize, ellipsis: &str) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let room = width.saturating_sub(ellipsis.chars().count());
    let head: String = text.chars().take(room + 1).collect();
    match head.trim_end().rfind(char::is_whitespace) {
        Some(end) if end > 0 && head[..end].chars().count() <= room => {
            format!("{}{ellipsis}", head[..end].trim_end())
        }
        _ => fit(text, width, ellipsis),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(fit_words("read-only: viewer key", 12, "…"), "read-only:…");
        assert_eq!(fit_words("unbreakable", 5, "…"), "unbr…");
    }
}
