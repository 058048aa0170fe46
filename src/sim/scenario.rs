//! Scenarios: the drops, hubs, pop-ups and faults a simulator run plays, read from TOML.
//!
//! Every time in a scenario is relative to the moment the simulator starts, written as a signed
//! duration: `"-20m"` (20 minutes before the start), `"+8m"`, `"1h30m"`, `"0"`. So a demo is always
//! "live now" whenever it is run. The world is simulated from `history` before the start, so
//! counters are already moving on the first poll.
//!
//! ```toml
//! [scenario]
//! name = "launch"                  # shown by the simulator
//! description = "…"
//! history = "30m"                  # simulate this long before the start (counters 0 then)
//! seed = 7                         # noise and drop-response probability are reproducible
//! noise = 0.08                     # ± share of random wobble on demand and sales (0 = smooth)
//!
//! [[drops]]
//! id = "hoodie-01"                 # required, unique
//! title = "…"                      # optional; also `sku`
//! opens = "-20m"                   # scheduled → live
//! closes = "1h40m"                 # live/paused → ended
//! currency = "USD"
//! allocated = 3000                 # units of stock; all sold → sold_out
//! active_band = "A"
//! margin_floor_pct = 55.0          # bands under it cannot be activated
//! cart_rate = 0.12                 # carts per session (≥ every band's conversion)
//! units_per_order = 1.1            # average units in an order (≥ 1)
//! order_prefix = "HD"              # optional; order ids are PREFIX-1001, …
//! demand = [{ at = "-20m", per_min = 300 }, { at = "6m", per_min = 2200 }]
//!                                  # sessions per minute, piecewise linear, flat past the ends
//! [[drops.bands]]
//! id = "A"
//! label = "launch"                 # optional
//! price_minor = 6500
//! unit_cost_minor = 2400
//! conversion = 0.035               # orders per session while this band is active
//!
//! [[hubs]]
//! id = "ewr-1"
//! name = "Newark micro-hub"
//! drop_ids = ["hoodie-01"]
//! share = 0.55                     # share of each listed drop's orders this hub takes
//! contracted_units = 900
//! min_commit_units = 400
//! window_start = "-30m"
//! window_end = "2h30m"             # units count as consumed only inside the window
//! currency = "USD"
//! overage_cost_minor = 900
//! unused_penalty_minor = 150
//! ship_within = "30m"              # SLA: an order is due this long after it is placed
//! target_pct = 95.0
//! pick_per_min = 30.0              # orders per minute through each stage
//! pack_per_min = 24.0
//! ship_per_min = 26.0
//! overdue_reasons = ["short_pick", "address_hold"]   # given to overdue orders in turn
//! carrier_outages = [{ from = "15m", until = "35m" }] # no shipping; packed orders wait for the carrier
//!
//! [[popups]]
//! id = "bk-1"
//! name = "Brooklyn pop-up"
//! drop_ids = ["hoodie-01"]
//! opens = "-1h"
//! closes = "5h"
//! currency = "USD"
//! price_minor = 6500               # per unit sold in person
//! units_per_sale = 1.2
//! on_hand = 180                    # stock at the pop-up
//! sales = [{ at = "-1h", per_min = 1.5 }]   # transactions per minute with every terminal online
//! pickups_per_min = 0.6            # online orders arriving to be collected
//! collect_per_min = 0.7            # collected while the pick-up terminal is online
//! pickup_due = "20m"               # a pick-up not collected within this is overdue
//! pickup_terminal = "T2"           # optional; collection needs this terminal online
//! [[popups.terminals]]
//! id = "T1"
//! name = "front till"
//! status = "online"                # online | offline | needs_attention
//! battery_pct = 81                 # optional, at the start
//! drain_pct_per_hour = 6.0         # optional
//! changes = [{ at = "10m", status = "offline" }, { at = "25m", status = "online" }]
//!
//! [[faults]]
//! feed = "fulfilment"              # marketplace | fulfilment | pos
//! kind = "http503"                 # KIND[:ARG] as in `--fault`, see `sim::faults`
//! from = "15m"
//! until = "16m"                    # optional: on until cleared
//! ```

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::feed::wire::TerminalStatus;

use super::error::SimError;
use super::faults::{FaultKind, FaultSpec, ScheduledFault, parse_feed};

/// The scenarios built into the binary, so `--scenario launch` works from any directory.
const BUILTIN: [(&str, &str); 4] = [
    ("launch", include_str!("../../assets/scenarios/launch.toml")),
    (
        "popup-day",
        include_str!("../../assets/scenarios/popup-day.toml"),
    ),
    ("quiet", include_str!("../../assets/scenarios/quiet.toml")),
    (
        "contract-edge",
        include_str!("../../assets/scenarios/contract-edge.toml"),
    ),
];

/// Names of the built-in scenarios.
#[must_use]
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(name, _)| *name).collect()
}

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSource {
    /// One of [`builtin_names`].
    Builtin(String),
    /// A TOML file.
    File(PathBuf),
    /// TOML text given directly (tests); the string names it in errors.
    Inline {
        /// What errors call it.
        origin: String,
        /// The scenario's TOML text.
        toml: String,
    },
}

impl ScenarioSource {
    /// Reads a `--scenario` value: a path when it has a `/` or ends in `.toml`, else a name.
    #[must_use]
    pub fn from_arg(arg: &str) -> Self {
        if arg.contains('/')
            || arg.contains('\\')
            || Path::new(arg)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"))
        {
            ScenarioSource::File(PathBuf::from(arg))
        } else {
            ScenarioSource::Builtin(arg.to_owned())
        }
    }

    /// Loads and validates the scenario.
    ///
    /// # Errors
    /// When the name is unknown, the file cannot be read, or the scenario is invalid.
    pub fn load(&self) -> Result<Scenario, SimError> {
        match self {
            ScenarioSource::Builtin(name) => {
                let (_, text) = BUILTIN.iter().find(|(n, _)| n == name).ok_or_else(|| {
                    SimError::UnknownScenario {
                        name: name.clone(),
                        available: builtin_names().join(", "),
                    }
                })?;
                Scenario::from_toml(text, &format!("`{name}` (built in)"))
            }
            ScenarioSource::File(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| SimError::ReadScenario {
                        path: path.clone(),
                        source,
                    })?;
                Scenario::from_toml(&text, &path_origin(path))
            }
            ScenarioSource::Inline { origin, toml } => Scenario::from_toml(toml, origin),
        }
    }
}

fn path_origin(path: &Path) -> String {
    path.display().to_string()
}

/// A signed time relative to the simulator's start, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Offset(pub i64);

impl Offset {
    /// Reads `"-20m"`, `"+1h30m"`, `"90s"`, `"0"`.
    ///
    /// # Errors
    /// When the text is not a signed duration.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (sign, rest) = match trimmed.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        if rest.trim() == "0" {
            return Ok(Offset(0));
        }
        let duration = humantime::parse_duration(rest.trim()).map_err(|e| {
            format!("`{text}` is not a time offset ({e}); write e.g. \"-20m\", \"+1h30m\", \"0\"")
        })?;
        let secs = i64::try_from(duration.as_secs()).map_err(|_| format!("`{text}` is too far"))?;
        Ok(Offset(sign * secs))
    }

    /// Seconds from the simulator's start.
    #[must_use]
    pub fn secs(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:+}s", self.0)
    }
}

impl<'de> Deserialize<'de> for Offset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Offset::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One point of a piecewise-linear rate curve.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatePoint {
    /// Sim time of the point.
    pub at: Offset,
    /// Events per minute at `at`.
    pub per_min: f64,
}

/// A stretch of sim time, `until` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// First sim time inside.
    pub from: Offset,
    /// First sim time after it.
    pub until: Offset,
}

impl Window {
    /// Whether sim second `t` is inside.
    #[must_use]
    pub fn contains(&self, t: i64) -> bool {
        t >= self.from.0 && t < self.until.0
    }
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Shown by the simulator.
    pub name: String,
    /// One line on what the scenario plays.
    pub description: String,
    /// Seconds before the start the world begins, counters at 0.
    pub history_s: i64,
    /// Seed of the noise and of drop-response faults: a run is reproducible.
    pub seed: u64,
    /// ± share of wobble on demand and sales.
    pub noise: f64,
    /// The drops served on the marketplace feed.
    pub drops: Vec<DropSpec>,
    /// The hubs served on the fulfilment feed.
    pub hubs: Vec<HubSpec>,
    /// The pop-ups served on the point-of-sale feed.
    pub popups: Vec<PopupSpec>,
    /// Faults switched on and off by sim time.
    pub faults: Vec<ScheduledFault>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    scenario: Header,
    #[serde(default)]
    drops: Vec<DropSpec>,
    #[serde(default)]
    hubs: Vec<HubSpec>,
    #[serde(default)]
    popups: Vec<PopupSpec>,
    #[serde(default)]
    faults: Vec<FaultEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    #[serde(default)]
    description: String,
    history: Offset,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    noise: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultEntry {
    feed: String,
    kind: String,
    from: Offset,
    #[serde(default)]
    until: Option<Offset>,
}

/// A drop as the scenario describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropSpec {
    /// Unique drop id.
    pub id: String,
    /// Display title.
    #[serde(default)]
    pub title: Option<String>,
    /// Stock-keeping unit.
    #[serde(default)]
    pub sku: Option<String>,
    /// When it goes from scheduled to live.
    pub opens: Offset,
    /// When it ends.
    pub closes: Offset,
    /// ISO 4217 code of its amounts.
    pub currency: String,
    /// Units of stock; all sold makes it `sold_out`.
    pub allocated: u64,
    /// Its price bands.
    pub bands: Vec<BandSpec>,
    /// The band active at the start.
    pub active_band: String,
    /// Bands under this margin (percent) cannot be activated.
    pub margin_floor_pct: f64,
    /// Carts per session (at least every band's conversion).
    pub cart_rate: f64,
    /// Average units in an order (at least 1).
    #[serde(default = "one")]
    pub units_per_order: f64,
    /// Order ids are `PREFIX-1001`, …
    #[serde(default)]
    pub order_prefix: Option<String>,
    /// Sessions per minute.
    pub demand: Vec<RatePoint>,
}

/// A price band and how well it converts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// Band id, unique within the drop.
    pub id: String,
    /// Human name of the band.
    #[serde(default)]
    pub label: Option<String>,
    /// Price per unit, in minor units.
    pub price_minor: i64,
    /// Cost per unit, in minor units.
    pub unit_cost_minor: i64,
    /// Orders per session while the band is active.
    pub conversion: f64,
}

impl BandSpec {
    /// `(price - unit cost) / price × 100`, as the protocol defines it.
    #[must_use]
    pub fn margin_pct(&self) -> f64 {
        if self.price_minor == 0 {
            return f64::NEG_INFINITY;
        }
        (self.price_minor - self.unit_cost_minor) as f64 / self.price_minor as f64 * 100.0
    }
}

/// A fulfilment hub as the scenario describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubSpec {
    /// Unique hub id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Drops whose orders it fulfils.
    pub drop_ids: Vec<String>,
    /// Share of each listed drop's orders the hub takes, 0..=1.
    pub share: f64,
    /// Units paid for in advance.
    pub contracted_units: u64,
    /// Units paid for at window end even when unused.
    pub min_commit_units: u64,
    /// Start of the contracted window.
    pub window_start: Offset,
    /// End of the contracted window.
    pub window_end: Offset,
    /// ISO 4217 code of its prices.
    pub currency: String,
    /// Cost of each unit over the contract, in minor units.
    pub overage_cost_minor: i64,
    /// Penalty for each unit short of the minimum commitment, in minor units.
    pub unused_penalty_minor: i64,
    /// SLA: due this long after placement.
    pub ship_within: Offset,
    /// Share of orders, in percent, that must ship on time.
    pub target_pct: f64,
    /// Orders per minute through picking.
    pub pick_per_min: f64,
    /// Orders per minute through packing.
    pub pack_per_min: f64,
    /// Orders per minute shipped.
    pub ship_per_min: f64,
    /// Reasons given to overdue orders in turn.
    #[serde(default)]
    pub overdue_reasons: Vec<String>,
    /// Stretches with no shipping: packed orders wait for the carrier.
    #[serde(default)]
    pub carrier_outages: Vec<Window>,
}

/// A pop-up as the scenario describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopupSpec {
    /// Unique pop-up id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Drops it sells.
    pub drop_ids: Vec<String>,
    /// When it opens.
    pub opens: Offset,
    /// When it closes.
    pub closes: Offset,
    /// ISO 4217 code of its amounts.
    pub currency: String,
    /// Price of a unit, in minor units.
    pub price_minor: i64,
    /// Average units in a sale (at least 1).
    #[serde(default = "one")]
    pub units_per_sale: f64,
    /// Units on hand at the start of the world.
    pub on_hand: u64,
    /// Transactions per minute with every terminal online.
    pub sales: Vec<RatePoint>,
    /// Online orders per minute arriving to be collected.
    #[serde(default)]
    pub pickups_per_min: f64,
    /// Pick-ups per minute collected while the pick-up terminal is online.
    #[serde(default)]
    pub collect_per_min: f64,
    /// A pick-up not collected within this is overdue.
    #[serde(default = "default_pickup_due")]
    pub pickup_due: Offset,
    /// Collection needs this terminal online.
    #[serde(default)]
    pub pickup_terminal: Option<String>,
    /// Its point-of-sale terminals.
    pub terminals: Vec<TerminalSpec>,
}

/// A point-of-sale terminal and its status over time.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalSpec {
    /// Terminal id, unique within the pop-up.
    pub id: String,
    /// What the staff call it.
    pub name: String,
    /// Status at the start.
    pub status: TerminalStatus,
    /// Battery charge at the start, when it reports one.
    #[serde(default)]
    pub battery_pct: Option<u8>,
    /// Battery percentage points lost per hour.
    #[serde(default)]
    pub drain_pct_per_hour: f64,
    /// Status changes over time.
    #[serde(default)]
    pub changes: Vec<StatusChange>,
}

/// A terminal's status from `at` on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// Sim time of the change.
    pub at: Offset,
    /// Status from then on.
    pub status: TerminalStatus,
}

fn one() -> f64 {
    1.0
}

fn default_pickup_due() -> Offset {
    Offset(30 * 60)
}

impl Scenario {
    /// Parses and validates a scenario; `origin` names it in errors (file path or name).
    ///
    /// # Errors
    /// When the TOML does not parse, has unknown keys, or a value makes no sense.
    pub fn from_toml(text: &str, origin: &str) -> Result<Scenario, SimError> {
        let file: ScenarioFile = toml::from_str(text).map_err(|e| SimError::ParseScenario {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let mut faults = Vec::with_capacity(file.faults.len());
        for (i, entry) in file.faults.iter().enumerate() {
            faults.push(
                fault(entry).map_err(|(field, message)| SimError::InvalidScenario {
                    origin: origin.to_owned(),
                    key: format!("faults[{i}].{field}"),
                    message,
                })?,
            );
        }
        let scenario = Scenario {
            name: file.scenario.name,
            description: file.scenario.description,
            history_s: file.scenario.history.0.abs(),
            seed: file.scenario.seed,
            noise: file.scenario.noise,
            drops: file.drops,
            hubs: file.hubs,
            popups: file.popups,
            faults,
        };
        super::validate::check(&scenario).map_err(|(key, message)| SimError::InvalidScenario {
            origin: origin.to_owned(),
            key,
            message,
        })?;
        Ok(scenario)
    }
}

fn fault(entry: &FaultEntry) -> Result<ScheduledFault, (&'static str, String)> {
    let feed = parse_feed(&entry.feed).map_err(|e| ("feed", e))?;
    let kind = FaultKind::parse(&entry.kind).map_err(|e| ("kind", e))?;
    let spec = FaultSpec::for_feed(feed, kind).map_err(|e| ("kind", e))?;
    if let Some(until) = entry.until
        && until <= entry.from
    {
        return Err(("until", format!("must be after `from` ({})", entry.from)));
    }
    Ok(ScheduledFault {
        spec,
        from_s: entry.from.0,
        until_s: entry.until.map(|u| u.0),
    })
}

/// Ids that must be unique in one list.
pub(crate) fn duplicate<'a>(ids: impl Iterator<Item = &'a str>) -> Option<(usize, &'a str)> {
    let mut seen = HashSet::new();
    ids.enumerate().find(|(_, id)| !seen.insert(*id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_signed_durations() {
        for (text, secs) in [
            ("-20m", -1200),
            ("+8m", 480),
            ("1h30m", 5400),
            ("0", 0),
            ("-0", 0),
            ("90s", 90),
        ] {
            assert_eq!(Offset::parse(text), Ok(Offset(secs)), "{text}");
        }
        assert!(Offset::parse("soon").is_err());
    }

    #[test]
    fn every_builtin_scenario_is_valid() {
        for name in builtin_names() {
            let scenario = ScenarioSource::Builtin(name.to_owned()).load();
            assert!(scenario.is_ok(), "{name}: {scenario:?}");
        }
    }

    #[test]
    fn source_from_arg_tells_paths_from_names() {
        assert_eq!(
            ScenarioSource::from_arg("launch"),
            ScenarioSource::Builtin("launch".to_owned())
        );
        assert!(matches!(
            ScenarioSource::from_arg("x/y.toml"),
            ScenarioSource::File(_)
        ));
        let err = ScenarioSource::from_arg("nope")
            .load()
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("launch, popup-day, quiet")));
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let toml = "[scenario]\nname = \"x\"\nhistory = \"10m\"\ncolour = \"red\"\n";
        let err = Scenario::from_toml(toml, "t.toml")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("t.toml") && e.contains("colour")),
            "{err:?}"
        );
    }

    #[test]
    fn bad_fault_names_its_key() {
        let toml = "[scenario]\nname = \"x\"\nhistory = \"10m\"\n\
                    [[faults]]\nfeed = \"pos\"\nkind = \"explode\"\nfrom = \"1m\"\n";
        let err = Scenario::from_toml(toml, "t.toml")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("faults[0].kind")));
    }
}
