//! The state machine (The Elm Architecture): [`Event`]s in, a [`SharedBoard`] and a [`Session`]
//! changed only by [`update`], [`Effect`]s out; [`run`] drives one [`Room`] on any ratatui
//! backend. Every field of the board and the session is private to this module: the compiler
//! proves that nothing outside `app` changes them.

pub mod alerts;
pub mod audit;
pub mod board;
pub mod color;
pub mod command;
pub mod effect;
pub mod event;
pub mod filter;
pub mod ids;
pub mod keymap;
mod keys;
pub mod ledger;
pub mod operate;
pub mod overlay;
pub mod replayed;
pub mod rows;
mod run;
pub mod session;
pub mod state;
mod update;

pub use board::SharedBoard;
pub use color::ColorMode;
pub use effect::{Effect, EffectRunner};
pub use event::Event;
pub use run::{DrawError, Exit, Sources, run};
pub use session::Session;
pub use state::{Room, RoomConfig, State};
pub use update::{follow_board, update};
