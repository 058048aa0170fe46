//! The per-field helpers every mapping calls (`need`, `num`, `str`, `sum`) as native jaq
//! functions.
//!
//! They run once per field of every entry of every answer: a poll of a thousand Square
//! locations calls them tens of thousands of times. Written in jq (as they were) each call built
//! its path array, walked it with `getpath` and told the type by comparisons, a few dozen steps
//! of jaq's interpreter and as many allocations; here a call is a walk over the value. Errors
//! keep the words of the jq versions, with the path named (``missing `status.category` ``).

use jaq_core::native::{Fun, bome, v};
use jaq_core::{Error, Native, ValR};
use jaq_json::{Num, Val};

use super::program::Data;

/// The natives, to be registered with the compiler next to jaq's own.
pub(super) fn funs() -> impl Iterator<Item = Fun<Data>> {
    [
        (
            "need",
            v(1),
            Native::new(|mut cv| {
                let path = cv.0.pop_var();
                bome(need(&cv.1, &path))
            }),
        ),
        (
            "num",
            v(1),
            Native::new(|mut cv| {
                let path = cv.0.pop_var();
                bome(num(&cv.1, &path))
            }),
        ),
        (
            "str",
            v(1),
            Native::new(|mut cv| {
                let path = cv.0.pop_var();
                bome(text(&cv.1, &path))
            }),
        ),
        (
            "sum",
            v(1),
            Native::new(|mut cv| {
                let path = cv.0.pop_var();
                bome(sum(&cv.1, &path))
            }),
        ),
    ]
    .into_iter()
}

fn fail(text: String) -> Error<Val> {
    Error::new(Val::from(text))
}

/// jq's name of a value's type (`type`).
fn type_name(value: &Val) -> &'static str {
    match value {
        Val::Null => "null",
        Val::Bool(_) => "boolean",
        Val::Num(_) => "number",
        Val::BStr(_) | Val::TStr(_) => "string",
        Val::Arr(_) => "array",
        Val::Obj(_) => "object",
    }
}

/// `["status", "category"]` as `status.category`: the path as an error names it.
fn path_text(path: &[Val]) -> String {
    let mut text = String::new();
    for (k, key) in path.iter().enumerate() {
        if k > 0 {
            text.push('.');
        }
        match key {
            Val::TStr(bytes) | Val::BStr(bytes) => text.push_str(&String::from_utf8_lossy(bytes)),
            other => text.push_str(&other.to_string()),
        }
    }
    text
}

fn keys(path: &Val) -> Result<&[Val], Error<Val>> {
    match path {
        Val::Arr(keys) => Ok(keys),
        other => Err(fail(format!(
            "a path is a list of keys, like [\"total_money\", \"amount\"], not {other}"
        ))),
    }
}

/// The value at `path` under `value`; `None` when a key is absent or a step meets null (as
/// `getpath` reads it).
fn walk<'v>(value: &'v Val, path: &[Val]) -> Result<Option<&'v Val>, Error<Val>> {
    let mut at = value;
    for (k, key) in path.iter().enumerate() {
        at = match (at, key) {
            (Val::Null, _) => return Ok(None),
            (Val::Obj(fields), key) => match fields.get(key) {
                Some(next) => next,
                None => return Ok(None),
            },
            (Val::Arr(items), Val::Num(Num::Int(i))) => {
                match usize::try_from(*i).ok().and_then(|i| items.get(i)) {
                    Some(next) => next,
                    None => return Ok(None),
                }
            }
            (other, _) => {
                return Err(fail(format!(
                    "`{}` is {}, not {}",
                    path_text(&path[..k]),
                    type_name(other),
                    if matches!(key, Val::Num(_)) {
                        "an array"
                    } else {
                        "an object"
                    }
                )));
            }
        };
    }
    Ok(Some(at))
}

/// `need(path)`: the value at `path`, which must be there (an answer without it changed shape).
fn need(value: &Val, path: &Val) -> ValR<Val> {
    let keys = keys(path)?;
    match walk(value, keys)? {
        Some(Val::Null) | None => Err(fail(format!("missing `{}`", path_text(keys)))),
        Some(found) => Ok(found.clone()),
    }
}

/// `num(path)`: a number, which may come as a JSON string (Square's quantities are decimal
/// strings).
fn num(value: &Val, path: &Val) -> ValR<Val> {
    let keys = keys(path)?;
    match walk(value, keys)? {
        Some(Val::Null) | None => Err(fail(format!("missing `{}`", path_text(keys)))),
        Some(found @ Val::Num(_)) => Ok(found.clone()),
        Some(Val::TStr(bytes)) => {
            let text = String::from_utf8_lossy(bytes);
            parse_number(text.trim())
                .ok_or_else(|| fail(format!("`{}` is \"{text}\", not a number", path_text(keys))))
        }
        Some(other) => Err(fail(format!(
            "`{}` is {}, not a number",
            path_text(keys),
            type_name(other)
        ))),
    }
}

/// A decimal string as jq's `tonumber` reads it: an integer stays an integer.
fn parse_number(text: &str) -> Option<Val> {
    if let Ok(int) = text.parse::<isize>() {
        return Some(Val::from(int));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| {
            f.is_finite() && !text.is_empty() && !text.starts_with(['+', 'i', 'I', 'n', 'N'])
        })
        .map(Val::from)
}

/// `str(path)`: a string.
fn text(value: &Val, path: &Val) -> ValR<Val> {
    let keys = keys(path)?;
    match walk(value, keys)? {
        Some(Val::Null) | None => Err(fail(format!("missing `{}`", path_text(keys)))),
        Some(found @ Val::TStr(_)) => Ok(found.clone()),
        Some(other) => Err(fail(format!(
            "`{}` is {}, not a string",
            path_text(keys),
            type_name(other)
        ))),
    }
}

/// `sum(path)`: over a list (null: an empty one), the sum of `num(path)` of each entry; 0 for
/// none. Square's line items' quantities, a page's units.
fn sum(value: &Val, path: &Val) -> ValR<Val> {
    let items: &[Val] = match value {
        Val::Null => &[],
        Val::Arr(items) => items,
        other => {
            return Err(fail(format!(
                "sum: a list was expected, not {}",
                type_name(other)
            )));
        }
    };
    let mut int: isize = 0;
    let mut float: Option<f64> = None;
    for item in items {
        match num(item, path)? {
            Val::Num(Num::Int(n)) => match (float, int.checked_add(n)) {
                (None, Some(total)) => int = total,
                (Some(f), _) => float = Some(f + n as f64),
                (None, None) => float = Some(int as f64 + n as f64),
            },
            Val::Num(other) => {
                let n = other.to_string().parse::<f64>().unwrap_or(f64::NAN);
                float = Some(float.unwrap_or(int as f64) + n);
            }
            _ => {}
        }
    }
    Ok(float.map_or(Val::from(int), Val::from))
}

#[cfg(test)]
mod tests {
    use super::parse_number;
    use jaq_json::Val;

    #[test]
    fn decimal_strings_read_as_jq_reads_them() {
        assert_eq!(parse_number("12"), Some(Val::from(12_isize)));
        assert_eq!(parse_number("-3"), Some(Val::from(-3_isize)));
        assert_eq!(parse_number("1.5"), Some(Val::from(1.5)));
        assert_eq!(parse_number("2e3"), Some(Val::from(2000.0)));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("two"), None);
    }
}
