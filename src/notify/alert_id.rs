//! The stable id of an alert: the same environment, kind and subject give the same id in every
//! process and every release, so a restarted dropday resolves what the last one raised and
//! PagerDuty keeps one incident per alert.

use std::fmt;

use crate::model::alerts::AlertKind;

/// 16 hex digits of FNV-1a (64 bit) over `environment`, `kind` and `subject`. Alertmanager's
/// fingerprints have the same shape; the webhook body uses it as the `fingerprint`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertId(String);

impl AlertId {
    /// The id of the alert of `kind` about `subject` in `environment`.
    #[must_use]
    pub fn new(environment: &str, kind: AlertKind, subject: &str) -> Self {
        // FNV-1a: tiny, fixed by its spec, and unlike `DefaultHasher` the same in every
        // build. A 0xff byte (never in UTF-8) keeps `a` + `bc` apart from `ab` + `c`.
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        for part in [environment, kind.as_str(), subject] {
            for &byte in part.as_bytes().iter().chain(&[0xff]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
        }
        AlertId(format!("{hash:016x}"))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_fixed_by_environment_kind_and_subject() {
        let id = AlertId::new("prod", AlertKind::OrdersOverdue, "ewr-1");
        // Pinned: a change here re-keys every open PagerDuty incident.
        assert_eq!(id.as_str(), "79e5c5244a2276f9");
        assert_eq!(id, AlertId::new("prod", AlertKind::OrdersOverdue, "ewr-1"));
        assert_ne!(
            id,
            AlertId::new("staging", AlertKind::OrdersOverdue, "ewr-1")
        );
        assert_ne!(id, AlertId::new("prod", AlertKind::SlaBreach, "ewr-1"));
        assert_ne!(id, AlertId::new("prod", AlertKind::OrdersOverdue, "ewr-2"));
        assert_ne!(
            AlertId::new("ab", AlertKind::FeedError, "c"),
            AlertId::new("a", AlertKind::FeedError, "bc")
        );
    }
}
