//! One person's session once their shell has started: a task that feeds keys and sizes to their
//! room and draws it into the frame slot, and a writer that sends frames as fast as the client
//! reads them. Ending (the person leaves, idles out, their key is removed, or serve stops) always
//! sends the terminal back as it was — alternate screen left, cursor shown — then a goodbye line
//! and an exit status.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use russh::ChannelWriteHalf;
use russh::server::Msg;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::app::ColorMode;
use crate::ui::sgr::ColorFilter;

use super::frames::FrameSlot;
use super::input::KeyDecoder;
use super::keys::Role;
use super::room::{RoomControl, SessionRoom, TermSize};

/// What reaches a room from its client.
#[derive(Debug)]
pub(crate) enum ClientInput {
    Bytes(Vec<u8>),
    Resize(TermSize),
}

/// What reaches a room from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerNotice {
    RoleChanged(Role),
    End(SessionEnd),
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The person quit the room.
    Left,
    /// No key for `idle_timeout`.
    Idle,
    /// Their key left `authorized_keys`, or its `from=` no longer admits them.
    KeyRemoved,
    /// Serve is stopping (SIGTERM/SIGINT).
    ServerStopping,
    /// The client closed the channel or the connection: nothing more can be sent.
    ClientGone,
}

impl SessionEnd {
    /// The exit status `ssh` returns, and the line printed after the terminal is restored.
    #[must_use]
    pub fn farewell(self) -> Option<(u32, &'static str)> {
        match self {
            SessionEnd::Left => Some((0, "dropday: you left the room.")),
            SessionEnd::Idle => Some((0, "dropday: idle too long; goodbye. Reconnect any time.")),
            SessionEnd::KeyRemoved => Some((
                1,
                "dropday: your key was removed from the room's authorized keys.",
            )),
            SessionEnd::ServerStopping => Some((0, "dropday: the room is shutting down.")),
            SessionEnd::ClientGone => None,
        }
    }
}

/// Enter the alternate screen, hide the cursor, start from a clear screen.
const PRELUDE: &[u8] = b"\x1b[?1049h\x1b[?25l\x1b[0m\x1b[2J\x1b[H";
/// Reset attributes, clear the screen: what a whole frame starts with.
const CLEAR_SCREEN: &[u8] = b"\x1b[0m\x1b[2J";
/// Reset attributes, show the cursor, leave the alternate screen.
const RESTORE: &[u8] = b"\x1b[0m\x1b[?25h\x1b[?1049l";
/// A client that does not read gets this long for its goodbye before the channel is closed.
const FAREWELL_DEADLINE: Duration = Duration::from_secs(1);

pub(crate) struct RoomTask {
    pub room: Box<dyn SessionRoom>,
    pub size: TermSize,
    pub input: mpsc::Receiver<ClientInput>,
    pub notices: mpsc::UnboundedReceiver<ServerNotice>,
    pub board: watch::Receiver<u64>,
    pub stopping: watch::Receiver<bool>,
    pub slot: Arc<FrameSlot>,
    /// The client's colour profile: the frames' colour sequences are fitted to it.
    pub colour: ColorMode,
    pub idle_timeout: Duration,
    /// Redraw at least this often (clocks and countdowns move without board changes).
    pub redraw_every: Duration,
}

/// Where the terminal writes a frame's bytes; the room task takes them after each draw.
#[derive(Clone, Default)]
struct FrameBytes(Arc<Mutex<Vec<u8>>>);

impl FrameBytes {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Write for FrameBytes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type FrameTerminal = Terminal<CrosstermBackend<ColorFilter<FrameBytes>>>;

fn terminal_for(
    size: TermSize,
    bytes: FrameBytes,
    colour: ColorMode,
) -> std::io::Result<FrameTerminal> {
    Terminal::with_options(
        CrosstermBackend::new(ColorFilter::new(bytes, colour)),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, size.cols, size.rows)),
        },
    )
}

impl RoomTask {
    /// Runs the room until it ends; returns why.
    pub async fn run(mut self) -> SessionEnd {
        let bytes = FrameBytes::default();
        let mut terminal = match terminal_for(self.size, bytes.clone(), self.colour) {
            Ok(terminal) => terminal,
            Err(e) => {
                log::warn!("serve: cannot make a terminal for a session: {e}");
                return SessionEnd::ClientGone;
            }
        };
        let mut keys = KeyDecoder::default();
        let mut last_input = Instant::now();
        let mut tick = tokio::time::interval(self.redraw_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Every wake-up below changes what the room shows; latest-frame-wins bounds the cost.
            self.render(&mut terminal, &bytes);
            tokio::select! {
                input = self.input.recv() => {
                    let Some(input) = input else { return SessionEnd::ClientGone };
                    let mut next = Some(input);
                    // Take all that already arrived (a paste, a burst of resizes) before drawing.
                    while let Some(input) = next {
                        match input {
                            ClientInput::Bytes(bytes) => {
                                last_input = Instant::now();
                                for key in keys.feed(&bytes) {
                                    if self.room.on_key(key) == RoomControl::Leave {
                                        return SessionEnd::Left;
                                    }
                                }
                            }
                            ClientInput::Resize(size) => {
                                if size != self.size {
                                    self.size = size;
                                    self.room.on_resize(size);
                                }
                            }
                        }
                        next = self.input.try_recv().ok();
                    }
                }
                notice = self.notices.recv() => match notice {
                    Some(ServerNotice::RoleChanged(role)) => {
                        self.room.on_role_changed(role);
                    }
                    Some(ServerNotice::End(end)) => return end,
                    None => return SessionEnd::ServerStopping,
                },
                changed = self.board.changed() => {
                    if changed.is_err() {
                        return SessionEnd::ServerStopping;
                    }
                }
                () = stopped(&mut self.stopping) => return SessionEnd::ServerStopping,
                () = tokio::time::sleep_until(last_input + self.idle_timeout) => return SessionEnd::Idle,
                _ = tick.tick() => {}
            }
        }
    }

    fn render(&mut self, terminal: &mut FrameTerminal, bytes: &FrameBytes) {
        // A whole screen when the size changed, or when the waiting frame will be dropped for
        // this one (so this one must not build on it). A fresh terminal has nothing to diff
        // against; `Terminal::clear`/`resize` would ask the server's own tty for the cursor.
        let size = terminal.get_frame().area();
        if self.slot.has_untaken() || (size.width, size.height) != (self.size.cols, self.size.rows)
        {
            match terminal_for(self.size, bytes.clone(), self.colour) {
                Ok(fresh) => *terminal = fresh,
                Err(e) => {
                    log::warn!("serve: cannot make a terminal for a session: {e}");
                    return;
                }
            }
            bytes.take();
            let _ = bytes.clone().write_all(CLEAR_SCREEN);
        }
        let room = &mut self.room;
        if let Err(e) = terminal.draw(|frame| room.draw(frame)) {
            log::warn!("serve: drawing a session's frame failed: {e}");
            return;
        }
        let mut frame = bytes.take();
        if self.room.take_bell() {
            // After the frame: BEL never lands inside one of its sequences.
            frame.push(0x07);
        }
        if !frame.is_empty() {
            self.slot.offer(frame);
        }
    }
}

/// Resolves once `stopping` turns true (or its sender is gone).
pub(crate) async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stopping| *stopping).await;
}

/// Sends the prelude, then frames as the client takes them, until `end` arrives; then restores
/// the terminal, says goodbye, sets the exit status and closes the channel.
pub(crate) async fn write_frames(
    writer: ChannelWriteHalf<Msg>,
    slot: Arc<FrameSlot>,
    mut end: oneshot::Receiver<SessionEnd>,
) {
    let mut next = PRELUDE.to_vec();
    let end = loop {
        tokio::select! {
            biased;
            end = &mut end => break end.unwrap_or(SessionEnd::ClientGone),
            sent = writer.data_bytes(next) => {
                if sent.is_err() {
                    // The channel is gone; wait for the room to notice.
                    break (&mut end).await.unwrap_or(SessionEnd::ClientGone);
                }
            }
        }
        next = tokio::select! {
            biased;
            end = &mut end => break end.unwrap_or(SessionEnd::ClientGone),
            frame = slot.take() => frame,
        };
    };
    let Some((status, line)) = end.farewell() else {
        return;
    };
    let farewell = async {
        let mut bytes = RESTORE.to_vec();
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        writer.data_bytes(bytes).await?;
        writer.exit_status(status).await?;
        writer.eof().await?;
        writer.close().await
    };
    if tokio::time::timeout(FAREWELL_DEADLINE, farewell)
        .await
        .is_err()
    {
        // A client that does not read gets no goodbye; the channel still closes.
        let _ = tokio::time::timeout(FAREWELL_DEADLINE, writer.close()).await;
    }
}
