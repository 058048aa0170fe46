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
        vec![ch('b')],
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
