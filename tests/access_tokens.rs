//! Access: tokens from the environment or a private file, a read-only token that turns the
//! session read-only at its first 403, `--read-only`/`ui.read_only` sessions that cannot send
//! anything, no bearer token in clear text off this machine, and the token never in any output:
//! `status` (JSON and table), the audit log, formatted failures, reports, events and state, and
//! a panic message.
//!
//! The simulator enforces its read and operate tokens; its own checks are in `sim_protocol.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(unsafe_code)] // set_var: edition 2024 marks it unsafe; only this test touches its variable.

mod faults_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use crossterm::event::KeyCode;

use dropday::app::Event;
use dropday::app::audit::AuditOutcome;
use dropday::app::ledger::ActionStatus;
use dropday::config::Config;
use dropday::feed::FeedKind;
use dropday::feed::client::FeedEndpoint;
use dropday::feed::secret::Token;
use dropday::sim::{FaultKind, RunningSim};
use faults_common::{
    PATIENCE, POLL, Room, TIMEOUT, audits, ch, endpoint, key, launch_with, sends, state_config,
};

/// The token planted everywhere; it must never come out.
const SECRET: &str = "tok-SECRET-4242";
/// A token the simulator accepts for reading only.
const READ_ONLY: &str = "tok-read-only-7171";

/// The launch scenario with `SECRET` as the operate token and `READ_ONLY` as the read token.
async fn guarded_sim() -> RunningSim {
    launch_with(|o| {
        o.operate_token = Some(SECRET.to_owned());
        o.read_token = Some(READ_ONLY.to_owned());
    })
    .await
}

/// The test timings on endpoints read from a config.
fn quick(mut feeds: Vec<FeedEndpoint>) -> Vec<FeedEndpoint> {
    for feed in &mut feeds {
        feed.poll_every = POLL;
        feed.timeout = TIMEOUT;
    }
    feeds
}

fn config_for(sim: &RunningSim, extra: &str) -> String {
    let mut text = String::new();
    for feed in FeedKind::ALL {
        text.push_str(&format!(
            "[feeds.{feed}]\nurl = \"{}\"\n{extra}",
            sim.feed_url(feed)
        ));
    }
    text
}

fn private_file(dir: &Path, name: &str, text: &str, mode: u32) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

fn all_output(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_read_only_token_turns_the_session_read_only_at_the_first_403() {
    let sim = guarded_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = private_file(dir.path(), "read.token", &format!("{READ_ONLY}\n"), 0o600);
    let text = config_for(
        &sim,
        &format!("token_file = \"{}\"\n", token_file.display()),
    );
    let config = Config::parse(&text, None).expect("a private token file is accepted");
    let market = quick(vec![
        config.feed(FeedKind::Marketplace).expect("market").clone(),
    ])
    .remove(0);
    let mut room = Room::start(quick(config.feeds.clone()), 100).with_control(market);
    room.until_all_ok("the read token reads every feed").await;
    assert!(room.screen.contains("[RW]"), "{}", room.screen);

    let effects = room.press([ch('p'), ch('y')]);
    assert_eq!(sends(&effects).len(), 1, "{effects:?}");
    room.until(PATIENCE, "the 403 arrives", |state, _| {
        state.state().access().is_read_only()
    })
    .await;
    let entry = room.state.board.ledger().entries()[0].clone();
    assert_eq!(
        entry.status,
        ActionStatus::Refused {
            status: 403,
            code: "forbidden".to_owned(),
            message: "this token may read the feeds but not operate the drops".to_owned(),
        }
    );
    assert_eq!(entry.attempts, 1, "a 403 is final, not retried");
    let audit = audits(&room.effects);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].outcome, AuditOutcome::Refused);
    assert!(sim.control_log().is_empty());

    let reason = "the marketplace refused control with 403 forbidden: this token may read the \
                  feeds but not operate the drops";
    let screen = room.screen.clone();
    assert!(
        screen.lines().next().unwrap_or("").contains("[R] "),
        "{screen}"
    );
    assert!(!screen.contains("[RW]"), "{screen}");
    assert!(
        screen.contains(&format!("read-only: {reason}")),
        "the reason is on screen:\n{screen}"
    );

    // Nothing more can be sent, by any path, and each says why. `b` opens the picker to look
    // at the margins (issue 10); choosing a band there says why nothing is sent.
    for events in [
        vec![ch('p')],
        vec![ch('b'), key(KeyCode::Enter), key(KeyCode::Esc)],
        vec![
            ch(':'),
            ch('p'),
            ch('a'),
            ch('u'),
            ch('s'),
            ch('e'),
            ch(' '),
            ch('c'),
            ch('a'),
            ch('p'),
            ch('-'),
            ch('0'),
            ch('2'),
            key(KeyCode::Enter),
        ],
    ] {
        let effects = room.press(events.clone());
        assert!(sends(&effects).is_empty(), "{events:?}: {effects:?}");
        assert!(room.state.session.overlay().is_none(), "{events:?}");
        let line = room
            .screen
            .lines()
            .last()
            .unwrap_or("")
            .trim_end()
            .to_owned();
        assert!(
            line.starts_with(&format!("read-only ({reason}): ")) && line.ends_with(" does nothing"),
            "{events:?}: {line}"
        );
    }
    assert!(sim.control_log().is_empty());
    sim.shutdown().await;
}

#[test]
fn read_only_sessions_refuse_every_control_path_and_say_why() {
    // `ui.read_only` in the config is what src/room/ hands to the session (and it builds no
    // ControlClient at all then); `--read-only` is or-ed into the same setting.
    let config = Config::parse("[ui]\nread_only = true\n", None).expect("valid");
    assert!(config.ui.read_only);
    let mut state = dropday::app::Room::new(state_config(config.ui.read_only, 3), launch_board());
    let now = Utc::now();
    for (events, what) in [
        (vec![ch('p')], "pause/resume"),
        (
            vec![
                ch('b'),
                key(KeyCode::Down),
                key(KeyCode::Enter),
                key(KeyCode::Esc),
            ],
            "band",
        ),
        (
            [
                vec![ch(':')],
                "pause hoodie-01".chars().map(ch).collect(),
                vec![key(KeyCode::Enter)],
            ]
            .concat(),
            "pause",
        ),
        (
            [
                vec![ch(':')],
                "band hoodie-01 B".chars().map(ch).collect(),
                vec![key(KeyCode::Enter)],
            ]
            .concat(),
            "band",
        ),
    ] {
        let effects: Vec<_> = events
            .into_iter()
            .flat_map(|e| state.update(e, now))
            .collect();
        assert!(effects.is_empty(), "{what}: {effects:?}");
        assert!(state.session.overlay().is_none(), "{what}");
        let message = state.session.current_message(now).map(|m| m.text.clone());
        assert_eq!(
            message.as_deref(),
            Some(format!("read-only (started with --read-only): {what} does nothing").as_str())
        );
    }
}

/// A board with the launch scenario's drops, as one marketplace document makes it.
fn launch_board() -> dropday::model::board::Board {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let sim = launch_with(|_| {}).await;
        let endpoint = endpoint(FeedKind::Marketplace, &sim.base_url());
        let http = dropday::feed::client::build_http(&endpoint).expect("http");
        let report = dropday::feed::client::FeedClient::new(http, endpoint)
            .poll()
            .await;
        let mut board = dropday::model::board::Board::default();
        board.apply_poll(report);
        assert!(board.drop_by_id("hoodie-01").is_some());
        sim.shutdown().await;
        board
    })
}

fn status(config: &Path, env: &[(&str, &str)], json: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dropday"));
    command
        .args(["status", "--observe", "800ms", "--config"])
        .arg(config);
    if json {
        command.arg("--json");
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("status runs")
}

#[test]
fn token_files_readable_by_others_are_refused_by_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = private_file(dir.path(), "op.token", SECRET, 0o644);
    let config = dir.path().join("dropday.toml");
    std::fs::write(
        &config,
        format!(
            "[feeds.marketplace]\nurl = \"http://127.0.0.1:9\"\ntoken_file = \"{}\"\n",
            token.display()
        ),
    )
    .expect("write");
    let output = status(&config, &[], true);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "dropday: config error in {} line 3 key `feeds.marketplace.token_file`: the token \
             file {} is readable by group or others (mode 644): run chmod 600 on it",
            config.display(),
            token.display()
        )
    );
    assert!(!all_output(&output).contains(SECRET));
}

#[test]
fn a_token_is_not_sent_in_clear_text_off_this_machine_unless_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("dropday.toml");
    let remote =
        "[feeds.pos]\nurl = \"http://192.0.2.10:7070\"\ntoken_env = \"ACCESS_TEST_TOKEN\"\n";
    std::fs::write(&config, remote).expect("write");
    let env = [("ACCESS_TEST_TOKEN", SECRET)];
    let output = status(&config, &env, true);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "dropday: config error in {} line 2 key `feeds.pos.url`: a token would be sent in \
             clear text to 192.0.2.10: use https, or set allow_insecure_http = true for this \
             feed if you accept that",
            config.display()
        )
    );
    assert!(!all_output(&output).contains(SECRET));

    // Allowed on purpose: the config is accepted (the address answers nothing; that is a feed
    // failure, not a config error).
    std::fs::write(
        &config,
        format!("{remote}allow_insecure_http = true\ntimeout = \"200ms\"\n"),
    )
    .expect("write");
    let output = status(&config, &env, true);
    assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
    assert!(!all_output(&output).contains(SECRET));
}

#[test]
fn the_token_never_appears_in_status_output() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime.block_on(guarded_sim());
    sim.set_fault(FeedKind::Pos, FaultKind::ServerError { status: 500 })
        .expect("fault set");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("dropday.toml");
    std::fs::write(&config, config_for(&sim, "poll = \"100ms\"\n")).expect("write");
    // The right token for the marketplace and the pos feed, a wrong one (the secret plus a
    // suffix) for fulfilment.
    let wrong = format!("{SECRET}-wrong");
    let env = [
        ("DROPDAY_MARKETPLACE_TOKEN", SECRET),
        ("DROPDAY_FULFILMENT_TOKEN", wrong.as_str()),
        ("DROPDAY_POS_TOKEN", SECRET),
    ];
    let json_run = status(&config, &env, true);
    let table_run = status(&config, &env, false);
    for output in [&json_run, &table_run] {
        assert_eq!(output.status.code(), Some(0), "{}", all_output(output));
        let text = all_output(output);
        assert!(!text.contains(SECRET) && !text.contains("SECRET"), "{text}");
    }
    let json: serde_json::Value = serde_json::from_slice(&json_run.stdout).expect("JSON");
    let error_of = |name: &str| {
        json["feeds"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["name"] == name))
            .map(|f| f["error"].clone())
            .expect("feed")
    };
    assert_eq!(error_of("marketplace"), serde_json::Value::Null);
    assert_eq!(
        error_of("fulfilment"),
        "HTTP 401 unauthorized: the bearer token is not accepted here"
    );
    assert_eq!(error_of("pos"), "HTTP 500: 500 Internal Server Error");
    let table = String::from_utf8_lossy(&table_run.stdout);
    assert!(table.contains("HTTP 401 unauthorized"), "{table}");
    runtime.block_on(sim.shutdown());
}

/// Everything a test can format, gathered as text.
fn formatted(room: &Room, extra: &[String]) -> String {
    let mut text = format!("{:?}\n{}\n", room.state, room.screen);
    for seen in &room.seen {
        if let Some(failure) = &seen.failure {
            text.push_str(&format!("{failure:?} {failure}\n"));
        }
    }
    for effect in &room.effects {
        text.push_str(&format!("{effect:?}\n"));
    }
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[tokio::test]
async fn the_token_never_appears_in_the_audit_log_or_anything_formatted() {
    let sim = guarded_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let audit_log = dir.path().join("audit.jsonl");
    // The operate token from the environment, as the binary reads it.
    let var = "DROPDAY_ACCESS_TEST_OPERATE_TOKEN";
    // SAFETY: only this test reads or writes this variable.
    unsafe { std::env::set_var(var, SECRET) };
    let config =
        Config::parse(&config_for(&sim, &format!("token_env = \"{var}\"\n")), None).expect("valid");
    let market = quick(vec![
        config.feed(FeedKind::Marketplace).expect("market").clone(),
    ])
    .remove(0);
    assert_eq!(market.token.as_ref(), Some(&Token::new(SECRET)));

    // Applied: pause.
    let mut room = Room::start(quick(config.feeds.clone()), 100).with_control(market.clone());
    room.audit_log = Some(audit_log.clone());
    room.until_all_ok("the operate token reads").await;
    room.press([ch('p'), ch('y')]);
    room.until(PATIENCE, "hoodie-01 paused", |_, screen| {
        screen.contains("hoodie-01  paused")
    })
    .await;
    // Unknown: resume while the marketplace hangs.
    sim.set_fault(FeedKind::Marketplace, FaultKind::Hang)
        .expect("fault set");
    room.press([ch('p'), ch('y')]);
    room.until(PATIENCE, "the resume ends unknown", |state, _| {
        state
            .board
            .ledger()
            .entries()
            .get(1)
            .is_some_and(|e| matches!(e.status, ActionStatus::Unknown { .. }))
    })
    .await;
    sim.clear_faults();

    // Refused: an operator whose token is wrong (the secret with a suffix).
    let mut wrong_market = market.clone();
    wrong_market.token = Some(Token::new(&format!("{SECRET}-wrong")));
    let mut other = Room::start(quick(config.feeds.clone()), 100).with_control(wrong_market);
    other.audit_log = Some(audit_log.clone());
    other.until_all_ok("the other room reads").await;
    other.press([ch('b'), ch('j'), key(KeyCode::Enter), ch('y')]);
    other
        .until(PATIENCE, "the band change is refused", |state, _| {
            matches!(
                state.board.ledger().entries().first().map(|e| &e.status),
                Some(ActionStatus::Refused { status: 401, .. })
            )
        })
        .await;

    let log = std::fs::read_to_string(&audit_log).expect("audit log");
    let outcomes: Vec<String> = log
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            record["outcome"].as_str().expect("outcome").to_owned()
        })
        .collect();
    assert_eq!(outcomes, ["applied", "unknown", "refused"], "{log}");
    assert!(!log.contains(SECRET), "{log}");

    let client_debug = format!("{:?}", room.control);
    let extra = vec![
        log,
        format!("{config:?}"),
        format!("{market:?}"),
        client_debug,
        format!("{:?} {}", market.token, Token::new(SECRET)),
        panic_message(&market),
    ];
    for text in [formatted(&room, &extra), formatted(&other, &[])] {
        assert!(!text.contains(SECRET), "the token leaked:\n{text}");
    }
    // The formatting did show what it formats.
    assert!(format!("{market:?}").contains("Token(***)"));
    sim.shutdown().await;
}

/// The message of a panic whose payload formats an endpoint with its token, as the process's
/// panic hook would print it.
fn panic_message(endpoint: &FeedEndpoint) -> String {
    let caught = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&caught);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut text) = sink.lock() {
            *text = info.to_string();
        }
    }));
    let endpoint = endpoint.clone();
    let result = std::panic::catch_unwind(move || {
        panic!("cannot poll {endpoint:?}");
    });
    std::panic::set_hook(previous);
    assert!(result.is_err());
    let text = caught.lock().expect("caught").clone();
    assert!(text.contains("cannot poll FeedEndpoint"), "{text}");
    text
}

#[tokio::test]
async fn events_carry_no_token_either() {
    // A control report and a poll event formatted as the log view would.
    let sim = guarded_sim().await;
    let mut market = endpoint(FeedKind::Marketplace, &sim.base_url());
    market.token = Some(Token::new(SECRET));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Event>(8);
    let client = dropday::feed::control::ControlClient::new(
        market.clone(),
        dropday::feed::control::RetryPolicy::default(),
    )
    .expect("client");
    let request = dropday::feed::events::ControlRequest {
        action_id: 1,
        drop_id: "hoodie-01".to_owned(),
        action: dropday::feed::events::ControlAction::Pause,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    };
    client.execute(request, tx).await;
    let event = rx.recv().await.expect("a report");
    assert!(matches!(&event, Event::Control(r) if r.last));
    let text = format!("{event:?} {client:?}");
    assert!(!text.contains(SECRET), "{text}");
    sim.shutdown().await;
}
