//! `[feeds.<name>] adapter = …`: a feed read through a mapping. The mapping is loaded and
//! compiled here, the feed's `[settings]` and lists (`[[feeds.pos.popups]]`, `[[feeds.fulfilment.hubs]]`,
//! `[[feeds.marketplace.drops]]`) are checked against what the mapping declares, each error with
//! its file, line and key, and the endpoint is given its [`MappedSource`].

use std::sync::Arc;

use serde_json::Value;
use toml::Spanned;

use super::ConfigError;
use super::paths::{Environment, expand_home};
use super::raw::RawFeed;
use super::validate::{Source, check_private, is_loopback};
use crate::feed::FeedKind;
use crate::feed::adapters::mapping::FieldKind;
use crate::feed::adapters::{self, DEFAULT_MAPPED_POLL, MappedControl, MappedSource};
use crate::feed::client::FeedEndpoint;
use crate::feed::secret::Token;
use crate::feed::timestamp;

/// A feed without `adapter` speaks FEEDS v1: the mapped-only keys are mistakes there.
pub(super) fn refuse_mapping_keys<E: Environment>(
    raw: &RawFeed,
    at: &Source<'_, E>,
    kind: FeedKind,
) -> Result<(), ConfigError> {
    let spans = [
        ("settings", raw.settings.as_ref().map(Spanned::span)),
        (
            "popups",
            raw.popups
                .as_ref()
                .and_then(|l| l.first())
                .map(Spanned::span),
        ),
        (
            "hubs",
            raw.hubs.as_ref().and_then(|l| l.first()).map(Spanned::span),
        ),
        (
            "drops",
            raw.drops
                .as_ref()
                .and_then(|l| l.first())
                .map(Spanned::span),
        ),
        ("control_url", raw.control_url.as_ref().map(Spanned::span)),
    ];
    for (leaf, span) in spans {
        if let Some(span) = span {
            return Err(at.error(
                Some(span),
                &format!("feeds.{kind}.{leaf}"),
                "only a mapped feed takes this: set `adapter` (a built-in mapping such as \
                 square-pos, or a mapping file) or remove it"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

/// Loads the feed's mapping, checks its settings and lists and attaches them to `endpoint`.
pub(super) fn attach<E: Environment>(
    raw: &RawFeed,
    at: &Source<'_, E>,
    kind: FeedKind,
    endpoint: &mut FeedEndpoint,
) -> Result<(), ConfigError> {
    let key = |leaf: &str| format!("feeds.{kind}.{leaf}");
    let Some(adapter) = &raw.adapter else {
        return Ok(());
    };
    let mapping = adapters::load(adapter.get_ref())
        .map_err(|m| at.error(Some(adapter.span()), &key("adapter"), m))?;
    if mapping.feed != kind {
        return Err(at.error(
            Some(adapter.span()),
            &key("adapter"),
            format!(
                "{} makes the {} feed, not {kind}",
                mapping.name, mapping.feed
            ),
        ));
    }
    if raw.poll.is_none() {
        endpoint.poll_every = DEFAULT_MAPPED_POLL;
    }
    let mut config = mapping.settings.clone();
    if let Some(settings) = &raw.settings {
        for (name, value) in settings.get_ref() {
            if !mapping.settings.contains_key(name) {
                let known: Vec<&str> = mapping.settings.keys().map(String::as_str).collect();
                return Err(at.error(
                    Some(settings.span()),
                    &key(&format!("settings.{name}")),
                    format!(
                        "{} has no setting `{name}` (it has: {})",
                        mapping.name,
                        known.join(", ")
                    ),
                ));
            }
            let value = serde_json::to_value(value).map_err(|e| {
                at.error(
                    Some(settings.span()),
                    &key(&format!("settings.{name}")),
                    e.to_string(),
                )
            })?;
            config.insert(name.clone(), value);
        }
    }
    for (leaf, list) in [
        ("popups", &raw.popups),
        ("hubs", &raw.hubs),
        ("drops", &raw.drops),
    ] {
        let Some(fields) = mapping.lists.get(leaf) else {
            if let Some(first) = list.as_ref().and_then(|l| l.first()) {
                return Err(at.error(
                    Some(first.span()),
                    &key(leaf),
                    format!("{} reads no `{leaf}` list", mapping.name),
                ));
            }
            continue;
        };
        let entries = list.as_deref().unwrap_or_default();
        if entries.is_empty() {
            return Err(at.error(
                raw.adapter.as_ref().map(Spanned::span),
                &key(leaf),
                format!(
                    "{} needs at least one [[feeds.{kind}.{leaf}]] with {}",
                    mapping.name,
                    fields
                        .keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut values = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            for (field, field_kind) in fields {
                let here = key(&format!("{leaf}[{index}].{field}"));
                let value = entry.get_ref().get(field).ok_or_else(|| {
                    at.error(
                        Some(entry.span()),
                        &here,
                        format!("missing: it must be {}", field_kind.describe()),
                    )
                })?;
                check_field(value, *field_kind)
                    .map_err(|m| at.error(Some(entry.span()), &here, m))?;
            }
            let value = serde_json::to_value(entry.get_ref())
                .map_err(|e| at.error(Some(entry.span()), &key(leaf), e.to_string()))?;
            values.push(value);
        }
        config.insert(leaf.to_owned(), Value::Array(values));
    }
    let mut source = MappedSource::new(Arc::new(mapping), Value::Object(config))
        .map_err(|m| at.error(raw.adapter.as_ref().map(Spanned::span), &key("adapter"), m))?;
    source.control = control(raw, at, kind)?;
    endpoint.mapped = Some(Arc::new(source));
    Ok(())
}

fn check_field(value: &toml::Value, kind: FieldKind) -> Result<(), String> {
    let ok = match kind {
        FieldKind::String => value.is_str(),
        FieldKind::Time => value
            .as_str()
            .is_some_and(|text| timestamp::parse(text).is_ok()),
        FieldKind::Strings => value
            .as_array()
            .is_some_and(|items| items.iter().all(toml::Value::is_str)),
        FieldKind::Integer => value.is_integer(),
        FieldKind::Number => value.is_integer() || value.is_float(),
        FieldKind::Tables => value
            .as_array()
            .is_some_and(|items| items.iter().all(toml::Value::is_table)),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("is {value}, it must be {}", kind.describe()))
    }
}

/// A mapped marketplace's control server and its own token.
fn control<E: Environment>(
    raw: &RawFeed,
    at: &Source<'_, E>,
    kind: FeedKind,
) -> Result<Option<MappedControl>, ConfigError> {
    let key = |leaf: &str| format!("feeds.{kind}.{leaf}");
    let Some(url) = &raw.control_url else {
        return Ok(None);
    };
    if kind != FeedKind::Marketplace {
        return Err(at.error(
            Some(url.span()),
            &key("control_url"),
            "only the marketplace takes control actions".to_owned(),
        ));
    }
    let text = url.get_ref().trim_end_matches('/').to_owned();
    let parsed = reqwest::Url::parse(&text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| {
            at.error(
                Some(url.span()),
                &key("control_url"),
                format!("`{text}` must be an http:// or https:// URL with a host"),
            )
        })?;
    let token = if let Some(file) = &raw.control_token_file {
        let path = expand_home(file.get_ref(), at.env);
        check_private(&path)
            .map_err(|m| at.error(Some(file.span()), &key("control_token_file"), m))?;
        let read = std::fs::read_to_string(&path).map_err(|e| {
            at.error(
                Some(file.span()),
                &key("control_token_file"),
                format!("cannot read the token file {}: {e}", path.display()),
            )
        })?;
        Some(Token::new(&read))
    } else {
        raw.control_token_env.as_ref().and_then(|variable| {
            at.env
                .var(variable.get_ref())
                .and_then(|value| value.into_string().ok())
                .map(|value| Token::new(&value))
        })
    }
    .filter(|token| !token.is_empty());
    if token.is_some()
        && parsed.scheme() == "http"
        && !is_loopback(&parsed)
        && !raw.allow_insecure_http
    {
        return Err(at.error(
            Some(url.span()),
            &key("control_url"),
            "the control token would be sent in clear text: use https".to_owned(),
        ));
    }
    Ok(Some(MappedControl { url: text, token }))
}
