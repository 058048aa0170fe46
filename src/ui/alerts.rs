//! The Alerts panel: firing alerts by severity then age, with kind, subject, message and since;
//! acknowledged and silenced ones marked; recently cleared ones listed dimmed for a while.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::alerts::is_alert_key;
use crate::app::rows;
use crate::app::state::{Focus, View};
use crate::model::alerts::{Alert, Severity};

use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// Draws the panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let focused = state.view() == View::Overview && state.focus() == Focus::Alerts;
    let title = if state.filters().alerts.is_empty() {
        "Alerts".to_owned()
    } else {
        format!("Alerts — filter: {}", state.filters().alerts.text())
    };
    let block = panel::block(&title, None, state, theme, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let alerts = rows::alerts(state);
    if alerts.is_empty() {
        frame.render_widget(
            Paragraph::new("no alerts").style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let selected = rows::selected_position(&alerts, state.selection().alert.as_ref(), |a, key| {
        is_alert_key(key, a)
    });
    // Narrow: the message names its subject already, so the subject column goes.
    let with_subject = inner.width >= 100;
    let mut titles = vec!["Sev", "Kind", "Subject", "Since", "Flags", "Message"];
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Length(19),
        Constraint::Length(11),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    if !with_subject {
        titles.remove(2);
        widths.remove(2);
    }
    let header = Row::new(titles).style(theme.title());
    // One header row; only the rows that fit are built.
    let window = panel::table_window(alerts.len(), selected, inner.height.saturating_sub(1));
    let selected = selected.map(|s| s.saturating_sub(window.start));
    let table_rows: Vec<Row<'_>> = alerts[window]
        .iter()
        .map(|a| {
            alert_row(
                a,
                theme,
                now,
                state.live_board().server_now(now),
                with_subject,
                state.session().shared(),
            )
        })
        .collect();
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.row_highlight(focused));
    let mut table_state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, inner, &mut table_state);
}

/// `now` is local (silences are set on the local clock); `server_now` is the book's clock.
/// `ack by maya 2m ago, silenced by ravi 1m ago`: who acknowledged or silenced an alert (local
/// times), `None` when nobody is recorded.
#[must_use]
pub fn marks(alert: &Alert, now: DateTime<Utc>) -> Option<String> {
    let mut words = Vec::new();
    if let Some(mark) = alert
        .acknowledged_by
        .as_ref()
        .filter(|_| alert.acknowledged)
    {
        words.push(format!(
            "ack by {} {} ago",
            mark.by,
            text::coarse_age(now - mark.at)
        ));
    }
    if let Some(mark) = alert
        .silenced_by
        .as_ref()
        .filter(|_| alert.is_silenced(now))
    {
        words.push(format!(
            "silenced by {} {} ago",
            mark.by,
            text::coarse_age(now - mark.at)
        ));
    }
    (!words.is_empty()).then(|| words.join(", "))
}

fn alert_row<'a>(
    alert: &Alert,
    theme: &Theme,
    now: DateTime<Utc>,
    server_now: DateTime<Utc>,
    with_subject: bool,
    shared: bool,
) -> Row<'a> {
    let (severity, tone) = match alert.severity {
        Severity::Critical => ("CRIT", Tone::Critical),
        Severity::Warning => ("WARN", Tone::Warn),
        Severity::Info => ("info", Tone::Normal),
    };
    let mut flags = Vec::new();
    if alert.acknowledged {
        flags.push("ack".to_owned());
    }
    if let Some(until) = alert.silenced_until.filter(|_| alert.is_silenced(now)) {
        flags.push(format!("sil{}", text::coarse_age(until - now)));
    }
    let (since, row_tone) = match alert.cleared_at {
        Some(cleared) => {
            flags.insert(0, "cleared".to_owned());
            (text::coarse_age(server_now - cleared), Some(Tone::Dim))
        }
        None => (text::coarse_age(server_now - alert.since), None),
    };
    let severity_style = match row_tone {
        Some(dim) => theme.tone(dim),
        None => theme.tone(tone),
    };
    let mut cells = vec![
        Cell::from(severity).style(severity_style),
        Cell::from(alert.kind.as_str().to_owned()),
        Cell::from(alert.subject.clone()),
        Cell::from(since),
        Cell::from(flags.join(",")),
        Cell::from(match marks(alert, now).filter(|_| shared) {
            // A shared room says who: everyone sees `ack by maya 2m ago`.
            Some(marks) => format!("{marks} · {}", alert.message),
            None => alert.message.clone(),
        }),
    ];
    if !with_subject {
        cells.remove(2);
    }
    let row = Row::new(cells);
    match row_tone {
        Some(dim) => row.style(theme.tone(dim)),
        None if alert.acknowledged || alert.is_silenced(now) => row.style(theme.tone(Tone::Dim)),
        None => row,
    }
}
