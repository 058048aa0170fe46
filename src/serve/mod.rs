//! `dropday serve` over SSH: one process polls once and serves a control room per session to
//! the whole team. This folder is the SSH edge only — keys and roles, the host key, the `[serve]`
//! settings, sessions and their frames. What a room shows comes from the app through
//! [`room::Rooms`] and [`room::SessionRoom`]: one shared board, one room per session.

pub mod exec;
pub mod frames;
pub mod host_key;
pub mod input;
pub mod keys;
pub mod limiter;
pub mod room;
mod session;
pub mod settings;
pub mod ssh;

pub use room::{
    RoomControl, Rooms, SessionInfo, SessionRoom, StatusAnswer, StatusRequest, TermSize,
};
pub use session::SessionEnd;
pub use ssh::{
    ReloadSummary, RunningServe, ServeFigures, ServeSignals, ServeWatch, SessionSnapshot,
    StartError, start,
};
