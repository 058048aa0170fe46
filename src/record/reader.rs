//! Reads a recording back: zstd frames in file order, each split into JSON lines, the lines
//! grouped into segments by their headers. A last frame that was never ended (SIGKILL, a full
//! disk, a writer still at work) is read up to its last whole line ([`super::frames`]), and
//! the bytes after it are counted as cut; a line this build cannot read is counted and skipped.

use std::path::Path;

use super::RecordError;
use super::format::{Entry, FORMAT_VERSION, Header};
use super::frames::{read_unended, whole_frames};

/// One start of a recording process and what it recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The segment's header.
    pub header: Header,
    /// Everything after the header, in arrival order.
    pub entries: Vec<Entry>,
}

/// A recording read back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    /// The segments, oldest first.
    pub segments: Vec<Segment>,
    /// Bytes at the end after the last whole line (a writer killed mid-write).
    pub cut_bytes: usize,
    /// Lines that could not be read (a newer writer's entry, a damaged line).
    pub skipped_lines: usize,
}

impl Recording {
    /// Reads the recording at `path`.
    ///
    /// # Errors
    /// When the file cannot be read, holds no whole frame with a header, or was written by a
    /// newer format.
    pub fn read(path: &Path) -> Result<Recording, RecordError> {
        let bytes = std::fs::read(path).map_err(|source| RecordError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Recording::from_bytes(&bytes).map_err(|e| e.at(path))
    }

    /// Reads a recording held in memory.
    ///
    /// # Errors
    /// As [`Recording::read`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Recording, RecordError> {
        let mut recording = Recording::default();
        let mut whole = 0;
        for frame in whole_frames(bytes) {
            let json = zstd::stream::decode_all(&bytes[frame.clone()])
                .map_err(|e| RecordError::NotARecording(e.to_string()))?;
            recording.add_lines(&json)?;
            whole = frame.end;
        }
        let unended = read_unended(&bytes[whole..], true);
        recording.add_lines(&unended.json)?;
        recording.cut_bytes = bytes.len() - whole - unended.kept;
        if recording.segments.is_empty() {
            return Err(RecordError::NotARecording(
                "no header: not a dropday recording, or cut before its first frame".to_owned(),
            ));
        }
        Ok(recording)
    }

    /// Adds the lines of one frame; a line cut at the frame's end is skipped.
    fn add_lines(&mut self, json: &[u8]) -> Result<(), RecordError> {
        for line in json.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice::<Entry>(line) {
                Ok(Entry::Header(header)) => {
                    if header.format > FORMAT_VERSION {
                        return Err(RecordError::NewerFormat(header.format));
                    }
                    self.segments.push(Segment {
                        header,
                        entries: Vec::new(),
                    });
                }
                Ok(entry) => match self.segments.last_mut() {
                    Some(segment) => segment.entries.push(entry),
                    None => self.skipped_lines += 1,
                },
                Err(_) => self.skipped_lines += 1,
            }
        }
        Ok(())
    }

    /// Every entry after the headers, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.segments.iter().flat_map(|s| s.entries.iter())
    }

    /// The first segment's header (a recording has at least one).
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.segments[0].header
    }
}
