//! The Alertmanager sink: alerts pushed to `POST /api/v2/alerts` the way Prometheus pushes
//! them (re-sent while firing, well before their `endsAt` lapses; `endsAt` = now when they
//! clear), and the room's silences made Alertmanager silences (`POST /api/v2/silences`).

use std::time::Duration;

use chrono::TimeDelta;
use serde_json::{Value, json};

use super::outgoing::{Outgoing, SendContext, alertname, annotations, labels, time};
use super::transition::{Change, Notification};
use crate::model::alerts::Severity;

/// How often a firing alert is pushed again (Prometheus' `--rules.alert.resend-delay`).
pub const RESEND_EVERY: Duration = Duration::from_secs(60);

/// A firing alert's `endsAt`: four resends ahead, as Prometheus sets it, so three lost pushes
/// in a row still do not resolve it.
fn ends_after() -> TimeDelta {
    TimeDelta::from_std(RESEND_EVERY * 4).unwrap_or(TimeDelta::minutes(4))
}

fn alert(note: &Notification, severity: Severity, firing: bool, ctx: &SendContext) -> Value {
    let ends = if firing {
        ctx.now + ends_after()
    } else {
        ctx.now
    };
    json!({
        "labels": labels(&note.alert, severity, &ctx.instance),
        "annotations": annotations(&note.alert),
        "startsAt": time(note.alert.since),
        "endsAt": time(ends),
    })
}

/// The requests for `note`; none for an acknowledgement (Alertmanager has no such thing).
#[must_use]
pub fn requests(note: &Notification, ctx: &SendContext) -> Vec<Outgoing> {
    let alerts = |body: Vec<Value>| Outgoing {
        path: "/api/v2/alerts",
        body: Value::Array(body),
    };
    let severity = note.alert.severity;
    match &note.change {
        Change::Firing | Change::Refresh => vec![alerts(vec![alert(note, severity, true, ctx)])],
        // Severity is a label, so the old one is another Alertmanager alert: resolved, and
        // the new one raised, in one push.
        Change::SeverityChanged { from } => vec![alerts(vec![
            alert(note, *from, false, ctx),
            alert(note, severity, true, ctx),
        ])],
        Change::Resolved => vec![alerts(vec![alert(note, severity, false, ctx)])],
        Change::Acknowledged { .. } => Vec::new(),
        Change::Silenced { until, by } => {
            let matcher = |name: &str, value: &str| json!({"name": name, "value": value, "isRegex": false, "isEqual": true});
            vec![Outgoing {
                path: "/api/v2/silences",
                body: json!({
                    "matchers": [
                        matcher("alertname", alertname(&note.alert)),
                        matcher("subject", &note.alert.subject),
                        matcher("environment", &note.alert.environment),
                    ],
                    "startsAt": time(note.at),
                    "endsAt": time(*until),
                    "createdBy": by.as_deref().unwrap_or("dropday"),
                    "comment": format!(
                        "silenced in the dropday room: {}",
                        note.alert.message
                    ),
                }),
            }]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::outgoing::fixture::{at, context, overdue};

    #[test]
    fn a_firing_alert_is_pushed_as_prometheus_does() {
        let sent = requests(&overdue(Change::Firing), &context());
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].path, "/api/v2/alerts");
        assert_eq!(
            sent[0].body,
            json!([{
                "labels": {
                    "alertname": "orders_overdue",
                    "severity": "warning",
                    "subject": "ewr-1",
                    "hub": "ewr-1",
                    "environment": "prod",
                    "instance": "room-1:9464",
                },
                "annotations": {
                    "summary": "orders_overdue on hub ewr-1 (prod)",
                    "description": "ewr-1 has 12 orders past due and not shipped",
                    "runbook_url": "https://wiki.example/hubs#overdue",
                },
                "startsAt": "2026-11-27T17:40:00.000Z",
                "endsAt": "2026-11-27T18:04:05.000Z",
            }])
        );
    }

    #[test]
    fn a_severity_change_resolves_the_old_and_raises_the_new() {
        let mut note = overdue(Change::SeverityChanged {
            from: Severity::Warning,
        });
        note.alert.severity = Severity::Critical;
        let sent = requests(&note, &context());
        let body = sent[0].body.as_array().unwrap();
        assert_eq!(body[0]["labels"]["severity"], "warning");
        assert_eq!(body[0]["endsAt"], "2026-11-27T18:00:05.000Z");
        assert_eq!(body[1]["labels"]["severity"], "critical");
        assert_eq!(body[1]["endsAt"], "2026-11-27T18:04:05.000Z");
    }

    #[test]
    fn a_clear_ends_it_now_and_an_acknowledgement_sends_nothing() {
        let sent = requests(&overdue(Change::Resolved), &context());
        assert_eq!(sent[0].body[0]["endsAt"], "2026-11-27T18:00:05.000Z");
        assert!(requests(&overdue(Change::Acknowledged { by: None }), &context()).is_empty());
    }

    #[test]
    fn a_silence_in_the_room_is_a_silence_in_alertmanager() {
        let note = overdue(Change::Silenced {
            until: at("2026-11-27T19:00:00Z"),
            by: Some("maya".into()),
        });
        let sent = requests(&note, &context());
        assert_eq!(sent[0].path, "/api/v2/silences");
        let body = &sent[0].body;
        assert_eq!(body["createdBy"], "maya");
        assert_eq!(body["startsAt"], "2026-11-27T18:00:00.000Z");
        assert_eq!(body["endsAt"], "2026-11-27T19:00:00.000Z");
        assert_eq!(
            body["matchers"][0],
            json!({"name": "alertname", "value": "orders_overdue", "isRegex": false, "isEqual": true})
        );
        assert_eq!(body["matchers"][1]["value"], "ewr-1");
        assert_eq!(body["matchers"][2]["value"], "prod");
    }
}
