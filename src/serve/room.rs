//! The seam between the SSH server and the control room: serve owns connections, terminals and
//! frames; a [`SessionRoom`] owns what one person sees. The app implements [`Rooms`] over the
//! shared board, opening one room per session.

use std::net::SocketAddr;

use crossterm::event::KeyEvent;
use ratatui::Frame;

use crate::app::ColorMode;

use super::keys::Role;

/// A terminal's size in cells, clamped to what a room can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermSize {
    /// Columns.
    pub cols: u16,
    /// Rows.
    pub rows: u16,
}

impl TermSize {
    /// What a client that says 0×0 ("unknown", RFC 4254 §6.2) gets.
    pub const FALLBACK: TermSize = TermSize { cols: 80, rows: 24 };
    /// Larger than any real screen; bounds each session's buffers (about 4 MB of cells).
    pub const MAX: TermSize = TermSize {
        cols: 1000,
        rows: 500,
    };

    /// From a pty request or window change: 0 means unknown, absurd sizes are cut down.
    #[must_use]
    pub fn clamped(cols: u32, rows: u32) -> Self {
        let fit = |value: u32, fallback: u16, max: u16| match value {
            0 => fallback,
            v => u16::try_from(v).unwrap_or(max).min(max),
        };
        TermSize {
            cols: fit(cols, Self::FALLBACK.cols, Self::MAX.cols),
            rows: fit(rows, Self::FALLBACK.rows, Self::MAX.rows),
        }
    }
}

/// Whether to draw with ASCII only: the client's locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`,
/// as POSIX orders them) is not UTF-8, or it sent `DROPDAY_ASCII=1`. No locale sent: UTF-8.
#[must_use]
pub fn wants_ascii(
    lc_all: Option<&str>,
    lc_ctype: Option<&str>,
    lang: Option<&str>,
    dropday_ascii: Option<&str>,
) -> bool {
    if dropday_ascii == Some("1") {
        return true;
    }
    let locale = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty());
    locale.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        !(l.contains("utf-8") || l.contains("utf8"))
    })
}

/// Who opened a session and how their terminal is, given to [`Rooms::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Unique for the life of the server process.
    pub id: u64,
    /// The login name given to `ssh` (`ssh maya@host`), kept for the audit log.
    pub ssh_user: String,
    /// The key's comment in `authorized_keys`: the person's name the room shows.
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// `SHA256:…` of the key that opened the session.
    pub key_fingerprint: String,
    /// Where the connection comes from, for the audit log.
    pub client_addr: SocketAddr,
    /// From the client's `TERM`, `COLORTERM` and `NO_COLOR`, by the rule the local room uses
    /// ([`ColorMode::resolve`]).
    pub colour: ColorMode,
    /// Plain ASCII: the client's locale is not UTF-8, or it sent `DROPDAY_ASCII=1`.
    pub ascii: bool,
    /// The client's `TZ` as sent, for displayed times; `None`: UTC.
    pub tz: Option<String>,
    /// The pty's size, clamped.
    pub size: TermSize,
}

/// What a room wants after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomControl {
    /// Keep the session.
    Stay,
    /// The person quit: the session ends with exit status 0.
    Leave,
}

/// One person's control room. Serve calls it from that session's own task only, and draws it
/// whenever it asks ([`SessionRoom::draw`]); the frames reach the client latest-frame-wins.
pub trait SessionRoom: Send {
    /// A key the person pressed (decoded from their terminal's bytes).
    fn on_key(&mut self, key: KeyEvent) -> RoomControl;
    /// The client's window changed (already clamped).
    fn on_resize(&mut self, size: TermSize);
    /// `authorized_keys` was reloaded with a different role for this person's key.
    fn on_role_changed(&mut self, role: Role);
    /// Draws the whole room into a frame of the session's size.
    fn draw(&mut self, frame: &mut Frame<'_>);
    /// Whether the person's terminal bell should ring now (a new alert at their `ui.bell`
    /// level); asked after each draw, answered once per ring.
    fn take_bell(&mut self) -> bool {
        false
    }
}

/// An `ssh host status [--json] [--check]` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusRequest {
    /// `--json`: the `status --json` document instead of the table.
    pub json: bool,
    /// `--check`: the exit status says the worst alert.
    pub check: bool,
}

/// The answer: what to print and the exit status (`--check`: 0 ok, 1 warning, 2 critical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusAnswer {
    /// What to print.
    pub text: String,
    /// The exec request's exit status.
    pub exit_status: u32,
}

/// What serve needs from the app: a room per session over the one shared board, and the status
/// report from that board (no new polling).
pub trait Rooms: Send + Sync + 'static {
    /// A room for a session that just opened.
    fn open(&self, info: &SessionInfo) -> Box<dyn SessionRoom>;
    /// The status report from the shared board, at once.
    fn status(&self, request: StatusRequest) -> StatusAnswer;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_clamped() {
        let cases = [
            ((80, 24), (80, 24)),
            ((0, 0), (80, 24)),
            ((0, 40), (80, 40)),
            ((1, 1), (1, 1)),
            ((100_000, 70_000), (1000, 500)),
            ((u32::MAX, u32::MAX), (1000, 500)),
            ((1000, 500), (1000, 500)),
        ];
        for ((cols, rows), (want_cols, want_rows)) in cases {
            assert_eq!(
                TermSize::clamped(cols, rows),
                TermSize {
                    cols: want_cols,
                    rows: want_rows
                },
                "{cols}×{rows}"
            );
        }
    }

    #[test]
    fn ascii_from_locale() {
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            bool,
        );
        let cases: &[Case<'_>] = &[
            (None, None, None, None, false),
            (None, None, Some("en_GB.UTF-8"), None, false),
            (None, None, Some("C"), None, true),
            (None, None, Some("de_DE.ISO-8859-1"), None, true),
            (Some("C"), None, Some("en_GB.UTF-8"), None, true),
            (Some("pt_BR.utf8"), None, Some("C"), None, false),
            (Some(""), Some("C.UTF-8"), Some("C"), None, false),
            (None, None, Some("en_GB.UTF-8"), Some("1"), true),
            (None, None, Some("en_GB.UTF-8"), Some("0"), false),
        ];
        for (lc_all, lc_ctype, lang, flag, expected) in cases {
            assert_eq!(
                wants_ascii(*lc_all, *lc_ctype, *lang, *flag),
                *expected,
                "{lc_all:?} {lc_ctype:?} {lang:?} {flag:?}"
            );
        }
    }
}
