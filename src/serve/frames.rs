//! Latest-frame-wins output for one session. The room is drawn into bytes; the slot holds at most
//! one frame the client has not taken yet. A new frame replaces an untaken one, so a client that
//! stops reading (a phone in a tunnel) costs one frame of memory and never holds up the board or
//! another session; when it reads again it gets the newest frame.
//!
//! Frames are terminal updates against what the client last received. A frame that replaces an
//! untaken one must not depend on it, so the renderer asks [`FrameSlot::has_untaken`] first and
//! then draws a whole screen instead of a difference.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// One session's output slot, shared by its renderer and its writer.
#[derive(Debug, Default)]
pub struct FrameSlot {
    pending: Mutex<Option<Vec<u8>>>,
    ready: Notify,
    stats: FrameCounters,
}

/// Counters for logs and tests: how frames fared.
#[derive(Debug, Default)]
struct FrameCounters {
    offered: AtomicU64,
    replaced: AtomicU64,
    taken: AtomicU64,
    pending_bytes: AtomicUsize,
}

/// A snapshot of a slot's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameStats {
    /// Frames the room drew for this session.
    pub offered: u64,
    /// Frames dropped unsent because a newer one came first.
    pub replaced: u64,
    /// Frames the writer took to send.
    pub taken: u64,
    /// Bytes waiting in the slot now (0 or one frame's worth).
    pub pending_bytes: usize,
}

impl FrameSlot {
    /// Whether a frame is waiting that the writer has not taken: the next frame must be whole.
    pub fn has_untaken(&self) -> bool {
        self.lock().is_some()
    }

    /// Puts `frame` in the slot, replacing (dropping) any untaken one.
    pub fn offer(&self, frame: Vec<u8>) {
        let len = frame.len();
        let replaced = self.lock().replace(frame).is_some();
        self.stats.offered.fetch_add(1, Ordering::Relaxed);
        if replaced {
            self.stats.replaced.fetch_add(1, Ordering::Relaxed);
        }
        self.stats.pending_bytes.store(len, Ordering::Relaxed);
        self.ready.notify_one();
    }

    /// Waits for a frame and takes it.
    pub async fn take(&self) -> Vec<u8> {
        loop {
            // Register interest before looking, so an offer in between is not missed.
            let notified = self.ready.notified();
            if let Some(frame) = self.try_take() {
                return frame;
            }
            notified.await;
        }
    }

    /// Takes the waiting frame, if any.
    pub fn try_take(&self) -> Option<Vec<u8>> {
        let frame = self.lock().take()?;
        self.stats.taken.fetch_add(1, Ordering::Relaxed);
        self.stats.pending_bytes.store(0, Ordering::Relaxed);
        Some(frame)
    }

    /// Counts of frames offered, taken and replaced so far.
    #[must_use]
    pub fn stats(&self) -> FrameStats {
        FrameStats {
            offered: self.stats.offered.load(Ordering::Relaxed),
            replaced: self.stats.replaced.load(Ordering::Relaxed),
            taken: self.stats.taken.load(Ordering::Relaxed),
            pending_bytes: self.stats.pending_bytes.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Vec<u8>>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untaken_frame_is_replaced_not_queued() {
        let slot = FrameSlot::default();
        for n in 0..1000u32 {
            slot.offer(n.to_string().into_bytes());
        }
        let stats = slot.stats();
        assert_eq!(stats.offered, 1000);
        assert_eq!(stats.replaced, 999);
        assert_eq!(stats.pending_bytes, 3);
        assert!(slot.has_untaken());
        assert_eq!(slot.try_take().as_deref(), Some(&b"999"[..]));
        assert!(!slot.has_untaken());
        assert_eq!(slot.try_take(), None);
        assert_eq!(slot.stats().pending_bytes, 0);
    }

    #[tokio::test]
    async fn take_waits_for_the_next_frame() {
        let slot = std::sync::Arc::new(FrameSlot::default());
        let writer = tokio::spawn({
            let slot = slot.clone();
            async move { slot.take().await }
        });
        tokio::task::yield_now().await;
        slot.offer(b"frame".to_vec());
        assert_eq!(writer.await.ok().as_deref(), Some(&b"frame"[..]));
    }
}
