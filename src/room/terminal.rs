//! The real terminal's lifecycle: raw mode and the alternate screen on the way in, and the
//! terminal given back on every way out — normal exit, error, panic, SIGTERM/SIGHUP/SIGINT.
//!
//! An operator whose shell is left in raw mode after a crash at the worst moment of a drop has
//! two problems instead of one; hence the guard, the panic hook, and the signal forwarder.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::{self, ColorMode, Event, event::ShutdownReason};
use crate::ui::sgr::ColorFilter;

/// The terminal the program draws on; its colour sequences fitted to the session's profile
/// (crossterm writes even the 16 named colours as 256-colour sequences).
pub type Screen = Terminal<CrosstermBackend<ColorFilter<Stdout>>>;

/// Whether the terminal is currently in raw mode on the alternate screen; restoring twice (guard
/// drop after a panic hook already restored) must not emit escape codes into the shell.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Restores the terminal when dropped, so every exit path (including `?`) gives it back.
#[derive(Debug)]
pub struct TerminalGuard {
    _private: (),
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode and the alternate screen, installs the panic hook, and returns the terminal
/// (drawing in colour profile `color`) with a guard that restores it when dropped.
///
/// # Errors
/// When stdout is not a terminal or the terminal refuses raw mode; the terminal is restored
/// before the error is returned.
pub fn enter(color: ColorMode) -> io::Result<(Screen, TerminalGuard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = TerminalGuard { _private: () };
    execute!(io::stdout(), EnterAlternateScreen)?;
    let terminal = Terminal::new(CrosstermBackend::new(ColorFilter::new(io::stdout(), color)))?;
    Ok((terminal, guard))
}

/// Leaves the alternate screen and raw mode and shows the cursor. Safe to call any number of
/// times and from a panic hook; errors are ignored because there is nothing left to tell them on.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    }
}

/// A panic hook that restores the terminal first, then runs the hook that was there before (so
/// the panic message lands on a normal screen, and color-eyre's report still happens).
fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Forwards SIGTERM, SIGHUP and SIGINT as [`Event::Shutdown`] on the event channel, so the loop
/// restores the terminal and ends the normal way. (In raw mode Ctrl-C is a key, not SIGINT; the
/// signal only arrives from `kill`.) A second signal, or one after the loop has ended, leaves at
/// once with status 1, the terminal restored: once tokio handles a signal its default action is
/// gone, so a room stuck on its way out could otherwise be stopped only by SIGKILL (seen once
/// in 180 demo runs whose tmux session was killed).
///
/// # Errors
/// When a signal handler cannot be registered.
pub fn spawn_signal_forwarder(
    events: mpsc::Sender<Event>,
) -> io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = hup.recv() => "SIGHUP",
            _ = int.recv() => "SIGINT",
        };
        log::warn!("{name} received: leaving");
        let told = events
            .send(Event::Shutdown(ShutdownReason::Signal(name)))
            .await
            .is_ok();
        // The loop has ended already (the room is on its way out): nobody is left to tell,
        // so the signal does what it would have done. Else the loop leaves the normal way,
        // unless a second signal comes first.
        let name = if told {
            tokio::select! {
                _ = term.recv() => "SIGTERM again",
                _ = hup.recv() => "SIGHUP again",
                _ = int.recv() => "SIGINT again",
            }
        } else {
            name
        };
        restore();
        // stderr may be the terminal that went away: a failed write is not worth a panic.
        let _ = writeln!(io::stderr(), "dropday: {name}: leaving now");
        std::process::exit(1);
    }))
}

/// Why the program could not run on the terminal.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// Raw mode or the alternate screen could not be entered.
    #[error("cannot set up the terminal (is stdout a terminal?): {0}")]
    Setup(#[from] io::Error),
    /// Drawing a frame failed (the terminal went away mid-run).
    #[error(transparent)]
    Draw(#[from] app::DrawError),
}

/// The whole interactive session on the real terminal: raw mode and the alternate screen, the
/// signal forwarder, crossterm's event stream, the loop, and the terminal restored afterwards
/// whatever happened. `signals` is a sender of the same channel as `events`.
///
/// # Errors
/// When the terminal cannot be set up or drawing fails (the terminal went away).
pub async fn run_in_terminal<R, V>(
    state: &mut app::Room,
    events: mpsc::Receiver<Event>,
    signals: mpsc::Sender<Event>,
    runner: &mut R,
    view: V,
) -> Result<app::Exit, TerminalError>
where
    R: app::EffectRunner,
    V: FnMut(&mut ratatui::Frame, &app::State<'_>, chrono::DateTime<chrono::Utc>),
{
    let (mut terminal, guard) = enter(state.session.color())?;
    let forwarder = spawn_signal_forwarder(signals)?;
    // The size is an event like any other, so `update` stays the only writer of the session.
    if let Ok(size) = terminal.size() {
        let effects = state.update(Event::Resize(size.width, size.height), chrono::Utc::now());
        for effect in effects {
            runner.run(effect);
        }
    }
    let sources = app::Sources {
        input: crossterm::event::EventStream::new(),
        events,
        clock: chrono::Utc::now,
    };
    let result = app::run(&mut terminal, state, sources, runner, view).await;
    // The forwarder stays: a signal from here on ends the process (see above).
    drop(forwarder);
    drop(guard);
    // ratatui's `Terminal` shows the cursor when dropped and `eprintln!`s if it cannot. After a
    // hang-up (the SSH link dropped) stderr is the dead terminal too, so that `eprintln!` would
    // panic on the way out and turn a clean exit into status 101. The guard has shown the
    // cursor already; when showing it fails here the terminal is gone, and the drop would have
    // nothing left to do but that panic.
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
    Ok(result?)
}
