//! The recording's writer: the room hands it entries (a poll, an alert transition, an action)
//! and never waits; a thread of its own turns them into JSON lines and writes one zstd frame
//! every [`FRAME_EVERY`] (or sooner when a frame grows past [`FRAME_BYTES`]).
//!
//! Whole frames only ever reach the file, each in one write: a process killed with SIGKILL
//! loses at most the lines of the frame it was filling, and a full disk leaves a cut last
//! frame that the reader skips. The file is locked (an advisory exclusive lock, `flock`) for
//! as long as the writer lives, so a second process cannot interleave its frames.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::RecordError;
use super::format::Entry;

/// Longest time a written entry waits in memory before its frame reaches the file.
pub const FRAME_EVERY: Duration = Duration::from_secs(2);
/// A frame is written early once it holds this many bytes of JSON.
pub const FRAME_BYTES: usize = 1 << 20;
/// zstd level: the documents repeat themselves; level 6 compresses a 2-second frame in well
/// under a millisecond (docs/PERFORMANCE.md).
const LEVEL: i32 = 6;

enum Message {
    Entry(Box<Entry>),
    Flush(mpsc::Sender<()>),
    /// Write what is queued and end, whoever else still holds a handle.
    Stop,
}

/// Sends entries to the writer thread; cheap to clone, never blocks.
#[derive(Debug, Clone)]
pub struct RecordHandle {
    tx: mpsc::Sender<Message>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Message::Entry(_) => "Entry",
            Message::Flush(_) => "Flush",
            Message::Stop => "Stop",
        })
    }
}

impl RecordHandle {
    /// Queues one entry. After the writer has stopped (a write failed) this does nothing.
    pub fn write(&self, entry: Entry) {
        let _ = self.tx.send(Message::Entry(Box::new(entry)));
    }

    /// Writes what is queued as a frame now and waits until it is in the file.
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        if self.tx.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

/// What a writer wrote, when it ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Entries written.
    pub entries: u64,
    /// Frames written.
    pub frames: u64,
    /// JSON bytes before compression.
    pub json_bytes: u64,
    /// Bytes added to the file.
    pub file_bytes: u64,
}

/// The writer of one recording file.
#[derive(Debug)]
pub struct Recorder {
    handle: RecordHandle,
    thread: Option<JoinHandle<Result<Written, RecordError>>>,
}

impl Recorder {
    /// Opens `path` for appending (creating it), takes its lock, cuts a frame a killed
    /// writer left half-written, and writes `header` as a frame of its own: a path that
    /// cannot be written is refused here, at start, not later.
    ///
    /// # Errors
    /// When the file cannot be opened or written, or another process records into it.
    pub fn start(path: &Path, header: &Entry) -> Result<Recorder, RecordError> {
        let open = |source| RecordError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(open)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(RecordError::Locked(path.to_path_buf()));
            }
            Err(TryLockError::Error(e)) => return Err(open(e)),
        }
        cut_partial_frame(&mut file).map_err(open)?;
        let mut frame = Frame::default();
        frame.push(header)?;
        let mut written = Written::default();
        frame.write_to(&mut file, &mut written).map_err(open)?;
        let (tx, rx) = mpsc::channel();
        let target = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("dropday-record".to_owned())
            .spawn(move || write_loop(&rx, file, &target, written))
            .map_err(open)?;
        Ok(Recorder {
            handle: RecordHandle { tx },
            thread: Some(thread),
        })
    }

    /// A sender of entries for the room's parts (pollers, the loop).
    #[must_use]
    pub fn handle(&self) -> RecordHandle {
        self.handle.clone()
    }

    /// Writes what is queued and closes the file (releasing its lock).
    ///
    /// # Errors
    /// When a frame could not be written (the disk is full); the frames before it are whole.
    pub fn finish(mut self) -> Result<Written, RecordError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<Written, RecordError> {
        // A handle may still be held elsewhere (a poller task being torn down): the thread is
        // told to end rather than waiting for every sender to go.
        let _ = self.handle.tx.send(Message::Stop);
        match self.thread.take() {
            Some(thread) => thread.join().unwrap_or(Err(RecordError::WriterPanicked)),
            None => Ok(Written::default()),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.thread.is_some()
            && let Err(e) = self.stop()
        {
            log::error!("{e}");
        }
    }
}

/// The lines of the frame being filled.
#[derive(Default)]
struct Frame {
    json: Vec<u8>,
    entries: u64,
}

impl Frame {
    fn push(&mut self, entry: &Entry) -> Result<(), RecordError> {
        serde_json::to_writer(&mut self.json, entry).map_err(RecordError::Encode)?;
        self.json.push(b'\n');
        self.entries += 1;
        Ok(())
    }

    /// Compresses the lines into one zstd frame and appends it in one write.
    fn write_to(&mut self, file: &mut File, written: &mut Written) -> std::io::Result<()> {
        if self.json.is_empty() {
            return Ok(());
        }
        let compressed = zstd::bulk::compress(&self.json, LEVEL)?;
        file.write_all(&compressed)?;
        written.entries += self.entries;
        written.frames += 1;
        written.json_bytes += self.json.len() as u64;
        written.file_bytes += compressed.len() as u64;
        self.json.clear();
        self.entries = 0;
        Ok(())
    }
}

fn write_loop(
    rx: &mpsc::Receiver<Message>,
    mut file: File,
    path: &Path,
    mut written: Written,
) -> Result<Written, RecordError> {
    let failed = |source| RecordError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut frame = Frame::default();
    let mut due = Instant::now() + FRAME_EVERY;
    loop {
        let wait = due.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(Message::Entry(entry)) => {
                frame.push(&entry)?;
                if frame.json.len() >= FRAME_BYTES {
                    frame.write_to(&mut file, &mut written).map_err(failed)?;
                    due = Instant::now() + FRAME_EVERY;
                }
            }
            Ok(Message::Flush(done)) => {
                frame.write_to(&mut file, &mut written).map_err(failed)?;
                let _ = done.send(());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                frame.write_to(&mut file, &mut written).map_err(failed)?;
                due = Instant::now() + FRAME_EVERY;
            }
            Ok(Message::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                frame.write_to(&mut file, &mut written).map_err(failed)?;
                file.flush().map_err(failed)?;
                return Ok(written);
            }
        }
    }
}

/// A writer killed mid-write (or a full disk) can leave a cut frame at the end; appending
/// after it would hide every later frame from readers, so it is cut off first.
fn cut_partial_frame(file: &mut File) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    let whole = whole_frames_len(&bytes);
    if whole < bytes.len() {
        log::warn!(
            "recording: cutting {} bytes of a frame a previous writer left unfinished",
            bytes.len() - whole
        );
        file.set_len(whole as u64)?;
    }
    Ok(())
}

/// Length of the longest prefix of `bytes` made of whole zstd frames.
#[must_use]
pub fn whole_frames_len(bytes: &[u8]) -> usize {
    let mut at = 0;
    while at < bytes.len() {
        match zstd::zstd_safe::find_frame_compressed_size(&bytes[at..]) {
            Ok(len) if len > 0 && at + len <= bytes.len() => at += len,
            _ => break,
        }
    }
    at
}
