//! A mapping file (TOML): the feed it makes, its named requests, its rate limits, the config
//! lists it needs, and its jq program. Parsed and compiled once, at config time, so a broken
//! mapping is a config error and never a panic while polling.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::keep::Keep;
use super::program::Program;
use crate::feed::FeedKind;

/// The type a config list's field must have (`[lists.popups] opens_at = "time"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Any string.
    String,
    /// An RFC 3339 time with its offset.
    Time,
    /// A list of strings.
    Strings,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A list of tables (checked no further here; the program reads them).
    Tables,
}

impl FieldKind {
    /// What a value of this kind looks like, for errors.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            FieldKind::String => "a string",
            FieldKind::Time => "an RFC 3339 time with offset, like \"2026-12-05T10:00:00-05:00\"",
            FieldKind::Strings => "a list of strings",
            FieldKind::Integer => "an integer",
            FieldKind::Number => "a number",
            FieldKind::Tables => "a list of tables",
        }
    }
}

/// How the next page of a request is asked for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagesSpec {
    /// jq on one page's answer: the next cursor, or null/absent on the last page; `true` asks
    /// for the next page by number (1, 2, …) for APIs that page by number.
    pub next: String,
    /// Where the cursor goes: `query.<name>` or `body.<dotted.path>`.
    pub send_as: String,
    /// A ceiling on pages per poll (a platform returning the same cursor forever must not hang
    /// the feed).
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
}

fn default_max_pages() -> u32 {
    100
}

/// One named HTTP request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// The name the program reads its answers under (`.requests.<name>`).
    pub name: String,
    /// `GET` or `POST`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Appended to the feed's `url`; may hold `{…}`.
    pub path: String,
    /// Query parameters; values may hold `{…}`.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Headers; values may hold `{…}` and `{token}` (the feed's token, only ever in headers).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (written as TOML); strings may hold `{…}`.
    pub body: Option<toml::Value>,
    /// One request per entry of this config list (`popups`), the entry as `{item}`.
    pub for_each: Option<String>,
    /// Cursor pagination, when the platform pages the answer.
    pub pages: Option<PagesSpec>,
    /// The parts of the answer the program reads (`.orders[].id`, `.cursor`); the rest is
    /// skipped while the answer is parsed. Absent: the whole answer. What `pages.next` reads
    /// must be kept too.
    pub keep: Option<Vec<String>>,
    /// A list in each page whose entries come again at later polls (`.orders[]`: Square's
    /// `start_at` is inclusive, so the order at the watermark comes back every poll). Declaring
    /// it promises the program takes such an entry into its state once, so mapping an entry
    /// again, with the state the program gave and answers that only repeat entries it was
    /// mapped from, would give the same: it is kept (`[program] each` only).
    pub repeats: Option<String>,
    /// The request's own jq program, run on each of its calls (`{item, pages}`): the program
    /// reads its output under `.requests.<name>` instead of the call. It runs again only when
    /// that call's answers change, so an entry mapped because another request's answers
    /// changed does not read this one's again (`[program] each` only).
    pub jq: Option<String>,
}

fn default_method() -> String {
    "GET".to_owned()
}

/// The platform's rate limits, beyond the 429 + `Retry-After` every feed honours.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpec {
    /// Requests allowed per rolling minute (ShipBob's budget); the client waits instead of
    /// spending past it.
    pub per_minute: Option<u32>,
    /// Read Shopify's GraphQL cost (`extensions.cost`) and wait for the bucket to refill
    /// before a query would be throttled.
    #[serde(default)]
    pub graphql_cost: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramSpec {
    jq: String,
    /// Run the program once per entry of this config list (see [`super::entries`]).
    each: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    feed: String,
    description: String,
    #[serde(default)]
    settings: toml::Table,
    #[serde(default)]
    lists: BTreeMap<String, BTreeMap<String, FieldKind>>,
    #[serde(default)]
    throttle: ThrottleSpec,
    #[serde(default, rename = "request")]
    requests: Vec<RequestSpec>,
    program: ProgramSpec,
}

/// A request ready to run: its spec, its body as JSON, its compiled cursor reader.
#[derive(Debug)]
pub struct Request {
    /// As written.
    pub spec: RequestSpec,
    /// The body as JSON.
    pub body: Option<serde_json::Value>,
    /// The compiled `pages.next`.
    pub next_cursor: Option<Program>,
    /// The parsed `keep`.
    pub keep: Option<Keep>,
    /// The parsed `repeats`: the keys from a page to its repeated list.
    pub repeats: Option<Vec<String>>,
    /// The compiled `jq`: what the program reads of each call.
    pub answer: Option<Program>,
}

/// A parsed, compiled mapping.
#[derive(Debug)]
pub struct Mapping {
    /// Its name: a built-in's name or the file's path.
    pub name: String,
    /// The feed document it makes.
    pub feed: FeedKind,
    /// One line on what it reads.
    pub description: String,
    /// Defaults of `[feeds.<feed>.settings]`.
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Config lists the feed must give, each field with its type.
    pub lists: BTreeMap<String, BTreeMap<String, FieldKind>>,
    /// Rate limits.
    pub throttle: ThrottleSpec,
    /// The requests, in order.
    pub requests: Vec<Request>,
    /// The jq program.
    pub program: Program,
    /// `[program] each`: the config list the program runs once per entry of (its document's
    /// list is the entries it gives, its state theirs by id); none: once per poll.
    pub each: Option<String>,
}

impl Mapping {
    /// Parses and compiles mapping `text` named `name`.
    ///
    /// # Errors
    /// Bad TOML, an unknown feed or method, a `for_each` list the mapping does not declare, or a
    /// jq program that does not compile; the text says which.
    pub fn parse(name: &str, text: &str) -> Result<Mapping, String> {
        let file: MappingFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let feed = FeedKind::ALL
            .into_iter()
            .find(|kind| kind.name() == file.feed)
            .ok_or_else(|| {
                format!(
                    "feed = \"{}\" is not one of marketplace, fulfilment, pos",
                    file.feed
                )
            })?;
        let Ok(serde_json::Value::Object(settings)) = serde_json::to_value(&file.settings) else {
            return Err("[settings] must be a table".to_owned());
        };
        let mut requests = Vec::with_capacity(file.requests.len());
        for spec in file.requests {
            let at = format!("request `{}`", spec.name);
            if !matches!(spec.method.as_str(), "GET" | "POST") {
                return Err(format!("{at}: method must be GET or POST"));
            }
            if let Some(list) = &spec.for_each
                && !file.lists.contains_key(list)
            {
                return Err(format!(
                    "{at}: for_each = \"{list}\" is not a [lists.{list}]"
                ));
            }
            if requests.iter().any(|r: &Request| r.spec.name == spec.name) {
                return Err(format!("{at} is named twice"));
            }
            let body = spec
                .body
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| format!("{at}: body: {e}"))?;
            let next_cursor = match &spec.pages {
                Some(pages) => {
                    if !(pages.send_as.starts_with("query.") || pages.send_as.starts_with("body."))
                    {
                        return Err(format!(
                            "{at}: pages.send_as must start with `query.` or `body.`"
                        ));
                    }
                    Some(
                        Program::compile(&pages.next)
                            .map_err(|e| format!("{at}: pages.next: {e}"))?,
                    )
                }
                None => None,
            };
            let keep = spec
                .keep
                .as_deref()
                .map(Keep::parse)
                .transpose()
                .map_err(|e| format!("{at}: {e}"))?;
            let repeats = spec
                .repeats
                .as_deref()
                .map(|path| repeated_list(path).map_err(|e| format!("{at}: repeats: {e}")))
                .transpose()?;
            if repeats.is_some() && file.program.each.is_none() {
                return Err(format!("{at}: repeats needs [program] each"));
            }
            let answer = spec
                .jq
                .as_deref()
                .map(|jq| Program::compile(jq).map_err(|e| format!("{at}: jq: {e}")))
                .transpose()?;
            if answer.is_some() && file.program.each.is_none() {
                return Err(format!("{at}: jq needs [program] each"));
            }
            requests.push(Request {
                spec,
                body,
                next_cursor,
                keep,
                repeats,
                answer,
            });
        }
        let program = Program::compile(&file.program.jq).map_err(|e| format!("[program] {e}"))?;
        if let Some(list) = &file.program.each {
            if !file.lists.contains_key(list) {
                return Err(format!(
                    "[program] each = \"{list}\" is not a [lists.{list}]"
                ));
            }
            if let Some(other) = requests.iter().find(|r| {
                r.spec
                    .for_each
                    .as_ref()
                    .is_some_and(|for_each| for_each != list)
            }) {
                return Err(format!(
                    "request `{}`: for_each must be \"{list}\" (or absent) when [program] each = \"{list}\"",
                    other.spec.name
                ));
            }
        }
        Ok(Mapping {
            name: name.to_owned(),
            feed,
            description: file.description,
            settings,
            lists: file.lists,
            throttle: file.throttle,
            requests,
            program,
            each: file.program.each,
        })
    }
}

/// `.orders[]` (or `.a.b[]`) as its keys: a list under an object's fields.
fn repeated_list(path: &str) -> Result<Vec<String>, String> {
    let keys = path
        .strip_prefix('.')
        .and_then(|rest| rest.strip_suffix("[]"))
        .ok_or_else(|| format!("`{path}` must be a list's path, like `.orders[]`"))?;
    let keys: Vec<String> = keys.split('.').map(str::to_owned).collect();
    if keys.iter().any(|k| k.is_empty() || k.contains(['[', ']'])) {
        return Err(format!(
            "`{path}` must be keys and one `[]` at the end, like `.orders[]`"
        ));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::Mapping;

    const HEAD: &str = r#"
feed = "pos"
description = "test"
[lists.popups]
id = "string"
[lists.hubs]
id = "string"
"#;

    fn parse(rest: &str) -> Result<Mapping, String> {
        Mapping::parse("test", &format!("{HEAD}{rest}"))
    }

    #[test]
    fn a_program_per_entry_names_a_list_every_request_shares() {
        let one = "[[request]]\nname = \"a\"\nfor_each = \"popups\"\npath = \"/a\"\n\
                   [[request]]\nname = \"shared\"\npath = \"/s\"\n";
        let ok = parse(&format!(
            "{one}[program]\neach = \"popups\"\njq = \"{{entry: 1}}\"\n"
        ))
        .expect("parses");
        assert_eq!(ok.each.as_deref(), Some("popups"));
        let unknown = parse("[program]\neach = \"stalls\"\njq = \".\"\n").expect_err("no list");
        assert!(unknown.contains("[lists.stalls]"), "{unknown}");
        let other = parse(
            "[[request]]\nname = \"h\"\nfor_each = \"hubs\"\npath = \"/h\"\n\
             [program]\neach = \"popups\"\njq = \".\"\n",
        )
        .expect_err("another list");
        assert!(
            other.contains("request `h`: for_each must be \"popups\""),
            "{other}"
        );
    }

    /// Request `a`, one call a pop-up, with `line` added.
    fn request_a(line: &str) -> String {
        format!("[[request]]\nname = \"a\"\nfor_each = \"popups\"\npath = \"/a\"\n{line}\n")
    }

    const PER_ENTRY: &str = "[program]\neach = \"popups\"\njq = \"{entry: 1}\"\n";
    const PER_POLL: &str = "[program]\njq = \"{document: {}}\"\n";

    #[test]
    fn a_repeated_list_is_a_list_path_of_a_program_per_entry() {
        let request = |repeats: &str| request_a(&format!("repeats = \"{repeats}\""));
        let ok = parse(&format!("{}{PER_ENTRY}", request(".data.orders[]"))).expect("parses");
        assert_eq!(
            ok.requests[0].repeats.as_deref(),
            Some(["data".to_owned(), "orders".to_owned()].as_slice())
        );
        for bad in [".orders", "orders[]", ".[]", ".a[].b[]", ".a..b[]"] {
            let error = parse(&format!("{}{PER_ENTRY}", request(bad))).expect_err(bad);
            assert!(error.contains("request `a`: repeats: `"), "{bad}: {error}");
        }
        let once =
            parse(&format!("{}{PER_POLL}", request(".orders[]"))).expect_err("a program per poll");
        assert!(once.contains("repeats needs [program] each"), "{once}");
    }

    #[test]
    fn a_request_program_is_compiled_with_the_mapping_and_needs_a_program_per_entry() {
        let request = |jq: &str| request_a(&format!("jq = '{jq}'"));
        let ok = parse(&format!("{}{PER_ENTRY}", request(".pages | each(.n)"))).expect("parses");
        assert!(ok.requests[0].answer.is_some());
        let broken =
            parse(&format!("{}{PER_ENTRY}", request(".pages | nosuch"))).expect_err("bad jq");
        assert!(broken.contains("request `a`: jq: "), "{broken}");
        let once =
            parse(&format!("{}{PER_POLL}", request(".pages"))).expect_err("a program per poll");
        assert!(
            once.contains("request `a`: jq needs [program] each"),
            "{once}"
        );
    }
}
