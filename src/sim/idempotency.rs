//! Idempotency keys of control requests: the first answer is kept and replayed for retries.
//!
//! Rules (FEEDS.md): same key + same request → the first answer again, nothing applied twice;
//! same key + a different request (path or body) → `422 idempotency_mismatch`; a key whose first
//! request is still running → `409 request_in_progress`. Keys are kept at least 24 hours of both
//! sim and wall time (a fast sim clock must not shorten a real retry window). The store is
//! bounded: past [`MAX_KEYS`] the oldest finished keys go first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 255;
/// Seconds (of sim time and of wall time) a finished key is kept.
pub const RETENTION_S: i64 = 24 * 3600;
const RETENTION_WALL: Duration = Duration::from_secs(24 * 3600);

/// When something happened, on both clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Sim seconds since the start.
    pub sim_s: i64,
    /// Wall clock, for the real-time half of the retention rule.
    pub wall: Instant,
}

impl Stamp {
    fn is_retention_past(self, since: Stamp) -> bool {
        self.sim_s - since.sim_s >= RETENTION_S
            && self.wall.saturating_duration_since(since.wall) >= RETENTION_WALL
    }
}
/// Most keys kept at once; about 30 MB at the longest keys.
pub const MAX_KEYS: usize = 100_000;

/// An answer kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status of the first answer.
    pub status: u16,
    /// Its body, byte for byte.
    pub body: Vec<u8>,
}

/// What a control request is, for telling a retry from a different request under the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIdentity {
    /// The request's path (which drop, which action).
    pub path: String,
    /// The request's body.
    pub body: Vec<u8>,
}

#[derive(Debug)]
enum Slot {
    InProgress,
    Done(StoredResponse),
}

#[derive(Debug)]
struct Entry {
    identity: RequestIdentity,
    /// When the key was first seen.
    since: Stamp,
    slot: Slot,
}

/// What to do with a control request, given its key.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// First time: apply it, then finish the key.
    Fresh,
    /// A retry of a finished request: send this again.
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// The key's first request has not finished.
    InProgress,
}

/// Keys and their first answers.
#[derive(Debug, Default)]
pub struct IdempotencyStore {
    entries: HashMap<String, Entry>,
    /// Keys in the order first seen, with that time, for expiry and eviction.
    arrival: VecDeque<(String, Stamp)>,
}

/// Checks an `Idempotency-Key` header value.
///
/// # Errors
/// Why the key is not acceptable (empty, too long, not printable ASCII); the message is for
/// the caller.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("the Idempotency-Key header is empty; send a fresh UUID v4".to_owned());
    }
    if key.len() > MAX_KEY_LEN {
        return Err(format!(
            "the Idempotency-Key is {} characters; at most {MAX_KEY_LEN} are accepted",
            key.len()
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the Idempotency-Key must be printable ASCII without spaces".to_owned());
    }
    Ok(())
}

impl IdempotencyStore {
    /// Admits a request under `key` at `now`.
    pub fn admit(&mut self, key: &str, identity: RequestIdentity, now: Stamp) -> Admission {
        self.expire(now);
        if let Some(entry) = self.entries.get(key) {
            if entry.identity != identity {
                return Admission::Mismatch;
            }
            return match &entry.slot {
                Slot::InProgress => Admission::InProgress,
                Slot::Done(response) => Admission::Replay(response.clone()),
            };
        }
        self.entries.insert(
            key.to_owned(),
            Entry {
                identity,
                since: now,
                slot: Slot::InProgress,
            },
        );
        self.arrival.push_back((key.to_owned(), now));
        Admission::Fresh
    }

    /// Keeps the answer of a fresh request for replay.
    pub fn finish(&mut self, key: &str, response: StoredResponse) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.slot = Slot::Done(response);
        }
    }

    /// Forgets a fresh request that ended before it was applied, so a retry is a first try.
    pub fn abandon(&mut self, key: &str) {
        if self
            .entries
            .get(key)
            .is_some_and(|e| matches!(e.slot, Slot::InProgress))
        {
            self.entries.remove(key);
        }
    }

    /// Number of keys kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn expire(&mut self, now: Stamp) {
        while let Some((key, since)) = self.arrival.front() {
            let over_capacity = self.entries.len() >= MAX_KEYS;
            if !over_capacity && !now.is_retention_past(*since) {
                break;
            }
            match self.entries.get(key) {
                // A request still running keeps its key (and everything after it) for now:
                // it is short-lived, and dropping it would let a retry apply twice.
                Some(entry) if entry.since == *since && matches!(entry.slot, Slot::InProgress) => {
                    break;
                }
                Some(entry) if entry.since == *since => {
                    self.entries.remove(key);
                }
                // Abandoned, or abandoned and used again later (recorded further back).
                _ => {}
            }
            self.arrival.pop_front();
        }
    }
}

/// A fresh request's hold on its key: finishes the key with the answer when dropped, or
/// abandons it when no answer was set. Dropping happens even when the client disconnects
/// mid-request, so a key is never stuck "in progress".
#[derive(Debug)]
pub struct KeyHold {
    store: Arc<Mutex<IdempotencyStore>>,
    key: String,
    response: Option<StoredResponse>,
}

impl KeyHold {
    /// Holds `key`, which [`IdempotencyStore::admit`] just admitted as fresh.
    #[must_use]
    pub fn new(store: Arc<Mutex<IdempotencyStore>>, key: String) -> Self {
        KeyHold {
            store,
            key,
            response: None,
        }
    }

    /// The answer to keep once the hold ends.
    pub fn set_response(&mut self, response: StoredResponse) {
        self.response = Some(response);
    }
}

impl Drop for KeyHold {
    fn drop(&mut self) {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        match self.response.take() {
            Some(response) => store.finish(&self.key, response),
            None => store.abandon(&self.key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &str) -> RequestIdentity {
        RequestIdentity {
            path: "/v1/drops/d/price-band".to_owned(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// `secs` after a fixed origin on both clocks.
    fn at(origin: Instant, secs: i64) -> Stamp {
        Stamp {
            sim_s: secs,
            wall: origin + Duration::from_secs(secs.unsigned_abs()),
        }
    }

    fn ok() -> StoredResponse {
        StoredResponse {
            status: 200,
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn retry_replays_mismatch_and_in_progress_are_told_apart() {
        let mut store = IdempotencyStore::default();
        let origin = Instant::now();
        assert_eq!(
            store.admit("k", request("A"), at(origin, 0)),
            Admission::Fresh
        );
        assert_eq!(
            store.admit("k", request("A"), at(origin, 1)),
            Admission::InProgress
        );
        assert_eq!(
            store.admit("k", request("B"), at(origin, 1)),
            Admission::Mismatch
        );
        store.finish("k", ok());
        assert_eq!(
            store.admit("k", request("A"), at(origin, 2)),
            Admission::Replay(ok())
        );
        let other_path = RequestIdentity {
            path: "/v1/drops/d/pause".to_owned(),
            body: b"A".to_vec(),
        };
        assert_eq!(
            store.admit("k", other_path, at(origin, 2)),
            Admission::Mismatch
        );
    }

    #[test]
    fn keys_are_kept_a_day_then_forgotten() {
        let mut store = IdempotencyStore::default();
        let origin = Instant::now();
        store.admit("k", request("A"), at(origin, 0));
        store.finish("k", ok());
        assert_eq!(
            store.admit("k", request("A"), at(origin, RETENTION_S - 1)),
            Admission::Replay(ok())
        );
        assert_eq!(
            store.admit("k", request("B"), at(origin, RETENTION_S)),
            Admission::Fresh
        );
    }

    #[test]
    fn a_fast_sim_clock_does_not_shorten_the_wall_retention() {
        let mut store = IdempotencyStore::default();
        let origin = Instant::now();
        store.admit("k", request("A"), at(origin, 0));
        store.finish("k", ok());
        let sim_day_later = Stamp {
            sim_s: RETENTION_S * 2,
            wall: origin + Duration::from_secs(60),
        };
        assert_eq!(
            store.admit("k", request("A"), sim_day_later),
            Admission::Replay(ok())
        );
    }

    #[test]
    fn a_dropped_hold_without_answer_frees_the_key() {
        let store = Arc::new(Mutex::new(IdempotencyStore::default()));
        let origin = Instant::now();
        let admit = |s: &Arc<Mutex<IdempotencyStore>>| {
            s.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .admit("k", request("A"), at(origin, 0))
        };
        assert_eq!(admit(&store), Admission::Fresh);
        drop(KeyHold::new(Arc::clone(&store), "k".to_owned()));
        assert_eq!(admit(&store), Admission::Fresh);
        let mut hold = KeyHold::new(Arc::clone(&store), "k".to_owned());
        hold.set_response(ok());
        drop(hold);
        assert_eq!(admit(&store), Admission::Replay(ok()));
    }

    #[test]
    fn keys_are_checked() {
        assert!(check_key("0b9d3a8e-4c1f-4d8e-9a57-1c2b3d4e5f60").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key(&"k".repeat(256)).is_err());
        assert!(check_key(&"k".repeat(255)).is_ok());
        assert!(check_key("has space").is_err());
    }
}
