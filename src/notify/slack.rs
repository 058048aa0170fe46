//! The Slack sink: an incoming webhook with a short text (what the notification shows) and
//! blocks (kind, subject, figures, since, runbook); a resolved message when it clears.

use serde_json::{Value, json};

use super::outgoing::{Outgoing, SendContext, alertname, summary, time};
use super::transition::{Change, Notification};
use crate::model::format::short_number;

/// The message for `note`; none for a refresh or a silence.
#[must_use]
pub fn requests(note: &Notification, _ctx: &SendContext) -> Vec<Outgoing> {
    let alert = &note.alert;
    let headline = match &note.change {
        Change::Firing => format!(
            ":rotating_light: {} {}",
            alert.severity.as_str().to_uppercase(),
            summary(alert)
        ),
        Change::SeverityChanged { from } => format!(
            ":rotating_light: {} (was {}) {}",
            alert.severity.as_str().to_uppercase(),
            from.as_str(),
            summary(alert)
        ),
        Change::Acknowledged { by } => format!(
            ":eyes: acknowledged{} {}",
            by.as_ref()
                .map_or_else(String::new, |by| format!(" by {by}")),
            summary(alert)
        ),
        Change::Resolved => format!(":white_check_mark: RESOLVED {}", summary(alert)),
        Change::Refresh | Change::Silenced { .. } => return Vec::new(),
    };
    let mut fields = vec![
        json!({"type": "mrkdwn", "text": format!("*Kind*\n{}", alertname(alert))}),
        json!({"type": "mrkdwn", "text": format!("*{}*\n{}", alert.entity(), alert.subject)}),
        json!({"type": "mrkdwn", "text": format!("*Since*\n{}", time(alert.since))}),
    ];
    if let Some(figure) = alert.figure {
        fields
            .push(json!({"type": "mrkdwn", "text": format!("*Figure*\n{}", short_number(figure))}));
    }
    let mut blocks = vec![
        json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*{headline}*\n{}", alert.message)}}),
        json!({"type": "section", "fields": fields}),
    ];
    if let Some(runbook) = &alert.runbook {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": format!("<{runbook}|runbook>")}],
        }));
    }
    vec![Outgoing {
        path: "",
        body: json!({
            // What the phone's notification shows; blocks replace it in the channel.
            "text": format!("{headline}: {}", alert.message),
            "blocks": Value::Array(blocks),
        }),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::outgoing::fixture::{context, overdue};

    #[test]
    fn a_firing_message_has_text_and_blocks() {
        let sent = requests(&overdue(Change::Firing), &context());
        let body = &sent[0].body;
        assert_eq!(
            body["text"],
            ":rotating_light: WARNING orders_overdue on hub ewr-1 (prod): ewr-1 has 12 orders past due and not shipped"
        );
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "section");
        let fields: Vec<&str> = blocks[1]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "*Kind*\norders_overdue",
                "*hub*\newr-1",
                "*Since*\n2026-11-27T17:40:00.000Z",
                "*Figure*\n12"
            ]
        );
        assert_eq!(
            blocks[2]["elements"][0]["text"],
            "<https://wiki.example/hubs#overdue|runbook>"
        );
    }

    #[test]
    fn a_clear_says_resolved_and_a_refresh_says_nothing() {
        let sent = requests(&overdue(Change::Resolved), &context());
        assert!(
            sent[0].body["text"]
                .as_str()
                .unwrap()
                .starts_with(":white_check_mark: RESOLVED")
        );
        assert!(requests(&overdue(Change::Refresh), &context()).is_empty());
    }
}
