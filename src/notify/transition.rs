//! What leaves the room: the alert book watched after every update, its changes turned into
//! notifications. Pure: the book and `now` in, notifications out; the book already applied the
//! rules' pending times and clear delays, so a flap never gets this far.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::alert_id::AlertId;
use crate::feed::FeedKind;
use crate::model::alerts::{Alert, AlertBook, AlertKind, AlertThresholds, Severity};

/// The facts of an alert a sink needs, copied out of the book.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFacts {
    /// Stable over restarts: environment, kind, subject.
    pub id: AlertId,
    /// The rule.
    pub kind: AlertKind,
    /// Urgency now.
    pub severity: Severity,
    /// The drop, hub, pop-up or feed.
    pub subject: String,
    /// The room's sentence, with its figures.
    pub message: String,
    /// When the problem began, on the local clock (the book's server time less the feeds'
    /// clock offset), never after the notification: Alertmanager refuses a `startsAt` after
    /// its `endsAt`, and a simulator running fast is ahead of the wall.
    pub since: DateTime<Utc>,
    /// How bad, in the rule's unit.
    pub figure: Option<f64>,
    /// `[alerts.kinds.<kind>] runbook`.
    pub runbook: Option<String>,
    /// `environment` label: `[ui] environment` (`demo` for the demo).
    pub environment: String,
    /// A test alert of `dropday notify test`: `alertname` is `dropday_test` and every text
    /// says TEST, so nobody takes it for drop-day news.
    pub test: bool,
}

impl AlertFacts {
    /// The entity label's name: `hub`, `popup`, `drop`, or `feed` for the feed-health rules.
    #[must_use]
    pub fn entity(&self) -> &'static str {
        entity_label(self.kind)
    }
}

/// The label naming an alert's subject by what it is.
#[must_use]
pub fn entity_label(kind: AlertKind) -> &'static str {
    match kind.feed() {
        Some(FeedKind::Fulfilment) => "hub",
        Some(FeedKind::Pos) => "popup",
        Some(FeedKind::Marketplace) => "drop",
        None => "feed",
    }
}

/// What happened to an alert.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// It started firing (or fires again after an acknowledgement was re-armed).
    Firing,
    /// Its severity changed while firing; `from` was the old one.
    SeverityChanged {
        /// The severity it had.
        from: Severity,
    },
    /// Still firing, nothing new: Alertmanager's alert is pushed again so it does not lapse.
    Refresh,
    /// Someone acknowledged it in the room.
    Acknowledged {
        /// Who, when the room knows.
        by: Option<String>,
    },
    /// Someone silenced it in the room until `until` (local time).
    Silenced {
        /// When the silence ends.
        until: DateTime<Utc>,
        /// Who, when the room knows.
        by: Option<String>,
    },
    /// It stopped firing.
    Resolved,
}

impl Change {
    /// A word for the log.
    #[must_use]
    pub fn word(&self) -> &'static str {
        match self {
            Change::Firing => "firing",
            Change::SeverityChanged { .. } => "severity changed",
            Change::Refresh => "refresh",
            Change::Acknowledged { .. } => "acknowledged",
            Change::Silenced { .. } => "silenced",
            Change::Resolved => "resolved",
        }
    }
}

/// One change of one alert, at a local instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The alert as it is now (for `Resolved`: as it was last seen).
    pub alert: AlertFacts,
    /// What happened.
    pub change: Change,
    /// Local time it was seen.
    pub at: DateTime<Utc>,
    /// Silenced in the room at `at`: sinks other than Alertmanager send nothing new for it.
    pub silenced: bool,
}

#[derive(Debug, Clone)]
struct Tracked {
    facts: AlertFacts,
    acknowledged: bool,
    silenced_until: Option<DateTime<Utc>>,
    last_push: DateTime<Utc>,
}

/// Follows the book between updates. Holds one entry per firing alert.
#[derive(Debug, Clone)]
pub struct AlertWatch {
    environment: String,
    /// How often a firing alert is pushed again (Alertmanager forgets it after its `endsAt`).
    refresh_every: TimeDelta,
    tracked: HashMap<(AlertKind, String), Tracked>,
}

impl AlertWatch {
    /// Watches alerts of `environment`, refreshing firing ones every `refresh_every`.
    #[must_use]
    pub fn new(environment: &str, refresh_every: TimeDelta) -> Self {
        AlertWatch {
            environment: environment.to_owned(),
            refresh_every,
            tracked: HashMap::new(),
        }
    }

    /// Alerts firing as last seen.
    #[must_use]
    pub fn firing(&self) -> usize {
        self.tracked.len()
    }

    fn facts(
        &self,
        alert: &Alert,
        thresholds: &AlertThresholds,
        server_offset: TimeDelta,
        now: DateTime<Utc>,
    ) -> AlertFacts {
        AlertFacts {
            id: AlertId::new(&self.environment, alert.kind, &alert.subject),
            kind: alert.kind,
            severity: alert.severity,
            subject: alert.subject.clone(),
            message: alert.message.clone(),
            since: (alert.since - server_offset).min(now),
            figure: alert.figure,
            runbook: thresholds.rule(alert.kind).runbook.clone(),
            environment: self.environment.clone(),
            test: false,
        }
    }

    /// What changed in `book` since the last call, at local time `now`; `server_offset` is
    /// the feeds' clock less the local one (`Board::server_now(now) - now`).
    pub fn observe(
        &mut self,
        book: &AlertBook,
        thresholds: &AlertThresholds,
        server_offset: TimeDelta,
        now: DateTime<Utc>,
    ) -> Vec<Notification> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for alert in book.firing() {
            let key = (alert.kind, alert.subject.clone());
            let facts = self.facts(alert, thresholds, server_offset, now);
            let silenced = alert.is_silenced(now);
            let note = |change, facts: &AlertFacts| Notification {
                alert: facts.clone(),
                change,
                at: now,
                silenced,
            };
            match self.tracked.get_mut(&key) {
                None => {
                    out.push(note(Change::Firing, &facts));
                    if let Some(until) = alert.silenced_until.filter(|_| silenced) {
                        out.push(note(
                            Change::Silenced {
                                until,
                                by: alert.silenced_by.as_ref().map(|m| m.by.clone()),
                            },
                            &facts,
                        ));
                    }
                    self.tracked.insert(
                        key.clone(),
                        Tracked {
                            facts,
                            acknowledged: alert.acknowledged,
                            silenced_until: alert.silenced_until,
                            last_push: now,
                        },
                    );
                }
                Some(tracked) => {
                    let mut pushed = true;
                    if tracked.facts.severity != facts.severity {
                        out.push(note(
                            Change::SeverityChanged {
                                from: tracked.facts.severity,
                            },
                            &facts,
                        ));
                    } else if tracked.acknowledged && !alert.acknowledged {
                        // Re-armed: it got worse since it was acknowledged; page again.
                        out.push(note(Change::Firing, &facts));
                    } else if now - tracked.last_push >= self.refresh_every {
                        out.push(note(Change::Refresh, &facts));
                    } else {
                        pushed = false;
                    }
                    if !tracked.acknowledged && alert.acknowledged {
                        out.push(note(
                            Change::Acknowledged {
                                by: alert.acknowledged_by.as_ref().map(|m| m.by.clone()),
                            },
                            &facts,
                        ));
                    }
                    if silenced
                        && let Some(until) = alert.silenced_until
                        && tracked.silenced_until != Some(until)
                    {
                        out.push(note(
                            Change::Silenced {
                                until,
                                by: alert.silenced_by.as_ref().map(|m| m.by.clone()),
                            },
                            &facts,
                        ));
                    }
                    tracked.facts = facts;
                    tracked.acknowledged = alert.acknowledged;
                    tracked.silenced_until = alert.silenced_until;
                    if pushed {
                        tracked.last_push = now;
                    }
                }
            }
            seen.push(key);
        }
        let gone: Vec<(AlertKind, String)> = self
            .tracked
            .keys()
            .filter(|key| !seen.contains(key))
            .cloned()
            .collect();
        for key in gone {
            if let Some(tracked) = self.tracked.remove(&key) {
                let silenced = tracked.silenced_until.is_some_and(|until| until > now);
                out.push(Notification {
                    alert: tracked.facts,
                    change: Change::Resolved,
                    at: now,
                    silenced,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::board::Board;
    use crate::model::fixtures::{self, at, at_time};

    fn board_at(seconds: i64, hot: bool) -> Board {
        let mut board = Board::default();
        let mut hubs = at_time(fixtures::hubs(), at(seconds));
        let mut popups = at_time(fixtures::popups(), at(seconds));
        if !hot {
            hubs.entries.clear();
            popups.entries.clear();
        }
        board.ingest_drops(
            at_time(fixtures::drops(), at(seconds)),
            at(seconds),
            at(seconds),
        );
        board.ingest_hubs(hubs, at(seconds), at(seconds));
        board.ingest_popups(popups, at(seconds), at(seconds));
        board
    }

    fn changes(notes: &[Notification]) -> Vec<(String, &str, &str)> {
        notes
            .iter()
            .map(|n| {
                (
                    n.change.word().to_owned(),
                    n.alert.kind.as_str(),
                    n.alert.subject.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn entity_labels_name_what_the_subject_is() {
        assert_eq!(entity_label(AlertKind::OrdersOverdue), "hub");
        assert_eq!(entity_label(AlertKind::TerminalOffline), "popup");
        assert_eq!(entity_label(AlertKind::SelloutSoon), "drop");
        assert_eq!(entity_label(AlertKind::FeedStale), "feed");
    }

    #[test]
    fn raised_refreshed_acknowledged_silenced_resolved() {
        let thresholds = AlertThresholds::immediate();
        let mut book = AlertBook::new();
        let mut watch = AlertWatch::new("prod", TimeDelta::seconds(60));
        book.evaluate(&board_at(0, true), at(0), &thresholds);
        let raised = watch.observe(&book, &thresholds, TimeDelta::zero(), at(0));
        assert_eq!(
            changes(&raised),
            [
                ("firing".to_owned(), "sla_breach", "ewr-1"),
                ("firing".to_owned(), "orders_overdue", "ewr-1"),
                ("firing".to_owned(), "terminal_offline", "bk-1"),
                ("firing".to_owned(), "pickups_overdue", "bk-1"),
            ]
        );
        let overdue = &raised[1].alert;
        assert_eq!(
            overdue.id,
            AlertId::new("prod", AlertKind::OrdersOverdue, "ewr-1")
        );
        assert_eq!(overdue.severity, Severity::Warning);
        assert_eq!(overdue.entity(), "hub");
        assert_eq!(overdue.figure, Some(4.0));
        assert!(raised.iter().all(|n| n.at == at(0) && !n.silenced));

        // Nothing new within the refresh interval; a refresh of each once it has passed.
        book.evaluate(&board_at(30, true), at(30), &thresholds);
        assert!(
            watch
                .observe(&book, &thresholds, TimeDelta::zero(), at(30))
                .is_empty()
        );
        book.evaluate(&board_at(60, true), at(60), &thresholds);
        let refreshed = watch.observe(&book, &thresholds, TimeDelta::zero(), at(60));
        assert_eq!(refreshed.len(), 4);
        assert!(refreshed.iter().all(|n| n.change == Change::Refresh));

        assert!(book.acknowledge_by(AlertKind::OrdersOverdue, "ewr-1", "maya", at(61)));
        assert!(book.silence_by(AlertKind::TerminalOffline, "bk-1", at(3661), "ravi", at(61)));
        let marked = watch.observe(&book, &thresholds, TimeDelta::zero(), at(61));
        assert_eq!(
            marked.iter().map(|n| &n.change).collect::<Vec<_>>(),
            [
                &Change::Acknowledged {
                    by: Some("maya".to_owned())
                },
                &Change::Silenced {
                    until: at(3661),
                    by: Some("ravi".to_owned())
                }
            ]
        );
        assert!(marked[1].silenced && !marked[0].silenced);

        // The hubs and pop-ups cool: every alert resolves once, the silenced one marked so.
        book.evaluate(&board_at(90, false), at(90), &thresholds);
        let resolved = watch.observe(&book, &thresholds, TimeDelta::zero(), at(90));
        let mut words = changes(&resolved);
        words.sort();
        assert_eq!(
            words,
            [
                ("resolved".to_owned(), "orders_overdue", "ewr-1"),
                ("resolved".to_owned(), "pickups_overdue", "bk-1"),
                ("resolved".to_owned(), "sla_breach", "ewr-1"),
                ("resolved".to_owned(), "terminal_offline", "bk-1"),
            ]
        );
        assert_eq!(
            resolved
                .iter()
                .filter(|n| n.silenced)
                .map(|n| n.alert.kind)
                .collect::<Vec<_>>(),
            [AlertKind::TerminalOffline]
        );
        assert_eq!(watch.firing(), 0);
        assert!(
            watch
                .observe(&book, &thresholds, TimeDelta::zero(), at(200))
                .is_empty()
        );
    }
}
