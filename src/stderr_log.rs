//! The log of the headless commands (`sim`, `status`): one line per record on standard error.
//! The control room logs into tui-logger's widget instead.

use std::io::Write;

use log::{Level, Log, Metadata, Record};

struct StderrLog {
    level: Level,
    /// Each line starts with the UTC time (the long-running `serve`).
    timed: bool,
}

impl Log for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level && metadata.target().starts_with("dropday")
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            if self.timed {
                // Plain text, no ANSI: stderr is usually a journal or a file for a service.
                let _ = writeln!(
                    std::io::stderr(),
                    "{} {:<5} {}",
                    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                    record.level().as_str(),
                    record.args()
                );
                return;
            }
            eprintln!(
                "dropday {}: {}",
                record.level().as_str().to_lowercase(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

/// Sends `level` and above of dropday's own records to standard error. Calling it twice keeps
/// the first logger.
pub fn init(level: Level) {
    install(StderrLog {
        level,
        timed: false,
    });
}

/// [`init`] with each line as `time LEVEL message` (UTC, RFC 3339), for `dropday serve`.
pub fn init_timed(level: Level) {
    install(StderrLog { level, timed: true });
}

fn install(logger: StderrLog) {
    let level = logger.level;
    let logger = Box::new(logger);
    if log::set_boxed_logger(logger).is_ok() {
        log::set_max_level(level.to_level_filter());
    }
}
