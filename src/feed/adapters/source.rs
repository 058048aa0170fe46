//! A mapped feed as configured: its mapping and the `config` its program sees (the mapping's
//! settings, overridden by the feed's `[feeds.<name>.settings]`, and the feed's lists such as
//! `[[feeds.pos.popups]]`), and the pure step from answers to a document.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use jaq_json::Val;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::mapping::Mapping;
use super::program::to_val;
use crate::feed::FeedFailure;
use crate::feed::client::decode_outcome;
use crate::feed::events::PollOutcome;

/// A feed read through a mapping.
#[derive(Debug)]
pub struct MappedSource {
    /// The mapping.
    pub mapping: Arc<Mapping>,
    /// What the program reads as `.config` (and requests as `{…}`).
    pub config: Value,
    /// `config` as a jaq value, built once.
    config_val: Val,
    /// Where a mapped marketplace's control actions go (a FEEDS v1 control server); none:
    /// the marketplace is read-only.
    pub control: Option<MappedControl>,
}

/// A FEEDS v1 control server for a mapped marketplace, with its own token (the platform's
/// token never goes there).
#[derive(Debug, Clone)]
pub struct MappedControl {
    /// Base URL, without a trailing slash.
    pub url: String,
    /// Its bearer token.
    pub token: Option<crate::feed::secret::Token>,
}

/// What one run of the program gave.
#[derive(Debug)]
pub struct Mapped {
    /// The document's JSON text, as the decoder read it.
    pub document: Box<RawValue>,
    /// The decoded document (or the decoder's failure).
    pub outcome: PollOutcome,
    /// The state the next poll starts from.
    pub state: Value,
}

#[derive(Deserialize)]
struct ProgramOutput {
    document: Box<RawValue>,
    #[serde(default)]
    state: Value,
}

impl MappedSource {
    /// The source of `mapping` with the feed's `config`.
    ///
    /// # Errors
    /// Never for a config built from TOML; kept for values made elsewhere.
    pub fn new(mapping: Arc<Mapping>, config: Value) -> Result<MappedSource, String> {
        let config_val = to_val(&config)?;
        Ok(MappedSource {
            mapping,
            config,
            config_val,
            control: None,
        })
    }

    /// Why control actions are refused, when they are: a mapped marketplace without a
    /// `control_url` has no way to pause a drop or change its band.
    #[must_use]
    pub fn read_only_reason(&self) -> Option<String> {
        (self.control.is_none()).then(|| {
            format!(
                "mapped: the marketplace is read through {}, which takes no control actions; \
                 set control_url to a FEEDS v1 control server to act",
                self.mapping.name
            )
        })
    }

    /// A failure of this mapping, at `request` when one is named.
    #[must_use]
    pub fn failure(&self, request: Option<&str>, cause: FeedFailure) -> FeedFailure {
        FeedFailure::Mapping {
            mapping: self.mapping.name.clone(),
            request: request.map(str::to_owned),
            cause: Box::new(cause),
        }
    }

    /// Runs the program on the answers of one poll (`requests`: name → list of calls, each
    /// `{item, pages}`), decodes the document it gives and returns it with the next state.
    ///
    /// # Errors
    /// The program's error, an output that is not `{document, state}`, or a document the
    /// decoder refuses as a whole: each a [`FeedFailure::Mapping`].
    pub fn map(
        &self,
        requests: Val,
        now: DateTime<Utc>,
        state: &Value,
    ) -> Result<Mapped, FeedFailure> {
        let malformed = |text: String| self.failure(None, FeedFailure::Malformed(text));
        let state_val = to_val(state).map_err(malformed)?;
        let mut input = jaq_json::Map::default();
        input.insert(Val::from("requests".to_owned()), requests);
        input.insert(Val::from("config".to_owned()), self.config_val.clone());
        input.insert(
            Val::from("now".to_owned()),
            Val::from(now.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        input.insert(Val::from("state".to_owned()), state_val);
        let output = self
            .mapping
            .program
            .run(Val::obj(input))
            .map_err(|e| malformed(format!("jq: {e}")))?;
        let text = output.to_string();
        let output: ProgramOutput = serde_json::from_str(&text)
            .map_err(|e| malformed(format!("the program must give {{document, state}}: {e}")))?;
        let outcome = decode_outcome(self.mapping.feed, output.document.get().as_bytes());
        if let PollOutcome::Failed(cause) = outcome {
            return Err(self.failure(None, cause));
        }
        Ok(Mapped {
            document: output.document,
            outcome,
            state: output.state,
        })
    }
}
