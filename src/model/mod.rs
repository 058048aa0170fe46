//! The pure core: drops, hubs, pop-ups, rate windows, derived figures and alert rules.
//!
//! No I/O and no clock: every function that depends on time takes the instant as a parameter
//! (local time for feed health and alerts, server time — see [`board::Board::server_now`] — for
//! figures), so everything here is tested with fixed clocks.
//!
//! - [`board::Board`]: what the control room knows, fed by the poller.
//! - [`views`]: derived figures of one drop, hub or pop-up at an instant.
//! - [`alerts::AlertBook`]: alert rules and the alerts raised.
//! - [`report::Report`]: the `status --json` snapshot.
//! - [`popup_sales`]: a pop-up's sales rate and stock outlook.
//! - [`figures`], [`rate`], [`clock`], [`history`], [`health`], [`money`]: the pieces.

pub mod alerts;
pub mod board;
pub mod clock;
pub mod estimate;
pub mod figures;
pub mod format;
pub mod health;
pub mod history;
pub mod interval;
pub mod money;
pub mod popup_sales;
pub mod rate;
pub mod report;
pub mod steady;
pub mod views;

#[cfg(test)]
pub(crate) mod fixtures;
