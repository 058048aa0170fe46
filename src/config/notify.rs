//! `[[notify]]` and `[metrics]`: the alert sinks and the `/metrics` address, checked at start so
//! a bad sink stops every command with its key, not the first alert at 3 am.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use super::ConfigError;
use super::paths::{Environment, expand_home};
use super::validate::{Source, check_private};
use crate::config::parse_duration;
use crate::notify::settings::{
    DEFAULT_QUEUE, DEFAULT_TIMEOUT, PAGERDUTY_EVENTS_URL, RawSink, Secret, SinkKind, SinkSettings,
    parse_kind, parse_severity,
};
use crate::serve::settings::parse_listen;

/// Most notifications waiting for one sink.
const MAX_QUEUE: i64 = 100_000;

/// Line of the `n`th `[[notify]]` header (0-based), for errors.
fn header_line(text: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("[[notify]]"))
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// Every `[[notify]]` table, checked; names unique.
pub(super) fn sinks<E: Environment>(
    raw: Vec<RawSink>,
    at: &Source<'_, E>,
    max_backoff: Duration,
    max_retry_after: Duration,
) -> Result<Vec<SinkSettings>, ConfigError> {
    let mut names = HashSet::new();
    let mut sinks = Vec::new();
    for (n, sink) in raw.into_iter().enumerate() {
        let line = header_line(at.text, n);
        let error = |field: &str, message: String| {
            let mut e = at.error(None, &format!("notify[{n}].{field}"), message);
            e.line = line;
            e
        };
        let checked = one_sink(&sink, at.env, max_backoff, max_retry_after)
            .map_err(|(field, message)| error(field, message))?;
        if !names.insert(checked.name.clone()) {
            return Err(error(
                "name",
                format!(
                    "\"{}\" names another sink too; give each [[notify]] its own name",
                    checked.name
                ),
            ));
        }
        sinks.push(checked);
    }
    Ok(sinks)
}

/// A secret from `<what>_file` (mode 0600) or `<what>_env`; `Ok(None)` when neither is set.
fn secret<E: Environment>(
    env: &E,
    file: Option<&String>,
    variable: Option<&String>,
    field: &'static str,
) -> Result<Option<Secret>, (&'static str, String)> {
    if let Some(file) = file {
        let key = if field == "url" { "url_file" } else { field };
        let path = expand_home(file, env);
        check_private(&path).map_err(|m| (key, m))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| (key, format!("cannot read {}: {e}", path.display())))?;
        let secret = Secret::new(&text);
        return if secret.is_empty() {
            Err((key, format!("{} is empty", path.display())))
        } else {
            Ok(Some(secret))
        };
    }
    if let Some(variable) = variable {
        let value = env
            .var(variable)
            .and_then(|v| v.into_string().ok())
            .map(|v| Secret::new(&v))
            .filter(|s| !s.is_empty());
        return match value {
            Some(value) => Ok(Some(value)),
            None => Err((
                field,
                format!("the environment variable {variable} is not set (or empty)"),
            )),
        };
    }
    Ok(None)
}

fn one_sink<E: Environment>(
    raw: &RawSink,
    env: &E,
    max_backoff: Duration,
    max_retry_after: Duration,
) -> Result<SinkSettings, (&'static str, String)> {
    let kind = SinkKind::parse(
        raw.kind.as_deref().ok_or((
            "kind",
            "(missing): is required: \"alertmanager\", \"pagerduty\", \"slack\" or \"webhook\""
                .to_owned(),
        ))?,
    )
    .map_err(|m| ("kind", m))?;
    let name = raw
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| kind.as_str().to_owned());
    let from_secret = secret(env, raw.url_file.as_ref(), raw.url_env.as_ref(), "url_env")?;
    let url = match (&raw.url, from_secret) {
        (Some(_), Some(_)) => {
            return Err((
                "url",
                "give one of url, url_env and url_file, not several".to_owned(),
            ));
        }
        (Some(url), None) => Secret::new(url),
        (None, Some(secret)) => secret,
        (None, None) if kind == SinkKind::Pagerduty => Secret::new(PAGERDUTY_EVENTS_URL),
        (None, None) => {
            return Err((
                "url",
                "(missing): give url, url_env (a variable) or url_file (a file)".to_owned(),
            ));
        }
    };
    match reqwest::Url::parse(url.expose()) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
        // The value may be a secret (a Slack URL): never repeated in the error.
        _ => {
            return Err((
                "url",
                "is not an http:// or https:// URL (value not shown: it may be a secret)"
                    .to_owned(),
            ));
        }
    }
    let min_severity = match &raw.min_severity {
        Some(text) => parse_severity(text).map_err(|m| ("min_severity", m))?,
        None => crate::model::alerts::Severity::Warning,
    };
    let kinds = raw
        .kinds
        .iter()
        .map(|k| parse_kind(k))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| ("kinds", m))?;
    let exclude_kinds = raw
        .exclude_kinds
        .iter()
        .map(|k| parse_kind(k))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| ("exclude_kinds", m))?;
    let routing_key = secret(
        env,
        raw.routing_key_file.as_ref(),
        raw.routing_key_env.as_ref(),
        "routing_key_env",
    )
    .map_err(|(k, m)| {
        (
            if k == "routing_key_env" && raw.routing_key_file.is_some() {
                "routing_key_file"
            } else {
                k
            },
            m,
        )
    })?;
    if kind == SinkKind::Pagerduty && routing_key.is_none() {
        return Err((
            "routing_key_env",
            "(missing): a pagerduty sink needs its integration's routing key: \
             routing_key_env (a variable) or routing_key_file (a file)"
                .to_owned(),
        ));
    }
    let token = secret(
        env,
        raw.token_file.as_ref(),
        raw.token_env.as_ref(),
        "token_env",
    )?;
    let mut ca_certs_pem = Vec::new();
    if let Some(ca) = &raw.ca_cert {
        let path = expand_home(ca, env);
        let pem = std::fs::read(&path)
            .map_err(|e| ("ca_cert", format!("cannot read {}: {e}", path.display())))?;
        if !reqwest::Certificate::from_pem_bundle(&pem).is_ok_and(|c| !c.is_empty()) {
            return Err((
                "ca_cert",
                format!("{} is not a PEM certificate", path.display()),
            ));
        }
        ca_certs_pem.push(pem);
    }
    let timeout = match &raw.timeout {
        Some(text) => parse_duration(text).map_err(|m| ("timeout", m))?,
        None => DEFAULT_TIMEOUT,
    };
    let queue = match raw.queue {
        None => DEFAULT_QUEUE,
        Some(n) if (1..=MAX_QUEUE).contains(&n) => usize::try_from(n).unwrap_or(DEFAULT_QUEUE),
        Some(n) => return Err(("queue", format!("{n}: must be 1 to {MAX_QUEUE}"))),
    };
    Ok(SinkSettings {
        kind,
        name,
        url,
        min_severity,
        kinds,
        exclude_kinds,
        routing_key,
        token,
        ca_certs_pem,
        timeout,
        queue,
        max_backoff,
        max_retry_after,
    })
}

/// `[metrics] listen`: `":9464"` (this machine only) or `host:port`.
pub(super) fn metrics_listen<E: Environment>(
    text: Option<&str>,
    at: &Source<'_, E>,
) -> Result<Option<SocketAddr>, ConfigError> {
    text.map(|text| {
        parse_metrics_listen(text).map_err(|m| {
            let mut e = at.error(None, "metrics.listen", m);
            e.line = at
                .text
                .lines()
                .position(|l| l.trim_start().starts_with("listen") || l.contains("metrics.listen"))
                .map(|i| i + 1);
            e
        })
    })
    .transpose()
}

/// `--metrics` and `[metrics] listen`: `":9464"` binds 127.0.0.1 (loopback by default).
///
/// # Errors
/// Not an address with a port.
pub fn parse_metrics_listen(text: &str) -> Result<SocketAddr, String> {
    parse_listen(text).map_err(|_| {
        format!(
            "\"{text}\" is not an address with a port; write \":9464\" (this machine only) or \
             \"0.0.0.0:9464\""
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn error_of(text: &str) -> String {
        Config::parse(text, None).unwrap_err().to_string()
    }

    #[test]
    fn sinks_are_read_with_their_defaults() {
        let config = Config::parse(
            "[[notify]]\nkind = \"alertmanager\"\nurl = \"http://127.0.0.1:9093\"\n\n\
             [[notify]]\nkind = \"webhook\"\nname = \"ops-hook\"\nurl = \"http://127.0.0.1:5001/hook\"\n\
             min_severity = \"info\"\nexclude_kinds = [\"drop_opening\"]\nqueue = 8\n\n\
             [metrics]\nlisten = \":9464\"\n",
            None,
        )
        .unwrap();
        assert_eq!(config.notify.len(), 2);
        assert_eq!(config.notify[0].name, "alertmanager");
        assert_eq!(config.notify[1].name, "ops-hook");
        assert_eq!(config.notify[1].queue, 8);
        assert_eq!(
            config.metrics_listen,
            Some("127.0.0.1:9464".parse().unwrap())
        );
    }

    #[test]
    fn bad_sinks_name_the_table_and_key() {
        let e =
            error_of("[ui]\nascii = true\n\n[[notify]]\nkind = \"email\"\nurl = \"http://x\"\n");
        assert!(e.contains("line 4 key `notify[0].kind`"), "{e}");
        assert!(e.contains("\"webhook\""), "{e}");
        let e = error_of("[[notify]]\nkind = \"pagerduty\"\n");
        assert!(e.contains("`notify[0].routing_key_env`"), "{e}");
        let e = error_of("[[notify]]\nkind = \"slack\"\nurl = \"hooks.slack.com/T0/B0/xyzzy\"\n");
        assert!(e.contains("`notify[0].url`") && !e.contains("xyzzy"), "{e}");
        let e = error_of("[[notify]]\nkind = \"slack\"\nurl_env = \"DROPDAY_TEST_UNSET_SLACK\"\n");
        assert!(e.contains("DROPDAY_TEST_UNSET_SLACK is not set"), "{e}");
        let e = error_of(
            "[[notify]]\nkind = \"webhook\"\nurl = \"http://a\"\n[[notify]]\nkind = \"webhook\"\nurl = \"http://b\"\n",
        );
        assert!(e.contains("line 4 key `notify[1].name`"), "{e}");
        let e = error_of("[metrics]\nlisten = \"everywhere\"\n");
        assert!(
            e.contains("`metrics.listen`") && e.contains("\":9464\""),
            "{e}"
        );
    }
}
