//! The `[serve]` table: a raw form as the file spells it, and the validated settings serve runs
//! with. Every error names the key (`serve.listen`, …), the value and what to write instead.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// `[serve]` as written in the config file; every key optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawServeSettings {
    /// `host:port`, `[v6]:port`, or `:port` for 127.0.0.1.
    pub listen: Option<String>,
    /// The host key file; default in the state directory.
    pub host_key: Option<PathBuf>,
    /// OpenSSH `authorized_keys` file; required when SSH is served.
    pub authorized_keys: Option<PathBuf>,
    /// Most sessions at once (default 64).
    pub max_sessions: Option<i64>,
    /// humantime, e.g. `"30m"`.
    pub idle_timeout: Option<String>,
    /// humantime, e.g. `"15s"`.
    pub keepalive: Option<String>,
    /// Where `:export` writes in a served session.
    pub export_dir: Option<PathBuf>,
}

/// What the SSH server needs, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSettings {
    /// The address SSH is served on.
    pub listen: SocketAddr,
    /// The host key file.
    pub host_key: PathBuf,
    /// The `authorized_keys` file.
    pub authorized_keys: PathBuf,
    /// Most sessions at once.
    pub max_sessions: NonZeroUsize,
    /// A session with no key pressed for this long ends with a goodbye line.
    pub idle_timeout: Duration,
    /// A keepalive is sent after this long without hearing from the client …
    pub keepalive: Duration,
    /// … and this many unanswered ones end the connection.
    pub keepalive_max: usize,
    /// Where `:export` writes; `None`: no export in served sessions.
    pub export_dir: Option<PathBuf>,
}

/// `[serve]` checked: `ssh` is `None` when no listen address is configured (SSH not served).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeSettings {
    /// The SSH server's settings, when SSH is served.
    pub ssh: Option<SshSettings>,
}

/// `max_sessions` when not given.
pub const DEFAULT_MAX_SESSIONS: usize = 64;
/// `idle_timeout` when not given.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// `keepalive` when not given.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(15);
/// Missed keepalives that end a connection (sshd's `ClientAliveCountMax` default is 3 too).
pub const KEEPALIVE_MAX: usize = 3;
/// More sessions than this would be a typo, and each costs a terminal's worth of buffers.
const MAX_SESSIONS_LIMIT: i64 = 10_000;

/// A `[serve]` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[serve] {key} = {value}: {problem}")]
pub struct SettingsError {
    /// The key as written in the file, e.g. `listen`.
    pub key: &'static str,
    /// The value as written (quoted when it was a string), or `(missing)`.
    pub value: String,
    /// What is wrong and what to write instead.
    pub problem: String,
}

impl RawServeSettings {
    /// Checks the table. `listen_flag` (from `--listen`) wins over `listen`; `default_host_key`
    /// is used when `host_key` is not set.
    ///
    /// # Errors
    /// The first key whose value cannot be used.
    pub fn validate(
        &self,
        listen_flag: Option<&str>,
        default_host_key: Option<PathBuf>,
    ) -> Result<ServeSettings, SettingsError> {
        let error = |key, value: String, problem: &str| SettingsError {
            key,
            value,
            problem: problem.to_owned(),
        };
        let max_sessions = match self.max_sessions {
            None => NonZeroUsize::new(DEFAULT_MAX_SESSIONS),
            Some(n) if (1..=MAX_SESSIONS_LIMIT).contains(&n) => {
                usize::try_from(n).ok().and_then(NonZeroUsize::new)
            }
            Some(_) => None,
        }
        .ok_or_else(|| {
            error(
                "max_sessions",
                format!("{}", self.max_sessions.unwrap_or_default()),
                &format!("must be 1 to {MAX_SESSIONS_LIMIT}"),
            )
        })?;
        let idle_timeout = duration(
            "idle_timeout",
            self.idle_timeout.as_deref(),
            DEFAULT_IDLE_TIMEOUT,
        )?;
        let keepalive = duration("keepalive", self.keepalive.as_deref(), DEFAULT_KEEPALIVE)?;
        if let Some(dir) = &self.export_dir
            && dir.as_os_str().is_empty()
        {
            return Err(error(
                "export_dir",
                "\"\"".into(),
                "is empty; leave it out for no export",
            ));
        }
        let Some(listen_text) = listen_flag.or(self.listen.as_deref()) else {
            return Ok(ServeSettings { ssh: None });
        };
        let listen = parse_listen(listen_text)
            .map_err(|problem| error("listen", format!("{listen_text:?}"), &problem))?;
        let authorized_keys = self.authorized_keys.clone().ok_or_else(|| {
            error(
                "authorized_keys",
                "(missing)".into(),
                "is required when SSH is served; point it at an OpenSSH authorized_keys file whose comments are people's names",
            )
        })?;
        let host_key = self.host_key.clone().or(default_host_key).ok_or_else(|| {
            error(
                "host_key",
                "(missing)".into(),
                "no home or state directory to keep it in; set host_key to a file path",
            )
        })?;
        Ok(ServeSettings {
            ssh: Some(SshSettings {
                listen,
                host_key,
                authorized_keys,
                max_sessions,
                idle_timeout,
                keepalive,
                keepalive_max: KEEPALIVE_MAX,
                export_dir: self.export_dir.clone(),
            }),
        })
    }
}

fn duration(
    key: &'static str,
    text: Option<&str>,
    default: Duration,
) -> Result<Duration, SettingsError> {
    let Some(text) = text else {
        return Ok(default);
    };
    let error = |problem: &str| SettingsError {
        key,
        value: format!("{text:?}"),
        problem: problem.to_owned(),
    };
    let value = humantime::parse_duration(text)
        .map_err(|e| error(&format!("{e}; write a duration such as \"30m\" or \"15s\"")))?;
    if value < Duration::from_secs(1) {
        return Err(error("must be at least 1s"));
    }
    Ok(value)
}

/// `:2222` → 127.0.0.1:2222 (listening beyond this machine is a choice to write out);
/// `0.0.0.0:2222`, `[::]:2222`, `localhost:2222` as written.
///
/// # Errors
/// Not an address with a port.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let port_of = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("`{p}` is not a port (0 to 65535)"))
    };
    if let Some(port) = text.strip_prefix(':') {
        return Ok(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            port_of(port)?,
        ));
    }
    if let Some(port) = text.strip_prefix("localhost:") {
        return Ok(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            port_of(port)?,
        ));
    }
    text.parse::<SocketAddr>().map_err(|_| {
        "not an address with a port; write \":2222\" (this machine only), \"0.0.0.0:2222\" or \"[::]:2222\"".to_owned()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn raw(toml_text: &str) -> RawServeSettings {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn defaults_apply_when_ssh_is_served() {
        let settings = raw("listen = \":2222\"\nauthorized_keys = \"/etc/dropday/keys\"")
            .validate(None, Some("/state/host_key".into()))
            .unwrap();
        let ssh = settings.ssh.unwrap();
        assert_eq!(ssh.listen, "127.0.0.1:2222".parse().unwrap());
        assert_eq!(ssh.host_key, PathBuf::from("/state/host_key"));
        assert_eq!(ssh.max_sessions.get(), 64);
        assert_eq!(ssh.idle_timeout, Duration::from_secs(1800));
        assert_eq!(ssh.keepalive, Duration::from_secs(15));
        assert_eq!(ssh.keepalive_max, 3);
        assert_eq!(ssh.export_dir, None);
    }

    #[test]
    fn no_listen_means_no_ssh_and_the_flag_wins() {
        assert_eq!(raw("").validate(None, None).unwrap().ssh, None);
        let ssh = raw("listen = \":2222\"\nauthorized_keys = \"k\"\nhost_key = \"h\"")
            .validate(Some("0.0.0.0:22"), None)
            .unwrap()
            .ssh
            .unwrap();
        assert_eq!(ssh.listen, "0.0.0.0:22".parse().unwrap());
    }

    #[test]
    fn listen_forms() {
        let cases: &[(&str, Option<&str>)] = &[
            (":2222", Some("127.0.0.1:2222")),
            ("localhost:2222", Some("127.0.0.1:2222")),
            ("0.0.0.0:2222", Some("0.0.0.0:2222")),
            ("[::1]:2222", Some("[::1]:2222")),
            ("2222", None),
            (":http", None),
            (":70000", None),
            ("example.com:22", None),
        ];
        for (text, expected) in cases {
            let got = parse_listen(text).ok().map(|a| a.to_string());
            assert_eq!(got.as_deref(), *expected, "{text}");
        }
    }

    #[test]
    fn errors_name_the_key() {
        let cases: &[(&str, &str)] = &[
            (
                "listen = \":2222\"",
                "[serve] authorized_keys = (missing): is required when SSH is served",
            ),
            (
                "listen = \"2222\"\nauthorized_keys = \"k\"",
                "[serve] listen = \"2222\": not an address with a port",
            ),
            (
                "max_sessions = 0",
                "[serve] max_sessions = 0: must be 1 to 10000",
            ),
            (
                "idle_timeout = \"soon\"",
                "[serve] idle_timeout = \"soon\": ",
            ),
            (
                "keepalive = \"0s\"",
                "[serve] keepalive = \"0s\": must be at least 1s",
            ),
            ("export_dir = \"\"", "[serve] export_dir = \"\": is empty"),
        ];
        for (text, expected) in cases {
            let message = raw(text)
                .validate(None, Some("h".into()))
                .unwrap_err()
                .to_string();
            assert!(message.starts_with(expected), "{text:?} → {message}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_by_the_raw_form() {
        let error = toml::from_str::<RawServeSettings>("listn = \":2222\"").unwrap_err();
        assert!(
            error.to_string().contains("unknown field `listn`"),
            "{error}"
        );
    }

    #[test]
    fn default_host_key_lives_in_the_state_dir() {
        let path = crate::serve::host_key::default_path().unwrap();
        assert!(path.ends_with("dropday/host_key"), "{}", path.display());
    }
}
