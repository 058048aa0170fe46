//! A harness that runs the real `dropday` binary in a pseudo-terminal, the way an operator's
//! terminal (or an SSH session) does: keys go in as bytes, what the program writes is parsed by
//! a terminal emulator (`vt100`) into the screen a person would see.
//!
//! - every run gets its own HOME and XDG folders in a temp dir, so nothing touches the real user;
//! - all bytes the program writes are kept, so a test can check what was written at exit
//!   (leaving the alternate screen, showing the cursor);
//! - the harness holds its own handle on the pty's slave side until the output is read, so the
//!   terminal's settings can still be read after the program has exited (was raw mode undone?);
//! - waits are conditions on the parsed screen with a deadline, never fixed sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(unsafe_code)] // termios, poll and kill through libc on the pty the tests own.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, SlavePty, native_pty_system};

/// Generous deadline for the program to show something or finish: CI shares two cores with
/// builds, so seconds here are not a latency requirement, only a guard against hanging forever.
pub const SETTLE: Duration = Duration::from_secs(20);

/// How long a reader waits in `poll` before looking whether it should stop.
const READ_POLL_MS: i32 = 50;

/// What the program wrote so far, as bytes and as a parsed screen.
struct Output {
    bytes: Vec<u8>,
    parser: vt100::Parser,
    /// The reader stopped: the pty reports end of output (every slave handle closed).
    ended: bool,
    /// The bytes so far end with a whole frame (see [`ends_a_frame`]).
    at_frame_end: bool,
}

/// Whether `bytes` end where ratatui ends a frame. A frame reaches the pty in several writes
/// (stdout flushes every KiB or so), so a screen read mid-frame can hold half of a dialog over
/// the previous frame. ratatui ends every frame with hiding the cursor (`ESC[?25l`), or with
/// showing it and moving it (`ESC[?25h ESC[row;colH`) when a text line has the cursor.
fn ends_a_frame(bytes: &[u8]) -> bool {
    if bytes.ends_with(b"\x1b[?25l") {
        return true;
    }
    // `ESC[?25h ESC[<digits>;<digits>H`
    let Some(body) = bytes.strip_suffix(b"H") else {
        return false;
    };
    let digits = body
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit() || **b == b';')
        .count();
    body[..body.len() - digits].ends_with(b"\x1b[?25h\x1b[")
}

struct Shared {
    output: Mutex<Output>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        self.output.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One run of the binary in a pty.
pub struct PtyRun {
    /// `None` once closed (the link dropped).
    master: Option<Box<dyn MasterPty + Send>>,
    /// The harness's own handle on the slave side: keeps the terminal's settings readable after
    /// the program exits, until the output has been read to its end.
    slave: Option<Box<dyn SlavePty + Send>>,
    /// Keys go through a duplicate of the master's descriptor: portable-pty's own writer types a
    /// newline and ^D into the terminal when it is dropped, which would be keys to the program.
    writer: Option<File>,
    child: Box<dyn Child + Send + Sync>,
    pid: i32,
    shared: Arc<Shared>,
    stop_reader: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    size: (u16, u16),
}

/// What a finished run left behind.
#[derive(Debug)]
pub struct Finished {
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<u32>,
    /// Every byte the program wrote to the terminal.
    pub bytes: Vec<u8>,
    /// The screen after the last byte (the normal screen when the alternate one was left).
    pub screen: String,
    /// Whether the emulator still shows the alternate screen.
    pub alternate_screen: bool,
    /// The terminal's settings after exit, read before the slave side was closed.
    pub termios: TermiosFlags,
}

/// The bits of the terminal's settings that raw mode turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one bool per termios flag the tests check, as termios has them
pub struct TermiosFlags {
    pub canonical: bool,
    pub echo: bool,
    pub signals: bool,
    pub output_processing: bool,
}

impl TermiosFlags {
    /// A terminal as a shell expects it: line editing, echo, ^C as a signal, `\n` → `\r\n`.
    #[must_use]
    pub fn is_cooked(&self) -> bool {
        self.canonical && self.echo && self.signals && self.output_processing
    }

    /// Raw mode as crossterm sets it: all four off.
    #[must_use]
    pub fn is_raw(&self) -> bool {
        !self.canonical && !self.echo && !self.signals && !self.output_processing
    }
}

/// Reads the terminal settings through the master side. On Linux a termios request on a pty
/// master is answered with the slave's settings, which are the ones the program changes.
fn termios_of(fd: RawFd) -> TermiosFlags {
    // SAFETY: a zeroed termios is a valid value to be filled in by tcgetattr.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is an open descriptor owned by the caller for the duration of the call.
    let rc = unsafe { libc::tcgetattr(fd, &raw mut t) };
    assert_eq!(
        rc,
        0,
        "tcgetattr on the pty failed: {}",
        std::io::Error::last_os_error()
    );
    TermiosFlags {
        canonical: t.c_lflag & libc::ICANON != 0,
        echo: t.c_lflag & libc::ECHO != 0,
        signals: t.c_lflag & libc::ISIG != 0,
        output_processing: t.c_oflag & libc::OPOST != 0,
    }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n.max(1)).unwrap_or(NonZeroU16::MIN)
}

fn dup(fd: RawFd) -> OwnedFd {
    // SAFETY: the master descriptor is open for as long as `PtyRun` holds the master.
    unsafe { BorrowedFd::borrow_raw(fd) }
        .try_clone_to_owned()
        .expect("dup of the pty master")
}

/// A fresh home for one run: HOME and the XDG folders point inside it.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    #[must_use]
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Where a test's audit log goes.
    #[must_use]
    pub fn audit_log(&self) -> PathBuf {
        self.path().join("state").join("audit.jsonl")
    }

    /// Writes a config that points every feed at `base_url`, polls fast, gives up on a request
    /// after `timeout`, backs off at most 2 s, logs control actions into this home and names
    /// the environment `e2e`. With `token_env`, every feed's bearer token is read from it.
    #[must_use]
    pub fn write_config(&self, base_url: &str, timeout: &str, token_env: Option<&str>) -> PathBuf {
        let audit = self.audit_log();
        let mut text = format!(
            "max_backoff = \"2s\"\naudit_log = \"{}\"\n\n[ui]\nenvironment = \"e2e\"\n",
            audit.display()
        );
        for feed in ["marketplace", "fulfilment", "pos"] {
            text.push_str(&format!(
                "\n[feeds.{feed}]\nurl = \"{base_url}\"\npoll = \"500ms\"\ntimeout = \"{timeout}\"\n"
            ));
            if let Some(variable) = token_env {
                text.push_str(&format!("token_env = \"{variable}\"\n"));
            }
        }
        let path = self.path().join("config.toml");
        std::fs::write(&path, text).expect("write config");
        path
    }
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl PtyRun {
    /// Starts the binary with `args` in a `cols`×`rows` pty, with a clean environment:
    /// TERM=xterm-256color, HOME and XDG folders inside `home`, plus `env`.
    #[must_use]
    pub fn spawn(home: &Home, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        Self::spawn_program(home, env!("CARGO_BIN_EXE_dropday"), args, env, cols, rows)
    }

    /// Starts another program (`ssh`, for the served room) the same way as [`PtyRun::spawn`].
    #[must_use]
    pub fn spawn_program(
        home: &Home,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env_clear();
        let root = home.path();
        cmd.env("PATH", "/usr/local/bin:/usr/bin:/bin");
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", root);
        cmd.env("USER", "e2e-operator");
        cmd.env("RUST_BACKTRACE", "0");
        for (name, dir) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
        ] {
            cmd.env(name, root.join(dir));
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
        cmd.cwd(root);
        let child = pair.slave.spawn_command(cmd).expect("spawn dropday");
        let pid = child
            .process_id()
            .and_then(|p| i32::try_from(p).ok())
            .expect("child pid");
        let master_fd = pair.master.as_raw_fd().expect("master fd");
        let writer = File::from(dup(master_fd));
        let reader = File::from(dup(master_fd));
        let shared = Arc::new(Shared {
            output: Mutex::new(Output {
                bytes: Vec::new(),
                parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
                ended: false,
                at_frame_end: false,
            }),
            changed: Condvar::new(),
        });
        let stop_reader = Arc::new(AtomicBool::new(false));
        let reader = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop_reader);
            std::thread::spawn(move || read_all(reader, &shared, &stop))
        };
        PtyRun {
            master: Some(pair.master),
            slave: Some(pair.slave),
            writer: Some(writer),
            child,
            pid,
            shared,
            stop_reader,
            reader: Some(reader),
            size: (cols, rows),
        }
    }

    /// The child's process id.
    #[must_use]
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Types `keys` (raw bytes: `"p"`, `"\r"` for Enter, `"\x1b"` for Esc).
    pub fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the pty is open");
        writer.write_all(keys.as_bytes()).expect("write keys");
        writer.flush().expect("flush keys");
    }

    /// Sends a signal to the program.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions.
        let rc = unsafe { libc::kill(self.pid, signal) };
        assert_eq!(
            rc,
            0,
            "kill({}, {signal}): {}",
            self.pid,
            std::io::Error::last_os_error()
        );
    }

    /// The screen as text, rows joined by `\n`.
    #[must_use]
    pub fn screen(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// Every byte written so far.
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        self.shared.lock().bytes.clone()
    }

    /// The terminal's settings now.
    #[must_use]
    pub fn termios(&self) -> TermiosFlags {
        let master = self.master.as_ref().expect("the pty is open");
        termios_of(master.as_raw_fd().expect("master fd"))
    }

    /// Waits until `cond` holds for a whole frame on the screen; returns the screen then, or
    /// panics at the deadline (or when the program exits) with `what` and the screen as it was.
    pub fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        mut cond: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let shared = Arc::clone(&self.shared);
        let mut output = shared.lock();
        loop {
            let screen = output.parser.screen().contents();
            if output.at_frame_end && cond(&screen) {
                return screen;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "dropday exited ({status:?}) while waiting for {what}; the screen:\n{screen}\n---"
                );
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "timed out after {timeout:?} waiting for {what}; the screen:\n{screen}\n---"
            );
            // Woken by new output; the bounded wait only guards against a missed wake-up.
            let wait = (deadline - now).min(Duration::from_millis(200));
            output = shared
                .changed
                .wait_timeout(output, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits until the screen contains `text`.
    pub fn wait_for_text(&mut self, text: &str, timeout: Duration) -> String {
        self.wait_for(&format!("{text:?} on screen"), timeout, |s| {
            s.contains(text)
        })
    }

    /// Resizes the terminal (the program gets SIGWINCH) and the emulator with it.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let master = self.master.as_ref().expect("the pty is open");
        {
            let mut output = self.shared.lock();
            output.parser.set_size(nonzero(rows), nonzero(cols));
        }
        master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
        self.size = (cols, rows);
    }

    /// Closes every handle on the terminal, as when the SSH link drops: the program's terminal
    /// is hung up (reads end, writes fail, SIGHUP).
    pub fn close(&mut self) {
        self.stop_reader.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader thread");
        }
        self.writer = None;
        self.slave = None;
        self.master = None;
    }

    /// Waits for the process to end; `None` when it is still running at the deadline.
    pub fn try_wait_exit(&mut self, timeout: Duration) -> Option<portable_pty::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the process to end, reads the terminal's settings while the harness still
    /// holds the slave side, then reads the output to its end.
    pub fn wait_exit(&mut self, timeout: Duration) -> Finished {
        let Some(status) = self.try_wait_exit(timeout) else {
            let screen = self.screen();
            self.kill();
            panic!("dropday did not exit within {timeout:?}; the screen:\n{screen}\n---");
        };
        let termios = self.termios();
        // The last handle on the slave side: once it closes, the reader sees the end.
        self.slave = None;
        let deadline = Instant::now() + SETTLE;
        let mut output = self.shared.lock();
        while !output.ended {
            let now = Instant::now();
            assert!(now < deadline, "the pty output did not end after exit");
            output = self
                .shared
                .changed
                .wait_timeout(output, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let code = if status.signal().is_some() {
            None
        } else {
            Some(status.exit_code())
        };
        Finished {
            code,
            bytes: output.bytes.clone(),
            screen: output.parser.screen().contents(),
            alternate_screen: output.parser.screen().alternate_screen(),
            termios,
        }
    }

    /// Ends the process the hard way (after a failed assertion, so no test leaves it running).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PtyRun {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
        self.stop_reader.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Reads the master side until the pty reports the end (EIO once no slave handle is open) or
/// the harness asks the reader to stop (to close the master).
fn read_all(mut file: File, shared: &Shared, stop: &AtomicBool) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mut pfd = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&raw mut pfd, 1, READ_POLL_MS) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if ready == 0 {
            continue;
        }
        match file.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let mut output = shared.lock();
                output.bytes.extend_from_slice(&buf[..n]);
                output.parser.process(&buf[..n]);
                output.at_frame_end = ends_a_frame(&output.bytes);
                drop(output);
                shared.changed.notify_all();
            }
        }
    }
    shared.lock().ended = true;
    shared.changed.notify_all();
}

/// Position of the last occurrence of `needle` in `haystack`.
#[must_use]
pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Escape sequences as text for assertion messages.
#[must_use]
pub fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\x1b', "␛")
}
