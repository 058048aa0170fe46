//! Each entry of a per-entry mapping decoded once: the document's entries as the decoder reads
//! them, kept with the text they were read from.
//!
//! Why: the document of a thousand pop-ups is 658 kB of JSON, and decoding it whole took about
//! 5 ms of every poll, though at a steady poll only the ~140 pop-ups that sold have a new
//! entry. An entry whose text is the very text of the last poll (the memo's, kept by pointer)
//! decodes to what it decoded to then, so its decoded value is copied instead. Each entry goes
//! through the same decoder as a whole document's ([`decode_entry`]): the same entries, the
//! same skipped ones with the same reasons.

use std::any::Any;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::value::RawValue;

use crate::feed::wire::{Document, FeedEntry, SkippedEntry, decode_entry};

/// The last decoding of each entry, by its index in the list.
#[derive(Debug, Default)]
pub struct DecodedEntries {
    slots: Vec<Option<Decoded>>,
}

/// An entry's text and what it decoded to (`Result<T, SkippedEntry>` of the feed's entry type).
struct Decoded {
    text: Arc<RawValue>,
    entry: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("text", &self.text)
            .finish_non_exhaustive()
    }
}

impl DecodedEntries {
    /// The document of `texts` (the list's entries, in order) made at `as_of`: each entry
    /// decoded, or copied from the last poll's decoding of the very same text.
    pub fn document<T>(&mut self, as_of: DateTime<Utc>, texts: &[Arc<RawValue>]) -> Document<T>
    where
        T: FeedEntry + Clone + Send + Sync + 'static,
    {
        self.slots.truncate(texts.len());
        self.slots.resize_with(texts.len(), || None);
        let mut entries = Vec::with_capacity(texts.len());
        let mut skipped = Vec::new();
        for (index, (text, slot)) in texts.iter().zip(&mut self.slots).enumerate() {
            let known = slot
                .as_ref()
                .filter(|known| Arc::ptr_eq(&known.text, text))
                .and_then(|known| known.entry.downcast_ref::<Result<T, SkippedEntry>>());
            let decoded = if let Some(decoded) = known {
                decoded.clone()
            } else {
                let decoded: Result<T, SkippedEntry> = decode_entry(index, text);
                *slot = Some(Decoded {
                    text: Arc::clone(text),
                    entry: Box::new(decoded.clone()),
                });
                decoded
            };
            match decoded {
                Ok(entry) => entries.push(entry),
                Err(skip) => skipped.push(skip),
            }
        }
        Document {
            as_of,
            entries,
            skipped,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::value::RawValue;

    use super::DecodedEntries;
    use crate::feed::wire::{Popup, decode_document};

    fn text(json: &str) -> Arc<RawValue> {
        RawValue::from_string(json.to_owned()).expect("json").into()
    }

    #[test]
    fn entries_decode_as_the_whole_document_does_from_the_memo_too() {
        let good = r#"{"id": "soho-1", "name": "SoHo", "opens_at": "2026-12-05T10:00:00-05:00",
            "closes_at": "2026-12-05T20:00:00-05:00", "currency": "USD", "terminals": [],
            "sales": {"transactions": 1, "units": 2, "revenue_minor": 13000},
            "stock": {"on_hand": 40}, "pickups": {"ready": 0, "collected": 0, "overdue": 0}}"#;
        let texts = [
            text(good),
            text(r#"{"id": "broken-1", "name": 7}"#),
            text(&good.replace("soho-1", "soho-2")),
        ];
        let whole = format!(
            r#"{{"as_of": "2026-12-05T15:00:00Z", "popups": [{}]}}"#,
            texts.iter().map(|t| t.get()).collect::<Vec<_>>().join(",")
        );
        let expected = decode_document::<Popup>(whole.as_bytes()).expect("decodes");
        assert_eq!(expected.entries.len(), 2);
        assert_eq!(expected.skipped.len(), 1);
        let mut decoded = DecodedEntries::default();
        for poll in 0..2 {
            // The second poll's entries are the very texts of the first: copied, not decoded.
            let document = decoded.document::<Popup>(expected.as_of, &texts);
            assert_eq!(document, expected, "poll {poll}");
        }
        // An entry's new text is decoded anew; a shorter list forgets its tail.
        let changed = [text(&good.replace("SoHo", "SoHo West"))];
        let document = decoded.document::<Popup>(expected.as_of, &changed);
        assert_eq!(document.entries.len(), 1);
        assert_eq!(document.entries[0].name, "SoHo West");
        assert!(document.skipped.is_empty());
    }
}
