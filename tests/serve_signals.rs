//! Signals reach a running serve as the service manager sends them: SIGHUP reloads
//! `authorized_keys` (a removed key's room ends), SIGTERM ends every room with its terminal
//! restored. The signals go to this test process, which serve's handlers own; this binary holds
//! this one test only, so no other test shares the process.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(unsafe_code)] // kill(2) on our own process, and the pty harness

mod pty_common;
mod serve_common;

use std::time::Duration;

use dropday::serve::ServeSignals;
use pty_common::{Home, PtyRun, SETTLE};
use serve_common::{Served, public_key};

fn signal_self(signal: libc::c_int) {
    // SAFETY: kill(2) on our own pid; the handler for `signal` is installed.
    let result = unsafe { libc::kill(libc::getpid(), signal) };
    assert_eq!(result, 0);
}

#[test]
fn sighup_reloads_keys_and_sigterm_restores_every_terminal() {
    let hour = Duration::from_secs(3600);
    let mut served = Served::start(hour, false, hour);
    let signals = served
        .runtime
        .block_on(async { ServeSignals::install() })
        .unwrap();
    let serve = served.serve.take().unwrap();
    let stopped = served.runtime.spawn(signals.run(serve));
    let home = Home::new();
    let open = |name: &str| {
        let mut args = served.ssh_args(name, &[]);
        args.insert(0, "-t".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut room = PtyRun::spawn_program(&home, "ssh", &args, &[], 80, 24);
        room.wait_for_text(&format!("person: {name}"), SETTLE);
        room
    };
    let mut maya = open("maya");
    let mut ravi = open("ravi");

    std::fs::write(
        served.dir.path().join("authorized_keys"),
        format!(
            "role=\"operator\" {}\n",
            public_key(served.dir.path(), "ravi")
        ),
    )
    .unwrap();
    signal_self(libc::SIGHUP);
    let finished = maya.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(1), "{}", finished.screen);
    assert!(
        finished.screen.contains("your key was removed"),
        "{}",
        finished.screen
    );
    ravi.wait_for_text("person: ravi [RW]", SETTLE);

    signal_self(libc::SIGTERM);
    let finished = ravi.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    assert!(!finished.alternate_screen);
    assert!(pty_common::rfind(&finished.bytes, b"\x1b[?25h\x1b[?1049l").is_some());
    assert!(
        finished.screen.contains("shutting down"),
        "{}",
        finished.screen
    );
    served.runtime.block_on(stopped).unwrap();
}
