//! The log of the headless commands (`sim`, `status`): one line per record on standard error.
//! The control room logs into tui-logger's widget instead.

use log::{Level, Log, Metadata, Record};

struct StderrLog {
    level: Level,
}

impl Log for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level && metadata.target().starts_with("dropday")
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
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
    let logger = Box::new(StderrLog { level });
    if log::set_boxed_logger(logger).is_ok() {
        log::set_max_level(level.to_level_filter());
    }
}
