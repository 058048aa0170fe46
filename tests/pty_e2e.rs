//! End to end: the real `dropday` binary in a pseudo-terminal, read through a terminal emulator,
//! against the simulator running in this test process (or `dropday demo` where the simulator's
//! own state need not be checked).
//!
//! What each test checks is on the screen an operator would see and in what the program left
//! behind (the simulator's control log, the audit file, the bytes written at exit, the
//! terminal's settings), not only in exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod pty_common;

use std::time::{Duration, Instant};

use dropday::feed::FeedKind;
use dropday::sim::{
    ClockMode, ControlAction, FaultKind, RunningSim, ScenarioSource, SimOptions, start,
};
use pty_common::{Finished, Home, PtyRun, SETTLE, printable, rfind};

/// The operate token of the simulator in the control test; it must never reach the audit log.
const OPERATE_TOKEN: &str = "e2e-operate-token-5f0c9a";
/// The variable the config reads that token from.
const TOKEN_ENV: &str = "DROPDAY_E2E_TOKEN";

const ENTER_ALT_SCREEN: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

/// The launch scenario on a wall clock at real speed, on an ephemeral loopback port.
async fn launch_sim(operate_token: Option<&str>) -> RunningSim {
    start(SimOptions {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        clock: ClockMode::Wall,
        speed: 1.0,
        operate_token: operate_token.map(str::to_owned),
        ..SimOptions::new(ScenarioSource::Builtin("launch".into()))
    })
    .await
    .expect("simulator starts")
}

/// The drops-table row of `drop_id` (the line that starts with it inside the panel border, or
/// at the screen's edge on a screen too short for side borders).
fn drop_row<'a>(screen: &'a str, drop_id: &str) -> Option<&'a str> {
    let framed = format!("│{drop_id} ");
    let unframed = format!("{drop_id} ");
    screen.lines().find(|l| {
        let l = l.trim_start();
        l.starts_with(&framed) || l.starts_with(&unframed)
    })
}

/// The Drops panel's title, framed (`╭ Drops`) or, on a screen too short for side borders, on
/// its title line alone (` Drops ─`).
fn has_drops_panel(screen: &str) -> bool {
    screen.contains("╭ Drops") || screen.lines().any(|l| l.starts_with(" Drops ─"))
}

/// The second header line: each feed's health and the alert counts.
fn health_line(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or("")
}

/// Rows of the Actions table (`│1   18:00:01 hoodie-01  pause …`).
fn action_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| {
            l.strip_prefix('│')
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect()
}

fn audit_lines(home: &Home) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(home.audit_log()).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
        .collect()
}

// -- 1. the control room: pause, band switch, refusal below the floor -------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_band_switch_reach_the_simulator_once_each_and_are_audited() {
    let sim = launch_sim(Some(OPERATE_TOKEN)).await;
    let home = Home::new();
    let config = home.write_config(&sim.base_url(), "1s", Some(TOKEN_ENV));
    let config = config.to_str().expect("utf-8 path");
    let mut run = PtyRun::spawn(
        &home,
        &["--config", config],
        &[(TOKEN_ENV, OPERATE_TOKEN)],
        100,
        30,
    );

    run.wait_for("hoodie-01 live in the drops table", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" live ") && r.contains("A 65.00 USD"))
    });

    // p: the confirmation says what, where and which change; Cancel has the focus.
    run.send("p");
    let dialog = run.wait_for_text("Confirm: Pause hoodie-01?", SETTLE);
    for expected in [
        "Drop:   hoodie-01 — Midnight Hoodie — Drop 01",
        "Env:    e2e",
        "Change: state live → paused",
        "the storefront stops taking orders for this drop",
        "[ Cancel ]       Confirm ",
    ] {
        assert!(
            dialog.contains(expected),
            "dialog lacks {expected:?}:\n{dialog}"
        );
    }
    assert!(
        !dialog.contains("[ Confirm ]"),
        "Confirm must not have the focus:\n{dialog}"
    );
    assert!(
        sim.control_log().is_empty(),
        "nothing may be sent before the operator confirms"
    );
    run.send("y");
    run.wait_for("hoodie-01 paused", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" paused "))
    });
    run.send("4");
    let actions = run.wait_for("the pause applied in the Actions view", SETTLE, |s| {
        s.contains("Control actions (newest first)")
            && action_rows(s)
                .iter()
                .any(|l| l.contains("hoodie-01  pause") && l.contains("applied"))
    });
    assert_eq!(action_rows(&actions).len(), 1, "{actions}");

    // b, one row down to band B (allowed), Enter, confirm.
    run.send("1");
    run.wait_for_text("│Drop ", SETTLE);
    run.send("b");
    let picker = run.wait_for_text("Price band of hoodie-01 — floor 55.0%", SETTLE);
    for (band, status) in [
        ("│A     launch", "active"),
        ("│B     premium", "allowed"),
        ("│C     clearance", "below floor: refused"),
    ] {
        let row = picker
            .lines()
            .find(|l| l.contains(band))
            .unwrap_or_else(|| panic!("no picker row {band:?}:\n{picker}"));
        assert!(row.contains(status), "{band}: {row}");
    }
    run.send("j");
    run.send("\r");
    let dialog = run.wait_for_text("Confirm: Set band B on hoodie-01?", SETTLE);
    assert!(
        dialog
            .contains("Change: band A 65.00 USD, margin 63.1 % → band B 72.00 USD, margin 66.7 %"),
        "{dialog}"
    );
    assert!(dialog.contains("Env:    e2e"), "{dialog}");
    assert!(dialog.contains("[ Cancel ]"), "{dialog}");
    assert_eq!(sim.control_log().len(), 1, "the band is not sent before y");
    run.send("y");
    run.wait_for("hoodie-01 on band B", SETTLE, |s| {
        drop_row(s, "hoodie-01")
            .is_some_and(|r| r.contains(" paused ") && r.contains("B 72.00 USD"))
    });

    // Band C is under the 55 % floor: refused on screen, nothing sent, the picker stays open.
    run.send("b");
    run.wait_for("the picker on the active band B", SETTLE, |s| {
        s.contains("Price band of hoodie-01")
            && s.lines()
                .any(|l| l.contains("│B     premium") && l.contains("active"))
    });
    run.send("j");
    run.send("\r");
    let refused = run.wait_for_text(
        "refused, nothing sent: band C's margin 51.0 % is under the 55.0 % floor",
        SETTLE,
    );
    assert!(
        !refused.contains("Confirm:"),
        "no dialog for a refused band:\n{refused}"
    );
    assert!(refused.contains("Price band of hoodie-01"), "{refused}");
    run.send("\x1b");
    run.wait_for("the picker closed", SETTLE, |s| {
        !s.contains("Price band of")
    });
    run.send("4");
    let actions = run.wait_for("both actions applied", SETTLE, |s| {
        s.contains("Control actions (newest first)")
            && action_rows(s).len() >= 2
            && action_rows(s).iter().all(|l| l.contains("applied"))
    });
    // Newest first: the band, then the pause; the refused band C is not an action at all.
    let rows = action_rows(&actions);
    assert_eq!(rows.len(), 2, "{actions}");
    assert!(rows[0].contains("hoodie-01  band B"), "{actions}");
    assert!(rows[1].contains("hoodie-01  pause"), "{actions}");

    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);

    // The simulator saw exactly one pause and one band change, and is in that state now.
    let log = sim.control_log();
    let pauses: Vec<_> = log
        .iter()
        .filter(|r| r.action == ControlAction::Pause)
        .collect();
    let bands: Vec<_> = log
        .iter()
        .filter(|r| r.action == ControlAction::PriceBand)
        .collect();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(pauses.len(), 1, "{log:?}");
    assert_eq!(bands.len(), 1, "{log:?}");
    assert_eq!(pauses[0].drop_id, "hoodie-01");
    assert_eq!(bands[0].drop_id, "hoodie-01");
    assert_eq!(bands[0].band.as_deref(), Some("B"));
    let drop = sim.drop_state("hoodie-01").expect("hoodie-01 exists");
    assert_eq!(drop.state.as_str(), "paused");
    assert_eq!(drop.active_band, "B");

    // The audit log: two applied records under the keys the simulator saw, and no token.
    let audit_text = std::fs::read_to_string(home.audit_log()).expect("audit log written");
    assert!(
        !audit_text.contains(OPERATE_TOKEN) && !audit_text.to_lowercase().contains("token"),
        "the audit log must hold no credential:\n{audit_text}"
    );
    let records = audit_lines(&home);
    assert_eq!(records.len(), 2, "{audit_text}");
    let pause = &records[0];
    let band = &records[1];
    assert_eq!(pause["action"], "pause", "{audit_text}");
    assert_eq!(band["action"], "price_band", "{audit_text}");
    assert_eq!(band["parameters"]["band"], "B", "{audit_text}");
    for (record, sim_record) in [(pause, pauses[0]), (band, bands[0])] {
        assert_eq!(record["outcome"], "applied", "{audit_text}");
        assert_eq!(record["drop"], "hoodie-01", "{audit_text}");
        assert_eq!(record["environment"], "e2e", "{audit_text}");
        assert_eq!(record["user"], "e2e-operator", "{audit_text}");
        let key = record["idempotency_key"].as_str().unwrap_or("");
        assert!(!key.is_empty(), "{audit_text}");
        assert_eq!(key, sim_record.idempotency_key, "the key the simulator saw");
    }
    assert_ne!(pause["idempotency_key"], band["idempotency_key"]);
    sim.shutdown().await;
}

// -- 2. the terminal is given back on every way out -------------------------------------------

/// Starts `dropday demo` at 80×24 and waits for the Overview; checks that raw mode is on while
/// it runs (so the check after exit can tell the difference).
fn demo(home: &Home, env: &[(&str, &str)]) -> PtyRun {
    let mut run = PtyRun::spawn(home, &["demo"], env, 80, 24);
    run.wait_for("the Overview with hoodie-01", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some()
    });
    assert!(
        run.termios().is_raw(),
        "raw mode while running: {:?}",
        run.termios()
    );
    run
}

/// After exit: the alternate screen was left and the cursor shown after the last frame, nothing
/// was drawn after that, and the terminal is out of raw mode.
///
/// Raw mode is checked on the terminal itself (the pty's termios, read through the master after
/// the program exited while the harness still holds the slave side), not only by the escape
/// sequences: line editing, echo, ^C as a signal and output processing are all back on.
fn assert_restored(finished: &Finished) {
    let bytes = &finished.bytes;
    let entered = rfind(bytes, ENTER_ALT_SCREEN).expect("the program entered the alternate screen");
    let left = rfind(bytes, LEAVE_ALT_SCREEN)
        .unwrap_or_else(|| panic!("never left the alternate screen: …{}", tail(bytes)));
    assert!(
        left > entered,
        "left before the last enter: …{}",
        tail(bytes)
    );
    let shown = rfind(bytes, SHOW_CURSOR).expect("the cursor was shown");
    let hidden = rfind(bytes, HIDE_CURSOR).unwrap_or(0);
    assert!(
        shown > hidden,
        "the cursor is left hidden: …{}",
        tail(bytes)
    );
    assert!(
        shown > left,
        "cursor shown before leaving: …{}",
        tail(bytes)
    );
    // After leaving, only the cursor and plain text (a message) may follow: no more drawing.
    let after = &bytes[left + LEAVE_ALT_SCREEN.len()..];
    let mut rest = after.to_vec();
    while let Some(at) = rfind(&rest, SHOW_CURSOR) {
        rest.drain(at..at + SHOW_CURSOR.len());
    }
    assert!(
        !rest.contains(&0x1b),
        "drawing after leaving the alternate screen: {}",
        printable(after)
    );
    assert!(
        !finished.alternate_screen,
        "the emulator still shows the alternate screen"
    );
    assert!(
        finished.termios.is_cooked(),
        "raw mode not undone: {:?}",
        finished.termios
    );
}

fn tail(bytes: &[u8]) -> String {
    printable(&bytes[bytes.len().saturating_sub(200)..])
}

/// The text written after the alternate screen was left (what the operator's shell shows).
fn after_leaving(finished: &Finished) -> String {
    let left = rfind(&finished.bytes, LEAVE_ALT_SCREEN).unwrap_or(0);
    String::from_utf8_lossy(&finished.bytes[left..]).into_owned()
}

#[test]
fn q_gives_the_terminal_back() {
    let home = Home::new();
    let mut run = demo(&home, &[]);
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0));
    assert_restored(&finished);
    assert!(!finished.screen.contains("panicked"), "{}", finished.screen);
}

fn signal_gives_the_terminal_back(signal: libc::c_int, name: &str) {
    let home = Home::new();
    let mut run = demo(&home, &[]);
    run.signal(signal);
    let finished = run.wait_exit(SETTLE);
    assert_restored(&finished);
    let message = format!("dropday: {name} received, terminal restored");
    assert!(
        after_leaving(&finished).contains(&message),
        "{message:?} not written after leaving: {}",
        printable(&finished.bytes[finished.bytes.len().saturating_sub(300)..])
    );
    assert!(finished.screen.contains(&message), "{}", finished.screen);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
}

#[test]
fn sigterm_gives_the_terminal_back() {
    signal_gives_the_terminal_back(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sigint_gives_the_terminal_back() {
    signal_gives_the_terminal_back(libc::SIGINT, "SIGINT");
}

#[test]
fn sighup_gives_the_terminal_back() {
    signal_gives_the_terminal_back(libc::SIGHUP, "SIGHUP");
}

#[test]
fn a_panic_in_the_view_gives_the_terminal_back_and_prints_on_the_normal_screen() {
    let home = Home::new();
    // The hook makes the first frame drawn after 3 s panic; the Overview shows well before that
    // on any machine that can run this suite, and if it does not, the exit is still checked.
    let mut run = PtyRun::spawn(
        &home,
        &["demo"],
        &[("DROPDAY_PANIC_AFTER_MS", "3000")],
        80,
        24,
    );
    let finished = run.wait_exit(SETTLE);
    assert_restored(&finished);
    let before = &finished.bytes[..rfind(&finished.bytes, LEAVE_ALT_SCREEN).unwrap_or(0)];
    assert!(
        String::from_utf8_lossy(before).contains("hoodie-01"),
        "the Overview was drawn before the panic"
    );
    let after = after_leaving(&finished);
    assert!(
        after.contains("panicked at") && after.contains("DROPDAY_PANIC_AFTER_MS test hook"),
        "the panic message is not written after the terminal was restored: {}",
        printable(after.as_bytes())
    );
    assert!(
        finished.screen.contains("DROPDAY_PANIC_AFTER_MS test hook"),
        "the panic message is not on the normal screen:\n{}",
        finished.screen
    );
    assert!(
        finished.code.is_some_and(|c| c != 0),
        "a panic must exit non-zero: {:?}",
        finished.code
    );
}

// -- 3. the link drops ------------------------------------------------------------------------

#[test]
fn a_dropped_link_ends_the_program() {
    let took = link_drop_exit(SETTLE);
    eprintln!("link drop: dropday ended {took:?} after the pty closed");
}

/// Timing (not in the default run; see docs/PERFORMANCE.md): the program is gone within 2 s of
/// its terminal going away.
#[test]
#[ignore = "timing: cargo test --test pty_e2e -- --ignored timing"]
fn timing_a_dropped_link_ends_the_program_within_two_seconds() {
    let took = link_drop_exit(Duration::from_secs(2));
    eprintln!("timing: dropday ended {took:?} after the pty closed (budget 2 s)");
}

/// Closes the pty under a running demo and waits up to `within` for the program to end
/// cleanly; returns how long it took.
fn link_drop_exit(within: Duration) -> Duration {
    let home = Home::new();
    let mut run = demo(&home, &[]);
    run.close();
    let closed_at = Instant::now();
    let status = run.try_wait_exit(within);
    let took = closed_at.elapsed();
    let status = status
        .unwrap_or_else(|| panic!("dropday still runs {took:?} after its terminal went away"));
    // SIGHUP (exit 0) or the input ending (exit 1), whichever the program sees first; never a
    // panic (101) on the way out because the terminal can no longer be written to.
    assert!(
        status.signal().is_none() && matches!(status.exit_code(), 0 | 1),
        "dropday ended badly after the link dropped: {status:?}"
    );
    took
}

// -- 4. a resize storm ------------------------------------------------------------------------

/// The Overview drawn whole at 80×24: header, drops, and the key hints on the last row.
fn whole_overview(screen: &str) -> bool {
    drop_row(screen, "hoodie-01").is_some()
        && has_drops_panel(screen)
        && screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("SIMULATED"))
        && screen
            .lines()
            .nth(23)
            .is_some_and(|l| l.starts_with("? help"))
}

#[test]
fn a_resize_storm_ends_on_a_whole_overview() {
    let home = Home::new();
    let mut run = demo(&home, &[]);
    // A flick to a tiny size and straight back: the terminal cuts the screen to 20×5 and back,
    // and the program may only ever see 80×24 again, the size it last drew at. It must still
    // draw the whole frame, not only what changed since its last one.
    for _ in 0..5 {
        run.resize(20, 5);
        run.resize(80, 24);
        run.wait_for("the whole Overview after a flick", SETTLE, whole_overview);
    }
    let sizes: [(u16, u16); 12] = [
        (1, 1),
        (20, 5),
        (79, 23),
        (200, 60),
        (80, 24),
        (2, 1),
        (120, 36),
        (60, 20),
        (81, 25),
        (160, 48),
        (1, 60),
        (200, 1),
    ];
    for i in 0..200 {
        // Walks the list in a stride so neighbours differ from one round to the next.
        let (cols, rows) = sizes[(i * 7) % sizes.len()];
        run.resize(cols, rows);
    }
    run.resize(79, 23);
    run.wait_for_text("need 80×24, have 79×23", SETTLE);
    run.resize(80, 24);
    let screen = run.wait_for("the whole Overview at 80×24", SETTLE, whole_overview);
    assert!(!screen.contains("need 80×24"), "{screen}");
    assert!(
        run.try_wait_exit(Duration::ZERO).is_none(),
        "dropday died in the storm"
    );
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    let text = String::from_utf8_lossy(&finished.bytes);
    assert!(!text.contains("panicked"), "{}", finished.screen);
    assert_restored(&finished);
}

// -- 5. keys stay responsive while a feed hangs -----------------------------------------------

/// Presses `?` and returns how long until the help overlay is on screen; closes it again and
/// returns the screen without it too.
fn help_latency(run: &mut PtyRun) -> (Duration, String) {
    let pressed = Instant::now();
    run.send("?");
    run.wait_for_text("Help — ? or Esc closes", SETTLE);
    let took = pressed.elapsed();
    run.send("\x1b");
    let closed = run.wait_for("the help closed", SETTLE, |s| !s.contains("Help — "));
    (took, closed)
}

/// Whether the header says the fulfilment feed fails, in words.
fn fulfilment_failing(screen: &str) -> bool {
    let health = health_line(screen);
    health.contains("fulfilment ERROR no answer within 1000 ms")
        || health.contains("fulfilment STALE")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_stay_responsive_while_the_fulfilment_feed_hangs_and_it_recovers() {
    let measured = hang_and_recover().await;
    assert!(!measured.latencies.is_empty());
}

/// Timing (not in the default run; see docs/PERFORMANCE.md): while a feed hangs, the worst
/// `?`-to-help latency stays under 500 ms and the header shows the failure within 4 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing: cargo test --test pty_e2e -- --ignored timing"]
async fn timing_keys_while_a_feed_hangs() {
    let measured = hang_and_recover().await;
    let worst = measured.latencies[measured.latencies.len() - 1];
    eprintln!(
        "timing: worst help latency {worst:?} (budget 500 ms); failure shown after {:?} \
         (budget 4 s)",
        measured.failure_shown
    );
    assert!(
        worst < Duration::from_millis(500),
        "`?` took up to {worst:?} to show the help while a feed hangs"
    );
    assert!(
        measured.failure_shown < Duration::from_secs(4),
        "the failure took {:?} to show",
        measured.failure_shown
    );
}

/// What [`hang_and_recover`] measured.
struct HangFigures {
    /// `?`-to-help latencies while the feed hung, sorted.
    latencies: Vec<Duration>,
    /// From setting the fault to the header saying the feed fails.
    failure_shown: Duration,
}

/// Hangs the fulfilment feed under a running room, opens and closes the help throughout, then
/// clears the fault and waits for the recovery. Asserts behaviour (the keys work, the header
/// says what is wrong in words, the feed recovers without a restart); returns the figures.
async fn hang_and_recover() -> HangFigures {
    let sim = launch_sim(None).await;
    let home = Home::new();
    // Polls every 500 ms, gives up on a request after 1 s, backs off at most 2 s.
    let config = home.write_config(&sim.base_url(), "1s", None);
    let config = config.to_str().expect("utf-8 path");
    let mut run = PtyRun::spawn(&home, &["--config", config], &[], 100, 30);
    run.wait_for("every feed ok", SETTLE, |s| {
        let health = health_line(s);
        health.contains("marketplace ok")
            && health.contains("fulfilment ok")
            && health.contains("pos ok")
    });
    let (healthy, _) = help_latency(&mut run);

    sim.set_fault(FeedKind::Fulfilment, FaultKind::Hang)
        .expect("hang on fulfilment");
    let fault_set = Instant::now();
    // Open and close the help for longer than a whole cycle of the failing poller (500 ms to
    // the next poll, 1 s hanging until the timeout, at most 2 s of backoff): at least one
    // request hangs from start to end while keys are being pressed.
    let mut latencies = Vec::new();
    let mut failure_shown = None;
    while fault_set.elapsed() < Duration::from_millis(3_600) || failure_shown.is_none() {
        assert!(
            fault_set.elapsed() < SETTLE,
            "the header never showed the fulfilment failure"
        );
        let (took, screen) = help_latency(&mut run);
        latencies.push(took);
        if failure_shown.is_none() && fulfilment_failing(&screen) {
            failure_shown = Some(fault_set.elapsed());
        }
    }
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    let worst = latencies[latencies.len() - 1];
    eprintln!(
        "help overlay after `?`: {healthy:?} with every feed healthy; while fulfilment hangs, \
         {} presses over {:?}: median {median:?}, worst {worst:?}",
        latencies.len(),
        fault_set.elapsed()
    );
    // The header says what is wrong, in words, and keeps saying it while the feed hangs.
    let failed = run.wait_for(
        "the fulfilment failure in the header",
        SETTLE,
        fulfilment_failing,
    );
    let health = health_line(&failed);
    assert!(health.contains("marketplace ok"), "{failed}");
    assert!(health.contains("pos ok"), "{failed}");

    sim.clear_faults();
    let cleared = Instant::now();
    run.wait_for("fulfilment ok again, without a restart", SETTLE, |s| {
        health_line(s).contains("fulfilment ok")
    });
    eprintln!(
        "fulfilment ok again {:?} after the fault was cleared",
        cleared.elapsed()
    );
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    sim.shutdown().await;
    let failure_shown = failure_shown.unwrap_or(SETTLE);
    eprintln!("the header showed the fulfilment failure {failure_shown:?} after the fault was set");
    HangFigures {
        latencies,
        failure_shown,
    }
}

// -- 6. too small -----------------------------------------------------------------------------

#[test]
fn a_too_small_terminal_says_what_is_needed_and_q_still_quits() {
    let home = Home::new();
    let mut run = PtyRun::spawn(&home, &["demo"], &[], 60, 20);
    let screen = run.wait_for_text("need 80×24, have 60×20", SETTLE);
    assert!(screen.contains("q quits"), "{screen}");
    assert!(!has_drops_panel(&screen), "{screen}");
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    assert_restored(&finished);
}

// -- two operators, two processes --------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_in_two_processes_pause_at_once_and_each_gets_the_servers_word() {
    let sim = launch_sim(Some(OPERATE_TOKEN)).await;
    let homes = [Home::new(), Home::new()];
    let mut runs: Vec<PtyRun> = homes
        .iter()
        .map(|home| {
            let config = home.write_config(&sim.base_url(), "1s", Some(TOKEN_ENV));
            let config = config.to_str().expect("utf-8 path").to_owned();
            PtyRun::spawn(
                home,
                &["--config", &config],
                &[(TOKEN_ENV, OPERATE_TOKEN)],
                100,
                30,
            )
        })
        .collect();
    for run in &mut runs {
        run.wait_for("hoodie-01 live", SETTLE, |s| {
            drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" live "))
        });
        run.send("p");
        run.wait_for_text("Confirm: Pause hoodie-01?", SETTLE);
    }
    // Both operators confirm at the same moment.
    for run in &mut runs {
        run.send("y");
    }
    let mut outcomes = Vec::new();
    for run in &mut runs {
        run.send("4");
        let screen = run.wait_for("the pause's final state", SETTLE, |s| {
            action_rows(s)
                .iter()
                .any(|l| l.contains("applied") || l.contains("refused"))
        });
        let row = action_rows(&screen)
            .first()
            .map(|r| (*r).to_owned())
            .unwrap_or_default();
        outcomes.push(row);
        run.send("1");
        run.wait_for("hoodie-01 paused on both screens", SETTLE, |s| {
            drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" paused "))
        });
        run.send("q");
        assert_eq!(run.wait_exit(SETTLE).code, Some(0));
    }
    let applied = outcomes.iter().filter(|r| r.contains("applied")).count();
    let refused = outcomes
        .iter()
        .filter(|r| r.contains("refused") && r.contains("invalid_state"))
        .count();
    assert_eq!((applied, refused), (1, 1), "{outcomes:#?}");
    let pauses = sim
        .control_log()
        .iter()
        .filter(|r| r.drop_id == "hoodie-01" && r.action == ControlAction::Pause)
        .count();
    assert_eq!(pauses, 1, "the drop was paused once");
    let mut audited: Vec<String> = homes
        .iter()
        .flat_map(audit_lines)
        .map(|line| line["outcome"].as_str().unwrap_or("").to_owned())
        .collect();
    audited.sort();
    assert_eq!(audited, vec!["applied", "refused"]);
    sim.shutdown().await;
}

// -- every terminal: --ascii, --color 16, --color never, NO_COLOR, byte by byte ----------------

/// Drives `dropday demo` through every view, the help, the details pane, the confirmation
/// dialog (pause and band), the band picker and both text lines, then quits; returns every
/// byte the program wrote.
fn tour_every_screen(args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let home = Home::new();
    let mut all = vec!["demo"];
    all.extend_from_slice(args);
    let mut run = PtyRun::spawn(&home, &all, env, 100, 30);
    run.wait_for_text("hoodie-01", SETTLE);
    // (keys, text that must be on screen after them, text that must be gone): an Esc is
    // waited on until what it closed is gone, so the next key is not read as Alt+key.
    let steps: &[(&str, &str, Option<&str>)] = &[
        ("?", "Navigate", None),
        ("\x1b", "Drops", Some("Navigate")),
        ("\r", "Drop hoodie-01", None),
        ("\x1b", "Drops", Some("Drop hoodie-01")),
        ("p", "Confirm: Pause hoodie-01?", None),
        ("n", "cancelled: nothing sent", Some("Confirm:")),
        ("b", "Price band of hoodie-01", None),
        ("j", "Price band of hoodie-01", None),
        ("\r", "Confirm: Set band B on hoodie-01?", None),
        ("n", "cancelled: nothing sent", Some("Confirm:")),
        (":", "Drops", Some("? help")),
        ("pause hood", ":pause hood", None),
        ("\x1b", "Drops", Some(":pause hood")),
        ("/", "Drops", Some("? help")),
        ("hoodie", "/hoodie", None),
        ("\x1b", "Drops", Some("/hoodie")),
        ("2", "Overdue orders", None),
        ("3", "Terminals of", None),
        ("4", "Control actions", None),
        ("5", "dropday::room", None),
        ("?", "Navigate", None),
        ("\x1b", "dropday::room", Some("Navigate")),
        ("1", "Drops", Some("dropday::room")),
    ];
    for (keys, shows, gone) in steps {
        run.send(keys);
        run.wait_for(&format!("{shows:?} after {keys:?}"), SETTLE, |s| {
            s.contains(shows) && gone.is_none_or(|g| !s.contains(g))
        });
    }
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    finished.bytes
}

/// The parameters of every SGR sequence (`ESC[…m`) in `bytes`.
fn sgr_sequences(bytes: &[u8]) -> Vec<Vec<u32>> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            let start = i + 2;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b';') {
                end += 1;
            }
            if bytes.get(end) == Some(&b'm') {
                let text = std::str::from_utf8(&bytes[start..end]).expect("digits");
                found.push(
                    text.split(';')
                        .map(|p| p.parse::<u32>().unwrap_or(0))
                        .collect(),
                );
            }
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// Colour parameters of an SGR sequence: basic colours, 256-colour and RGB selections.
fn colours_in(params: &[u32]) -> Vec<String> {
    let mut colours = Vec::new();
    let mut i = 0;
    while i < params.len() {
        match params[i] {
            38 | 48 | 58 => {
                let used = match params.get(i + 1) {
                    Some(5) => 3,
                    Some(2) => 5,
                    _ => 1,
                };
                let end = (i + used).min(params.len());
                colours.push(
                    params[i..end]
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(";"),
                );
                i += used;
                continue;
            }
            p @ (30..=37 | 90..=97 | 40..=47 | 100..=107) => colours.push(p.to_string()),
            _ => {}
        }
        i += 1;
    }
    colours
}

#[test]
fn ascii_and_sixteen_colours_hold_byte_by_byte_in_every_view_and_dialog() {
    let bytes = tour_every_screen(&["--ascii", "--color", "16"], &[]);
    if let Some(at) = bytes.iter().position(|b| *b >= 0x80) {
        let from = at.saturating_sub(80);
        panic!(
            "--ascii wrote byte {:#x} at {at}: …{}…",
            bytes[at],
            String::from_utf8_lossy(&bytes[from..(at + 40).min(bytes.len())])
        );
    }
    let sequences = sgr_sequences(&bytes);
    let colours: Vec<String> = sequences.iter().flat_map(|s| colours_in(s)).collect();
    assert!(
        !colours.is_empty(),
        "--color 16 still draws in colour (basic codes)"
    );
    let extended: Vec<&String> = colours
        .iter()
        .filter(|c| c.starts_with("38;") || c.starts_with("48;") || c.starts_with("58;"))
        .collect();
    assert!(
        extended.is_empty(),
        "--color 16 wrote 256-colour or RGB sequences: {extended:?}"
    );
}

#[test]
fn color_never_and_no_color_write_no_colour_at_all() {
    for (args, env) in [
        (&["--color", "never"][..], &[][..]),
        (&[][..], &[("NO_COLOR", "1")][..]),
    ] {
        let bytes = tour_every_screen(args, env);
        let sequences = sgr_sequences(&bytes);
        let colours: Vec<String> = sequences.iter().flat_map(|s| colours_in(s)).collect();
        assert!(
            colours.is_empty(),
            "{args:?} {env:?}: colour sequences {colours:?}"
        );
        // Still readable: emphasis (bold, reverse video) carries the states.
        assert!(
            sequences.iter().any(|s| s.contains(&7)),
            "{args:?} {env:?}: no reverse video at all"
        );
    }
}

// -- demo keeps to its own audit file; :export writes the triage list -------------------------

#[test]
fn demo_audits_into_a_file_of_its_own_and_export_writes_csv() {
    let home = Home::new();
    let tmp = home.path().join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp dir");
    let tmp_text = tmp.to_str().expect("utf-8 path").to_owned();
    let mut run = PtyRun::spawn(&home, &["demo"], &[("TMPDIR", &tmp_text)], 100, 30);
    run.wait_for("hoodie-01 live", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" live "))
    });
    run.send("p");
    run.wait_for_text("Confirm: Pause hoodie-01?", SETTLE);
    run.send("y");
    run.wait_for("hoodie-01 paused", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" paused "))
    });
    run.send("2");
    run.wait_for_text("Overdue orders", SETTLE);
    run.send(":export late.csv\r");
    run.wait_for_text("exported to late.csv", SETTLE);
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);

    let csv = std::fs::read_to_string(home.path().join("late.csv")).expect("late.csv written");
    assert!(
        csv.starts_with("hub,order,drop,stage,reason,due_utc,overdue_minutes\n"),
        "{csv}"
    );
    let said = after_leaving(&finished);
    let named = said
        .lines()
        .find_map(|l| l.split_once("dropday demo: this run's audit log: "))
        .map_or_else(
            || panic!("the audit file is named on exit: {said}"),
            |(_, path)| path.trim(),
        );
    assert!(named.starts_with(&tmp_text), "{named}");
    let audit = std::fs::read_to_string(named.trim()).expect("the named audit file");
    assert!(audit.contains("\"action\":\"pause\""), "{audit}");
    assert!(
        !home.audit_log().exists() && !home.path().join("state/dropday/audit.jsonl").exists(),
        "demo wrote into the real audit log"
    );
}
