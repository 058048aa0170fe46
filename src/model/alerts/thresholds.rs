//! Every configurable number of the alert rules: the `[alerts]` table of the config file, with a
//! `[alerts.kinds.<kind>]` table per kind for its pending time, clear delay, materiality and
//! runbook.

use std::collections::BTreeMap;
use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::kind::AlertKind;

/// A duration written as text in the config file (`"30s"`, `"5m"`, `"0s"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub TimeDelta);

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.to_std() {
            Ok(d) => write!(f, "{}", humantime::format_duration(d)),
            Err(_) => f.write_str("0s"),
        }
    }
}

impl Serialize for Wait {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Wait {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let std = humantime::parse_duration(&text).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration ({e}); write it like \"30s\" or \"5m\""
            ))
        })?;
        TimeDelta::from_std(std)
            .map(Wait)
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is too long")))
    }
}

/// `[alerts.kinds.<kind>]`: what the config file says about one kind; unset keys take the
/// kind's default ([`KindRule::default_for`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSettings {
    /// Pending time: raised only after the condition has held this long.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub pending: Option<Wait>,
    /// Clear delay: a firing alert clears only after its condition has been gone this long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_firing_for: Option<Wait>,
    /// Capacity alerts: an overage or shortfall of fewer units is immaterial (info at most).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_units: Option<u64>,
    /// Capacity alerts: … or one that costs less (minor units of the hub's currency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cost_minor: Option<i64>,
    /// A link or note for whoever is paged (shown with the alert).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
}

/// The settings of one kind, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindRule {
    /// Raised only after the condition has held this long (`for`).
    pub pending: TimeDelta,
    /// A firing alert clears only after its condition has been gone this long.
    pub keep_firing_for: TimeDelta,
    /// Capacity alerts: an overage or shortfall of fewer units is immaterial.
    pub min_units: u64,
    /// Capacity alerts: one that costs less (minor units of the hub's currency) is immaterial.
    pub min_cost_minor: i64,
    /// A link or note for whoever is paged, shown with the alert.
    pub runbook: Option<String>,
}

impl KindRule {
    /// Defaults. Projection alerts wait 30 s before they are raised (the rate behind them
    /// moves most in its first seconds; a confident one is still *reported* at once, as
    /// pending) and keep firing for one rate window (5 min) after their condition goes, so a
    /// figure hovering at a threshold gives one alert, not a stream. Facts the feed states
    /// (an overdue order, an offline terminal, a failed poll) are raised and cleared at once.
    /// A capacity overage or shortfall under 20 units is immaterial.
    #[must_use]
    pub fn default_for(kind: AlertKind) -> Self {
        let (pending, keep) = if kind.is_projection() {
            (TimeDelta::seconds(30), TimeDelta::minutes(5))
        } else {
            (TimeDelta::zero(), TimeDelta::zero())
        };
        Self {
            pending,
            keep_firing_for: keep,
            min_units: 20,
            min_cost_minor: 0,
            runbook: None,
        }
    }

    /// Whether an overage or shortfall of `units` costing `cost_minor` matters enough to
    /// warn or page about.
    #[must_use]
    pub fn is_material(&self, units: u64, cost_minor: i64) -> bool {
        units > 0 && units >= self.min_units && cost_minor >= self.min_cost_minor
    }
}

/// Every configurable number of the alert rules; the config file embeds it as `[alerts]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertThresholds {
    /// `sla_breach` needs at least this many orders counted in the on-time %.
    pub sla_min_orders: u64,
    /// `drop_opening` fires this many minutes before a scheduled drop opens.
    pub drop_opening_within_min: u32,
    /// `conversion_drop` fires when live conversion is below this share of the cumulative one.
    pub conversion_drop_ratio: f64,
    /// … and at least this many sessions arrived in the trailing window.
    pub conversion_min_window_sessions: u64,
    /// `feed_stale` fires after this many poll intervals without a successful poll.
    pub stale_after_intervals: u32,
    /// Cleared alerts stay listed this many minutes, then are forgotten.
    pub cleared_retention_min: u32,
    /// Deprecated and ignored: the fixed start-up gate of projection alerts, replaced by the
    /// rate's interval. Still accepted (with a warning) so existing configs keep starting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection_min_span_s: Option<u32>,
    /// A figure is settled (shown plainly) when its 90 % interval lies within ± this % of
    /// its point; otherwise it is shown as an estimate with its range.
    pub settled_within_pct: f64,
    /// An acknowledged alert re-arms when its figure grows past this factor of the value it
    /// was acknowledged at (or its severity rises).
    pub ack_rearm_factor: f64,
    /// Per kind: pending time, clear delay, materiality, runbook.
    pub kinds: BTreeMap<AlertKind, KindSettings>,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        Self {
            sla_min_orders: 20,
            drop_opening_within_min: 10,
            conversion_drop_ratio: 0.5,
            conversion_min_window_sessions: 200,
            stale_after_intervals: 3,
            cleared_retention_min: 10,
            projection_min_span_s: None,
            settled_within_pct: 25.0,
            ack_rearm_factor: 2.0,
            kinds: BTreeMap::new(),
        }
    }
}

impl AlertThresholds {
    /// The settings of `kind`: the config's `[alerts.kinds.<kind>]` over the defaults.
    #[must_use]
    pub fn rule(&self, kind: AlertKind) -> KindRule {
        let mut rule = KindRule::default_for(kind);
        if let Some(set) = self.kinds.get(&kind) {
            if let Some(Wait(w)) = set.pending {
                rule.pending = w;
            }
            if let Some(Wait(w)) = set.keep_firing_for {
                rule.keep_firing_for = w;
            }
            if let Some(u) = set.min_units {
                rule.min_units = u;
            }
            if let Some(c) = set.min_cost_minor {
                rule.min_cost_minor = c;
            }
            rule.runbook.clone_from(&set.runbook);
        }
        rule
    }

    /// Every kind raised and cleared at once (no pending time, no clear delay): what a test of
    /// a single evaluation wants.
    #[must_use]
    pub fn immediate() -> Self {
        let mut t = Self::default();
        for kind in AlertKind::ALL {
            t.kinds.insert(
                kind,
                KindSettings {
                    pending: Some(Wait(TimeDelta::zero())),
                    keep_firing_for: Some(Wait(TimeDelta::zero())),
                    ..KindSettings::default()
                },
            );
        }
        t
    }

    /// A warning for the log when the config uses a key that no longer has an effect.
    #[must_use]
    pub fn deprecation_warning(&self) -> Option<String> {
        self.projection_min_span_s.map(|s| {
            format!(
                "alerts.projection_min_span_s = {s} is deprecated and ignored: projection \
                 alerts now wait for a confident rate (its 90 % interval) and their \
                 [alerts.kinds.<kind>] `for` time instead; remove the key"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_from_toml() {
        let t: AlertThresholds = toml::from_str("sla_min_orders = 50").expect("partial table");
        assert_eq!(t.sla_min_orders, 50);
        assert_eq!(t.drop_opening_within_min, 10);
        let err = toml::from_str::<AlertThresholds>("sla_min_order = 50").expect_err("typo");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn kind_tables_override_the_defaults() {
        let t: AlertThresholds = toml::from_str(
            r#"
            ack_rearm_factor = 3.0
            projection_min_span_s = 60
            [kinds.capacity_exhaustion]
            for = "1m"
            keep_firing_for = "10m"
            min_units = 50
            min_cost_minor = 10000
            runbook = "https://wiki/hubs#overage"
            "#,
        )
        .expect("kinds");
        let rule = t.rule(AlertKind::CapacityExhaustion);
        assert_eq!(rule.pending, TimeDelta::minutes(1));
        assert_eq!(rule.keep_firing_for, TimeDelta::minutes(10));
        assert_eq!((rule.min_units, rule.min_cost_minor), (50, 10_000));
        assert_eq!(rule.runbook.as_deref(), Some("https://wiki/hubs#overage"));
        assert!(!rule.is_material(49, 1_000_000));
        assert!(!rule.is_material(60, 9_999));
        assert!(rule.is_material(60, 10_000));
        assert_eq!(t.rule(AlertKind::OrdersOverdue).pending, TimeDelta::zero());
        assert!(t.deprecation_warning().is_some());
        assert!(AlertThresholds::default().deprecation_warning().is_none());
        let err = toml::from_str::<AlertThresholds>("[kinds.capacity_exhaustion]\nfor = \"soon\"")
            .expect_err("bad duration");
        assert!(err.to_string().contains("not a duration"), "{err}");
        let err = toml::from_str::<AlertThresholds>("[kinds.capacity_exhaustio]\nfor = \"1m\"")
            .expect_err("bad kind");
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }
}
