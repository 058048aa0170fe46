//! The `dropday` binary: argument parsing and wiring only.

// No unsafe anywhere in the binary; Cargo.toml only denies it so test files can opt in.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

use dropday::cli::{AdaptersCommand, Cli, Command, NotifyCommand, StatusArgs};
use dropday::config::{self, Config};
#[cfg(feature = "sim")]
use dropday::sim;
use dropday::{room, status, stderr_log};

/// mimalloc rather than glibc's malloc: the mapped feeds' jq values are many small, short-lived
/// allocations, where it costs about half (a poll of a thousand Square locations,
/// docs/PERFORMANCE.md). The benches declare the same, so they measure what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status when the program could not do its job for another reason.
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("dropday: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let exit = match cli.into_command() {
        Command::Run(args) => runtime.block_on(room::run(args, None)),
        Command::Demo(args) => {
            let room_args = args.room.clone();
            runtime.block_on(room::run(room_args, Some(args)))
        }
        #[cfg(not(feature = "sim"))]
        Command::Sim(_) => room::without_simulator("sim"),
        #[cfg(feature = "sim")]
        Command::Sim(args) => {
            stderr_log::init(log::Level::Info);
            match runtime.block_on(sim::cli::run(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("dropday sim: {e}");
                    ExitCode::from(EXIT_FAILURE)
                }
            }
        }
        Command::Status(args) => runtime.block_on(run_status(args)),
        Command::Serve(args) => runtime.block_on(room::serve::run(args)),
        Command::Replay(args) => runtime.block_on(room::replay::run(args)),
        Command::Report(args) => runtime.block_on(room::report::run(args)),
        Command::Notify(NotifyCommand::Test(args)) => {
            stderr_log::init(log::Level::Warn);
            runtime.block_on(room::notify_test::run(args))
        }
        Command::Adapters(command) => run_adapters(&command),
    };
    // Dropping a runtime waits for every blocking task without end; a task stuck on a
    // terminal that went away would keep the process alive after its work is done, deaf to
    // SIGTERM (tokio's handler is still installed). Whatever is still running after a few
    // seconds (a slow audit append) is given that long, then left.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    exit
}

fn run_adapters(command: &AdaptersCommand) -> ExitCode {
    use dropday::feed::adapters::check;
    let result = match command {
        AdaptersCommand::List => check::list().map(|text| (text, true)),
        AdaptersCommand::Check {
            mapping,
            input,
            config,
        } => check_mapping(mapping, input, config.as_deref()),
    };
    match result {
        Ok((text, clean)) => {
            print!("{text}");
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_FAILURE)
            }
        }
        Err(e) => {
            eprintln!("dropday adapters: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn check_mapping(
    mapping: &str,
    input: &std::path::Path,
    config: Option<&std::path::Path>,
) -> Result<(String, bool), String> {
    use dropday::feed::adapters::check;
    let text = std::fs::read_to_string(input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let input: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", input.display()))?;
    let loaded = config
        .map(|path| Config::load(Some(path)))
        .transpose()
        .map_err(|e| e.to_string())?;
    let configured = loaded.as_ref().and_then(|config| {
        config
            .feeds
            .iter()
            .filter_map(|feed| feed.mapped.as_deref())
            .find(|source| source.mapping.name == mapping)
    });
    if loaded.is_some() && configured.is_none() {
        return Err(format!("no feed of that config uses the mapping {mapping}"));
    }
    let source = check::source_for(mapping, configured, &input)?;
    let report = check::check(&source, &input, chrono::Utc::now())?;
    Ok((report.text, report.clean))
}

async fn run_status(args: StatusArgs) -> ExitCode {
    stderr_log::init(log::Level::Error);
    let mut config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("dropday: {e}");
            return ExitCode::from(config::EXIT_STATUS);
        }
    };
    if let Some(every) = args.poll {
        config.set_poll_every(every);
    }
    if let Some(warning) = config.alerts.deprecation_warning() {
        eprintln!("dropday status: warning: {warning}");
    }
    let report = match status::observe(&config, args.observe).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("dropday status: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("dropday status: cannot write JSON: {e}");
                return ExitCode::from(EXIT_FAILURE);
            }
        }
    } else {
        print!(
            "{}",
            status::render_table(&report, config.alerts.settled_within_pct)
        );
    }
    if args.check {
        // 0, 1 or 2 by construction (the monitoring-plugin convention).
        ExitCode::from(u8::try_from(report.exit_code()).unwrap_or(2))
    } else {
        ExitCode::SUCCESS
    }
}
