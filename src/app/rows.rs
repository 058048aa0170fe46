//! The rows of each table as shown: filtered, in display order, each with the key its selection
//! is kept by. `update` moves selections over these lists and `ui` draws them, so what is
//! highlighted is always what `p` or `a` acts on.

use crate::feed::wire::{Drop, OverdueOrder, Popup};
use crate::model::alerts::Alert;

use super::ledger::ActionEntry;
use super::state::State;

/// Drops of the shown board that pass the Overview filter, in document order.
#[must_use]
pub fn drops(state: &State) -> Vec<&Drop> {
    let filter = &state.filters.drops;
    state
        .shown_board()
        .drops()
        .iter()
        .filter(|d| {
            filter.matches(&[
                ("drop", &d.id),
                ("title", d.title.as_deref().unwrap_or("")),
                ("state", d.state.as_str()),
                ("sku", d.sku.as_deref().unwrap_or("")),
            ])
        })
        .collect()
}

/// The key of a triage row: orders are unique per hub only.
#[must_use]
pub fn overdue_key(hub_id: &str, order: &OverdueOrder) -> String {
    format!("{hub_id}/{}", order.order_id)
}

/// Overdue orders of every hub that pass the triage filter, most overdue first.
#[must_use]
pub fn overdue(state: &State) -> Vec<(&str, &OverdueOrder)> {
    let filter = &state.filters.overdue;
    state
        .shown_board()
        .overdue_orders()
        .filter(|(hub, o)| {
            filter.matches(&[
                ("hub", hub),
                ("drop", &o.drop_id),
                ("stage", o.stage.as_str()),
                ("reason", &o.reason),
                ("order", &o.order_id),
            ])
        })
        .collect()
}

/// Pop-ups that pass the Pop-ups filter, in document order.
#[must_use]
pub fn popups(state: &State) -> Vec<&Popup> {
    let filter = &state.filters.popups;
    state
        .shown_board()
        .popups()
        .iter()
        .filter(|p| filter.matches(&[("popup", &p.id), ("name", &p.name)]))
        .collect()
}

/// Control actions that pass the Actions filter, newest first.
#[must_use]
pub fn actions(state: &State) -> Vec<&ActionEntry> {
    let filter = &state.filters.actions;
    state
        .ledger
        .entries()
        .iter()
        .rev()
        .filter(|e| {
            let status = e.status.describe();
            let action = e.describe_action();
            filter.matches(&[
                ("drop", &e.request.drop_id),
                ("action", &action),
                ("status", &status),
            ])
        })
        .collect()
}

/// Alerts that pass the alerts filter: firing ones (critical first, then oldest first), then
/// those cleared recently.
#[must_use]
pub fn alerts(state: &State) -> Vec<&Alert> {
    let filter = &state.filters.alerts;
    state
        .alerts
        .firing()
        .chain(state.alerts.recently_cleared())
        .filter(|a| {
            filter.matches(&[
                ("severity", a.severity.as_str()),
                ("kind", a.kind.as_str()),
                ("subject", &a.subject),
                ("message", &a.message),
            ])
        })
        .collect()
}

/// Index of the selected key in `keys`; the first row when nothing (or a vanished row) is
/// selected. `None` for an empty table.
#[must_use]
pub fn selected_index<K: PartialEq>(keys: &[K], selected: Option<&K>) -> Option<usize> {
    if keys.is_empty() {
        return None;
    }
    Some(
        selected
            .and_then(|s| keys.iter().position(|k| k == s))
            .unwrap_or(0),
    )
}

/// The key `delta` rows away from the selection, clamped to the table.
#[must_use]
pub fn moved<K: PartialEq + Clone>(keys: &[K], selected: Option<&K>, delta: isize) -> Option<K> {
    let index = selected_index(keys, selected)?;
    let last = keys.len() - 1;
    let target = index.saturating_add_signed(delta).min(last);
    keys.get(target).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_moves_within_bounds() {
        let keys = vec!["a", "b", "c"];
        assert_eq!(selected_index(&keys, None), Some(0));
        assert_eq!(selected_index(&keys, Some(&"gone")), Some(0));
        assert_eq!(moved(&keys, Some(&"a"), 1), Some("b"));
        assert_eq!(moved(&keys, Some(&"c"), 1), Some("c"));
        assert_eq!(moved(&keys, Some(&"a"), -1), Some("a"));
        assert_eq!(moved::<&str>(&[], None, 1), None);
    }
}
