//! `update` driven by key presses and feed reports: what the operator does, what is sent, what is
//! refused, what is audited. Each test states the one thing it would catch.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod ui_common;

use chrono::TimeDelta;
use crossterm::event::KeyCode;

use dropday::app::audit::AuditOutcome;
use dropday::app::keymap::Keymap;
use dropday::app::ledger::ActionStatus;
use dropday::app::overlay::{Choice, Overlay};
use dropday::app::state::{Focus, View};
use dropday::app::{Effect, Event, Room, RoomConfig, rows};
use dropday::feed::events::{
    AttemptResult, ControlAction, ControlReport, ControlRequest, PollOutcome, PollReport,
};
use dropday::feed::{FeedFailure, FeedKind};
use ui_common::{
    ch, config, ctrl, draw, key, now, overrides, press, screen_text, state, state_with, theme,
    typed,
};

fn sends(effects: &[Effect]) -> Vec<&ControlRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(request) => Some(request),
            _ => None,
        })
        .collect()
}

fn message(state: &Room) -> String {
    state
        .session
        .current_message(now())
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn read_only_config() -> RoomConfig {
    RoomConfig {
        read_only: true,
        ..config()
    }
}

fn report(action_id: u64, attempt: u32, result: AttemptResult, last: bool) -> Event {
    Event::Control(ControlReport {
        action_id,
        attempt,
        sent_at: now(),
        received_at: now() + TimeDelta::milliseconds(140),
        result,
        last,
    })
}

fn confirmed_pause(state: &mut Room) -> ControlRequest {
    let effects = press(state, [ch('p'), ch('y')]);
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1);
    sent[0].clone()
}

#[test]
fn pause_confirmed_with_y_sends_exactly_one_request() {
    let mut state = state();
    let effects = press(&mut state, [ch('p')]);
    assert!(effects.is_empty(), "p alone sends nothing");
    let Some(Overlay::Confirm(confirm)) = state.session.overlay() else {
        panic!("p opens a confirmation, got {:?}", state.session.overlay());
    };
    assert_eq!(confirm.choice, Choice::Cancel, "Cancel has the focus");
    assert_eq!(confirm.environment, "staging");
    assert_eq!(confirm.change, "state live → paused");

    let effects = press(&mut state, [ch('y')]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    let request = sends(&effects)[0];
    assert_eq!(request.drop_id, "hoodie-01");
    assert_eq!(request.action, ControlAction::Pause);
    assert_eq!(request.action_id, 1);
    let key = uuid::Uuid::parse_str(&request.idempotency_key).expect("a UUID");
    assert_eq!(key.get_version_num(), 4);
    assert!(state.session.overlay().is_none());
    assert_eq!(state.board.ledger().entries().len(), 1);
    assert_eq!(
        state.board.ledger().entries()[0].status,
        ActionStatus::Pending
    );
}

#[test]
fn every_confirmation_gets_a_fresh_key_and_id() {
    let mut state = state();
    let first = confirmed_pause(&mut state);
    let second = confirmed_pause(&mut state);
    assert_ne!(first.idempotency_key, second.idempotency_key);
    assert_eq!((first.action_id, second.action_id), (1, 2));
}

#[test]
fn pause_cancelled_sends_nothing() {
    for cancel in [
        key(KeyCode::Esc),
        key(KeyCode::Enter),
        ch('n'),
        ch('q'),
        ch('p'),
    ] {
        let mut state = state();
        let effects = press(&mut state, [ch('p'), cancel.clone()]);
        assert!(effects.is_empty(), "{cancel:?} must cancel: {effects:?}");
        assert!(state.session.overlay().is_none(), "{cancel:?}");
        assert!(state.board.ledger().entries().is_empty());
        assert!(
            !state.session.quitting(),
            "q in a dialog cancels, it does not quit"
        );
    }
}

#[test]
fn enter_on_confirm_button_sends() {
    let mut state = state();
    let effects = press(
        &mut state,
        [ch('p'), key(KeyCode::Right), key(KeyCode::Enter)],
    );
    assert_eq!(sends(&effects).len(), 1);
    // and back to Cancel: Enter cancels again
    let effects = press(
        &mut state,
        [
            ch('p'),
            key(KeyCode::Right),
            key(KeyCode::Left),
            key(KeyCode::Enter),
        ],
    );
    assert!(sends(&effects).is_empty());
}

#[test]
fn band_flow_picks_confirms_and_sends() {
    let mut state = state();
    press(&mut state, [ch('b')]);
    let Some(Overlay::BandPicker(picker)) = state.session.overlay() else {
        panic!("b opens the picker, got {:?}", state.session.overlay());
    };
    assert_eq!(picker.selected, 0, "opens on the active band A");
    let effects = press(&mut state, [ch('j'), key(KeyCode::Enter)]);
    assert!(effects.is_empty());
    let Some(Overlay::Confirm(confirm)) = state.session.overlay() else {
        panic!(
            "choosing B asks for confirmation, got {:?}",
            state.session.overlay()
        );
    };
    assert_eq!(
        confirm.change,
        "band A 65.00 USD, margin 63.1 % → band B 72.00 USD, margin 66.7 %"
    );
    let effects = press(&mut state, [ch('y')]);
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].action, ControlAction::SetBand("B".to_owned()));
}

#[test]
fn band_below_floor_is_refused_before_sending() {
    let mut state = state();
    let effects = press(&mut state, [ch('b'), ch('j'), ch('j'), key(KeyCode::Enter)]);
    assert!(effects.is_empty(), "nothing may be sent: {effects:?}");
    assert!(
        matches!(state.session.overlay(), Some(Overlay::BandPicker(_))),
        "the picker stays open so another band can be chosen"
    );
    let text = message(&state);
    assert!(
        text.contains("band C") && text.contains("40.0 %") && text.contains("55.0 %"),
        "{text}"
    );
    // and y afterwards does not send either
    assert!(sends(&press(&mut state, [ch('y')])).is_empty());
}

#[test]
fn active_band_is_not_asked_again() {
    let mut state = state();
    press(&mut state, [ch('b'), key(KeyCode::Enter)]);
    assert!(matches!(
        state.session.overlay(),
        Some(Overlay::BandPicker(_))
    ));
    assert!(message(&state).contains("already active"));
}

#[test]
fn read_only_refuses_every_control_path_and_says_why() {
    for events in [
        vec![ch('p')],
        // The picker opens to look at the margins (issue 10); choosing says why not.
        vec![
            ch('b'),
            key(KeyCode::Down),
            key(KeyCode::Enter),
            key(KeyCode::Esc),
        ],
        [vec![ch(':')], typed("pause hoodie-01")].concat(),
        [vec![ch(':')], typed("band hoodie-01 B")].concat(),
    ] {
        // A fresh room each time, so the message read is the one these keys left.
        let mut state = state_with(read_only_config());
        let effects = press(&mut state, events.clone());
        assert!(effects.is_empty(), "{events:?}: {effects:?}");
        assert!(
            state.session.overlay().is_none(),
            "{events:?}: {:?}",
            state.session.overlay()
        );
        let text = message(&state);
        assert!(
            text.contains("read-only") && text.contains("--read-only"),
            "{text}"
        );
    }
}

#[test]
fn a_403_turns_the_session_read_only() {
    let mut state = state();
    let request = confirmed_pause(&mut state);
    let effects = press(
        &mut state,
        [report(
            request.action_id,
            1,
            AttemptResult::Refused {
                status: 403,
                code: "forbidden".to_owned(),
                message: "token may only read".to_owned(),
            },
            true,
        )],
    );
    assert!(state.state().access().is_read_only());
    let audits: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(record) => Some(record),
            _ => None,
        })
        .collect();
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].outcome, AuditOutcome::Refused);
    assert!(press(&mut state, [ch('p')]).is_empty());
    assert!(message(&state).contains("403"), "{}", message(&state));
}

#[test]
fn one_audit_record_per_action_at_its_final_outcome() {
    let mut state = state();
    let request = confirmed_pause(&mut state);
    let timeout = || AttemptResult::NoAnswer(FeedFailure::Timeout { timeout_ms: 5000 });
    let retry = press(&mut state, [report(request.action_id, 1, timeout(), false)]);
    assert!(retry.is_empty(), "a retry is not an outcome: {retry:?}");
    let last = press(&mut state, [report(request.action_id, 2, timeout(), true)]);
    let [Effect::Audit(record)] = last.as_slice() else {
        panic!("exactly one audit record, got {last:?}");
    };
    assert_eq!(record.outcome, AuditOutcome::Unknown);
    assert_eq!(record.attempts, 2);
    assert_eq!(record.idempotency_key, request.idempotency_key);
    assert_eq!(record.user.as_deref(), Some("ana"));
    assert_eq!(record.ssh_client.as_deref(), Some("10.0.0.7"));
    assert_eq!(record.environment, "staging");
    assert!(message(&state).contains("check the drop"));
    // a duplicate last report audits nothing more
    assert!(press(&mut state, [report(request.action_id, 2, timeout(), true)]).is_empty());
}

#[test]
fn applied_action_is_audited_and_fetched() {
    let mut state = state();
    let request = confirmed_pause(&mut state);
    let drop = state.board.feeds().drops()[0].clone();
    let effects = press(
        &mut state,
        [report(
            request.action_id,
            1,
            AttemptResult::Applied(Box::new(drop)),
            true,
        )],
    );
    assert!(effects.contains(&Effect::PollNow));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Audit(record) if record.outcome == AuditOutcome::Applied))
    );
    assert_eq!(
        state.board.ledger().entries()[0].status,
        ActionStatus::Applied
    );
}

#[test]
fn pause_of_a_scheduled_drop_is_refused_locally() {
    let mut state = state();
    let effects = press(&mut state, [ch('j'), ch('p')]);
    assert!(effects.is_empty());
    assert!(state.session.overlay().is_none());
    assert!(
        message(&state).contains("cap-02 is scheduled"),
        "{}",
        message(&state)
    );
}

#[test]
fn command_line_runs_commands_through_the_same_checks() {
    let mut state = state();
    press(&mut state, [ch(':')]);
    assert!(matches!(
        state.session.overlay(),
        Some(Overlay::CommandLine(_))
    ));
    press(&mut state, typed("pause hoodie-01"));
    assert!(
        matches!(state.session.overlay(), Some(Overlay::Confirm(c)) if c.action == ControlAction::Pause),
        "{:?}",
        state.session.overlay()
    );
    assert_eq!(sends(&press(&mut state, [ch('y')])).len(), 1);

    let effects = press(
        &mut state,
        [vec![ch(':')], typed("band hoodie-01 C")].concat(),
    );
    assert!(effects.is_empty());
    assert!(message(&state).contains("under the 55.0 % floor"));

    press(
        &mut state,
        [vec![ch(':')], typed("resume hoodie-01")].concat(),
    );
    assert!(
        message(&state).contains("nothing to resume"),
        "{}",
        message(&state)
    );

    press(&mut state, [vec![ch(':')], typed("explode")].concat());
    assert!(message(&state).contains("unknown command"));

    // typing q into the line is text, not quit; :q quits
    press(
        &mut state,
        [ch(':'), ch('q'), key(KeyCode::Backspace), key(KeyCode::Esc)],
    );
    assert!(!state.session.quitting());
    let effects = press(&mut state, [ch(':'), ch('q'), key(KeyCode::Enter)]);
    assert_eq!(effects, vec![Effect::Quit]);
}

#[test]
fn ctrl_c_quits_even_from_the_command_line() {
    let mut state = state();
    let effects = press(&mut state, [ch(':'), ch('x'), ctrl('c')]);
    assert_eq!(effects, vec![Effect::Quit]);
    assert!(state.session.quitting());
}

#[test]
fn help_toggles_and_closes_with_esc() {
    let mut state = state();
    press(&mut state, [ch('?')]);
    assert_eq!(state.session.overlay(), Some(&Overlay::Help));
    press(&mut state, [ch('?')]);
    assert_eq!(state.session.overlay(), None);
    press(&mut state, [ch('?'), key(KeyCode::Esc)]);
    assert_eq!(state.session.overlay(), None);
    // another key closes the help and does its job
    press(&mut state, [ch('?'), ch('2')]);
    assert_eq!(
        (state.session.overlay().cloned(), state.session.view()),
        (None, View::Fulfilment)
    );
}

#[test]
fn views_cycle_with_tab_and_numbers() {
    let mut state = state();
    press(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(state.session.view(), View::Fulfilment);
    press(&mut state, [key(KeyCode::BackTab), key(KeyCode::BackTab)]);
    assert_eq!(state.session.view(), View::Log);
    press(&mut state, [ch('4')]);
    assert_eq!(state.session.view(), View::Actions);
}

#[test]
fn remapped_keys_dispatch_and_show_in_help() {
    let keymap = Keymap::with_overrides(&overrides(&[("pause", "P")])).expect("valid");
    let mut state = state_with(RoomConfig { keymap, ..config() });
    press(&mut state, [ch('p')]);
    assert!(state.session.overlay().is_none(), "p is no longer bound");
    press(&mut state, [ch('P')]);
    assert!(matches!(state.session.overlay(), Some(Overlay::Confirm(_))));
    press(&mut state, [key(KeyCode::Esc), ch('?')]);
    let screen = screen_text(&draw(&state, 80, 24, &theme()));
    assert!(screen.contains(" P         pause/resume"), "{screen}");
}

#[test]
fn remapped_dialog_keys_dispatch_and_show_in_the_dialog_and_help() {
    let keymap = Keymap::with_overrides(&overrides(&[("confirm", "o")])).expect("valid");
    let mut state = state_with(RoomConfig { keymap, ..config() });
    let effects = press(&mut state, [ch('p'), ch('y')]);
    assert!(
        sends(&effects).is_empty(),
        "y no longer confirms: {effects:?}"
    );
    assert!(
        state.session.overlay().is_none(),
        "y cancels like any other key"
    );
    press(&mut state, [ch('p')]);
    let screen = screen_text(&draw(&state, 100, 30, &theme()));
    assert!(
        screen.contains("o confirms · Left/Right choose"),
        "{screen}"
    );
    let effects = press(&mut state, [ch('o')]);
    assert_eq!(sends(&effects).len(), 1, "o confirms");
    press(&mut state, [ch('?')]);
    let screen = screen_text(&draw(&state, 80, 24, &theme()));
    assert!(
        screen.contains("Confirm: o, or Enter on [Confirm]"),
        "{screen}"
    );
}

#[test]
fn triage_filter_applies_while_typing_and_esc_clears() {
    let mut state = state();
    press(&mut state, [ch('2'), ch('/')]);
    press(&mut state, "reason:carrier".chars().map(ch));
    assert_eq!(rows::overdue(&state.state()).len(), 2);
    press(&mut state, [key(KeyCode::Enter)]);
    assert_eq!(
        rows::overdue(&state.state()).len(),
        2,
        "Enter keeps the filter"
    );
    press(&mut state, [ch('/')]);
    press(&mut state, " hub:ewr".chars().map(ch));
    press(&mut state, [key(KeyCode::Enter)]);
    let left: Vec<&str> = rows::overdue(&state.state())
        .iter()
        .map(|(_, o)| o.order_id.as_str())
        .collect();
    assert_eq!(left, ["BM-1001"]);
    press(&mut state, [key(KeyCode::Esc)]);
    assert_eq!(rows::overdue(&state.state()).len(), 4, "Esc clears");
}

#[test]
fn alerts_are_acknowledged_and_silenced_from_the_highlight() {
    let mut state = state();
    press(&mut state, [ch('l')]);
    assert_eq!(state.session.focus(), Focus::Alerts);
    press(&mut state, [ch('j'), ch('a')]);
    let second = rows::alerts(&state.state())[1];
    assert!(second.acknowledged, "{second:?}");
    assert!(!rows::alerts(&state.state())[0].acknowledged);

    press(&mut state, [ch('s')]);
    let until = rows::alerts(&state.state())[1]
        .silenced_until
        .expect("silenced");
    assert_eq!(until - now(), TimeDelta::minutes(15));
    press(&mut state, [ch('s')]);
    let until = rows::alerts(&state.state())[1]
        .silenced_until
        .expect("silenced");
    assert_eq!(until - now(), TimeDelta::hours(1));
}

#[test]
fn freeze_keeps_the_display_while_polls_land() {
    let mut state = state();
    press(&mut state, [ch('f')]);
    assert!(state.session.frozen().is_some());
    let failure = Event::Poll(PollReport {
        feed: FeedKind::Marketplace,
        sent_at: now(),
        received_at: now(),
        outcome: PollOutcome::Failed(FeedFailure::Connect("refused".to_owned())),
    });
    press(&mut state, [failure]);
    assert!(
        state
            .board
            .feeds()
            .health(FeedKind::Marketplace)
            .last_error
            .is_some()
    );
    assert!(
        state
            .state()
            .shown_board()
            .health(FeedKind::Marketplace)
            .last_error
            .is_none()
    );
    press(&mut state, [ch('f')]);
    assert!(state.session.frozen().is_none());
}

#[test]
fn a_failed_feed_is_said_in_words_and_the_last_data_stays() {
    let mut state = state();
    let failure = Event::Poll(PollReport {
        feed: FeedKind::Marketplace,
        sent_at: now(),
        received_at: now(),
        outcome: PollOutcome::Failed(FeedFailure::Timeout { timeout_ms: 5000 }),
    });
    press(&mut state, [failure]);
    let screen = screen_text(&draw(&state, 120, 30, &theme()));
    assert!(
        screen.contains("marketplace failed: no answer within 5000 ms"),
        "{screen}"
    );
    assert!(screen.contains("ERROR"), "{screen}");
    assert!(
        screen.contains("hoodie-01"),
        "the last good data stays: {screen}"
    );
}

#[test]
fn tiny_and_odd_sizes_draw_without_panic() {
    let mut state = state();
    press(&mut state, [Event::Resize(1, 1)]);
    assert_eq!(state.session.size(), (1, 1));
    let screen = screen_text(&draw(&state, 20, 5, &theme()));
    assert!(screen.contains("need 80×24"), "{screen}");
    assert!(screen.contains("have 20×5"), "{screen}");
    // q still quits on a small screen
    assert_eq!(press(&mut state.clone(), [ch('q')]), vec![Effect::Quit]);

    let overlays = [
        vec![],
        vec![ch('?')],
        vec![ch('b')],
        vec![ch('p')],
        vec![ch(':')],
        vec![key(KeyCode::Enter)],
    ];
    for view in ['1', '2', '3', '4', '5'] {
        for overlay in &overlays {
            let mut state = state.clone();
            press(&mut state, [key(KeyCode::Esc), ch(view)]);
            press(&mut state, overlay.clone());
            for (width, height) in [(1, 1), (20, 5), (79, 23), (80, 24), (81, 25), (200, 60)] {
                for ascii in [false, true] {
                    let theme = dropday::ui::Theme::fixed(dropday::ui::ColorMode::Ansi256, ascii);
                    let screen = screen_text(&draw(&state, width, height, &theme));
                    if ascii && width >= 80 && height >= 24 {
                        let drawing = screen
                            .chars()
                            .find(|c| dropday::ui::ascii::replacement(*c).is_some());
                        assert_eq!(drawing, None, "view {view} {width}x{height}:\n{screen}");
                    }
                }
            }
        }
    }
}

#[test]
fn alert_rules_run_on_the_tick_not_on_each_report() {
    use dropday::model::alerts::AlertKind;
    let mut state = state();
    let failure = Event::Poll(PollReport {
        feed: FeedKind::Marketplace,
        sent_at: now(),
        received_at: now(),
        outcome: PollOutcome::Failed(FeedFailure::Connect("refused".to_owned())),
    });
    state.update(failure, now());
    let feed_error = |state: &Room| {
        state
            .board
            .alerts()
            .firing()
            .any(|a| a.kind == AlertKind::FeedError && a.subject == "marketplace")
    };
    assert!(
        !feed_error(&state),
        "a report changes the board; the rules wait for the tick"
    );
    let tick = now() + TimeDelta::seconds(1);
    state.update(Event::Tick(tick), tick);
    assert!(feed_error(&state), "the next tick raises it");
}

// -- safe and quick hands (issue 10) ----------------------------------------------------------

#[test]
fn read_only_offers_no_action_keys_and_the_picker_only_shows() {
    let mut state = state_with(read_only_config());
    let screen = screen_text(&draw(&state, 120, 40, &theme()));
    let footer = screen.lines().last().unwrap_or("");
    assert!(footer.contains("? help"), "{footer}");
    for hidden in ["p pause", "b band"] {
        assert!(
            !footer.contains(hidden),
            "read-only footer offers {hidden}: {footer}"
        );
    }
    press(&mut state, [ch('?')]);
    let help = screen_text(&draw(&state, 120, 40, &theme()));
    assert!(!help.contains("pause/resume drop"), "{help}");
    assert!(!help.contains("price band picker"), "{help}");
    assert!(
        help.contains("b shows the bands; nothing is sent"),
        "{help}"
    );
    press(&mut state, [key(KeyCode::Esc)]);

    // b opens the picker to look at the margins, and says it is only to look.
    let effects = press(&mut state, [ch('b')]);
    assert!(effects.is_empty());
    assert!(
        matches!(state.session.overlay(), Some(Overlay::BandPicker(_))),
        "{:?}",
        state.session.overlay()
    );
    let picker = screen_text(&draw(&state, 100, 30, &theme()));
    assert!(picker.contains("Price band of hoodie-01"), "{picker}");
    assert!(picker.contains("nothing can be sent"), "{picker}");
    // Choosing a band sends nothing and says why; the picker stays open to look on.
    let effects = press(&mut state, [key(KeyCode::Down), key(KeyCode::Enter)]);
    assert!(sends(&effects).is_empty(), "{effects:?}");
    assert!(matches!(
        state.session.overlay(),
        Some(Overlay::BandPicker(_))
    ));
    assert!(message(&state).contains("read-only"), "{}", message(&state));
    assert!(state.board.ledger().entries().is_empty());
}

#[test]
fn a_long_read_only_reason_ends_at_a_word_at_80_columns() {
    let mut state = state_with(read_only_config());
    press(&mut state, [ch('p')]);
    let screen = screen_text(&draw(&state, 80, 24, &theme()));
    let status = screen.lines().last().unwrap_or("").trim_end();
    assert!(
        status.starts_with("read-only (started with --read-only)"),
        "{status}"
    );
    let tabs = screen.lines().nth(2).unwrap_or("").trim_end();
    // Whole words, or a word and `…`: never `read-only: started wi`.
    let tail = tabs.rsplit("  ").next().unwrap_or("");
    assert!(
        tail.ends_with('…') || tail.ends_with("--read-only") || !tail.contains("read-only"),
        "{tabs}"
    );
}

fn production_config() -> RoomConfig {
    RoomConfig {
        environment: "prod".to_owned(),
        type_to_confirm: true,
        ..config()
    }
}

#[test]
fn production_asks_for_the_drop_id_typed_out() {
    let mut state = state_with(production_config());
    press(&mut state, [ch('p')]);
    let Some(Overlay::Confirm(confirm)) = state.session.overlay() else {
        panic!("p opens the confirmation: {:?}", state.session.overlay());
    };
    assert_eq!(confirm.typed.as_deref(), Some(""));
    let dialog = screen_text(&draw(&state, 100, 30, &theme()));
    assert!(dialog.contains("Type hoodie-01 to confirm"), "{dialog}");

    // A reflex y (or Enter) sends nothing: y is a letter typed, Enter checks the id.
    let effects = press(&mut state, [ch('y'), key(KeyCode::Enter)]);
    assert!(sends(&effects).is_empty(), "{effects:?}");
    assert!(
        message(&state).contains("not hoodie-01"),
        "{}",
        message(&state)
    );
    let effects = press(&mut state, [key(KeyCode::Backspace)]);
    assert!(effects.is_empty());
    let effects = press(&mut state, typed("HOODIE-01"));
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert_eq!(sent[0].drop_id, "hoodie-01");
    assert_eq!(sent[0].action, ControlAction::Pause);

    // Band switches too; Esc cancels.
    let effects = press(
        &mut state,
        [
            vec![ch(':')],
            typed("band hoodie-01 B"),
            vec![ch('y')],
            vec![key(KeyCode::Esc)],
        ]
        .concat(),
    );
    assert!(sends(&effects).is_empty(), "{effects:?}");
    assert!(state.session.overlay().is_none());
    assert_eq!(message(&state), "cancelled: nothing sent");
    // Staging keeps `y`.
    let mut staging = ui_common::state();
    assert_eq!(sends(&press(&mut staging, [ch('p'), ch('y')])).len(), 1);
}

#[test]
fn tab_completes_commands_drop_ids_and_bands_in_any_case() {
    let mut state = state();
    press(&mut state, [ch(':'), ch('p'), ch('a'), key(KeyCode::Tab)]);
    assert_eq!(
        state.session.overlay(),
        Some(&Overlay::CommandLine("pause ".to_owned()))
    );
    press(&mut state, [ch('H'), ch('O'), key(KeyCode::Tab)]);
    assert_eq!(
        state.session.overlay(),
        Some(&Overlay::CommandLine("pause hoodie-01 ".to_owned()))
    );
    press(&mut state, [key(KeyCode::Enter)]);
    assert!(
        matches!(state.session.overlay(), Some(Overlay::Confirm(c)) if c.drop_id == "hoodie-01"),
        "{:?}",
        state.session.overlay()
    );
    press(&mut state, [key(KeyCode::Esc)]);

    // Several bands: the candidates are named, the word stays.
    press(&mut state, [ch(':')]);
    press(&mut state, "band HOODIE-01 ".chars().map(ch));
    press(&mut state, [key(KeyCode::Tab)]);
    let named = message(&state);
    assert!(
        named.contains('A') && named.contains('B') && named.contains('C'),
        "{named}"
    );
    let screen = screen_text(&draw(&state, 100, 30, &theme()));
    let status = screen.lines().last().unwrap_or("");
    assert!(
        status.starts_with(":band HOODIE-01 ") && status.contains("A  B  C"),
        "the candidates stand beside the line: {status}"
    );
    press(&mut state, [ch('b'), key(KeyCode::Tab)]);
    assert_eq!(
        state.session.overlay(),
        Some(&Overlay::CommandLine("band HOODIE-01 B ".to_owned()))
    );
    // Ids in any case reach the same drop and band.
    press(&mut state, [key(KeyCode::Enter)]);
    let Some(Overlay::Confirm(confirm)) = state.session.overlay() else {
        panic!(
            "band B asks: {:?} {}",
            state.session.overlay(),
            message(&state)
        );
    };
    assert_eq!(confirm.drop_id, "hoodie-01");
    assert_eq!(confirm.action, ControlAction::SetBand("B".to_owned()));
}

#[test]
fn the_filter_line_edits_the_filter_and_refuses_unknown_columns() {
    let mut state = state();
    press(&mut state, [ch('2'), ch('/')]);
    press(&mut state, typed("hub:ewr"));
    press(&mut state, [ch('/')]);
    assert_eq!(
        state.session.overlay(),
        Some(&Overlay::FilterInput("hub:ewr ".to_owned())),
        "/ again edits the filter in force, a new term after a space"
    );
    press(&mut state, typed("colour:red"));
    assert!(
        matches!(state.session.overlay(), Some(Overlay::FilterInput(_))),
        "the line stays open to mend"
    );
    let said = message(&state);
    assert!(
        said.contains("no column `colour`") && said.contains("reason"),
        "{said}"
    );
    // Tab completes a column name.
    press(
        &mut state,
        [
            key(KeyCode::Esc),
            ch('/'),
            ch('r'),
            ch('e'),
            key(KeyCode::Tab),
        ],
    );
    assert_eq!(
        state.session.overlay(),
        Some(&Overlay::FilterInput("reason:".to_owned()))
    );
}

#[test]
fn triage_sorts_by_key_and_by_command() {
    let mut state = state();
    press(&mut state, [ch('2')]);
    let hubs = |state: &Room| -> Vec<String> {
        rows::overdue(&state.state())
            .iter()
            .map(|(hub, _)| (*hub).to_owned())
            .collect()
    };
    let by_age = hubs(&state);
    press(&mut state, [ch('o')]);
    assert_eq!(state.session.triage_sort(), rows::TriageSort::Hub);
    let screen = screen_text(&draw(&state, 120, 40, &theme()));
    assert!(
        screen.contains(", by hub"),
        "the order in force is on screen:\n{screen}"
    );
    let by_hub = hubs(&state);
    let mut sorted = by_hub.clone();
    sorted.sort();
    assert_eq!(by_hub, sorted);
    assert_ne!(by_age, by_hub, "the fixture's ages interleave the hubs");
    press(&mut state, [vec![ch(':')], typed("sort reason")].concat());
    let reasons: Vec<String> = rows::overdue(&state.state())
        .iter()
        .map(|(_, o)| o.reason.clone())
        .collect();
    let mut sorted = reasons.clone();
    sorted.sort();
    assert_eq!(reasons, sorted);
    press(&mut state, [vec![ch(':')], typed("sort age")].concat());
    assert_eq!(hubs(&state), by_age);
}

#[test]
fn export_writes_the_filtered_list_as_csv() {
    let mut state = state();
    press(&mut state, [ch('2'), ch('/')]);
    press(&mut state, typed("hub:lax"));
    let effects = press(
        &mut state,
        [vec![ch(':')], typed("export late.csv")].concat(),
    );
    let [Effect::Export { file, csv }] = effects.as_slice() else {
        panic!("one export effect: {effects:?}");
    };
    assert_eq!(file, "late.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "hub,order,drop,stage,reason,due_utc,overdue_minutes"
    );
    assert_eq!(lines.len(), 1 + rows::overdue(&state.state()).len());
    assert!(lines[1..].iter().all(|l| l.starts_with("lax-2,")), "{csv}");
    assert!(
        csv.contains("LX-2002,hoodie-01,received,address_hold,2026-11-27T17:20:00Z,40"),
        "{csv}"
    );
    // What came of it is said on the status line.
    press(
        &mut state,
        [Event::Exported(Ok("/srv/exports/late.csv".to_owned()))],
    );
    assert_eq!(message(&state), "exported to /srv/exports/late.csv");
    press(
        &mut state,
        [Event::Exported(Err("/nope: denied".to_owned()))],
    );
    assert_eq!(message(&state), "export failed: /nope: denied");
}

#[test]
fn a_new_alert_rings_the_bell_once_at_the_sessions_level() {
    use dropday::app::session::Bell;
    use dropday::model::alerts::Severity;
    let rings = |bell: Bell| -> (usize, usize) {
        let mut room = Room::new(RoomConfig { bell, ..config() }, ui_common::board());
        let first = room.update(Event::Tick(now()), now());
        let again = room.update(Event::Tick(now() + TimeDelta::seconds(1)), now());
        let count = |effects: &[Effect]| effects.iter().filter(|e| **e == Effect::Bell).count();
        (count(&first), count(&again))
    };
    let room = ui_common::state();
    let firing = |severity: Severity| room.board.alerts().firing().any(|a| a.severity == severity);
    assert!(firing(Severity::Warning), "the fixture raises a warning");
    let critical = usize::from(firing(Severity::Critical));
    assert_eq!(
        rings(Bell::Critical),
        (critical, 0),
        "once, and only for critical"
    );
    assert_eq!(
        rings(Bell::Warning),
        (1, 0),
        "one ring however many alerts came at once"
    );
    assert_eq!(rings(Bell::Off), (0, 0));
}

#[test]
fn the_sender_is_told_the_answer_applied_on_another_session() {
    use dropday::app::session::{Session, SessionConfig};
    use dropday::app::{follow_board, update};
    let mut room = ui_common::state();
    let request = confirmed_pause(&mut room);
    let drop = room.board.feeds().drops()[0].clone();
    // The board's own session (a served room's loop) applies the answer.
    let mut loop_session = Session::new(
        SessionConfig {
            read_only: Some("the board's own session".to_owned()),
            shared: true,
            keymap: Keymap::default(),
            operator: dropday::app::audit::Operator::default(),
            color: dropday::app::ColorMode::Never,
            ascii: true,
            bell: dropday::app::session::Bell::Off,
        },
        &room.board,
    );
    update(
        &mut room.board,
        &mut loop_session,
        report(
            request.action_id,
            1,
            AttemptResult::Applied(Box::new(drop)),
            true,
        ),
        now(),
    );
    assert!(message(&room).starts_with("sent:"), "{}", message(&room));
    follow_board(&room.board, &mut room.session, now());
    assert_eq!(message(&room), "pause hoodie-01: applied");
    // Told once.
    let later = now() + TimeDelta::seconds(9);
    follow_board(&room.board, &mut room.session, later);
    assert!(room.session.current_message(later).is_none());
}

#[test]
fn the_footer_keeps_q_quit_at_80_columns() {
    let state = ui_common::state();
    for (width, height) in [(80, 24), (120, 40)] {
        let screen = screen_text(&draw(&state, width, height, &theme()));
        let footer = screen.lines().last().unwrap_or("").trim_end();
        assert!(footer.starts_with("? help"), "{footer}");
        assert!(footer.ends_with("q quit"), "{width}x{height}: {footer}");
    }
}

#[test]
fn alert_details_show_the_kinds_runbook() {
    use dropday::model::alerts::{AlertThresholds, KindSettings};
    let probe = ui_common::state();
    let first = rows::alerts(&probe.state())[0].kind;
    let mut thresholds = AlertThresholds::default();
    thresholds.kinds.insert(
        first,
        KindSettings {
            runbook: Some("https://wiki.example/runbooks/hubs".to_owned()),
            ..KindSettings::default()
        },
    );
    let mut state = state_with(RoomConfig {
        thresholds,
        ..config()
    });
    press(&mut state, [key(KeyCode::Right), key(KeyCode::Enter)]);
    let screen = screen_text(&draw(&state, 120, 40, &theme()));
    assert!(
        screen.contains("https://wiki.example/runbooks/hubs"),
        "{screen}"
    );
}

// -- alert delivery (issue 12) ----------------------------------------------------------------

#[test]
fn delivery_outcomes_show_per_sink_in_the_alerts_details() {
    use dropday::model::alerts::{AlertKind, DeliveryOutcome, DeliveryReport};
    let mut state = state();
    press(&mut state, [ch('l')]);
    let alert = rows::alerts(&state.state())[0].clone();
    press(&mut state, [key(KeyCode::Enter)]);
    let before = screen_text(&draw(&state, 120, 40, &theme()));
    assert!(
        before.contains(&format!("Alert {}", alert.kind.as_str())),
        "{before}"
    );
    assert!(
        !before.contains("delivery"),
        "no sink configured, no delivery line:\n{before}"
    );

    let report = |sink: &str, outcome: DeliveryOutcome, ago: i64| {
        Event::Delivery(DeliveryReport {
            sink: sink.to_owned(),
            kind: alert.kind,
            subject: alert.subject.clone(),
            change: "firing",
            outcome,
            at: now() - TimeDelta::seconds(ago),
        })
    };
    let http = |text: &str| text.to_owned();
    press(
        &mut state,
        [
            report(
                "pd",
                DeliveryOutcome::Retrying {
                    answer: http("HTTP 500"),
                    attempt: 1,
                },
                20,
            ),
            report(
                "am",
                DeliveryOutcome::Delivered {
                    answer: http("HTTP 200"),
                },
                12,
            ),
            report(
                "pd",
                DeliveryOutcome::Retrying {
                    answer: http("HTTP 503"),
                    attempt: 2,
                },
                5,
            ),
            report(
                "slack",
                DeliveryOutcome::Failed {
                    answer: http("HTTP 400: invalid_payload"),
                },
                3,
            ),
            report(
                "webhook",
                DeliveryOutcome::NotSent {
                    reason: http("silenced"),
                },
                1,
            ),
            // An alert the book does not hold is not kept.
            Event::Delivery(DeliveryReport {
                sink: "am".to_owned(),
                kind: AlertKind::FeedError,
                subject: "no-such-feed".to_owned(),
                change: "firing",
                outcome: DeliveryOutcome::Delivered {
                    answer: http("HTTP 200"),
                },
                at: now(),
            }),
        ],
    );
    assert_eq!(state.board.deliveries().alerts(), 1);
    let screen = screen_text(&draw(&state, 120, 40, &theme()));
    for line in [
        "delivery        am  delivered firing 12s ago (HTTP 200)",
        "delivery        pd  retrying firing (HTTP 503, attempt 2)",
        "delivery        slack  failed firing: HTTP 400: invalid_payload",
        "delivery        webhook  not sent: silenced",
    ] {
        assert!(screen.contains(line), "{line:?} missing:\n{screen}");
    }
    assert!(!screen.contains("HTTP 500"), "the latest per sink only");
}
