//! What N viewers cost `dropday serve`: runs the real binary's `serve` as a child process
//! against the simulator (in this process), opens N SSH sessions with a pty as viewers (russh
//! clients, in this process), reads everything they are sent, and reports serve's CPU and peak
//! memory and what each session receives.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example serve_load --features sim                  # 50 × 120×40, 30 s
//! cargo run --release --example serve_load --features sim -- --sessions 50 --seconds 30 --size 80x24
//! ```
//!
//! Flags: `--bin PATH` (default: `dropday` next to this example's folder, i.e.
//! `$CARGO_TARGET_DIR/release/dropday`), `--sessions N` (default 50), `--seconds N` measured
//! after `--warmup N` seconds once every session is open (default 30 and 5), `--size WxH`
//! (default 120x40), `--poll DURATION` (every feed's polling, default `1s`).
//!
//! Figures, over the measured span only: serve's CPU seconds per second from
//! `/proc/<serve's pid>/stat` (utime + stime of the child process, so neither the simulator nor
//! the clients are counted); `VmHWM` (peak RSS) and `VmRSS` from `/proc/<pid>/status` at the
//! end; bytes of channel data received, in total and per session; frames per session, counted
//! as the cursor-hide sequence (`ESC [?25l`) that ratatui writes once per draw (the session's
//! prelude, which also has one, is before the span). Linux only.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::ChannelMsg;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};

use dropday::sim::{self, ClockMode, ScenarioSource, SimOptions};

/// The sequence ratatui's terminal writes once per drawn frame (the cursor is hidden after
/// every draw of a room that places no cursor).
const FRAME_MARK: &[u8] = b"\x1b[?25l";

struct Options {
    bin: PathBuf,
    sessions: usize,
    seconds: u64,
    warmup: u64,
    cols: u32,
    rows: u32,
    poll: String,
}

fn default_bin() -> PathBuf {
    // This example is `<target>/<profile>/examples/serve_load`; the binary is `<target>/<profile>/dropday`.
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("dropday")))
        .unwrap_or_else(|| PathBuf::from("target/release/dropday"))
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        bin: default_bin(),
        sessions: 50,
        seconds: 30,
        warmup: 5,
        cols: 120,
        rows: 40,
        poll: "1s".to_owned(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let number = |name: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{name}: {text:?} is not a whole number"))
        };
        match arg.as_str() {
            "--bin" => options.bin = PathBuf::from(value("--bin")?),
            "--sessions" => {
                let n = number("--sessions", value("--sessions")?)?;
                options.sessions = usize::try_from(n).map_err(|e| e.to_string())?;
            }
            "--seconds" => options.seconds = number("--seconds", value("--seconds")?)?,
            "--warmup" => options.warmup = number("--warmup", value("--warmup")?)?,
            "--poll" => options.poll = value("--poll")?,
            "--size" => {
                let text = value("--size")?;
                let (cols, rows) = text
                    .split_once('x')
                    .ok_or(format!("--size {text:?}: write it as WxH, e.g. 120x40"))?;
                options.cols =
                    u32::try_from(number("--size", cols.to_owned())?).map_err(|e| e.to_string())?;
                options.rows =
                    u32::try_from(number("--size", rows.to_owned())?).map_err(|e| e.to_string())?;
            }
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    if options.sessions == 0 || options.seconds == 0 {
        return Err("--sessions and --seconds must be at least 1".into());
    }
    Ok(options)
}

fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `rest` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `kB` line of `/proc/<pid>/status`, in kB.
fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "?".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// One session's counters, updated by its reader task.
#[derive(Default)]
struct Received {
    bytes: AtomicU64,
    frames: AtomicU64,
}

/// Counts `FRAME_MARK` in `carry + chunk`, keeping the tail so a mark split between two
/// messages is still found.
fn count_marks(carry: &mut Vec<u8>, chunk: &[u8]) -> u64 {
    carry.extend_from_slice(chunk);
    let hits = carry
        .windows(FRAME_MARK.len())
        .filter(|w| *w == FRAME_MARK)
        .count() as u64;
    let keep = (FRAME_MARK.len() - 1).min(carry.len());
    carry.drain(..carry.len() - keep);
    hits
}

struct TrustingClient;

impl russh::client::Handler for TrustingClient {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // The server is the child this example started, on loopback.
        Ok(true)
    }
}

/// `dropday serve` as a child process, its stderr kept line by line.
struct ServeChild {
    child: Child,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl ServeChild {
    fn spawn(bin: &Path, home: &Path, config: &Path) -> Result<Self, String> {
        let mut child = Command::new(bin)
            .args(["serve", "--config"])
            .arg(config)
            .args(["--listen", "127.0.0.1:0"])
            .env("HOME", home)
            .env("XDG_STATE_HOME", home.join("state"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(pipe) = child.stderr.take() {
            let lines = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Ok(mut lines) = lines.lock() {
                        lines.push(line);
                    }
                }
            });
        }
        Ok(Self { child, stderr })
    }

    fn port(&mut self) -> Result<u16, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let lines = self.stderr.lock().map(|l| l.clone()).unwrap_or_default();
            let port = lines.iter().find_map(|line| {
                line.split("listening on ")
                    .nth(1)?
                    .split(';')
                    .next()?
                    .rsplit(':')
                    .next()?
                    .trim()
                    .parse()
                    .ok()
            });
            if let Some(port) = port {
                return Ok(port);
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("serve exited ({status}):\n{}", lines.join("\n")));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "serve never said where it listens:\n{}",
                    lines.join("\n")
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, as systemd stops it; the exit status.
    fn stop(&mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        match self.child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        }
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn keygen(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let path = dir.join(format!("id_{name}"));
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("ssh-keygen (openssh-client installed?): {e}"))?;
    if !status.success() {
        return Err(format!("ssh-keygen failed: {status}"));
    }
    Ok(path)
}

/// Config for serve in `home`: the three feeds at `base_url`, polled every `poll`, and SSH
/// for the one viewer key in `authorized_keys`.
fn write_config(home: &Path, base_url: &str, poll: &str) -> Result<PathBuf, String> {
    let key = keygen(home, "viewer")?;
    let public = std::fs::read_to_string(key.with_extension("pub")).map_err(|e| e.to_string())?;
    let authorized = home.join("authorized_keys");
    // No role: a viewer, as a key added without thought is.
    std::fs::write(&authorized, public.trim()).map_err(|e| e.to_string())?;
    let mut text = format!(
        "audit_log = \"{}\"\n\n[ui]\nenvironment = \"load\"\n",
        home.join("audit/actions.jsonl").display()
    );
    for feed in ["marketplace", "fulfilment", "pos"] {
        text.push_str(&format!(
            "\n[feeds.{feed}]\nurl = \"{base_url}\"\npoll = \"{poll}\"\n"
        ));
    }
    text.push_str(&format!(
        "\n[serve]\nauthorized_keys = \"{}\"\nmax_sessions = 10000\n",
        authorized.display()
    ));
    let path = home.join("config.toml");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    Ok(path)
}

type Sessions = Vec<(
    russh::client::Handle<TrustingClient>,
    tokio::task::JoinHandle<()>,
)>;

async fn open_viewers(
    options: &Options,
    port: u16,
    key: Arc<PrivateKey>,
    received: &[Arc<Received>],
) -> Result<Sessions, String> {
    let config = Arc::new(russh::client::Config::default());
    let mut sessions = Vec::new();
    for counters in received {
        let mut handle =
            russh::client::connect(config.clone(), ("127.0.0.1", port), TrustingClient)
                .await
                .map_err(|e| format!("connect: {e}"))?;
        let auth = handle
            .authenticate_publickey("viewer", PrivateKeyWithHashAlg::new(key.clone(), None))
            .await
            .map_err(|e| format!("authenticate: {e}"))?;
        if !auth.success() {
            return Err("the viewer key was refused".into());
        }
        let mut channel = handle
            .channel_open_session()
            .await
            .map_err(|e| format!("open a session: {e}"))?;
        channel
            .request_pty(
                false,
                "xterm-256color",
                options.cols,
                options.rows,
                0,
                0,
                &[],
            )
            .await
            .map_err(|e| format!("pty request: {e}"))?;
        channel
            .request_shell(false)
            .await
            .map_err(|e| format!("shell request: {e}"))?;
        let counters = counters.clone();
        let reader = tokio::spawn(async move {
            let mut carry = Vec::new();
            while let Some(msg) = channel.wait().await {
                if let ChannelMsg::Data { data } = msg {
                    counters
                        .bytes
                        .fetch_add(data.len() as u64, Ordering::Relaxed);
                    let frames = count_marks(&mut carry, &data);
                    counters.frames.fetch_add(frames, Ordering::Relaxed);
                }
            }
        });
        sessions.push((handle, reader));
    }
    Ok(sessions)
}

fn totals(received: &[Arc<Received>]) -> Vec<(u64, u64)> {
    received
        .iter()
        .map(|r| {
            (
                r.bytes.load(Ordering::Relaxed),
                r.frames.load(Ordering::Relaxed),
            )
        })
        .collect()
}

fn main() {
    if let Err(e) = run() {
        eprintln!("serve_load: {e}");
        std::process::exit(1);
    }
}

#[allow(clippy::cast_precision_loss)] // counts and ticks far below 2^52
fn run() -> Result<(), String> {
    let options = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sim = runtime
        .block_on(sim::start(SimOptions {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: ClockMode::Wall,
            speed: 1.0,
            ..SimOptions::new(ScenarioSource::Builtin("launch".into()))
        }))
        .map_err(|e| format!("simulator: {e}"))?;
    let config = write_config(home.path(), &sim.base_url(), &options.poll)?;
    let mut serve = ServeChild::spawn(&options.bin, home.path(), &config)?;
    let port = serve.port()?;
    let pid = serve.child.id();
    let key = std::fs::read_to_string(home.path().join("id_viewer"))
        .map_err(|e| e.to_string())
        .and_then(|text| PrivateKey::from_openssh(text).map_err(|e| e.to_string()))?;
    let received: Vec<Arc<Received>> = (0..options.sessions)
        .map(|_| Arc::new(Received::default()))
        .collect();
    eprintln!(
        "serve pid {pid} on port {port}; opening {} sessions at {}x{}",
        options.sessions, options.cols, options.rows
    );
    let sessions = runtime.block_on(open_viewers(&options, port, Arc::new(key), &received))?;
    let opened_hwm_kb = status_kb(pid, "VmHWM:").unwrap_or(0);
    eprintln!(
        "{} sessions open; warming up {} s, then measuring {} s",
        sessions.len(),
        options.warmup,
        options.seconds
    );
    std::thread::sleep(Duration::from_secs(options.warmup));

    let ticks0 = cpu_ticks(pid).ok_or("cannot read serve's /proc/<pid>/stat")?;
    let start = totals(&received);
    let started = Instant::now();
    let load_before = load_average();
    std::thread::sleep(Duration::from_secs(options.seconds));
    let ticks1 = cpu_ticks(pid).ok_or("cannot read serve's /proc/<pid>/stat")?;
    let elapsed = started.elapsed().as_secs_f64();
    let end = totals(&received);
    let load_after = load_average();
    let hwm_kb = status_kb(pid, "VmHWM:").unwrap_or(0);
    let rss_kb = status_kb(pid, "VmRSS:").unwrap_or(0);

    let per_session: Vec<(u64, u64)> = start
        .iter()
        .zip(&end)
        .map(|((b0, f0), (b1, f1))| (b1 - b0, f1 - f0))
        .collect();
    let startup: Vec<u64> = start.iter().map(|(bytes, _)| *bytes).collect();
    let total_bytes: u64 = per_session.iter().map(|(b, _)| b).sum();
    let n = per_session.len() as f64;
    let rate = |b: u64| b as f64 / elapsed;
    let min_bytes = per_session.iter().map(|(b, _)| *b).min().unwrap_or(0);
    let max_bytes = per_session.iter().map(|(b, _)| *b).max().unwrap_or(0);
    let total_frames: u64 = per_session.iter().map(|(_, f)| f).sum();
    let min_frames = per_session.iter().map(|(_, f)| *f).min().unwrap_or(0);
    let max_frames = per_session.iter().map(|(_, f)| *f).max().unwrap_or(0);
    let cpu_seconds = (ticks1 - ticks0) as f64 / clock_ticks_per_second() as f64;
    let status = serve.stop();
    runtime.block_on(async {
        for (handle, reader) in sessions {
            reader.abort();
            drop(handle);
        }
        sim.shutdown().await;
    });

    println!(
        "dropday serve, {} viewer sessions at {}x{}, launch scenario, feeds polled every {}",
        options.sessions, options.cols, options.rows, options.poll
    );
    println!("binary: {}", options.bin.display());
    println!(
        "measured: {elapsed:.1} s after {} s of warm-up",
        options.warmup
    );
    println!("load average (1/5/15 min): before {load_before}, after {load_after}");
    println!(
        "serve CPU (child process, /proc/{pid}/stat utime+stime): {cpu_seconds:.2} s in {elapsed:.1} s = {:.2} % of one core",
        100.0 * cpu_seconds / elapsed
    );
    println!(
        "serve memory: VmHWM (peak RSS) {:.1} MB ({:.1} MB once all sessions were open), VmRSS at the end {:.1} MB",
        hwm_kb as f64 / 1024.0,
        opened_hwm_kb as f64 / 1024.0,
        rss_kb as f64 / 1024.0
    );
    println!(
        "received: {:.0} bytes/s in total; per session {:.0} bytes/s on average (least {:.0}, most {:.0})",
        rate(total_bytes),
        rate(total_bytes) / n,
        rate(min_bytes),
        rate(max_bytes)
    );
    println!(
        "frames per session: {:.2}/s on average (least {:.2}, most {:.2})",
        total_frames as f64 / n / elapsed,
        min_frames as f64 / elapsed,
        max_frames as f64 / elapsed
    );
    println!(
        "before the span (prelude, first whole frame, warm-up): {:.0} bytes per session on average",
        startup.iter().sum::<u64>() as f64 / n
    );
    println!("serve's exit on SIGTERM: {status}");
    Ok(())
}
