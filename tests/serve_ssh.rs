//! `dropday serve`'s SSH edge end to end: the real OpenSSH client in a pty against the server on
//! a loopback port, keys made with `ssh-keygen`, and the fixture room of `serve_common`.
//! Waits are conditions with generous deadlines; nothing here measures time.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(unsafe_code)] // the pty harness uses libc

mod pty_common;
mod serve_common;

use std::time::Duration;

use pty_common::{Home, PtyRun, SETTLE};
use serve_common::{STATUS_JSON, Served, public_key};

const HOUR: Duration = Duration::from_secs(3600);

fn open_room(
    served: &Served,
    home: &Home,
    name: &str,
    extra: &[&str],
    cols: u16,
    rows: u16,
) -> PtyRun {
    let mut args = served.ssh_args(name, extra);
    args.insert(0, "-t".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    PtyRun::spawn_program(home, "ssh", &args, &[], cols, rows)
}

#[test]
fn viewer_and_operator_see_their_roles_and_a_resize_reaches_the_room() {
    let mut served = Served::start(HOUR, false, HOUR);
    let home = Home::new();
    let mut maya = open_room(
        &served,
        &home,
        "maya",
        &["-o", "SetEnv=TZ=Europe/Lisbon LANG=C"],
        80,
        24,
    );
    maya.wait_for_text("person: maya [RO]", SETTLE);
    let screen = maya.wait_for_text("size: 80x24 area: 80x24", SETTLE);
    assert!(screen.contains("role: viewer"), "{screen}");
    // TERM=xterm-256color from the harness, LANG=C → ASCII, TZ as sent.
    assert!(
        screen.contains("colour: Ansi256 ascii: true tz: Europe/Lisbon"),
        "{screen}"
    );

    let mut ravi = open_room(
        &served,
        &home,
        "ravi",
        &["-o", "SetEnv=NO_COLOR=1"],
        120,
        40,
    );
    let screen = ravi.wait_for_text("person: ravi [RW]", SETTLE);
    assert!(screen.contains("role: operator"), "{screen}");
    assert!(
        screen.contains("colour: Never ascii: false tz: -"),
        "{screen}"
    );

    maya.resize(100, 30);
    maya.wait_for_text("size: 100x30 area: 100x30", SETTLE);
    maya.send("p");
    maya.wait_for_text("last key: p", SETTLE);
    // A board change reaches both rooms.
    served.bump_board();
    maya.wait_for_text("board: 1", SETTLE);
    ravi.wait_for_text("board: 1", SETTLE);

    let open: Vec<_> = served
        .serve()
        .sessions()
        .into_iter()
        .map(|s| (s.info.name, s.info.role.tag()))
        .collect();
    assert_eq!(open, [("maya".to_owned(), "RO"), ("ravi".to_owned(), "RW")]);
    let fingerprint = served.serve().host_key_fingerprint().to_owned();

    maya.send("q");
    let finished = maya.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    assert!(!finished.alternate_screen, "the alternate screen was left");
    assert!(
        finished.screen.contains("you left the room"),
        "{}",
        finished.screen
    );

    // What the client stored on first connect is the fingerprint serve prints at start.
    let listed = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(served.dir.path().join("known_hosts"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains(&fingerprint),
        "{listed:?} vs {fingerprint}"
    );

    served.shutdown();
    let finished = ravi.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0));
}

#[test]
fn unknown_keys_are_refused_and_a_removed_key_cannot_come_back() {
    let mut served = Served::start(HOUR, false, HOUR);
    let home = Home::new();
    let refused = served.ssh_exec("stranger", &[], &["status"]);
    assert_eq!(refused.status.code(), Some(255), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Permission denied"),
        "{refused:?}"
    );

    let mut maya = open_room(&served, &home, "maya", &[], 80, 24);
    maya.wait_for_text("person: maya [RO]", SETTLE);
    let mut ravi = open_room(&served, &home, "ravi", &[], 80, 24);
    ravi.wait_for_text("person: ravi [RW]", SETTLE);

    // maya's line goes; ravi is lowered to a viewer.
    let ravi_only = format!("{}\n", public_key(served.dir.path(), "ravi"));
    let summary = served.rewrite_keys(&ravi_only);
    assert_eq!(
        (summary.keys, summary.sessions_ended, summary.roles_changed),
        (1, 1, 1)
    );

    let finished = maya.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(1), "{}", finished.screen);
    assert!(!finished.alternate_screen);
    assert!(
        finished.screen.contains("your key was removed"),
        "{}",
        finished.screen
    );
    let screen = ravi.wait_for_text("person: ravi [RO]", SETTLE);
    assert!(screen.contains("role: viewer"), "{screen}");

    let again = served.ssh_exec("maya", &[], &["status"]);
    assert_eq!(again.status.code(), Some(255), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("Permission denied"),
        "{again:?}"
    );
    assert!(
        served
            .serve()
            .sessions()
            .iter()
            .all(|s| s.info.name != "maya")
    );
    served.shutdown();
    ravi.wait_exit(SETTLE);
}

#[test]
fn status_answers_exec_requests_and_anything_else_exits_3() {
    let mut served = Served::start(HOUR, false, HOUR);
    let json = served.ssh_exec("maya", &[], &["status", "--json"]);
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    assert_eq!(
        String::from_utf8_lossy(&json.stdout).trim_end(),
        STATUS_JSON
    );

    let check = served.ssh_exec("ravi", &[], &["status", "--json", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");

    let unknown = served.ssh_exec("maya", &[], &["uptime"]);
    assert_eq!(unknown.status.code(), Some(3), "{unknown:?}");
    let line = String::from_utf8_lossy(&unknown.stdout);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("unknown command `uptime`"), "{line}");

    // A shell without a terminal.
    let no_pty = served.ssh_exec("maya", &["-T"], &[]);
    assert_eq!(no_pty.status.code(), Some(3), "{no_pty:?}");
    assert!(
        String::from_utf8_lossy(&no_pty.stdout).contains("has no terminal"),
        "{no_pty:?}"
    );
    served.shutdown();
}

#[test]
fn an_idle_session_ends_with_a_goodbye_line() {
    let mut served = Served::start(Duration::from_secs(2), false, HOUR);
    let home = Home::new();
    let mut maya = open_room(&served, &home, "maya", &[], 80, 24);
    maya.wait_for_text("person: maya [RO]", SETTLE);
    let finished = maya.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    assert!(!finished.alternate_screen);
    assert!(
        finished.screen.contains("idle too long"),
        "{}",
        finished.screen
    );
    served.shutdown();
}

#[test]
fn stopping_restores_every_terminal_and_gives_an_exit_status() {
    let mut served = Served::start(HOUR, false, HOUR);
    let home = Home::new();
    let mut rooms: Vec<PtyRun> = ["maya", "ravi"]
        .iter()
        .map(|name| {
            let mut room = open_room(&served, &home, name, &[], 80, 24);
            room.wait_for_text(&format!("person: {name}"), SETTLE);
            room
        })
        .collect();
    served.shutdown();
    for room in &mut rooms {
        let finished = room.wait_exit(SETTLE);
        assert_eq!(finished.code, Some(0), "{}", finished.screen);
        assert!(!finished.alternate_screen, "alternate screen left");
        let restore = pty_common::rfind(&finished.bytes, b"\x1b[?25h\x1b[?1049l")
            .expect("cursor shown, alternate screen left");
        let last_frame = pty_common::rfind(&finished.bytes, b"\x1b[?25l").unwrap_or(0);
        assert!(
            restore > last_frame,
            "the restore comes after the last frame"
        );
        assert!(
            finished.screen.contains("shutting down"),
            "{}",
            finished.screen
        );
    }
}

#[test]
fn an_address_that_keeps_failing_is_turned_away_even_with_a_good_key() {
    let mut served = Served::start(HOUR, false, HOUR);
    // Every client here is 127.0.0.1: ten refused keys from it …
    let refused = std::thread::scope(|scope| {
        let attempts: Vec<_> = (0..10)
            .map(|_| scope.spawn(|| served.ssh_exec("stranger", &[], &["status"])))
            .collect();
        attempts
            .into_iter()
            .map(|a| a.join().unwrap())
            .collect::<Vec<_>>()
    });
    for output in &refused {
        assert_eq!(output.status.code(), Some(255), "{output:?}");
    }
    // … and the address is closed before the handshake, whoever knocks.
    let turned_away = served.ssh_exec("maya", &[], &["status"]);
    assert_eq!(turned_away.status.code(), Some(255), "{turned_away:?}");
    let stderr = String::from_utf8_lossy(&turned_away.stderr);
    assert!(
        !stderr.contains("Permission denied"),
        "closed before authentication: {stderr}"
    );
    assert!(turned_away.stdout.is_empty(), "{turned_away:?}");
    served.shutdown();
}
