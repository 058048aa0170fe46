//! Where idempotency keys come from. Injected, so that `update` is a function of its events:
//! the program draws random UUIDs, a test or a replay counts, and the same events give the same
//! requests.

use std::fmt;

/// A source of idempotency keys, one per confirmed control action.
pub trait IdSource: fmt::Debug + Send {
    /// The next key; never one given before.
    fn next_key(&mut self) -> String;

    /// A copy of the source in its current position (a cloned board continues the sequence).
    fn clone_box(&self) -> Box<dyn IdSource>;
}

impl Clone for Box<dyn IdSource> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// UUID v4 keys, what the marketplace expects from a real control room.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomKeys;

impl IdSource for RandomKeys {
    fn next_key(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn clone_box(&self) -> Box<dyn IdSource> {
        Box::new(*self)
    }
}

/// Keys shaped as UUIDs that count up from 1 (`00000000-0000-4000-8000-000000000001`): the same
/// sequence every time, for tests and replays.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountedKeys {
    issued: u64,
}

impl IdSource for CountedKeys {
    fn next_key(&mut self) -> String {
        self.issued += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.issued)
    }

    fn clone_box(&self) -> Box<dyn IdSource> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_keys_repeat_from_a_fresh_source_and_never_within_one() {
        let mut a = CountedKeys::default();
        let mut b = CountedKeys::default();
        let first: Vec<String> = (0..3).map(|_| a.next_key()).collect();
        let second: Vec<String> = (0..3).map(|_| b.next_key()).collect();
        assert_eq!(first, second);
        assert_eq!(first[0], "00000000-0000-4000-8000-000000000001");
        assert_ne!(first[0], first[1]);
        assert!(uuid::Uuid::parse_str(&first[2]).is_ok());
    }
}
