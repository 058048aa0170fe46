//! What the request handlers share: the clock, the world, the faults, the keys and the log.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::feed::FeedKind;

use super::auth::Tokens;
use super::clock::SimClock;
use super::counter_reset::Baselines;
use super::faults::{FaultBoard, FaultKind, FaultSpec};
use super::idempotency::IdempotencyStore;
use super::world::World;

/// How often a hanging or stalled request looks again whether its fault is still on, for
/// scheduled faults that end with sim time (a manual clock does not announce its moves).
const FAULT_RECHECK: Duration = Duration::from_millis(200);

/// A control action the simulator applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRecord {
    /// The drop acted on.
    pub drop_id: String,
    /// What was done.
    pub action: ControlAction,
    /// The band made active, for [`ControlAction::PriceBand`].
    pub band: Option<String>,
    /// The key the request came with.
    pub idempotency_key: String,
    /// Sim time the action took effect.
    pub at: DateTime<Utc>,
}

/// The kind of a control action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction {
    /// `POST …/pause`.
    Pause,
    /// `POST …/resume`.
    Resume,
    /// `POST …/price-band`.
    PriceBand,
}

/// Locks a mutex, carrying on past a panic elsewhere: the data is plain counters, never left
/// half-updated by a panic in a way that matters more than serving on.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared by every request handler of one simulator.
#[derive(Debug)]
pub(crate) struct SimState {
    pub clock: SimClock,
    pub seed: u64,
    world: Mutex<World>,
    faults: Mutex<FaultBoard>,
    /// Bumped whenever faults are set or cleared, to wake hanging and stalled requests.
    faults_changed: watch::Sender<u64>,
    pub baselines: Mutex<Baselines>,
    pub idempotency: Arc<Mutex<IdempotencyStore>>,
    control_log: Mutex<Vec<ControlRecord>>,
    control_count: watch::Sender<usize>,
    /// Fresh control requests so far, for `drop-response` every Nth.
    pub control_requests: AtomicU64,
    pub tokens: Tokens,
}

impl SimState {
    pub fn new(
        clock: SimClock,
        world: World,
        faults: FaultBoard,
        tokens: Tokens,
        seed: u64,
    ) -> Self {
        SimState {
            clock,
            seed,
            world: Mutex::new(world),
            faults: Mutex::new(faults),
            faults_changed: watch::Sender::new(0),
            baselines: Mutex::new(Baselines::default()),
            idempotency: Arc::new(Mutex::new(IdempotencyStore::default())),
            control_log: Mutex::new(Vec::new()),
            control_count: watch::Sender::new(0),
            control_requests: AtomicU64::new(0),
            tokens,
        }
    }

    /// Whole sim seconds since the start (floor, also before it).
    pub fn sim_secs(&self) -> i64 {
        self.clock.elapsed().num_milliseconds().div_euclid(1000)
    }

    /// The world, integrated up to the clock's now.
    pub fn world(&self) -> MutexGuard<'_, World> {
        let mut world = lock(&self.world);
        world.advance_to(self.clock.now());
        world
    }

    /// The faults on `feed` now.
    pub fn active_faults(&self, feed: FeedKind) -> Vec<FaultKind> {
        lock(&self.faults).active(feed, self.sim_secs())
    }

    /// Every fault on now.
    pub fn all_active_faults(&self) -> Vec<FaultSpec> {
        lock(&self.faults).all_active(self.sim_secs())
    }

    /// Turns a fault on until cleared.
    pub fn set_fault(&self, spec: FaultSpec) {
        lock(&self.faults).set(spec);
        self.faults_changed.send_modify(|n| *n += 1);
    }

    /// Turns faults off: all, or those of one feed.
    pub fn clear_faults(&self, feed: Option<FeedKind>) {
        {
            let mut faults = lock(&self.faults);
            match feed {
                Some(feed) => faults.clear_feed(feed),
                None => faults.clear(),
            }
        }
        self.faults_changed.send_modify(|n| *n += 1);
    }

    /// Waits while a fault matching `is_it` is on `feed`.
    pub async fn wait_while(&self, feed: FeedKind, is_it: impl Fn(&FaultKind) -> bool) {
        let mut changed = self.faults_changed.subscribe();
        while self.active_faults(feed).iter().any(&is_it) {
            tokio::select! {
                _ = changed.changed() => {}
                () = tokio::time::sleep(FAULT_RECHECK) => {}
            }
        }
    }

    /// Records an applied control action.
    pub fn log_control(&self, record: ControlRecord) {
        let len = {
            let mut log = lock(&self.control_log);
            log.push(record);
            log.len()
        };
        self.control_count.send_replace(len);
    }

    /// Every applied control action, oldest first.
    pub fn control_log(&self) -> Vec<ControlRecord> {
        lock(&self.control_log).clone()
    }

    /// Waits until at least `len` control actions have been applied.
    pub async fn wait_for_control_log(&self, len: usize) {
        let mut count = self.control_count.subscribe();
        // The sender lives as long as `self`, so this only ends when the count is reached.
        let _ = count.wait_for(|n| *n >= len).await;
    }
}
