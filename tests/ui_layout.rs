//! Issue 10's layout invariants, checked mechanically on every view of every scenario in
//! `assets/scenarios/` at the sizes the three users have: the simulator's world is run in
//! process on a fixed clock, polled every 2 s for four minutes (and, for the estimate checks,
//! for its first 6 s), and each screen is read back from a `TestBackend`:
//!
//! - every firing, unsilenced critical alert is on screen (a `CRIT` row naming its subject) or
//!   counted in a visible `+N more`;
//! - every money figure drawn carries its currency;
//! - no figure from the state (an id, a figure inside an alert's message, the message itself)
//!   is cut at a border, a column edge or the screen's edge: it is drawn whole or not at all,
//!   and a message is shortened only at a word, with `…`.
//!
//! The checks are proven able to fail on deliberately cut renders (the `check_*` tests).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod ui_layout_check;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use dropday::app::audit::Operator;
use dropday::app::ids::CountedKeys;
use dropday::app::keymap::Keymap;
use dropday::app::{Event, Room, RoomConfig};
use dropday::feed::FeedKind;
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::wire::Document;
use dropday::model::alerts::{AlertThresholds, Severity};
use dropday::model::board::Board;
use dropday::model::estimate::Estimate;
use dropday::model::format;
use dropday::model::money::format_money;
use dropday::sim::ScenarioSource;
use dropday::sim::world::World;
use dropday::ui::{self, ColorMode, Theme};

use ui_layout_check::{Figures, Problems, cut_figures, hidden_criticals, money_without_currency};

/// The sizes of issue 10: a phone over SSH, a small window, a laptop, a large and a huge screen.
const SIZES: [(u16, u16); 5] = [(80, 24), (100, 30), (120, 40), (160, 48), (200, 60)];

/// The views, by the key that shows each.
const VIEWS: [(char, &str); 5] = [
    ('1', "overview"),
    ('2', "fulfilment"),
    ('3', "popups"),
    ('4', "actions"),
    ('5', "log"),
];

/// Sim second 0 of every scenario.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .expect("start")
        .with_timezone(&Utc)
}

fn config() -> RoomConfig {
    RoomConfig {
        environment: "demo".to_owned(),
        simulated: true,
        read_only: false,
        keymap: Keymap::default(),
        operator: Operator {
            user: Some("ana".to_owned()),
            ..Operator::default()
        },
        thresholds: AlertThresholds::default(),
        color: ColorMode::Never,
        ascii: false,
        type_to_confirm: false,
        bell: dropday::app::session::Bell::Off,
        ids: Box::new(CountedKeys::default()),
    }
}

/// The room after polling `scenario`'s world every 2 s for `seconds` seconds from its start
/// (local and server clocks agree), with a tick after each round as the program has.
fn room(scenario: &str, seconds: i64) -> (Room, DateTime<Utc>) {
    let scenario = ScenarioSource::Builtin(scenario.to_owned())
        .load()
        .expect("scenario");
    let mut world = World::new(&scenario, start());
    let mut board = Board::default();
    for feed in FeedKind::ALL {
        board.set_poll_interval(feed, TimeDelta::seconds(2));
    }
    let mut room = Room::new(config(), board);
    let mut now = start();
    for step in 0..=seconds / 2 {
        now = start() + TimeDelta::seconds(step * 2);
        world.advance_to(now);
        let outcomes = [
            (
                FeedKind::Marketplace,
                PollOutcome::Drops(document(now, world.drops())),
            ),
            (
                FeedKind::Fulfilment,
                PollOutcome::Hubs(document(now, world.hubs())),
            ),
            (
                FeedKind::Pos,
                PollOutcome::Popups(document(now, world.popups())),
            ),
        ];
        for (feed, outcome) in outcomes {
            room.update(
                Event::Poll(PollReport {
                    feed,
                    sent_at: now,
                    received_at: now,
                    outcome,
                }),
                now,
            );
        }
        room.update(Event::Tick(now), now);
    }
    (room, now)
}

fn document<T>(as_of: DateTime<Utc>, entries: Vec<T>) -> Document<T> {
    Document {
        as_of,
        entries,
        skipped: Vec::new(),
    }
}

fn show(room: &mut Room, view: char, now: DateTime<Utc>) {
    room.update(
        Event::Key(KeyEvent::new(KeyCode::Char(view), KeyModifiers::NONE)),
        now,
    );
}

fn press_enter(room: &mut Room, now: DateTime<Utc>) {
    room.update(
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    );
}

/// launch four minutes in, with the first alert's details open on the Overview.
fn launch_with_alert_details() -> (Room, DateTime<Utc>) {
    let (mut room, now) = room("launch", 240);
    show(&mut room, '1', now);
    show(&mut room, 'l', now);
    press_enter(&mut room, now);
    (room, now)
}

fn draw(room: &Room, size: (u16, u16), now: DateTime<Utc>) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("test terminal");
    let theme = Theme::fixed(ColorMode::Never, false);
    terminal
        .draw(|frame| ui::view(frame, &room.state(), &theme, now))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

/// Every figure from the state that must be drawn whole or not at all: ids, prices and
/// revenues with their currency, and the figures inside alert messages.
fn figures(room: &Room, now: DateTime<Utc>) -> Figures {
    let state = room.state();
    let board = state.shown_board();
    let mut figures = Figures::default();
    for d in board.drops() {
        figures.add_id(&d.id);
        for band in &d.price_bands {
            figures.add_id(&format_money(band.price_minor, &d.currency));
        }
        figures.add_id(&format_money(d.funnel.revenue_minor, &d.currency));
    }
    for h in board.hubs() {
        figures.add_id(&h.id);
        for o in &h.overdue {
            figures.add_id(&o.order_id);
        }
    }
    for p in board.popups() {
        figures.add_id(&p.id);
        figures.add_id(&format_money(p.sales.revenue_minor, &p.currency));
    }
    // Every rate in each form the screen draws it: the drops table's bare `~60`, the
    // figures' `6.1/min`, `~6/min (0–35)` and the hubs' `~0–45/min`.
    let server_now = state.shown_server_now(now);
    let settled = state.board().thresholds().settled_within_pct;
    let mut rates: Vec<Estimate> = Vec::new();
    for f in board.all_drop_figures(server_now) {
        rates.extend(f.orders.map(|r| r.per_min));
        rates.extend(f.sales.map(|r| r.per_min));
    }
    for o in board.all_hub_outlooks(server_now) {
        rates.extend(o.burn.map(|r| r.per_min));
    }
    for p in board.all_popup_summaries(server_now) {
        rates.extend(p.sales().map(|r| r.per_min));
    }
    for e in rates {
        for form in rate_forms(e, settled) {
            figures.add_rate(&form);
        }
    }
    for a in state.alerts().firing() {
        figures.add_message(&a.message);
    }
    for a in state.alerts().pending() {
        figures.add_message(&a.message);
    }
    figures
}

/// The forms a rate `e` is drawn in: whole figures each.
fn rate_forms(e: Estimate, settled: f64) -> Vec<String> {
    let full = format::rate(Some(e), settled, None);
    let mut forms = vec![
        format!("{:.0}", e.point),
        format!("~{:.0}", e.point),
        format!("~0–{}/min", format::short_number(e.high)),
    ];
    // The range without its brackets: `(2 of 3` in a message is not `(20–105)` cut.
    forms.extend(full.split(' ').map(|part| {
        part.trim_start_matches('(')
            .trim_end_matches(')')
            .to_owned()
    }));
    forms
}

/// Every screen of `scenario` after `seconds`, with what is wrong with each.
fn check_scenario(scenario: &str, seconds: i64, snapshots: bool) -> Problems {
    let (mut room, now) = room(scenario, seconds);
    let figures = figures(&room, now);
    let criticals: Vec<String> = room
        .state()
        .alerts()
        .firing()
        .filter(|a| a.severity == Severity::Critical && !a.is_silenced(now))
        .map(|a| a.subject.clone())
        .collect();
    let mut problems = Problems::default();
    for (key, view) in VIEWS {
        show(&mut room, key, now);
        for size in SIZES {
            let screen = draw(&room, size, now);
            let name = format!("{scenario} {view} {}x{}", size.0, size.1);
            problems.add(&name, hidden_criticals(&screen, &criticals));
            problems.add(&name, money_without_currency(&screen));
            problems.add(&name, cut_figures(&screen, &figures));
            if snapshots {
                insta::assert_snapshot!(
                    format!("{scenario}_{view}_{}x{}", size.0, size.1),
                    screen.join("\n")
                );
            }
        }
    }
    problems
}

fn scenarios() -> Vec<&'static str> {
    let names = dropday::sim::scenario::builtin_names();
    assert!(names.len() >= 4, "scenarios: {names:?}");
    names
}

#[test]
fn every_view_of_every_scenario_keeps_the_invariants() {
    let mut problems = Problems::default();
    for scenario in scenarios() {
        problems.extend(check_scenario(scenario, 240, true));
    }
    problems.assert_none();
}

#[test]
fn the_first_seconds_keep_the_invariants() {
    let mut problems = Problems::default();
    for scenario in scenarios() {
        problems.extend(check_scenario(scenario, 6, false));
    }
    problems.assert_none();
}

/// In the first seconds a burn rate is an estimate: `burn ~0/min (0–45)` or `measuring…`,
/// never a bare figure, at every width.
#[test]
fn an_early_burn_rate_reads_as_an_estimate() {
    for scenario in scenarios() {
        let (mut room, now) = room(scenario, 4);
        for (key, view) in VIEWS {
            show(&mut room, key, now);
            for size in SIZES {
                let screen = draw(&room, size, now);
                for row in &screen {
                    for (i, _) in row.match_indices("burn ") {
                        let next = row[i + 5..].chars().next().unwrap_or(' ');
                        assert!(
                            !next.is_ascii_digit(),
                            "{scenario} {view} {}x{}: a bare burn figure in {row:?}",
                            size.0,
                            size.1
                        );
                    }
                }
            }
        }
    }
}

/// In the first seconds a band's live conversion is an estimate: the band picker's Live
/// column reads `~4%` (or a dash), never a bare `4.3%`, as the drops table beside it does.
#[test]
fn an_early_live_conversion_in_the_band_picker_reads_as_an_estimate() {
    let (mut room, now) = room("launch", 10);
    show(&mut room, '1', now);
    show(&mut room, 'b', now);
    let screen = draw(&room, (120, 40), now);
    let header = screen
        .iter()
        .position(|row| row.contains("Band ") && row.contains(" Live "))
        .unwrap_or_else(|| panic!("no band picker:\n{}", screen.join("\n")));
    // In characters: the borders are several bytes each.
    let row = &screen[header];
    let live = row[..row.find(" Live ").expect("Live column")]
        .chars()
        .count()
        + 1;
    let cells: Vec<String> = screen[header + 1..]
        .iter()
        .take_while(|row| row.contains(" USD "))
        .map(|row| row.chars().skip(live).take(6).collect::<String>())
        .collect();
    assert!(!cells.is_empty(), "{}", screen.join("\n"));
    for cell in &cells {
        let cell = cell.trim();
        assert!(
            cell.starts_with('~') || cell == "—" || cell == "-",
            "a bare live conversion {cell:?}:\n{}",
            screen.join("\n")
        );
    }
}

/// The alert details overlay wraps a long message under its value, past the field names
/// (seen at 80x24: `its window ends …` back at the box's left edge, under `message`).
#[test]
fn alert_details_wrap_a_long_message_under_its_value() {
    let (room, now) = launch_with_alert_details();
    for size in SIZES {
        let screen = draw(&room, size, now);
        let message = screen
            .iter()
            .position(|row| row.contains("│message "))
            .unwrap_or_else(|| panic!("no alert details:\n{}", screen.join("\n")));
        let left = screen[message]
            .chars()
            .position(|c| c == '│')
            .expect("box edge");
        let mut wrapped = 0;
        for row in &screen[message + 1..] {
            let inside: String = row.chars().skip(left + 1).collect();
            if inside.starts_with("since ") {
                break;
            }
            assert!(
                inside.starts_with(&" ".repeat(16)),
                "{}x{}: a message line not under its value: {row:?}\n{}",
                size.0,
                size.1,
                screen.join("\n")
            );
            wrapped += 1;
        }
        assert!(
            wrapped > 0,
            "the message fits one line:\n{}",
            screen.join("\n")
        );
    }
}

/// With no overdue orders the Fulfilment view gives the rows to the selected hub's chart, not
/// to blank lines: at 100×30 `contract-edge` (three hubs) drew `no overdue orders listed` over
/// 15 blank rows and no chart, where `quiet` (two hubs) had one.
#[test]
fn an_empty_overdue_list_leaves_its_rows_to_the_chart() {
    for scenario in ["contract-edge", "quiet"] {
        let (mut room, now) = room(scenario, 240);
        show(&mut room, '2', now);
        for size in [(100, 30), (120, 40)] {
            let screen = draw(&room, size, now);
            assert!(
                screen
                    .iter()
                    .any(|row| row.contains("no overdue orders listed")),
                "{scenario}: the list is not empty:\n{}",
                screen.join("\n")
            );
            assert!(
                screen.iter().any(|row| row.contains("Capacity burn-down")),
                "{scenario} {}x{}: no chart:\n{}",
                size.0,
                size.1,
                screen.join("\n")
            );
        }
    }
}

/// A message is not shortened while the Overview leaves rows blank under the Alerts panel: at
/// 120×40 in `launch` the capacity alert ended `about 871…` (its cost dropped) over 14 blank
/// rows.
#[test]
fn alert_messages_are_not_shortened_over_blank_rows() {
    for scenario in scenarios() {
        for seconds in [90, 240] {
            let (mut room, now) = room(scenario, seconds);
            show(&mut room, '1', now);
            for size in SIZES {
                let screen = draw(&room, size, now);
                let Some(top) = screen.iter().position(|row| row.starts_with("╭ Alerts")) else {
                    continue;
                };
                let Some(panel_bottom) = screen[top..]
                    .iter()
                    .position(|row| row.starts_with("╰"))
                    .map(|i| top + i)
                else {
                    continue;
                };
                let width = screen[top].chars().position(|c| c == '╮').unwrap_or(0);
                let blank_below = screen[panel_bottom + 1..screen.len() - 1]
                    .iter()
                    .take_while(|row| row.chars().take(width + 1).all(|c| c == ' '))
                    .count();
                let shortened = screen[top..panel_bottom].iter().any(|row| {
                    row.chars()
                        .take(width)
                        .collect::<String>()
                        .trim_end()
                        .ends_with('…')
                });
                assert!(
                    !(shortened && blank_below > 0),
                    "{scenario} {seconds} s {}x{}: a message shortened over {blank_below} blank rows:\n{}",
                    size.0,
                    size.1,
                    screen.join("\n")
                );
            }
        }
    }
}

/// The pop-up lead on a phone: in `popup-day` at 80×24 the Overview shows their own alerts
/// (a till offline, pick-ups overdue) as alert rows, not only the critical ones.
#[test]
fn the_pop_up_leads_alerts_are_on_an_80x24_overview() {
    let (mut room, now) = room("popup-day", 240);
    show(&mut room, '1', now);
    let screen = draw(&room, (80, 24), now);
    for words in ["terminals offline", "pick-ups overdue"] {
        assert!(
            screen
                .iter()
                .any(|row| row.starts_with("WARN") && row.contains(words)),
            "{words:?} not an alert row:\n{}",
            screen.join("\n")
        );
    }
}

/// The banner under the header names the most urgent firing alert on every view at every
/// size, or says that none is firing.
#[test]
fn the_now_banner_is_on_every_view_at_every_size() {
    for scenario in scenarios() {
        let (mut room, now) = room(scenario, 240);
        let urgent = room
            .state()
            .alerts()
            .firing()
            .next()
            .map(|a| a.subject.clone());
        for (key, view) in VIEWS {
            show(&mut room, key, now);
            for size in SIZES {
                let screen = draw(&room, size, now);
                let banner = &screen[usize::from(dropday::ui::header::HEIGHT) - 1];
                let said = match &urgent {
                    Some(subject) => {
                        ["CRIT ", "WARN ", "info "]
                            .iter()
                            .any(|w| banner.starts_with(w))
                            && banner.contains(subject.as_str())
                    }
                    None => banner.starts_with("no alert firing"),
                };
                assert!(said, "{scenario} {view} {}x{}: {banner:?}", size.0, size.1);
            }
        }
    }
}

/// A condition still waiting out its pending time is listed as pending (`pending 12s`, its
/// severity in small letters), never as a firing `CRIT`/`WARN` row.
#[test]
fn pending_alerts_are_shown_as_pending() {
    let (mut room, now) = room("launch", 40);
    let pending: Vec<String> = room
        .state()
        .alerts()
        .pending()
        .iter()
        .map(|p| p.subject.clone())
        .collect();
    assert!(!pending.is_empty(), "launch has pending conditions at 40 s");
    show(&mut room, '1', now);
    let screen = draw(&room, (200, 60), now);
    let rows: Vec<&String> = screen.iter().filter(|r| r.contains("pending ")).collect();
    assert!(!rows.is_empty(), "{}", screen.join("\n"));
    for row in rows {
        assert!(
            !row.contains("│CRIT") && !row.contains("│WARN"),
            "a pending row reads as firing: {row}"
        );
    }
}

/// Codes from the feeds are drawn as words (`short pick`, `awaiting carrier`, `sold out`,
/// `needs attention`), never as the wire's `snake_case`, on every view at every size.
#[test]
fn codes_from_the_feeds_are_drawn_as_words() {
    for scenario in scenarios() {
        let (mut room, now) = room(scenario, 240);
        let board = room.state().shown_board().clone();
        let mut codes: Vec<String> = Vec::new();
        codes.extend(board.drops().iter().map(|d| d.state.as_str().to_owned()));
        for h in board.hubs() {
            for o in &h.overdue {
                codes.push(o.reason.clone());
                codes.push(o.stage.as_str().to_owned());
            }
        }
        for p in board.popups() {
            codes.extend(p.terminals.iter().map(|t| t.status.as_str().to_owned()));
        }
        codes.retain(|c| c.contains('_'));
        // Alert kinds too (`sla breach`), except in the Log, whose records name the kind as
        // the config's `[alerts.kinds.<kind>]` does.
        let kinds: Vec<String> = room
            .state()
            .alerts()
            .firing()
            .map(|a| a.kind.as_str().to_owned())
            .filter(|k| k.contains('_'))
            .collect();
        for (key, view) in VIEWS {
            show(&mut room, key, now);
            let mut codes = codes.clone();
            if view != "log" {
                codes.extend(kinds.iter().cloned());
            }
            codes.sort();
            codes.dedup();
            for size in SIZES {
                let screen = draw(&room, size, now);
                for code in &codes {
                    assert!(
                        !screen.iter().any(|row| row.contains(code.as_str())),
                        "{scenario} {view} {}x{}: {code:?} drawn as a code:\n{}",
                        size.0,
                        size.1,
                        screen.join("\n")
                    );
                }
            }
        }
    }
}

/// No pop-up listed reads the same on the Overview and in the Pop-ups view, with why: the POS
/// feed lists none (`contract-edge`), or it has not answered yet.
#[test]
fn no_pop_ups_says_why_in_one_wording() {
    let (mut room, now) = room("contract-edge", 240);
    assert!(room.state().shown_board().popups().is_empty());
    let mut before = Room::new(config(), Board::default());
    before.update(Event::Tick(start()), start());
    for (room, now, words) in [
        (&mut room, now, "no pop-ups: the POS feed lists none"),
        (
            &mut before,
            start(),
            "no pop-ups yet: waiting for the POS feed",
        ),
    ] {
        for key in ['1', '3'] {
            show(room, key, now);
            for size in SIZES {
                let screen = draw(room, size, now);
                assert!(
                    screen.iter().any(|row| row.contains(words)),
                    "{key} {}x{}: {words:?} not on\n{}",
                    size.0,
                    size.1,
                    screen.join("\n")
                );
            }
        }
    }
}

/// A large Overview gives the rows its left column does not want to what wants them: the
/// pop-ups move over (the chart keeps their rows) and the overdue orders are listed there,
/// rather than ~40 blank rows under the alerts at 200×60.
#[test]
fn a_large_overview_gives_its_spare_rows_away() {
    for scenario in ["launch", "popup-day"] {
        let (mut room, now) = room(scenario, 240);
        show(&mut room, '1', now);
        for size in [(160, 48), (200, 60)] {
            let screen = draw(&room, size, now);
            let left = usize::from(size.0) * 55 / 100;
            let left_rows: Vec<String> = screen
                .iter()
                .map(|row| row.chars().take(left).collect())
                .collect();
            for title in ["╭ Pop-ups", "╭ Overdue orders"] {
                assert!(
                    left_rows.iter().any(|row| row.starts_with(title)),
                    "{scenario} {}x{}: no {title:?} in the left column:\n{}",
                    size.0,
                    size.1,
                    screen.join("\n")
                );
            }
        }
    }
}

/// The alert details say `acknowledged  no`, in words, not Rust's `false`.
#[test]
fn alert_details_say_acknowledged_in_words() {
    let (room, now) = launch_with_alert_details();
    let screen = draw(&room, (100, 30), now);
    let row = screen
        .iter()
        .find(|row| row.contains("│acknowledged"))
        .unwrap_or_else(|| panic!("no details:\n{}", screen.join("\n")));
    assert!(
        row.contains("acknowledged    no ") && !row.contains("false"),
        "{row}"
    );
}

/// The chart's exhaustion mark says what the verdict beside it says: `X may run out ~16:31`
/// under `may run out`, `X runs out` only when the hub runs out.
#[test]
fn the_charts_mark_agrees_with_the_verdict() {
    use dropday::model::steady::CapacityVerdict;
    let mut checked = 0;
    for scenario in scenarios() {
        for seconds in [6, 90, 240] {
            let (mut room, now) = room(scenario, seconds);
            let server_now = room.state().shown_server_now(now);
            let first = room
                .state()
                .shown_board()
                .hubs()
                .first()
                .map(|h| h.id.clone());
            let Some(verdict) = first.and_then(|id| {
                room.state()
                    .shown_board()
                    .hub_outlook(&id, server_now)
                    .map(|o| o.verdict)
            }) else {
                continue;
            };
            let runs_out = matches!(verdict, CapacityVerdict::RunsOut | CapacityVerdict::UsedUp);
            for key in ['1', '2'] {
                show(&mut room, key, now);
                for size in [(120, 40), (200, 60)] {
                    let screen = draw(&room, size, now);
                    let says_runs_out = screen.iter().any(|row| row.contains("X runs out"));
                    assert!(
                        runs_out || !says_runs_out,
                        "{scenario} {seconds}s {key} {}x{}: {verdict:?} but the mark says runs out:\n{}",
                        size.0,
                        size.1,
                        screen.join("\n")
                    );
                    checked += usize::from(screen.iter().any(|row| row.contains("X may run out")));
                }
            }
        }
    }
    assert!(checked > 0, "no screen drew a 'may run out' mark");
}

/// The drop details' stock outlook says what the Drops table's Sell-out cell says: never a
/// plain `sells out in 1h44m` beside `close?` (popup-day in its first seconds).
#[test]
fn drop_details_agree_with_the_sell_out_cell() {
    let mut undecided = 0;
    for scenario in scenarios() {
        for seconds in [6, 90, 240] {
            let (mut room, now) = room(scenario, seconds);
            show(&mut room, '1', now);
            let table = draw(&room, (120, 40), now);
            let close = table
                .iter()
                .find(|row| row.contains("live "))
                .is_some_and(|row| row.contains("close?"));
            press_enter(&mut room, now);
            let details = draw(&room, (120, 40), now);
            let Some(outlook) = details.iter().find(|row| row.contains("│stock outlook")) else {
                continue;
            };
            if close {
                undecided += 1;
                assert!(
                    !outlook.contains("outlook   sells out"),
                    "{scenario} {seconds}s: close? in the table, details say {outlook}"
                );
            }
        }
    }
    assert!(undecided > 0, "no drop was undecided");
}

/// The burn-down chart's key names every line the chart draws (the contract, the minimum
/// commitment, the projection and the "now" line) wherever the chart has rows to spare: at
/// 120×40 the Overview's 52-column key left out `min commit`, `projected` and `now` over a
/// chart of 25 rows, in `quiet` while a warning was about that very minimum commitment.
#[test]
fn the_chart_key_names_every_line_it_draws() {
    let mut checked = 0;
    for scenario in scenarios() {
        for seconds in [6, 90, 240] {
            let (mut room, now) = room(scenario, seconds);
            for key in ['1', '2'] {
                show(&mut room, key, now);
                for size in [(120, 40), (160, 48), (200, 60)] {
                    let screen = draw(&room, size, now);
                    let Some(top) = screen
                        .iter()
                        .position(|row| row.contains("╭ Capacity burn-down"))
                    else {
                        continue;
                    };
                    // The key sits between the panel's title and the chart's top axis label.
                    let key: String = screen[top + 1..]
                        .iter()
                        .take_while(|row| !row.contains("│0 ") && !row.contains('┤'))
                        .take(4)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n");
                    for words in [
                        "consumed",
                        "=== contract",
                        "--- min commit",
                        "··· projected",
                        "| now",
                    ] {
                        assert!(
                            key.contains(words),
                            "{scenario} {seconds}s {key} {}x{}: {words:?} not in the chart's key:\n{}",
                            size.0,
                            size.1,
                            screen.join("\n")
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0, "no chart drawn");
}

/// The band picker spells its floor as its Floor column does: `floor 55.0%` over `55.0%`, not
/// `floor 55.0 %` (seen in every scenario's picker title).
#[test]
fn the_band_pickers_floor_is_spelt_as_its_column() {
    let mut checked = 0;
    for scenario in scenarios() {
        let (mut room, now) = room(scenario, 90);
        show(&mut room, '1', now);
        show(&mut room, 'b', now);
        for size in SIZES {
            let screen = draw(&room, size, now);
            let Some(title) = screen.iter().find(|row| row.contains("Price band of")) else {
                continue;
            };
            let floor = title
                .split(" floor ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or_default();
            assert!(
                floor.ends_with('%') && floor.len() > 1,
                "{scenario} {}x{}: the title's floor reads {floor:?}: {title}",
                size.0,
                size.1
            );
            assert!(
                screen.iter().any(|row| row.contains(&format!(" {floor} "))),
                "{scenario} {}x{}: {floor} not in the Floor column:\n{}",
                size.0,
                size.1,
                screen.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no band picker drawn");
}

/// A possible overage or shortfall says what its range is in and what it costs: the Cost
/// column and the chart read `may run over (≤2114 = 14798.00 USD)`, never a bare
/// `may run over (0–2114)`, which reads as money without its currency (popup-day and
/// contract-edge at 90 s, 120×40 and 200×60).
#[test]
fn a_possible_overage_carries_its_cost() {
    let mut checked = 0;
    for scenario in scenarios() {
        for seconds in [90, 240] {
            let (mut room, now) = room(scenario, seconds);
            let currencies: Vec<String> = room
                .state()
                .shown_board()
                .hubs()
                .iter()
                .map(|h| format!(" {}", h.capacity.currency))
                .collect();
            for (key, view) in VIEWS {
                show(&mut room, key, now);
                for size in SIZES {
                    let screen = draw(&room, size, now);
                    for row in &screen {
                        for word in ["may run over (", "may fall short ("] {
                            for (i, _) in row.match_indices(word) {
                                let inside = row[i + word.len()..].split(')').next().unwrap_or("");
                                assert!(
                                    currencies.iter().any(|c| inside.contains(c.as_str())),
                                    "{scenario} {seconds}s {view} {}x{}: {word}{inside}) has no cost: {row}",
                                    size.0,
                                    size.1
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 0,
        "no possible overage or shortfall drawn with its range"
    );
}

/// The drop details give the share sold so far beside the stock it is a share of, not after
/// the outlook at close: `≈1035 (295–1481) left at close, 10.3% sold` read as 10.3 % sold at
/// close, against 1035 of 3000 left (launch, every size).
#[test]
fn drop_details_give_the_share_sold_beside_the_stock() {
    let mut checked = 0;
    for scenario in scenarios() {
        for seconds in [6, 90, 240] {
            let (mut room, now) = room(scenario, seconds);
            show(&mut room, '1', now);
            press_enter(&mut room, now);
            let screen = draw(&room, (120, 40), now);
            let Some(outlook) = screen.iter().find(|row| row.contains("│stock outlook")) else {
                continue;
            };
            assert!(
                !outlook.contains("% sold"),
                "{scenario} {seconds}s: a share sold after the outlook at close: {outlook}"
            );
            let stock = screen
                .iter()
                .find(|row| row.contains("│stock "))
                .unwrap_or_else(|| panic!("no stock row:\n{}", screen.join("\n")));
            assert!(
                stock.contains("allocated (") && stock.contains("%)"),
                "{scenario} {seconds}s: no share sold beside the stock: {stock}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no drop details drawn");
}

/// With only pending conditions in the Alerts panel, the alert details say so rather than
/// `no alert selected` under a panel that lists one (contract-edge and quiet in their first
/// seconds: `crit  pending 0s · jfk-4 is 30 units over its contract`); with none at all,
/// `no alert firing`, as the banner says.
#[test]
fn alert_details_with_only_pending_conditions_say_so() {
    let (mut with_pending, mut with_none) = (0, 0);
    for scenario in scenarios() {
        for seconds in [0, 2, 4, 6, 8, 10] {
            let (mut room, now) = room(scenario, seconds);
            let pending = room.state().alerts().pending().len();
            if room.state().alerts().firing().next().is_some() {
                continue;
            }
            show(&mut room, '1', now);
            show(&mut room, 'l', now);
            press_enter(&mut room, now);
            let screen = draw(&room, (100, 30), now);
            let words = if pending == 0 {
                "no alert firing".to_owned()
            } else {
                format!("no alert firing yet ({pending} pending in the Alerts panel)")
            };
            assert!(
                screen.iter().any(|row| row.contains(&words)),
                "{scenario} {seconds}s: {words:?} not in the details:\n{}",
                screen.join("\n")
            );
            if pending == 0 {
                with_none += 1;
            } else {
                with_pending += 1;
            }
        }
    }
    assert!(
        with_pending > 0 && with_none > 0,
        "pending only: {with_pending}, no alert at all: {with_none}"
    );
}
