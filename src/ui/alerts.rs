//! The Alerts panel: firing alerts by severity then age, with kind, subject, message and since;
//! acknowledged and silenced ones marked; conditions still waiting out their pending time shown
//! as pending, and listed dimmed as lapsed for their clear delay once no longer found (so a
//! condition that flaps keeps its row instead of moving every panel below); recently cleared
//! ones listed dimmed for a while. Rows that do not fit are counted
//! on a last line, and a message is shortened at a word, never mid-figure.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::app::State;
use crate::app::alerts::is_alert_key;
use crate::app::keymap::Action;
use crate::app::rows;
use crate::app::state::{Focus, View};
use crate::model::alerts::{Alert, LapsedPending, PendingAlert, Severity};

use super::panel;
use super::text;
use super::theme::{Theme, Tone};

/// One row of the panel: a firing or recently cleared alert, or a condition still waiting out
/// its pending time (shown as pending, never as firing) or no longer found (lapsed).
enum Entry<'a> {
    Alert(&'a Alert),
    Pending(&'a PendingAlert),
    Lapsed(&'a LapsedPending),
}

impl Entry<'_> {
    fn severity(&self) -> Severity {
        match self {
            Entry::Alert(a) => a.severity,
            Entry::Pending(p) => p.severity,
            Entry::Lapsed(l) => l.pending.severity,
        }
    }

    fn firing(&self) -> bool {
        matches!(self, Entry::Alert(a) if a.is_firing())
    }

    /// The message column's whole text: a pending condition says how long it has held, and a
    /// shared room says who acknowledged or silenced an alert.
    fn message(&self, c: &RowContext<'_>) -> String {
        let dot = text::dot(c.theme.ascii);
        match self {
            Entry::Pending(p) => format!(
                "pending {} {dot} {}",
                text::coarse_age(c.server_now - p.first_seen.min(c.server_now)),
                p.message
            ),
            Entry::Lapsed(l) => format!(
                "lapsed {} ago {dot} {}",
                text::coarse_age(c.server_now - l.lapsed_at.min(c.server_now)),
                l.pending.message
            ),
            Entry::Alert(a) => match marks(a, c.now).filter(|_| c.shared) {
                // A shared room says who: everyone sees `ack by maya 2m ago`.
                Some(marks) => format!("{marks} {dot} {}", a.message),
                None => a.message.clone(),
            },
        }
    }
}

/// The panel's rows in order: firing alerts (critical first, then oldest), conditions pending,
/// conditions lapsed, then alerts cleared a moment ago; the filter applies to all four.
fn entries<'a>(state: &State<'a>) -> Vec<Entry<'a>> {
    let alerts = rows::alerts(state);
    let filter = &state.filters().alerts;
    let firing = alerts.iter().take_while(|a| a.is_firing()).count();
    let matches = |p: &PendingAlert| {
        filter.matches(&[
            ("severity", p.severity.as_str()),
            ("kind", p.kind.as_str()),
            ("subject", &p.subject),
            ("message", &p.message),
        ])
    };
    let book = state.alerts();
    let mut out: Vec<Entry<'a>> = alerts[..firing].iter().map(|a| Entry::Alert(a)).collect();
    out.extend(
        book.pending()
            .into_iter()
            .filter(|p| matches(p))
            .map(Entry::Pending),
    );
    out.extend(
        book.lapsed()
            .into_iter()
            .filter(|l| matches(&l.pending))
            .map(Entry::Lapsed),
    );
    out.extend(alerts[firing..].iter().map(|a| Entry::Alert(a)));
    out
}

/// Rows the panel wants: a row per entry under its header, in its borders.
#[must_use]
pub fn wanted_height(state: &State) -> u16 {
    let rows = u16::try_from(entries(state).len().max(1)).unwrap_or(u16::MAX);
    rows.saturating_add(3)
}

/// Rows the panel needs so that every firing critical alert has its row (or, with a `+N more`
/// line, at least the first of them): a floor for the Overview's layout.
#[must_use]
pub fn critical_height(state: &State, now: DateTime<Utc>) -> u16 {
    let entries = entries(state);
    let critical = entries
        .iter()
        .filter(|e| {
            e.firing()
                && e.severity() == Severity::Critical
                && matches!(e, Entry::Alert(a) if !a.is_silenced(now))
        })
        .count();
    let more = usize::from(critical < entries.len());
    u16::try_from(critical.max(1) + more)
        .unwrap_or(u16::MAX)
        .saturating_add(3)
}

/// Lines a message may take when the panel has rows to spare: a row that would end in `…`
/// wraps instead, at words. Six: at 120×40 launch's capacity alert needs four in the 42
/// columns of the message, and with three it ended `about 750…` (its cost dropped) over 17
/// blank rows.
const MESSAGE_LINES: usize = 6;

/// Rows the panel would use if every message had the lines it needs (up to six each) in a
/// panel whose rows are `inner` columns wide (counting its header and borders, as
/// [`wanted_height`] does): what the layout gives it from rows no other panel wants, so spare
/// rows carry the messages' ends instead of staying blank.
#[must_use]
pub fn wrapped_height(state: &State, theme: &Theme, inner: u16, now: DateTime<Utc>) -> u16 {
    let columns = Columns::for_width(inner);
    let context = RowContext::new(state, theme, &columns, inner, now);
    let lines: usize = entries(state)
        .iter()
        .map(|e| message_lines(&e.message(&context), context.message_width))
        .sum();
    u16::try_from(lines.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3)
}

/// Lines `message` takes wrapped at words in `width` columns, at most [`MESSAGE_LINES`].
fn message_lines(message: &str, width: usize) -> usize {
    text::wrap_words(message, width, MESSAGE_LINES, "…")
        .len()
        .max(1)
}

/// Lines for each of the panel's rows when `rows_height` lines are free under the header and
/// every row fits: one each, then the spare lines to the messages that need them, most urgent
/// row first.
fn row_lines(needs: &[usize], rows_height: u16) -> Vec<usize> {
    let mut spare = usize::from(rows_height).saturating_sub(needs.len());
    needs
        .iter()
        .map(|&need| {
            let more = need.saturating_sub(1).min(spare);
            spare -= more;
            1 + more
        })
        .collect()
}

/// Which columns the panel has room for, most telling first: the message (it names its
/// subject), severity and age always; the kind, the flags and the subject as width allows.
struct Columns {
    kind: bool,
    subject: bool,
}

impl Columns {
    fn for_width(width: u16) -> Self {
        Columns {
            kind: width >= 90,
            subject: width >= 110,
        }
    }

    const SEV: u16 = 4;
    const KIND: u16 = 19;
    const SUBJECT: u16 = 11;
    const SINCE: u16 = 6;
    const FLAGS: u16 = 9;

    fn widths(&self) -> Vec<Constraint> {
        let mut widths = vec![Constraint::Length(Self::SEV)];
        if self.kind {
            widths.push(Constraint::Length(Self::KIND));
        }
        if self.subject {
            widths.push(Constraint::Length(Self::SUBJECT));
        }
        widths.extend([
            Constraint::Length(Self::SINCE),
            Constraint::Length(Self::FLAGS),
            Constraint::Fill(1),
        ]);
        widths
    }

    fn titles(&self) -> Vec<&'static str> {
        let mut titles = vec!["Sev"];
        if self.kind {
            titles.push("Kind");
        }
        if self.subject {
            titles.push("Subject");
        }
        titles.extend(["Since", "Flags", "Message"]);
        titles
    }

    /// Columns left for the message in a table `width` wide (one blank between columns).
    fn message_width(&self, width: u16) -> usize {
        let mut fixed = Self::SEV + Self::SINCE + Self::FLAGS + 3;
        if self.kind {
            fixed += Self::KIND + 1;
        }
        if self.subject {
            fixed += Self::SUBJECT + 1;
        }
        usize::from(width.saturating_sub(fixed))
    }
}

/// Draws the panel into `area`: every row that fits, and when some do not, a last line that
/// counts them (`+3 more, 1 crit (j/k scroll)`), so nothing is hidden without a count.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let focused = state.view() == View::Overview && state.focus() == Focus::Alerts;
    let title = if state.filters().alerts.is_empty() {
        "Alerts".to_owned()
    } else {
        format!("Alerts — filter: {}", state.filters().alerts.text())
    };
    let block = panel::block(&title, None, state, theme, focused);
    let block = panel::for_screen(block, frame);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let entries = entries(state);
    if entries.is_empty() {
        frame.render_widget(
            Paragraph::new("no alerts").style(theme.tone(Tone::Dim)),
            inner,
        );
        return;
    }
    let selected = state.selection().alert.as_ref().and_then(|key| {
        entries
            .iter()
            .position(|e| matches!(e, Entry::Alert(a) if is_alert_key(key, a)))
    });
    let selected = selected.or(Some(0));
    let columns = Columns::for_width(inner.width);
    let header = Row::new(columns.titles()).style(theme.title());
    let rows_height = inner.height.saturating_sub(1);
    // When not every row fits, the last line says how many are not shown.
    let fits = entries.len() <= usize::from(rows_height);
    let shown_height = if fits {
        rows_height
    } else {
        rows_height.saturating_sub(1)
    };
    let window = panel::table_window(entries.len(), selected, shown_height);
    let context = RowContext::new(state, theme, &columns, inner.width, now);
    let messages: Vec<String> = entries[window.clone()]
        .iter()
        .map(|e| e.message(&context))
        .collect();
    // Lines no row needs go to the messages that would end in `…`.
    let lines = if fits {
        let needs: Vec<usize> = messages
            .iter()
            .map(|m| message_lines(m, context.message_width))
            .collect();
        row_lines(&needs, rows_height)
    } else {
        vec![1; messages.len()]
    };
    let table_rows: Vec<Row<'_>> = entries[window.clone()]
        .iter()
        .zip(messages.iter().zip(lines))
        .map(|(e, (message, lines))| match e {
            Entry::Alert(a) => alert_row(a, &context, message, lines),
            Entry::Pending(p) => pending_row(p, &context, message, lines),
            Entry::Lapsed(l) => pending_row(&l.pending, &context, message, lines),
        })
        .collect();
    let selected = selected.map(|s| s.saturating_sub(window.start));
    let [table_area, more_area] = Layout::vertical([
        Constraint::Length(shown_height.saturating_add(1)),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let table = Table::new(table_rows, columns.widths())
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.row_highlight(focused));
    let mut table_state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, table_area, &mut table_state);
    if !fits {
        let hidden: Vec<&Entry<'_>> = entries[..window.start]
            .iter()
            .chain(&entries[window.end..])
            .collect();
        let critical = hidden
            .iter()
            .filter(|e| e.firing() && e.severity() == Severity::Critical)
            .count();
        let crit = if critical > 0 {
            format!(", {critical} crit")
        } else {
            String::new()
        };
        let keys = format!(
            "{}/{}",
            state.keymap().first_key_text(Action::Down),
            state.keymap().first_key_text(Action::Up)
        );
        let text = format!("+{} more{crit} ({keys} scroll)", hidden.len());
        let tone = if critical > 0 {
            Tone::Critical
        } else {
            Tone::Warn
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(text, theme.tone(tone)))),
            more_area,
        );
    }
}

/// What every row of one frame shares.
struct RowContext<'t> {
    theme: &'t Theme,
    /// Local time (silences are set on the local clock).
    now: DateTime<Utc>,
    /// The book's clock.
    server_now: DateTime<Utc>,
    columns: &'t Columns,
    message_width: usize,
    shared: bool,
}

impl<'t> RowContext<'t> {
    fn new(
        state: &State,
        theme: &'t Theme,
        columns: &'t Columns,
        inner_width: u16,
        now: DateTime<Utc>,
    ) -> Self {
        RowContext {
            theme,
            now,
            server_now: state.live_board().server_now(now),
            columns,
            message_width: columns.message_width(inner_width),
            shared: state.session().shared(),
        }
    }

    /// `message` in `lines` lines of the message column, at words, the last ending in `…`
    /// when it is still too long.
    fn message_cell(&self, message: &str, lines: usize) -> Cell<'static> {
        let message = self.theme.plain(message.to_owned());
        let wrapped = text::wrap_words(
            &message,
            self.message_width,
            lines.max(1),
            self.theme.ellipsis(),
        );
        Cell::from(Text::from(
            wrapped.into_iter().map(Line::from).collect::<Vec<_>>(),
        ))
    }
}

/// A condition waiting out its pending time, or lapsed: dim, its severity in small letters, and
/// its message saying which (`pending 12s`, `lapsed 40s ago`), so it is never read as firing.
fn pending_row<'a>(p: &PendingAlert, c: &RowContext<'_>, message: &str, lines: usize) -> Row<'a> {
    let severity = match p.severity {
        Severity::Critical => "crit",
        Severity::Warning => "warn",
        Severity::Info => "info",
    };
    let mut cells = vec![Cell::from(severity)];
    if c.columns.kind {
        cells.push(Cell::from(p.kind.as_str().replace('_', " ")));
    }
    if c.columns.subject {
        cells.push(Cell::from(p.subject.clone()));
    }
    cells.extend([
        Cell::from(text::coarse_age(c.server_now - p.since.min(c.server_now))),
        Cell::from(""),
        c.message_cell(message, lines),
    ]);
    Row::new(cells)
        .height(u16::try_from(lines).unwrap_or(1))
        .style(c.theme.tone(Tone::Dim))
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

fn alert_row<'a>(alert: &Alert, c: &RowContext<'_>, message: &str, lines: usize) -> Row<'a> {
    let (theme, now, server_now) = (c.theme, c.now, c.server_now);
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
    let mut cells = vec![Cell::from(severity).style(severity_style)];
    if c.columns.kind {
        cells.push(Cell::from(alert.kind.as_str().replace('_', " ")));
    }
    if c.columns.subject {
        cells.push(Cell::from(alert.subject.clone()));
    }
    cells.extend([
        Cell::from(since),
        Cell::from(flags.join(",")),
        c.message_cell(message, lines),
    ]);
    let row = Row::new(cells).height(u16::try_from(lines).unwrap_or(1));
    match row_tone {
        Some(dim) => row.style(theme.tone(dim)),
        None if alert.acknowledged || alert.is_silenced(now) => row.style(theme.tone(Tone::Dim)),
        None => row,
    }
}
