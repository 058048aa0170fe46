//! Rules and book together, on boards built from the FEEDS.md examples.

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::feed::FeedFailure;
use crate::feed::FeedKind;
use crate::feed::wire::DropState;
use crate::model::alerts::thresholds::{KindSettings, Wait};
use crate::model::board::Board;
use crate::model::fixtures::{self, at, at_time, example_board};

fn keys(book: &AlertBook) -> Vec<(AlertKind, &str)> {
    book.firing()
        .map(|a| (a.kind, a.subject.as_str()))
        .collect()
}

#[test]
fn names_are_stable_and_match_serde() {
    for kind in AlertKind::ALL {
        let json = serde_json::to_string(&kind).expect("serialize");
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert_eq!(
        serde_json::to_string(&Severity::Critical).expect("serialize"),
        "\"critical\""
    );
    assert!(Severity::Critical < Severity::Warning && Severity::Warning < Severity::Info);
}

#[test]
fn the_feeds_md_examples_raise_four_alerts() {
    let board = example_board();
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &AlertThresholds::default());
    assert_eq!(
        keys(&book),
        [
            (AlertKind::SlaBreach, "ewr-1"),
            (AlertKind::OrdersOverdue, "ewr-1"),
            (AlertKind::TerminalOffline, "bk-1"),
            (AlertKind::PickupsOverdue, "bk-1"),
        ]
    );
    let messages: Vec<&str> = book.firing().map(|a| a.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "ewr-1 ships 93.5 % on time, below its 95.0 % target (200 of 214 orders)",
            "ewr-1 has 4 orders past due and not shipped",
            "bk-1: 1 of 2 terminals offline: T2 (pickup desk) since 17:51 UTC",
            "bk-1: 3 pick-ups overdue (30 ready)",
        ]
    );
    assert_eq!(
        book.counts(at(0)),
        SeverityCounts {
            critical: 1,
            warning: 3,
            info: 0
        }
    );
    // fewer orders than the minimum: no SLA breach
    let strict = AlertThresholds {
        sla_min_orders: 500,
        ..AlertThresholds::default()
    };
    book.evaluate(&board, at(1), &strict);
    assert_eq!(
        book.get(AlertKind::SlaBreach, "ewr-1")
            .and_then(|a| a.cleared_at),
        Some(at(1))
    );
}

#[test]
fn raise_keep_since_clear_refire_and_retention() {
    let t = AlertThresholds::default();
    let mut board = example_board();
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &t);
    assert!(book.acknowledge(AlertKind::OrdersOverdue, "ewr-1"));
    assert!(!book.acknowledge(AlertKind::OrdersOverdue, "nope"));

    // Still firing a minute later with another figure: since kept, message updated.
    let mut hubs = at_time(fixtures::hubs(), at(60));
    hubs.entries[0].sla.overdue_open = 7;
    board.ingest_hubs(hubs, at(60), at(60));
    book.evaluate(&board, at(60), &t);
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    // The problem began when the oldest overdue order fell due (17:40), which the feed
    // says; the room first saw it at 18:00.
    assert_eq!((a.since, a.first_seen), (at(-1200), at(0)));
    // 7 overdue is not past twice the 4 acknowledged: still acknowledged.
    assert!(a.acknowledged);
    assert!(a.message.contains("7 orders"), "{}", a.message);

    // Overdue orders gone: cleared, kept as recently cleared.
    let mut hubs = at_time(fixtures::hubs(), at(120));
    hubs.entries[0].sla.overdue_open = 0;
    hubs.entries[0].sla.late = 14; // on-time stays at 93.5 %
    board.ingest_hubs(hubs, at(120), at(120));
    book.evaluate(&board, at(120), &t);
    assert!(!keys(&book).contains(&(AlertKind::OrdersOverdue, "ewr-1")));
    let cleared: Vec<(AlertKind, Option<DateTime<Utc>>)> = book
        .recently_cleared()
        .map(|a| (a.kind, a.cleared_at))
        .collect();
    assert_eq!(cleared, [(AlertKind::OrdersOverdue, Some(at(120)))]);
    // the SLA alert kept its since (first observed: the feed does not say)
    assert_eq!(
        book.get(AlertKind::SlaBreach, "ewr-1").map(|a| a.since),
        Some(at(0))
    );

    // Fires again: a new occurrence, not acknowledged.
    let mut hubs = at_time(fixtures::hubs(), at(180));
    hubs.entries[0].sla.overdue_open = 1;
    board.ingest_hubs(hubs, at(180), at(180));
    book.evaluate(&board, at(180), &t);
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert_eq!(
        (a.since, a.first_seen, a.cleared_at, a.acknowledged),
        (at(-1200), at(180), None, false)
    );
    assert_eq!(a.message, "ewr-1 has 1 order past due and not shipped");

    // Clear again and let the retention pass.
    let mut hubs = at_time(fixtures::hubs(), at(240));
    hubs.entries[0].sla.overdue_open = 0;
    board.ingest_hubs(hubs, at(240), at(240));
    book.evaluate(&board, at(240), &t);
    book.evaluate(&board, at(240 + 599), &t);
    assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_some());
    book.evaluate(&board, at(240 + 600), &t);
    assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_none());
    assert!(
        book.recently_cleared()
            .all(|a| a.cleared_at > Some(at(240)))
    );
}

#[test]
fn silence_hides_from_counts_until_it_expires() {
    let t = AlertThresholds::default();
    let board = example_board();
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &t);
    assert!(book.silence(AlertKind::SlaBreach, "ewr-1", at(300)));
    assert_eq!(book.counts(at(10)).critical, 0);
    assert_eq!(book.counts(at(10)).worst(), Some(Severity::Warning));
    // still listed as firing
    assert_eq!(book.firing().count(), 4);
    book.evaluate(&board, at(200), &t);
    assert_eq!(book.counts(at(200)).critical, 0);
    book.evaluate(&board, at(300), &t);
    assert_eq!(book.counts(at(300)).critical, 1);
    assert_eq!(
        book.get(AlertKind::SlaBreach, "ewr-1")
            .and_then(|a| a.silenced_until),
        None
    );
}

/// Fires the rules on one board at 18:00 and returns the firing (kind, subject, message).
/// With no pending time, so one evaluation raises what the rules find.
fn fire(board: &Board, local_now: DateTime<Utc>) -> Vec<(AlertKind, String, String)> {
    graded(board, local_now)
        .into_iter()
        .map(|(kind, subject, _, message)| (kind, subject, message))
        .collect()
}

fn graded(board: &Board, local_now: DateTime<Utc>) -> Vec<(AlertKind, String, Severity, String)> {
    let mut book = AlertBook::new();
    book.evaluate(board, local_now, &AlertThresholds::immediate());
    book.firing()
        .map(|a| (a.kind, a.subject.clone(), a.severity, a.message.clone()))
        .collect()
}

fn find(found: &[(AlertKind, String, String)], kind: AlertKind) -> Option<&str> {
    found
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, _, m)| m.as_str())
}

#[test]
fn capacity_rules() {
    // (units a while ago, units now, seconds between, kind, message)
    let cases: &[(u64, u64, i64, AlertKind, &str)] = &[
        // 6 units in 3 minutes, 2 units/min: out at 21:15, window ends 21:30
        (
            204,
            210,
            180,
            AlertKind::CapacityExhaustion,
            "ewr-1 runs out at 21:15 UTC (19:38–Sat 01:27), 15 min before its window ends (390 units left at ~2/min (0.9–3.9)); about 30 over, 270.00 USD",
        ),
        // no unit in 5 minutes: even the highest rate (0.6/min) falls short of the commitment
        (
            100,
            100,
            300,
            AlertKind::CapacityUnderuse,
            "ewr-1 heads for 100 (100–226) of its 300 committed units by 21:30 UTC: 200 short, penalty 300.00 USD",
        ),
        (
            640,
            650,
            60,
            AlertKind::CapacityExhaustion,
            "ewr-1 is 50 units over its contract of 600 with 210 min of its window left",
        ),
        (
            590,
            600,
            60,
            AlertKind::CapacityExhaustion,
            "ewr-1 has used all 600 contracted units with 210 min of its window left",
        ),
    ];
    for &(before, now_units, seconds, kind, message) in cases {
        let mut board = Board::default();
        let mut hubs = at_time(fixtures::hubs(), at(-seconds));
        hubs.entries[0].capacity.consumed_units = before;
        board.ingest_hubs(hubs, at(-seconds), at(-seconds));
        let mut hubs = fixtures::hubs();
        hubs.entries[0].capacity.consumed_units = now_units;
        board.ingest_hubs(hubs, at(0), at(0));
        let found = fire(&board, at(0));
        assert_eq!(
            find(&found, kind),
            Some(message),
            "{before}->{now_units}: {found:?}"
        );
    }
    // one document only: no rate, no capacity alert of either kind
    let found = fire(&example_board(), at(0));
    assert_eq!(find(&found, AlertKind::CapacityExhaustion), None);
    assert_eq!(find(&found, AlertKind::CapacityUnderuse), None);
}

/// Capacity alerts are graded on the burn rate's interval and their materiality, not
/// on a fixed start-up gate.
#[test]
fn capacity_alerts_are_graded_on_the_interval() {
    let board_with = |before: u64, now_units: u64, seconds: i64| {
        let mut board = Board::default();
        let mut hubs = at_time(fixtures::hubs(), at(-seconds));
        hubs.entries[0].capacity.consumed_units = before;
        board.ingest_hubs(hubs, at(-seconds), at(-seconds));
        let mut hubs = fixtures::hubs();
        hubs.entries[0].capacity.consumed_units = now_units;
        board.ingest_hubs(hubs, at(0), at(0));
        board
    };
    let severity = |board: &Board, kind: AlertKind| {
        graded(board, at(0))
            .into_iter()
            .find(|f| f.0 == kind)
            .map(|f| f.2)
    };
    let exhaustion = AlertKind::CapacityExhaustion;
    // 10 units in 20 s: [16.3, 50.9]/min; even the lowest rate overruns the contract by
    // thousands of units before 21:30: certain, from the first 20 s.
    assert_eq!(
        severity(&board_with(200, 210, 20), exhaustion),
        Some(Severity::Critical)
    );
    // 6 units in 3 minutes: 2/min (0.87–3.9): the point overruns by 30 units, the low end
    // lasts the window: a warning, not a page.
    assert_eq!(
        severity(&board_with(204, 210, 180), exhaustion),
        Some(Severity::Warning)
    );
    // 2 units in a minute reads the same 2/min, but two events are too few for the point
    // to grade anything (one-shot `status` runs would warn or not by luck): nothing until
    // the interval is certain.
    assert_eq!(severity(&board_with(208, 210, 60), exhaustion), None);
    // 1 unit in 4 s reads 15/min and would run out: still nothing.
    assert_eq!(severity(&board_with(209, 210, 4), exhaustion), None);
    // A contract already used up with window left, burning on: certain.
    assert_eq!(
        severity(&board_with(595, 600, 20), exhaustion),
        Some(Severity::Critical)
    );
    // 0 units in 20 s is not a rate of 0: up to 9/min, so no confident shortfall, and the
    // point's 90-unit shortfall rests on no event: nothing.
    let idle = board_with(210, 210, 20);
    assert_eq!(severity(&idle, exhaustion), None);
    assert_eq!(severity(&idle, AlertKind::CapacityUnderuse), None);
    // 100 units used and none in 5 minutes: even the top of the interval (0.6/min) falls
    // short of the 300-unit commitment, so the shortfall is certain: a warning.
    assert_eq!(
        severity(&board_with(100, 100, 300), AlertKind::CapacityUnderuse),
        Some(AlertKind::CapacityUnderuse.severity())
    );
    // Hovering at the contract: 2/min (1.1–3.1) over 210 min projects 630 of 612, 18
    // over; the overage is immaterial (< 20 units), so nobody is paged.
    let mut board = Board::default();
    for minute in 0..=5_i64 {
        let mut hubs = at_time(fixtures::hubs(), at(minute * 60 - 300));
        hubs.entries[0].capacity.contracted_units = 612;
        hubs.entries[0].capacity.consumed_units = 200 + u64::try_from(minute).expect("small") * 2;
        board.ingest_hubs(hubs, at(minute * 60 - 300), at(minute * 60 - 300));
    }
    let outlook = board.hub_outlook("ewr-1", at(0)).expect("hub");
    let over = outlook.capacity.overage_units.expect("projection");
    assert!(over > 0 && over < 20, "{outlook:?}");
    assert_eq!(severity(&board, exhaustion), None);
}

#[test]
fn drop_rules() {
    // Margin: active band priced under the floor.
    let mut board = Board::default();
    let mut drops = fixtures::drops();
    drops.entries[0].price_bands[0].price_minor = 5000;
    board.ingest_drops(drops, at(0), at(0));
    assert_eq!(
        find(&fire(&board, at(0)), AlertKind::MarginBelowFloor),
        Some("hoodie-01: active band A has 52.0 % margin, below the 55.0 % floor")
    );

    // Opening: scheduled 7 minutes from now; not yet at 11 minutes.
    for (opens_in, expected) in [
        (420, Some("hoodie-01 opens in 7 min (18:07 UTC)")),
        (660, None),
        (-5, Some("hoodie-01 is opening (17:59 UTC)")),
    ] {
        let mut board = Board::default();
        let mut drops = fixtures::drops();
        drops.entries[0].state = DropState::Scheduled;
        drops.entries[0].opens_at = at(opens_in);
        board.ingest_drops(drops, at(0), at(0));
        assert_eq!(find(&fire(&board, at(0)), AlertKind::DropOpening), expected);
    }

    // Sell-out and conversion drop from two documents a minute apart.
    let mut board = Board::default();
    let mut drops = at_time(fixtures::drops(), at(-60));
    drops.entries[0].stock.sold = 110;
    drops.entries[0].funnel.sessions = 10_234 - 300;
    drops.entries[0].funnel.orders = 397;
    board.ingest_drops(drops, at(-60), at(-60));
    board.ingest_drops(fixtures::drops(), at(0), at(0));
    let found = fire(&board, at(0));
    assert_eq!(
        find(&found, AlertKind::SelloutSoon),
        Some(
            "hoodie-01 sells out at 18:38 UTC (18:22–19:10), 52 min before it closes (380 left at ~10/min (5.4–17))"
        )
    );
    assert_eq!(
        find(&found, AlertKind::ConversionDrop),
        Some(
            "hoodie-01 converts 1.00 % (0.27–2.56) over the last 5 min, against 3.91 % overall (300 sessions)"
        )
    );

    // Too few sessions in the window: no conversion alert.
    let mut board = Board::default();
    let mut drops = at_time(fixtures::drops(), at(-60));
    drops.entries[0].funnel.sessions = 10_234 - 100;
    drops.entries[0].funnel.orders = 400;
    board.ingest_drops(drops, at(-60), at(-60));
    board.ingest_drops(fixtures::drops(), at(0), at(0));
    assert_eq!(find(&fire(&board, at(0)), AlertKind::ConversionDrop), None);
}

#[test]
fn feed_rules() {
    let mut board = example_board();
    board.set_poll_interval(FeedKind::Pos, TimeDelta::seconds(5));
    board.record_failure(FeedKind::Pos, FeedFailure::Connect("refused".into()), at(5));
    let found = fire(&board, at(5));
    assert_eq!(
        find(&found, AlertKind::FeedError),
        Some("pos: last poll failed (1 in a row): cannot connect: refused")
    );
    assert_eq!(find(&found, AlertKind::FeedStale), None);
    let found = fire(&board, at(16));
    assert_eq!(
        find(&found, AlertKind::FeedStale),
        Some("pos: no successful poll for 16 s (last error: cannot connect: refused)")
    );
    let stale = found
        .iter()
        .find(|f| f.0 == AlertKind::FeedStale)
        .expect("stale");
    assert_eq!(stale.1, "pos");
}

#[test]
fn closed_popup_has_no_terminal_alert() {
    let mut board = Board::default();
    let mut popups = fixtures::popups();
    popups.entries[0].closes_at = at(-1);
    board.ingest_popups(popups, at(0), at(0));
    let found = fire(&board, at(0));
    assert_eq!(find(&found, AlertKind::TerminalOffline), None);
    assert!(find(&found, AlertKind::PickupsOverdue).is_some());
}

/// A board whose ewr-1 reports `overdue` open orders at `seconds`.
fn overdue_at(board: &mut Board, seconds: i64, overdue: u64) {
    let mut hubs = at_time(fixtures::hubs(), at(seconds));
    hubs.entries[0].sla.overdue_open = overdue;
    board.ingest_hubs(hubs, at(seconds), at(seconds));
}

/// Thresholds whose `orders_overdue` waits `pending_s` before it is raised and keeps firing
/// `keep_s` after its condition goes.
fn overdue_waits(pending_s: i64, keep_s: i64) -> AlertThresholds {
    let mut t = AlertThresholds::default();
    t.kinds.insert(
        AlertKind::OrdersOverdue,
        KindSettings {
            pending: Some(Wait(TimeDelta::seconds(pending_s))),
            keep_firing_for: Some(Wait(TimeDelta::seconds(keep_s))),
            ..KindSettings::default()
        },
    );
    t
}

#[test]
fn pending_time_and_clear_delay() {
    let t = overdue_waits(30, 60);
    let mut board = example_board();
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &t);
    // Holds, but not for 30 s yet: pending, not firing.
    assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_none());
    let pending = book.pending();
    let p = pending
        .iter()
        .find(|p| p.kind == AlertKind::OrdersOverdue)
        .expect("pending");
    assert_eq!((p.first_seen, p.since), (at(0), at(-1200)));
    // Gone for one evaluation: the pending time starts over.
    overdue_at(&mut board, 10, 0);
    book.evaluate(&board, at(10), &t);
    assert!(
        book.pending()
            .iter()
            .all(|p| p.kind != AlertKind::OrdersOverdue)
    );
    overdue_at(&mut board, 20, 4);
    book.evaluate(&board, at(20), &t);
    book.evaluate(&board, at(49), &t);
    assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_none());
    let changes = book.evaluate(&board, at(50), &t);
    assert_eq!(changes.raised.len(), 1, "{changes:?}");
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("raised");
    assert_eq!((a.first_seen, a.since), (at(20), at(-1200)));
    // Hovering: gone and back within the clear delay is the same alert, never re-raised.
    for (second, overdue) in [(60, 0), (90, 3), (100, 0), (149, 0)] {
        overdue_at(&mut board, second, overdue);
        let changes = book.evaluate(&board, at(second), &t);
        let ours = |said: &Vec<String>| said.iter().any(|c| c.contains("orders_overdue"));
        assert!(
            !ours(&changes.raised) && !ours(&changes.cleared),
            "{second}: {changes:?}"
        );
    }
    // 60 s after it was last found (at 90 s): cleared.
    overdue_at(&mut board, 150, 0);
    let changes = book.evaluate(&board, at(150), &t);
    assert!(
        changes.cleared.contains(&"orders_overdue ewr-1".to_owned()),
        "{changes:?}"
    );
}

/// A pending condition no longer found is listed as lapsed for its clear delay (its row stays
/// where it was instead of coming and going), found again it is pending again from the start,
/// and a kind with no clear delay never lapses.
#[test]
fn a_pending_condition_that_goes_is_lapsed_for_its_clear_delay() {
    let t = overdue_waits(30, 60);
    let ours = |book: &AlertBook| {
        (
            book.pending()
                .iter()
                .filter(|p| p.kind == AlertKind::OrdersOverdue)
                .count(),
            book.lapsed()
                .iter()
                .filter(|l| l.pending.kind == AlertKind::OrdersOverdue)
                .map(|l| (l.pending.subject.clone(), l.lapsed_at))
                .collect::<Vec<_>>(),
        )
    };
    let mut board = example_board();
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &t);
    assert_eq!(ours(&book), (1, vec![]));
    overdue_at(&mut board, 10, 0);
    book.evaluate(&board, at(10), &t);
    assert_eq!(ours(&book), (0, vec![("ewr-1".to_owned(), at(10))]));
    let lapsed = book.lapsed();
    let ewr = lapsed
        .iter()
        .find(|l| l.pending.kind == AlertKind::OrdersOverdue)
        .expect("lapsed");
    assert_eq!(ewr.pending.first_seen, at(0), "the condition as last found");
    // Found again: pending again (its pending time starts over), no longer lapsed.
    overdue_at(&mut board, 20, 4);
    book.evaluate(&board, at(20), &t);
    assert_eq!(ours(&book), (1, vec![]));
    let first_seen = book
        .pending()
        .iter()
        .find(|p| p.kind == AlertKind::OrdersOverdue)
        .map(|p| p.first_seen);
    assert_eq!(first_seen, Some(at(20)));
    // Gone again, and for longer than its clear delay: forgotten.
    overdue_at(&mut board, 30, 0);
    book.evaluate(&board, at(30), &t);
    assert_eq!(ours(&book), (0, vec![("ewr-1".to_owned(), at(30))]));
    book.evaluate(&board, at(89), &t);
    assert_eq!(ours(&book), (0, vec![("ewr-1".to_owned(), at(30))]));
    book.evaluate(&board, at(90), &t);
    assert_eq!(ours(&book), (0, vec![]));
    // Raised after its pending time: firing, never lapsed.
    for second in [100, 110, 130] {
        overdue_at(&mut board, second, 4);
        book.evaluate(&board, at(second), &t);
    }
    assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_some());
    assert_eq!(ours(&book), (0, vec![]));
    // A kind without a clear delay (the default for facts) is never listed as lapsed.
    let t = overdue_waits(30, 0);
    let mut board = example_board();
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &t);
    overdue_at(&mut board, 10, 0);
    book.evaluate(&board, at(10), &t);
    assert_eq!(ours(&book), (0, vec![]));
}

#[test]
fn an_acknowledgement_rearms_when_things_get_worse() {
    let t = AlertThresholds::default();
    let mut board = example_board();
    let mut book = AlertBook::new();
    overdue_at(&mut board, 0, 10);
    book.evaluate(&board, at(0), &t);
    assert!(book.acknowledge(AlertKind::OrdersOverdue, "ewr-1"));
    overdue_at(&mut board, 60, 20);
    book.evaluate(&board, at(60), &t);
    assert!(
        book.get(AlertKind::OrdersOverdue, "ewr-1")
            .is_some_and(|a| a.acknowledged)
    );
    overdue_at(&mut board, 120, 22);
    book.evaluate(&board, at(120), &t);
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert!(!a.acknowledged);
    assert_eq!(a.rearmed_from, Some(10.0));
    assert_eq!(
        a.message,
        "ewr-1 has 22 orders past due and not shipped (acked at 10, now 22)"
    );
}

#[test]
fn one_alert_per_feed_problem() {
    let mut board = example_board();
    board.set_poll_interval(FeedKind::Pos, TimeDelta::seconds(5));
    let t = AlertThresholds::default();
    let mut book = AlertBook::new();
    board.record_failure(FeedKind::Pos, FeedFailure::Connect("refused".into()), at(5));
    book.evaluate(&board, at(5), &t);
    assert!(
        book.get(AlertKind::FeedError, "pos")
            .is_some_and(Alert::is_firing)
    );
    board.record_failure(
        FeedKind::Pos,
        FeedFailure::Connect("refused".into()),
        at(16),
    );
    book.evaluate(&board, at(16), &t);
    let firing: Vec<AlertKind> = book
        .firing()
        .filter(|a| a.subject == "pos")
        .map(|a| a.kind)
        .collect();
    assert_eq!(firing, [AlertKind::FeedStale]);
    // The stale feed's problem began at its last successful poll.
    assert_eq!(
        book.get(AlertKind::FeedStale, "pos").map(|a| a.since),
        Some(at(0))
    );
}

#[test]
fn projection_alerts_hold_while_their_feed_is_stale() {
    let t = AlertThresholds::immediate();
    let mut board = Board::default();
    board.set_poll_interval(FeedKind::Fulfilment, TimeDelta::seconds(2));
    for (second, consumed) in [(-60, 200), (0, 210)] {
        let mut hubs = at_time(fixtures::hubs(), at(second));
        hubs.entries[0].capacity.consumed_units = consumed;
        board.ingest_hubs(hubs, at(second), at(second));
    }
    let mut book = AlertBook::new();
    book.evaluate(&board, at(0), &t);
    assert!(book.get(AlertKind::CapacityExhaustion, "ewr-1").is_some());
    let before = board.hub_outlook("ewr-1", at(0)).expect("hub").capacity;
    // No answer for a minute: stale. Figures freeze at the last document's instant instead
    // of being projected forward from old samples, and the alert is neither cleared nor
    // changed although the rate window has emptied by now.
    board.record_failure(
        FeedKind::Fulfilment,
        FeedFailure::Connect("refused".into()),
        at(400),
    );
    assert!(board.is_stale(FeedKind::Fulfilment, at(400)));
    let frozen = board.hub_outlook("ewr-1", at(400)).expect("hub").capacity;
    assert_eq!(frozen, before);
    let changes = book.evaluate(&board, at(400), &t);
    assert!(changes.cleared.is_empty(), "{changes:?}");
    assert!(
        book.get(AlertKind::CapacityExhaustion, "ewr-1")
            .is_some_and(Alert::is_firing)
    );
}

#[test]
fn acknowledgements_and_silences_remember_who_until_they_end() {
    let t = AlertThresholds::default();
    let mut board = example_board();
    let mut book = AlertBook::new();
    overdue_at(&mut board, 0, 10);
    book.evaluate(&board, at(0), &t);
    assert!(book.acknowledge_by(AlertKind::OrdersOverdue, "ewr-1", "maya", at(5)));
    assert!(!book.acknowledge_by(AlertKind::OrdersOverdue, "nope", "maya", at(5)));
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert!(a.acknowledged);
    assert_eq!(
        a.acknowledged_by.as_ref().map(|m| (m.by.as_str(), m.at)),
        Some(("maya", at(5)))
    );
    // Worse past the re-arm factor: the acknowledgement goes, and who gave it with it.
    overdue_at(&mut board, 60, 22);
    book.evaluate(&board, at(60), &t);
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert!(!a.acknowledged);
    assert_eq!(a.acknowledged_by, None);

    assert!(book.silence_by(AlertKind::OrdersOverdue, "ewr-1", at(300), "ravi", at(70)));
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert_eq!(a.silenced_by.as_ref().map(|m| m.by.as_str()), Some("ravi"));
    // Silencing until now ends it: nobody holds a silence that is over.
    assert!(book.silence_by(AlertKind::OrdersOverdue, "ewr-1", at(80), "ravi", at(80)));
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert_eq!(a.silenced_by, None);
    // An expired silence forgets who set it.
    assert!(book.silence_by(AlertKind::OrdersOverdue, "ewr-1", at(100), "ravi", at(90)));
    overdue_at(&mut board, 120, 22);
    book.evaluate(&board, at(120), &t);
    let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
    assert_eq!((a.silenced_until, a.silenced_by.clone()), (None, None));
}
