//! Alerts: the rules over the board, and the book of alerts they raise — with Prometheus /
//! Alertmanager semantics: a pending time (`for`) before raising, a clear delay
//! (`keep_firing_for`), projection alerts graded on their interval, acknowledgements that
//! re-arm when things get worse.
//!
//! - [`kind`]: what an alert is about, how urgent.
//! - [`thresholds`]: the `[alerts]` configuration.
//! - [`rules`]: what holds on the board now ([`finding::Finding`]s).
//! - [`pending`], [`book`]: findings waiting out their pending time; alerts raised, cleared,
//!   acknowledged, silenced.

pub mod book;
pub mod delivery;
pub mod finding;
pub mod kind;
pub mod pending;
pub mod rules;
pub mod thresholds;

pub use book::{Alert, AlertBook, AlertChanges, LapsedPending, Mark, SeverityCounts};
pub use delivery::{Deliveries, DeliveryOutcome, DeliveryReport};
pub use finding::Finding;
pub use kind::{AlertKind, Severity};
pub use pending::PendingAlert;
pub use thresholds::{AlertThresholds, KindRule, KindSettings, Wait};

#[cfg(test)]
mod tests;
