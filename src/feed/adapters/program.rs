//! A mapping's jq program, compiled once with jaq and run on every poll.
//!
//! The program sees `{requests, config, now, state}` and must give `{document, state}`. It has
//! jq's standard library except `now` (time is injected: the program reads `.now`, so a test or
//! `adapters check` with a fixed clock gives the same document every time), plus the helpers of
//! [`PRELUDE`], which turn "the answer changed shape" into an error naming the jq path.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Native, Vars, data, unwrap_valr};
use jaq_json::Val;

/// Helpers every mapping may use, next to the natives of [`super::natives`] (`need(path)`,
/// `num(path)`, `str(path)`, `sum(path)`): `epoch` reads an RFC 3339 time (any offset,
/// fractions dropped) as Unix seconds; `path_text(path)` writes a path as errors name it.
///
/// `epoch` is jaq's native `fromdateiso8601` (RFC 3339 with offsets): a regex version compiled
/// its three patterns on every call and took most of a poll of a thousand Square locations.
///
/// `each(f)`, `field(name; f)` and `at(where; f)` name the entry an answer changed shape in,
/// fast on the way and precise on failure: `each` maps a list and, only when `f` fails on an
/// entry, finds that entry again to name its index; `field` and `at` put the path in front. So
/// a poll builds no path strings unless an answer changed shape. A mapping may define its own
/// (a later `def` of the same name hides these).
pub const PRELUDE: &str = r#"
def path_text($p): $p | map(tostring) | join(".");
def epoch: fromdateiso8601 | floor;
def located($at): if type == "object" and has("at") then {at: ($at + .at), msg} else {at: $at, msg: .} end;
def each(f): . as $list
  | try map(f)
    catch (. as $e
      | first((range(0; $list | length) as $k | $list[$k] | try (f | empty) catch located("[\($k)]")), $e)
      | error);
def field($name; f): try f catch (located(".\($name)") | error);
def at($where; f): try f catch (located($where) | error("\(.at): \(.msg)"));
"#;

/// The data jaq runs a mapping with: its values are `jaq_json` values.
pub(super) type Data = data::JustLut<Val>;

/// A compiled jq program.
pub struct Program {
    filter: jaq_core::compile::Filter<Native<Data>>,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Program")
    }
}

impl Program {
    /// Compiles `code` (the prelude is put in front of it).
    ///
    /// # Errors
    /// A syntax error or an undefined name, with its line in `code`.
    pub fn compile(code: &str) -> Result<Program, String> {
        let whole = format!("{PRELUDE}\n{code}");
        let prelude_lines = PRELUDE.lines().count() + 1;
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        // `now` reads the wall clock; a mapping reads `.now` instead.
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .chain(super::natives::funs())
            .filter(|(name, _, _)| *name != "now");
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let line = |part: &str| {
            let at = jaq_core::load::span(&whole, part).start;
            let line = whole[..at].lines().count().max(1);
            line.saturating_sub(prelude_lines).max(1)
        };
        let modules = loader
            .load(
                &arena,
                File {
                    code: whole.as_str(),
                    path: (),
                },
            )
            .map_err(|errors| {
                let mut texts = Vec::new();
                for (_, error) in errors {
                    match error {
                        jaq_core::load::Error::Io(items) => {
                            texts.extend(items.into_iter().map(|(_, e)| e));
                        }
                        jaq_core::load::Error::Lex(items) => {
                            for (expect, part) in items {
                                texts.push(format!(
                                    "line {}: expected {}",
                                    line(part),
                                    expect.as_str()
                                ));
                            }
                        }
                        jaq_core::load::Error::Parse(items) => {
                            for (expect, part) in items {
                                texts.push(format!(
                                    "line {}: expected {}",
                                    line(part),
                                    expect.as_str()
                                ));
                            }
                        }
                    }
                }
                format!("jq syntax: {}", texts.join("; "))
            })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let texts: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, items)| items)
                    .map(|(name, kind)| {
                        format!("line {}: undefined {kind:?} `{name}`", line(name))
                            .replace("undefined Filter(", "undefined filter/")
                    })
                    .collect();
                format!("jq: {}", texts.join("; "))
            })?;
        Ok(Program { filter })
    }

    /// Runs the program on `input`; its first output.
    ///
    /// # Errors
    /// The program's own error (`error(...)`, a type error), or no output at all.
    pub fn run(&self, input: Val) -> Result<Val, String> {
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([]));
        let mut out = self.filter.id.run((ctx, input)).map(unwrap_valr);
        match out.next() {
            Some(Ok(value)) => Ok(value),
            Some(Err(error)) => Err(error_text(&error)),
            None => Err("the program gave no output".to_owned()),
        }
    }
}

/// An error raised with `error("text")` reads as its text, not as a quoted JSON string.
fn error_text(error: &jaq_core::Error<Val>) -> String {
    let text = error.to_string();
    match serde_json::from_str::<String>(&text) {
        Ok(unquoted) => unquoted,
        Err(_) => text,
    }
}

/// A jaq value written as JSON by serde (`serde_json::to_vec(&AsJson(&v))`,
/// `serde_json::to_value`): several times faster than jaq's own `Display`, which formats every
/// byte through `fmt`. Numbers jaq keeps as text (a big integer, a decimal read from JSON) are
/// written as they were read; NaN and the infinities as null (as jq writes them); an object key
/// that is not a string as its jq text.
#[derive(Debug, Clone, Copy)]
pub struct AsJson<'a>(pub &'a Val);

impl serde::Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        use jaq_json::Num;
        use serde::ser::{Error, SerializeMap, SerializeSeq};
        match self.0 {
            Val::Bool(b) => out.serialize_bool(*b),
            Val::Num(Num::Int(n)) => out.serialize_i64(*n as i64),
            Val::Num(Num::Float(f)) if f.is_finite() => out.serialize_f64(*f),
            Val::Null | Val::Num(Num::Float(_)) => out.serialize_unit(),
            Val::Num(exact @ (Num::BigInt(_) | Num::Dec(_))) => {
                serde_json::value::RawValue::from_string(exact.to_string())
                    .map_err(S::Error::custom)?
                    .serialize(out)
            }
            Val::TStr(bytes) | Val::BStr(bytes) => {
                out.serialize_str(&String::from_utf8_lossy(bytes))
            }
            Val::Arr(items) => {
                let mut seq = out.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(&AsJson(item))?;
                }
                seq.end()
            }
            Val::Obj(fields) => {
                let mut map = out.serialize_map(Some(fields.len()))?;
                for (key, value) in fields.iter() {
                    match key {
                        Val::TStr(bytes) | Val::BStr(bytes) => {
                            map.serialize_entry(&String::from_utf8_lossy(bytes), &AsJson(value))?;
                        }
                        other => map.serialize_entry(&other.to_string(), &AsJson(value))?,
                    }
                }
                map.end()
            }
        }
    }
}

/// A jaq value as a JSON value.
///
/// # Errors
/// A number jaq kept as text that is not JSON (never for values read from JSON).
pub fn to_json(value: &Val) -> Result<serde_json::Value, String> {
    serde_json::to_value(AsJson(value)).map_err(|e| e.to_string())
}

/// A JSON value as a jaq value.
///
/// # Errors
/// Never for a value `serde_json` built; kept as a Result for the trait's sake.
pub fn to_val(value: &serde_json::Value) -> Result<Val, String> {
    serde::Deserialize::deserialize(value).map_err(|e: serde_json::Error| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{Program, to_val};
    use serde_json::json;

    fn run(code: &str, input: &serde_json::Value) -> Result<String, String> {
        let program = Program::compile(code)?;
        program.run(to_val(input)?).map(|v| v.to_string())
    }

    #[test]
    fn a_program_maps_its_input() {
        let input = json!({"requests": {"a": [{"pages": [{"n": "12"}]}]}});
        assert_eq!(
            run(".requests.a[0].pages[0] | num([\"n\"]) + 1", &input),
            Ok("13".to_owned())
        );
    }

    #[test]
    fn missing_and_mistyped_fields_name_their_path() {
        let input = json!({"requests": {"a": {"b": {"c": true}}}});
        assert_eq!(
            run("need([\"requests\",\"a\",\"x\"])", &input),
            Err("missing `requests.a.x`".to_owned())
        );
        assert_eq!(
            run("num([\"requests\",\"a\",\"b\",\"c\"])", &input),
            Err("`requests.a.b.c` is boolean, not a number".to_owned())
        );
        assert_eq!(
            run("str([\"requests\",\"a\",\"b\"])", &input),
            Err("`requests.a.b` is object, not a string".to_owned())
        );
    }

    #[test]
    fn syntax_errors_and_unknown_names_say_where() {
        let error = Program::compile(".a |\n\n  (").expect_err("bad syntax");
        assert!(error.starts_with("jq syntax: line 3"), "{error}");
        let error = Program::compile(".a\n| nosuch").expect_err("undefined");
        assert!(
            error.contains("line 2") && error.contains("nosuch"),
            "{error}"
        );
    }

    #[test]
    fn the_wall_clock_is_not_available() {
        let error = Program::compile("now").expect_err("now is removed");
        assert!(error.contains("now"), "{error}");
    }

    #[test]
    fn epoch_reads_offsets() {
        let input = json!([
            "2026-12-05T10:00:00-05:00",
            "2026-12-05T15:00:00Z",
            "2026-12-05T15:00:00.250Z"
        ]);
        assert_eq!(
            run("map(epoch)", &input),
            Ok("[1796482800,1796482800,1796482800]".to_owned())
        );
    }
}
