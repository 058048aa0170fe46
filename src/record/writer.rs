//! The recording's writer: the room hands it entries (a poll, an alert transition, an action)
//! and never waits; a thread of its own turns them into JSON lines and compresses them through
//! one streaming zstd encoder per start, flushed every [`FLUSH_EVERY`] (or sooner once
//! [`FLUSH_BYTES`] of JSON wait). The encoder keeps its context across flushes, so each
//! document compresses against the ones before it (a frame per flush, as format 1 wrote,
//! forgot them: a two-hour launch was 13.6 MB, docs/PERFORMANCE.md); the frame is ended when
//! the writer stops, or after [`FRAME_JSON_BYTES`] of JSON, so a file stays a sequence of
//! zstd frames of bounded size.
//!
//! A flush ends a zstd block and reaches the file in one write. A process killed with SIGKILL
//! (or a full disk) leaves a frame that was never ended, which reads up to its last whole block
//! ([`super::frames`]): only the lines since the last flush are lost. The next start ends that
//! frame after its last whole line before appending. The file is locked (an advisory exclusive
//! lock, `flock`) for as long as the writer lives, so a second process cannot interleave.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::RecordError;
use super::format::Entry;
use super::frames::{END_OF_FRAME, read_unended, whole_frames_len};

/// Longest time a written entry waits in memory before it is flushed to the file.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);
/// A flush comes early once this many bytes of JSON wait (a large state's documents).
pub const FLUSH_BYTES: usize = 1 << 20;
/// A frame is ended (and a new one begun) at the first flush after this many bytes of JSON:
/// what a reader or the next start's repair decodes in one go stays bounded, and one damaged
/// byte costs at most the rest of its frame.
pub const FRAME_JSON_BYTES: u64 = 32 << 20;
/// zstd level 1 with a 16 MiB window and long-distance matching: a document is nearly the
/// feed's previous one, and at the large state that one is ~10 MB back (the hubs' 8 MB): a
/// window that reaches it halves the large state's size and, at level 1, costs a third to a
/// fifth of level 6 without it (`zstd -1 --long=24` against `-6`, docs/PERFORMANCE.md).
/// The window is memory the writer and every reader hold: 16 MiB of it.
const LEVEL: i32 = 1;
const WINDOW_LOG: u32 = 24;

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

    /// Flushes what is queued to the file now and waits until it is there.
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
    /// zstd frames ended (one per start, more for long recordings).
    pub frames: u64,
    /// Flushes that reached the file (each one a readable point of the recording).
    pub flushes: u64,
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
    /// Opens `path` for appending (creating it), takes its lock, ends a frame a killed writer
    /// left open after its last whole line, and begins a frame with `header`, flushed at
    /// once: a path that cannot be written is refused here, at start, not later.
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
        end_unended_frame(&mut file).map_err(open)?;
        let mut frame = Frame::new();
        frame.push(header)?;
        let mut written = Written::default();
        frame.flush(&mut file, &mut written).map_err(open)?;
        let (tx, rx) = mpsc::channel();
        let target = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("dropday-record".to_owned())
            .spawn(move || write_loop(&rx, file, &target, written, frame))
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

/// The frame being written: its encoder, and what waits for the next flush.
struct Frame {
    /// `None` between an ended frame and the next entry.
    encoder: Option<zstd::stream::write::Encoder<'static, Vec<u8>>>,
    /// One entry's JSON line, reused.
    line: Vec<u8>,
    /// Entries and JSON bytes since the last flush.
    waiting_entries: u64,
    waiting_json: usize,
    /// JSON bytes in the current frame.
    json_since_start: u64,
}

impl Frame {
    fn new() -> Self {
        Frame {
            encoder: None,
            line: Vec::new(),
            waiting_entries: 0,
            waiting_json: 0,
            json_since_start: 0,
        }
    }

    /// Compresses one entry's line; it reaches the file at the next flush.
    fn push(&mut self, entry: &Entry) -> Result<(), RecordError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, entry).map_err(RecordError::Encode)?;
        self.line.push(b'\n');
        let encoder = match &mut self.encoder {
            Some(encoder) => encoder,
            None => self
                .encoder
                .insert(encoder().map_err(RecordError::Compress)?),
        };
        encoder
            .write_all(&self.line)
            .map_err(RecordError::Compress)?;
        self.waiting_entries += 1;
        self.waiting_json += self.line.len();
        self.json_since_start += self.line.len() as u64;
        Ok(())
    }

    /// Ends the block (or, past [`FRAME_JSON_BYTES`] or when `end`, the frame) and appends
    /// what the encoder made in one write.
    fn write(&mut self, file: &mut File, written: &mut Written, end: bool) -> std::io::Result<()> {
        let Some(encoder) = &mut self.encoder else {
            return Ok(());
        };
        if self.waiting_entries == 0 && !end {
            return Ok(());
        }
        let ending = end || self.json_since_start >= FRAME_JSON_BYTES;
        if ending {
            encoder.do_finish()?;
        } else {
            encoder.flush()?;
        }
        let compressed = encoder.get_mut();
        file.write_all(compressed)?;
        written.entries += self.waiting_entries;
        written.flushes += 1;
        written.json_bytes += self.waiting_json as u64;
        written.file_bytes += compressed.len() as u64;
        compressed.clear();
        self.waiting_entries = 0;
        self.waiting_json = 0;
        if ending {
            written.frames += 1;
            self.encoder = None;
            self.json_since_start = 0;
        }
        Ok(())
    }

    fn flush(&mut self, file: &mut File, written: &mut Written) -> std::io::Result<()> {
        self.write(file, written, false)
    }

    fn end(&mut self, file: &mut File, written: &mut Written) -> std::io::Result<()> {
        self.write(file, written, true)
    }
}

/// A frame's encoder: no content size and no checksum in its header, so a frame left open
/// can be ended with [`END_OF_FRAME`] after any whole block.
fn encoder() -> std::io::Result<zstd::stream::write::Encoder<'static, Vec<u8>>> {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), LEVEL)?;
    encoder.include_checksum(false)?;
    encoder.window_log(WINDOW_LOG)?;
    encoder.long_distance_matching(true)?;
    Ok(encoder)
}

fn write_loop(
    rx: &mpsc::Receiver<Message>,
    mut file: File,
    path: &Path,
    mut written: Written,
    mut frame: Frame,
) -> Result<Written, RecordError> {
    let failed = |source| RecordError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut due = Instant::now() + FLUSH_EVERY;
    loop {
        let wait = due.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(Message::Entry(entry)) => {
                frame.push(&entry)?;
                if frame.waiting_json >= FLUSH_BYTES {
                    frame.flush(&mut file, &mut written).map_err(failed)?;
                    due = Instant::now() + FLUSH_EVERY;
                }
            }
            Ok(Message::Flush(done)) => {
                frame.flush(&mut file, &mut written).map_err(failed)?;
                let _ = done.send(());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                frame.flush(&mut file, &mut written).map_err(failed)?;
                due = Instant::now() + FLUSH_EVERY;
            }
            Ok(Message::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                frame.end(&mut file, &mut written).map_err(failed)?;
                file.flush().map_err(failed)?;
                return Ok(written);
            }
        }
    }
}

/// A writer killed mid-recording (or stopped by a full disk) leaves a frame that was never
/// ended, perhaps with a cut block at its end. Appending after it would hide every later
/// frame from readers, so it is cut after the block that completes its last whole line and
/// ended there (a frame of this writer can always be ended so); a frame that cannot be ended,
/// or holds no whole line, is cut off whole. Cutting first and ending after is safe to
/// interrupt: the next start finds the same whole blocks and does the same.
fn end_unended_frame(file: &mut File) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    let whole = whole_frames_len(&bytes);
    if whole == bytes.len() {
        return Ok(());
    }
    let unended = read_unended(&bytes[whole..], false);
    if unended.kept > 0 && unended.can_end {
        let keep = whole + unended.kept;
        if keep < bytes.len() {
            log::warn!(
                "recording: cutting {} bytes a previous writer left unfinished",
                bytes.len() - keep
            );
        }
        file.set_len(keep as u64)?;
        file.write_all(&END_OF_FRAME)?;
    } else {
        log::warn!(
            "recording: cutting {} bytes of a frame a previous writer left unfinished",
            bytes.len() - whole
        );
        file.set_len(whole as u64)?;
    }
    Ok(())
}
