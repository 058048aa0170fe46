//! A sink's waiting line: bounded, and when full the oldest notification waiting is dropped
//! (and counted), so a dead sink costs a fixed amount of memory and the newest news survives.

use std::collections::VecDeque;

/// Notifications waiting for one sink.
#[derive(Debug)]
pub struct SinkQueue<T> {
    waiting: VecDeque<T>,
    capacity: usize,
    dropped: u64,
}

impl<T> SinkQueue<T> {
    /// An empty queue holding at most `capacity` (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        SinkQueue {
            waiting: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Adds `item` at the back; returns the oldest one dropped to make room, if any.
    pub fn push(&mut self, item: T) -> Option<T> {
        let dropped = if self.waiting.len() >= self.capacity {
            self.dropped += 1;
            self.waiting.pop_front()
        } else {
            None
        };
        self.waiting.push_back(item);
        dropped
    }

    /// The oldest waiting notification.
    pub fn pop(&mut self) -> Option<T> {
        self.waiting.pop_front()
    }

    /// How many wait.
    #[must_use]
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether none wait.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// How many were dropped since the start.
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_full_the_oldest_goes_and_is_counted() {
        let mut queue = SinkQueue::new(3);
        for n in 1..=3 {
            assert_eq!(queue.push(n), None);
        }
        assert_eq!(queue.push(4), Some(1));
        assert_eq!(queue.push(5), Some(2));
        assert_eq!((queue.len(), queue.dropped()), (3, 2));
        assert_eq!(queue.pop(), Some(3));
        assert_eq!(queue.push(6), None);
        let rest: Vec<i32> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(rest, [4, 5, 6]);
        assert!(queue.is_empty());
        assert_eq!(SinkQueue::<u8>::new(0).push(1), None);
    }
}
