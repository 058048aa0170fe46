//! The webhook sink: Alertmanager's own webhook body (version "4"), so anything that accepts
//! Alertmanager's webhooks accepts dropday's.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::outgoing::{Outgoing, SendContext, alertname, annotations, labels, time};
use super::transition::{Change, Notification};
use crate::model::alerts::Severity;

/// Alertmanager's `endsAt` of an alert with no end yet.
const NO_END: &str = "0001-01-01T00:00:00Z";

fn body(
    note: &Notification,
    severity: Severity,
    ends: Option<DateTime<Utc>>,
    ctx: &SendContext,
) -> Value {
    let status = if ends.is_some() { "resolved" } else { "firing" };
    let labels = labels(&note.alert, severity, &ctx.instance);
    let annotations = annotations(&note.alert);
    json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"{}\", subject=\"{}\"}}", alertname(&note.alert), note.alert.subject),
        "truncatedAlerts": 0,
        "status": status,
        "receiver": ctx.sink,
        "groupLabels": {"alertname": alertname(&note.alert), "subject": note.alert.subject},
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": "",
        "alerts": [{
            "status": status,
            "labels": labels,
            "annotations": annotations,
            "startsAt": time(note.alert.since),
            "endsAt": ends.map_or_else(|| NO_END.to_owned(), time),
            "generatorURL": "",
            "fingerprint": note.alert.id.as_str(),
        }],
    })
}

/// The bodies for `note`: firing, resolved, or (a severity change) the old one resolved and
/// the new one firing; none for a refresh, an acknowledgement or a silence.
#[must_use]
pub fn requests(note: &Notification, ctx: &SendContext) -> Vec<Outgoing> {
    let post = |body| Outgoing { path: "", body };
    let severity = note.alert.severity;
    match &note.change {
        Change::Firing => vec![post(body(note, severity, None, ctx))],
        Change::SeverityChanged { from } => vec![
            post(body(note, *from, Some(ctx.now), ctx)),
            post(body(note, severity, None, ctx)),
        ],
        Change::Resolved => vec![post(body(note, severity, Some(ctx.now), ctx))],
        Change::Refresh | Change::Acknowledged { .. } | Change::Silenced { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::outgoing::fixture::{context, overdue};

    #[test]
    fn the_body_is_alertmanagers_webhook_version_4() {
        let note = overdue(Change::Firing);
        let sent = requests(&note, &context());
        let body = &sent[0].body;
        assert_eq!(body["version"], "4");
        assert_eq!(body["status"], "firing");
        assert_eq!(body["receiver"], "ops");
        let alert = &body["alerts"][0];
        assert_eq!(alert["status"], "firing");
        assert_eq!(alert["labels"]["alertname"], "orders_overdue");
        assert_eq!(alert["labels"]["hub"], "ewr-1");
        assert_eq!(
            alert["annotations"]["summary"],
            "orders_overdue on hub ewr-1 (prod)"
        );
        assert_eq!(alert["startsAt"], "2026-11-27T17:40:00.000Z");
        assert_eq!(alert["endsAt"], NO_END);
        assert_eq!(alert["fingerprint"], note.alert.id.as_str());
    }

    #[test]
    fn a_clear_is_resolved_with_its_end() {
        let sent = requests(&overdue(Change::Resolved), &context());
        assert_eq!(sent[0].body["status"], "resolved");
        assert_eq!(
            sent[0].body["alerts"][0]["endsAt"],
            "2026-11-27T18:00:05.000Z"
        );
        let mut worse = overdue(Change::SeverityChanged {
            from: Severity::Warning,
        });
        worse.alert.severity = Severity::Critical;
        let sent = requests(&worse, &context());
        assert_eq!(sent[0].body["alerts"][0]["labels"]["severity"], "warning");
        assert_eq!(sent[0].body["status"], "resolved");
        assert_eq!(sent[1].body["alerts"][0]["labels"]["severity"], "critical");
        assert_eq!(sent[1].body["status"], "firing");
    }
}
