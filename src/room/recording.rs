//! The room's recording: its header, the pollers' tap into it, and starting and finishing
//! it the same way for `run`, `demo` and `serve`.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::feed::poller::PollTap;
use crate::record::{Entry, RecordError, RecordHandle, Recorder};

/// Starts recording into `path` (none: no recording). A path that cannot be recorded into,
/// or that another dropday records into, is refused now, before the screen is taken or anyone
/// is served: the message names the command and the file, and the exit status is a
/// configuration error's.
///
/// # Errors
/// The exit code to leave with, the message already printed.
pub fn start(
    path: Option<&Path>,
    config: &Config,
    speed: Option<f64>,
    command: &str,
) -> Result<Option<Recorder>, ExitCode> {
    let Some(path) = path else {
        return Ok(None);
    };
    match Recorder::start(path, &header(config, speed, command)) {
        Ok(recorder) => Ok(Some(recorder)),
        Err(e) => {
            eprintln!("dropday {command}: {e}");
            Err(ExitCode::from(crate::config::EXIT_STATUS))
        }
    }
}

/// Closes the recording and logs what it holds.
///
/// # Errors
/// The last flush failed (a full disk): the file still reads up to its last whole line.
pub fn finish(recorder: Recorder, command: &str) -> Result<(), RecordError> {
    let written = recorder.finish()?;
    log::info!(
        "{command}: recording: {} entries in {} frames, {} bytes",
        written.entries,
        written.frames,
        written.file_bytes
    );
    Ok(())
}

/// The header of a recording segment: where the room runs and what it reads, no credentials.
#[must_use]
pub fn header(config: &Config, speed: Option<f64>, command: &str) -> Entry {
    Entry::Header(crate::record::Header {
        format: crate::record::FORMAT_VERSION,
        dropday: env!("CARGO_PKG_VERSION").to_owned(),
        environment: config.ui.environment.clone(),
        feeds: config
            .feeds
            .iter()
            .map(|endpoint| crate::record::format::FeedSource {
                feed: endpoint.kind.name().to_owned(),
                url: crate::record::url_without_credentials(&endpoint.url(endpoint.kind.path())),
            })
            .collect(),
        started_at: chrono::Utc::now(),
        clock_rate: speed.unwrap_or(1.0),
        command: command.to_owned(),
    })
}

/// The pollers' tap that writes every poll into the recording.
#[must_use]
pub fn tap(record: RecordHandle) -> PollTap {
    std::sync::Arc::new(move |report, raw| {
        record.write(Entry::of_poll(
            report,
            raw.map(|r| r.status),
            raw.map(|r| r.body.as_slice()),
        ));
    })
}
