//! The last answer of each page of each call, parsed once: a platform that answers with the same
//! bytes as at the last poll (a location that sold nothing, a device list that did not change)
//! gets back the very value parsed then, and its next-page cursor.
//!
//! Two things pay for it: at a thousand Square locations, parsing the answers was about 55 ms of
//! CPU a poll, more than the whole ingest budget; and a per-entry program
//! ([`super::entries`]) finds an unchanged answer the same by identity, without walking it.
//!
//! The same goes one level up: a call (`{item, pages}`) whose item and pages are the very values
//! of the last poll is the very call value of the last poll, so the memo compares a pointer and
//! the poll builds no object for it (a thousand locations' three calls each, every poll).

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

/// Which call: the request's index in the mapping, the list entry's index.
pub type CallKey = (usize, usize);

/// The last call value built for a key, with what it was built from.
#[derive(Debug)]
struct Call {
    item: Val,
    pages: Vec<Val>,
    value: Val,
}

/// The last answer of each page.
#[derive(Debug, Default)]
pub struct PageCache {
    pages: HashMap<PageKey, Page>,
    calls: HashMap<CallKey, Call>,
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

    /// The call `{item, pages}` of request and entry `key`: the very value of the last poll
    /// when `item` and every page are the very values it was built from, else a new one.
    pub fn call(&mut self, key: CallKey, item: &Val, pages: Vec<Val>) -> Val {
        if let Some(last) = self.calls.get(&key)
            && identical(&last.item, item)
            && last.pages.len() == pages.len()
            && last.pages.iter().zip(&pages).all(|(a, b)| identical(a, b))
        {
            return last.value.clone();
        }
        let mut call = jaq_json::Map::default();
        call.insert(Val::from("item".to_owned()), item.clone());
        call.insert(
            Val::from("pages".to_owned()),
            pages.iter().cloned().collect(),
        );
        let call = Val::obj(call);
        self.calls.insert(
            key,
            Call {
                item: item.clone(),
                pages,
                value: call.clone(),
            },
        );
        call
    }

    /// Starts a poll's count.
    pub fn start_poll(&mut self) {
        self.parsed_last_poll = 0;
    }
}

/// The very same value: the same list or object (a pointer, nothing walked), or an equal scalar.
fn identical(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Arr(x), Val::Arr(y)) => jaq_json::Rc::ptr_eq(x, y),
        (Val::Obj(x), Val::Obj(y)) => jaq_json::Rc::ptr_eq(x, y),
        (Val::Arr(_) | Val::Obj(_), _) | (_, Val::Arr(_) | Val::Obj(_)) => false,
        _ => a == b,
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

    #[test]
    fn a_call_of_the_same_item_and_pages_is_the_same_call() {
        let mut cache = PageCache::default();
        let no_cursor = |_: &Val| Ok(Val::Null);
        let item = Val::from("soho-1".to_owned());
        let mut page = |bytes: &[u8]| {
            cache
                .read((0, 0, 0), bytes.to_vec(), parse, no_cursor)
                .expect("json")
                .0
        };
        let first = page(br#"{"orders": [1]}"#);
        let again = page(br#"{"orders": [1]}"#);
        let other = page(br#"{"orders": [2]}"#);
        let call = cache.call((0, 0), &item, vec![first]);
        let same = cache.call((0, 0), &item, vec![again.clone()]);
        let (Val::Obj(x), Val::Obj(y)) = (&call, &same) else {
            panic!("objects")
        };
        assert!(jaq_json::Rc::ptr_eq(x, y), "the very call built before");
        // Another page, another item, or another entry: a new call, with what it was given.
        for (key, item, pages) in [
            ((0, 0), item.clone(), vec![other.clone()]),
            ((0, 0), Val::from("soho-2".to_owned()), vec![other.clone()]),
            ((0, 1), Val::from("soho-2".to_owned()), vec![other.clone()]),
            (
                (0, 1),
                Val::from("soho-2".to_owned()),
                vec![other.clone(), other.clone()],
            ),
        ] {
            let made = cache.call(key, &item, pages.clone());
            let Val::Obj(fields) = &made else {
                panic!("an object")
            };
            assert_eq!(fields.get(&Val::from("item".to_owned())), Some(&item));
            assert_eq!(
                fields.get(&Val::from("pages".to_owned())),
                Some(&pages.into_iter().collect::<Val>())
            );
            assert!(!jaq_json::Rc::ptr_eq(x, fields));
        }
    }
}
