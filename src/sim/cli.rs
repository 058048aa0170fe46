//! `dropday sim`: the command-line face of the simulator.

use std::net::SocketAddr;

use crate::feed::FeedKind;

use super::error::SimError;
use super::faults::FaultSpec;
use super::running::{SimOptions, start};
use super::scenario::{ScenarioSource, builtin_names};

/// Flags of `dropday sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on (loopback by default; use 0.0.0.0:PORT to serve other machines).
    #[arg(long, default_value = "127.0.0.1:7070")]
    pub listen: SocketAddr,
    /// Built-in scenario (launch, popup-day, quiet, contract-edge) or path to a scenario TOML file.
    #[arg(long, default_value = "launch")]
    pub scenario: String,
    /// Sim seconds per wall second (e.g. 30 to watch a launch unfold in minutes).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Serve the three feeds on three ports (the listen port and the next two; or three
    /// ephemeral ports with port 0) instead of one.
    #[arg(long)]
    pub port_per_feed: bool,
    /// Name of an environment variable holding a token that may read the feeds.
    #[arg(long, value_name = "VAR")]
    pub read_token_env: Option<String>,
    /// Name of an environment variable holding a token that may operate drops.
    #[arg(long, value_name = "VAR")]
    pub operate_token_env: Option<String>,
    /// Fault on from the start (repeatable), e.g. marketplace:http500, fulfilment:latency:800,
    /// pos:skew:-120, marketplace:drop-response:3. Kinds: latency, http500/502/503/504,
    /// http429, malformed, truncated, truncated-chunked, oversized, oversized-chunked, hang,
    /// counter-reset, skew, wrong-types, not-modified, drop-response, stall.
    #[arg(long = "fault", value_name = "FEED:KIND[:ARG]")]
    pub faults: Vec<FaultSpec>,
}

fn token_from_env(var: Option<&str>, flag: &'static str) -> Result<Option<String>, SimError> {
    let Some(name) = var else {
        return Ok(None);
    };
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => Ok(Some(token.trim().to_owned())),
        _ => Err(SimError::TokenEnv {
            name: name.to_owned(),
            flag,
        }),
    }
}

impl SimArgs {
    /// The options these flags ask for (tokens read from their environment variables).
    ///
    /// # Errors
    /// When a named token variable is unset or empty.
    pub fn options(&self) -> Result<SimOptions, SimError> {
        Ok(SimOptions {
            speed: self.speed,
            listen: self.listen,
            port_per_feed: self.port_per_feed,
            read_token: token_from_env(self.read_token_env.as_deref(), "--read-token-env")?,
            operate_token: token_from_env(
                self.operate_token_env.as_deref(),
                "--operate-token-env",
            )?,
            faults: self.faults.clone(),
            ..SimOptions::new(ScenarioSource::from_arg(&self.scenario))
        })
    }
}

/// Runs the simulator until Ctrl-C, printing where the feeds are.
///
/// # Errors
/// When the simulator cannot start (scenario, port, tokens) or Ctrl-C cannot be awaited.
pub async fn run(args: SimArgs) -> Result<(), SimError> {
    let sim = start(args.options()?).await?;
    let scenario = sim.scenario();
    println!(
        "dropday sim: scenario `{}` — {}",
        scenario.name, scenario.description
    );
    println!("  built-in scenarios: {}", builtin_names().join(", "));
    for feed in FeedKind::ALL {
        println!(
            "  {:<12} {}{}",
            feed.name(),
            sim.feed_url(feed),
            feed.path()
        );
    }
    println!(
        "  control      POST {}/v1/drops/{{id}}/pause | resume | price-band",
        sim.base_url()
    );
    println!(
        "  faults       POST/DELETE {}/_sim/faults  {{\"fault\": \"marketplace:http500\"}}",
        sim.base_url()
    );
    if (args.speed - 1.0).abs() > f64::EPSILON {
        println!("  clock        {}x", args.speed);
    }
    for fault in sim.active_faults() {
        println!("  fault on     {fault}");
    }
    println!("Ctrl-C to stop.");
    let waited = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    waited.map_err(SimError::Signal)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn flags_parse_with_their_defaults() {
        let cli = Cli::try_parse_from(["sim"]).expect("defaults");
        assert_eq!(cli.sim.listen, SocketAddr::from(([127, 0, 0, 1], 7070)));
        assert_eq!(cli.sim.scenario, "launch");
        assert!((cli.sim.speed - 1.0).abs() < f64::EPSILON);

        let cli = Cli::try_parse_from([
            "sim",
            "--fault",
            "marketplace:http500",
            "--fault",
            "pos:skew:-120",
            "--speed",
            "30",
            "--port-per-feed",
            "--scenario",
            "assets/scenarios/quiet.toml",
        ])
        .expect("flags");
        assert_eq!(cli.sim.faults.len(), 2);
        let opts = cli.sim.options().expect("options");
        assert!(opts.port_per_feed);
        assert!(matches!(opts.scenario, ScenarioSource::File(_)));
    }

    #[test]
    fn a_bad_fault_is_refused_by_the_parser() {
        let err = Cli::try_parse_from(["sim", "--fault", "marketplace:explode"])
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("unknown kind")));
    }

    #[test]
    fn a_missing_token_variable_is_named() {
        let cli = Cli::try_parse_from([
            "sim",
            "--operate-token-env",
            "DROPDAY_SIM_TEST_SURELY_UNSET",
        ])
        .expect("flags");
        let err = cli.sim.options().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("DROPDAY_SIM_TEST_SURELY_UNSET")));
    }
}
