//! `{name}` substitution in a mapping's paths, queries, headers and bodies.
//!
//! A reference is a dotted path into the scope (`{square_version}`, `{item.location_id}`,
//! `{state.popups.soho-1.watermark}`); `{a|b}` takes the first of them that is set. In a JSON
//! body a string that is exactly one reference keeps the value's JSON type (a list of ids stays a
//! list); anywhere else the value is written as text. Braces around anything that is not a
//! reference (a GraphQL selection `{ id price }`, with its spaces) are kept as text.

use serde_json::Value;

/// What `{…}` references read: named values (`item`, `item_state`, `state`, `token`) laid over
/// a base object (the feed's config). Borrowed, never copied: a feed of a thousand pop-ups
/// makes three thousand requests a poll, and copying the config (every pop-up) and the state
/// into each made a poll's cost grow with the square of the pop-ups.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    base: &'a Value,
    named: [Option<(&'a str, &'a Value)>; 4],
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
    pub fn with(mut self, name: &'a str, value: &'a Value) -> Self {
        if let Some(slot) = self
            .named
            .iter_mut()
            .find(|slot| slot.is_none_or(|(taken, _)| taken == name))
        {
            *slot = Some((name, value));
        }
        self
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.named
            .iter()
            .flatten()
            .find(|(taken, _)| *taken == name)
            .map(|(_, value)| *value)
            .or_else(|| self.base.get(name))
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
            match lookup(reference, scope)? {
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
                Some(reference) => lookup(reference, scope)?.clone(),
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
fn lookup<'a>(reference: &str, scope: &Scope<'a>) -> Result<&'a Value, String> {
    for alternative in reference.split('|') {
        let mut parts = alternative.trim().split('.');
        let Some(mut at) = parts.next().and_then(|first| scope.get(first)) else {
            continue;
        };
        let mut found = true;
        for part in parts {
            if let Some(next) = at.get(part) {
                at = next;
            } else {
                found = false;
                break;
            }
        }
        if found && !at.is_null() {
            return Ok(at);
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
