//! Control actions when the marketplace misbehaves, through the real pieces: keys into `update`,
//! `Effect::Send` run by the real `ControlClient::execute` against the simulator, its reports back
//! into `update` as `Event::Control`. Whatever is lost on the way, a confirmed action is applied
//! at most once (the simulator's control log is the judge), the operator is told the final
//! outcome, and exactly one audit record says it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod faults_common;

use crossterm::event::KeyCode;
use tokio::sync::mpsc;

use dropday::app::audit::{AuditOutcome, AuditRecord};
use dropday::app::ledger::{ActionEntry, ActionStatus};
use dropday::app::state::View;
use dropday::feed::FeedKind;
use dropday::feed::control::{ControlClient, RetryPolicy};
use dropday::feed::events::{AttemptResult, ControlAction, ControlReport, ControlRequest};
use dropday::feed::wire::DropState;
use dropday::sim::{ControlAction as Applied, DropPattern, FaultKind, RunningSim};
use faults_common::{PATIENCE, Room, audits, ch, endpoint, endpoints, key, launch, sends};

/// A room with a control client on `sim`, every feed answering.
async fn operator(sim: &RunningSim) -> Room {
    let mut room = Room::start(endpoints(sim), 100)
        .with_control(endpoint(FeedKind::Marketplace, &sim.base_url()));
    room.until_all_ok("all feeds answer").await;
    room
}

/// `p` then `y` on the first drop (hoodie-01, live): the one request it sends.
fn confirm_pause(room: &mut Room) -> ControlRequest {
    let effects = room.press([ch('p'), ch('y')]);
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert_eq!(sent[0].action, ControlAction::Pause);
    assert_eq!(sent[0].drop_id, "hoodie-01");
    sent[0].clone()
}

/// `b`, down to band B, Enter, `y` on hoodie-01 (band A active).
fn confirm_band_b(room: &mut Room) -> ControlRequest {
    let effects = room.press([ch('b'), ch('j'), key(KeyCode::Enter), ch('y')]);
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}\n{}", room.screen);
    assert_eq!(sent[0].action, ControlAction::SetBand("B".to_owned()));
    sent[0].clone()
}

/// Waits until the action settles in the ledger; returns its entry.
async fn settled(room: &mut Room, request: &ControlRequest) -> ActionEntry {
    let id = request.action_id;
    let find = |state: &dropday::app::Room| {
        state
            .board
            .ledger()
            .entries()
            .iter()
            .find(|e| e.request.action_id == id)
            .cloned()
    };
    room.until(PATIENCE, &format!("action #{id} settles"), |state, _| {
        find(state).is_some_and(|e| e.status != ActionStatus::Pending)
    })
    .await;
    find(&room.state).expect("in the ledger")
}

/// The audit records of one request: there must be exactly one.
fn the_audit(room: &Room, request: &ControlRequest) -> AuditRecord {
    let records: Vec<AuditRecord> = audits(&room.effects)
        .into_iter()
        .filter(|r| r.idempotency_key == request.idempotency_key)
        .collect();
    assert_eq!(records.len(), 1, "one audit record per action: {records:?}");
    records[0].clone()
}

/// How many times the simulator applied the request with this key.
fn applied_times(sim: &RunningSim, request: &ControlRequest) -> usize {
    sim.control_log()
        .iter()
        .filter(|r| r.idempotency_key == request.idempotency_key)
        .count()
}

#[tokio::test]
async fn a_lost_answer_is_retried_under_the_same_key_and_applied_once() {
    let sim = launch().await;
    // Every second fresh control answer is lost (the connection closes after applying).
    sim.set_fault(
        FeedKind::Marketplace,
        FaultKind::DropResponse(DropPattern::EveryNth(2)),
    )
    .expect("fault set");
    let mut room = operator(&sim).await;

    // The first action's answer arrives.
    let band = confirm_band_b(&mut room);
    let entry = settled(&mut room, &band).await;
    assert_eq!(entry.status, ActionStatus::Applied);
    assert_eq!(entry.attempts, 1);

    // The second one's is lost; the retry with the same key gets the first answer replayed.
    let pause = confirm_pause(&mut room);
    let entry = settled(&mut room, &pause).await;
    assert_eq!(entry.status, ActionStatus::Applied, "{entry:?}");
    assert_eq!(entry.attempts, 2, "one lost answer, one replay");
    assert_eq!(applied_times(&sim, &pause), 1, "{:?}", sim.control_log());
    assert_eq!(applied_times(&sim, &band), 1, "{:?}", sim.control_log());
    let kinds: Vec<Applied> = sim.control_log().iter().map(|r| r.action).collect();
    assert_eq!(kinds, [Applied::PriceBand, Applied::Pause]);
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.state),
        Some(DropState::Paused)
    );

    let record = the_audit(&room, &pause);
    assert_eq!(record.outcome, AuditOutcome::Applied);
    assert_eq!(record.attempts, 2);
    assert_eq!(record.action, "pause");
    assert_eq!(record.drop, "hoodie-01");
    assert_eq!(record.detail, None);
    assert_eq!(the_audit(&room, &band).outcome, AuditOutcome::Applied);

    // The applied pause is fetched at once (PollNow) and shown.
    room.until(PATIENCE, "hoodie-01 shows paused", |_, screen| {
        screen.contains("hoodie-01  paused")
    })
    .await;
    let status_line = room.screen.lines().last().unwrap_or("").to_owned();
    assert!(
        status_line.starts_with("pause hoodie-01: applied"),
        "{status_line}"
    );
    room.press([ch('4')]);
    assert_eq!(room.state.session.view(), View::Actions);
    let row = room
        .screen
        .lines()
        .find(|line| line.contains(&pause.idempotency_key[..8]))
        .unwrap_or_else(|| panic!("the pause in the Actions view:\n{}", room.screen));
    assert!(row.contains("hoodie-01  pause    2 "), "{row}");
    assert!(
        row.trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with("applied"),
        "{row}"
    );
    sim.shutdown().await;
}

/// Runs `request` through `client` to its last report, collecting every report.
async fn execute(client: &ControlClient, request: ControlRequest) -> Vec<ControlReport> {
    let (tx, mut rx) = mpsc::channel::<ControlReport>(16);
    client.execute(request, tx).await;
    let mut reports = Vec::new();
    while let Some(report) = rx.recv().await {
        reports.push(report);
    }
    reports
}

fn request(action_id: u64, action: ControlAction) -> ControlRequest {
    ControlRequest {
        action_id,
        drop_id: "hoodie-01".to_owned(),
        action,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    }
}

fn client(sim: &RunningSim) -> ControlClient {
    ControlClient::new(
        endpoint(FeedKind::Marketplace, &sim.base_url()),
        RetryPolicy {
            attempts: 4,
            first_wait: std::time::Duration::from_millis(50),
        },
    )
    .expect("control client")
}

#[tokio::test]
async fn with_half_the_answers_lost_every_action_applies_exactly_once() {
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Marketplace,
        FaultKind::DropResponse(DropPattern::Probability(0.5)),
    )
    .expect("fault set");
    let client = client(&sim);
    let actions = [
        ControlAction::Pause,
        ControlAction::Resume,
        ControlAction::SetBand("B".to_owned()),
        ControlAction::Pause,
        ControlAction::SetBand("A".to_owned()),
        ControlAction::Resume,
        ControlAction::Pause,
        ControlAction::Resume,
    ];
    let mut retried = 0;
    for (i, action) in actions.into_iter().enumerate() {
        let request = request(i as u64 + 1, action.clone());
        let reports = execute(&client, request.clone()).await;
        let last = reports.last().expect("a report");
        assert!(last.last, "{reports:?}");
        assert!(
            matches!(last.result, AttemptResult::Applied(_)),
            "{action:?}: {reports:?}"
        );
        assert!(
            reports[..reports.len() - 1]
                .iter()
                .all(|r| matches!(r.result, AttemptResult::NoAnswer(_)) && !r.last)
        );
        if reports.len() > 1 {
            retried += 1;
        }
        assert_eq!(applied_times(&sim, &request), 1, "{action:?}");
        assert_eq!(sim.control_log().len(), i + 1);
    }
    assert!(retried >= 2, "some answers were lost ({retried} retried)");
    sim.shutdown().await;
}

/// An action whose every attempt goes unanswered ends `unknown`: on screen with words telling to
/// check the drop, and in the one audit record. `fault` is on from the start; `then`, when given,
/// comes on once the first attempt has failed.
async fn unknown_case(fault: FaultKind, then: Option<FaultKind>, applied: usize, reason: &str) {
    let sim = launch().await;
    let mut room = operator(&sim).await;
    sim.set_fault(FeedKind::Marketplace, fault.clone())
        .expect("fault set");
    let pause = confirm_pause(&mut room);
    if let Some(then) = then {
        room.until(PATIENCE, "the first attempt fails", |state, _| {
            state.board.ledger().entries()[0].attempts == 1
        })
        .await;
        sim.set_fault(FeedKind::Marketplace, then)
            .expect("fault set");
    }
    let entry = settled(&mut room, &pause).await;
    let ActionStatus::Unknown { reason: said } = &entry.status else {
        panic!("{fault}: {entry:?}");
    };
    assert_eq!(said, reason, "{fault}");
    assert_eq!(entry.attempts, 4, "every attempt was made");
    assert_eq!(applied_times(&sim, &pause), applied, "{fault}");

    let status_line = room
        .screen
        .lines()
        .last()
        .unwrap_or("")
        .trim_end()
        .to_owned();
    assert_eq!(
        status_line,
        format!("pause hoodie-01: unknown — check the drop ({reason})"),
        "{fault}"
    );
    room.press([ch('4')]);
    assert!(
        room.screen.contains("unknown — check the drop"),
        "{fault}: the Actions view:\n{}",
        room.screen
    );

    let record = the_audit(&room, &pause);
    assert_eq!(record.outcome, AuditOutcome::Unknown);
    assert_eq!(record.attempts, 4);
    assert_eq!(record.detail.as_deref(), Some(reason), "{record:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn applied_then_unreachable_ends_unknown_and_says_to_check_the_drop() {
    // Applied at once, its answer held past the timeout; then the marketplace stops answering
    // anything, so no retry learns what happened.
    unknown_case(
        FaultKind::Stall { ms: 10_000 },
        Some(FaultKind::Hang),
        1,
        "no answer within 700 ms",
    )
    .await;
}

#[tokio::test]
async fn a_hanging_marketplace_ends_unknown_and_applies_nothing() {
    unknown_case(FaultKind::Hang, None, 0, "no answer within 700 ms").await;
}

#[tokio::test]
async fn a_stall_past_the_timeout_is_answered_by_the_retry() {
    // The client gives up on the first attempt and closes the connection; the server finishes
    // the key with the answer it had, so the retry gets it replayed.
    let sim = launch().await;
    sim.set_fault(FeedKind::Marketplace, FaultKind::Stall { ms: 10_000 })
        .expect("fault set");
    let mut room = operator(&sim).await;
    let pause = confirm_pause(&mut room);
    let entry = settled(&mut room, &pause).await;
    assert_eq!(entry.status, ActionStatus::Applied, "{entry:?}");
    // The first attempt times out; a retry gets the first answer replayed. Which retry does
    // depends on the scheduler, not on dropday: one that reaches the simulator before it has
    // seen the first connection close is told `409 request_in_progress` and tries again. So
    // the answer comes on attempt 2 or later, within the policy's 4, and is applied once.
    assert!((2..=4).contains(&entry.attempts), "{entry:?}");
    assert_eq!(applied_times(&sim, &pause), 1);
    let record = the_audit(&room, &pause);
    assert_eq!(
        (record.outcome, record.attempts),
        (AuditOutcome::Applied, entry.attempts)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn every_fresh_answer_lost_still_applies_once_through_the_replay() {
    // The simulator's drop-response fault swallows the answer of a key's first request only; a
    // retry with the same key gets the stored answer. So "every answer lost" ends applied.
    let sim = launch().await;
    sim.set_fault(
        FeedKind::Marketplace,
        FaultKind::DropResponse(DropPattern::EveryNth(1)),
    )
    .expect("fault set");
    let mut room = operator(&sim).await;
    let pause = confirm_pause(&mut room);
    let entry = settled(&mut room, &pause).await;
    assert_eq!(entry.status, ActionStatus::Applied);
    assert_eq!(entry.attempts, 2);
    assert_eq!(applied_times(&sim, &pause), 1);
    assert_eq!(the_audit(&room, &pause).outcome, AuditOutcome::Applied);
    sim.shutdown().await;
}

#[tokio::test]
async fn two_operators_pausing_at_once_get_one_applied_and_one_refused() {
    let sim = launch().await;
    let mut ana = operator(&sim).await;
    let mut ben = operator(&sim).await;
    // Both confirm before either answer is in: the requests race at the server.
    let ana_pause = confirm_pause(&mut ana);
    let ben_pause = confirm_pause(&mut ben);
    let ana_entry = settled(&mut ana, &ana_pause).await;
    let ben_entry = settled(&mut ben, &ben_pause).await;
    let mut outcomes = [ana_entry.status.clone(), ben_entry.status.clone()];
    outcomes.sort_by_key(|s| matches!(s, ActionStatus::Refused { .. }));
    assert_eq!(outcomes[0], ActionStatus::Applied, "{outcomes:?}");
    let ActionStatus::Refused {
        status,
        code,
        message,
    } = &outcomes[1]
    else {
        panic!("the second pause is refused: {outcomes:?}");
    };
    assert_eq!((*status, code.as_str()), (409, "invalid_state"));
    assert_eq!(
        message,
        "drop `hoodie-01` is paused; only a live drop can be paused"
    );
    let pauses: Vec<_> = sim
        .control_log()
        .into_iter()
        .filter(|r| r.action == Applied::Pause)
        .collect();
    assert_eq!(pauses.len(), 1, "paused once: {pauses:?}");
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.state),
        Some(DropState::Paused)
    );
    // Each operator audits its own answer once; both screens end on the server's state.
    assert_eq!(
        [
            the_audit(&ana, &ana_pause).outcome,
            the_audit(&ben, &ben_pause).outcome
        ]
        .iter()
        .filter(|o| **o == AuditOutcome::Applied)
        .count(),
        1
    );
    for room in [&mut ana, &mut ben] {
        room.apply(dropday::app::Event::Tick(chrono::Utc::now()));
        room.until(PATIENCE, "hoodie-01 paused on screen", |_, screen| {
            screen.contains("hoodie-01  paused")
        })
        .await;
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn two_operators_choosing_the_same_band_both_apply_once_each() {
    let sim = launch().await;
    let mut ana = operator(&sim).await;
    let mut ben = operator(&sim).await;
    let ana_band = confirm_band_b(&mut ana);
    let ben_band = confirm_band_b(&mut ben);
    assert_eq!(
        settled(&mut ana, &ana_band).await.status,
        ActionStatus::Applied
    );
    assert_eq!(
        settled(&mut ben, &ben_band).await.status,
        ActionStatus::Applied
    );
    assert_eq!(applied_times(&sim, &ana_band), 1);
    assert_eq!(applied_times(&sim, &ben_band), 1);
    assert_eq!(sim.control_log().len(), 2);
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.active_band),
        Some("B".to_owned())
    );
    assert_eq!(the_audit(&ana, &ana_band).outcome, AuditOutcome::Applied);
    assert_eq!(the_audit(&ben, &ben_band).outcome, AuditOutcome::Applied);
    for room in [&mut ana, &mut ben] {
        room.until(PATIENCE, "band B active on screen", |state, _| {
            state
                .board
                .feeds()
                .drop_by_id("hoodie-01")
                .is_some_and(|d| d.active_band == "B")
        })
        .await;
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn two_operators_choosing_different_bands_end_on_the_last_one_applied() {
    let sim = launch().await;
    // A little latency so both requests are in flight together.
    sim.set_fault(FeedKind::Marketplace, FaultKind::Latency { ms: 100 })
        .expect("fault set");
    let (ana, ben) = (client(&sim), client(&sim));
    let to_b = request(1, ControlAction::SetBand("B".to_owned()));
    let to_a = request(1, ControlAction::SetBand("A".to_owned()));
    let (ana_reports, ben_reports) =
        tokio::join!(execute(&ana, to_b.clone()), execute(&ben, to_a.clone()));
    for (reports, band) in [(&ana_reports, "B"), (&ben_reports, "A")] {
        let [report] = reports.as_slice() else {
            panic!("one attempt each: {reports:?}");
        };
        let AttemptResult::Applied(drop) = &report.result else {
            panic!("applied: {report:?}");
        };
        assert_eq!(
            drop.active_band, band,
            "each gets the drop as its request left it"
        );
    }
    let log = sim.control_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(applied_times(&sim, &to_b), 1);
    assert_eq!(applied_times(&sim, &to_a), 1);
    let last = log.last().and_then(|r| r.band.clone());
    assert_eq!(
        sim.drop_state("hoodie-01").map(|d| d.active_band),
        last,
        "the drop ends on the band applied last"
    );
    sim.shutdown().await;
}
