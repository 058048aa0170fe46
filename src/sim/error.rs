//! Errors of the simulator: each says what was wrong, where, and what to do.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the simulator could not start or keep running.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// `--scenario NAME` named no built-in scenario.
    #[error(
        "unknown scenario `{name}`: the built-in scenarios are {available}; \
         or pass a path to a .toml file"
    )]
    UnknownScenario {
        /// The name given.
        name: String,
        /// The built-in names, comma-separated.
        available: String,
    },
    /// A scenario file could not be read.
    #[error("cannot read scenario file {}: {source}", path.display())]
    ReadScenario {
        /// The file named.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A scenario is not valid TOML, or has an unknown or mistyped key.
    #[error("scenario {origin} cannot be read: {message}")]
    ParseScenario {
        /// The scenario's name or file.
        origin: String,
        /// The TOML parser's message.
        message: String,
    },
    /// A scenario parsed but one of its values makes no sense.
    #[error("scenario {origin}: `{key}` {message}")]
    InvalidScenario {
        /// The scenario's name or file.
        origin: String,
        /// The key whose value is wrong.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A fault spelling (flag, scenario or admin request) was not understood.
    #[error(
        "invalid fault `{spec}`: {message} (expected FEED:KIND[:ARG], e.g. marketplace:http500, \
         fulfilment:latency:800, pos:skew:-120)"
    )]
    Fault {
        /// The spelling given.
        spec: String,
        /// What is wrong with it.
        message: String,
    },
    /// `--speed` was zero, negative or not a number.
    #[error(
        "invalid speed {0}: give a positive number of sim seconds per wall second, e.g. 1 or 30"
    )]
    Speed(f64),
    /// A token environment variable named by a flag is unset or empty.
    #[error(
        "environment variable {name} (named by {flag}) is not set or is empty: export it or drop the flag"
    )]
    TokenEnv {
        /// The variable's name.
        name: String,
        /// The flag that named it.
        flag: &'static str,
    },
    /// The listening socket could not be opened.
    #[error(
        "cannot listen on {addr}: {source} (another simulator running? pick a free port with \
         --listen 127.0.0.1:0)"
    )]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it could not be bound.
        source: std::io::Error,
    },
    /// Waiting for Ctrl-C failed.
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(std::io::Error),
}
