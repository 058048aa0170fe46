//! One `[[notify]]` table, validated: where a sink is, which alerts it wants, and its secrets
//! (kept out of every printed form).

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::model::alerts::{AlertKind, Severity};

/// Where alerts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Alertmanager's API v2, as Prometheus pushes to it.
    Alertmanager,
    /// PagerDuty's Events API v2.
    Pagerduty,
    /// A Slack incoming webhook.
    Slack,
    /// Any receiver of Alertmanager's webhook body (version 4).
    Webhook,
}

impl SinkKind {
    /// The config's spelling (`alertmanager`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Alertmanager => "alertmanager",
            SinkKind::Pagerduty => "pagerduty",
            SinkKind::Slack => "slack",
            SinkKind::Webhook => "webhook",
        }
    }

    /// Parses the config's spelling.
    ///
    /// # Errors
    /// Any other word, with the words allowed.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "alertmanager" => Ok(SinkKind::Alertmanager),
            "pagerduty" => Ok(SinkKind::Pagerduty),
            "slack" => Ok(SinkKind::Slack),
            "webhook" => Ok(SinkKind::Webhook),
            other => Err(format!(
                "\"{other}\" is not a sink kind; use \"alertmanager\", \"pagerduty\", \"slack\" \
                 or \"webhook\""
            )),
        }
    }
}

impl fmt::Display for SinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret string (a Slack webhook URL, a PagerDuty routing key): `Debug` and `Display` never
/// show it, so it cannot leak into logs, errors or status output by formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value read from the config, the environment or a file (whitespace trimmed).
    #[must_use]
    pub fn new(raw: &str) -> Self {
        Secret(raw.trim().to_owned())
    }

    /// The value itself, for the HTTP layer only.
    #[must_use]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty (an empty variable counts as unset).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One `[[notify]]` table as written; `config` validates it into [`SinkSettings`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSink {
    /// `alertmanager`, `pagerduty`, `slack` or `webhook`.
    pub kind: Option<String>,
    /// The sink's name in logs, metrics and `notify test --sink`.
    pub name: Option<String>,
    /// The URL, when it is not a secret.
    pub url: Option<String>,
    /// The variable holding the URL.
    pub url_env: Option<String>,
    /// The file holding the URL (mode 0600).
    pub url_file: Option<String>,
    /// Least urgent severity delivered (default `warning`).
    pub min_severity: Option<String>,
    /// Only these kinds (default: all).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Never these kinds.
    #[serde(default)]
    pub exclude_kinds: Vec<String>,
    /// PagerDuty: the variable holding the integration's routing key.
    pub routing_key_env: Option<String>,
    /// PagerDuty: the file holding the routing key (mode 0600).
    pub routing_key_file: Option<String>,
    /// A bearer token's variable (an Alertmanager or webhook behind a proxy).
    pub token_env: Option<String>,
    /// A bearer token's file (mode 0600).
    pub token_file: Option<String>,
    /// Extra PEM root certificate(s) to trust for HTTPS.
    pub ca_cert: Option<String>,
    /// Longest wait for one answer (humantime, default `"5s"`).
    pub timeout: Option<String>,
    /// Notifications waiting per sink before the oldest is dropped (default 256).
    pub queue: Option<i64>,
}

/// Default `timeout` of a sink's request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default `queue` of a sink.
pub const DEFAULT_QUEUE: usize = 256;
/// PagerDuty's Events API v2, when a `pagerduty` sink gives no `url`.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// A sink, checked: everything the delivery task needs.
#[derive(Debug, Clone)]
pub struct SinkSettings {
    /// What it speaks.
    pub kind: SinkKind,
    /// Its name (unique among sinks).
    pub name: String,
    /// Where it is: Alertmanager's base URL (`/api/v2/…` is appended), else the URL posted to.
    /// A secret, since Slack's and many webhooks' URLs carry their credential.
    pub url: Secret,
    /// Least urgent severity delivered.
    pub min_severity: Severity,
    /// Only these kinds; empty means all.
    pub kinds: Vec<AlertKind>,
    /// Never these kinds.
    pub exclude_kinds: Vec<AlertKind>,
    /// PagerDuty's routing key.
    pub routing_key: Option<Secret>,
    /// Bearer token sent as `Authorization`.
    pub token: Option<Secret>,
    /// Extra PEM roots, already read.
    pub ca_certs_pem: Vec<Vec<u8>>,
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// Notifications waiting before the oldest is dropped.
    pub queue: usize,
    /// Cap of the wait between retries.
    pub max_backoff: Duration,
    /// Cap of a sink's `Retry-After`.
    pub max_retry_after: Duration,
}

impl SinkSettings {
    /// A sink of `kind` named `name` at `url` with the defaults (tests and `notify test`).
    #[must_use]
    pub fn new(kind: SinkKind, name: &str, url: &str) -> Self {
        SinkSettings {
            kind,
            name: name.to_owned(),
            url: Secret::new(url),
            min_severity: Severity::Warning,
            kinds: Vec::new(),
            exclude_kinds: Vec::new(),
            routing_key: None,
            token: None,
            ca_certs_pem: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            queue: DEFAULT_QUEUE,
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
        }
    }

    /// Whether an alert of `kind` at `severity` is for this sink.
    #[must_use]
    pub fn wants(&self, kind: AlertKind, severity: Severity) -> bool {
        // Severity orders critical first: "at least as urgent" is `<=`.
        severity <= self.min_severity
            && (self.kinds.is_empty() || self.kinds.contains(&kind))
            && !self.exclude_kinds.contains(&kind)
    }
}

/// Parses `critical`, `warning` or `info`.
///
/// # Errors
/// Any other word, with the words allowed.
pub fn parse_severity(text: &str) -> Result<Severity, String> {
    match text {
        "critical" => Ok(Severity::Critical),
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        other => Err(format!(
            "\"{other}\" is not a severity; use \"critical\", \"warning\" or \"info\""
        )),
    }
}

/// Parses an alert kind's `snake_case` name.
///
/// # Errors
/// A name that is no kind, with the kinds allowed.
pub fn parse_kind(text: &str) -> Result<AlertKind, String> {
    AlertKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = AlertKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "\"{text}\" is not an alert kind; use one of {}",
                names.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_takes_its_severities_and_kinds_only() {
        let mut sink = SinkSettings::new(SinkKind::Webhook, "hook", "http://127.0.0.1:1/");
        assert!(sink.wants(AlertKind::SlaBreach, Severity::Critical));
        assert!(sink.wants(AlertKind::OrdersOverdue, Severity::Warning));
        assert!(!sink.wants(AlertKind::SelloutSoon, Severity::Info));
        sink.kinds = vec![AlertKind::OrdersOverdue, AlertKind::SlaBreach];
        sink.exclude_kinds = vec![AlertKind::SlaBreach];
        assert!(sink.wants(AlertKind::OrdersOverdue, Severity::Critical));
        assert!(!sink.wants(AlertKind::SlaBreach, Severity::Critical));
        assert!(!sink.wants(AlertKind::FeedStale, Severity::Critical));
    }

    #[test]
    fn secrets_never_print() {
        let mut sink = SinkSettings::new(
            SinkKind::Slack,
            "ops",
            "https://hooks.slack.com/T0/B0/xyzzy",
        );
        sink.routing_key = Some(Secret::new("R0UTING"));
        let shown = format!("{sink:?} {}", sink.url);
        assert!(
            !shown.contains("xyzzy") && !shown.contains("R0UTING"),
            "{shown}"
        );
        assert_eq!(sink.url.expose(), "https://hooks.slack.com/T0/B0/xyzzy");
    }

    #[test]
    fn words_are_checked_with_the_choices_named() {
        assert_eq!(SinkKind::parse("slack"), Ok(SinkKind::Slack));
        assert!(
            SinkKind::parse("email")
                .unwrap_err()
                .contains("\"webhook\"")
        );
        assert_eq!(parse_severity("info"), Ok(Severity::Info));
        assert!(parse_severity("page").unwrap_err().contains("\"critical\""));
        assert_eq!(parse_kind("feed_stale"), Ok(AlertKind::FeedStale));
        assert!(parse_kind("hot").unwrap_err().contains("orders_overdue"));
    }
}
