//! Which notifications a sink gets: its severities and kinds, the room's silences, and the
//! alerts it was told are firing (it hears of a clear only if it heard of the alert).

use std::collections::HashSet;

use super::alert_id::AlertId;
use super::settings::{SinkKind, SinkSettings};
use super::transition::{Change, Notification};

/// One sink's view of the alerts it was told about. Lives with the producer, so deciding
/// never waits for the sink.
#[derive(Debug, Default, Clone)]
pub struct SinkPolicy {
    /// Alerts this sink was told are firing and not yet told are resolved.
    open: HashSet<AlertId>,
}

impl SinkPolicy {
    /// What `sink` should be sent for `note`, if anything: the notification itself, or a
    /// `Resolved` for an alert that fell below the sink's `min_severity`.
    pub fn plan(&mut self, sink: &SinkSettings, note: &Notification) -> Option<Notification> {
        let id = &note.alert.id;
        let open = self.open.contains(id);
        let wanted = sink.wants(note.alert.kind, note.alert.severity);
        // Alertmanager applies silences itself (the room's become its own): it keeps every
        // alert it knows current. The others send nothing new for a silenced alert.
        let muted = note.silenced && sink.kind != SinkKind::Alertmanager;
        match &note.change {
            Change::Firing | Change::SeverityChanged { .. } | Change::Refresh => {
                if !wanted {
                    return open.then(|| {
                        self.open.remove(id);
                        Notification {
                            change: Change::Resolved,
                            ..note.clone()
                        }
                    });
                }
                if open {
                    // An alert already delivered keeps being refreshed, silenced or not, so
                    // Alertmanager never resolves it falsely.
                    return Some(note.clone());
                }
                if muted {
                    return None;
                }
                self.open.insert(id.clone());
                Some(Notification {
                    // The sink first hears of it now: for the sink it starts firing.
                    change: Change::Firing,
                    ..note.clone()
                })
            }
            Change::Acknowledged { .. } | Change::Silenced { .. } => open.then(|| note.clone()),
            Change::Resolved => self.open.remove(id).then(|| note.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::Severity;
    use crate::notify::outgoing::fixture::{at, overdue};

    fn words(plans: &[Option<Notification>]) -> Vec<Option<&'static str>> {
        plans
            .iter()
            .map(|p| p.as_ref().map(|n| n.change.word()))
            .collect()
    }

    #[test]
    fn a_clear_goes_only_where_the_alert_went() {
        let sink = SinkSettings::new(SinkKind::Pagerduty, "pd", "http://127.0.0.1:1");
        let mut policy = SinkPolicy::default();
        let mut info = overdue(Change::Firing);
        info.alert.severity = Severity::Info;
        let mut warning = overdue(Change::SeverityChanged {
            from: Severity::Info,
        });
        warning.alert.severity = Severity::Warning;
        let mut back_to_info = overdue(Change::SeverityChanged {
            from: Severity::Warning,
        });
        back_to_info.alert.severity = Severity::Info;
        let plans: Vec<Option<Notification>> = [
            info,
            overdue(Change::Resolved),
            warning,
            overdue(Change::Acknowledged { by: None }),
            back_to_info,
            overdue(Change::Resolved),
        ]
        .iter()
        .map(|n| policy.plan(&sink, n))
        .collect();
        assert_eq!(
            words(&plans),
            [
                None,
                None,
                Some("firing"),
                Some("acknowledged"),
                Some("resolved"),
                None
            ]
        );
    }

    #[test]
    fn a_silenced_alert_is_news_only_to_alertmanager_but_delivered_ones_are_kept_current() {
        let pagerduty = SinkSettings::new(SinkKind::Pagerduty, "pd", "http://127.0.0.1:1");
        let alertmanager = SinkSettings::new(SinkKind::Alertmanager, "am", "http://127.0.0.1:1");
        let mut silenced = overdue(Change::Firing);
        silenced.silenced = true;
        let (mut pd, mut am) = (SinkPolicy::default(), SinkPolicy::default());
        assert!(pd.plan(&pagerduty, &silenced).is_none());
        assert!(am.plan(&alertmanager, &silenced).is_some());

        // Delivered before the silence: refreshed and resolved as usual.
        let mut pd = SinkPolicy::default();
        assert!(pd.plan(&pagerduty, &overdue(Change::Firing)).is_some());
        let mut silence = overdue(Change::Silenced {
            until: at("2026-11-27T19:00:00Z"),
            by: None,
        });
        silence.silenced = true;
        assert!(pd.plan(&pagerduty, &silence).is_some());
        let mut refresh = overdue(Change::Refresh);
        refresh.silenced = true;
        assert!(pd.plan(&pagerduty, &refresh).is_some());
        assert!(pd.plan(&pagerduty, &overdue(Change::Resolved)).is_some());
    }
}
