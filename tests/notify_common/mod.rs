//! Shared by the alert-delivery tests: a simulator with a hub whose carrier stays away (so
//! its orders go overdue) on a manual clock, `dropday serve` as a child process, real
//! Prometheus-org programs started on loopback ports, and local receivers that record what
//! they were sent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dropday::sim::{ClockMode, RunningSim, ScenarioSource, SimOptions, start};

/// Longest wait for another process to do something (start, push, scrape).
pub const DEADLINE: Duration = Duration::from_secs(60);

/// One hub, `hot-1`, taking every order of one drop; its carrier does not come from minute 1
/// to minute 8, and orders are due 5 minutes after they are placed: at minute 7 it has orders
/// overdue, and once the carrier is back it ships 500 a minute, so by minute 17 none are.
pub const HOT_HUB: &str = r#"
[scenario]
name = "hot-hub"
description = "One hub whose carrier stays away for seven minutes, then catches up"
history = "30m"
seed = 5
noise = 0.0

[[drops]]
id = "tee-1"
title = "Tee"
sku = "TE-1"
opens = "-30m"
closes = "3h"
currency = "USD"
allocated = 100000
active_band = "A"
margin_floor_pct = 10.0
cart_rate = 0.1
units_per_order = 1.0
demand = [{ at = "-30m", per_min = 1000 }]

[[drops.bands]]
id = "A"
price_minor = 3000
unit_cost_minor = 1000
conversion = 0.05

[[hubs]]
id = "hot-1"
name = "Hot hub"
drop_ids = ["tee-1"]
share = 1.0
contracted_units = 100000
min_commit_units = 10
window_start = "-30m"
window_end = "3h"
currency = "USD"
overage_cost_minor = 100
unused_penalty_minor = 10
ship_within = "5m"
target_pct = 50.0
pick_per_min = 500.0
pack_per_min = 500.0
ship_per_min = 500.0
carrier_outages = [{ from = "1m", until = "8m" }]
"#;

/// The simulator on a manual clock (the test moves it; nothing waits for wall time to pass
/// in the world) at a loopback ephemeral port.
pub async fn hot_hub_sim() -> RunningSim {
    start(SimOptions {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        clock: ClockMode::Manual {
            start: chrono::Utc::now(),
        },
        ..SimOptions::new(ScenarioSource::Inline {
            origin: "hot-hub".into(),
            toml: HOT_HUB.into(),
        })
    })
    .await
    .expect("simulator starts")
}

/// A config for `dropday serve` against `sim` (polls every 200 ms, orders-overdue alerts
/// raised and cleared at once), plus `extra`.
pub fn serve_config(dir: &Path, sim: &RunningSim, extra: &str) -> PathBuf {
    let base = sim.base_url();
    let text = format!(
        "audit_log = \"{audit}\"\n\n\
         [feeds.marketplace]\nurl = \"{base}\"\npoll = \"200ms\"\n\
         [feeds.fulfilment]\nurl = \"{base}\"\npoll = \"200ms\"\n\
         [feeds.pos]\nurl = \"{base}\"\npoll = \"200ms\"\n\n\
         [ui]\nenvironment = \"it\"\nread_only = true\n\n\
         [alerts.kinds.orders_overdue]\nfor = \"0s\"\nkeep_firing_for = \"0s\"\n\n{extra}",
        audit = dir.join("audit.jsonl").display()
    );
    let path = dir.join("dropday.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A child process whose stderr is collected line by line; killed when dropped.
pub struct Process {
    pub child: Child,
    pub stderr: Arc<Mutex<Vec<String>>>,
    pub name: String,
}

impl Process {
    pub fn spawn(name: &str, command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let pipe = child.stderr.take().unwrap();
        let lines = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            stderr,
            name: name.to_owned(),
        }
    }

    /// `dropday serve --config CONFIG ARGS…`, with its own HOME.
    pub fn dropday_serve(home: &Path, config: &Path, args: &[&str]) -> Self {
        Self::spawn(
            "dropday serve",
            Command::new(env!("CARGO_BIN_EXE_dropday"))
                .args(["serve", "--config"])
                .arg(config)
                .args(args)
                .env_clear()
                .env("PATH", "/usr/local/bin:/usr/bin:/bin")
                .env("HOME", home)
                .env("XDG_STATE_HOME", home.join("state")),
        )
    }

    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// The first stderr line containing `text`, waiting up to [`DEADLINE`].
    pub async fn wait_for_line(&self, text: &str) -> String {
        wait_for(
            &format!("{text:?} on {}'s stderr", self.name),
            || {
                let line = self
                    .stderr
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|l| l.contains(text))
                    .cloned();
                async move { line }
            },
            || self.log(),
        )
        .await
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port free now (bound and released), for programs that take a port, not a
/// socket.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Which program of the Prometheus org to run: the Debian name, else the upstream one.
pub fn program(debian: &str, upstream: &str) -> String {
    for name in [debian, upstream] {
        let found = std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()));
        if found {
            return name.to_owned();
        }
    }
    panic!(
        "neither {debian} nor {upstream} is installed: .ci/run installs Debian's packages \
         (apt-get install prometheus-alertmanager prometheus)"
    )
}

/// GET `url` as JSON, `None` while the server is not answering (or not with 2xx JSON).
pub async fn get_json(url: &str) -> Option<serde_json::Value> {
    let response = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    serde_json::from_str(&response.text().await.ok()?).ok()
}

/// Calls `probe` every 100 ms until it gives `Some`, for at most [`DEADLINE`]; panics with
/// `what` and `context()` after.
pub async fn wait_for<T, F, Fut>(what: &str, mut probe: F, context: impl Fn() -> String) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} within {DEADLINE:?}\n{}",
            context()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a receiver answers to the n-th request (0-based) with this body.
pub type Answer = Arc<dyn Fn(usize, &serde_json::Value) -> Response + Send + Sync>;

/// An answer of `status` with an empty body, to every request.
pub fn always(status: StatusCode) -> Answer {
    Arc::new(move |_, _| status.into_response())
}

/// A local HTTP receiver that records every JSON body posted to it.
pub struct Receiver {
    pub addr: SocketAddr,
    pub bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct ReceiverState {
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    answer: Answer,
    hang: bool,
}

async fn receive(State(state): State<ReceiverState>, body: Bytes) -> Response {
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let n = {
        let mut bodies = state.bodies.lock().unwrap();
        bodies.push(value.clone());
        bodies.len() - 1
    };
    if state.hang {
        // A sink that never answers: held until the client gives up.
        std::future::pending::<()>().await;
    }
    (state.answer)(n, &value)
}

impl Receiver {
    /// Starts on 127.0.0.1:0; `answer` decides each reply.
    pub async fn start(answer: Answer) -> Self {
        Self::start_with(answer, false).await
    }

    /// A receiver that records the request and never answers.
    pub async fn hanging() -> Self {
        Self::start_with(always(StatusCode::OK), true).await
    }

    async fn start_with(answer: Answer, hang: bool) -> Self {
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(receive).with_state(ReceiverState {
            bodies: bodies.clone(),
            answer,
            hang,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, bodies, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.bodies.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}
