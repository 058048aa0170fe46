//! The layer table: which module may import which, kept by the build instead of by memory.
//! Every `use crate::…` (and every inline `crate::…`/`super::…` path) in src/ is checked
//! against it; a module missing from the table fails. The checker and its own tests (an upward
//! import added on purpose fails) are in `tests/architecture_rules/`.

mod architecture_rules;

use architecture_rules::{Exception, Layer, check_tree};

/// Feed's wire and event types: what the layers above may know of the feeds. `feed::FeedKind`
/// and `feed::FeedFailure` (feed/mod.rs) name a feed and what went wrong with it: event types.
/// Not the HTTP client, the pollers, the control client or the token (`feed::client`,
/// `feed::poller`, `feed::control`, `feed::secret`).
macro_rules! feed_types {
    ($($more:literal),* $(,)?) => {
        &["feed::wire", "feed::events", "feed::FeedKind", "feed::FeedFailure" $(, $more)*]
    };
}

const TABLE: &[Layer] = &[
    Layer {
        module: "feed",
        may_import: &[],
        must_not_use: &["ratatui", "crossterm", "tui_logger", "axum"],
        why: "wire types, the HTTP client and the pollers: the bottom, nothing above it",
    },
    Layer {
        module: "feed::adapters",
        may_import: &["feed"],
        must_not_use: &["ratatui", "crossterm", "tui_logger", "axum"],
        why: "mapped sources (requests + a jq program) into the same wire documents",
    },
    Layer {
        module: "model",
        may_import: feed_types!(),
        must_not_use: &[
            "tokio",
            "reqwest",
            "axum",
            "hyper",
            "hyper_util",
            "std::fs",
            "std::net",
            "std::process",
            "ratatui",
            "crossterm",
            "tui_logger",
            // Time is a parameter: no reading of the machine's clock or zone.
            "chrono::Local",
            "chrono::offset::Local",
            "Local::now",
            "Utc::now",
            "chrono::Utc::now",
            "SystemTime::now",
            "std::time::SystemTime",
            "Instant::now",
            "std::time::Instant",
        ],
        why: "the pure core: figures from documents, time as a parameter, no I/O",
    },
    Layer {
        module: "app",
        may_import: &["model", "feed"],
        must_not_use: &[
            "reqwest",
            "axum",
            "hyper",
            "hyper_util",
            "std::fs",
            "std::net",
            "std::process",
            "crossterm::terminal",
            "crossterm::execute",
            "crossterm::cursor",
        ],
        why: "the state machine: events in, state changed, effects out; effects run elsewhere",
    },
    Layer {
        module: "ui",
        may_import: feed_types!("app", "model"),
        must_not_use: &[
            "tokio",
            "reqwest",
            "axum",
            "hyper",
            "hyper_util",
            "std::fs",
            "std::net",
            "std::process",
            "crossterm::terminal",
            "crossterm::execute",
        ],
        why: "drawing only: reads the state, does no I/O",
    },
    Layer {
        module: "sim",
        may_import: &["feed::wire", "feed::FeedKind"],
        must_not_use: &["ratatui", "crossterm", "tui_logger", "reqwest"],
        why: "serves the contract of FEEDS.md, not the client's idea of it: wire types only",
    },
    Layer {
        module: "config",
        may_import: &[
            "app",
            "feed",
            "model",
            "serve::settings",
            "notify::settings",
        ],
        must_not_use: &[],
        why: "file, environment and flags validated into one typed value for the layers it feeds",
    },
    Layer {
        module: "cli",
        may_import: &["config", "sim::cli"],
        must_not_use: &[],
        why: "the command line; `dropday sim`'s flags are declared beside the simulator and \
              flattened in under cfg(feature = \"sim\")",
    },
    Layer {
        module: "status",
        may_import: &["config", "feed", "model"],
        must_not_use: &[],
        why: "`dropday status`: pollers into a board, a report out; no state machine, no screen",
    },
    Layer {
        module: "room",
        may_import: &[
            "app",
            "ui",
            "feed",
            "model",
            "config",
            "cli",
            "sim",
            "stderr_log",
            "serve",
            "status::render_table",
            "record",
            "notify",
            "metrics",
        ],
        must_not_use: &[],
        why: "the binary's launch code: wires pollers, control client, terminal and audit \
              log around the state machine; the only module besides main that starts the \
              simulator (`demo`); not the status command",
    },
    Layer {
        module: "stderr_log",
        may_import: &[],
        must_not_use: &[],
        why: "the log on stderr for commands without a screen",
    },
    Layer {
        module: "main",
        may_import: &[
            "cli",
            "config",
            "room",
            "status",
            "stderr_log",
            "sim",
            "feed::adapters",
        ],
        must_not_use: &[],
        why: "the binary: parses arguments, wires commands; launches `dropday sim`; \
              `dropday adapters` prints what feed::adapters::check gives",
    },
    Layer {
        module: "lib",
        may_import: &[],
        must_not_use: &[],
        why: "the library root declares the modules, nothing else",
    },
    // Rows for the folders the next issues add (shared/STYLE.md): edges around the same core.
    Layer {
        module: "serve",
        may_import: &["app", "ui", "model", "feed"],
        must_not_use: &[],
        why: "the SSH server: one shared board, a room per session; not the local terminal",
    },
    Layer {
        module: "notify",
        may_import: feed_types!("model"),
        must_not_use: &["ratatui", "crossterm", "tui_logger"],
        why: "alert delivery: one sink per file, alerts in, HTTP out",
    },
    Layer {
        module: "metrics",
        may_import: feed_types!(
            "model",
            "notify::SinkStats",
            "notify::SinkKind",
            "serve::ServeFigures"
        ),
        must_not_use: &["ratatui", "crossterm", "tui_logger"],
        why: "/metrics from the shared board, the sinks' counts and serve's session figures",
    },
    Layer {
        module: "record",
        may_import: feed_types!("app", "model"),
        must_not_use: &["ratatui", "crossterm", "tui_logger"],
        why: "the recording format: writer (an effect), reader (a source of app events)",
    },
];

/// Imports the table does not allow, each with why and when it goes. None today.
const EXCEPTIONS: &[Exception] = &[];

#[test]
fn every_import_points_where_the_layer_table_allows() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let violations = check_tree(root, TABLE, EXCEPTIONS);
    assert!(
        violations.is_empty(),
        "{} layer violation(s):\n{}",
        violations.len(),
        violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_exception_says_why_and_every_row_is_unique() {
    for exception in EXCEPTIONS {
        assert!(!exception.why.trim().is_empty(), "{exception:?}");
    }
    for (i, row) in TABLE.iter().enumerate() {
        assert!(!row.why.trim().is_empty(), "{row:?}");
        assert!(
            TABLE[i + 1..]
                .iter()
                .all(|other| other.module != row.module),
            "row `{}` twice",
            row.module
        );
    }
}
