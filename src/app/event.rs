//! Everything that can happen to the control room, as one enum: the only input of `update`.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::feed::events::{ControlReport, PollReport};

/// One thing that happened. Terminal input, the clock, the feeds and the control requests all
/// arrive as events on one path, so `update` sees them in the order they happened.
#[derive(Debug, Clone)]
pub enum Event {
    /// A key press.
    Key(KeyEvent),
    /// The terminal now has this many columns and rows.
    Resize(u16, u16),
    /// The local clock passed a whole second (drives countdowns); carries the local time.
    Tick(DateTime<Utc>),
    /// One poll of one feed finished.
    Poll(PollReport),
    /// One attempt of a control request finished.
    Control(ControlReport),
    /// What this person may do changed (a served session's role was changed on reload).
    Access(crate::app::state::Access),
    /// An acknowledgement, silence or control action read from a recording (`dropday replay`).
    Replayed(crate::app::replayed::Replayed),
    /// What became of one alert notification to one sink (`[[notify]]`).
    Delivery(crate::model::alerts::DeliveryReport),
    /// What came of an `Effect::Export`: the path written, or why not, in words.
    Exported(Result<String, String>),
    /// A signal (SIGTERM, SIGHUP, SIGINT) or the terminal going away: leave now.
    Shutdown(ShutdownReason),
}

/// Why the program is asked to stop from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownReason {
    /// SIGTERM, SIGHUP or SIGINT.
    Signal(&'static str),
    /// The terminal's input ended or failed (the window was closed, the SSH link dropped).
    TerminalGone,
}

/// Lets the feed pollers send their reports on the application's event channel.
impl From<PollReport> for Event {
    fn from(report: PollReport) -> Self {
        Event::Poll(report)
    }
}

/// Lets the control executor send its reports on the application's event channel.
impl From<ControlReport> for Event {
    fn from(report: ControlReport) -> Self {
        Event::Control(report)
    }
}

impl Event {
    /// The application event of a terminal event, `None` for those it ignores (mouse, focus,
    /// paste, key releases and repeats of the kitty protocol).
    // Takes the event as the terminal's stream yields it, like every other `Event` source.
    #[allow(clippy::needless_pass_by_value)]
    #[must_use]
    pub fn from_terminal(event: crossterm::event::Event) -> Option<Event> {
        use crossterm::event::{Event as Term, KeyEventKind};
        match event {
            Term::Key(key) if key.kind == KeyEventKind::Press => Some(Event::Key(key)),
            Term::Resize(width, height) => Some(Event::Resize(width, height)),
            _ => None,
        }
    }
}
