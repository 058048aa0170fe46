//! `{name}` substitution in a mapping's paths, queries, headers and bodies.
//!
//! A reference is a dotted path into the scope (`{square_version}`, `{item.location_id}`,
//! `{state.popups.soho-1.watermark}`); `{a|b}` takes the first of them that is set. In a JSON
//! body a string that is exactly one reference keeps the value's JSON type (a list of ids stays a
//! list); anywhere else the value is written as text. Braces around anything that is not a
//! reference (a GraphQL selection `{ id price }`, with its spaces) are kept as text.

use std::borrow::Cow;

use jaq_json::Val;
use serde_json::Value;

use super::program::to_json;

/// What `{…}` references read: named values (`item`, `item_state`, `state`, `token`) laid over
/// a base object (the feed's config). Borrowed, never copied: a feed of a thousand pop-ups
/// makes three thousand requests a poll, and copying the config (every pop-up) and the state
/// into each made a poll's cost grow with the square of the pop-ups.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    base: &'a Value,
    named: [Option<(&'a str, Named<'a>)>; 4],
}

/// A named value: JSON (config, items, the token), or the program's state as jaq keeps it
/// between polls (only the value a reference reaches is made JSON).
#[derive(Debug, Clone, Copy)]
enum Named<'a> {
    Json(&'a Value),
    Jaq(&'a Val),
}

impl<'a> Scope<'a> {
    /// A scope of `base`'s fields alone.
    #[must_use]
    pub fn of(base: &'a Value) -> Self {
        Scope {
            base,
            named: [None; 4],
        }
    }

    /// This scope with `name` reading `value` (over any field of the base of that name).
    #[must_use]
    pub fn with(self, name: &'a str, value: &'a Value) -> Self {
        self.named(name, Named::Json(value))
    }

    /// This scope with `name` reading a jaq value (the program's state).
    #[must_use]
    pub fn with_val(self, name: &'a str, value: &'a Val) -> Self {
        self.named(name, Named::Jaq(value))
    }

    fn named(mut self, name: &'a str, value: Named<'a>) -> Self {
        if let Some(slot) = self
            .named
            .iter_mut()
            .find(|slot| slot.is_none_or(|(taken, _)| taken == name))
        {
            *slot = Some((name, value));
        }
        self
    }

    fn get(&self, name: &str) -> Option<Named<'a>> {
        self.named
            .iter()
            .flatten()
            .find(|(taken, _)| *taken == name)
            .map(|(_, value)| *value)
            .or_else(|| self.base.get(name).map(Named::Json))
    }
}

/// Fills every `{…}` of `text` from `scope`.
///
/// # Errors
/// A reference that names nothing set (the text names it).
pub fn fill_text(text: &str, scope: &Scope<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let reference = after
            .find('}')
            .map(|close| &after[..close])
            .filter(|candidate| is_reference(candidate));
        if let Some(reference) = reference {
            match lookup(reference, scope)?.as_ref() {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            }
            rest = &after[reference.len() + 1..];
        } else {
            // Not a reference (a GraphQL selection `{ id name }`, JSON): kept as written.
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// `name`, `item.location_id`, `state.w|item.opens_at`: a letter or `_` first, then letters,
/// digits and `_ . | -`. Anything else between braces is text.
fn is_reference(candidate: &str) -> bool {
    candidate
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '|' | '-'))
}

/// Fills the strings of a JSON body; a string that is exactly `{ref}` becomes the value itself.
///
/// # Errors
/// As [`fill_text`].
pub fn fill_json(body: &Value, scope: &Scope<'_>) -> Result<Value, String> {
    Ok(match body {
        Value::String(s) => {
            let whole = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .filter(|r| is_reference(r));
            match whole {
                Some(reference) => lookup(reference, scope)?.into_owned(),
                None => Value::String(fill_text(s, scope)?),
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| fill_json(item, scope))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), fill_json(v, scope)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// The first alternative of `reference` that is set (not absent, not null).
fn lookup<'a>(reference: &str, scope: &Scope<'a>) -> Result<Cow<'a, Value>, String> {
    for alternative in reference.split('|') {
        let mut parts = alternative.trim().split('.');
        let found = match parts.next().and_then(|first| scope.get(first)) {
            None => None,
            Some(Named::Json(mut at)) => {
                let mut found = true;
                for part in parts {
                    if let Some(next) = at.get(part) {
                        at = next;
                    } else {
                        found = false;
                        break;
                    }
                }
                (found && !at.is_null()).then_some(Cow::Borrowed(at))
            }
            Some(Named::Jaq(mut at)) => {
                let mut found = true;
                for part in parts {
                    let next = match at {
                        Val::Obj(fields) => fields.get(&Val::from(part.to_owned())),
                        _ => None,
                    };
                    if let Some(next) = next {
                        at = next;
                    } else {
                        found = false;
                        break;
                    }
                }
                if found && !matches!(at, Val::Null) {
                    Some(Cow::Owned(to_json(at)?))
                } else {
                    None
                }
            }
        };
        if let Some(found) = found {
            return Ok(found);
        }
    }
    Err(format!("`{{{reference}}}` names nothing set"))
}

#[cfg(test)]
mod tests {
    use super::{Scope, fill_json, fill_text};
    use serde_json::json;

    #[test]
    fn references_fill_text_and_keep_json_types() {
        let scope = json!({"v": "2025-10-16", "item": {"ids": ["A", "B"], "n": 3}, "state": {}});
        let scope = Scope::of(&scope);
        assert_eq!(
            fill_text("/v2/x/{item.n}?v={v}", &scope),
            Ok("/v2/x/3?v=2025-10-16".to_owned())
        );
        assert_eq!(
            fill_json(&json!({"ids": "{item.ids}", "s": "at {v}"}), &scope),
            Ok(json!({"ids": ["A", "B"], "s": "at 2025-10-16"}))
        );
    }

    #[test]
    fn alternatives_fall_back_and_missing_names_are_errors() {
        let scope = json!({"item": {"opens_at": "T0"}, "state": {"w": null}});
        let scope = Scope::of(&scope);
        assert_eq!(
            fill_text("{state.w|item.opens_at}", &scope),
            Ok("T0".to_owned())
        );
        assert_eq!(
            fill_text("{item.nope}", &scope),
            Err("`{item.nope}` names nothing set".to_owned())
        );
        // A named value reads over the base, without copying either.
        let item = json!({"opens_at": "T1"});
        assert_eq!(
            fill_text("{state.w|item.opens_at}", &scope.with("item", &item)),
            Ok("T1".to_owned())
        );
        // The program's state is read where it is, as jaq keeps it.
        let state: jaq_json::Val = serde_json::from_str(r#"{"w": "T2", "n": 4}"#).unwrap();
        assert_eq!(
            fill_text(
                "{state.w|item.opens_at} {state.n}",
                &scope.with_val("state", &state)
            ),
            Ok("T2 4".to_owned())
        );
        // Braces that hold no reference are text: GraphQL selections, an unclosed brace.
        assert_eq!(fill_text("{open", &scope), Ok("{open".to_owned()));
        assert_eq!(
            fill_text(
                "query Q { v(id: $id) { id price } } {item.opens_at}",
                &scope
            ),
            Ok("query Q { v(id: $id) { id price } } T0".to_owned())
        );
    }
}
