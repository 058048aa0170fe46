//! What it costs to keep dropday open: runs the real binary in a pseudo-terminal and reports
//! the bytes it writes to the terminal per second, the CPU it uses and its peak memory.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example pty_measure                  # 120×40 and 80×24, 60 s each
//! cargo run --release --example pty_measure -- --seconds 20 --sizes 120x40
//! cargo run --release --example pty_measure -- --external-sim  # client only, sim apart
//! cargo run --release --example pty_measure -- --dump /tmp/out # keep the bytes per size
//! ```
//!
//! Flags: `--bin PATH` (default `target/release/dropday`), `--seconds N` measured after
//! `--warmup N` seconds of start-up (default 60 and 5), `--sizes WxH,…`, `--poll DURATION`
//! (default `1s`), `--external-sim` (run `dropday sim` as its own process and `dropday run`
//! against it, so the figures are the control room's alone; by default `dropday demo`, whose
//! simulator runs inside the measured process), `--dump PREFIX` (write what the terminal
//! received to `PREFIX-WxH.bin`), and `-- ARGS` passed to dropday.
//!
//! Figures: bytes read from the pty master per second; CPU seconds from `/proc/<pid>/stat`
//! (utime + stime) over the measured span, as a share of one core; `VmHWM` (peak RSS) and `VmRSS`
//! from `/proc/<pid>/status` at the end. Linux only.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Options {
    bin: PathBuf,
    seconds: u64,
    warmup: u64,
    sizes: Vec<(u16, u16)>,
    poll: String,
    external_sim: bool,
    dump: Option<String>,
    extra: Vec<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        bin: PathBuf::from("target/release/dropday"),
        seconds: 60,
        warmup: 5,
        sizes: vec![(120, 40), (80, 24)],
        poll: "1s".to_owned(),
        external_sim: false,
        dump: None,
        extra: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--bin" => options.bin = PathBuf::from(value("--bin")?),
            "--seconds" => {
                options.seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?;
            }
            "--warmup" => {
                options.warmup = value("--warmup")?
                    .parse()
                    .map_err(|e| format!("--warmup: {e}"))?;
            }
            "--sizes" => {
                options.sizes = value("--sizes")?
                    .split(',')
                    .map(parse_size)
                    .collect::<Result<_, _>>()?;
            }
            "--poll" => options.poll = value("--poll")?,
            "--external-sim" => options.external_sim = true,
            "--dump" => options.dump = Some(value("--dump")?),
            "--" => {
                options.extra = args.by_ref().collect();
            }
            "-h" | "--help" => {
                return Err(
                    "usage: pty_measure [--bin PATH] [--seconds N] [--warmup N] \
                            [--sizes WxH,...] [--poll DURATION] [--external-sim] \
                            [--dump PREFIX] [-- DROPDAY-ARGS]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown flag {other} (try --help)")),
        }
    }
    if options.seconds == 0 {
        return Err("--seconds must be at least 1".to_owned());
    }
    Ok(options)
}

fn parse_size(text: &str) -> Result<(u16, u16), String> {
    let (w, h) = text
        .split_once('x')
        .ok_or(format!("size {text:?}: expected WxH"))?;
    let w = w.parse().map_err(|e| format!("size {text:?}: {e}"))?;
    let h = h.parse().map_err(|e| format!("size {text:?}: {e}"))?;
    Ok((w, h))
}

/// CPU time of a process in clock ticks (utime + stime).
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

/// A free loopback port (bound and released; the simulator takes it right after).
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct ExternalSim {
    child: Child,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for ExternalSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_external_sim(options: &Options) -> Result<ExternalSim, String> {
    let port = free_port().map_err(|e| format!("no free port: {e}"))?;
    let child = Command::new(&options.bin)
        .args(["sim", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {} sim: {e}", options.bin.display()))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = dir.path().join("config.toml");
    let url = format!("http://127.0.0.1:{port}");
    let text = format!(
        "[feeds.marketplace]\nurl = \"{url}\"\n[feeds.fulfilment]\nurl = \"{url}\"\n\
         [feeds.pos]\nurl = \"{url}\"\n[ui]\nenvironment = \"demo\"\n"
    );
    std::fs::write(&config, text).map_err(|e| e.to_string())?;
    // Wait until it listens.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("the simulator did not start listening within 10 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(ExternalSim {
        child,
        config,
        _dir: dir,
    })
}

struct Measured {
    size: (u16, u16),
    seconds: f64,
    bytes: u64,
    startup_bytes: u64,
    cpu_seconds: f64,
    hwm_kb: u64,
    rss_kb: u64,
    busiest_second: u64,
    quietest_second: u64,
}

fn measure(options: &Options, size: (u16, u16)) -> Result<Measured, String> {
    let sim = if options.external_sim {
        Some(start_external_sim(options)?)
    } else {
        None
    };
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: size.1,
            cols: size.0,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| format!("openpty: {e}"))?;
    let mut command = CommandBuilder::new(&options.bin);
    match &sim {
        Some(sim) => {
            command.arg("run");
            command.arg("--config");
            command.arg(&sim.config);
        }
        None => command.arg("demo"),
    }
    command.args(["--poll", &options.poll]);
    command.args(&options.extra);
    command.env("TERM", "xterm-256color");
    command.env_remove("NO_COLOR");
    // The audit log and any user config stay out of the way.
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    command.env("HOME", home.path());
    command.env("XDG_STATE_HOME", home.path());
    command.env("XDG_CONFIG_HOME", home.path());
    command.env_remove("DROPDAY_CONFIG");
    let mut child = pty
        .slave
        .spawn_command(command)
        .map_err(|e| format!("cannot start {}: {e}", options.bin.display()))?;
    drop(pty.slave);
    let pid = child.process_id().ok_or("no pid")?;

    let total = Arc::new(AtomicU64::new(0));
    let mut reader = pty.master.try_clone_reader().map_err(|e| e.to_string())?;
    let mut writer = pty.master.take_writer().map_err(|e| e.to_string())?;
    let (dump_tx, dump_rx) = mpsc::channel::<Vec<u8>>();
    let keep = options.dump.is_some();
    let counter = Arc::clone(&total);
    let reading = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                    if keep {
                        let _ = dump_tx.send(buf[..n].to_vec());
                    }
                }
            }
        }
    });

    std::thread::sleep(Duration::from_secs(options.warmup));
    let ticks0 = cpu_ticks(pid).ok_or("the process ended during start-up")?;
    let bytes0 = total.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut per_second = Vec::new();
    let mut last = bytes0;
    for s in 1..=options.seconds {
        let target = started + Duration::from_secs(s);
        std::thread::sleep(target.saturating_duration_since(Instant::now()));
        let now = total.load(Ordering::Relaxed);
        per_second.push(now - last);
        last = now;
    }
    let seconds = started.elapsed().as_secs_f64();
    let ticks1 = cpu_ticks(pid).ok_or("the process ended while measured")?;
    let bytes1 = total.load(Ordering::Relaxed);
    let hwm_kb = status_kb(pid, "VmHWM:").unwrap_or(0);
    let rss_kb = status_kb(pid, "VmRSS:").unwrap_or(0);

    // Leave as an operator would.
    let _ = writer.write_all(b"q");
    let _ = writer.flush();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(writer);
    drop(pty.master);
    let _ = reading.join();
    drop(sim);
    if let Some(prefix) = &options.dump {
        let bytes: Vec<u8> = dump_rx.try_iter().flatten().collect();
        let path = format!("{prefix}-{}x{}.bin", size.0, size.1);
        std::fs::write(&path, bytes).map_err(|e| format!("{path}: {e}"))?;
        eprintln!("wrote {path}");
    }
    let cpu_seconds = (ticks1 - ticks0) as f64 / clock_ticks_per_second() as f64;
    Ok(Measured {
        size,
        seconds,
        bytes: bytes1 - bytes0,
        startup_bytes: bytes0,
        cpu_seconds,
        hwm_kb,
        rss_kb,
        busiest_second: per_second.iter().copied().max().unwrap_or(0),
        quietest_second: per_second.iter().copied().min().unwrap_or(0),
    })
}

fn main() {
    let mut options = match parse_args() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("pty_measure: {e}");
            std::process::exit(2);
        }
    };
    // The pty's spawner looks a relative name up in PATH: make it absolute.
    options.bin = match std::fs::canonicalize(&options.bin) {
        Ok(path) => path,
        Err(e) => {
            eprintln!(
                "pty_measure: {}: {e}; build it first (cargo build --release)",
                options.bin.display()
            );
            std::process::exit(2);
        }
    };
    let what = if options.external_sim {
        "dropday run (simulator in its own process)"
    } else {
        "dropday demo (simulator in the same process)"
    };
    println!(
        "{what}, --poll {}, {} s measured after {} s of start-up",
        options.poll, options.seconds, options.warmup
    );
    println!(
        "{:>7} {:>10} {:>12} {:>9} {:>10} {:>9} {:>9} {:>14}",
        "size", "bytes/s", "min/max 1 s", "cpu %", "cpu s", "peak MB", "rss MB", "start-up bytes"
    );
    let mut failed = false;
    for &size in &options.sizes {
        match measure(&options, size) {
            Ok(m) => {
                let rate = m.bytes as f64 / m.seconds;
                let (hwm, rss) = (m.hwm_kb as f64 / 1024.0, m.rss_kb as f64 / 1024.0);
                println!(
                    "{:>7} {:>10.0} {:>12} {:>9.2} {:>10.2} {:>9.1} {:>9.1} {:>14}",
                    format!("{}x{}", m.size.0, m.size.1),
                    rate,
                    format!("{}/{}", m.quietest_second, m.busiest_second),
                    m.cpu_seconds / m.seconds * 100.0,
                    m.cpu_seconds,
                    hwm,
                    rss,
                    m.startup_bytes,
                );
            }
            Err(e) => {
                eprintln!("pty_measure: {}x{}: {e}", size.0, size.1);
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
