//! The runtime loop: waits for terminal input, the event channel and a one-second tick, feeds
//! each to `update`, hands the effects to the runner, and redraws when something changed.
//!
//! It is generic over the ratatui backend and the terminal-input stream, so a test runs the whole
//! program on a `TestBackend` with a scripted list of keys. Drawing is passed in (`ui::view`) so
//! this layer does not depend on the one above it.

use std::io;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::{Frame, Terminal};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::effect::{Effect, EffectRunner};
use super::event::{Event, ShutdownReason};
use super::state::{Room, State};

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The operator quit (`q`, `Ctrl-C`, `:q`).
    Quit,
    /// A signal asked the program to stop.
    Signal(&'static str),
    /// The terminal's input ended or failed.
    TerminalGone,
}

/// Drawing could not reach the terminal (for a real terminal: EIO once it is gone).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw on the terminal: {0}")]
pub struct DrawError(pub String);

/// What the loop needs besides the terminal and the state.
pub struct Sources<I> {
    /// Terminal input (crossterm's `EventStream` in the program, a scripted stream in tests).
    /// Its end or an error means the terminal is gone.
    pub input: I,
    /// Poll reports, control reports and signals, from the feed tasks and the signal forwarder.
    pub events: mpsc::Receiver<Event>,
    /// The local clock (`Utc::now` in the program, a fixed instant in tests).
    pub clock: fn() -> DateTime<Utc>,
}

/// Runs a one-person control room until it quits or the terminal goes away. `view` draws it.
///
/// # Errors
/// When drawing fails (the terminal is gone); the caller restores the terminal and exits.
pub async fn run<B, I, R, V>(
    terminal: &mut Terminal<B>,
    state: &mut Room,
    mut sources: Sources<I>,
    runner: &mut R,
    mut view: V,
) -> Result<Exit, DrawError>
where
    B: Backend,
    I: Stream<Item = io::Result<crossterm::event::Event>> + Unpin,
    R: EffectRunner,
    V: FnMut(&mut Frame, &State<'_>, DateTime<Utc>),
{
    let clock = sources.clock;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // After a stall (laptop lid, stopped process) one tick is enough, not a burst.
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut events_open = true;
    draw(terminal, state, &mut view, clock())?;
    loop {
        let mut exit = None;
        let mut resized = false;
        // Poll reports are drawn with the next tick, once a second: three feeds answering at
        // different moments would otherwise cost three frames a second, each one more burst
        // of output for a remote terminal. Keys, control reports and the tick draw at once.
        let mut redraw = true;
        tokio::select! {
            input = sources.input.next() => {
                let event = if let Some(Ok(raw)) = input {
                    Event::from_terminal(raw)
                } else {
                    // The terminal closed (SSH dropped, window closed): stop instead of spinning.
                    exit = Some(Exit::TerminalGone);
                    Some(Event::Shutdown(ShutdownReason::TerminalGone))
                };
                if let Some(event) = event {
                    resized = matches!(event, Event::Resize(..));
                    exit = exit.or(step(state, event, runner, clock()));
                }
            }
            received = sources.events.recv(), if events_open => {
                match received {
                    Some(event) => {
                        redraw = !matches!(event, Event::Poll(_));
                        exit = step(state, event, runner, clock());
                        // Drain what else is waiting, then draw once: the frame rate does not
                        // follow the rate at which reports arrive.
                        while exit.is_none() {
                            let Ok(event) = sources.events.try_recv() else { break };
                            redraw |= !matches!(event, Event::Poll(_));
                            exit = step(state, event, runner, clock());
                        }
                    }
                    None => events_open = false,
                }
            }
            _ = tick.tick() => {
                let now = clock();
                exit = step(state, Event::Tick(now), runner, now);
            }
        }
        if let Some(exit) = exit {
            return Ok(exit);
        }
        if resized {
            redraw_whole(terminal)?;
        }
        if redraw {
            draw(terminal, state, &mut view, clock())?;
        }
    }
}

/// After a resize the screen holds whatever the terminal made of the last frame (cut, wrapped
/// or reflowed), and ratatui only repaints what changed since the frame it last drew, and
/// clears only when the size differs from that frame's. When sizes come faster than frames
/// (a window dragged, a resize storm) the program can next draw at the very size it drew last,
/// and the screen would keep the terminal's leftovers. So every resize clears and the next
/// frame is drawn whole, at the size the terminal has now.
fn redraw_whole<B: Backend>(terminal: &mut Terminal<B>) -> Result<(), DrawError> {
    let size = terminal.size().map_err(|e| DrawError(e.to_string()))?;
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
        .map_err(|e| DrawError(e.to_string()))
}

/// One event through `update`, its effects to the runner; `Some` when the loop must end.
fn step<R: EffectRunner>(
    state: &mut Room,
    event: Event,
    runner: &mut R,
    now: DateTime<Utc>,
) -> Option<Exit> {
    let reason = match &event {
        Event::Shutdown(ShutdownReason::Signal(name)) => Some(Exit::Signal(name)),
        Event::Shutdown(ShutdownReason::TerminalGone) => Some(Exit::TerminalGone),
        _ => None,
    };
    let mut quit = false;
    for effect in state.update(event, now) {
        quit |= effect == Effect::Quit;
        runner.run(effect);
    }
    runner.after_update(&state.board, now);
    if quit || state.session.quitting() {
        Some(reason.unwrap_or(Exit::Quit))
    } else {
        None
    }
}

fn draw<B, V>(
    terminal: &mut Terminal<B>,
    state: &Room,
    view: &mut V,
    now: DateTime<Utc>,
) -> Result<(), DrawError>
where
    B: Backend,
    V: FnMut(&mut Frame, &State<'_>, DateTime<Utc>),
{
    terminal
        .draw(|frame| view(frame, &state.state(), now))
        .map(|_| ())
        .map_err(|e| DrawError(e.to_string()))
}
