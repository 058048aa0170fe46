//! `dropday adapters list` and `dropday adapters check`: for people writing a mapping, the
//! document a mapping makes from saved answers, and the decoder's verdict entry by entry.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jaq_json::Val;
use serde_json::Value;

use super::program::{AsJson, to_val};
use super::{BUILTINS, MappedSource, Mapping};
use crate::feed::events::PollOutcome;
use crate::feed::wire::SkippedEntry;

/// One line per built-in mapping: its name, feed and what it reads.
///
/// # Errors
/// A built-in mapping that does not compile (a bug the unit tests catch first).
pub fn list() -> Result<String, String> {
    let mut out = String::new();
    for (name, text) in BUILTINS {
        let mapping = Mapping::parse(name, text)?;
        let _ = writeln!(
            out,
            "{name:<22} feed {:<12} {}",
            mapping.feed.name(),
            mapping.description
        );
    }
    out.push_str("\nA feed may also name a mapping file: adapter = \"path/to/mapping.toml\" (docs/adapters.md).\n");
    Ok(out)
}

/// What `adapters check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// The text to print.
    pub text: String,
    /// Every entry decoded.
    pub clean: bool,
}

/// Runs `source`'s program on `input` (`{requests, state?, now?}`; `now` defaults to
/// `default_now`) and describes the document and each entry's verdict.
///
/// # Errors
/// An input that is not `{requests: {…}}`, or the mapping's failure (jq error, shape).
pub fn check(
    source: &MappedSource,
    input: &Value,
    default_now: DateTime<Utc>,
) -> Result<CheckReport, String> {
    let requests = input
        .get("requests")
        .filter(|r| r.is_object())
        .ok_or("the input must be {\"requests\": {name: [{item, pages: [answer…]}]}, \"state\": …, \"now\": …}")?;
    let now = match input.get("now").and_then(Value::as_str) {
        Some(text) => crate::feed::timestamp::parse(text).map_err(|e| format!("`now`: {e}"))?,
        None => default_now,
    };
    let state = to_val(input.get("state").unwrap_or(&Value::Null))?;
    let mapped = source
        .map(kept_answers(source, requests)?, now, &state)
        .map_err(|e| e.to_string())?;
    let pretty: Value = serde_json::from_str(mapped.document.get()).map_err(|e| e.to_string())?;
    let mut text = serde_json::to_string_pretty(&pretty).map_err(|e| e.to_string())?;
    text.push_str("\n\n");
    let (list, ids, skipped): (&str, Vec<String>, Vec<SkippedEntry>) = match mapped.outcome {
        PollOutcome::Drops(d) => (
            "drops",
            d.entries.iter().map(|e| e.id.clone()).collect(),
            d.skipped,
        ),
        PollOutcome::Hubs(d) => (
            "hubs",
            d.entries.iter().map(|e| e.id.clone()).collect(),
            d.skipped,
        ),
        PollOutcome::Popups(d) => (
            "popups",
            d.entries.iter().map(|e| e.id.clone()).collect(),
            d.skipped,
        ),
        PollOutcome::NotModified | PollOutcome::Failed(_) => {
            return Err("the decoder gave no document".to_owned());
        }
    };
    let total = ids.len() + skipped.len();
    let mut decoded = ids.into_iter();
    for index in 0..total {
        match skipped.iter().find(|s| s.index == index) {
            Some(skip) => {
                let _ = writeln!(
                    text,
                    "{list}[{index}] {}: SKIPPED — {}",
                    skip.id.as_deref().unwrap_or("(no id)"),
                    skip.reason
                );
            }
            None => {
                let _ = writeln!(
                    text,
                    "{list}[{index}] {}: ok",
                    decoded.next().unwrap_or_default()
                );
            }
        }
    }
    let _ = writeln!(
        text,
        "{} of {total} {list} decoded; the next poll starts from a state of {} bytes",
        total - skipped.len(),
        serde_json::to_string(&AsJson(&mapped.state)).map_or(0, |text| text.len())
    );
    Ok(CheckReport {
        text,
        clean: skipped.is_empty(),
    })
}

/// The saved answers (`{name: [{item, pages: [answer…]}]}`) as the client reads them: each
/// page pruned to its request's `keep`, so a mapping that reads a field it does not keep fails
/// here as it would when polling.
fn kept_answers(source: &MappedSource, requests: &Value) -> Result<Val, String> {
    let Value::Object(by_name) = requests else {
        return to_val(requests);
    };
    let mut out = jaq_json::Map::default();
    for (name, calls) in by_name {
        let keep = source
            .mapping
            .requests
            .iter()
            .find(|r| &r.spec.name == name)
            .and_then(|r| r.keep.as_ref());
        let calls = match (keep, calls) {
            (Some(keep), Value::Array(calls)) => calls
                .iter()
                .map(|call| {
                    let mut call_val = jaq_json::Map::default();
                    for (field, value) in call.as_object().into_iter().flatten() {
                        let value = match (field.as_str(), value) {
                            ("pages", Value::Array(pages)) => pages
                                .iter()
                                .map(|page| keep.prune(page).map_err(|e| e.to_string()))
                                .collect::<Result<Val, String>>()?,
                            _ => to_val(value)?,
                        };
                        call_val.insert(Val::from(field.clone()), value);
                    }
                    Ok(Val::obj(call_val))
                })
                .collect::<Result<Val, String>>()?,
            _ => to_val(calls)?,
        };
        out.insert(Val::from(name.clone()), calls);
    }
    Ok(Val::obj(out))
}

/// The source `adapters check` runs: the feed of a config that names this mapping, else the
/// mapping alone with the input's `config` over its settings.
///
/// # Errors
/// A mapping that does not load, or an input `config` that is not a table.
pub fn source_for(
    mapping: &str,
    configured: Option<&MappedSource>,
    input: &Value,
) -> Result<MappedSource, String> {
    if let Some(source) = configured {
        return MappedSource::new(Arc::clone(&source.mapping), source.config.clone());
    }
    let mapping = super::load(mapping)?;
    let mut config = mapping.settings.clone();
    match input.get("config") {
        None => {}
        Some(Value::Object(given)) => config.extend(given.clone()),
        Some(_) => return Err("the input's `config` must be an object".to_owned()),
    }
    MappedSource::new(Arc::new(mapping), Value::Object(config))
}
