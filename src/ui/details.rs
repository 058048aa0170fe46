//! Details of the highlighted row of the current table: everything the feed said about it,
//! one field a line.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Focus, View};
use crate::app::{State, alerts, rows};
use crate::model::estimate::Estimate;
use crate::model::format;
use crate::model::money::format_money;
use crate::model::steady::SelloutVerdict;

use super::drops::pct;
use super::panel;
use super::text;
use super::theme::Theme;

/// Draws the details over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: DateTime<Utc>) {
    let (title, fields) = fields(state, theme, now);
    // A long message or sink answer wraps under its value (a hanging indent past the field
    // names), and the panel is as tall as the wrapped lines, so the last ones (the sinks'
    // delivery lines) are not cut off.
    let inner = usize::from(WIDTH.min(area.width).saturating_sub(2));
    let lines: Vec<Line<'_>> = fields
        .into_iter()
        .flat_map(|(name, value)| field_lines(name, &value, inner, theme))
        .collect();
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = panel::centered(area, WIDTH, height);
    panel::clear_for_dialog(frame, area, rect);
    let block = panel::block(&title, None, state, theme, true);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// Columns of the field names, the blank after them included.
const NAME_WIDTH: usize = 16;

/// A field as lines of at most `width` columns: its name, then its value wrapped at words in
/// the columns after the names; the value's later lines start under its first.
fn field_lines<'a>(name: &'static str, value: &str, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let indent = NAME_WIDTH.min(width.saturating_sub(1));
    hanging_rows(value, width - indent)
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let head = if i == 0 {
                Span::styled(format!("{name:<indent$}"), theme.title())
            } else {
                Span::raw(" ".repeat(indent))
            };
            Line::from(vec![head, Span::raw(row)])
        })
        .collect()
}

/// `text` in rows of at most `width` characters, broken at blanks; a figure's unit stays on
/// its figure's row (`6849.00 USD`, `44.4 %`), and only a word longer than a row (a runbook
/// URL) is broken, across rows. One empty row for an empty text.
fn hanging_rows(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut words: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match words.last_mut() {
            // A run of blanks (`am  delivered`) is kept: the word before carries the extra.
            Some(before) if word.is_empty() => before.push(' '),
            None if word.is_empty() => {}
            Some(figure) if text::is_unit(word) => {
                figure.push(' ');
                figure.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
    }
    let mut rows = vec![String::new()];
    for word in words {
        let mut chars: Vec<char> = word.chars().collect();
        let row = rows.last_mut().map_or(0, |r| r.chars().count());
        if row > 0 && row + 1 + chars.len() <= width {
            if let Some(r) = rows.last_mut() {
                r.push(' ');
                r.extend(chars);
            }
            continue;
        }
        if row > 0 {
            rows.push(String::new());
        }
        while chars.len() > width {
            let rest = chars.split_off(width);
            if let Some(r) = rows.last_mut() {
                r.extend(chars);
            }
            rows.push(String::new());
            chars = rest;
        }
        if let Some(r) = rows.last_mut() {
            r.extend(chars);
        }
    }
    rows
}

type Fields = Vec<(&'static str, String)>;

/// Columns of the details panel, borders included.
const WIDTH: u16 = 76;

fn fields(state: &State, theme: &Theme, now: DateTime<Utc>) -> (String, Fields) {
    let none = theme.none();
    let server_now = state.shown_server_now(now);
    match (state.view(), state.focus()) {
        (View::Overview, Focus::Drops) => drop_fields(state, none, server_now, theme.zone),
        (View::Overview, Focus::Alerts) => alert_fields(state, none, now),
        (View::Fulfilment, _) => order_fields(state, server_now),
        (View::Actions, _) => action_fields(state),
        (View::Popups | View::Log, _) => (
            "Details".to_owned(),
            vec![("", "this view shows everything already".to_owned())],
        ),
    }
}

fn drop_fields(
    state: &State,
    none: &str,
    server_now: DateTime<Utc>,
    zone: format::Zone,
) -> (String, Fields) {
    let board = state.shown_board();
    let settled = state.board().thresholds().settled_within_pct;
    let drops = rows::drops(state);
    let keys: Vec<String> = drops.iter().map(|d| d.id.clone()).collect();
    let Some(d) =
        rows::selected_index(&keys, state.selection().drop.as_ref()).and_then(|i| drops.get(i))
    else {
        return (
            "Details".to_owned(),
            vec![("", "no drop selected".to_owned())],
        );
    };
    let figures = board.drop_figures(&d.id, server_now);
    let mut out: Fields = vec![
        ("title", d.title.clone().unwrap_or_default()),
        ("sku", d.sku.clone().unwrap_or_default()),
        ("state", d.state.to_string()),
        ("opens", text::clock(d.opens_at)),
        ("closes", text::clock(d.closes_at)),
        (
            "stock",
            // The share sold so far belongs here, beside what it is a share of: after the
            // outlook (`≈1035 left at close, 10.3% sold`) it read as the share at close.
            match figures.as_ref().and_then(|f| f.sell_through_pct) {
                Some(share) => format!(
                    "{} sold of {} allocated ({})",
                    d.stock.sold,
                    d.stock.allocated,
                    pct(Some(share), none)
                ),
                None => format!("{} sold of {} allocated", d.stock.sold, d.stock.allocated),
            },
        ),
        (
            "visitors now",
            d.visitors_now
                .map_or_else(|| none.to_owned(), |v| v.to_string()),
        ),
        (
            "funnel",
            format!(
                "{} sessions, {} carts, {} orders, {} units",
                d.funnel.sessions, d.funnel.carts, d.funnel.orders, d.funnel.units
            ),
        ),
        ("revenue", format_money(d.funnel.revenue_minor, &d.currency)),
        ("margin floor", pct(Some(d.margin_floor_pct), none)),
    ];
    if let Some(f) = figures {
        let conversion = match (&f.conversion_pct, &d.sessions_unavailable) {
            // No sessions to divide by, and the feed said why: say it instead of a dash.
            (None, Some(why)) => format!("no figure: {why}"),
            _ => format!(
                "{} cumulative, {} live",
                pct(f.conversion_pct, none),
                live_pct(f.live_conversion, settled, none)
            ),
        };
        out.push(("conversion", conversion));
        let evidence = f.sales.map(|r| r.span_s());
        out.push((
            "orders",
            format::rate(f.orders.map(|r| r.per_min), settled, evidence),
        ));
        out.push((
            "units sold",
            format::rate(f.sales.map(|r| r.per_min), settled, evidence),
        ));
        if let Some(stock) = f.stock_outlook {
            // The drop's steady verdict decides, as in the Drops table's Sell-out cell: `may
            // sell out` while the range straddles the close (the table's `close?`), never a
            // plain `sells out` beside it; units left at close while that verdict holds.
            let left = || {
                format!(
                    "{} left at close",
                    // Plain only when the rate it is projected from is settled too (a
                    // threshold of 0 settles nothing but an exact figure: its range is shown).
                    format::units(
                        stock.left_at_close,
                        if f.left_at_close_settled(settled) {
                            settled
                        } else {
                            0.0
                        }
                    )
                )
            };
            let sells_out = |words: &str, at| {
                format!(
                    "{words} {} ({})",
                    format::in_time(at, server_now),
                    format::instant(
                        server_now,
                        at,
                        stock.sellout_earliest,
                        stock.sellout_latest,
                        settled,
                        zone
                    )
                )
            };
            let outlook = match (f.sellout_verdict, stock.sellout_at) {
                (SelloutVerdict::Measuring, _) => format::measuring(None),
                (SelloutVerdict::SellsOut, Some(at)) => sells_out("sells out", at),
                (SelloutVerdict::MaySellOut, Some(at)) => sells_out("may sell out", at),
                (SelloutVerdict::MaySellOut, None) => match stock.sellout_earliest {
                    Some(from) => format!(
                        "may sell out from {}, else {}",
                        text::clock_in(from, zone, server_now),
                        left()
                    ),
                    None => left(),
                },
                _ => left(),
            };
            out.push(("stock outlook", outlook));
        }
        for b in &f.bands {
            out.push((
                "band",
                format!(
                    "{} {} {} margin {}{}",
                    b.band.id,
                    b.band.label.clone().unwrap_or_default(),
                    format_money(b.band.price_minor, &d.currency),
                    pct(b.margin_pct, none),
                    if b.allowed { "" } else { " (below floor)" }
                ),
            ));
        }
    }
    (format!("Drop {}", d.id), out)
}

/// The live conversion beside the cumulative one, spelt as the panel's other percentages
/// (`3.5%`): `~3.5% (2.4–4.9)` while an estimate, `3.5%` once settled (it read `3.5%
/// cumulative, ~3.5 % (2.4–4.9) live`).
fn live_pct(live: Option<Estimate>, settled: f64, none: &str) -> String {
    match live {
        Some(e) if e.is_settled(settled) => pct(Some(e.point), none),
        Some(e) => format!(
            "~{}% ({}–{})",
            format::short_number(e.point),
            format::short_number(e.low),
            format::short_number(e.high)
        ),
        None => none.to_owned(),
    }
}

fn alert_fields(state: &State, none: &str, now: DateTime<Utc>) -> (String, Fields) {
    let Some(a) = alerts::selected(state) else {
        return ("Details".to_owned(), vec![("", no_alert_words(state))]);
    };
    (
        format!("Alert {}", a.kind.as_str()),
        [
            ("severity", a.severity.as_str().to_owned()),
            ("subject", a.subject.clone()),
            ("message", a.message.clone()),
            ("since", text::clock(a.since)),
            ("first seen", text::clock(a.first_seen)),
            (
                "runbook",
                state
                    .board()
                    .thresholds()
                    .rule(a.kind)
                    .runbook
                    .unwrap_or_else(|| none.to_owned()),
            ),
            // Words, not Rust's `true`/`false`.
            (
                "acknowledged",
                if a.acknowledged { "yes" } else { "no" }.to_owned(),
            ),
            (
                "silenced until",
                a.silenced_until
                    .map_or_else(|| none.to_owned(), text::clock),
            ),
            (
                "cleared",
                a.cleared_at.map_or_else(|| none.to_owned(), text::clock),
            ),
        ]
        .into_iter()
        // One line per sink that was told (or not) about it; none without `[[notify]]`.
        .chain(
            state
                .board()
                .deliveries()
                .of(a.kind, &a.subject)
                .map(|d| ("delivery", format!("{}  {}", d.sink, d.describe(now)))),
        )
        .collect(),
    )
}

/// What the alert details say with no alert highlighted. Pending rows cannot be selected
/// (nothing to acknowledge yet): with only those in the Alerts panel, `no alert selected` read
/// as if the key had missed the row on screen. The book, not the filtered rows, decides: a
/// filter hiding every alert is not "none firing".
fn no_alert_words(state: &State) -> String {
    let book = state.alerts();
    let listed = book.firing().next().is_some() || book.recently_cleared().next().is_some();
    let pending = book.pending().len();
    match (listed, pending) {
        (false, 0) => "no alert firing".to_owned(),
        (false, _) => format!("no alert firing yet ({pending} pending in the Alerts panel)"),
        (true, _) => "no alert selected".to_owned(),
    }
}

fn order_fields(state: &State, server_now: DateTime<Utc>) -> (String, Fields) {
    let orders = rows::triage(state);
    match orders.selected().and_then(|i| orders.get(i)) {
        Some((hub, o)) => (
            format!("Order {}", o.order_id),
            vec![
                ("hub", (*hub).to_owned()),
                ("drop", o.drop_id.clone()),
                ("placed", text::clock(o.placed_at)),
                ("due", text::clock(o.due_at)),
                ("overdue by", text::age(server_now - o.due_at)),
                ("stage", o.stage.to_string()),
                ("reason", o.reason.clone()),
            ],
        ),
        None => (
            "Details".to_owned(),
            vec![("", "no order selected".to_owned())],
        ),
    }
}

fn action_fields(state: &State) -> (String, Fields) {
    let entries = rows::actions(state);
    let keys: Vec<u64> = entries.iter().map(|e| e.request.action_id).collect();
    match rows::selected_index(&keys, state.selection().action.as_ref())
        .and_then(|i| entries.get(i))
    {
        Some(e) => (
            format!("Action #{}", e.request.action_id),
            vec![
                ("drop", e.request.drop_id.clone()),
                ("action", e.describe_action()),
                ("idempotency key", e.request.idempotency_key.clone()),
                ("confirmed", text::clock(e.confirmed_at)),
                ("attempts", e.attempts.to_string()),
                ("state", e.status.describe()),
            ],
        ),
        None => (
            "Details".to_owned(),
            vec![("", "no action selected".to_owned())],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{hanging_rows, live_pct};
    use crate::model::estimate::Estimate;

    #[test]
    fn the_live_conversion_is_spelt_as_the_cumulative_one() {
        let wide = Estimate::new(3.5, 2.4, 4.9);
        assert_eq!(live_pct(wide, 25.0, "—"), "~3.5% (2.4–4.9)");
        let narrow = Estimate::new(6.0, 5.9, 6.1);
        assert_eq!(live_pct(narrow, 25.0, "—"), "6.0%");
        assert_eq!(live_pct(None, 25.0, "—"), "—");
    }

    #[test]
    fn a_value_wraps_at_words_and_keeps_units() {
        assert_eq!(hanging_rows("", 5), vec![""]);
        assert_eq!(hanging_rows("abc de", 6), vec!["abc de"]);
        assert_eq!(hanging_rows("abc def", 6), vec!["abc", "def"]);
        assert_eq!(hanging_rows("am  delivered", 20), vec!["am  delivered"]);
        assert_eq!(
            hanging_rows("ab abcdefghijkl", 5),
            vec!["ab", "abcde", "fghij", "kl"],
            "only a word longer than a row is broken"
        );
        // Seen in alert details at 80x24 (launch, 90 s): `about 765 over,` / `6885.00 USD`
        // wrapped back under the field names; the unit stays with its figure.
        let message = "ewr-1 runs out at 15:04 UTC (14:37-15:41), 76 min before its window \
                       ends (717 units left at ~10/min (6.6-16)); about 765 over, 6885.00 USD";
        let rows = hanging_rows(message, 58);
        assert_eq!(
            rows,
            vec![
                "ewr-1 runs out at 15:04 UTC (14:37-15:41), 76 min before",
                "its window ends (717 units left at ~10/min (6.6-16));",
                "about 765 over, 6885.00 USD",
            ]
        );
        assert!(rows.iter().all(|r| r.chars().count() <= 58));
    }
}
