//! The config file as written: serde types that mirror `config.example.toml` key for key,
//! unvalidated. Strings that need parsing (URLs, durations, colours) stay `Spanned` text so a
//! validation error can point at its line. A new key is a field here and a line in `validate`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::model::alerts::AlertThresholds;
use crate::notify::settings::RawSink;
use crate::serve::settings::RawServeSettings;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) feeds: RawFeeds,
    #[serde(default)]
    pub(super) ui: RawUi,
    pub(super) audit_log: Option<Spanned<String>>,
    /// Recording file for `run` and `serve` (`--record` wins).
    pub(super) record: Option<Spanned<String>>,
    pub(super) max_backoff: Option<Spanned<String>>,
    pub(super) max_retry_after: Option<Spanned<String>>,
    pub(super) rate_window: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) keys: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(super) alerts: AlertThresholds,
    /// `dropday serve`'s table, checked by `serve::settings` (one set of rules for the file
    /// and `--listen`).
    #[serde(default)]
    pub(super) serve: RawServeSettings,
    /// One `[[notify]]` table per alert sink (issue 12).
    #[serde(default)]
    pub(super) notify: Vec<RawSink>,
    /// `[metrics]`: where `/metrics` listens.
    #[serde(default)]
    pub(super) metrics: RawMetrics,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetrics {
    pub(super) listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeeds {
    pub(super) marketplace: Option<RawFeed>,
    pub(super) fulfilment: Option<RawFeed>,
    pub(super) pos: Option<RawFeed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeed {
    pub(super) url: Option<Spanned<String>>,
    pub(super) token_env: Option<Spanned<String>>,
    pub(super) token_file: Option<Spanned<String>>,
    pub(super) poll: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) body_limit_bytes: Option<Spanned<u64>>,
    #[serde(default)]
    pub(super) allow_insecure_http: bool,
    pub(super) ca_cert: Option<Spanned<String>>,
    /// A mapped source (`config::mapped`): a built-in mapping's name or a mapping file.
    pub(super) adapter: Option<Spanned<String>>,
    /// Overrides of the mapping's `[settings]`.
    pub(super) settings: Option<Spanned<toml::Table>>,
    /// What the platform does not know, one list per feed kind.
    pub(super) popups: Option<Vec<Spanned<toml::Table>>>,
    pub(super) hubs: Option<Vec<Spanned<toml::Table>>>,
    pub(super) drops: Option<Vec<Spanned<toml::Table>>>,
    /// A FEEDS v1 control server for a mapped marketplace, and its own token.
    pub(super) control_url: Option<Spanned<String>>,
    pub(super) control_token_env: Option<Spanned<String>>,
    pub(super) control_token_file: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUi {
    pub(super) environment: Option<String>,
    #[serde(default)]
    pub(super) ascii: bool,
    pub(super) color: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) read_only: bool,
    pub(super) timezone: Option<Spanned<String>>,
    pub(super) type_to_confirm: Option<Vec<Spanned<String>>>,
    pub(super) bell: Option<Spanned<String>>,
}
