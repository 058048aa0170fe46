//! The last answer of each page of each call, parsed once: a platform that answers with the same
//! bytes as at the last poll (a location that sold nothing, a device list that did not change)
//! gets back the very value parsed then, and its next-page cursor.
//!
//! Two things pay for it: at a thousand Square locations, parsing the answers was about 55 ms of
//! CPU a poll, more than the whole ingest budget; and a per-entry program
//! ([`super::entries`]) finds an unchanged answer the same by identity, without walking it.

use std::collections::HashMap;

use jaq_json::Val;

/// Which page: the request's index in the mapping, the list entry's index, the page's number.
pub type PageKey = (usize, usize, usize);

#[derive(Debug)]
struct Page {
    bytes: Vec<u8>,
    answer: Val,
    next: Val,
}

/// The last answer of each page.
#[derive(Debug, Default)]
pub struct PageCache {
    pages: HashMap<PageKey, Page>,
    /// Pages read anew at the last poll (the rest were the same bytes): for tests.
    pub parsed_last_poll: usize,
}

impl PageCache {
    /// The answer in `bytes` and its next-page cursor: as read last time when the bytes are the
    /// same, else read by `read` (parse) and `next` (the cursor program) and kept.
    ///
    /// # Errors
    /// What `read` or `next` fail with.
    pub fn read<E>(
        &mut self,
        key: PageKey,
        bytes: Vec<u8>,
        read: impl FnOnce(&[u8]) -> Result<Val, E>,
        next: impl FnOnce(&Val) -> Result<Val, E>,
    ) -> Result<(Val, Val), E> {
        if let Some(page) = self.pages.get(&key)
            && page.bytes == bytes
        {
            return Ok((page.answer.clone(), page.next.clone()));
        }
        self.parsed_last_poll += 1;
        let answer = read(&bytes)?;
        let cursor = next(&answer)?;
        self.pages.insert(
            key,
            Page {
                bytes,
                answer: answer.clone(),
                next: cursor.clone(),
            },
        );
        Ok((answer, cursor))
    }

    /// Starts a poll's count.
    pub fn start_poll(&mut self) {
        self.parsed_last_poll = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::PageCache;
    use jaq_json::Val;

    fn parse(bytes: &[u8]) -> Result<Val, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    #[test]
    fn the_same_bytes_give_the_same_value_without_reading_them_again() {
        let mut cache = PageCache::default();
        let no_cursor = |_: &Val| Ok(Val::Null);
        let (first, _) = cache
            .read((0, 0, 0), br#"{"a": [1]}"#.to_vec(), parse, no_cursor)
            .expect("json");
        let (again, _) = cache
            .read(
                (0, 0, 0),
                br#"{"a": [1]}"#.to_vec(),
                |_| panic!("read again"),
                no_cursor,
            )
            .expect("cached");
        let (Val::Obj(x), Val::Obj(y)) = (&first, &again) else {
            panic!("objects")
        };
        assert!(jaq_json::Rc::ptr_eq(x, y), "the very value read before");
        assert_eq!(cache.parsed_last_poll, 1);
        // Other bytes, or the same bytes at another page: read.
        cache
            .read((0, 0, 0), br#"{"a": [2]}"#.to_vec(), parse, no_cursor)
            .expect("json");
        cache
            .read((0, 1, 0), br#"{"a": [2]}"#.to_vec(), parse, no_cursor)
            .expect("json");
        assert_eq!(cache.parsed_last_poll, 3);
        // Bytes that are not JSON fail, and are not kept.
        assert!(
            cache
                .read((0, 2, 0), b"<html>".to_vec(), parse, no_cursor)
                .is_err()
        );
        assert!(
            cache
                .read((0, 2, 0), b"<html>".to_vec(), parse, no_cursor)
                .is_err()
        );
    }
}
