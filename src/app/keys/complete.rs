//! Tab in the command line and the filter line: the word under the cursor completed from what
//! can be there (a command, a drop id, a band id of that drop, a sort, a column), ids matched in
//! any case. One match completes the word; several extend it as far as they agree and are named
//! on the status line.

use chrono::{DateTime, Utc};

use super::super::command::NAMES;
use super::super::rows::TriageSort;
use super::super::state::{MessageKind, RoomMut};

/// The drop id the board spells like `typed` (any case); `typed` itself when none.
pub(super) fn drop_id(state: &RoomMut<'_>, typed: &str) -> String {
    state
        .board
        .feeds
        .drops()
        .iter()
        .find(|d| d.id.eq_ignore_ascii_case(typed))
        .map_or_else(|| typed.to_owned(), |d| d.id.clone())
}

/// The band id `drop_id` lists like `typed` (any case); `typed` itself when none.
pub(super) fn band_id(state: &RoomMut<'_>, drop_id: &str, typed: &str) -> String {
    state
        .board
        .feeds
        .drop_by_id(drop_id)
        .and_then(|d| {
            d.price_bands
                .iter()
                .find(|b| b.id.eq_ignore_ascii_case(typed))
        })
        .map_or_else(|| typed.to_owned(), |b| b.id.clone())
}

/// The command line `text` with its last word completed.
pub(super) fn command_line(state: &mut RoomMut<'_>, text: &str, now: DateTime<Utc>) -> String {
    let (done, partial) = split_last(text);
    let candidates: Vec<String> = match done.as_slice() {
        [] => NAMES.iter().map(|n| (*n).to_owned()).collect(),
        [command] => match command.to_ascii_lowercase().as_str() {
            "pause" | "resume" | "band" => state
                .board
                .feeds
                .drops()
                .iter()
                .map(|d| d.id.clone())
                .collect(),
            "sort" => TriageSort::ALL
                .iter()
                .map(|s| s.name().to_owned())
                .collect(),
            _ => Vec::new(),
        },
        [command, drop] if command.eq_ignore_ascii_case("band") => {
            let drop = drop_id(state, drop);
            state
                .board
                .feeds
                .drop_by_id(&drop)
                .map(|d| d.price_bands.iter().map(|b| b.id.clone()).collect())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    completed(state, &done, partial, &candidates, now)
}

/// The filter line `text` with its last word completed to a `column:` of the table.
pub(super) fn filter_column(
    state: &mut RoomMut<'_>,
    text: &str,
    columns: &[&str],
    now: DateTime<Utc>,
) -> String {
    let (done, partial) = split_last(text);
    if partial.contains(':') {
        return text.to_owned();
    }
    let candidates: Vec<String> = columns.iter().map(|c| format!("{c}:")).collect();
    completed(state, &done, partial, &candidates, now)
}

/// The words before the last one, and the last one (empty after a space).
fn split_last(text: &str) -> (Vec<&str>, &str) {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if text.is_empty() || text.ends_with(char::is_whitespace) {
        return (words, "");
    }
    let last = words.pop().unwrap_or_default();
    (words, last)
}

fn completed(
    state: &mut RoomMut<'_>,
    done: &[&str],
    partial: &str,
    candidates: &[String],
    now: DateTime<Utc>,
) -> String {
    let lower = partial.to_lowercase();
    let matches: Vec<&String> = candidates
        .iter()
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .collect();
    let mut words: Vec<String> = done.iter().map(|w| (*w).to_owned()).collect();
    let (word, finished) = match matches.as_slice() {
        [] => {
            let said = if candidates.is_empty() {
                "nothing to complete here".to_owned()
            } else {
                format!("no match for `{partial}`")
            };
            state.say(MessageKind::Info, said, now);
            (partial.to_owned(), false)
        }
        [only] => ((*only).clone(), !only.ends_with(':')),
        several => {
            let names: Vec<&str> = several.iter().map(|s| s.as_str()).collect();
            state.say(MessageKind::Info, names.join("  "), now);
            (common_prefix(several, partial), false)
        }
    };
    words.push(word);
    let mut text = words.join(" ");
    if finished {
        text.push(' ');
    }
    text
}

/// The longest prefix all `matches` share (compared in any case, spelled as the first one);
/// never shorter than what was typed.
fn common_prefix(matches: &[&String], typed: &str) -> String {
    let Some(first) = matches.first() else {
        return typed.to_owned();
    };
    let mut length = first.chars().count();
    for other in &matches[1..] {
        let shared = first
            .chars()
            .zip(other.chars())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        length = length.min(shared);
    }
    if length <= typed.chars().count() {
        return typed.to_owned();
    }
    first.chars().take(length).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_word_being_typed() {
        assert_eq!(split_last(""), (vec![], ""));
        assert_eq!(split_last("pa"), (vec![], "pa"));
        assert_eq!(split_last("pause "), (vec!["pause"], ""));
        assert_eq!(
            split_last("band hoodie-01 b"),
            (vec!["band", "hoodie-01"], "b")
        );
    }

    #[test]
    fn common_prefix_of_several() {
        let a = "hoodie-01".to_owned();
        let b = "hoodie-02".to_owned();
        assert_eq!(common_prefix(&[&a, &b], "h"), "hoodie-0");
        assert_eq!(common_prefix(&[&a, &b], "HOODIE-0"), "HOODIE-0");
    }
}
