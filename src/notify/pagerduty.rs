//! The PagerDuty sink: Events API v2. One incident per alert: `dedup_key` is the alert's stable
//! id, so a severity change or a re-armed acknowledgement `trigger`s the same incident again,
//! an acknowledgement in the room `acknowledge`s it and a clear `resolve`s it.

use serde_json::{Value, json};

use super::outgoing::{Outgoing, SendContext, alertname, summary, time};
use super::transition::{Change, Notification};

/// The request for `note`; none for a silence (the room stops paging; PagerDuty has nothing
/// to be told) or a refresh (an incident does not lapse).
#[must_use]
pub fn requests(note: &Notification, ctx: &SendContext) -> Vec<Outgoing> {
    let alert = &note.alert;
    let action = match note.change {
        Change::Firing | Change::SeverityChanged { .. } => "trigger",
        Change::Acknowledged { .. } => "acknowledge",
        Change::Resolved => "resolve",
        Change::Refresh | Change::Silenced { .. } => return Vec::new(),
    };
    let mut body = json!({
        "routing_key": ctx.routing_key.as_deref().unwrap_or_default(),
        "event_action": action,
        "dedup_key": alert.id.as_str(),
    });
    if action == "trigger" {
        body["payload"] = json!({
            "summary": format!("{}: {}", summary(alert), alert.message),
            "source": ctx.instance,
            // PagerDuty's severities are ours, plus `error`, which dropday does not use.
            "severity": alert.severity.as_str(),
            "timestamp": time(alert.since),
            "component": alert.subject,
            "group": alert.entity(),
            "class": alertname(alert),
            "custom_details": {
                "message": alert.message,
                "figure": alert.figure,
                "since": time(alert.since),
                "environment": alert.environment,
                "kind": alertname(alert),
                "subject": alert.subject,
            },
        });
        if let Some(runbook) = &alert.runbook {
            body["links"] = json!([{"href": runbook, "text": "runbook"}]);
        }
    }
    vec![Outgoing {
        path: "",
        body: Value::clone(&body),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::Severity;
    use crate::notify::outgoing::fixture::{context, overdue};

    #[test]
    fn a_trigger_carries_the_stable_key_severity_and_figures() {
        let sent = requests(&overdue(Change::Firing), &context());
        let body = &sent[0].body;
        assert_eq!(sent[0].path, "");
        assert_eq!(body["routing_key"], "R0UTING");
        assert_eq!(body["event_action"], "trigger");
        assert_eq!(body["dedup_key"], overdue(Change::Firing).alert.id.as_str());
        assert_eq!(body["payload"]["severity"], "warning");
        assert_eq!(body["payload"]["source"], "room-1:9464");
        assert_eq!(body["payload"]["timestamp"], "2026-11-27T17:40:00.000Z");
        assert_eq!(body["payload"]["custom_details"]["figure"], 12.0);
        assert_eq!(
            body["links"][0]["href"],
            "https://wiki.example/hubs#overdue"
        );
    }

    #[test]
    fn the_same_incident_is_retriggered_acknowledged_and_resolved() {
        let mut worse = overdue(Change::SeverityChanged {
            from: Severity::Warning,
        });
        worse.alert.severity = Severity::Critical;
        let key = worse.alert.id.as_str().to_owned();
        let bodies: Vec<Value> = [
            worse,
            overdue(Change::Acknowledged {
                by: Some("maya".into()),
            }),
            overdue(Change::Resolved),
        ]
        .iter()
        .map(|n| requests(n, &context())[0].body.clone())
        .collect();
        assert_eq!(bodies[0]["event_action"], "trigger");
        assert_eq!(bodies[0]["payload"]["severity"], "critical");
        assert_eq!(bodies[1]["event_action"], "acknowledge");
        assert_eq!(bodies[2]["event_action"], "resolve");
        assert!(bodies.iter().all(|b| b["dedup_key"] == key.as_str()));
        assert!(bodies[2].get("payload").is_none());
        assert!(requests(&overdue(Change::Refresh), &context()).is_empty());
    }
}
