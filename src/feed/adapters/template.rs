//! `{name}` substitution in a mapping's paths, queries, headers and bodies.
//!
//! A reference is a dotted path into the scope (`{square_version}`, `{item.location_id}`,
//! `{state.popups.soho-1.watermark}`); `{a|b}` takes the first of them that is set. In a JSON
//! body a string that is exactly one reference keeps the value's JSON type (a list of ids stays a
//! list); anywhere else the value is written as text. Braces around anything that is not a
//! reference (a GraphQL selection `{ id price }`, with its spaces) are kept as text.

use serde_json::Value;

/// Fills every `{…}` of `text` from `scope`.
///
/// # Errors
/// A reference that names nothing set (the text names it).
pub fn fill_text(text: &str, scope: &Value) -> Result<String, String> {
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
pub fn fill_json(body: &Value, scope: &Value) -> Result<Value, String> {
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
fn lookup<'a>(reference: &str, scope: &'a Value) -> Result<&'a Value, String> {
    for alternative in reference.split('|') {
        let mut at = scope;
        let mut found = true;
        for part in alternative.trim().split('.') {
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
    use super::{fill_json, fill_text};
    use serde_json::json;

    #[test]
    fn references_fill_text_and_keep_json_types() {
        let scope = json!({"v": "2025-10-16", "item": {"ids": ["A", "B"], "n": 3}, "state": {}});
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
        assert_eq!(
            fill_text("{state.w|item.opens_at}", &scope),
            Ok("T0".to_owned())
        );
        assert_eq!(
            fill_text("{item.nope}", &scope),
            Err("`{item.nope}` names nothing set".to_owned())
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
