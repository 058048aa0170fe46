//! The state machine (The Elm Architecture): [`Event`]s in, [`State`] changed only by
//! [`update`], [`Effect`]s out; [`run`] drives it on any ratatui backend.

pub mod alerts;
pub mod audit;
pub mod color;
pub mod command;
pub mod effect;
pub mod event;
pub mod filter;
pub mod keymap;
mod keys;
pub mod ledger;
pub mod operate;
pub mod overlay;
pub mod rows;
mod run;
pub mod state;
mod update;

pub use color::ColorMode;
pub use effect::{Effect, EffectRunner};
pub use event::Event;
pub use run::{DrawError, Exit, Sources, run};
pub use state::{State, StateConfig};
pub use update::update;
