//! Alert delivery: the room's alerts leave it for the systems people are paged from.
//!
//! An edge around the core: [`transition::AlertWatch`] reads the alert book after each update
//! (the book already waited out pending times and clear delays) and turns what changed into
//! [`Notification`]s; [`deliver::Notifier`] queues them per sink and one task per sink sends
//! them. One file per sink builds its bodies: [`alertmanager`], [`pagerduty`], [`slack`],
//! [`webhook`]. Everything but the sending is pure and tested with a fixed clock.

pub mod alert_id;
pub mod alertmanager;
pub mod backoff;
pub mod deliver;
pub mod outgoing;
pub mod pagerduty;
pub mod policy;
pub mod queue;
pub mod settings;
pub mod slack;
pub mod test_alert;
pub mod transition;
pub mod webhook;

pub use alert_id::AlertId;
pub use deliver::{Notifier, NotifyError, NotifyStats, SinkStats};
pub use settings::{SinkKind, SinkSettings};
pub use transition::{AlertFacts, Change, Notification};
