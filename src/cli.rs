//! The command line: `dropday [run]`, `demo`, `sim`, `status`, `serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::config::{ColorMode, parse_duration, parse_metrics_listen};
#[cfg(feature = "sim")]
use crate::sim::cli::SimArgs;

/// A terminal control room for drop day: marketplace drops, fulfilment hubs and pop-ups on one
/// screen, with live countdowns, capacity burn-down and SLA alerts.
#[derive(Debug, Parser)]
#[command(
    name = "dropday",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to run; none is the control room (`run`).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of the control room when no subcommand is given (same as `dropday run`).
    #[command(flatten)]
    pub room: RoomArgs,
}

impl Cli {
    /// The command to run; a bare `dropday` is `dropday run`.
    #[must_use]
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Run(self.room))
    }
}

/// What dropday should do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The control room against the configured feeds (the default).
    Run(RoomArgs),
    /// The control room against a simulated drop served in-process: no setup, nothing real.
    Demo(DemoArgs),
    /// Serve the three feeds and the control endpoints from a scenario.
    Sim(SimArgs),
    /// Poll the feeds for a while, then print the derived figures and alerts (for scripts).
    Status(StatusArgs),
    /// One room for the whole team: poll once, serve the control room to everyone over SSH.
    Serve(ServeArgs),
    /// Play a recording (`--record`) back through the same room, read-only.
    Replay(ReplayArgs),
    /// Print the post-drop scorecard of a recording.
    Report(ReportArgs),
    /// Alert delivery: `dropday notify test` sends a test alert to each `[[notify]]` sink.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Mapped sources: list the built-in mappings, or check a mapping on saved answers.
    #[command(subcommand)]
    Adapters(AdaptersCommand),
}

/// Flags of `dropday replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The recording.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Recording seconds per real second (`[`/`]` change it while playing).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Start here: RFC 3339, HH:MM (in the config's ui.timezone) or +DURATION after the
    /// recording's start.
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Config file for the alert thresholds, keys and colours (as `run` reads it).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Plain ASCII: no braille, no box-drawing characters.
    #[arg(long)]
    pub ascii: bool,
}

/// What `dropday report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown (the default).
    #[default]
    Md,
    /// JSON (a documented interface, see README).
    Json,
    /// One self-contained HTML file with charts.
    Html,
}

/// Flags of `dropday report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The recording.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// md, json or html.
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Poll the marketplace once for fresh `after_sale` counters (appended to the recording).
    #[arg(long)]
    pub refresh: bool,
    /// Config file (for `--refresh`: the marketplace's URL and token; else the recording's URL).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `dropday notify …`.
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a clearly-marked test alert to each sink (then resolve it), print what each
    /// answered, and exit 1 if any sink failed.
    Test(NotifyTestArgs),
}

/// `dropday notify test`.
#[derive(Debug, Clone, Default, Args)]
pub struct NotifyTestArgs {
    // clap prints this doc as `--help` text, verbatim: backticks would show on the terminal.
    #[allow(clippy::doc_markdown)]
    /// Config file (default: $DROPDAY_CONFIG, else ~/.config/dropday/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only the sink of this name.
    #[arg(long, value_name = "NAME")]
    pub sink: Option<String>,
}

/// `dropday adapters …`
#[derive(Debug, Clone, Subcommand)]
pub enum AdaptersCommand {
    /// The built-in mappings (`adapter = "…"` in a feed's config).
    List,
    /// Print the document a mapping makes from saved answers, and the decoder's verdict entry
    /// by entry.
    Check {
        /// A built-in mapping's name or a mapping file.
        mapping: String,
        /// JSON: {"requests": {name: [{"item": …, "pages": [answer…]}]}, "config"?, "state"?, "now"?}.
        #[arg(long, value_name = "FILE.json")]
        input: PathBuf,
        /// A dropday config whose feed uses this mapping (its settings and lists are used).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// Flags of `dropday serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Config file (default: `$DROPDAY_CONFIG`, else `~/.config/dropday/config.toml`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve SSH on this address (`:2222` is 127.0.0.1:2222), overriding `[serve] listen`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Serve Prometheus /metrics on this address (`:9464` is 127.0.0.1:9464), overriding
    /// `[metrics] listen`.
    #[arg(long, value_name = "ADDR", value_parser = parse_metrics_listen)]
    pub metrics: Option<SocketAddr>,
    /// Append everything the served room sees and everyone in it does to this recording (for
    /// `dropday replay` and `dropday report`); overrides the config's `record`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// Flags of the control room (`run` and `demo`).
#[derive(Debug, Clone, Default, Args)]
pub struct RoomArgs {
    // clap prints this doc as `--help` text, verbatim: backticks would show on the terminal.
    #[allow(clippy::doc_markdown)]
    /// Config file (default: $DROPDAY_CONFIG, else ~/.config/dropday/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Never send control actions; the keys that would say why.
    #[arg(long)]
    pub read_only: bool,
    /// Plain ASCII: no braille, no box-drawing characters.
    #[arg(long)]
    pub ascii: bool,
    // clap prints this doc as `--help` text, verbatim: backticks would show on the terminal.
    #[allow(clippy::doc_markdown)]
    /// Colours: auto (honours NO_COLOR), never, 16 or 256.
    #[arg(long, value_name = "auto|never|16|256")]
    pub color: Option<ColorMode>,
    /// Environment name shown in the header (`production` gets a red border).
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// Poll every feed at this interval (e.g. 1s, 500ms), overriding the config.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub poll: Option<Duration>,
    /// Append everything the room sees and does to this recording (for `dropday replay` and
    /// `dropday report`); overrides the config's `record`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Serve Prometheus /metrics on this address (`:9464` is 127.0.0.1:9464), overriding
    /// `[metrics] listen`.
    #[arg(long, value_name = "ADDR", value_parser = parse_metrics_listen)]
    pub metrics: Option<SocketAddr>,
}

/// Flags of `dropday demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Scenario: a built-in name (launch, popup-day, quiet) or a TOML file.
    #[arg(long, default_value = "launch", value_name = "NAME|FILE")]
    pub scenario: String,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Deliver the demo's alerts to the config's [[notify]] sinks, labelled
    /// environment="demo" (without it the demo delivers nothing).
    #[arg(long)]
    pub notify: bool,
    /// The control room's flags, as `run` takes them.
    #[command(flatten)]
    pub room: RoomArgs,
}

/// `dropday sim` in a build without the simulator: any flags are taken, so that the answer is
/// how to get the simulator rather than a complaint about a flag.
#[cfg(not(feature = "sim"))]
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Whatever followed `sim`, taken only so that it is not refused.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub ignored: Vec<String>,
}

/// Flags of `dropday status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    // clap prints this doc as `--help` text, verbatim: backticks would show on the terminal.
    #[allow(clippy::doc_markdown)]
    /// Config file (default: $DROPDAY_CONFIG, else ~/.config/dropday/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How long to poll before printing. A short observation gives wide ranges, not guesses:
    /// each rate carries its 90 % interval (`_low`/`_high` in JSON, `~6/min (0-35)` in the
    /// table), projection alerts are critical only when the whole interval is past their
    /// threshold, and an alert whose condition holds but has not held for its pending time
    /// is listed as "pending" (and counted by --check). Observe longer for narrower ranges.
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = parse_duration)]
    pub observe: Duration,
    /// Print JSON (a documented interface, see README) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Exit 0 when no alert holds, 1 for a warning, 2 for a critical one (firing or pending).
    #[arg(long)]
    pub check: bool,
    /// Poll every feed at this interval, overriding the config.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub poll: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::{Cli, Command};
    use clap::{CommandFactory, Parser};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_bare_dropday_runs_the_control_room() {
        let cli = Cli::try_parse_from(["dropday", "--read-only", "--environment", "prod"])
            .expect("parses");
        match cli.into_command() {
            Command::Run(args) => {
                assert!(args.read_only);
                assert_eq!(args.environment.as_deref(), Some("prod"));
            }
            other => panic!("expected run, got {other:?}"),
        }
    }

    #[test]
    fn demo_takes_the_room_flags() {
        let cli = Cli::try_parse_from([
            "dropday", "demo", "--speed", "10", "--ascii", "--poll", "500ms",
        ])
        .expect("parses");
        match cli.into_command() {
            Command::Demo(args) => {
                assert!((args.speed - 10.0).abs() < f64::EPSILON);
                assert!(args.room.ascii);
                assert_eq!(args.room.poll, Some(std::time::Duration::from_millis(500)));
            }
            other => panic!("expected demo, got {other:?}"),
        }
    }

    #[test]
    fn bad_durations_are_refused_with_the_flag_named() {
        let error = Cli::try_parse_from(["dropday", "status", "--observe", "soon"])
            .expect_err("refused")
            .to_string();
        assert!(error.contains("--observe"), "{error}");
        assert!(error.contains("not a duration"), "{error}");
    }
}
