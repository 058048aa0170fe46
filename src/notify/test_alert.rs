//! `dropday notify test`: a clearly-marked test alert sent to each sink and then resolved, with
//! what each sink answered.

use chrono::{DateTime, Utc};

use super::alert_id::AlertId;
use super::backoff::Verdict;
use super::deliver::{http_client, requests, send_once};
use super::outgoing::{SendContext, TEST_ALERTNAME};
use super::settings::SinkSettings;
use super::transition::{AlertFacts, Change, Notification};
use crate::model::alerts::{AlertKind, Severity};

/// What one sink answered to the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The sink's name.
    pub sink: String,
    /// One line per request: `firing: HTTP 202: …`.
    pub answers: Vec<String>,
    /// Every request was taken.
    pub ok: bool,
}

/// The test alert: `alertname="dropday_test"`, critical (so every sink's `min_severity` lets
/// it through), about the subject `notify-test`.
#[must_use]
pub fn test_alert(environment: &str, now: DateTime<Utc>) -> AlertFacts {
    AlertFacts {
        id: AlertId::new(environment, AlertKind::FeedError, TEST_ALERTNAME),
        kind: AlertKind::FeedError,
        severity: Severity::Critical,
        subject: "notify-test".to_owned(),
        message: "TEST from `dropday notify test`: nothing is wrong; this alert resolves at once"
            .to_owned(),
        since: now,
        figure: None,
        runbook: None,
        environment: environment.to_owned(),
        test: true,
    }
}

/// Sends the test alert to `sink` (one try per request, no retry: the operator wants the
/// sink's own answer now), then resolves it.
pub async fn run_test(
    sink: &SinkSettings,
    environment: &str,
    instance: &str,
    now: DateTime<Utc>,
) -> TestOutcome {
    let mut outcome = TestOutcome {
        sink: sink.name.clone(),
        answers: Vec::new(),
        ok: true,
    };
    let http = match http_client(sink) {
        Ok(http) => http,
        Err(e) => {
            outcome.answers.push(e.problem);
            outcome.ok = false;
            return outcome;
        }
    };
    let alert = test_alert(environment, now);
    let ctx = SendContext {
        instance: instance.to_owned(),
        now,
        sink: sink.name.clone(),
        routing_key: sink.routing_key.as_ref().map(|k| k.expose().to_owned()),
    };
    for change in [Change::Firing, Change::Resolved] {
        let note = Notification {
            alert: alert.clone(),
            change,
            at: now,
            silenced: false,
        };
        for request in requests(sink.kind, &note, &ctx) {
            let answer = send_once(&http, sink, &request, now).await;
            outcome.ok &= answer.verdict == Verdict::Delivered;
            outcome
                .answers
                .push(format!("{}: {}", note.change.word(), answer.text));
        }
    }
    outcome
}
