//! The configuration: a TOML file (see `config.example.toml`), environment variables and flags,
//! validated into one typed [`Config`]. Every error names the file, the line and the key.
//!
//! - [`raw`]: the file as written (serde types, nothing checked)
//! - [`validate`]: raw into typed, each error with its exact key path
//! - [`paths`]: where the files live (XDG, on Linux and macOS alike)

mod local_zone;
mod mapped;
mod notify;
pub mod paths;
pub use self::local_zone::tz_zone;
pub use self::notify::parse_metrics_listen;
mod raw;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;

pub use crate::app::ColorMode;
pub use crate::app::session::Bell;
use crate::feed::FeedKind;
use crate::feed::client::FeedEndpoint;
use crate::model::alerts::{AlertKind, AlertThresholds};
use crate::model::board::{Board, BoardSettings};
use crate::model::format::Zone;
use crate::model::steady::WordHolds;
use crate::notify::settings::SinkSettings;
use crate::serve::settings::{RawServeSettings, ServeSettings};

use self::paths::{Environment, ProcessEnvironment};
use self::validate::Source;

/// The environment variable naming the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "DROPDAY_CONFIG";

/// Where the feeds are expected when no config says otherwise: the simulator's default.
pub const DEFAULT_FEED_URL: &str = "http://127.0.0.1:7070";

/// Exit status when the config (or the command line) cannot be used, as clap uses for usage
/// errors; scripts tell it from a failed run (1).
pub const EXIT_STATUS: u8 = 2;

/// A configuration that could not be used: what, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file, or `None` for problems outside any file (a flag, an environment variable).
    pub file: Option<PathBuf>,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// Dotted key (`feeds.marketplace.poll`), when known.
    pub key: Option<String>,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = "config error".to_owned();
        if let Some(file) = &self.file {
            text.push_str(&format!(" in {}", file.display()));
        }
        if let Some(line) = self.line {
            text.push_str(&format!(" line {line}"));
        }
        if let Some(key) = &self.key {
            text.push_str(&format!(" key `{key}`"));
        }
        text.push_str(": ");
        text.push_str(&self.message);
        // Always one line: a value quoted from the file (`url = "http://x\n"`) or a path may
        // hold a newline or another control character; those are shown escaped.
        for c in text.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_debug())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Settings of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiSettings {
    /// Shown in the header; `prod`/`production` gets a distinct border.
    pub environment: String,
    /// No braille and no box-drawing characters.
    pub ascii: bool,
    /// Colours: `auto` (honours `NO_COLOR`), never, 16 or 256.
    pub color: ColorMode,
    /// No control request can be sent.
    pub read_only: bool,
    /// The zone clock times are shown in (`ui.timezone`: "UTC", "local" or an IANA name).
    pub timezone: Zone,
    /// Environments where pause, resume and band switches are confirmed by typing the drop
    /// id (`ui.type_to_confirm`, default `["production", "prod"]`), lower case.
    pub type_to_confirm: Vec<String>,
    /// Which new alerts ring the terminal bell (`ui.bell`, default `critical`).
    pub bell: Bell,
}

impl UiSettings {
    /// Whether `environment` is one where confirming means typing the drop id (any case).
    #[must_use]
    pub fn confirms_by_typing(&self) -> bool {
        let environment = self.environment.trim().to_ascii_lowercase();
        self.type_to_confirm.contains(&environment)
    }
}

/// `ui.type_to_confirm` when the file does not set it.
pub const DEFAULT_TYPE_TO_CONFIRM: [&str; 2] = ["production", "prod"];

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, `None` for built-in defaults.
    pub file: Option<PathBuf>,
    /// One endpoint per feed, in [`FeedKind::ALL`] order.
    pub feeds: Vec<FeedEndpoint>,
    /// Cap of a failing feed's backoff.
    pub max_backoff: Duration,
    /// Cap of a server's `Retry-After`, for polls and control requests (also set on each feed).
    pub max_retry_after: Duration,
    /// Trailing window of rates (burn rate, orders per minute, live conversion).
    pub rate_window: Duration,
    /// `[ui]`: what the screen shows and how.
    pub ui: UiSettings,
    /// JSON-lines audit log of control actions.
    pub audit_log: PathBuf,
    /// `record = "FILE"`: where `run` and `serve` record (`--record` overrides it).
    pub record: Option<PathBuf>,
    /// Key bindings: action name → key text, overriding the defaults.
    pub keys: BTreeMap<String, String>,
    /// Line of each `[keys]` entry in the file, for errors found when the keymap is built.
    pub key_lines: BTreeMap<String, usize>,
    /// `[alerts]`: the thresholds of the alert rules, defaults filled in.
    pub alerts: AlertThresholds,
    /// `[serve]`, for `dropday serve`.
    pub serve: ServeConfig,
    /// `[[notify]]`: where alerts are delivered (`serve`, `run`; `demo` only with `--notify`).
    pub notify: Vec<SinkSettings>,
    /// `[metrics] listen`: where `/metrics` is served (`--metrics` wins).
    pub metrics_listen: Option<SocketAddr>,
}

/// The `[serve]` table as the file gave it (each key already checked) and what is needed to
/// check it again with `--listen` and name the line of a key in an error.
#[derive(Debug, Clone, Default)]
pub struct ServeConfig {
    /// The table, `~` expanded.
    pub raw: RawServeSettings,
    /// Where the host key lives when `host_key` is not set: the user's state folder.
    pub default_host_key: Option<PathBuf>,
    /// The config file, for errors.
    pub file: Option<PathBuf>,
    /// Line of each key in the file.
    pub lines: BTreeMap<String, usize>,
}

impl ServeConfig {
    /// The settings serve runs with: `listen_flag` (`--listen`) wins over `listen`.
    ///
    /// # Errors
    /// A key whose value cannot be used, with the file, line and key (`serve.listen`).
    pub fn settings(&self, listen_flag: Option<&str>) -> Result<ServeSettings, ConfigError> {
        self.raw
            .validate(listen_flag, self.default_host_key.clone())
            .map_err(|e| {
                let from_flag = e.key == "listen" && listen_flag.is_some();
                ConfigError {
                    file: (!from_flag).then(|| self.file.clone()).flatten(),
                    // A key that is missing is pointed at by the `listen` that needs it.
                    line: (!from_flag)
                        .then(|| self.lines.get(e.key).or_else(|| self.lines.get("listen")))
                        .flatten()
                        .copied(),
                    key: Some(if from_flag {
                        "--listen".to_owned()
                    } else {
                        format!("serve.{}", e.key)
                    }),
                    message: format!("{}: {}", e.value, e.problem),
                }
            })
    }
}

impl Config {
    /// The endpoint of `kind`.
    #[must_use]
    pub fn feed(&self, kind: FeedKind) -> Option<&FeedEndpoint> {
        self.feeds.iter().find(|e| e.kind == kind)
    }

    /// Polls every feed at `every` (the `--poll` flag).
    pub fn set_poll_every(&mut self, every: Duration) {
        for endpoint in &mut self.feeds {
            endpoint.poll_every = every;
        }
    }

    /// Points every feed at `base_url` with no token (the in-process simulator of `demo`).
    pub fn point_all_feeds_at(&mut self, base_url: &str) {
        for endpoint in &mut self.feeds {
            base_url
                .trim_end_matches('/')
                .clone_into(&mut endpoint.base_url);
            endpoint.token = None;
            endpoint.ca_certs_pem.clear();
        }
    }

    /// A config error about the `[keys]` entry of `action` (found when the keymap is built).
    #[must_use]
    pub fn key_error(&self, action: &str, message: String) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: self.key_lines.get(action).copied(),
            key: Some(format!("keys.{action}")),
            message,
        }
    }

    /// The built-in configuration: every feed at [`DEFAULT_FEED_URL`].
    ///
    /// # Errors
    /// Only when a token variable names an unreadable value (never for the defaults).
    pub fn defaults() -> Result<Config, ConfigError> {
        Config::parse("", None)
    }

    /// A board for this config: its rate window, its staleness rule and each feed's poll
    /// interval (the control room and `status` start from the same one).
    #[must_use]
    pub fn board(&self) -> Board {
        let mut board = Board::new(BoardSettings {
            rate_window: TimeDelta::from_std(self.rate_window).unwrap_or(TimeDelta::minutes(5)),
            stale_after_intervals: self.alerts.stale_after_intervals,
            clock_rate: 1.0,
            holds: WordHolds {
                capacity: self.alerts.rule(AlertKind::CapacityExhaustion).pending,
                stock: self.alerts.rule(AlertKind::SelloutSoon).pending,
            },
        });
        for endpoint in &self.feeds {
            if let Ok(every) = TimeDelta::from_std(endpoint.poll_every) {
                board.set_poll_interval(endpoint.kind, every);
            }
        }
        board
    }

    /// Loads the config from `--config`, else `$DROPDAY_CONFIG`, else the user's config
    /// directory (`$XDG_CONFIG_HOME/dropday/config.toml`, by default
    /// `~/.config/dropday/config.toml`, macOS included); built-in defaults when the last is
    /// absent.
    ///
    /// # Errors
    /// When a named file is missing or unreadable, or the file is invalid.
    pub fn load(flag: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_in(flag, &ProcessEnvironment)
    }

    /// [`Config::load`] with the environment given (tests inject one).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn load_in(flag: Option<&Path>, env: &impl Environment) -> Result<Config, ConfigError> {
        let named = flag
            .map(Path::to_path_buf)
            .or_else(|| env.var(CONFIG_ENV).map(PathBuf::from));
        let path = match named {
            Some(path) => path,
            None => match paths::config_dir(env).map(|d| d.join("config.toml")) {
                Some(path) if path.exists() => path,
                _ => return Config::parse_in("", None, env),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
            file: Some(path.clone()),
            line: None,
            key: None,
            message: format!("cannot read the file: {e}"),
        })?;
        Config::parse_in(&text, Some(&path), env)
    }

    /// Parses and validates config text; `file` is only used in error messages.
    ///
    /// # Errors
    /// On unknown keys, wrong types, bad URLs or durations, unreadable token files.
    pub fn parse(text: &str, file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::parse_in(text, file, &ProcessEnvironment)
    }

    /// [`Config::parse`] with the environment given (token variables, `~`, the state folder).
    ///
    /// # Errors
    /// As [`Config::parse`].
    pub fn parse_in(
        text: &str,
        file: Option<&Path>,
        env: &impl Environment,
    ) -> Result<Config, ConfigError> {
        let source = Source { text, file, env };
        source.deserialize()?.validate(&source)
    }
}

/// Parses a duration like `1s`, `500ms`, `5m`.
///
/// # Errors
/// When the text is not a positive duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{text}` is not a duration ({e}); write e.g. 1s, 500ms or 5m"))?;
    if duration.is_zero() {
        return Err(format!("`{text}` must be longer than zero"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match Config::parse(text, Some(Path::new("dropday.toml"))) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn an_empty_file_gives_the_contract_defaults() {
        let config = Config::parse("", None).expect("defaults");
        assert_eq!(config.feeds.len(), 3);
        let market = config.feed(FeedKind::Marketplace).expect("marketplace");
        assert_eq!(market.base_url, DEFAULT_FEED_URL);
        assert_eq!(market.poll_every, Duration::from_secs(1));
        assert_eq!(market.timeout, Duration::from_secs(2));
        assert_eq!(market.body_limit, 8 * 1024 * 1024);
        assert_eq!(config.rate_window, Duration::from_secs(300));
        assert!(!config.ui.read_only);
    }

    #[test]
    fn outlook_words_hold_as_long_as_their_alerts_wait() {
        let holds = |text: &str| {
            Config::parse(text, None)
                .expect("valid")
                .board()
                .settings()
                .holds
        };
        assert_eq!(holds(""), WordHolds::default());
        let set = holds(
            "[alerts.kinds.capacity_exhaustion]\nfor = \"2m\"\n[alerts.kinds.sellout_soon]\nfor = \"45s\"\n",
        );
        assert_eq!(set.capacity, TimeDelta::minutes(2));
        assert_eq!(set.stock, TimeDelta::seconds(45));
    }

    #[test]
    fn feed_sections_are_read() {
        let config = Config::parse(
            "[feeds.fulfilment]\nurl = \"https://hubs.example.com/\"\npoll = \"3s\"\ntimeout = \"1500ms\"\nbody_limit_bytes = 1024\n",
            None,
        )
        .expect("valid");
        let hubs = config.feed(FeedKind::Fulfilment).expect("hubs");
        assert_eq!(hubs.base_url, "https://hubs.example.com");
        assert_eq!(hubs.poll_every, Duration::from_secs(3));
        assert_eq!(hubs.timeout, Duration::from_millis(1500));
        assert_eq!(hubs.body_limit, 1024);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let cases = [
            (
                "[feeds.marketplace]\nurl = \"http://127.0.0.1:7070\"\npol = \"1s\"\n",
                "config error in dropday.toml line 3 key `feeds.marketplace.pol`: unknown field `pol`",
            ),
            (
                "[feeds.pos]\npoll = \"fast\"\n",
                "config error in dropday.toml line 2 key `feeds.pos.poll`: `fast` is not a duration",
            ),
            (
                "[feeds.pos]\nurl = \"ftp://x\"\n",
                "config error in dropday.toml line 2 key `feeds.pos.url`: `ftp://x` must be an http:// or https:// URL",
            ),
            (
                "[feeds.pos]\nurl = \"not a url\"\n",
                "config error in dropday.toml line 2 key `feeds.pos.url`: `not a url` is not a URL",
            ),
            (
                "[ui]\nascii = \"yes\"\n",
                "config error in dropday.toml line 2 key `ui.ascii`: invalid type",
            ),
            (
                "[ui]\ncolor = \"mauve\"\n",
                "config error in dropday.toml line 2 key `ui.color`: `mauve` is not a colour mode",
            ),
            (
                "rate_window = \"0s\"\n",
                "config error in dropday.toml line 1 key `rate_window`: `0s` must be longer than zero",
            ),
            (
                "[feeds.marketplace]\ntimeout = \"40s\"\n",
                "key `feeds.marketplace.timeout`: the request timeout (40s) must be shorter than max_backoff (30s)",
            ),
            ("[feeds\n", "config error in dropday.toml line 1"),
            // The key path comes from serde, whatever the TOML spelling.
            (
                "[feeds.marketplace] # the shop\npol = \"1s\"\n",
                "config error in dropday.toml line 2 key `feeds.marketplace.pol`: unknown field `pol`",
            ),
            (
                "[feeds]\nmarketplace.pol = \"1s\"\n",
                "config error in dropday.toml line 2 key `feeds.marketplace.pol`: unknown field `pol`",
            ),
            (
                "[feeds]\npos = { url = \"http://x\", pol = \"1s\" }\n",
                "config error in dropday.toml line 2 key `feeds.pos.pol`: unknown field `pol`",
            ),
            (
                "ui = { ascii = \"yes\" }\n",
                "config error in dropday.toml line 1 key `ui.ascii`: invalid type",
            ),
        ];
        for (text, expected) in cases {
            let error = error_of(text);
            assert!(
                error.contains(expected),
                "for {text:?}\n got: {error}\nwant: {expected}"
            );
            assert!(!error.contains('\n'), "one line: {error}");
        }
    }

    #[test]
    fn the_serve_table_is_checked_with_file_line_and_key() {
        let error = error_of(
            "[ui]\nascii = true\n\n[serve]\nlisten = \":2222\"\nidle_timeout = \"soon\"\n",
        );
        assert!(
            error.starts_with(
                "config error in dropday.toml line 6 key `serve.idle_timeout`: \"soon\": "
            ),
            "{error}"
        );
        let error = error_of("serve.listen = \":2222\"\n");
        assert!(
            error.contains("line 1 key `serve.authorized_keys`: (missing): is required"),
            "{error}"
        );
        let error = error_of("[serve]\nport = 22\n");
        assert!(error.contains("key `serve.port`"), "{error}");

        let config = Config::parse("[serve]\nauthorized_keys = \"/etc/dropday/keys\"\n", None)
            .expect("valid");
        assert_eq!(config.serve.settings(None).expect("valid").ssh, None);
        let ssh = config
            .serve
            .settings(Some(":2323"))
            .expect("valid")
            .ssh
            .expect("served with --listen");
        assert_eq!(ssh.listen, "127.0.0.1:2323".parse().expect("address"));
        let error = config
            .serve
            .settings(Some("nowhere"))
            .expect_err("bad flag")
            .to_string();
        assert!(
            error.starts_with("config error key `--listen`: \"nowhere\": "),
            "{error}"
        );
    }

    #[test]
    fn an_error_quoting_a_value_with_a_newline_stays_on_one_line() {
        // Found by the parse_config fuzz target.
        let error = error_of("[feeds.marketplace]\nurl = \"http://31;.0./x\\n\"\n");
        assert!(
            error.starts_with(
                "config error in dropday.toml line 2 key `feeds.marketplace.url`: \
                 `http://31;.0./x\\n` is not a URL"
            ),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
        let error = error_of("[ui]\ncolor = \"mauve\\tpink\"\n");
        assert!(
            error.contains("`mauve\\tpink` is not a colour mode"),
            "{error}"
        );
    }

    /// An environment made of the given variables only.
    struct Vars(Vec<(&'static str, String)>);

    impl Environment for Vars {
        fn var(&self, name: &str) -> Option<std::ffi::OsString> {
            self.0
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.into())
        }
    }

    #[test]
    fn tokens_are_not_sent_in_clear_text_off_this_machine() {
        let var = "DROPDAY_TEST_CLEAR_TEXT_TOKEN";
        let env = Vars(vec![(var, "t0ken".to_owned())]);
        let parse = |text: &str| Config::parse_in(text, None, &env);
        let remote =
            format!("[feeds.pos]\nurl = \"http://10.0.0.8:7070\"\ntoken_env = \"{var}\"\n");
        let error = parse(&remote).expect_err("clear text refused").to_string();
        assert!(error.contains("clear text"), "{error}");
        let allowed = format!("{remote}allow_insecure_http = true\n");
        assert!(parse(&allowed).is_ok());
        let loopback =
            format!("[feeds.pos]\nurl = \"http://localhost:7070\"\ntoken_env = \"{var}\"\n");
        let config = parse(&loopback).expect("loopback is fine");
        assert!(
            config
                .feed(FeedKind::Pos)
                .and_then(|f| f.token.as_ref())
                .is_some()
        );
    }

    #[test]
    fn the_default_token_variable_is_read_from_the_given_environment() {
        let env = Vars(vec![("DROPDAY_MARKETPLACE_TOKEN", " m4rket \n".to_owned())]);
        let config = Config::parse_in("", None, &env).expect("defaults");
        let token = config
            .feed(FeedKind::Marketplace)
            .and_then(|f| f.token.clone())
            .expect("token");
        assert_eq!(token.bearer(), "Bearer m4rket");
        assert!(
            config
                .feed(FeedKind::Pos)
                .and_then(|f| f.token.as_ref())
                .is_none()
        );
    }

    #[test]
    fn the_audit_log_lives_in_the_xdg_state_folder() {
        let home = Vars(vec![("HOME", "/home/ops".to_owned())]);
        let config = Config::parse_in("", None, &home).expect("defaults");
        assert_eq!(
            config.audit_log,
            PathBuf::from("/home/ops/.local/state/dropday/audit.jsonl")
        );
        let xdg = Vars(vec![
            ("HOME", "/home/ops".to_owned()),
            ("XDG_STATE_HOME", "/var/state".to_owned()),
        ]);
        let config = Config::parse_in("", None, &xdg).expect("defaults");
        assert_eq!(
            config.audit_log,
            PathBuf::from("/var/state/dropday/audit.jsonl")
        );
        let config = Config::parse_in("audit_log = \"~/a.jsonl\"\n", None, &home).expect("tilde");
        assert_eq!(config.audit_log, PathBuf::from("/home/ops/a.jsonl"));
        let config = Config::parse_in("record = \"~/drop.rec\"\n", None, &home).expect("tilde");
        assert_eq!(config.record, Some(PathBuf::from("/home/ops/drop.rec")));
    }

    #[test]
    fn the_config_file_is_found_in_the_xdg_config_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("xdg").join("dropday");
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join("config.toml"), "[ui]\nenvironment = \"xdg\"\n").expect("write");
        let xdg = Vars(vec![
            ("HOME", "/nonexistent-home".to_owned()),
            (
                "XDG_CONFIG_HOME",
                dir.path().join("xdg").display().to_string(),
            ),
        ]);
        let config = Config::load_in(None, &xdg).expect("found");
        assert_eq!(config.ui.environment, "xdg");
        assert_eq!(config.file, Some(folder.join("config.toml")));
        // `$DROPDAY_CONFIG` wins over the folder; no file anywhere gives the defaults.
        let named = Vars(vec![(CONFIG_ENV, "/nonexistent/dropday.toml".to_owned())]);
        let error = Config::load_in(None, &named).expect_err("named file missing");
        assert!(
            error.to_string().contains("/nonexistent/dropday.toml"),
            "{error}"
        );
        let nothing = Vars(vec![("HOME", "/nonexistent-home".to_owned())]);
        let config = Config::load_in(None, &nothing).expect("defaults");
        assert_eq!(config.file, None);
    }

    #[test]
    fn retry_after_is_capped_at_ten_minutes_unless_configured() {
        let config = Config::parse("", None).expect("defaults");
        assert_eq!(config.max_retry_after, Duration::from_secs(600));
        let config = Config::parse("max_retry_after = \"45s\"\n", None).expect("valid");
        assert_eq!(config.max_retry_after, Duration::from_secs(45));
        for endpoint in &config.feeds {
            assert_eq!(endpoint.max_retry_after, Duration::from_secs(45));
        }
        assert!(
            error_of("max_retry_after = \"a while\"\n")
                .contains("line 1 key `max_retry_after`: `a while` is not a duration")
        );
    }

    #[cfg(unix)]
    #[test]
    fn token_files_readable_by_others_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let text = format!("[feeds.marketplace]\ntoken_file = \"{}\"\n", path.display());
        let error = error_of(&text);
        assert!(error.contains("readable by group or others"), "{error}");
        assert!(!error.contains("s3cret"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let config = Config::parse(&text, None).expect("private file");
        let token = config
            .feed(FeedKind::Marketplace)
            .and_then(|f| f.token.clone())
            .expect("token");
        assert_eq!(token.bearer(), "Bearer s3cret");
    }

    #[test]
    fn type_to_confirm_and_bell_are_read_and_checked() {
        let defaults = Config::parse("[ui]\nenvironment = \"Production\"\n", None).expect("valid");
        assert_eq!(defaults.ui.type_to_confirm, ["production", "prod"]);
        assert!(defaults.ui.confirms_by_typing(), "names match in any case");
        assert_eq!(defaults.ui.bell, Bell::Critical);
        let set = Config::parse(
            "[ui]\nenvironment = \"live\"\ntype_to_confirm = [\"LIVE\"]\nbell = \"warning\"\n",
            None,
        )
        .expect("valid");
        assert!(set.ui.confirms_by_typing());
        assert_eq!(set.ui.bell, Bell::Warning);
        let off = Config::parse("[ui]\nenvironment = \"prod\"\ntype_to_confirm = []\n", None)
            .expect("valid");
        assert!(!off.ui.confirms_by_typing());
        for (text, expected) in [
            (
                "[ui]\ntype_to_confirm = \"prod\"\n",
                "config error in dropday.toml line 2 key `ui.type_to_confirm`: invalid type",
            ),
            (
                "[ui]\ntype_to_confirm = [\"prod\", \" \"]\n",
                "config error in dropday.toml line 2 key `ui.type_to_confirm`: an environment name is empty",
            ),
            (
                "[ui]\nbell = \"loud\"\n",
                "config error in dropday.toml line 2 key `ui.bell`: `loud` is not a bell setting",
            ),
        ] {
            let error = error_of(text);
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }
}
