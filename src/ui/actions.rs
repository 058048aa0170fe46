//! The Actions view: every control action of this session with its state (pending, applied,
//! refused with the server's code in words, unknown: check the drop), attempts and latency.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::ledger::ActionStatus;
use crate::app::rows;

use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// Draws the view into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let title = if state.filters().actions.is_empty() {
        "Control actions (newest first)".to_owned()
    } else {
        format!(
            "Control actions — filter: {}",
            state.filters().actions.text()
        )
    };
    let block = panel::block(&title, None, state, theme, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let entries = rows::actions(state);
    if entries.is_empty() {
        frame.render_widget(
            Paragraph::new("no control action sent in this session").style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let keys: Vec<u64> = entries.iter().map(|e| e.request.action_id).collect();
    let selected = rows::selected_index(&keys, state.selection().action.as_ref());
    // A shared room says who sent each action; in a room of one it is always you.
    let shared = state.session().shared();
    let mut titles = vec![
        "#", "At", "Drop", "Action", "Tries", "Latency", "Key", "State",
    ];
    if shared {
        titles.insert(7, "By");
    }
    let header = Row::new(titles).style(theme.title());
    let none = theme.none();
    let table_rows: Vec<Row<'_>> = entries
        .iter()
        .map(|e| {
            let tone = match e.status {
                ActionStatus::Pending => Tone::Warn,
                ActionStatus::Applied => Tone::Good,
                ActionStatus::Refused { .. } => Tone::Bad,
                ActionStatus::Unknown { .. } => Tone::Critical,
            };
            let latency = match (e.latency(), &e.status) {
                (Some(latency), _) => format!("{}ms", latency.num_milliseconds()),
                (None, ActionStatus::Pending) => format!("{}…", text::age(now - e.confirmed_at)),
                (None, _) => none.to_owned(),
            };
            let key: String = e.request.idempotency_key.chars().take(8).collect();
            let mut cells = vec![
                Cell::from(e.request.action_id.to_string()),
                Cell::from(text::clock(e.confirmed_at)),
                Cell::from(e.request.drop_id.clone()),
                Cell::from(e.describe_action()),
                Cell::from(e.attempts.to_string()),
                Cell::from(latency),
                Cell::from(key),
                Cell::from(e.status.describe()).style(theme.tone(tone)),
            ];
            if shared {
                cells.insert(7, Cell::from(e.operator.display_name().to_owned()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(3),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(8),
        // The key prefix helps matching the audit log; on a narrow screen the state matters more
        // (the details overlay shows the whole key).
        Constraint::Length(if inner.width >= 100 { 8 } else { 0 }),
        Constraint::Fill(1),
    ];
    if shared {
        widths.insert(7, Constraint::Length(10));
    }
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, inner, &mut table_state);
}
