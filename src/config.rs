//! The configuration: a TOML file (see `config.example.toml`), environment variables and flags,
//! validated into one typed [`Config`]. Every error names the file, the line and the key.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::feed::FeedKind;
use crate::feed::client::{DEFAULT_BODY_LIMIT, FeedEndpoint};
use crate::feed::poller::DEFAULT_MAX_BACKOFF;
use crate::feed::secret::Token;
use crate::model::alerts::AlertThresholds;
use crate::model::format::Zone;
pub use crate::ui::theme::ColorMode;

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
    pub color: ColorMode,
    /// No control request can be sent.
    pub read_only: bool,
    /// The zone clock times are shown in (`ui.timezone`: "UTC", "local" or an IANA name).
    pub timezone: Zone,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, `None` for built-in defaults.
    pub file: Option<PathBuf>,
    /// One endpoint per feed, in [`FeedKind::ALL`] order.
    pub feeds: Vec<FeedEndpoint>,
    /// Cap of a failing feed's backoff.
    pub max_backoff: Duration,
    /// Trailing window of rates (burn rate, orders per minute, live conversion).
    pub rate_window: Duration,
    pub ui: UiSettings,
    /// JSON-lines audit log of control actions.
    pub audit_log: PathBuf,
    /// Key bindings: action name → key text, overriding the defaults.
    pub keys: BTreeMap<String, String>,
    /// Line of each `[keys]` entry in the file, for errors found when the keymap is built.
    pub key_lines: BTreeMap<String, usize>,
    pub alerts: AlertThresholds,
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
            endpoint.base_url = base_url.trim_end_matches('/').to_owned();
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

    /// Loads the config from `--config`, else `$DROPDAY_CONFIG`, else the user's config
    /// directory (`~/.config/dropday/config.toml`); built-in defaults when the last is absent.
    ///
    /// # Errors
    /// When a named file is missing or unreadable, or the file is invalid.
    pub fn load(flag: Option<&Path>) -> Result<Config, ConfigError> {
        let named = flag
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from));
        let path = match named {
            Some(path) => path,
            None => match dirs::config_dir().map(|d| d.join("dropday").join("config.toml")) {
                Some(path) if path.exists() => path,
                _ => return Config::defaults(),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
            file: Some(path.clone()),
            line: None,
            key: None,
            message: format!("cannot read the file: {e}"),
        })?;
        Config::parse(&text, Some(&path))
    }

    /// Parses and validates config text; `file` is only used in error messages.
    ///
    /// # Errors
    /// On unknown keys, wrong types, bad URLs or durations, unreadable token files.
    pub fn parse(text: &str, file: Option<&Path>) -> Result<Config, ConfigError> {
        let located = Locator { text, file };
        let raw: RawConfig = toml::from_str(text).map_err(|e| located.toml_error(&e))?;
        raw.validate(&located)
    }
}

/// Turns byte spans into the file/line/key of an error.
struct Locator<'a> {
    text: &'a str,
    file: Option<&'a Path>,
}

impl Locator<'_> {
    fn error(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: &str,
        message: String,
    ) -> ConfigError {
        ConfigError {
            file: self.file.map(Path::to_path_buf),
            line: span.map(|s| self.line_of(s.start)),
            key: Some(key.to_owned()),
            message,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// A TOML syntax or type error, with the dotted key of the line it points at.
    fn toml_error(&self, error: &toml::de::Error) -> ConfigError {
        let message = error.message().trim().to_owned();
        let key = error
            .span()
            .and_then(|span| self.key_at(span.start, &message));
        ConfigError {
            file: self.file.map(Path::to_path_buf),
            line: error.span().map(|s| self.line_of(s.start)),
            key,
            message,
        }
    }

    /// The dotted key at `offset`: the innermost `[table]` header above it plus the key on its
    /// line (or the unknown field the message names).
    fn key_at(&self, offset: usize, message: &str) -> Option<String> {
        let end = offset.min(self.text.len());
        let before = &self.text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[line_start..]
            .find('\n')
            .map_or(self.text.len(), |i| line_start + i);
        let line = self.text[line_start..line_end].trim();
        let table = before[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('[') && l.ends_with(']'))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
        let unknown = message
            .split_once("unknown field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(name, _)| name.to_owned());
        if line.starts_with('[') {
            // The error is about a table header: the header is the key.
            return Some(
                line.trim_matches(|c| c == '[' || c == ']')
                    .trim()
                    .to_owned(),
            );
        }
        let leaf = unknown.or_else(|| {
            line.split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        });
        match (table, leaf) {
            (Some(table), Some(leaf)) => Some(format!("{table}.{leaf}")),
            (Some(table), None) => Some(table),
            (None, leaf) => leaf,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    feeds: RawFeeds,
    #[serde(default)]
    ui: RawUi,
    audit_log: Option<Spanned<String>>,
    max_backoff: Option<Spanned<String>>,
    rate_window: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    alerts: AlertThresholds,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeeds {
    marketplace: Option<RawFeed>,
    fulfilment: Option<RawFeed>,
    pos: Option<RawFeed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    poll: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    body_limit_bytes: Option<Spanned<u64>>,
    #[serde(default)]
    allow_insecure_http: bool,
    ca_cert: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUi {
    environment: Option<String>,
    #[serde(default)]
    ascii: bool,
    color: Option<Spanned<String>>,
    #[serde(default)]
    read_only: bool,
    timezone: Option<Spanned<String>>,
}

impl RawConfig {
    fn validate(self, at: &Locator<'_>) -> Result<Config, ConfigError> {
        let max_backoff =
            duration(at, self.max_backoff.as_ref(), "max_backoff")?.unwrap_or(DEFAULT_MAX_BACKOFF);
        let rate_window = duration(at, self.rate_window.as_ref(), "rate_window")?
            .unwrap_or(Duration::from_secs(300));
        let RawFeeds {
            marketplace,
            fulfilment,
            pos,
        } = self.feeds;
        let mut feeds = Vec::with_capacity(3);
        for (kind, raw) in [
            (FeedKind::Marketplace, marketplace),
            (FeedKind::Fulfilment, fulfilment),
            (FeedKind::Pos, pos),
        ] {
            let endpoint = raw.unwrap_or_default().validate(at, kind)?;
            if endpoint.timeout >= max_backoff {
                return Err(at.error(
                    None,
                    &format!("feeds.{kind}.timeout"),
                    format!(
                        "the request timeout ({}) must be shorter than max_backoff ({})",
                        humantime::format_duration(endpoint.timeout),
                        humantime::format_duration(max_backoff)
                    ),
                ));
            }
            feeds.push(endpoint);
        }
        let color = match &self.ui.color {
            None => ColorMode::Auto,
            Some(text) => text
                .get_ref()
                .parse::<ColorMode>()
                .map_err(|message| at.error(Some(text.span()), "ui.color", message))?,
        };
        let timezone = match &self.ui.timezone {
            None => Zone::Utc,
            Some(text) => text
                .get_ref()
                .parse::<Zone>()
                .map_err(|message| at.error(Some(text.span()), "ui.timezone", message))?,
        };
        let audit_log = match &self.audit_log {
            Some(path) => expand_home(path.get_ref()),
            None => default_audit_log(),
        };
        Ok(Config {
            file: at.file.map(Path::to_path_buf),
            feeds,
            max_backoff,
            rate_window,
            ui: UiSettings {
                environment: self.ui.environment.unwrap_or_else(|| "default".to_owned()),
                ascii: self.ui.ascii,
                color,
                read_only: self.ui.read_only,
                timezone,
            },
            audit_log,
            key_lines: self
                .keys
                .iter()
                .map(|(name, value)| (name.clone(), at.line_of(value.span().start)))
                .collect(),
            keys: self
                .keys
                .into_iter()
                .map(|(name, value)| (name, value.into_inner()))
                .collect(),
            alerts: self.alerts,
        })
    }
}

impl RawFeed {
    fn validate(self, at: &Locator<'_>, kind: FeedKind) -> Result<FeedEndpoint, ConfigError> {
        let key = |leaf: &str| format!("feeds.{kind}.{leaf}");
        let mut endpoint = FeedEndpoint::with_defaults(kind, DEFAULT_FEED_URL);
        if let Some(url) = &self.url {
            endpoint.base_url = url.get_ref().trim_end_matches('/').to_owned();
        }
        let parsed = reqwest::Url::parse(&endpoint.base_url).map_err(|e| {
            at.error(
                self.url.as_ref().map(Spanned::span),
                &key("url"),
                format!("`{}` is not a URL: {e}", endpoint.base_url),
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(at.error(
                self.url.as_ref().map(Spanned::span),
                &key("url"),
                format!(
                    "`{}` must be an http:// or https:// URL with a host",
                    endpoint.base_url
                ),
            ));
        }
        if let Some(poll) = duration(at, self.poll.as_ref(), &key("poll"))? {
            endpoint.poll_every = poll;
        }
        if let Some(timeout) = duration(at, self.timeout.as_ref(), &key("timeout"))? {
            endpoint.timeout = timeout;
        }
        if let Some(limit) = &self.body_limit_bytes {
            if *limit.get_ref() == 0 {
                return Err(at.error(
                    Some(limit.span()),
                    &key("body_limit_bytes"),
                    "must be more than 0".to_owned(),
                ));
            }
            endpoint.body_limit = *limit.get_ref();
        } else {
            endpoint.body_limit = DEFAULT_BODY_LIMIT;
        }
        endpoint.token = self.token(at, kind)?;
        if endpoint.token.is_some()
            && parsed.scheme() == "http"
            && !is_loopback(&parsed)
            && !self.allow_insecure_http
        {
            return Err(at.error(
                self.url.as_ref().map(Spanned::span),
                &key("url"),
                format!(
                    "a token would be sent in clear text to {}: use https, or set \
                     allow_insecure_http = true for this feed if you accept that",
                    parsed.host_str().unwrap_or("?")
                ),
            ));
        }
        if let Some(ca) = &self.ca_cert {
            let path = expand_home(ca.get_ref());
            let pem = std::fs::read(&path).map_err(|e| {
                at.error(
                    Some(ca.span()),
                    &key("ca_cert"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            // `from_pem` accepts any bytes and fails only when the client is built; a bundle
            // parse finds the certificates for real (none in a file that is not PEM).
            if !reqwest::Certificate::from_pem_bundle(&pem).is_ok_and(|certs| !certs.is_empty()) {
                return Err(at.error(
                    Some(ca.span()),
                    &key("ca_cert"),
                    format!("{} is not a PEM certificate", path.display()),
                ));
            }
            endpoint.ca_certs_pem.push(pem);
        }
        Ok(endpoint)
    }

    /// The token from the file the config names, else from the environment variable it names
    /// (default `DROPDAY_<FEED>_TOKEN`); an unset or empty variable means no token.
    fn token(&self, at: &Locator<'_>, kind: FeedKind) -> Result<Option<Token>, ConfigError> {
        if let Some(file) = &self.token_file {
            let path = expand_home(file.get_ref());
            let key = format!("feeds.{kind}.token_file");
            check_private(&path).map_err(|m| at.error(Some(file.span()), &key, m))?;
            let text = std::fs::read_to_string(&path).map_err(|e| {
                at.error(
                    Some(file.span()),
                    &key,
                    format!("cannot read the token file {}: {e}", path.display()),
                )
            })?;
            let token = Token::new(&text);
            return Ok((!token.is_empty()).then_some(token));
        }
        let variable = self.token_env.as_ref().map_or_else(
            || format!("DROPDAY_{}_TOKEN", kind.name().to_uppercase()),
            |v| v.get_ref().clone(),
        );
        Ok(std::env::var(&variable)
            .ok()
            .map(|value| Token::new(&value))
            .filter(|token| !token.is_empty()))
    }
}

/// A token file must not be readable by group or others.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "the token file {} is readable by group or others (mode {:o}): run chmod 600 on it",
            path.display(),
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), String> {
    Ok(())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
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

fn duration(
    at: &Locator<'_>,
    value: Option<&Spanned<String>>,
    key: &str,
) -> Result<Option<Duration>, ConfigError> {
    value
        .map(|v| parse_duration(v.get_ref()).map_err(|m| at.error(Some(v.span()), key, m)))
        .transpose()
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// `~/.local/state/dropday/audit.jsonl` on Linux (the user's state directory).
fn default_audit_log() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("dropday")
        .join("audit.jsonl")
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

    #[test]
    fn tokens_are_not_sent_in_clear_text_off_this_machine() {
        let var = "DROPDAY_TEST_CLEAR_TEXT_TOKEN";
        // SAFETY: this test is the only user of this variable name.
        unsafe { std::env::set_var(var, "t0ken") };
        let remote =
            format!("[feeds.pos]\nurl = \"http://10.0.0.8:7070\"\ntoken_env = \"{var}\"\n");
        assert!(error_of(&remote).contains("clear text"));
        let allowed = format!("{remote}allow_insecure_http = true\n");
        assert!(Config::parse(&allowed, None).is_ok());
        let loopback =
            format!("[feeds.pos]\nurl = \"http://localhost:7070\"\ntoken_env = \"{var}\"\n");
        let config = Config::parse(&loopback, None).expect("loopback is fine");
        assert!(
            config
                .feed(FeedKind::Pos)
                .and_then(|f| f.token.as_ref())
                .is_some()
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
}
