//! Failed authentication attempts, counted per source address: an address that fails too often
//! in a window is turned away at connect, before any cryptography is spent on it, until the
//! window has passed. Time is a parameter so the rules are tested without waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failures allowed per address in one window (sshd's `MaxAuthTries` default is 6 per
/// connection; this spans connections).
pub const MAX_FAILURES: u32 = 10;
/// The window failures are counted over.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; beyond it the oldest windows are forgotten first.
const MAX_TRACKED: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Per-address failure windows.
#[derive(Debug)]
pub struct FailedAuthLimiter {
    max_failures: u32,
    window: Duration,
    addresses: HashMap<IpAddr, Window>,
}

impl Default for FailedAuthLimiter {
    fn default() -> Self {
        Self::new(MAX_FAILURES, WINDOW)
    }
}

impl FailedAuthLimiter {
    /// A limiter allowing `max_failures` per address in any `window`.
    #[must_use]
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            addresses: HashMap::new(),
        }
    }

    /// Counts one failed attempt from `addr`.
    pub fn record_failure(&mut self, addr: IpAddr, now: Instant) {
        let addr = addr.to_canonical();
        self.forget_old(now);
        let window = self.addresses.entry(addr).or_insert(Window {
            started: now,
            failures: 0,
        });
        window.failures = window.failures.saturating_add(1);
        if self.addresses.len() > MAX_TRACKED
            && let Some(oldest) = self
                .addresses
                .iter()
                .min_by_key(|(_, w)| w.started)
                .map(|(a, _)| *a)
        {
            self.addresses.remove(&oldest);
        }
    }

    /// Whether `addr` is turned away now.
    #[must_use]
    pub fn is_blocked(&self, addr: IpAddr, now: Instant) -> bool {
        self.addresses.get(&addr.to_canonical()).is_some_and(|w| {
            now.duration_since(w.started) < self.window && w.failures >= self.max_failures
        })
    }

    /// Addresses with a live window.
    #[must_use]
    pub fn tracked(&self) -> usize {
        self.addresses.len()
    }

    fn forget_old(&mut self, now: Instant) {
        let window = self.window;
        self.addresses
            .retain(|_, w| now.duration_since(w.started) < window);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn too_many_failures_block_until_the_window_passes() {
        let start = Instant::now();
        let at = |secs| start + Duration::from_secs(secs);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let mut limiter = FailedAuthLimiter::new(3, Duration::from_secs(60));
        // (seconds, address, record a failure?, blocked after?)
        let steps: &[(u64, IpAddr, bool, bool)] = &[
            (0, a, true, false),
            (1, a, true, false),
            (2, a, true, true),
            (3, b, false, false),
            (30, a, false, true),
            (59, a, false, true),
            (60, a, false, false),
            (61, a, true, false),
        ];
        for (secs, addr, fail, blocked) in steps {
            if *fail {
                limiter.record_failure(*addr, at(*secs));
            }
            assert_eq!(
                limiter.is_blocked(*addr, at(*secs)),
                *blocked,
                "t={secs}s {addr}"
            );
        }
    }

    #[test]
    fn v4_mapped_addresses_count_as_the_v4_address() {
        let mut limiter = FailedAuthLimiter::new(1, Duration::from_secs(60));
        let now = Instant::now();
        limiter.record_failure("::ffff:192.0.2.1".parse().unwrap(), now);
        assert!(limiter.is_blocked("192.0.2.1".parse().unwrap(), now));
    }

    #[test]
    fn memory_is_bounded() {
        let mut limiter = FailedAuthLimiter::default();
        let now = Instant::now();
        for n in 0..10_000u32 {
            limiter.record_failure(IpAddr::from(n.to_be_bytes()), now);
        }
        assert!(limiter.tracked() <= MAX_TRACKED);
    }
}
