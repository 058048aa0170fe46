//! Rules `terminal_offline`, `pickups_overdue`.

use crate::model::format::utc_hhmm;
use crate::model::views::PopupSummary;

use super::super::finding::Findings;
use super::super::kind::AlertKind;
use super::plural;

pub(super) fn rules(popup: &PopupSummary<'_>, out: &mut Findings) {
    let p = popup.popup;
    if popup.is_open {
        let offline: Vec<_> = popup.offline().collect();
        if !offline.is_empty() {
            let names: Vec<String> = offline
                .iter()
                .map(|term| {
                    format!(
                        "{} ({}) since {}",
                        term.id,
                        term.name,
                        utc_hhmm(term.last_seen)
                    )
                })
                .collect();
            let found = out.push(
                AlertKind::TerminalOffline,
                &p.id,
                AlertKind::TerminalOffline.severity(),
                format!(
                    "{}: {} of {} terminals offline: {}",
                    p.id,
                    offline.len(),
                    popup.terminals_total,
                    names.join(", "),
                ),
            );
            // Down since the first of them was last seen.
            found.began = offline.iter().map(|term| term.last_seen).min();
            let count = offline.len() as f64;
            found.figure = Some(count);
        }
    }
    if p.pickups.overdue > 0 {
        let found = out.push(
            AlertKind::PickupsOverdue,
            &p.id,
            AlertKind::PickupsOverdue.severity(),
            format!(
                "{}: {} pick-up{} overdue ({} ready)",
                p.id,
                p.pickups.overdue,
                plural(p.pickups.overdue),
                p.pickups.ready,
            ),
        );
        let overdue = p.pickups.overdue as f64;
        found.figure = Some(overdue);
    }
}
