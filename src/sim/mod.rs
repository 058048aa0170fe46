//! The feed simulator: serves the three feeds and the control endpoints from a scenario.
//!
//! It imports only the wire types (`crate::feed::wire`, [`crate::feed::FeedKind`]): it serves
//! the contract of `shared/FEEDS.md`, not the client's idea of it.
//!
//! - [`scenario`]: what is played (TOML, built in or from a file)
//! - [`world`]: the deterministic simulation, advanced by the [`SimClock`]
//! - [`faults`]: what can go wrong, per feed
//! - the server: feed documents with `ETag`, control actions with tokens and idempotency keys,
//!   and `/_sim/faults` to inject faults while a client runs
//!
//! Library entry point: [`start`] with [`SimOptions`] gives a [`RunningSim`]; the command line
//! uses [`cli::run`] with [`cli::SimArgs`].

mod admin;
mod auth;
pub mod cli;
mod clock;
mod control;
mod counter_reset;
mod documents;
mod error;
pub mod faults;
pub mod idempotency;
mod listener;
mod respond;
mod running;
pub mod scenario;
mod server;
mod state;
mod validate;
pub mod world;

pub use self::clock::{ClockMode, SimClock};
pub use self::error::SimError;
pub use self::faults::{DropPattern, FaultKind, FaultSpec};
pub use self::running::{RunningSim, SimOptions, start};
pub use self::scenario::{Scenario, ScenarioSource};
pub use self::state::{ControlAction, ControlRecord};
