//! `dropday notify test [--sink NAME]`: the test alert to each sink at once (a hanging sink
//! costs its timeout, not the others'), what each answered, exit 1 if any failed.

use std::process::ExitCode;

use chrono::Utc;

use crate::cli::NotifyTestArgs;
use crate::config::Config;
use crate::notify::test_alert::run_test;

use super::config_failure;
use super::outputs::host_name;

/// Runs `dropday notify test`.
pub async fn run(args: NotifyTestArgs) -> ExitCode {
    let config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => return config_failure(&e),
    };
    let sinks: Vec<_> = config
        .notify
        .iter()
        .filter(|s| args.sink.as_ref().is_none_or(|name| &s.name == name))
        .collect();
    if sinks.is_empty() {
        let names: Vec<&str> = config.notify.iter().map(|s| s.name.as_str()).collect();
        match &args.sink {
            Some(name) if !names.is_empty() => eprintln!(
                "dropday notify test: no sink named `{name}`; the config has {}",
                names.join(", ")
            ),
            _ => eprintln!(
                "dropday notify test: no [[notify]] sink in the config; add one, e.g.\n\n\
                 [[notify]]\nkind = \"webhook\"\nname = \"ops\"\nurl = \"http://127.0.0.1:5001/hook\""
            ),
        }
        return ExitCode::from(crate::config::EXIT_STATUS);
    }
    let instance = host_name();
    let now = Utc::now();
    let outcomes = futures::future::join_all(
        sinks
            .iter()
            .map(|sink| run_test(sink, &config.ui.environment, &instance, now)),
    )
    .await;
    let mut failed = false;
    for (sink, outcome) in sinks.iter().zip(&outcomes) {
        failed |= !outcome.ok;
        println!(
            "{} ({}): {}",
            sink.name,
            sink.kind,
            if outcome.ok { "ok" } else { "FAILED" }
        );
        for answer in &outcome.answers {
            println!("  {answer}");
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
