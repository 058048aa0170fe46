//! The book of alerts: raised after their pending time, kept while their condition holds and
//! for their clear delay after, cleared, acknowledged (until they get worse), silenced.
//!
//! Every instant in the book is server time (the feeds' `as_of` clock), like every figure;
//! only silences, set by a person, are on the local clock.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::finding::Finding;
use super::kind::{AlertKind, Severity};
use super::pending::PendingAlert;
use super::rules;
use super::thresholds::AlertThresholds;
use crate::model::board::Board;

/// What one evaluation changed, in words for the program's log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertChanges {
    /// `severity kind subject: message` of each alert that started firing.
    pub raised: Vec<String>,
    /// `kind subject` of each alert that stopped firing.
    pub cleared: Vec<String>,
}

fn describe(severity: Severity, kind: AlertKind, subject: &str, message: &str) -> String {
    format!(
        "{} {} {subject}: {message}",
        severity.as_str(),
        kind.as_str()
    )
}

/// Who did something to an alert, and when (local time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    /// The person's name (a served room's key name, else the local user).
    pub by: String,
    /// Local time it was done.
    pub at: DateTime<Utc>,
}

impl Mark {
    fn new(by: &str, at: DateTime<Utc>) -> Self {
        Self {
            by: by.to_owned(),
            at,
        }
    }
}

/// One alert of the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The rule that raised it.
    pub kind: AlertKind,
    /// Its urgency now (a firing alert can change severity without clearing).
    pub severity: Severity,
    /// Id of the drop, hub or pop-up, or the feed's name.
    pub subject: String,
    /// What is wrong, with the figures (updated on each evaluation while firing).
    pub message: String,
    /// When the problem began: where the feed says so (a terminal's `last_seen`, the oldest
    /// overdue order's `due_at`, …), else `first_seen`. Never after the evaluation that raised
    /// it.
    pub since: DateTime<Utc>,
    /// When an evaluation first found the condition of this occurrence.
    pub first_seen: DateTime<Utc>,
    /// When it stopped firing; `None` while it fires.
    pub cleared_at: Option<DateTime<Utc>>,
    /// Seen by the operator; reset when it fires again after clearing, when its severity
    /// rises, or when its figure grows past `ack_rearm_factor` × the acknowledged one.
    pub acknowledged: bool,
    /// Who acknowledged it and when (local time), when the room knows who: a served room
    /// shows `ack by maya 2m ago` to everyone. Gone with the acknowledgement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<Mark>,
    /// Not counted or signalled until then (local time).
    pub silenced_until: Option<DateTime<Utc>>,
    /// Who set the silence and when (local time), when the room knows who.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silenced_by: Option<Mark>,
    /// How bad it is, in the rule's unit (see [`Finding::figure`]).
    pub figure: Option<f64>,
    /// The figure an acknowledgement that was re-armed had been given at (`acked at 10
    /// overdue, now 22`).
    pub rearmed_from: Option<f64>,
    #[serde(skip)]
    acked: Option<(Severity, Option<f64>)>,
    /// Last evaluation that found the condition (for the clear delay).
    #[serde(skip)]
    last_found: DateTime<Utc>,
    /// Last evaluation that found it at the current severity (a severity falls only after
    /// the clear delay, as the alert itself).
    #[serde(skip)]
    last_at_severity: DateTime<Utc>,
}

impl Alert {
    /// Whether it fires (has not cleared).
    #[must_use]
    pub fn is_firing(&self) -> bool {
        self.cleared_at.is_none()
    }

    /// Whether it is silenced at `local_now`.
    #[must_use]
    pub fn is_silenced(&self, local_now: DateTime<Utc>) -> bool {
        self.silenced_until.is_some_and(|until| until > local_now)
    }

    fn raise(pending: PendingAlert, now: DateTime<Utc>) -> Self {
        Self {
            kind: pending.kind,
            severity: pending.severity,
            subject: pending.subject,
            message: pending.message,
            since: pending.since.min(now),
            first_seen: pending.first_seen,
            cleared_at: None,
            acknowledged: false,
            acknowledged_by: None,
            silenced_until: None,
            silenced_by: None,
            figure: pending.figure,
            rearmed_from: None,
            acked: None,
            last_found: now,
            last_at_severity: now,
        }
    }

    /// The condition is found again at `now`.
    fn update(&mut self, found: Finding, now: DateTime<Utc>, keep: TimeDelta, rearm: f64) {
        self.last_found = now;
        // Urgency rises at once and falls only after the clear delay.
        if found.severity <= self.severity || now - self.last_at_severity >= keep {
            self.severity = found.severity;
            self.last_at_severity = now;
        }
        self.figure = found.figure;
        if let Some((acked_severity, acked_figure)) = self.acked {
            let worse = match (acked_figure, found.figure) {
                (Some(was), Some(now)) => was > 0.0 && now > was * rearm,
                _ => false,
            };
            if self.severity < acked_severity || worse {
                self.acknowledged = false;
                self.acknowledged_by = None;
                self.acked = None;
                self.rearmed_from = acked_figure;
            }
        }
        self.message = match (self.rearmed_from, found.figure) {
            (Some(was), Some(now)) => format!(
                "{} (acked at {}, now {})",
                found.message,
                crate::model::format::short_number(was),
                crate::model::format::short_number(now)
            ),
            _ => found.message,
        };
    }
}

/// Firing alerts per severity, silenced ones left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    /// Firing, not silenced critical alerts.
    pub critical: usize,
    /// Firing, not silenced warnings.
    pub warning: usize,
    /// Firing, not silenced info alerts.
    pub info: usize,
}

impl SeverityCounts {
    /// The most urgent severity counted.
    #[must_use]
    pub fn worst(&self) -> Option<Severity> {
        if self.critical > 0 {
            Some(Severity::Critical)
        } else if self.warning > 0 {
            Some(Severity::Warning)
        } else if self.info > 0 {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

type Key = (AlertKind, String);

/// The alerts raised so far (firing ones and those cleared within the retention) and the
/// conditions waiting out their pending time.
///
/// `alerts` is kept sorted (firing first, then severity, then oldest first) after every change,
/// so readers never sort. Memory is bounded by entities × kinds plus what cleared within the
/// retention.
#[derive(Debug, Clone, Default)]
pub struct AlertBook {
    alerts: Vec<Alert>,
    /// Position in `alerts` of each (kind, subject).
    index: HashMap<Key, usize>,
    pending: HashMap<Key, PendingAlert>,
    /// Conditions that were pending and were not found at the last evaluations, kept for their
    /// kind's clear delay: a projection hovering at its threshold is pending one second and
    /// gone the next, and a row that came and went each time moved every panel under the
    /// Alerts panel (and told the reader nothing about the flapping).
    lapsed: HashMap<Key, LapsedPending>,
}

/// A condition that was pending and is no longer found: listed (dimmed) for its kind's clear
/// delay, replaced by the pending condition if it is found again.
#[derive(Debug, Clone, PartialEq)]
pub struct LapsedPending {
    /// The condition as it was last found.
    pub pending: PendingAlert,
    /// The first evaluation that did not find it (server time).
    pub lapsed_at: DateTime<Utc>,
}

impl AlertBook {
    /// An empty book.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs every rule on `board` at `local_now` (on the server's clock, see
    /// [`Board::server_now`]): a condition found is raised once it has held for its kind's
    /// pending time (at once for a pending time of 0), a firing alert keeps its `since` and
    /// takes the new message, an alert whose condition has been gone for its clear delay is
    /// cleared, and alerts cleared longer than the retention are forgotten. Projection alerts
    /// of a stale feed hold their state: neither raised nor cleared.
    ///
    /// Returns what changed, for the program's log.
    pub fn evaluate(
        &mut self,
        board: &Board,
        local_now: DateTime<Utc>,
        thresholds: &AlertThresholds,
    ) -> AlertChanges {
        let now = board.server_now(local_now);
        let findings = rules::findings(board, local_now, thresholds);
        let mut changes = AlertChanges::default();
        let mut alive = vec![false; self.alerts.len()];
        let mut found_pending: Vec<Key> = Vec::new();
        let mut added = Vec::new();
        for found in findings.found {
            let key = (found.kind, found.subject.clone());
            self.lapsed.remove(&key);
            let rule = thresholds.rule(found.kind);
            let firing = self
                .index
                .get(&key)
                .copied()
                .filter(|&i| self.alerts[i].is_firing());
            if let Some(i) = firing {
                alive[i] = true;
                self.alerts[i].update(
                    found,
                    now,
                    rule.keep_firing_for,
                    thresholds.ack_rearm_factor,
                );
                continue;
            }
            if findings.held.contains(&found.kind) {
                continue;
            }
            let pending = match self.pending.remove(&key) {
                Some(mut p) => {
                    p.update(found, now);
                    p
                }
                None => PendingAlert::new(found, now),
            };
            if now - pending.first_seen < rule.pending {
                self.pending.insert(key.clone(), pending);
                found_pending.push(key);
                continue;
            }
            changes.raised.push(describe(
                pending.severity,
                pending.kind,
                &pending.subject,
                &pending.message,
            ));
            match self.index.get(&key) {
                // Fires again: a new occurrence (the silence, if any, still holds).
                Some(&i) => {
                    alive[i] = true;
                    let silenced_until = self.alerts[i].silenced_until;
                    let silenced_by = self.alerts[i].silenced_by.take();
                    self.alerts[i] = Alert::raise(pending, now);
                    self.alerts[i].silenced_until = silenced_until;
                    self.alerts[i].silenced_by = silenced_by;
                }
                None => added.push(Alert::raise(pending, now)),
            }
        }
        let (kept, lapsed): (HashMap<Key, PendingAlert>, HashMap<Key, PendingAlert>) =
            std::mem::take(&mut self.pending)
                .into_iter()
                .partition(|(key, _)| {
                    found_pending.contains(key) || findings.held.contains(&key.0)
                });
        self.pending = kept;
        for (key, pending) in lapsed {
            self.lapsed.insert(
                key,
                LapsedPending {
                    pending,
                    lapsed_at: now,
                },
            );
        }
        self.lapsed.retain(|(kind, _), lapsed| {
            now - lapsed.lapsed_at < thresholds.rule(*kind).keep_firing_for
        });
        let retention = TimeDelta::minutes(i64::from(thresholds.cleared_retention_min));
        for (alert, alive) in self.alerts.iter_mut().zip(alive) {
            if !alive && alert.is_firing() {
                if findings.held.contains(&alert.kind) {
                    // Stale data: neither raised nor cleared; the clear delay starts when
                    // fresh data comes.
                    alert.last_found = now;
                } else if now - alert.last_found >= thresholds.rule(alert.kind).keep_firing_for {
                    alert.cleared_at = Some(now);
                    changes
                        .cleared
                        .push(format!("{} {}", alert.kind.as_str(), alert.subject));
                }
            }
            if alert.silenced_until.is_some_and(|until| until <= local_now) {
                alert.silenced_until = None;
                alert.silenced_by = None;
            }
        }
        self.alerts
            .retain(|a| a.cleared_at.is_none_or(|at| now - at < retention));
        self.alerts.extend(added);
        self.reindex();
        changes
    }

    fn reindex(&mut self) {
        self.alerts.sort_by(|a, b| {
            (
                a.cleared_at.is_some(),
                a.severity,
                a.since,
                a.kind,
                &a.subject,
            )
                .cmp(&(
                    b.cleared_at.is_some(),
                    b.severity,
                    b.since,
                    b.kind,
                    &b.subject,
                ))
        });
        self.index.clear();
        for (i, alert) in self.alerts.iter().enumerate() {
            self.index.insert((alert.kind, alert.subject.clone()), i);
        }
    }

    fn find_mut(&mut self, kind: AlertKind, subject: &str) -> Option<&mut Alert> {
        let &i = self.index.get(&(kind, subject.to_owned()))?;
        self.alerts.get_mut(i)
    }

    /// Marks an alert as seen at its current severity and figure; `false` when there is no
    /// such alert.
    pub fn acknowledge(&mut self, kind: AlertKind, subject: &str) -> bool {
        self.find_mut(kind, subject)
            .map(|a| {
                a.acknowledged = true;
                a.acked = Some((a.severity, a.figure));
                a.rearmed_from = None;
            })
            .is_some()
    }

    /// [`Self::acknowledge`], recording who did it and when (local time).
    pub fn acknowledge_by(
        &mut self,
        kind: AlertKind,
        subject: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> bool {
        let known = self.acknowledge(kind, subject);
        if let Some(alert) = self.find_mut(kind, subject) {
            alert.acknowledged_by = Some(Mark::new(by, at));
        }
        known
    }

    /// [`Self::silence`], recording who did it and when (local time); silencing until `at`
    /// (or earlier) ends the silence and forgets who set it.
    pub fn silence_by(
        &mut self,
        kind: AlertKind,
        subject: &str,
        until: DateTime<Utc>,
        by: &str,
        at: DateTime<Utc>,
    ) -> bool {
        let known = self.silence(kind, subject, until);
        if let Some(alert) = self.find_mut(kind, subject) {
            alert.silenced_by = (until > at).then(|| Mark::new(by, at));
        }
        known
    }

    /// Silences an alert until `until` (local time); `false` when there is no such alert.
    pub fn silence(&mut self, kind: AlertKind, subject: &str, until: DateTime<Utc>) -> bool {
        self.find_mut(kind, subject)
            .map(|a| a.silenced_until = Some(until))
            .is_some()
    }

    /// One alert, firing or recently cleared.
    #[must_use]
    pub fn get(&self, kind: AlertKind, subject: &str) -> Option<&Alert> {
        let &i = self.index.get(&(kind, subject.to_owned()))?;
        self.alerts.get(i)
    }

    /// Firing alerts (silenced ones included), critical first, then oldest first.
    pub fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().take_while(|a| a.is_firing())
    }

    /// Conditions that hold but wait out their pending time, critical first, then oldest.
    #[must_use]
    pub fn pending(&self) -> Vec<&PendingAlert> {
        let mut pending: Vec<&PendingAlert> = self.pending.values().collect();
        pending.sort_by(|a, b| {
            (a.severity, a.since, a.kind, &a.subject)
                .cmp(&(b.severity, b.since, b.kind, &b.subject))
        });
        pending
    }

    /// Conditions that were pending and are no longer found, within their kind's clear
    /// delay, in the order of [`Self::pending`] (critical first, then oldest), so their rows
    /// keep their places.
    #[must_use]
    pub fn lapsed(&self) -> Vec<&LapsedPending> {
        let mut lapsed: Vec<&LapsedPending> = self.lapsed.values().collect();
        lapsed.sort_by(|a, b| {
            let (a, b) = (&a.pending, &b.pending);
            (a.severity, a.since, a.kind, &a.subject)
                .cmp(&(b.severity, b.since, b.kind, &b.subject))
        });
        lapsed
    }

    /// Alerts cleared within the retention, critical first, then oldest first.
    pub fn recently_cleared(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().skip_while(|a| a.is_firing())
    }

    /// Firing alerts per severity at `local_now`, silenced ones left out.
    #[must_use]
    pub fn counts(&self, local_now: DateTime<Utc>) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for alert in self.firing().filter(|a| !a.is_silenced(local_now)) {
            match alert.severity {
                Severity::Critical => counts.critical += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        counts
    }
}
