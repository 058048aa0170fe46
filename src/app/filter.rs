//! The `/` filter of a table: whitespace-separated terms that must all match. A bare term
//! matches any column (`carrier`); `column:text` matches one (`hub:ewr reason:short_pick`).
//! Matching is case-insensitive substring, so a phone keyboard's partial words are enough.
//! The screen shows wire values as words (`awaiting carrier` for `awaiting_carrier`), so a
//! `_` and a blank match each other, and a phrase in quotes is one term
//! (`stage:"awaiting carrier"`): what is typed from the screen or from the wire both match.

/// A parsed filter; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    column: Option<String>,
    needle: String,
}

impl Filter {
    /// The filter a user typed.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let terms = words(text)
            .into_iter()
            .map(|word| match word.split_once(':') {
                Some(("", needle)) => Term {
                    column: None,
                    needle: needle.to_lowercase(),
                },
                Some((column, needle)) => Term {
                    column: Some(column.to_lowercase()),
                    needle: needle.to_lowercase(),
                },
                _ => Term {
                    column: None,
                    needle: word.to_lowercase(),
                },
            })
            .filter(|term| !(term.column.is_none() && term.needle.is_empty()))
            .collect();
        Self {
            text: text.to_owned(),
            terms,
        }
    }

    /// The text as typed.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first `column:` a term names that is none of `columns` (not even a prefix of one),
    /// so the filter line can say so instead of showing an empty table.
    #[must_use]
    pub fn unknown_column(&self, columns: &[&str]) -> Option<&str> {
        self.terms.iter().find_map(|term| {
            let name = term.column.as_deref()?;
            (!columns.iter().any(|c| c.starts_with(name))).then_some(name)
        })
    }

    /// Whether the filter lets everything through.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a row with these `(column, value)` pairs passes. A term naming a column the row
    /// does not have fails, so a typo shows an empty table instead of silently matching all.
    #[must_use]
    pub fn matches(&self, columns: &[(&str, &str)]) -> bool {
        self.terms.iter().all(|term| match &term.column {
            Some(name) => columns.iter().any(|(column, value)| {
                column.starts_with(name.as_str()) && contains(value, &term.needle)
            }),
            None => columns
                .iter()
                .any(|(_, value)| contains(value, &term.needle)),
        })
    }
}

/// The terms of `text`: split at blanks, except inside double quotes (`stage:"awaiting
/// carrier"` is one term, without its quotes). An unclosed quote runs to the end.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The same character for matching: a blank and `_` are one (screen words, wire values).
fn fold(byte: u8) -> u8 {
    if byte == b'_' {
        b' '
    } else {
        byte.to_ascii_lowercase()
    }
}

fn contains(haystack: &str, lowercase_needle: &str) -> bool {
    // Ids, stages and reasons are ASCII: compared in place, as a filter runs over every row of
    // a table tens of thousands of rows long. Anything else goes the Unicode way.
    if haystack.is_ascii() && lowercase_needle.is_ascii() {
        let needle = lowercase_needle.as_bytes();
        return needle.is_empty()
            || haystack
                .as_bytes()
                .windows(needle.len())
                .any(|window| window.iter().zip(needle).all(|(&a, &b)| fold(a) == fold(b)));
    }
    let unify = |s: &str| s.to_lowercase().replace('_', " ");
    unify(haystack).contains(&unify(lowercase_needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_must_all_match() {
        let row: &[(&str, &str)] = &[
            ("hub", "ewr-1"),
            ("drop", "hoodie-01"),
            ("stage", "picked"),
            ("reason", "carrier_no_show"),
        ];
        let cases: &[(&str, bool)] = &[
            ("", true),
            ("carrier", true),
            ("CARRIER", true),
            ("hub:ewr", true),
            ("hub:lax", false),
            ("reason:carrier stage:pick", true),
            ("reason:carrier stage:packed", false),
            ("colour:red", false),
            // a column prefix is enough
            ("r:carrier", true),
            (":picked", true),
            // the wire's text and the screen's words both match
            ("reason:carrier_no_show", true),
            ("reason:\"carrier no show\"", true),
            ("\"carrier no show\"", true),
            ("reason:\"carrier no ship\"", false),
            ("reason:\"no show", true),
        ];
        for &(text, expected) in cases {
            assert_eq!(Filter::parse(text).matches(row), expected, "{text:?}");
        }
    }

    /// The triage table shows `awaiting carrier`; the wire says `awaiting_carrier`.
    #[test]
    fn screen_words_and_wire_text_both_match() {
        let row: &[(&str, &str)] = &[("stage", "awaiting_carrier"), ("reason", "short_pick")];
        for text in [
            "stage:awaiting_carrier",
            "stage:\"awaiting carrier\"",
            "stage:awaiting carrier",
            "\"awaiting carrier\"",
            "STAGE:Awaiting_Carrier",
        ] {
            assert!(Filter::parse(text).matches(row), "{text:?}");
        }
        for text in ["stage:\"awaiting pick\"", "stage:picked", "\"short  pick\""] {
            assert!(!Filter::parse(text).matches(row), "{text:?}");
        }
    }

    #[test]
    fn unknown_columns_are_named() {
        let columns = ["hub", "drop", "stage", "reason"];
        assert_eq!(
            Filter::parse("hub:ewr r:short x").unknown_column(&columns),
            None
        );
        assert_eq!(
            Filter::parse("hub:ewr colour:red").unknown_column(&columns),
            Some("colour")
        );
        assert_eq!(Filter::parse(":picked").unknown_column(&columns), None);
    }
}
