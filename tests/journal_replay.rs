//! `update` is a function of its events: a journal of keys, sizes, ticks, polls and control
//! answers replayed into two fresh rooms leaves the same board, the same session and the same
//! effects, step by step. Catches a clock, a random number or any hidden input sneaking into
//! the state machine (the idempotency key comes from the room's injected source).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod ui_common;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::KeyCode;

use dropday::app::{Effect, Event, Room, Session, SharedBoard};
use dropday::feed::events::{AttemptResult, ControlReport, PollOutcome, PollReport};
use dropday::feed::wire::{Drop, DropState, decode_document};
use dropday::feed::{FeedFailure, FeedKind};
use ui_common::{ch, key, now, state};

fn control(action_id: u64, attempt: u32, result: AttemptResult, last: bool) -> Event {
    Event::Control(ControlReport {
        action_id,
        attempt,
        sent_at: now(),
        received_at: now() + TimeDelta::milliseconds(140),
        result,
        last,
    })
}

fn paused_hoodie() -> Drop {
    let doc = decode_document::<Drop>(include_bytes!("fixtures/feeds_md_drops.json"))
        .expect("FEEDS.md drops");
    let mut drop = doc.entries[0].clone();
    drop.state = DropState::Paused;
    drop
}

/// Everything that can reach `update`, each with the local clock it arrives at.
fn journal() -> Vec<(Event, DateTime<Utc>)> {
    let second = |n: i64| now() + TimeDelta::seconds(n);
    let mut events = vec![(Event::Resize(120, 40), now())];
    // Acknowledge and silence the highlighted alert, then pause the highlighted drop.
    for c in ['l', 'j', 'a', 's', 'l', 'p', 'y'] {
        events.push((ch(c), now()));
    }
    events.push((
        control(
            1,
            1,
            AttemptResult::NoAnswer(FeedFailure::Connect("reset".to_owned())),
            false,
        ),
        second(1),
    ));
    events.push((
        control(
            1,
            2,
            AttemptResult::Applied(Box::new(paused_hoodie())),
            true,
        ),
        second(2),
    ));
    events.push((
        Event::Poll(PollReport {
            feed: FeedKind::Pos,
            sent_at: second(2),
            received_at: second(3),
            outcome: PollOutcome::Failed(FeedFailure::Timeout { timeout_ms: 2000 }),
        }),
        second(3),
    ));
    events.push((Event::Tick(second(4)), second(4)));
    // Filter the triage table, move in it, freeze and thaw the display.
    for c in ['2', '/', 's', 'h', 'o', 'r', 't'] {
        events.push((ch(c), second(5)));
    }
    events.push((key(KeyCode::Enter), second(5)));
    for c in ['j', 'f'] {
        events.push((ch(c), second(5)));
    }
    events.push((Event::Tick(second(6)), second(6)));
    events.push((ch('f'), second(7)));
    // A band change from the command line, refused with 403: the room turns read-only.
    events.push((ch('1'), second(8)));
    events.push((ch(':'), second(8)));
    for c in "band hoodie-01 B".chars() {
        events.push((ch(c), second(8)));
    }
    events.push((key(KeyCode::Enter), second(8)));
    events.push((ch('y'), second(8)));
    events.push((
        control(
            2,
            1,
            AttemptResult::Refused {
                status: 403,
                code: "forbidden".to_owned(),
                message: "token lacks operate".to_owned(),
            },
            true,
        ),
        second(9),
    ));
    events.push((ch('4'), second(10)));
    events.push((Event::Resize(80, 24), second(10)));
    events
}

/// The board as text. The model's board keeps hash maps inside, whose `Debug` order differs
/// between two instances, so this prints what it shows in their display order instead.
fn board_print(board: &SharedBoard) -> String {
    let feeds = board.feeds();
    let health: Vec<_> = FeedKind::ALL.iter().map(|f| feeds.health(*f)).collect();
    let overdue: Vec<_> = feeds.overdue_orders().collect();
    let firing: Vec<_> = board.alerts().firing().collect();
    let cleared: Vec<_> = board.alerts().recently_cleared().collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{health:?}\n{overdue:?}\n{firing:?}\n{cleared:?}\n{:?}\n{:?}\n{:?}",
        feeds.drops(),
        feeds.hubs(),
        feeds.popups(),
        board.ledger(),
        board.control_refused(),
        board.deployment(),
    )
}

/// The session as text (the frozen copy by its time and drops, for the same reason).
fn session_print(session: &Session) -> String {
    let frozen = session.frozen().map(|f| (f.at, f.board.drops().to_vec()));
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{frozen:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        session.view(),
        session.focus(),
        session.selection(),
        session.filters(),
        session.overlay(),
        session.message(),
        session.size(),
        session.access(),
        session.operator(),
        session.keymap(),
        session.color(),
        session.ascii(),
        session.quitting(),
    )
}

/// Replays the journal into a fresh room: the effects and the room after each event.
fn replay() -> (Room, Vec<(Vec<Effect>, String, String)>) {
    let mut room = state();
    let mut steps = Vec::new();
    for (event, at) in journal() {
        let effects = room.update(event, at);
        steps.push((
            effects,
            board_print(&room.board),
            session_print(&room.session),
        ));
    }
    (room, steps)
}

#[test]
fn same_journal_same_board_session_and_effects() {
    let (first_room, first) = replay();
    let (_, second) = replay();
    assert_eq!(first.len(), second.len());
    for (i, (a, b)) in first.iter().zip(&second).enumerate() {
        assert_eq!(a.0, b.0, "effects of event #{i}");
        assert_eq!(a.1, b.1, "board after event #{i}");
        assert_eq!(a.2, b.2, "session after event #{i}");
    }

    // The journal did what it says, so the comparison above compared something.
    let effects: Vec<&Effect> = first.iter().flat_map(|step| &step.0).collect();
    let keys: Vec<&str> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(request) => Some(request.idempotency_key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        keys,
        [
            "00000000-0000-4000-8000-000000000001",
            "00000000-0000-4000-8000-000000000002"
        ],
        "keys come from the room's id source"
    );
    let audits = effects
        .iter()
        .filter(|e| matches!(e, Effect::Audit(_)))
        .count();
    assert_eq!(audits, 2, "the applied pause and the refused band");
    assert!(effects.contains(&&Effect::PollNow));
    assert_eq!(first_room.board.ledger().entries().len(), 2);
    assert!(first_room.board.control_refused().is_some());
    assert!(first_room.state().access().is_read_only());
    assert_eq!(first_room.session.size(), (80, 24));
    assert!(first_room.board.alerts().firing().any(|a| a.acknowledged));
    assert!(first_room.session.frozen().is_none());
    assert_eq!(first_room.session.filters().overdue.text(), "short");
}
