//! A request's `keep`: the parts of its answer the program reads (`.orders[].id`,
//! `.orders[].line_items[].quantity`, `.cursor`). The answer is pruned while it is parsed: a
//! field no path names is skipped by the JSON reader and never becomes a jaq value. A platform's
//! answers carry many fields a mapping never reads (Square's orders: taxes, discounts, tenders,
//! sources, returns…), and building jaq values for them was a large part of a poll.
//!
//! Pruning never hides a changed shape: a path's last key keeps everything under it, a value of
//! another type than the path expects (a string where an object was) is kept as it came, and a
//! list where an object was (or the reverse) stays a list (an object), so the program's own
//! checks still name what is wrong.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use jaq_json::{Num, Val};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The kept parts of an answer, as a tree of keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keep {
    /// Keep everything from here down.
    whole: bool,
    /// An object's kept fields.
    fields: BTreeMap<String, Keep>,
    /// A list's entries (`[]`).
    items: Option<Box<Keep>>,
}

impl Keep {
    /// The tree of `paths` (`.a.b`, `.list[].field`, `.`).
    ///
    /// # Errors
    /// A path that does not start with `.`, an empty key, or text after `[]` that is not `.`.
    pub fn parse(paths: &[String]) -> Result<Keep, String> {
        let mut root = Keep::default();
        for path in paths {
            let bad = |why: &str| format!("keep: `{path}` {why}");
            let rest = path
                .strip_prefix('.')
                .ok_or_else(|| bad("must start with `.`"))?;
            let mut at = &mut root;
            if !rest.is_empty() {
                for part in rest.split('.') {
                    let (key, lists) = match part.find("[]") {
                        Some(open) => (&part[..open], &part[open..]),
                        None => (part, ""),
                    };
                    if !lists
                        .chars()
                        .collect::<Vec<_>>()
                        .chunks(2)
                        .all(|c| c == ['[', ']'])
                    {
                        return Err(bad("has text after `[]` that is not `.`"));
                    }
                    if !key.is_empty() {
                        at = at.fields.entry(key.to_owned()).or_default();
                    } else if lists.is_empty() {
                        return Err(bad("has an empty key"));
                    }
                    for _ in 0..lists.len() / 2 {
                        at = at.items.get_or_insert_with(Box::default);
                    }
                }
            }
            at.whole = true;
        }
        Ok(root)
    }

    /// Reads an answer's bytes into a jaq value, skipping what is not kept.
    ///
    /// # Errors
    /// Bytes that are not JSON.
    pub fn read(&self, bytes: &[u8]) -> Result<Val, serde_json::Error> {
        let mut reader = serde_json::Deserializer::from_slice(bytes);
        let value = self.deserialize(&mut reader)?;
        reader.end()?;
        Ok(value)
    }

    /// A JSON value, pruned as an answer would be (`adapters check` on saved answers).
    ///
    /// # Errors
    /// Never for a value `serde_json` built.
    pub fn prune(&self, value: &serde_json::Value) -> Result<Val, serde_json::Error> {
        self.deserialize(value)
    }
}

impl<'de> DeserializeSeed<'de> for &Keep {
    type Value = Val;

    fn deserialize<D: Deserializer<'de>>(self, input: D) -> Result<Val, D::Error> {
        if self.whole {
            serde::Deserialize::deserialize(input)
        } else {
            input.deserialize_any(Pruning(self))
        }
    }
}

struct Pruning<'k>(&'k Keep);

/// An object key, borrowed from the answer when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(input: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        input.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for Pruning<'_> {
    type Value = Val;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Val, E> {
        Ok(Val::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Val, E> {
        Ok(Val::Num(Num::from_integral(value)))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Val, E> {
        Ok(Val::Num(Num::from_integral(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Val, E> {
        Ok(Val::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Val, E> {
        Ok(Val::from(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Val, E> {
        Ok(Val::from(value))
    }

    fn visit_unit<E>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }

    fn visit_none<E>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, input: D) -> Result<Val, D::Error> {
        self.0.deserialize(input)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut list: A) -> Result<Val, A::Error> {
        // A list where the path expects an object keeps the same tree for each entry, so the
        // program meets a list (and says so), not an empty value.
        let entries = self.0.items.as_deref().unwrap_or(self.0);
        let mut items = Vec::with_capacity(list.size_hint().unwrap_or(0));
        while let Some(item) = list.next_element_seed(entries)? {
            items.push(item);
        }
        Ok(items.into_iter().collect())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut object: A) -> Result<Val, A::Error> {
        let mut fields = jaq_json::Map::default();
        // An object where the path expects a list: `.orders[]` iterates an object's values in
        // jq, so each value is kept as a list entry would be.
        let values = match &self.0.items {
            Some(items) if self.0.fields.is_empty() => Some(items.as_ref()),
            _ => None,
        };
        while let Some(Key(key)) = object.next_key::<Key<'de>>()? {
            if let Some(kept) = values.or_else(|| self.0.fields.get(key.as_ref())) {
                let value = object.next_value_seed(kept)?;
                fields.insert(Val::from(key.into_owned()), value);
            } else {
                object.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Val::obj(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::Keep;
    use serde_json::json;

    fn keep(paths: &[&str]) -> Keep {
        Keep::parse(&paths.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn only_the_kept_paths_are_read() {
        let keep = keep(&[".orders[].id", ".orders[].line_items[].quantity", ".cursor"]);
        let answer = json!({
            "orders": [{"id": "A", "taxes": [{"x": 1}], "line_items": [{"quantity": "2", "uid": "u"}]}],
            "cursor": "next", "errors": []
        });
        let read = keep.read(answer.to_string().as_bytes()).unwrap();
        assert_eq!(
            read.to_string(),
            r#"{"cursor":"next","orders":[{"id":"A","line_items":[{"quantity":"2"}]}]}"#
        );
        assert_eq!(keep.prune(&answer).unwrap(), read);
    }

    #[test]
    fn a_changed_shape_is_kept_for_the_program_to_name() {
        let keep = keep(&[".orders[].total_money.amount"]);
        // An object where the list was: its values are kept as entries would be (jq's
        // `.orders[]` iterates them); a string where an object was: kept as it came.
        let read = keep
            .read(br#"{"orders": {"A": {"total_money": {"amount": 1, "currency": "USD"}}}}"#)
            .unwrap();
        assert_eq!(
            read.to_string(),
            r#"{"orders":{"A":{"total_money":{"amount":1}}}}"#
        );
        let read = keep
            .read(br#"{"orders": [{"total_money": "12.00"}]}"#)
            .unwrap();
        assert_eq!(read.to_string(), r#"{"orders":[{"total_money":"12.00"}]}"#);
        // A path's last key keeps all below it.
        let read = keep
            .read(br#"{"orders": [{"total_money": {"amount": {"v": 1}}}]}"#)
            .unwrap();
        assert_eq!(
            read.to_string(),
            r#"{"orders":[{"total_money":{"amount":{"v":1}}}]}"#
        );
    }

    #[test]
    fn bad_paths_are_refused() {
        let parse = |p: &str| Keep::parse(&[p.to_owned()]);
        assert!(parse("orders").unwrap_err().contains("must start with `.`"));
        assert!(parse(".a..b").unwrap_err().contains("empty key"));
        assert!(parse(".a[]x").unwrap_err().contains("after `[]`"));
        assert_eq!(parse(".").unwrap(), keep(&["."]));
    }
}
