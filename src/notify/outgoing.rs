//! What a sink sends: one HTTP POST with a JSON body, and the pieces every sink's body shares.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::transition::AlertFacts;
use crate::model::alerts::Severity;

/// One request to a sink: posted to the sink's URL with `path` appended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// Appended to the sink's URL (`/api/v2/alerts` for Alertmanager; empty for the others).
    pub path: &'static str,
    /// The JSON body.
    pub body: Value,
}

/// What a sink's body is built with besides the notification.
#[derive(Debug, Clone)]
pub struct SendContext {
    /// `instance` label: this dropday (`host:port` of its metrics, else the host name).
    pub instance: String,
    /// When the request is built (local time): `endsAt` of a firing alert counts from it.
    pub now: DateTime<Utc>,
    /// The sink's name (the webhook body's `receiver`).
    pub sink: String,
    /// PagerDuty's routing key (only the PagerDuty body carries it).
    pub routing_key: Option<String>,
}

/// RFC 3339 in UTC with milliseconds, as Alertmanager writes its times.
#[must_use]
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The labels Alertmanager and the webhook body carry: `alertname` (the kind), `severity`,
/// `subject`, the entity (`hub`, `popup`, `drop` or `feed`), `environment`, `instance`.
#[must_use]
pub fn labels(alert: &AlertFacts, severity: Severity, instance: &str) -> Map<String, Value> {
    let mut labels = Map::new();
    labels.insert("alertname".into(), json!(alertname(alert)));
    labels.insert("severity".into(), json!(severity.as_str()));
    labels.insert("subject".into(), json!(alert.subject));
    labels.insert(alert.entity().into(), json!(alert.subject));
    labels.insert("environment".into(), json!(alert.environment));
    labels.insert("instance".into(), json!(instance));
    labels
}

/// The `alertname`: the kind, or `dropday_test` for `dropday notify test`'s alert.
#[must_use]
pub fn alertname(alert: &AlertFacts) -> &'static str {
    if alert.test {
        TEST_ALERTNAME
    } else {
        alert.kind.as_str()
    }
}

/// `alertname` of `dropday notify test`'s alert.
pub const TEST_ALERTNAME: &str = "dropday_test";

/// One line naming the alert: `orders_overdue on hub ewr-1 (prod)`.
#[must_use]
pub fn summary(alert: &AlertFacts) -> String {
    format!(
        "{}{} on {} {} ({})",
        if alert.test { "TEST " } else { "" },
        alertname(alert),
        alert.entity(),
        alert.subject,
        alert.environment
    )
}

/// `summary`, `description` and, where configured, `runbook_url`.
#[must_use]
pub fn annotations(alert: &AlertFacts) -> Map<String, Value> {
    let mut annotations = Map::new();
    annotations.insert("summary".into(), json!(summary(alert)));
    annotations.insert("description".into(), json!(alert.message));
    if let Some(runbook) = &alert.runbook {
        annotations.insert("runbook_url".into(), json!(runbook));
    }
    annotations
}

#[cfg(test)]
pub(crate) mod fixture {
    use chrono::{DateTime, Utc};

    use crate::model::alerts::{AlertKind, Severity};
    use crate::notify::alert_id::AlertId;
    use crate::notify::transition::{AlertFacts, Change, Notification};

    use super::SendContext;

    pub fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// ewr-1 with 12 orders overdue since 17:40, in prod.
    pub fn overdue(change: Change) -> Notification {
        Notification {
            alert: AlertFacts {
                id: AlertId::new("prod", AlertKind::OrdersOverdue, "ewr-1"),
                kind: AlertKind::OrdersOverdue,
                severity: Severity::Warning,
                subject: "ewr-1".into(),
                message: "ewr-1 has 12 orders past due and not shipped".into(),
                since: at("2026-11-27T17:40:00Z"),
                figure: Some(12.0),
                runbook: Some("https://wiki.example/hubs#overdue".into()),
                environment: "prod".into(),
                test: false,
            },
            change,
            at: at("2026-11-27T18:00:00Z"),
            silenced: false,
        }
    }

    pub fn context() -> SendContext {
        SendContext {
            instance: "room-1:9464".into(),
            now: at("2026-11-27T18:00:05Z"),
            sink: "ops".into(),
            routing_key: Some("R0UTING".into()),
        }
    }
}
