//! Feeds that misbehave, as the control room shows them. The real pieces are wired without a
//! terminal (see `faults_common`): the simulator on an ephemeral loopback port, the real pollers
//! (poll 100 ms, timeout 700 ms, backoff capped at 800 ms) sending events to `update`, the screen
//! drawn with `ui::view` after every event. For each fault: the affected panels keep their last
//! good data and say failed (or stale) with the reason in words, the other feeds are untouched,
//! polling recovers by itself once the fault is cleared, and a failing feed is polled a bounded
//! number of times.
//!
//! Nothing sleeps for a fixed time where an event can be awaited: every wait is "until the screen
//! says so", with a deadline.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod faults_common;

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};

use dropday::app::Room as ControlRoom;
use dropday::feed::FeedKind;
use dropday::sim::{FaultKind, FaultSpec, RunningSim};
use dropday::ui::panel::Freshness;
use faults_common::{
    MAX_BACKOFF, PATIENCE, Room, all_ok, endpoint, endpoints, health_line, launch, launch_with,
};

/// Polls without success before a feed is stale, for the cases that read the "failed" title:
/// long enough (10 s at 100 ms) that a failing feed is "failed", not yet "stale".
const PATIENT: u32 = 100;

/// Data of each feed that must stay on screen while the feed fails.
fn last_good_data(feed: FeedKind) -> &'static str {
    match feed {
        FeedKind::Marketplace => "hoodie-01",
        FeedKind::Fulfilment => "ewr-1",
        FeedKind::Pos => "bk-1 open tills",
    }
}

/// The most polls a feed failing for `span` can get: one already scheduled, then backoff delays
/// of at least 80, 160, 320 ms and then at least 640 ms (the cap 800 ms minus 20 % jitter).
fn most_attempts(span: Duration) -> usize {
    let mut delays = [80_u64, 160, 320].into_iter().chain(std::iter::repeat(640));
    let mut elapsed = 0_u64;
    let mut attempts = 2;
    let span = u64::try_from(span.as_millis()).expect("fits");
    loop {
        elapsed += delays.next().expect("endless");
        if elapsed > span {
            return attempts;
        }
        attempts += 1;
    }
}

/// What a failing feed must look like: header and panel say why, the data stays, the alert
/// names the reason, the other feeds are fresh and still show their data.
fn assert_failed_on_screen(state: &ControlRoom, screen: &str, feed: FeedKind, reason: &str) {
    let health = health_line(screen);
    assert!(
        health.contains(&format!("{feed} ERROR {reason}")),
        "header says why {feed} failed: {health}"
    );
    // A long reason may be cut at the panel's edge; its start must be there.
    let start: String = reason.chars().take(40).collect();
    let title = format!("[{feed} failed: {start}");
    assert!(screen.contains(&title), "panel title {title:?}:\n{screen}");
    assert!(
        screen.contains(&format!("{feed}: last poll failed (")),
        "the feed_error alert:\n{screen}"
    );
    for kind in FeedKind::ALL {
        assert!(
            screen.contains(last_good_data(kind)),
            "{kind} data stays on screen while {feed} fails:\n{screen}"
        );
        if kind == feed {
            continue;
        }
        assert!(
            health.contains(&format!("{kind} ok")),
            "{kind} is unaffected by {feed}: {health}"
        );
        assert_eq!(
            Freshness::of(&state.state(), kind, Utc::now()),
            Freshness::Fresh,
            "{kind} panels are fresh while {feed} fails"
        );
        assert!(
            !screen.contains(&format!("[{kind} failed"))
                && !screen.contains(&format!("[STALE: {kind}")),
            "no note on {kind} panels:\n{screen}"
        );
    }
}

/// Polls of a failing feed stay within what the capped backoff allows.
fn assert_bounded_attempts(room: &Room, feed: FeedKind, from: chrono::DateTime<Utc>) {
    let polls = room.polls_since(feed, from);
    let span = (Utc::now() - from).to_std().expect("positive");
    assert!(
        polls.len() <= most_attempts(span),
        "{feed}: {} polls in {span:?} (at most {})",
        polls.len(),
        most_attempts(span)
    );
}

/// Runs one fault through the room: on, seen, bounded, cleared, recovered.
async fn fault_case(feed: FeedKind, kind: FaultKind, reason: &str) {
    let sim = launch().await;
    let mut room = Room::start(endpoints(&sim), PATIENT);
    room.until_all_ok("all feeds answer").await;

    let fault_on = Utc::now();
    sim.set_fault(feed, kind.clone()).expect("fault set");
    let wanted = format!("{feed} ERROR {reason}");
    room.until(PATIENCE, &format!("{kind} shows on {feed}"), |_, screen| {
        health_line(screen).contains(&wanted)
    })
    .await;
    assert_failed_on_screen(&room.state, &room.screen, feed, reason);
    assert_bounded_attempts(&room, feed, fault_on);

    sim.clear_faults();
    room.until(PATIENCE, &format!("{feed} recovers after {kind}"), all_ok)
        .await;
    assert!(!room.screen.contains("ERROR"), "{}", room.screen);
    assert!(!room.screen.contains(" failed: "), "{}", room.screen);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hanging_feed_times_out_and_recovers() {
    fault_case(
        FeedKind::Fulfilment,
        FaultKind::Hang,
        "no answer within 700 ms",
    )
    .await;
}

#[tokio::test]
async fn a_feed_slower_than_the_timeout_times_out_and_recovers() {
    fault_case(
        FeedKind::Pos,
        FaultKind::Latency { ms: 3000 },
        "no answer within 700 ms",
    )
    .await;
}

#[tokio::test]
async fn a_5xx_html_page_is_shown_by_its_title() {
    fault_case(
        FeedKind::Marketplace,
        FaultKind::ServerError { status: 502 },
        "HTTP 502: 502 Bad Gateway",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_said_as_such() {
    fault_case(
        FeedKind::Marketplace,
        FaultKind::MalformedJson,
        "malformed document: body is not JSON: ",
    )
    .await;
}

#[tokio::test]
async fn a_truncated_body_is_said_cut_short() {
    fault_case(
        FeedKind::Fulfilment,
        FaultKind::Truncated,
        "body cut short: error reading a body from connection: end of file before message length reached",
    )
    .await;
}

#[tokio::test]
async fn a_truncated_chunked_body_is_said_cut_short() {
    fault_case(
        FeedKind::Pos,
        FaultKind::TruncatedChunked,
        "body cut short: error reading a body from connection: unexpected EOF during chunk size line",
    )
    .await;
}

#[tokio::test]
async fn an_oversized_body_with_content_length_is_refused() {
    fault_case(
        FeedKind::Fulfilment,
        FaultKind::Oversized { bytes: 1024 * 1024 },
        "body larger than the 262144-byte limit",
    )
    .await;
}

#[tokio::test]
async fn an_oversized_chunked_body_is_refused() {
    fault_case(
        FeedKind::Marketplace,
        FaultKind::OversizedChunked { bytes: 1024 * 1024 },
        "body larger than the 262144-byte limit",
    )
    .await;
}

#[tokio::test]
async fn a_refused_connection_is_said_and_a_restarted_feed_is_picked_up() {
    // The marketplace on its own simulator, so it can go away while the others stay.
    let others = launch().await;
    let market = launch().await;
    let market_addr = market.addr();
    let mut feeds = endpoints(&others);
    feeds[0] = endpoint(FeedKind::Marketplace, &market.base_url());
    let mut room = Room::start(feeds, PATIENT);
    room.until_all_ok("all feeds answer").await;

    let down_at = Utc::now();
    market.shutdown().await;
    let reason = "cannot connect: tcp connect error: Connection refused (os error 111)";
    room.until(PATIENCE, "the refused connection shows", |_, screen| {
        health_line(screen).contains(reason)
    })
    .await;
    assert_failed_on_screen(&room.state, &room.screen, FeedKind::Marketplace, reason);
    assert_bounded_attempts(&room, FeedKind::Marketplace, down_at);

    // The same address comes back: the room picks it up without a restart.
    let market = launch_with(|o| o.listen = market_addr).await;
    room.until(PATIENCE, "the marketplace is back", all_ok)
        .await;
    assert!(!room.screen.contains("ERROR"), "{}", room.screen);
    market.shutdown().await;
    others.shutdown().await;
}

#[tokio::test]
async fn a_429_is_said_and_its_retry_after_is_waited_for() {
    let sim = launch().await;
    let mut room = Room::start(endpoints(&sim), PATIENT);
    room.until_all_ok("all feeds answer").await;
    let fault_on = Utc::now();
    sim.set_fault(FeedKind::Pos, FaultKind::RateLimited { retry_after_s: 1 })
        .expect("fault set");
    let reason = "HTTP 429 rate_limited: too many requests; retry after 1 s";
    room.until(PATIENCE, "three 429s in a row", |state, _| {
        state
            .board
            .feeds()
            .health(FeedKind::Pos)
            .consecutive_failures
            >= 3
    })
    .await;
    assert_failed_on_screen(&room.state, &room.screen, FeedKind::Pos, reason);
    let polls = room.polls_since(FeedKind::Pos, fault_on);
    let limited: Vec<_> = polls
        .windows(2)
        .filter(|w| w[0].failure.is_some())
        .collect();
    assert!(limited.len() >= 2, "{polls:?}");
    for pair in limited {
        let waited = pair[1].sent_at - pair[0].received_at;
        assert!(
            waited >= TimeDelta::milliseconds(995),
            "the poll after a 429 with Retry-After: 1 waited only {waited}"
        );
    }
    sim.clear_faults();
    room.until(PATIENCE, "pos recovers", all_ok).await;
    sim.shutdown().await;
}

/// A 503 on fulfilment until seven polls in a row failed, through the real pollers and HTTP;
/// returns the waits between the failures, in milliseconds (the n-th after failure n).
/// Asserts what wall time cannot break: exactly seven failures, no more polls than the capped
/// backoff allows, each wait at least its backoff (timers are never early), and recovery.
/// How much a wait may overrun is load, checked by the `timing_` test below; the exact
/// waits (doubling, ±20 %, the cap) are checked on recorded waits in `feed::poller`'s tests.
async fn capped_backoff_waits() -> Vec<i64> {
    let sim = launch().await;
    let mut room = Room::start(endpoints(&sim), PATIENT);
    room.until_all_ok("all feeds answer").await;
    let fault_on = Utc::now();
    sim.set_fault(FeedKind::Fulfilment, FaultKind::ServerError { status: 503 })
        .expect("fault set");
    room.until(PATIENCE, "seven failures in a row", |state, _| {
        state
            .board
            .feeds()
            .health(FeedKind::Fulfilment)
            .consecutive_failures
            >= 7
    })
    .await;
    let failed_for = (Utc::now() - fault_on).to_std().expect("positive");
    let polls = room.polls_since(FeedKind::Fulfilment, fault_on);
    let failures: Vec<_> = polls.iter().filter(|p| p.failure.is_some()).collect();
    assert_eq!(failures.len(), 7, "{polls:?}");
    assert_bounded_attempts(&room, FeedKind::Fulfilment, fault_on);
    // Seven failures cannot come faster than the backoff allows (80+160+320+3×640 ms).
    assert!(failed_for >= Duration::from_millis(2480), "{failed_for:?}");
    // The wait after the n-th failure: at least 100 ms × 2^(n-1) − 20 % (cap 800 ms).
    let cap = MAX_BACKOFF.as_millis() as i64;
    let waits: Vec<i64> = failures
        .windows(2)
        .map(|pair| (pair[1].sent_at - pair[0].received_at).num_milliseconds())
        .collect();
    for (n, &waited) in waits.iter().enumerate() {
        let least = (100_i64 << n).min(cap) * 8 / 10;
        assert!(
            waited >= least,
            "wait after failure {}: {waited} ms, at least {least} ms",
            n + 1
        );
    }
    sim.clear_faults();
    room.until(PATIENCE, "fulfilment recovers", all_ok).await;
    sim.shutdown().await;
    waits
}

#[tokio::test]
async fn a_failing_feed_is_polled_with_capped_backoff() {
    assert_eq!(capped_backoff_waits().await.len(), 6);
}

/// Timing (not in the default run; see docs/PERFORMANCE.md): the waits of the real pollers
/// overrun their backoff (±20 %, cap 800 ms) by at most 300 ms.
#[tokio::test]
#[ignore = "timing: cargo test --test faults_room -- --ignored timing"]
async fn timing_a_failing_feed_is_backed_off_within_its_cap() {
    let waits = capped_backoff_waits().await;
    eprintln!("timing: waits after failures 1–6: {waits:?} ms");
    let cap = MAX_BACKOFF.as_millis() as i64;
    for (n, &waited) in waits.iter().enumerate() {
        let most = ((100_i64 << n) * 12 / 10).min(cap) + 300;
        assert!(
            waited <= most,
            "wait after failure {}: {waited} ms, at most {most} ms",
            n + 1
        );
    }
}

#[tokio::test]
async fn a_stale_feed_says_stale_and_the_alert_keeps_the_reason() {
    let sim = launch().await;
    // Stale after 10 polls without success (1 s at 100 ms): at 3 (300 ms, the default count)
    // a healthy feed already read stale at load 15, its answers queued behind the others.
    let mut room = Room::start(endpoints(&sim), 10);
    room.until_all_ok("all feeds answer").await;
    sim.set_fault(FeedKind::Pos, FaultKind::Hang)
        .expect("fault set");
    room.until(
        PATIENCE,
        "pos goes stale after a timeout",
        |state, screen| {
            health_line(screen).contains("pos STALE ")
                && state
                    .board
                    .feeds()
                    .health(FeedKind::Pos)
                    .consecutive_failures
                    >= 1
        },
    )
    .await;
    let screen = room.screen.clone();
    assert!(screen.contains("[STALE: pos data "), "{screen}");
    // One alert per feed problem (issue 9): feed_stale supersedes feed_error and carries
    // the last error's reason.
    assert!(
        screen.contains("(last error: no answer within 700 ms)"),
        "the reason stays in the alert:\n{screen}"
    );
    // The Alerts panel's Kind column in words (`feed stale`), as the feeds' enums are.
    assert!(screen.contains("feed stale"), "{screen}");
    assert!(screen.contains(last_good_data(FeedKind::Pos)), "{screen}");
    let health = health_line(&screen);
    assert!(
        health.contains("marketplace ok") && health.contains("fulfilment ok"),
        "{health}"
    );
    sim.clear_faults();
    room.until(PATIENCE, "pos recovers", all_ok).await;
    assert!(!room.screen.contains("STALE"), "{}", room.screen);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_304_without_a_cached_document_is_a_failure_but_with_one_it_is_current() {
    let spec = FaultSpec::for_feed(FeedKind::Fulfilment, FaultKind::NotModified).expect("spec");
    let sim = launch_with(|o| o.faults = vec![spec]).await;
    let mut room = Room::start(endpoints(&sim), PATIENT);
    let reason = "304 Not Modified without a cached document";
    room.until(PATIENCE, "the unexpected 304 shows", |_, screen| {
        let health = health_line(screen);
        health.contains(&format!("fulfilment ERROR {reason}"))
            && health.contains("marketplace ok")
            && health.contains("pos ok")
    })
    .await;
    assert!(
        room.screen
            .contains(&format!("[no data: fulfilment {reason}]")),
        "{}",
        room.screen
    );
    sim.clear_faults();
    room.until(PATIENCE, "fulfilment gets its document", all_ok)
        .await;
    assert!(room.screen.contains("ewr-1"), "{}", room.screen);

    // Now the client holds an ETag: a 304 says "nothing changed" and the feed stays ok.
    sim.set_fault(FeedKind::Fulfilment, FaultKind::NotModified)
        .expect("fault set");
    let set_at = Utc::now();
    room.until(PATIENCE, "a 304 after the ETag", |state, screen| {
        let health = state.board.feeds().health(FeedKind::Fulfilment);
        health
            .last_success
            .is_some_and(|at| at > set_at + TimeDelta::milliseconds(300))
            && all_ok(state, screen)
    })
    .await;
    assert!(room.screen.contains("ewr-1"), "{}", room.screen);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_entry_with_wrong_types_is_skipped_said_and_the_rest_shown() {
    let sim = launch().await;
    let mut room = Room::start(endpoints(&sim), PATIENT);
    room.until_all_ok("all feeds answer").await;
    assert!(room.screen.contains("hoodie-01  live"), "{}", room.screen);
    sim.set_fault(FeedKind::Marketplace, FaultKind::WrongTypes)
        .expect("fault set");
    room.until(PATIENCE, "the bad entry is skipped", |state, _| {
        !state
            .board
            .feeds()
            .skipped(FeedKind::Marketplace)
            .is_empty()
    })
    .await;
    let screen = room.screen.clone();
    let last = screen.lines().last().unwrap_or("").trim_end();
    assert!(
        last.starts_with(
            "marketplace: 1 entry skipped, the rest is shown (hoodie-01: invalid type: string \"many\""
        ),
        "the status line says what was skipped: {last}"
    );
    assert!(!screen.contains("hoodie-01  live"), "{screen}");
    assert!(
        screen.contains("cap-02     scheduled"),
        "the rest is shown:\n{screen}"
    );
    assert!(
        all_ok(&room.state, &screen),
        "a skipped entry is not a failed feed:\n{screen}"
    );
    sim.clear_faults();
    room.until(PATIENCE, "hoodie-01 is back", |state, screen| {
        state
            .board
            .feeds()
            .skipped(FeedKind::Marketplace)
            .is_empty()
            && screen.contains("hoodie-01  live")
    })
    .await;
    sim.shutdown().await;
}

/// Numbers on screen with a minus sign (`-3`, `(-12.5`), ignoring ids and dates (`hoodie-01`).
fn negative_numbers(screen: &str) -> Vec<String> {
    let chars: Vec<char> = screen.chars().collect();
    let mut found = Vec::new();
    for (i, pair) in chars.windows(2).enumerate() {
        let after_word = i > 0 && chars[i - 1].is_alphanumeric();
        if pair[0] == '-' && pair[1].is_ascii_digit() && !after_word {
            let number: String = chars[i..]
                .iter()
                .take_while(|c| **c == '-' || **c == '.' || c.is_ascii_digit())
                .collect();
            found.push(number);
        }
    }
    found
}

#[tokio::test]
async fn counters_going_backwards_never_show_a_negative_rate() {
    let sim = launch().await;
    // Sim time runs at 100×, so documents change on every poll and rates move.
    let clock = sim.clock().clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            clock.advance(Duration::from_secs(10));
        }
    });
    let mut room = Room::start(endpoints(&sim), PATIENT);
    room.until(PATIENCE, "rates are known", |state, screen| {
        let server_now = state.board.feeds().server_now(Utc::now());
        let orders = state
            .board
            .feeds()
            .drop_figures("hoodie-01", server_now)
            .and_then(|f| f.orders_per_min);
        let burn = state
            .board
            .feeds()
            .hub_outlook("ewr-1", server_now)
            .and_then(|h| h.capacity.burn_units_per_min);
        all_ok(state, screen) && orders.is_some_and(|r| r > 0.0) && burn.is_some_and(|r| r > 0.0)
    })
    .await;
    let reset_at = Utc::now();
    sim.set_fault(FeedKind::Marketplace, FaultKind::CounterReset)
        .expect("fault set");
    sim.set_fault(FeedKind::Fulfilment, FaultKind::CounterReset)
        .expect("fault set");
    let mut checked = 0;
    room.until(PATIENCE, "documents after the reset", |state, screen| {
        // Every frame after the reset: no negative figure in the body of the screen.
        let body: String = screen.lines().skip(3).collect::<Vec<_>>().join("\n");
        let negative = negative_numbers(&body);
        assert!(
            negative.is_empty(),
            "negative figures {negative:?}:\n{screen}"
        );
        let server_now = state.board.feeds().server_now(Utc::now());
        for figures in state.board.feeds().all_drop_figures(server_now) {
            for rate in [figures.orders_per_min, figures.live_conversion_pct] {
                assert!(
                    rate.is_none_or(|r| r >= 0.0),
                    "{}: {rate:?}",
                    figures.drop.id
                );
            }
        }
        for outlook in state.board.feeds().all_hub_outlooks(server_now) {
            let burn = outlook.capacity.burn_units_per_min;
            assert!(
                burn.is_none_or(|r| r >= 0.0),
                "{}: {burn:?}",
                outlook.hub.id
            );
        }
        let sold = state
            .board
            .feeds()
            .drop_by_id("hoodie-01")
            .map(|d| d.stock.sold);
        if sold.is_some_and(|s| s < 100)
            && state
                .board
                .feeds()
                .health(FeedKind::Fulfilment)
                .last_success
                > Some(reset_at)
        {
            checked += 1;
        }
        checked >= 10
    })
    .await;
    assert!(all_ok(&room.state, &room.screen), "{}", room.screen);
    ticker.abort();
    sim.shutdown().await;
}

/// Sets (or clears, with `None`) a skew on the marketplace and waits until the room's skew
/// estimate follows it. The estimate is the median of the last three documents, so it takes two
/// documents with the new clock: the simulator's clock is moved one second after the first one,
/// so that the second is a new document and not a 304.
async fn skew_marketplace(sim: &RunningSim, room: &mut Room, seconds: Option<i64>) {
    match seconds {
        Some(seconds) => sim
            .set_fault(FeedKind::Marketplace, FaultKind::ClockSkew { seconds })
            .expect("fault set"),
        None => sim.clear_faults(),
    }
    let offset = TimeDelta::seconds(seconds.unwrap_or(0));
    for step in ["first", "second"] {
        let as_of = sim.clock().now() + offset;
        room.until(
            PATIENCE,
            &format!("the {step} document at {as_of}"),
            |state, _| state.board.feeds().health(FeedKind::Marketplace).data_as_of == Some(as_of),
        )
        .await;
        sim.clock().advance(Duration::from_secs(1));
    }
}

#[tokio::test]
async fn a_skewed_server_clock_keeps_countdowns_on_server_time() {
    let sim = launch().await;
    let mut room = Room::start(endpoints(&sim), PATIENT);
    // hoodie-01 closes at 19:40 server time; the simulator's clock stands at 18:00.
    room.until(PATIENCE, "the countdown on server time", |state, screen| {
        all_ok(state, screen) && screen.contains("hoodie-01  live      ends 1:39:5")
    })
    .await;
    assert!(room.screen.contains("server 18:00:0"), "{}", room.screen);
    for (seconds, countdown, clock) in [
        (Some(3600), "ends 39:5", "server 19:00:0"),
        (Some(-3600), "ends 2:39:5", "server 17:00:0"),
        (None, "ends 1:39:5", "server 18:00:0"),
    ] {
        skew_marketplace(&sim, &mut room, seconds).await;
        let wanted = format!("hoodie-01  live      {countdown}");
        room.until(
            PATIENCE,
            &format!("the countdown with skew {seconds:?}"),
            |_, screen| screen.contains(&wanted),
        )
        .await;
        assert!(room.screen.contains(clock), "{clock}:\n{}", room.screen);
        assert!(
            all_ok(&room.state, &room.screen),
            "a skewed clock is no failure"
        );
    }
    sim.shutdown().await;
}

/// `dropday status --json` against `sim` with short timings; returns the JSON and how long the
/// process took.
fn status_json(sim: &RunningSim, observe: &str) -> (serde_json::Value, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dropday.toml");
    let mut text = "max_backoff = \"800ms\"\n".to_owned();
    for feed in FeedKind::ALL {
        text.push_str(&format!(
            "[feeds.{feed}]\nurl = \"{}\"\npoll = \"100ms\"\ntimeout = \"700ms\"\nbody_limit_bytes = 262144\n",
            sim.feed_url(feed)
        ));
    }
    std::fs::write(&path, text).expect("config written");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["status", "--json", "--observe", observe, "--config"])
        .arg(&path)
        .output()
        .expect("status runs");
    let took = started.elapsed();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stdout));
    });
    (json, took)
}

#[test]
fn status_reports_each_fault_per_feed() {
    let took = status_under_each_fault();
    eprintln!("status --observe 1s under each fault took {took:?}");
}

/// Timing (not in the default run; see docs/PERFORMANCE.md): `status` prints within observe +
/// 500 ms whatever the feeds do (start-up and printing; the report is made when observe ends).
#[test]
#[ignore = "timing: cargo test --test faults_room -- --ignored timing"]
fn timing_status_returns_within_observe_plus_half_a_second() {
    let took = status_under_each_fault();
    let worst = took.iter().max().copied().unwrap_or_default();
    eprintln!("timing: status --observe 1s took {took:?}, worst {worst:?} (budget 1.5 s)");
    assert!(
        worst < Duration::from_millis(1_500),
        "status took up to {worst:?}"
    );
}

/// `dropday status --observe 1s` against each fault on one feed: the failing feed is reported
/// with its reason, the others are not, and a `feed_error` alert names it. Returns how long
/// each run took.
fn status_under_each_fault() -> Vec<Duration> {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cases = [
        (
            FeedKind::Fulfilment,
            FaultKind::Hang,
            "no answer within 700 ms",
        ),
        (
            FeedKind::Marketplace,
            FaultKind::ServerError { status: 503 },
            "HTTP 503: 503 Service Unavailable",
        ),
        (
            FeedKind::Pos,
            FaultKind::MalformedJson,
            "malformed document: body is not JSON: ",
        ),
        (
            FeedKind::Fulfilment,
            FaultKind::Oversized { bytes: 1024 * 1024 },
            "body larger than the 262144-byte limit",
        ),
        (
            FeedKind::Marketplace,
            FaultKind::OversizedChunked { bytes: 1024 * 1024 },
            "body larger than the 262144-byte limit",
        ),
    ];
    let observe = Duration::from_secs(1);
    let mut durations = Vec::new();
    for (feed, kind, reason) in cases {
        let sim = runtime.block_on(launch());
        sim.set_fault(feed, kind.clone()).expect("fault set");
        let (json, took) = status_json(&sim, "1s");
        // It observes for the whole window (timers are never early), whatever the feeds do.
        assert!(took >= observe, "{kind} on {feed}: status took {took:?}");
        durations.push(took);
        for report in json["feeds"].as_array().expect("feeds") {
            let name = report["name"].as_str().expect("name");
            let error = report["error"].as_str().unwrap_or("");
            if name == feed.name() {
                assert_eq!(report["ok"], false, "{kind}: {report}");
                assert!(error.starts_with(reason), "{kind} on {feed}: {report}");
                assert!(
                    report["consecutive_failures"]
                        .as_u64()
                        .is_some_and(|n| n >= 1),
                    "{report}"
                );
            } else {
                assert_eq!(
                    report["ok"], true,
                    "{kind} on {feed} leaves {name} alone: {report}"
                );
                assert!(report["error"].is_null(), "{report}");
            }
        }
        let alerts = json["alerts"].as_array().expect("alerts");
        // One alert per feed problem: feed_error, or feed_stale once it has lasted (which
        // supersedes it), never both.
        let of_feed: Vec<&serde_json::Value> = alerts
            .iter()
            .filter(|a| {
                a["subject"] == feed.name()
                    && (a["kind"] == "feed_error" || a["kind"] == "feed_stale")
            })
            .collect();
        assert_eq!(of_feed.len(), 1, "{kind}: {alerts:?}");
        runtime.block_on(sim.shutdown());
    }
    durations
}
