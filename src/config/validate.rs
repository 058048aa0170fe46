//! From the file as written ([`RawConfig`]) to the typed [`Config`]: every value parsed and
//! checked, every error pointing at its file, line and exact key.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use crate::feed::FeedKind;
use crate::feed::client::{DEFAULT_BODY_LIMIT, DEFAULT_MAX_RETRY_AFTER, FeedEndpoint};
use crate::feed::poller::DEFAULT_MAX_BACKOFF;
use crate::feed::secret::Token;
use crate::model::format::Zone;

use super::local_zone::local_zone;
use super::paths::{Environment, expand_home, state_dir};
use super::raw::{RawConfig, RawFeed, RawFeeds};
use super::{
    Bell, ColorMode, Config, ConfigError, DEFAULT_FEED_URL, ServeConfig, UiSettings, parse_duration,
};
use crate::serve::settings::RawServeSettings;

/// The config text being validated and what is needed to say where an error is.
pub(super) struct Source<'a, E> {
    pub(super) text: &'a str,
    pub(super) file: Option<&'a Path>,
    pub(super) env: &'a E,
}

impl<E: Environment> Source<'_, E> {
    /// Deserializes the text, an error carrying the exact dotted key path where serde stopped
    /// (`feeds.marketplace.pol`), whatever the TOML spelling: a header with a comment, a dotted
    /// key, an inline table.
    pub(super) fn deserialize(&self) -> Result<RawConfig, ConfigError> {
        let document =
            toml::de::Deserializer::parse(self.text).map_err(|e| self.toml_error(&e, None))?;
        serde_path_to_error::deserialize(document).map_err(|e| {
            let key = e.path().to_string();
            // An empty path prints as "."; an error at the root has no key.
            let key = (key != ".").then_some(key);
            self.toml_error(e.inner(), key)
        })
    }

    pub(super) fn error(
        &self,
        span: Option<Range<usize>>,
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

    // Counting newlines for one error message's line number is not worth the bytecount crate.
    #[allow(clippy::naive_bytecount)]
    pub(super) fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn toml_error(&self, error: &toml::de::Error, key: Option<String>) -> ConfigError {
        ConfigError {
            file: self.file.map(Path::to_path_buf),
            line: error.span().map(|s| self.line_of(s.start)),
            key,
            message: error.message().trim().to_owned(),
        }
    }

    fn duration(
        &self,
        value: Option<&Spanned<String>>,
        key: &str,
    ) -> Result<Option<Duration>, ConfigError> {
        value
            .map(|v| parse_duration(v.get_ref()).map_err(|m| self.error(Some(v.span()), key, m)))
            .transpose()
    }
}

impl RawConfig {
    pub(super) fn validate<E: Environment>(
        self,
        at: &Source<'_, E>,
    ) -> Result<Config, ConfigError> {
        let max_backoff = at
            .duration(self.max_backoff.as_ref(), "max_backoff")?
            .unwrap_or(DEFAULT_MAX_BACKOFF);
        let max_retry_after = at
            .duration(self.max_retry_after.as_ref(), "max_retry_after")?
            .unwrap_or(DEFAULT_MAX_RETRY_AFTER);
        let rate_window = at
            .duration(self.rate_window.as_ref(), "rate_window")?
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
            let mut endpoint = raw.unwrap_or_default().validate(at, kind)?;
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
            endpoint.max_retry_after = max_retry_after;
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
            Some(text) if text.get_ref().trim() == "local" => local_zone(at.env),
            Some(text) => text.get_ref().parse::<Zone>().map_err(|_| {
                at.error(
                    Some(text.span()),
                    "ui.timezone",
                    format!(
                        "`{}` is not a time zone: use \"UTC\", \"local\" or an IANA name such \
                         as \"Europe/Berlin\"",
                        text.get_ref().trim()
                    ),
                )
            })?,
        };
        let type_to_confirm = match &self.ui.type_to_confirm {
            None => super::DEFAULT_TYPE_TO_CONFIRM
                .iter()
                .map(|e| (*e).to_owned())
                .collect(),
            Some(names) => names
                .iter()
                .map(|name| {
                    let text = name.get_ref().trim().to_ascii_lowercase();
                    if text.is_empty() {
                        Err(at.error(
                            Some(name.span()),
                            "ui.type_to_confirm",
                            "an environment name is empty; list names like \"production\", or                              write [] to confirm with y everywhere"
                                .to_owned(),
                        ))
                    } else {
                        Ok(text)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let bell = match &self.ui.bell {
            None => Bell::default(),
            Some(text) => text
                .get_ref()
                .parse::<Bell>()
                .map_err(|message| at.error(Some(text.span()), "ui.bell", message))?,
        };
        let audit_log = match &self.audit_log {
            Some(path) => expand_home(path.get_ref(), at.env),
            None => state_dir(at.env)
                .unwrap_or_else(|| std::env::temp_dir().join("dropday"))
                .join("audit.jsonl"),
        };
        let record = self
            .record
            .as_ref()
            .map(|path| expand_home(path.get_ref(), at.env));
        let serve = ServeConfig::validate(self.serve, at)?;
        let notify = super::notify::sinks(self.notify, at, max_backoff, max_retry_after)?;
        let metrics_listen = super::notify::metrics_listen(self.metrics.listen.as_deref(), at)?;
        Ok(Config {
            file: at.file.map(Path::to_path_buf),
            feeds,
            max_backoff,
            max_retry_after,
            rate_window,
            ui: UiSettings {
                environment: self.ui.environment.unwrap_or_else(|| "default".to_owned()),
                ascii: self.ui.ascii,
                color,
                read_only: self.ui.read_only,
                timezone,
                type_to_confirm,
                bell,
            },
            audit_log,
            record,
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
            serve,
            notify,
            metrics_listen,
        })
    }
}

impl ServeConfig {
    /// `[serve]` with `~` expanded and every key checked now, so a bad value stops any command
    /// at start with its line; `--listen` is applied later ([`Config::serve_settings`]).
    fn validate<E: Environment>(
        mut raw: RawServeSettings,
        at: &Source<'_, E>,
    ) -> Result<Self, ConfigError> {
        let expand = |path: &mut Option<PathBuf>| {
            if let Some(p) = path.as_mut()
                && let Some(text) = p.to_str()
            {
                *p = expand_home(text, at.env);
            }
        };
        expand(&mut raw.host_key);
        expand(&mut raw.authorized_keys);
        expand(&mut raw.export_dir);
        let lines = serve_key_lines(at.text);
        let config = ServeConfig {
            raw,
            default_host_key: state_dir(at.env).map(|d| d.join("host_key")),
            file: at.file.map(Path::to_path_buf),
            lines,
        };
        config.settings(None)?;
        Ok(config)
    }
}

/// Line of each key of the `[serve]` table (`listen = …` under `[serve]`, or `serve.listen = …`).
fn serve_key_lines(text: &str) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    let mut in_serve = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_serve = line
                .trim_start_matches('[')
                .trim_start()
                .starts_with("serve")
                && line
                    .trim_start_matches('[')
                    .trim_start()
                    .trim_start_matches("serve")
                    .trim_start()
                    .starts_with(']');
            continue;
        }
        let Some((key, _)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let key = match key.strip_prefix("serve.") {
            Some(key) if !in_serve => key.trim(),
            _ if in_serve => key,
            _ => continue,
        };
        lines.entry(key.to_owned()).or_insert(index + 1);
    }
    lines
}

impl RawFeed {
    fn validate<E: Environment>(
        self,
        at: &Source<'_, E>,
        kind: FeedKind,
    ) -> Result<FeedEndpoint, ConfigError> {
        let key = |leaf: &str| format!("feeds.{kind}.{leaf}");
        let mut endpoint = FeedEndpoint::with_defaults(kind, DEFAULT_FEED_URL);
        if let Some(url) = &self.url {
            url.get_ref()
                .trim_end_matches('/')
                .clone_into(&mut endpoint.base_url);
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
        if let Some(poll) = at.duration(self.poll.as_ref(), &key("poll"))? {
            endpoint.poll_every = poll;
        }
        if let Some(timeout) = at.duration(self.timeout.as_ref(), &key("timeout"))? {
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
        if self.adapter.is_none() {
            super::mapped::refuse_mapping_keys(&self, at, kind)?;
        } else {
            super::mapped::attach(&self, at, kind, &mut endpoint)?;
        }
        if let Some(ca) = &self.ca_cert {
            let path = expand_home(ca.get_ref(), at.env);
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
    fn token<E: Environment>(
        &self,
        at: &Source<'_, E>,
        kind: FeedKind,
    ) -> Result<Option<Token>, ConfigError> {
        if let Some(file) = &self.token_file {
            let path = expand_home(file.get_ref(), at.env);
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
        Ok(at
            .env
            .var(&variable)
            .and_then(|value| value.into_string().ok())
            .map(|value| Token::new(&value))
            .filter(|token| !token.is_empty()))
    }
}

/// A token file must not be readable by group or others.
#[cfg(unix)]
pub(super) fn check_private(path: &Path) -> Result<(), String> {
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
pub(super) fn check_private(_path: &Path) -> Result<(), String> {
    Ok(())
}

pub(super) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
