//! A served room to test serve's SSH edge with: a real server on a loopback port, keys made by
//! `ssh-keygen`, the real OpenSSH client, and a small real room (ratatui) that draws who is
//! connected, their role and size, the last key and the board's version — a test fixture for
//! the `SessionRoom` seam, not the product's room.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use dropday::serve::keys::Role;
use dropday::serve::settings::SshSettings;
use dropday::serve::{
    RoomControl, Rooms, RunningServe, SessionInfo, SessionRoom, StatusAnswer, StatusRequest,
    TermSize,
};
use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// The JSON the fixture's status report gives, as a board's report would.
pub const STATUS_JSON: &str = r#"{"overall":"warning","feeds":{"marketplace":"ok"}}"#;

/// Draws the session's facts; with `fill`, covers the rest of the screen with a character that
/// changes with every board version, so every frame rewrites the whole screen.
pub struct FixtureRoom {
    info: SessionInfo,
    last_key: String,
    board: Arc<AtomicU64>,
    fill: bool,
}

impl SessionRoom for FixtureRoom {
    fn on_key(&mut self, key: KeyEvent) -> RoomControl {
        if key.code == KeyCode::Char('q') {
            return RoomControl::Leave;
        }
        self.last_key = format!("{}", key.code);
        RoomControl::Stay
    }

    fn on_resize(&mut self, size: TermSize) {
        self.info.size = size;
    }

    fn on_role_changed(&mut self, role: Role) {
        self.info.role = role;
    }

    fn draw(&mut self, frame: &mut Frame<'_>) {
        let area = frame.area();
        let version = self.board.load(Ordering::SeqCst);
        let info = &self.info;
        let mut lines = vec![
            Line::from(format!("person: {} [{}]", info.name, info.role.tag())),
            Line::from(format!("role: {}", info.role)),
            Line::from(format!(
                "size: {}x{} area: {}x{}",
                info.size.cols, info.size.rows, area.width, area.height
            )),
            Line::from(format!("last key: {}", self.last_key)),
            Line::from(format!("board: {version}")),
            Line::from(format!(
                "colour: {:?} ascii: {} tz: {}",
                info.colour,
                info.ascii,
                info.tz.as_deref().unwrap_or("-")
            )),
        ];
        if self.fill {
            let c = char::from(b'a' + u8::try_from(version % 26).unwrap_or(0));
            let row: String = std::iter::repeat_n(c, usize::from(area.width)).collect();
            while lines.len() < usize::from(area.height) {
                lines.push(Line::from(row.clone()));
            }
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// Opens a [`FixtureRoom`] per session; `board` is the shared board's version.
pub struct FixtureRooms {
    pub board: Arc<AtomicU64>,
    pub fill: bool,
}

impl Rooms for FixtureRooms {
    fn open(&self, info: &SessionInfo) -> Box<dyn SessionRoom> {
        Box::new(FixtureRoom {
            info: info.clone(),
            last_key: "-".into(),
            board: self.board.clone(),
            fill: self.fill,
        })
    }

    fn status(&self, request: StatusRequest) -> StatusAnswer {
        let text = if request.json {
            STATUS_JSON.to_owned()
        } else {
            "overall: warning\nmarketplace: ok".to_owned()
        };
        StatusAnswer {
            text,
            exit_status: u32::from(request.check),
        }
    }
}

/// A served room in a temp dir: keys for `maya` (viewer), `ravi` (operator) and `stranger`
/// (not authorized), the server on 127.0.0.1 and its own runtime.
pub struct Served {
    pub dir: tempfile::TempDir,
    pub runtime: tokio::runtime::Runtime,
    pub serve: Option<RunningServe>,
    pub addr: SocketAddr,
    pub board: Arc<AtomicU64>,
}

pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("id_{name}"));
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen runs (openssh-client installed?)");
    assert!(status.success());
    path
}

pub fn public_key(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("id_{name}.pub")))
        .unwrap()
        .trim()
        .to_owned()
}

impl Served {
    /// Starts serving with `idle_timeout`; `fill` makes every frame a whole-screen change.
    pub fn start(idle_timeout: Duration, fill: bool, redraw_every: Duration) -> Self {
        Self::start_with_keepalive(idle_timeout, fill, redraw_every, Duration::from_secs(15))
    }

    /// As [`Served::start`], with the keepalive interval (3 missed end a connection).
    pub fn start_with_keepalive(
        idle_timeout: Duration,
        fill: bool,
        redraw_every: Duration,
        keepalive: Duration,
    ) -> Self {
        // serve's log lines show with a failing test's output.
        dropday::stderr_log::init(log::Level::Debug);
        let dir = tempfile::tempdir().unwrap();
        for name in ["maya", "ravi", "stranger"] {
            keygen(dir.path(), name);
        }
        let served_keys = format!(
            "# the team\n{}\nrole=\"operator\" {}\n",
            public_key(dir.path(), "maya"),
            public_key(dir.path(), "ravi")
        );
        std::fs::write(dir.path().join("authorized_keys"), served_keys).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let host_key =
            dropday::serve::host_key::load_or_create(&dir.path().join("state/host_key")).unwrap();
        let settings = SshSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            host_key: dir.path().join("state/host_key"),
            authorized_keys: dir.path().join("authorized_keys"),
            max_sessions: NonZeroUsize::new(64).unwrap(),
            idle_timeout,
            keepalive,
            keepalive_max: 3,
            export_dir: None,
        };
        let board = Arc::new(AtomicU64::new(0));
        let rooms = Arc::new(FixtureRooms {
            board: board.clone(),
            fill,
        });
        let serve = runtime
            .block_on(dropday::serve::start(
                settings,
                host_key,
                rooms,
                redraw_every,
            ))
            .unwrap();
        let addr = serve.local_addr();
        Served {
            dir,
            runtime,
            serve: Some(serve),
            addr,
            board,
        }
    }

    pub fn serve(&self) -> &RunningServe {
        self.serve.as_ref().unwrap()
    }

    pub fn key(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("id_{name}"))
    }

    /// The board changed: the version moves and every room draws again.
    pub fn bump_board(&self) {
        self.board.fetch_add(1, Ordering::SeqCst);
        self.serve().board_changed();
    }

    /// OpenSSH client arguments for `name`'s key, before the destination.
    pub fn ssh_args(&self, name: &str, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = [
            "-F",
            "/dev/null",
            "-p",
            &self.addr.port().to_string(),
            "-i",
            &self.key(name).display().to_string(),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            &format!(
                "UserKnownHostsFile={}",
                self.dir.path().join("known_hosts").display()
            ),
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            "LogLevel=ERROR",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        args.extend(extra.iter().map(ToString::to_string));
        args.push(format!("{name}@127.0.0.1"));
        args
    }

    /// Runs `ssh` without a terminal: `ssh … name@host command…`.
    pub fn ssh_exec(&self, name: &str, extra: &[&str], command: &[&str]) -> Output {
        let mut args = self.ssh_args(name, extra);
        args.extend(command.iter().map(ToString::to_string));
        Command::new("ssh")
            .args(&args)
            .env("HOME", self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("run ssh")
    }

    /// Rewrites `authorized_keys` and reloads it, as SIGHUP does.
    pub fn rewrite_keys(&self, text: &str) -> dropday::serve::ReloadSummary {
        std::fs::write(self.dir.path().join("authorized_keys"), text).unwrap();
        self.serve().reload_authorized_keys().unwrap()
    }

    /// Stops serving (as SIGTERM does) and waits for every session to end.
    pub fn shutdown(&mut self) {
        if let Some(serve) = self.serve.take() {
            self.runtime.block_on(serve.shutdown());
        }
    }
}
