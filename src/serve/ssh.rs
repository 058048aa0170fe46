//! The SSH server: public-key authentication against the current `authorized_keys` (with
//! `from=`), failed attempts limited per source address, at most `max_sessions` rooms, keepalives,
//! exec `status`, and a room per session with a shell and a pty. The accept loop is serve's own
//! (not russh's `run_on_socket`) so a limited address or a full server is turned away before any
//! cryptography, and stopping can end every session with its terminal restored.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use russh::keys::PublicKey;
use russh::server::{Auth, Msg, Session};
use russh::{Channel, ChannelId, ChannelWriteHalf, MethodKind, MethodSet, Pty, SshId};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::exec::{self, EXIT_UNKNOWN, ExecCommand};
use super::frames::{FrameSlot, FrameStats};
use super::host_key::HostKey;
use super::keys::{AuthorizedKey, AuthorizedKeys, KeysError, Refusal};
use super::limiter::FailedAuthLimiter;
use super::room::{Rooms, SessionInfo, TermSize, wants_ascii};
use super::session::{ClientInput, RoomTask, ServerNotice, SessionEnd, stopped, write_frames};
use super::settings::SshSettings;
use crate::app::ColorMode;

/// Connections still shaking hands or authenticating, beyond `max_sessions`, before new ones are
/// closed at once.
const HANDSHAKE_SLACK: usize = 16;
/// Keys in flight to one room before the client's connection waits (backpressure, not loss).
const INPUT_QUEUE: usize = 64;
/// Env requests kept per channel, and the longest value kept; the rest is ignored.
const MAX_ENV: usize = 32;
const MAX_ENV_VALUE: usize = 256;
/// How long a session's end waits for the client to acknowledge the channel's close.
const CLOSE_ACK_DEADLINE: Duration = Duration::from_secs(1);
/// How long `shutdown` waits for sessions to say goodbye.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

/// Why serve could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    /// The `authorized_keys` file cannot be used.
    Keys(#[from] KeysError),
    #[error("cannot listen on {addr}: {source}")]
    /// The listening socket could not be opened.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A serving SSH server.
pub struct RunningServe {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    host_key_fingerprint: String,
    accept: JoinHandle<()>,
}

/// An open room, as `sessions()` reports it.
#[derive(Debug, Clone)]
pub struct SessionSnapshot {
    /// Who, from where, with what terminal.
    pub info: SessionInfo,
    /// How its frames went (offered, taken, replaced).
    pub frames: FrameStats,
}

/// What the served sessions cost, for `/metrics`: who is watching and how their frames fare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeFigures {
    /// Open rooms of viewers.
    pub viewers: usize,
    /// Open rooms of operators.
    pub operators: usize,
    /// Frames handed to clients since the start, ended sessions included.
    pub frames_sent: u64,
    /// Frames dropped unsent since the start because a newer one came first (a client that
    /// reads slower than the room draws).
    pub frames_replaced: u64,
    /// Bytes waiting for clients now: at most one frame per open room.
    pub pending_bytes: usize,
}

/// Reads [`ServeFigures`] from a running serve, from any task.
#[derive(Clone)]
pub struct ServeWatch(Arc<Shared>);

impl ServeWatch {
    /// The figures now.
    #[must_use]
    pub fn figures(&self) -> ServeFigures {
        let ended = *lock(&self.0.ended_frames);
        let mut figures = ServeFigures {
            frames_sent: ended.taken,
            frames_replaced: ended.replaced,
            ..ServeFigures::default()
        };
        for entry in lock(&self.0.sessions).values() {
            let stats = entry.slot.stats();
            figures.frames_sent += stats.taken;
            figures.frames_replaced += stats.replaced;
            figures.pending_bytes += stats.pending_bytes;
            match entry.info.role {
                super::keys::Role::Operator => figures.operators += 1,
                super::keys::Role::Viewer => figures.viewers += 1,
            }
        }
        figures
    }
}

/// What a reload changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadSummary {
    /// Keys in the reloaded file.
    pub keys: usize,
    /// Open sessions ended because their key was removed or no longer admits their address.
    pub sessions_ended: usize,
    /// Open sessions whose role changed.
    pub roles_changed: usize,
}

struct SessionEntry {
    info: SessionInfo,
    connection: u64,
    key: PublicKey,
    notices: mpsc::UnboundedSender<ServerNotice>,
    slot: Arc<FrameSlot>,
}

struct Shared {
    settings: SshSettings,
    keys_path: PathBuf,
    keys: RwLock<Arc<AuthorizedKeys>>,
    rooms: Arc<dyn Rooms>,
    config: Arc<russh::server::Config>,
    sessions: Mutex<HashMap<u64, SessionEntry>>,
    /// Notified whenever a session leaves the registry.
    sessions_changed: Notify,
    /// The frame counts of the sessions that left the registry, summed: the serve-wide
    /// totals stay monotonic as people come and go.
    ended_frames: Mutex<FrameStats>,
    limiter: Mutex<FailedAuthLimiter>,
    next_id: AtomicU64,
    connections: AtomicUsize,
    board: watch::Sender<u64>,
    stopping: watch::Sender<bool>,
    redraw_every: Duration,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn keys(&self) -> Arc<AuthorizedKeys> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Starts serving on `settings.listen`: reads `authorized_keys`, binds, and accepts in the
/// background. `redraw_every` is how often each room is drawn without a board change (its
/// clocks move); a board change ([`RunningServe::board_changed`]) draws every room at once.
///
/// # Errors
/// `authorized_keys` cannot be read or has a malformed line; the address cannot be bound.
pub async fn start(
    settings: SshSettings,
    host_key: HostKey,
    rooms: Arc<dyn Rooms>,
    redraw_every: Duration,
) -> Result<RunningServe, StartError> {
    let keys = AuthorizedKeys::load(&settings.authorized_keys)?;
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: settings.listen,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: settings.listen,
        source,
    })?;
    let host_key_fingerprint = host_key.fingerprint.clone();
    let config = russh::server::Config {
        server_id: SshId::Standard(format!("SSH-2.0-dropday_{}", env!("CARGO_PKG_VERSION")).into()),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        // A refusal takes as long whether the key is unknown or its from= does not match.
        auth_rejection_time: Duration::from_secs(1),
        // OpenSSH asks with "none" first to learn the methods; that is no failed attempt.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key.key],
        max_auth_attempts: 6,
        // Idleness is the room's to judge (keys, not bytes); dead links are the keepalive's.
        inactivity_timeout: None,
        keepalive_interval: Some(settings.keepalive),
        keepalive_max: settings.keepalive_max,
        nodelay: true,
        ..Default::default()
    };
    let shared = Arc::new(Shared {
        keys_path: settings.authorized_keys.clone(),
        settings,
        keys: RwLock::new(Arc::new(keys)),
        rooms,
        config: Arc::new(config),
        sessions: Mutex::new(HashMap::new()),
        sessions_changed: Notify::new(),
        ended_frames: Mutex::new(FrameStats::default()),
        limiter: Mutex::new(FailedAuthLimiter::default()),
        next_id: AtomicU64::new(1),
        connections: AtomicUsize::new(0),
        board: watch::Sender::new(0),
        stopping: watch::Sender::new(false),
        redraw_every,
    });
    let accept = tokio::spawn(accept_loop(listener, shared.clone()));
    Ok(RunningServe {
        shared,
        local_addr,
        host_key_fingerprint,
        accept,
    })
}

impl RunningServe {
    /// Where it listens (the real port when `:0` was asked for).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `SHA256:…` of the host key, to print at start.
    #[must_use]
    pub fn host_key_fingerprint(&self) -> &str {
        &self.host_key_fingerprint
    }

    /// The board changed: every room draws again.
    pub fn board_changed(&self) {
        self.shared
            .board
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    /// Re-reads `authorized_keys` (the SIGHUP handler calls this). Removed keys can no longer
    /// open sessions and their open sessions end; a changed role reaches open sessions. A file
    /// that does not parse changes nothing.
    ///
    /// # Errors
    /// The file cannot be read or has a malformed line; the keys in force stay as they were.
    pub fn reload_authorized_keys(&self) -> Result<ReloadSummary, KeysError> {
        let keys = Arc::new(AuthorizedKeys::load(&self.shared.keys_path)?);
        *self
            .shared
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner) = keys.clone();
        let mut summary = ReloadSummary {
            keys: keys.len(),
            sessions_ended: 0,
            roles_changed: 0,
        };
        for entry in lock(&self.shared.sessions).values_mut() {
            match keys.admit(&entry.key, entry.info.client_addr.ip()) {
                Err(_) => {
                    summary.sessions_ended += 1;
                    log::info!(
                        "serve: ending {}'s session (key {}): no longer in {}",
                        entry.info.name,
                        entry.info.key_fingerprint,
                        self.shared.keys_path.display()
                    );
                    let _ = entry
                        .notices
                        .send(ServerNotice::End(SessionEnd::KeyRemoved));
                }
                Ok(key) if key.role != entry.info.role => {
                    summary.roles_changed += 1;
                    log::info!(
                        "serve: {} is now {} (key {})",
                        entry.info.name,
                        key.role,
                        entry.info.key_fingerprint
                    );
                    entry.info.role = key.role;
                    let _ = entry.notices.send(ServerNotice::RoleChanged(key.role));
                }
                Ok(_) => {}
            }
        }
        Ok(summary)
    }

    /// A reader of the serve-wide figures (sessions, frames) for `/metrics`.
    #[must_use]
    pub fn watch(&self) -> ServeWatch {
        ServeWatch(self.shared.clone())
    }

    /// Open rooms.
    #[must_use]
    pub fn sessions(&self) -> Vec<SessionSnapshot> {
        let mut sessions: Vec<_> = lock(&self.shared.sessions)
            .values()
            .map(|entry| SessionSnapshot {
                info: entry.info.clone(),
                frames: entry.slot.stats(),
            })
            .collect();
        sessions.sort_by_key(|s| s.info.id);
        sessions
    }

    /// Stops accepting, ends every session with its terminal restored and an exit status, and
    /// closes every connection; waits at most a few seconds for clients that do not read.
    pub async fn shutdown(self) {
        self.shared.stopping.send_replace(true);
        self.accept.abort();
        let deadline = tokio::time::Instant::now() + SHUTDOWN_DEADLINE;
        loop {
            let changed = self.shared.sessions_changed.notified();
            let open =
                lock(&self.shared.sessions).len() + self.shared.connections.load(Ordering::SeqCst);
            if open == 0 {
                return;
            }
            // Connections leave without notifying; look again now and then.
            let wake = (tokio::time::Instant::now() + Duration::from_millis(100)).min(deadline);
            if tokio::time::timeout_at(wake, changed).await.is_err()
                && tokio::time::Instant::now() >= deadline
            {
                log::warn!("serve: {open} sessions or connections did not close in time");
                return;
            }
        }
    }
}

/// The signals a running serve answers: SIGHUP reloads `authorized_keys`, SIGTERM and SIGINT
/// stop it. Installed before serving so no signal arrives unhandled.
pub struct ServeSignals {
    hangup: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl ServeSignals {
    /// Installs the handlers (from within the runtime).
    ///
    /// # Errors
    /// A handler cannot be installed.
    pub fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            hangup: signal(SignalKind::hangup())?,
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Reloads on each SIGHUP until SIGTERM or SIGINT; then ends every session (terminals
    /// restored, exit statuses sent) and returns.
    pub async fn run(mut self, serve: RunningServe) {
        loop {
            tokio::select! {
                _ = self.hangup.recv() => match serve.reload_authorized_keys() {
                    Ok(summary) => log::info!(
                        "serve: reloaded authorized keys: {} keys, {} sessions ended, {} roles changed",
                        summary.keys, summary.sessions_ended, summary.roles_changed
                    ),
                    Err(e) => log::error!("serve: reload refused, the keys in force stay: {e}"),
                },
                _ = self.terminate.recv() => break,
                _ = self.interrupt.recv() => break,
            }
        }
        log::info!("serve: stopping; ending every session");
        serve.shutdown().await;
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut stopping = shared.stopping.subscribe();
    loop {
        let accepted = tokio::select! {
            () = stopped(&mut stopping) => return,
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: pause rather than spin.
                log::warn!("serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if lock(&shared.limiter).is_blocked(peer.ip(), std::time::Instant::now()) {
            log::warn!("serve: turned away {peer}: too many failed authentications");
            continue;
        }
        let limit = shared.settings.max_sessions.get() + HANDSHAKE_SLACK;
        if shared.connections.load(Ordering::SeqCst) >= limit {
            log::warn!("serve: turned away {peer}: {limit} connections open");
            continue;
        }
        tokio::spawn(serve_connection(socket, peer, shared.clone()));
    }
}

/// Counts a connection for as long as it lives.
struct ConnectionGuard(Arc<Shared>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
        self.0.sessions_changed.notify_waiters();
    }
}

async fn serve_connection(socket: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    shared.connections.fetch_add(1, Ordering::SeqCst);
    let _guard = ConnectionGuard(shared.clone());
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let handler = Connection {
        shared: shared.clone(),
        id,
        peer,
        user: None,
        channels: HashMap::new(),
    };
    let running = match russh::server::run_stream(shared.config.clone(), socket, handler).await {
        Ok(running) => running,
        Err(e) => {
            log::debug!("serve: connection from {peer} failed before it began: {e}");
            return;
        }
    };
    let handle = running.handle();
    let mut stopping = shared.stopping.subscribe();
    tokio::select! {
        result = running => {
            if let Err(e) = result {
                log::debug!("serve: connection from {peer} ended: {e}");
            }
        }
        () = stopped(&mut stopping) => {
            // Let this connection's rooms say goodbye first.
            let deadline = tokio::time::Instant::now() + SHUTDOWN_DEADLINE;
            loop {
                let changed = shared.sessions_changed.notified();
                if !lock(&shared.sessions).values().any(|s| s.connection == id) {
                    break;
                }
                if tokio::time::timeout_at(deadline, changed).await.is_err() {
                    break;
                }
            }
            let _ = handle
                .disconnect(russh::Disconnect::ByApplication, "dropday serve is stopping".into(), String::new())
                .await;
        }
    }
}

/// Who authenticated on a connection.
#[derive(Clone)]
struct User {
    ssh_user: String,
    key: AuthorizedKey,
}

enum ChannelState {
    /// Opened; collecting the pty and env requests before a shell or exec.
    Setup {
        writer: ChannelWriteHalf<Msg>,
        pty: Option<(String, TermSize)>,
        env: HashMap<String, String>,
    },
    Room {
        input: mpsc::Sender<ClientInput>,
        /// Dropped when the client closes the channel (or the connection goes): the goodbye
        /// was read, and the connection may be cut without losing it.
        _closed: oneshot::Sender<()>,
    },
    Done,
}

/// One SSH connection (russh's handler).
struct Connection {
    shared: Arc<Shared>,
    id: u64,
    peer: SocketAddr,
    user: Option<User>,
    channels: HashMap<ChannelId, ChannelState>,
}

impl Connection {
    /// Whether `key` may come in from this connection's address now; counts a failure if not.
    fn check(&self, ssh_user: &str, key: &PublicKey) -> Result<AuthorizedKey, Refusal> {
        let ip: IpAddr = self.peer.ip();
        if lock(&self.shared.limiter).is_blocked(ip, std::time::Instant::now()) {
            return Err(Refusal::UnknownKey);
        }
        let keys = self.shared.keys();
        match keys.admit(key, ip) {
            Ok(found) => Ok(found.clone()),
            Err(refusal) => {
                lock(&self.shared.limiter).record_failure(ip, std::time::Instant::now());
                let fingerprint = key.fingerprint(russh::keys::HashAlg::Sha256);
                match refusal {
                    Refusal::UnknownKey => log::warn!(
                        "serve: refused key {fingerprint} for user {ssh_user:?} from {}: not in the authorized keys",
                        self.peer
                    ),
                    Refusal::SourceNotAllowed => log::warn!(
                        "serve: refused key {fingerprint} for user {ssh_user:?} from {}: its from= does not admit this address",
                        self.peer
                    ),
                }
                Err(refusal)
            }
        }
    }

    /// Prints one line and ends the channel with `status`.
    fn refuse(
        session: &mut Session,
        channel: ChannelId,
        line: &str,
        status: u32,
    ) -> Result<(), russh::Error> {
        session.data(channel, format!("{line}\r\n").into_bytes())?;
        session.exit_status_request(channel, status)?;
        session.eof(channel)?;
        session.close(channel)
    }

    fn open_room(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), russh::Error> {
        let Some(ChannelState::Setup { writer, pty, env }) = self.channels.remove(&channel) else {
            return session.channel_failure(channel);
        };
        self.channels.insert(channel, ChannelState::Done);
        session.channel_success(channel)?;
        let Some(user) = self.user.clone() else {
            return Self::refuse(
                session,
                channel,
                "dropday serve: not authenticated",
                EXIT_UNKNOWN,
            );
        };
        let Some((term, size)) = pty else {
            return Self::refuse(
                session,
                channel,
                "dropday serve: this session has no terminal; connect with `ssh -t`, or run `ssh … status` for a report",
                EXIT_UNKNOWN,
            );
        };
        // The key may have been removed since this connection authenticated.
        let key = match self.shared.keys().admit(&user.key.key, self.peer.ip()) {
            Ok(key) => key.clone(),
            Err(_) => {
                return Self::refuse(
                    session,
                    channel,
                    "dropday serve: your key is no longer authorized",
                    SessionEnd::KeyRemoved.farewell().map_or(1, |(s, _)| s),
                );
            }
        };
        let max = self.shared.settings.max_sessions.get();
        if lock(&self.shared.sessions).len() >= max {
            log::warn!(
                "serve: {} turned away: all {max} sessions are taken",
                key.name
            );
            return Self::refuse(
                session,
                channel,
                &format!("dropday serve: all {max} sessions are taken; try again later"),
                EXIT_UNKNOWN,
            );
        }
        let get = |name: &str| env.get(name).map(String::as_str);
        let info = SessionInfo {
            id: self.shared.next_id.fetch_add(1, Ordering::Relaxed),
            ssh_user: user.ssh_user.clone(),
            name: key.name.clone(),
            role: key.role,
            key_fingerprint: key.fingerprint.clone(),
            client_addr: self.peer,
            // The local room's rule, with the client's variables instead of the server's.
            colour: ColorMode::Auto.resolve(get("NO_COLOR"), Some(&term), get("COLORTERM")),
            ascii: wants_ascii(
                get("LC_ALL"),
                get("LC_CTYPE"),
                get("LANG"),
                get("DROPDAY_ASCII"),
            ),
            tz: get("TZ").map(str::to_owned),
            size,
        };
        let room = self.shared.rooms.open(&info);
        let (input_tx, input_rx) = mpsc::channel(INPUT_QUEUE);
        let (notice_tx, notice_rx) = mpsc::unbounded_channel();
        let slot = Arc::new(FrameSlot::default());
        log::info!(
            "serve: {} ({}, key {}) opened a room from {} as user {:?}, {}×{}",
            info.name,
            info.role,
            info.key_fingerprint,
            info.client_addr,
            info.ssh_user,
            size.cols,
            size.rows
        );
        lock(&self.shared.sessions).insert(
            info.id,
            SessionEntry {
                info: info.clone(),
                connection: self.id,
                key: key.key.clone(),
                notices: notice_tx,
                slot: slot.clone(),
            },
        );
        let (closed_tx, closed_rx) = oneshot::channel::<()>();
        self.channels.insert(
            channel,
            ChannelState::Room {
                input: input_tx,
                _closed: closed_tx,
            },
        );
        let task = RoomTask {
            room,
            size,
            input: input_rx,
            notices: notice_rx,
            board: self.shared.board.subscribe(),
            stopping: self.shared.stopping.subscribe(),
            slot: slot.clone(),
            colour: info.colour,
            idle_timeout: self.shared.settings.idle_timeout,
            redraw_every: self.shared.redraw_every,
        };
        let shared = self.shared.clone();
        let handle = session.handle();
        tokio::spawn(async move {
            let (end_tx, end_rx) = oneshot::channel();
            let writer = tokio::spawn(write_frames(writer, slot, end_rx));
            let end = task.run().await;
            let _ = end_tx.send(end);
            let _ = writer.await;
            // The client answers our close with its own; until then the goodbye may be in flight.
            let _ = tokio::time::timeout(CLOSE_ACK_DEADLINE, closed_rx).await;
            let frames = lock(&shared.sessions)
                .remove(&info.id)
                .map(|entry| entry.slot.stats())
                .unwrap_or_default();
            {
                let mut ended = lock(&shared.ended_frames);
                ended.offered += frames.offered;
                ended.taken += frames.taken;
                ended.replaced += frames.replaced;
            }
            log::info!(
                "serve: {}'s session ended: {end:?} ({} frames sent, {} replaced unsent)",
                info.name,
                frames.taken,
                frames.replaced
            );
            shared.sessions_changed.notify_waiters();
            if end == SessionEnd::KeyRemoved {
                let _ = handle
                    .disconnect(
                        russh::Disconnect::ByApplication,
                        "key removed".into(),
                        String::new(),
                    )
                    .await;
            }
        });
        Ok(())
    }

    fn exec(
        &mut self,
        channel: ChannelId,
        command: &[u8],
        session: &mut Session,
    ) -> Result<(), russh::Error> {
        let pty = match self.channels.insert(channel, ChannelState::Done) {
            Some(ChannelState::Setup { pty, .. }) => pty.is_some(),
            _ => return session.channel_failure(channel),
        };
        session.channel_success(channel)?;
        // The key may have been removed since this connection authenticated.
        let admitted = self
            .user
            .as_ref()
            .is_some_and(|u| self.shared.keys().admit(&u.key.key, self.peer.ip()).is_ok());
        if !admitted {
            return Self::refuse(
                session,
                channel,
                "dropday serve: your key is no longer authorized",
                1,
            );
        }
        let who = self.user.as_ref().map_or("?", |u| u.key.name.as_str());
        match exec::parse(command) {
            ExecCommand::Status(request) => {
                log::info!(
                    "serve: {who} from {} asked for the status report",
                    self.peer
                );
                let answer = self.shared.rooms.status(request);
                let mut text = answer.text;
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                if pty {
                    text = text.replace('\n', "\r\n");
                }
                session.data(channel, text.into_bytes())?;
                session.exit_status_request(channel, answer.exit_status)?;
                session.eof(channel)?;
                session.close(channel)
            }
            ExecCommand::Unknown(line) => {
                log::info!("serve: {who} from {} sent an unknown command", self.peer);
                Self::refuse(session, channel, &line, EXIT_UNKNOWN)
            }
        }
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        key: &PublicKey,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.check(user, key) {
            Ok(_) => Auth::Accept,
            Err(_) => Auth::reject(),
        })
    }

    async fn auth_publickey(&mut self, user: &str, key: &PublicKey) -> Result<Auth, Self::Error> {
        Ok(match self.check(user, key) {
            Ok(found) => {
                log::info!(
                    "serve: {} (key {}, line {}) authenticated from {} as user {user:?}",
                    found.name,
                    found.fingerprint,
                    found.line,
                    self.peer
                );
                self.user = Some(User {
                    ssh_user: user.to_owned(),
                    key: found,
                });
                Auth::Accept
            }
            Err(_) => Auth::reject(),
        })
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Requests and keys arrive through this handler's callbacks; the read half would only
        // hold copies of them, and an unread one would stall the connection.
        let (read, writer) = channel.split();
        drop(read);
        self.channels.insert(
            writer.id(),
            ChannelState::Setup {
                writer,
                pty: None,
                env: HashMap::new(),
            },
        );
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&channel) {
            Some(ChannelState::Setup { pty, .. }) => {
                let term: String = term.chars().take(64).collect();
                *pty = Some((term, TermSize::clamped(cols, rows)));
                session.channel_success(channel)
            }
            _ => session.channel_failure(channel),
        }
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&channel) {
            Some(ChannelState::Setup { env, .. })
                if env.len() < MAX_ENV && value.len() <= MAX_ENV_VALUE =>
            {
                env.insert(name.to_owned(), value.to_owned());
                session.channel_success(channel)
            }
            _ => session.channel_failure(channel),
        }
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.open_room(channel, session)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.exec(channel, data, session)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        log::info!("serve: refused subsystem {name:?} from {}", self.peer);
        session.channel_failure(channel)
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let size = TermSize::clamped(cols, rows);
        match self.channels.get_mut(&channel) {
            Some(ChannelState::Room { input, .. }) => {
                let _ = input.send(ClientInput::Resize(size)).await;
            }
            Some(ChannelState::Setup {
                pty: Some((_, pty_size)),
                ..
            }) => *pty_size = size,
            _ => {}
        }
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(ChannelState::Room { input, .. }) = self.channels.get(&channel) {
            // Waiting here holds back this client's connection only: backpressure, no loss.
            let _ = input.send(ClientInput::Bytes(data.to_vec())).await;
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Dropping the room's input ends the room.
        self.channels.remove(&channel);
        Ok(())
    }
}
