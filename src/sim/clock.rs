//! The simulator's clock: wall time scaled by a speed factor, or a manual clock that tests move.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

/// How the simulator's clock runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockMode {
    /// Wall time from the moment the simulator starts, scaled by `SimOptions::speed`.
    Wall,
    /// Stands still at `start` until [`SimClock::advance`] moves it; tests never sleep.
    Manual {
        /// The sim time it stands at until advanced.
        start: DateTime<Utc>,
    },
}

impl ClockMode {
    /// A manual clock at a fixed, round instant, so test output is reproducible.
    #[must_use]
    pub fn manual_fixed() -> Self {
        let start = DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
            .map_or_else(|_| Utc::now(), |t| t.with_timezone(&Utc));
        ClockMode::Manual { start }
    }
}

/// The simulator's notion of "now". Cheap to clone; clones share one clock.
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<ClockInner>,
}

#[derive(Debug)]
struct ClockInner {
    /// Sim time 0: scenario offsets are relative to this instant.
    start: DateTime<Utc>,
    running: Option<WallRun>,
    /// Sim time added by [`SimClock::advance`] (the whole of sim time for a manual clock).
    jumped: Mutex<TimeDelta>,
}

#[derive(Debug)]
struct WallRun {
    since: Instant,
    /// Sim seconds per wall second.
    speed: f64,
}

impl SimClock {
    /// A clock that follows wall time from now, `speed` sim seconds per wall second.
    #[must_use]
    pub fn wall(speed: f64) -> Self {
        SimClock {
            inner: Arc::new(ClockInner {
                start: Utc::now(),
                running: Some(WallRun {
                    since: Instant::now(),
                    speed,
                }),
                jumped: Mutex::new(TimeDelta::zero()),
            }),
        }
    }

    /// A clock standing at `start` until it is advanced.
    #[must_use]
    pub fn manual(start: DateTime<Utc>) -> Self {
        SimClock {
            inner: Arc::new(ClockInner {
                start,
                running: None,
                jumped: Mutex::new(TimeDelta::zero()),
            }),
        }
    }

    /// A clock for `mode` (`speed` only matters for wall time).
    #[must_use]
    pub fn from_mode(mode: ClockMode, speed: f64) -> Self {
        match mode {
            ClockMode::Wall => SimClock::wall(speed),
            ClockMode::Manual { start } => SimClock::manual(start),
        }
    }

    /// Sim time 0, the instant scenario offsets are relative to.
    #[must_use]
    pub fn start(&self) -> DateTime<Utc> {
        self.inner.start
    }

    /// The current sim time.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.start + self.elapsed()
    }

    /// Sim time since [`SimClock::start`].
    #[must_use]
    pub fn elapsed(&self) -> TimeDelta {
        let jumped = *self
            .inner
            .jumped
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let running = self
            .inner
            .running
            .as_ref()
            .map_or(TimeDelta::zero(), |run| {
                let wall = run.since.elapsed().as_secs_f64() * run.speed;
                // Milliseconds keep the conversion exact enough and far from overflow.
                TimeDelta::milliseconds((wall * 1000.0) as i64)
            });
        jumped + running
    }

    /// Moves sim time forward by `by`. On a wall clock this jumps ahead and keeps running.
    pub fn advance(&self, by: Duration) {
        let delta = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        let mut jumped = self
            .inner
            .jumped
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *jumped = jumped.checked_add(&delta).unwrap_or(*jumped);
    }

    /// Whether the clock only moves through [`SimClock::advance`].
    #[must_use]
    pub fn is_manual(&self) -> bool {
        self.inner.running.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let ClockMode::Manual { start } = ClockMode::manual_fixed() else {
            panic!("manual_fixed is manual");
        };
        let clock = SimClock::manual(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), start + TimeDelta::seconds(90));
        assert!(clock.is_manual());
    }

    #[test]
    fn wall_clock_jumps_ahead_when_advanced() {
        let clock = SimClock::wall(1.0);
        clock.advance(Duration::from_secs(3600));
        assert!(clock.elapsed() >= TimeDelta::seconds(3600));
    }
}
