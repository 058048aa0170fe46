//! The rows of each table as shown: filtered, in display order, each with the key its selection
//! is kept by. `update` moves selections over these lists and `ui` draws them, so what is
//! highlighted is always what `p` or `a` acts on.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::feed::wire::{Drop, OverdueOrder, Popup};
use crate::model::alerts::Alert;
use crate::model::board::Board;

use super::filter::Filter;

use super::board::SharedBoard;
use super::ledger::ActionEntry;
use super::session::Session;
use super::state::State;

/// The columns a filter may name in each table (a prefix is enough: `r:` for `reason`).
pub mod columns {
    /// The Overview's drops.
    pub const DROPS: &[&str] = &["drop", "title", "state", "sku"];
    /// The triage table of overdue orders.
    pub const OVERDUE: &[&str] = &["hub", "drop", "stage", "reason", "order"];
    /// The Pop-ups table.
    pub const POPUPS: &[&str] = &["popup", "name"];
    /// The Actions ledger.
    pub const ACTIONS: &[&str] = &["drop", "action", "status"];
    /// The alerts table.
    pub const ALERTS: &[&str] = &["severity", "kind", "subject", "message"];
}

/// How the triage table is sorted (`o` cycles, `:sort age|hub|stage|reason`). Ties keep the
/// most overdue first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TriageSort {
    /// Most overdue first (the default).
    #[default]
    Age,
    /// By hub id.
    Hub,
    /// By fulfilment stage.
    Stage,
    /// By the reason the order is held.
    Reason,
}

impl TriageSort {
    /// Every sort, in the order the key cycles through them.
    pub const ALL: [TriageSort; 4] = [
        TriageSort::Age,
        TriageSort::Hub,
        TriageSort::Stage,
        TriageSort::Reason,
    ];

    /// Its name in `:sort` and on screen.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            TriageSort::Age => "age",
            TriageSort::Hub => "hub",
            TriageSort::Stage => "stage",
            TriageSort::Reason => "reason",
        }
    }

    /// The sort a `:sort` word names (a prefix is enough), any case.
    #[must_use]
    pub fn parse(word: &str) -> Option<TriageSort> {
        let word = word.trim().to_ascii_lowercase();
        if word.is_empty() {
            return None;
        }
        TriageSort::ALL
            .into_iter()
            .find(|s| s.name().starts_with(&word) || (word == "overdue" && *s == TriageSort::Age))
    }

    /// The next sort of the cycle.
    #[must_use]
    pub fn next(self) -> TriageSort {
        let at = TriageSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        TriageSort::ALL[(at + 1) % TriageSort::ALL.len()]
    }
}

/// Drops of the shown board that pass the Overview filter, in document order.
#[must_use]
pub fn drops<'a>(state: &State<'a>) -> Vec<&'a Drop> {
    let filter = &state.filters().drops;
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

/// Whether `key` is [`overdue_key`] of this row, without building the key.
fn is_overdue_key(key: &str, hub_id: &str, order: &OverdueOrder) -> bool {
    key.len() == hub_id.len() + 1 + order.order_id.len()
        && key.starts_with(hub_id)
        && key[hub_id.len()..].starts_with('/')
        && key.ends_with(order.order_id.as_str())
}

fn overdue_passes(filter: &Filter, hub: &str, o: &OverdueOrder) -> bool {
    filter.matches(&[
        ("hub", hub),
        ("drop", &o.drop_id),
        ("stage", o.stage.as_str()),
        ("reason", &o.reason),
        ("order", &o.order_id),
    ])
}

/// Overdue orders of every hub that pass the triage filter, most overdue first.
///
/// This copies every row; the screen and the keys use [`triage`], which reads only the rows
/// they need.
#[must_use]
pub fn overdue<'a>(state: &State<'a>) -> Vec<(&'a str, &'a OverdueOrder)> {
    triage(state).iter().collect()
}

/// The triage table worked out for one overdue list (a [`Board::overdue_generation`]), one
/// filter and one selection: which rows pass, the counts by reason over them, and where the
/// selection is. The list can be tens of thousands of orders long, so `update` keeps one in
/// the state ([`refresh`]) and a frame reads only the rows it draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriageRows {
    generation: u64,
    filter: String,
    sort: TriageSort,
    /// Positions in the board's overdue order of the rows that pass the filter; `None` when
    /// there is no filter (every row passes).
    positions: Option<Vec<u32>>,
    len: usize,
    /// Rows per reason, by reason.
    reasons: Vec<(String, usize)>,
    selection: Option<String>,
    /// Row of `selection`; the first row when it is not in the table.
    selected: Option<usize>,
}

impl TriageRows {
    /// Works the table out from scratch: one pass over the list.
    #[must_use]
    pub fn compute(
        board: &Board,
        filter: &Filter,
        sort: TriageSort,
        selection: Option<&String>,
    ) -> Self {
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        let (positions, len) = if filter.is_empty() && sort == TriageSort::Age {
            // Counts do not depend on the order: read the orders where they lie.
            for (_, o) in board.overdue_orders_unsorted() {
                *reasons.entry(o.reason.as_str()).or_default() += 1;
            }
            (None, board.overdue_len())
        } else {
            let mut positions = Vec::new();
            for (i, (hub, o)) in board.overdue_orders().enumerate() {
                if overdue_passes(filter, hub, o) {
                    *reasons.entry(o.reason.as_str()).or_default() += 1;
                    positions.push(u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
            if sort != TriageSort::Age {
                // Stable: within a hub, stage or reason the most overdue stay first.
                positions.sort_by_cached_key(|&i| {
                    board
                        .overdue_order(i as usize)
                        .map(|(hub, o)| match sort {
                            TriageSort::Hub => hub.to_owned(),
                            TriageSort::Stage => o.stage.as_str().to_owned(),
                            TriageSort::Reason => o.reason.clone(),
                            TriageSort::Age => String::new(),
                        })
                        .unwrap_or_default()
                });
            }
            let len = positions.len();
            (Some(positions), len)
        };
        let mut rows = Self {
            generation: board.overdue_generation(),
            filter: filter.text().to_owned(),
            sort,
            positions,
            len,
            reasons: reasons
                .into_iter()
                .map(|(reason, n)| (reason.to_owned(), n))
                .collect(),
            selection: None,
            selected: None,
        };
        rows.select(board, selection);
        rows
    }

    /// Finds `selection` among the rows (one pass, nothing allocated per row).
    fn select(&mut self, board: &Board, selection: Option<&String>) {
        self.selection = selection.cloned();
        self.selected = if self.len == 0 {
            None
        } else {
            let found = selection.and_then(|key| {
                (0..self.len).find(|&i| {
                    self.get(board, i)
                        .is_some_and(|(hub, o)| is_overdue_key(key, hub, o))
                })
            });
            Some(found.unwrap_or(0))
        };
    }

    /// Whether this was worked out for `board`'s list and `filter`.
    fn rows_fresh(&self, board: &Board, filter: &Filter, sort: TriageSort) -> bool {
        self.generation == board.overdue_generation()
            && self.filter == filter.text()
            && self.sort == sort
    }

    /// Whether this is the table of `board`, `filter`, `sort` and `selection`.
    #[must_use]
    pub fn is_fresh(
        &self,
        board: &Board,
        filter: &Filter,
        sort: TriageSort,
        selection: Option<&String>,
    ) -> bool {
        self.rows_fresh(board, filter, sort) && self.selection.as_ref() == selection
    }

    /// How the rows are sorted.
    #[must_use]
    pub fn sort(&self) -> TriageSort {
        self.sort
    }

    /// The `index`-th row of the table on `board`.
    fn get<'b>(&self, board: &'b Board, index: usize) -> Option<(&'b str, &'b OverdueOrder)> {
        match &self.positions {
            None => board.overdue_order(index),
            Some(positions) => board.overdue_order(*positions.get(index)? as usize),
        }
    }
}

/// Brings the session's [`TriageRows`] up to date after an event: nothing to do when neither
/// the list, the filter nor the selection changed; only the selection is looked up again when
/// only it changed.
pub(in crate::app) fn refresh(board: &SharedBoard, session: &mut Session) {
    let state = State::new(board, session);
    let shown = state.shown_board();
    let filter = &session.filters.overdue;
    let sort = session.triage_sort;
    let selection = session.selection.overdue.as_ref();
    let cache = &session.triage;
    if cache.is_fresh(shown, filter, sort, selection) {
        return;
    }
    if cache.rows_fresh(shown, filter, sort) {
        let mut rows = std::mem::take(&mut session.triage);
        rows.select(
            State::new(board, session).shown_board(),
            session.selection.overdue.as_ref(),
        );
        session.triage = rows;
        return;
    }
    session.triage = TriageRows::compute(shown, filter, sort, selection);
}

/// The triage table as shown: its rows are read one at a time, in display order.
#[derive(Debug, Clone)]
pub struct Triage<'a> {
    board: &'a Board,
    rows: Cow<'a, TriageRows>,
}

impl<'a> Triage<'a> {
    /// Rows that pass the filter.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len
    }

    /// Whether no row passes the filter.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.len == 0
    }

    /// The `index`-th row.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<(&'a str, &'a OverdueOrder)> {
        self.rows.get(self.board, index)
    }

    /// Every row, in display order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a OverdueOrder)> + '_ {
        (0..self.rows.len).filter_map(|i| self.get(i))
    }

    /// The highlighted row, as [`selected_index`] would find it; `None` for an empty table.
    #[must_use]
    pub fn selected(&self) -> Option<usize> {
        self.rows.selected
    }

    /// The key `delta` rows away from the selection, clamped to the table (as [`moved`]).
    #[must_use]
    pub fn moved(&self, delta: isize) -> Option<String> {
        let index = self.selected()?;
        let target = index.saturating_add_signed(delta).min(self.len() - 1);
        self.get(target).map(|(hub, o)| overdue_key(hub, o))
    }

    /// Shown rows per reason, by reason.
    #[must_use]
    pub fn reasons(&self) -> &[(String, usize)] {
        &self.rows.reasons
    }

    /// How the rows are sorted.
    #[must_use]
    pub fn sort(&self) -> TriageSort {
        self.rows.sort
    }
}

/// The triage table of the shown board: the session's [`TriageRows`] when `update` brought them
/// up to date, else worked out now (another session's event changed the shared board).
#[must_use]
pub fn triage<'a>(state: &State<'a>) -> Triage<'a> {
    let board = state.shown_board();
    let filter = &state.filters().overdue;
    let sort = state.session().triage_sort();
    let selection = state.selection().overdue.as_ref();
    let cached = &state.session().triage;
    let rows = if cached.is_fresh(board, filter, sort, selection) {
        Cow::Borrowed(cached)
    } else {
        Cow::Owned(TriageRows::compute(board, filter, sort, selection))
    };
    Triage { board, rows }
}

/// Pop-ups that pass the Pop-ups filter, in document order.
#[must_use]
pub fn popups<'a>(state: &State<'a>) -> Vec<&'a Popup> {
    let filter = &state.filters().popups;
    state
        .shown_board()
        .popups()
        .iter()
        .filter(|p| filter.matches(&[("popup", &p.id), ("name", &p.name)]))
        .collect()
}

/// Control actions that pass the Actions filter, newest first.
#[must_use]
pub fn actions<'a>(state: &State<'a>) -> Vec<&'a ActionEntry> {
    let filter = &state.filters().actions;
    state
        .ledger()
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
pub fn alerts<'a>(state: &State<'a>) -> Vec<&'a Alert> {
    let filter = &state.filters().alerts;
    let book = state.alerts();
    book.firing()
        .chain(book.recently_cleared())
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

/// Like [`selected_index`] over the rows' keys, without building them: the first row for
/// which `is` says it has the selected key, else the first row; `None` for an empty table.
#[must_use]
pub fn selected_position<T, K>(
    rows: &[T],
    selected: Option<&K>,
    is: impl Fn(&T, &K) -> bool,
) -> Option<usize> {
    if rows.is_empty() {
        return None;
    }
    Some(
        selected
            .and_then(|key| rows.iter().position(|row| is(row, key)))
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
