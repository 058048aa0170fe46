//! dropday: a terminal control room for drop day.
//!
//! Layers, imports pointing only downwards: `feed` (wire types, HTTP client, polling) and `model`
//! (the pure core) at the bottom, `app` (the state machine) above them, `ui` (drawing) above that;
//! `sim` is the feed simulator and imports only the wire types; it is compiled only with the
//! default-on `sim` feature. tests/architecture.rs holds the layer table and keeps it.

// No unsafe anywhere in the library; Cargo.toml only denies it so test files can opt in.
#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod feed;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod record;
pub mod room;
pub mod serve;
#[cfg(feature = "sim")]
pub mod sim;
pub mod status;
pub mod stderr_log;
pub mod ui;
