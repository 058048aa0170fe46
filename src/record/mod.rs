//! Recordings of a drop: what the feeds said, what the alerts did and what people did, in
//! arrival order, in a file a later `dropday replay` or `dropday report` reads.
//!
//! The writer is an effect of the room (it never blocks the loop, see [`writer`]); the reader
//! is a source of the room's own events ([`replay`]), so a replay goes through the same
//! `update` and the same views as the live room.

pub mod format;
pub mod frames;
pub mod observe;
pub mod reader;
pub mod replay;
pub mod report;
pub mod writer;

use std::path::{Path, PathBuf};

pub use format::{Entry, FORMAT_VERSION, Header};
pub use reader::{Recording, Segment};
pub use writer::{RecordHandle, Recorder, Written};

/// What can go wrong with a recording.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file cannot be opened or written at start.
    #[error("cannot record into {}: {source} (choose a path you can write, or leave out --record)", path.display())]
    Open {
        /// The recording's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another process records into the file.
    #[error("{} is being recorded by another dropday (the file is locked); record into another file", .0.display())]
    Locked(PathBuf),
    /// A frame could not be written later (the disk is full).
    #[error("recording into {} stopped: {source}; the frames before are whole", path.display())]
    Write {
        /// The recording's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An entry could not be turned into JSON.
    #[error("cannot encode a recording entry: {0}")]
    Encode(serde_json::Error),
    /// zstd refused to compress (out of memory).
    #[error("cannot compress a recording entry: {0}")]
    Compress(std::io::Error),
    /// The writer thread panicked.
    #[error("the recording's writer stopped unexpectedly")]
    WriterPanicked,
    /// The file cannot be read.
    #[error("cannot read the recording {}: {source}", path.display())]
    Read {
        /// The recording's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The bytes are not a recording.
    #[error("not a dropday recording: {0}")]
    NotARecording(String),
    /// A newer dropday wrote the file.
    #[error(
        "the recording has format {0}, newer than this dropday reads ({FORMAT_VERSION}); use a newer dropday"
    )]
    NewerFormat(u32),
    /// A file that is not a recording, with its path.
    #[error("{}: {reason}", path.display())]
    Named {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

impl RecordError {
    /// The error with the file's path in it, for errors that did not carry one.
    #[must_use]
    pub fn at(self, path: &Path) -> RecordError {
        match self {
            RecordError::NotARecording(_) | RecordError::NewerFormat(_) => RecordError::Named {
                path: path.to_path_buf(),
                reason: self.to_string(),
            },
            other => other,
        }
    }
}

/// A feed's URL as a recording may hold it: no user, no password, no query (tokens in query
/// strings are a thing), no fragment. Anything unparsable is left out entirely.
#[must_use]
pub fn url_without_credentials(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => "(unparsable URL left out)".to_owned(),
    }
}

#[cfg(test)]
mod tests;
