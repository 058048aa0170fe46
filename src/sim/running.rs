//! Starting the simulator and the handle to a running one.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::feed::FeedKind;
use crate::feed::wire;

use super::auth::Tokens;
use super::clock::{ClockMode, SimClock};
use super::error::SimError;
use super::faults::{FaultBoard, FaultKind, FaultSpec};
use super::scenario::{Scenario, ScenarioSource};
use super::state::{ControlRecord, SimState};
use super::world::World;
use super::{listener, server};

/// How to run the simulator. `Debug` is written by hand so it never prints the tokens.
#[derive(Clone)]
pub struct SimOptions {
    /// What to play.
    pub scenario: ScenarioSource,
    /// Sim seconds per wall second (wall clock only).
    pub speed: f64,
    /// Where to listen; with `port_per_feed`, the first of three consecutive ports (or three
    /// ephemeral ports for port 0).
    pub listen: SocketAddr,
    /// Serve each feed on its own port instead of all three on one.
    pub port_per_feed: bool,
    /// Token that may read; with any token set, reads need one.
    pub read_token: Option<String>,
    /// Token that may operate (and read).
    pub operate_token: Option<String>,
    /// Faults on from the start until cleared.
    pub faults: Vec<FaultSpec>,
    /// Wall time (scaled by `speed`) or a manual clock that only [`SimClock::advance`] moves.
    pub clock: ClockMode,
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |token: &Option<String>| token.as_ref().map(|_| "***");
        f.debug_struct("SimOptions")
            .field("scenario", &self.scenario)
            .field("speed", &self.speed)
            .field("listen", &self.listen)
            .field("port_per_feed", &self.port_per_feed)
            .field("read_token", &hidden(&self.read_token))
            .field("operate_token", &hidden(&self.operate_token))
            .field("faults", &self.faults)
            .field("clock", &self.clock)
            .finish()
    }
}

impl SimOptions {
    /// Wall clock at speed 1 on `127.0.0.1:7070`, no tokens, no faults.
    #[must_use]
    pub fn new(scenario: ScenarioSource) -> Self {
        SimOptions {
            scenario,
            speed: 1.0,
            listen: SocketAddr::from(([127, 0, 0, 1], 7070)),
            port_per_feed: false,
            read_token: None,
            operate_token: None,
            faults: Vec::new(),
            clock: ClockMode::Wall,
        }
    }

    /// For tests: a manual clock at a fixed instant on an ephemeral loopback port.
    #[must_use]
    pub fn for_tests(scenario: ScenarioSource) -> Self {
        SimOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: ClockMode::manual_fixed(),
            ..SimOptions::new(scenario)
        }
    }
}

/// A running simulator. Dropping it without [`RunningSim::shutdown`] also stops the server
/// (the listeners end when the shutdown sender goes).
#[derive(Debug)]
pub struct RunningSim {
    state: Arc<SimState>,
    scenario: Scenario,
    /// Address of each feed, in [`FeedKind::ALL`] order (the same one thrice on one port).
    feed_addrs: [SocketAddr; 3],
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts the simulator: loads the scenario, simulates its history and starts serving.
///
/// # Errors
/// When the scenario cannot be loaded, the speed is not positive, or a port cannot be bound.
pub async fn start(opts: SimOptions) -> Result<RunningSim, SimError> {
    if !(opts.speed.is_finite() && opts.speed > 0.0) {
        return Err(SimError::Speed(opts.speed));
    }
    let scenario = opts.scenario.load()?;
    let clock = SimClock::from_mode(opts.clock, opts.speed);
    let world = World::new(&scenario, clock.start());
    let mut board = FaultBoard::new(scenario.faults.clone());
    for spec in opts.faults {
        board.set(spec);
    }
    let tokens = Tokens {
        read: opts.read_token,
        operate: opts.operate_token,
    };
    let state = Arc::new(SimState::new(clock, world, board, tokens, scenario.seed));

    let groups: Vec<(SocketAddr, Vec<FeedKind>)> = if opts.port_per_feed {
        FeedKind::ALL
            .iter()
            .enumerate()
            .map(|(i, feed)| {
                let mut addr = opts.listen;
                if addr.port() != 0 {
                    addr.set_port(addr.port().saturating_add(i as u16));
                }
                (addr, vec![*feed])
            })
            .collect()
    } else {
        vec![(opts.listen, FeedKind::ALL.to_vec())]
    };
    let (shutdown, _) = watch::channel(false);
    let mut feed_addrs = [opts.listen; 3];
    let mut tasks = Vec::new();
    for (addr, feeds) in groups {
        let tcp = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let bound = tcp
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        for feed in &feeds {
            if let Some(i) = FeedKind::ALL.iter().position(|f| f == feed) {
                feed_addrs[i] = bound;
            }
        }
        let router = server::router(Arc::clone(&state), &feeds);
        tasks.push(tokio::spawn(listener::serve(
            tcp,
            router,
            shutdown.subscribe(),
        )));
    }
    Ok(RunningSim {
        state,
        scenario,
        feed_addrs,
        shutdown,
        tasks,
    })
}

/// `http://ADDR`, with an unspecified listen address shown as loopback so it can be pasted.
fn url_of(addr: SocketAddr) -> String {
    let mut shown = addr;
    if shown.ip().is_unspecified() {
        shown.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{shown}")
}

impl RunningSim {
    /// The marketplace feed's base URL (every feed's, when they share a port).
    #[must_use]
    pub fn base_url(&self) -> String {
        self.feed_url(FeedKind::Marketplace)
    }

    /// A feed's base URL; append [`FeedKind::path`].
    #[must_use]
    pub fn feed_url(&self, feed: FeedKind) -> String {
        url_of(self.feed_addr(feed))
    }

    /// The marketplace feed's address (every feed's, when they share a port).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.feed_addr(FeedKind::Marketplace)
    }

    /// A feed's address.
    #[must_use]
    pub fn feed_addr(&self, feed: FeedKind) -> SocketAddr {
        let i = FeedKind::ALL.iter().position(|f| *f == feed).unwrap_or(0);
        self.feed_addrs[i]
    }

    /// The sim clock; [`super::SimClock::advance`] moves it (and the world with it).
    #[must_use]
    pub fn clock(&self) -> &SimClock {
        &self.state.clock
    }

    /// The scenario being played.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Turns a fault on for `feed` until cleared (replacing one of the same kind there).
    ///
    /// # Errors
    /// When a control-only fault (`drop-response`, `stall`) is set on another feed than the
    /// marketplace.
    pub fn set_fault(&self, feed: FeedKind, kind: FaultKind) -> Result<(), SimError> {
        let spelling = format!("{feed}:{kind}");
        let spec = FaultSpec::for_feed(feed, kind).map_err(|message| SimError::Fault {
            spec: spelling,
            message,
        })?;
        self.state.set_fault(spec);
        Ok(())
    }

    /// Turns every fault off, the scenario's scheduled ones included.
    pub fn clear_faults(&self) {
        self.state.clear_faults(None);
    }

    /// The faults on now.
    #[must_use]
    pub fn active_faults(&self) -> Vec<FaultSpec> {
        self.state.all_active_faults()
    }

    /// A drop as it is now (without faults), when it exists.
    #[must_use]
    pub fn drop_state(&self, id: &str) -> Option<wire::Drop> {
        self.state.world().drop_by_id(id)
    }

    /// Every control action applied so far, oldest first.
    #[must_use]
    pub fn control_log(&self) -> Vec<ControlRecord> {
        self.state.control_log()
    }

    /// Waits until at least `len` control actions have been applied (no polling, no sleeps).
    pub async fn wait_for_control_log(&self, len: usize) {
        self.state.wait_for_control_log(len).await;
    }

    /// Stops serving: open connections, hanging requests included, are cut.
    pub async fn shutdown(self) {
        self.shutdown.send_replace(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                log::warn!("sim: a listener task ended badly: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ScenarioSource, SimOptions};

    #[test]
    fn debug_output_never_shows_the_tokens() {
        let mut options = SimOptions::for_tests(ScenarioSource::Builtin("launch".to_owned()));
        options.read_token = Some("read-SECRET-1".to_owned());
        options.operate_token = Some("operate-SECRET-2".to_owned());
        let text = format!("{options:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("read_token: Some(\"***\")"), "{text}");
    }
}
