//! What one control room asks of the feeds: requests per second and bytes on the wire, with
//! the default settings (every feed polled each second) against the simulator, once while the
//! drop moves (every document differs: full bodies) and once with the simulator's clock
//! stopped (nothing changes: `If-None-Match` gets `304 Not Modified`).
//!
//! ```text
//! cargo run --release --example fanout               # 30 s each
//! cargo run --release --example fanout -- --seconds 60 --scenario popup-day
//! ```
//!
//! The simulator runs in this process; a small TCP proxy between it and the pollers counts
//! the requests and every byte each way (HTTP heads included). The pollers are the program's
//! own (`dropday::feed::poller`), with the defaults of `FeedEndpoint::with_defaults`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use dropday::feed::FeedKind;
use dropday::feed::client::FeedEndpoint;
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::poller::{DEFAULT_MAX_BACKOFF, spawn_pollers};
use dropday::sim::{self, ClockMode, ScenarioSource, SimOptions};

#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    ok: AtomicU64,
    not_modified: AtomicU64,
    up_bytes: AtomicU64,
    down_bytes: AtomicU64,
    connections: AtomicU64,
}

/// Occurrences of `needle` in `carry + chunk`, keeping the tail for the next chunk so a match
/// split between two reads is still found.
fn count(carry: &mut Vec<u8>, chunk: &[u8], needle: &[u8]) -> u64 {
    carry.extend_from_slice(chunk);
    let hits = carry
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count() as u64;
    let keep = needle.len().saturating_sub(1).min(carry.len());
    carry.drain(..carry.len() - keep);
    hits
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counts: Arc<Counts>,
    upstream: bool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let (mut carry_a, mut carry_b) = (Vec::new(), Vec::new());
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        if upstream {
            counts.up_bytes.fetch_add(n as u64, Ordering::Relaxed);
            let requests = count(&mut carry_a, chunk, b"GET /v1/");
            counts.requests.fetch_add(requests, Ordering::Relaxed);
        } else {
            counts.down_bytes.fetch_add(n as u64, Ordering::Relaxed);
            let ok = count(&mut carry_a, chunk, b"HTTP/1.1 200");
            let not_modified = count(&mut carry_b, chunk, b"HTTP/1.1 304");
            counts.ok.fetch_add(ok, Ordering::Relaxed);
            counts
                .not_modified
                .fetch_add(not_modified, Ordering::Relaxed);
        }
        if to.write_all(chunk).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// A counting proxy to `upstream`; returns its address.
async fn proxy(upstream: String, counts: Arc<Counts>) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(&upstream).await else {
                continue;
            };
            counts.connections.fetch_add(1, Ordering::Relaxed);
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pipe(client_read, server_write, Arc::clone(&counts), true));
            tokio::spawn(pipe(server_read, client_write, Arc::clone(&counts), false));
        }
    });
    Ok(format!("http://{addr}"))
}

struct Outcome {
    label: &'static str,
    seconds: f64,
    requests: u64,
    ok: u64,
    not_modified: u64,
    up: u64,
    down: u64,
    connections: u64,
    documents: u64,
    unchanged: u64,
    failed: u64,
}

async fn measure(
    label: &'static str,
    scenario: &str,
    clock: ClockMode,
    seconds: u64,
) -> Result<Outcome, String> {
    let mut options = SimOptions::new(ScenarioSource::from_arg(scenario));
    options.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    options.clock = clock;
    let sim = sim::start(options).await.map_err(|e| e.to_string())?;
    let upstream = sim
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let counts = Arc::new(Counts::default());
    let url = proxy(upstream, Arc::clone(&counts))
        .await
        .map_err(|e| e.to_string())?;
    let endpoints = FeedKind::ALL
        .into_iter()
        .map(|kind| FeedEndpoint::with_defaults(kind, &url))
        .collect();
    let (tx, mut rx) = mpsc::channel::<PollReport>(64);
    let pollers = spawn_pollers(endpoints, DEFAULT_MAX_BACKOFF, tx)?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let (mut documents, mut unchanged, mut failed) = (0, 0, 0);
    while let Ok(Some(report)) = tokio::time::timeout(
        deadline.saturating_duration_since(Instant::now()),
        rx.recv(),
    )
    .await
    {
        match report.outcome {
            PollOutcome::NotModified => unchanged += 1,
            PollOutcome::Failed(_) => failed += 1,
            _ => documents += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(pollers);
    sim.shutdown().await;
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    Ok(Outcome {
        label,
        seconds: elapsed,
        requests: load(&counts.requests),
        ok: load(&counts.ok),
        not_modified: load(&counts.not_modified),
        up: load(&counts.up_bytes),
        down: load(&counts.down_bytes),
        connections: load(&counts.connections),
        documents,
        unchanged,
        failed,
    })
}

#[tokio::main]
async fn main() {
    let mut seconds = 30;
    let mut scenario = "launch".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--seconds", Some(v)) => seconds = v.parse().unwrap_or(seconds),
            ("--scenario", Some(v)) => scenario = v,
            _ => {
                eprintln!("usage: fanout [--seconds N] [--scenario NAME|FILE]");
                std::process::exit(2);
            }
        }
    }
    println!(
        "one control room, default settings (each feed polled every 1 s), scenario {scenario}, \
         {seconds} s per case"
    );
    println!(
        "{:<34} {:>8} {:>6} {:>6} {:>11} {:>11} {:>6} {:>8}",
        "case", "req/s", "200", "304", "down B/s", "up B/s", "conns", "failed"
    );
    let cases = [
        ("documents change (wall clock)", ClockMode::Wall),
        ("nothing changes (clock stopped)", ClockMode::manual_fixed()),
    ];
    for (label, clock) in cases {
        match measure(label, &scenario, clock, seconds).await {
            Ok(o) => {
                let per_s = |n: u64| n as f64 / o.seconds;
                println!(
                    "{:<34} {:>8.2} {:>6} {:>6} {:>11.0} {:>11.0} {:>6} {:>8}",
                    o.label,
                    per_s(o.requests),
                    o.ok,
                    o.not_modified,
                    per_s(o.down),
                    per_s(o.up),
                    o.connections,
                    o.failed
                );
                if o.documents + o.unchanged + o.failed == 0 {
                    eprintln!("fanout: no poll report arrived");
                }
            }
            Err(e) => {
                eprintln!("fanout: {label}: {e}");
                std::process::exit(1);
            }
        }
    }
}
