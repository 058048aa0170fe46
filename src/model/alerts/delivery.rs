//! What became of each alert's notifications, per sink: the delivery engine reports each
//! outcome back into the room, and the alert's details show the latest one of every sink.
//! Pure data; bounded by the alert book (an alert the book forgot is forgotten here too).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::book::AlertBook;
use super::kind::AlertKind;
use crate::model::format::age;

/// How one notification to one sink ended, or where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The sink took it.
    Delivered {
        /// Its status: `HTTP 202`.
        answer: String,
    },
    /// It failed and is tried again.
    Retrying {
        /// The last failure: `HTTP 503`, `no answer within 5s`.
        answer: String,
        /// Failed attempts so far.
        attempt: u32,
    },
    /// The sink refused it (a 4xx other than 429); not retried.
    Failed {
        /// The sink's answer: `HTTP 400: invalid_payload`.
        answer: String,
    },
    /// Not sent to this sink.
    NotSent {
        /// Why: `silenced`.
        reason: String,
    },
}

/// One outcome of one notification, as the delivery engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The sink's name from `[[notify]]`.
    pub sink: String,
    /// The alert's rule.
    pub kind: AlertKind,
    /// The alert's subject.
    pub subject: String,
    /// What was told: `firing`, `resolved`, `acknowledged`, … .
    pub change: &'static str,
    /// How it went.
    pub outcome: DeliveryOutcome,
    /// When (local time).
    pub at: DateTime<Utc>,
}

impl DeliveryReport {
    /// One line for the details, without the sink's name: `delivered firing 12s ago (HTTP
    /// 200)`, `retrying firing (HTTP 503, attempt 2)`, `failed: HTTP 400 invalid_payload`,
    /// `not sent: silenced`.
    #[must_use]
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        match &self.outcome {
            DeliveryOutcome::Delivered { answer } => format!(
                "delivered {} {} ago ({answer})",
                self.change,
                age(now - self.at)
            ),
            DeliveryOutcome::Retrying { answer, attempt } => {
                format!("retrying {} ({answer}, attempt {attempt})", self.change)
            }
            DeliveryOutcome::Failed { answer } => format!("failed {}: {answer}", self.change),
            DeliveryOutcome::NotSent { reason } => format!("not sent: {reason}"),
        }
    }
}

/// The latest report per (alert, sink), for the alerts the book holds.
#[derive(Debug, Clone, Default)]
pub struct Deliveries {
    latest: BTreeMap<(AlertKind, String), BTreeMap<String, DeliveryReport>>,
}

impl Deliveries {
    /// Keeps `report` as its sink's latest for its alert, if the book still holds the alert
    /// (firing or recently cleared); drops what the book no longer holds.
    pub fn record(&mut self, report: DeliveryReport, book: &AlertBook) {
        self.forget_gone(book);
        if book.get(report.kind, &report.subject).is_none() {
            return;
        }
        self.latest
            .entry((report.kind, report.subject.clone()))
            .or_default()
            .insert(report.sink.clone(), report);
    }

    /// Drops the reports of alerts the book forgot (cleared past its retention).
    pub fn forget_gone(&mut self, book: &AlertBook) {
        self.latest
            .retain(|(kind, subject), _| book.get(*kind, subject).is_some());
    }

    /// The latest report of each sink for one alert, by sink name.
    pub fn of(&self, kind: AlertKind, subject: &str) -> impl Iterator<Item = &DeliveryReport> {
        self.latest
            .get(&(kind, subject.to_owned()))
            .into_iter()
            .flat_map(BTreeMap::values)
    }

    /// How many alerts have reports (the bound is the book's size).
    #[must_use]
    pub fn alerts(&self) -> usize {
        self.latest.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: DeliveryOutcome) -> DeliveryReport {
        DeliveryReport {
            sink: "pd".to_owned(),
            kind: AlertKind::OrdersOverdue,
            subject: "ewr-1".to_owned(),
            change: "firing",
            outcome,
            at: DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        }
    }

    #[test]
    fn each_outcome_reads_as_one_line() {
        let r = report(DeliveryOutcome::Delivered {
            answer: "HTTP 202".to_owned(),
        });
        let later = r.at + chrono::TimeDelta::seconds(72);
        assert_eq!(r.describe(later), "delivered firing 1m12s ago (HTTP 202)");
        let r = report(DeliveryOutcome::Retrying {
            answer: "no answer within 5s".to_owned(),
            attempt: 3,
        });
        assert_eq!(
            r.describe(later),
            "retrying firing (no answer within 5s, attempt 3)"
        );
    }

    #[test]
    fn an_alert_the_book_does_not_hold_is_not_kept() {
        let mut deliveries = Deliveries::default();
        deliveries.record(
            report(DeliveryOutcome::NotSent {
                reason: "silenced".to_owned(),
            }),
            &AlertBook::new(),
        );
        assert_eq!(deliveries.alerts(), 0);
        assert_eq!(deliveries.of(AlertKind::OrdersOverdue, "ewr-1").count(), 0);
    }
}
