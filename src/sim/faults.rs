//! Fault injection: what can go wrong with a feed, how it is spelled, and which faults are on.
//!
//! A fault is spelled `FEED:KIND[:ARG]` on the command line, in a scenario's `[[faults]]` (`feed`
//! and `kind = "KIND[:ARG]"`) and in `POST /_sim/faults`. Kinds:
//!
//! | kind | arg | effect |
//! | --- | --- | --- |
//! | `latency` | ms (default 1000) | answers after the delay |
//! | `http500`, `http502`, `http503`, `http504` | — | that status with an HTML body |
//! | `http429` | seconds (default 5) | 429 with `Retry-After: N` |
//! | `malformed` | — | 200 with a body that is not JSON |
//! | `truncated` | — | `Content-Length` larger than the bytes sent, then the connection closes |
//! | `truncated-chunked` | — | a chunked body cut short (no final chunk) |
//! | `oversized` | MiB, 1 to 1024 (default 9) | a valid document padded past the size, with `Content-Length` |
//! | `oversized-chunked` | MiB, 1 to 1024 (default 9) | the same, chunked (no `Content-Length`) |
//! | `hang` | — | accepts the request and never answers until the fault is cleared |
//! | `counter-reset` | — | the feed's counters restart from 0 from the moment the fault is on |
//! | `skew` | seconds, signed, within a year (default 300) | `as_of` offset by that much |
//! | `wrong-types` | — | the first entry has a counter of the wrong type (`"sessions": "many"`) |
//! | `not-modified` | — | 304 although the client sent no `If-None-Match` |
//! | `drop-response` | N or P (default every request) | control only: applies the action, then closes the connection without answering, every Nth request (integer) or with probability P (0 < P < 1) |
//! | `stall` | ms (default 5000) | control only: applies the action, then holds the answer |
//!
//! Transport faults (`latency`, `http5xx`, `http429`, `hang`) hit reads and control requests of
//! the feed; control-only faults are marketplace-only; the rest shape documents.

use std::fmt;
use std::str::FromStr;

use crate::feed::FeedKind;

use super::error::SimError;

/// Default size of an oversized body: above the client's default 8 MiB limit.
const DEFAULT_OVERSIZED_MIB: u64 = 9;

/// Largest oversized body: the simulator builds it in memory, and 1 GiB is past any sane
/// client limit already.
const MAX_OVERSIZED_MIB: u64 = 1024;

/// Largest clock skew either way: a year is past any staleness rule, and far from where
/// adding it to a timestamp would overflow.
const MAX_SKEW_S: i64 = 366 * 24 * 3600;

/// What goes wrong; see the module docs for spellings.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answers after `ms` milliseconds (wall time).
    Latency {
        /// Delay before each answer, in milliseconds.
        ms: u64,
    },
    /// A 5xx status with an HTML body, as a proxy in front of a crashed server sends.
    ServerError {
        /// The status sent, 500 to 504.
        status: u16,
    },
    /// 429 with `Retry-After: retry_after_s`.
    RateLimited {
        /// Seconds sent in `Retry-After`.
        retry_after_s: u64,
    },
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// `Content-Length` promises more than is sent; the connection then closes.
    Truncated,
    /// A chunked body that stops without its final chunk.
    TruncatedChunked,
    /// A valid document padded to `bytes`, sent with `Content-Length`.
    Oversized {
        /// Size of the padded body.
        bytes: u64,
    },
    /// A valid document padded to `bytes`, sent chunked.
    OversizedChunked {
        /// Size of the padded body.
        bytes: u64,
    },
    /// Never answers while the fault is on.
    Hang,
    /// The feed's counters restart from 0 when the fault comes on.
    CounterReset,
    /// `as_of` is off by `seconds`.
    ClockSkew {
        /// Seconds added to `as_of` (negative: behind).
        seconds: i64,
    },
    /// The first entry has a counter with a string value.
    WrongTypes,
    /// 304 without `If-None-Match`.
    NotModified,
    /// Control only: apply, then close the connection without an answer.
    DropResponse(DropPattern),
    /// Control only: apply, then hold the answer for `ms` milliseconds (wall time).
    Stall {
        /// How long the answer is held, in milliseconds.
        ms: u64,
    },
}

/// Which control requests a `drop-response` fault swallows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DropPattern {
    /// Every `n`th request (1 = all).
    EveryNth(u64),
    /// Each request with this probability, from the simulator's seeded generator.
    Probability(f64),
}

impl FaultKind {
    /// The kind's spelling without its argument.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Latency { .. } => "latency",
            FaultKind::ServerError { status: 502 } => "http502",
            FaultKind::ServerError { status: 503 } => "http503",
            FaultKind::ServerError { status: 504 } => "http504",
            FaultKind::ServerError { .. } => "http500",
            FaultKind::RateLimited { .. } => "http429",
            FaultKind::MalformedJson => "malformed",
            FaultKind::Truncated => "truncated",
            FaultKind::TruncatedChunked => "truncated-chunked",
            FaultKind::Oversized { .. } => "oversized",
            FaultKind::OversizedChunked { .. } => "oversized-chunked",
            FaultKind::Hang => "hang",
            FaultKind::CounterReset => "counter-reset",
            FaultKind::ClockSkew { .. } => "skew",
            FaultKind::WrongTypes => "wrong-types",
            FaultKind::NotModified => "not-modified",
            FaultKind::DropResponse(_) => "drop-response",
            FaultKind::Stall { .. } => "stall",
        }
    }

    /// Whether the fault only concerns control requests (and so only the marketplace).
    #[must_use]
    pub fn is_control_only(&self) -> bool {
        matches!(self, FaultKind::DropResponse(_) | FaultKind::Stall { .. })
    }

    /// Whether the fault hits control requests as well as reads.
    #[must_use]
    pub fn hits_control(&self) -> bool {
        self.is_control_only()
            || matches!(
                self,
                FaultKind::Latency { .. }
                    | FaultKind::ServerError { .. }
                    | FaultKind::RateLimited { .. }
                    | FaultKind::Hang
            )
    }

    /// Parses `KIND[:ARG]`.
    ///
    /// # Errors
    /// When the kind is unknown or its argument is not a number of the right kind.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, arg) = match text.split_once(':') {
            Some((name, arg)) => (name.trim(), Some(arg.trim())),
            None => (text.trim(), None),
        };
        let name = name.to_ascii_lowercase().replace('_', "-");
        let kind = match name.as_str() {
            "latency" => FaultKind::Latency {
                ms: number(arg, 1000, "milliseconds")?,
            },
            "http500" | "http502" | "http503" | "http504" => {
                no_arg(arg, &name)?;
                let status = name[4..]
                    .parse()
                    .map_err(|_| format!("bad status in `{name}`"))?;
                FaultKind::ServerError { status }
            }
            "http429" => FaultKind::RateLimited {
                retry_after_s: number(arg, 5, "seconds")?,
            },
            "malformed" => no_arg(arg, &name).map(|()| FaultKind::MalformedJson)?,
            "truncated" => no_arg(arg, &name).map(|()| FaultKind::Truncated)?,
            "truncated-chunked" => no_arg(arg, &name).map(|()| FaultKind::TruncatedChunked)?,
            "oversized" => FaultKind::Oversized {
                bytes: oversized_bytes(arg)?,
            },
            "oversized-chunked" => FaultKind::OversizedChunked {
                bytes: oversized_bytes(arg)?,
            },
            "hang" => no_arg(arg, &name).map(|()| FaultKind::Hang)?,
            "counter-reset" => no_arg(arg, &name).map(|()| FaultKind::CounterReset)?,
            "skew" | "clock-skew" => FaultKind::ClockSkew {
                seconds: skew_seconds(arg)?,
            },
            "wrong-types" => no_arg(arg, &name).map(|()| FaultKind::WrongTypes)?,
            "not-modified" | "http304" => no_arg(arg, &name).map(|()| FaultKind::NotModified)?,
            "drop-response" => FaultKind::DropResponse(drop_pattern(arg)?),
            "stall" => FaultKind::Stall {
                ms: number(arg, 5000, "milliseconds")?,
            },
            other => {
                return Err(format!(
                    "unknown kind `{other}`; known: latency, http500, http502, http503, http504, \
                     http429, malformed, truncated, truncated-chunked, oversized, \
                     oversized-chunked, hang, counter-reset, skew, wrong-types, not-modified, \
                     drop-response, stall"
                ));
            }
        };
        Ok(kind)
    }
}

fn number(arg: Option<&str>, default: u64, unit: &str) -> Result<u64, String> {
    match arg {
        None | Some("") => Ok(default),
        Some(a) => a
            .parse()
            .map_err(|_| format!("`{a}` is not a whole number of {unit}")),
    }
}

/// `oversized:N`: N MiB, from 1 to [`MAX_OVERSIZED_MIB`], in bytes.
fn oversized_bytes(arg: Option<&str>) -> Result<u64, String> {
    let mib = number(arg, DEFAULT_OVERSIZED_MIB, "MiB")?;
    if !(1..=MAX_OVERSIZED_MIB).contains(&mib) {
        return Err(format!(
            "oversized takes 1 to {MAX_OVERSIZED_MIB} MiB, got {mib} (the body is built in memory)"
        ));
    }
    Ok(mib * 1024 * 1024)
}

/// `skew:N`: seconds ahead (or behind, negative) of true time, within a year either way.
fn skew_seconds(arg: Option<&str>) -> Result<i64, String> {
    let seconds: i64 = match arg {
        None | Some("") => return Ok(300),
        Some(a) => a
            .trim_start_matches('+')
            .parse()
            .map_err(|_| format!("`{a}` is not a whole number of seconds (e.g. -120)"))?,
    };
    if seconds.unsigned_abs() > MAX_SKEW_S.unsigned_abs() {
        return Err(format!(
            "skew takes at most {MAX_SKEW_S} seconds (a year) either way, got {seconds}"
        ));
    }
    Ok(seconds)
}

fn no_arg(arg: Option<&str>, name: &str) -> Result<(), String> {
    match arg {
        None | Some("") => Ok(()),
        Some(a) => Err(format!("`{name}` takes no argument, got `{a}`")),
    }
}

fn drop_pattern(arg: Option<&str>) -> Result<DropPattern, String> {
    match arg {
        None | Some("") => Ok(DropPattern::EveryNth(1)),
        Some(a) if a.contains('.') => match a.parse::<f64>() {
            Ok(p) if p > 0.0 && p <= 1.0 => Ok(DropPattern::Probability(p)),
            _ => Err(format!("`{a}` is not a probability in (0, 1]")),
        },
        Some(a) => match a.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(DropPattern::EveryNth(n)),
            _ => Err(format!(
                "`{a}` is neither N >= 1 (every Nth request) nor a probability like 0.3"
            )),
        },
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            FaultKind::Latency { ms } | FaultKind::Stall { ms } => write!(f, ":{ms}"),
            FaultKind::RateLimited { retry_after_s } => write!(f, ":{retry_after_s}"),
            FaultKind::Oversized { bytes } | FaultKind::OversizedChunked { bytes } => {
                write!(f, ":{}", bytes / (1024 * 1024))
            }
            FaultKind::ClockSkew { seconds } => write!(f, ":{seconds:+}"),
            FaultKind::DropResponse(DropPattern::EveryNth(n)) => write!(f, ":{n}"),
            FaultKind::DropResponse(DropPattern::Probability(p)) => write!(f, ":{p:?}"),
            _ => Ok(()),
        }
    }
}

/// A fault on one feed: `FEED:KIND[:ARG]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// The feed that misbehaves.
    pub feed: FeedKind,
    /// How it misbehaves.
    pub kind: FaultKind,
}

impl FaultSpec {
    /// Checks that the fault can happen on its feed (control faults are marketplace-only).
    ///
    /// # Errors
    /// When a control-only fault is set on the fulfilment or pos feed.
    pub fn for_feed(feed: FeedKind, kind: FaultKind) -> Result<Self, String> {
        if kind.is_control_only() && feed != FeedKind::Marketplace {
            return Err(format!(
                "`{}` concerns control requests, which only the marketplace feed takes",
                kind.name()
            ));
        }
        Ok(FaultSpec { feed, kind })
    }
}

impl FromStr for FaultSpec {
    type Err = SimError;

    fn from_str(text: &str) -> Result<Self, SimError> {
        let invalid = |message: String| SimError::Fault {
            spec: text.to_owned(),
            message,
        };
        let (feed, kind) = text
            .split_once(':')
            .ok_or_else(|| invalid("no feed before the kind".to_owned()))?;
        let feed = parse_feed(feed).map_err(invalid)?;
        let kind = FaultKind::parse(kind).map_err(invalid)?;
        FaultSpec::for_feed(feed, kind).map_err(invalid)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.feed, self.kind)
    }
}

/// Reads a feed name as used in config sections and fault spellings.
///
/// # Errors
/// When the name is none of `marketplace`, `fulfilment` (or `fulfillment`), `pos`.
pub fn parse_feed(name: &str) -> Result<FeedKind, String> {
    match name.trim().to_ascii_lowercase().as_str() {
        "marketplace" | "drops" => Ok(FeedKind::Marketplace),
        "fulfilment" | "fulfillment" | "hubs" => Ok(FeedKind::Fulfilment),
        "pos" | "popups" => Ok(FeedKind::Pos),
        other => Err(format!(
            "unknown feed `{other}`; feeds are marketplace, fulfilment, pos"
        )),
    }
}

/// A fault that is on between two sim times (seconds from sim start; `until` exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledFault {
    /// The fault.
    pub spec: FaultSpec,
    /// Sim second it comes on.
    pub from_s: i64,
    /// Sim second it goes off; `None`: never.
    pub until_s: Option<i64>,
}

impl ScheduledFault {
    fn is_on(&self, t_s: i64) -> bool {
        t_s >= self.from_s && self.until_s.is_none_or(|until| t_s < until)
    }
}

/// The faults in force: scheduled ones from the scenario and flags, and ones set at run time.
#[derive(Debug, Default)]
pub struct FaultBoard {
    scheduled: Vec<ScheduledFault>,
    manual: Vec<FaultSpec>,
}

impl FaultBoard {
    /// A board with the scenario's and the command line's faults.
    #[must_use]
    pub fn new(scheduled: Vec<ScheduledFault>) -> Self {
        FaultBoard {
            scheduled,
            manual: Vec::new(),
        }
    }

    /// Turns a fault on until cleared, replacing one of the same kind on the same feed.
    pub fn set(&mut self, spec: FaultSpec) {
        self.manual
            .retain(|f| !(f.feed == spec.feed && f.kind.name() == spec.kind.name()));
        self.manual.push(spec);
    }

    /// Turns every fault off, scheduled ones included, so a person can end a demo of a fault.
    pub fn clear(&mut self) {
        self.scheduled.clear();
        self.manual.clear();
    }

    /// Turns off the faults of one feed.
    pub fn clear_feed(&mut self, feed: FeedKind) {
        self.scheduled.retain(|f| f.spec.feed != feed);
        self.manual.retain(|f| f.feed != feed);
    }

    /// The faults on `feed` at sim second `t_s`.
    #[must_use]
    pub fn active(&self, feed: FeedKind, t_s: i64) -> Vec<FaultKind> {
        self.all_active(t_s)
            .into_iter()
            .filter(|f| f.feed == feed)
            .map(|f| f.kind)
            .collect()
    }

    /// Every fault on at sim second `t_s`.
    #[must_use]
    pub fn all_active(&self, t_s: i64) -> Vec<FaultSpec> {
        self.scheduled
            .iter()
            .filter(|f| f.is_on(t_s))
            .map(|f| f.spec.clone())
            .chain(self.manual.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for text in [
            "marketplace:latency:800",
            "marketplace:http500",
            "fulfilment:http503",
            "pos:http429:7",
            "marketplace:malformed",
            "fulfilment:truncated",
            "fulfilment:truncated-chunked",
            "pos:oversized:9",
            "pos:oversized-chunked:10",
            "marketplace:hang",
            "fulfilment:counter-reset",
            "pos:skew:-120",
            "marketplace:wrong-types",
            "fulfilment:not-modified",
            "marketplace:drop-response:3",
            "marketplace:drop-response:0.25",
            "marketplace:stall:2500",
        ] {
            let spec: FaultSpec = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            let shown = spec.to_string();
            let again: FaultSpec = shown.parse().unwrap_or_else(|e| panic!("{shown}: {e}"));
            assert_eq!(spec, again, "{text}");
        }
    }

    #[test]
    fn bad_spellings_say_what_is_wrong() {
        for (text, needle) in [
            ("marketplace", "no feed"),
            ("warehouse:http500", "unknown feed"),
            ("marketplace:explode", "unknown kind"),
            ("marketplace:latency:soon", "whole number"),
            ("pos:stall:100", "only the marketplace"),
            ("marketplace:drop-response:1.5", "probability"),
            // Found in review: these overflowed (debug panic) or asked for a petabyte.
            (
                "marketplace:oversized:18446744073709551615",
                "oversized takes 1 to 1024 MiB, got 18446744073709551615",
            ),
            (
                "marketplace:oversized:17592186044416",
                "oversized takes 1 to 1024 MiB",
            ),
            (
                "marketplace:oversized-chunked:0",
                "oversized takes 1 to 1024 MiB, got 0",
            ),
            ("marketplace:oversized:-1", "not a whole number of MiB"),
            (
                "pos:skew:9223372036854775807",
                "skew takes at most 31622400 seconds (a year) either way",
            ),
            ("pos:skew:-9223372036854775808", "skew takes at most"),
            (
                "pos:skew:99999999999999999999",
                "not a whole number of seconds",
            ),
        ] {
            let err = text.parse::<FaultSpec>().err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains(needle)),
                "{text}: {err:?}"
            );
        }
    }

    #[test]
    fn scheduled_faults_are_on_only_in_their_window() {
        let spec: FaultSpec = "fulfilment:http503".parse().expect("valid");
        let board = FaultBoard::new(vec![ScheduledFault {
            spec,
            from_s: 60,
            until_s: Some(120),
        }]);
        assert!(board.active(FeedKind::Fulfilment, 59).is_empty());
        assert_eq!(board.active(FeedKind::Fulfilment, 60).len(), 1);
        assert!(board.active(FeedKind::Marketplace, 60).is_empty());
        assert!(board.active(FeedKind::Fulfilment, 120).is_empty());
    }
}
