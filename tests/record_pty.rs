//! `--record` through the real binary in a pty: a band switch and a pause made by an operator
//! show in `dropday report` with the operator's name; a path that cannot be written is refused
//! before the screen is taken.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

mod pty_common;

use std::time::{Duration, Instant};

use dropday::record::Recording;
use dropday::record::report;
use dropday::sim::{ClockMode, ScenarioSource, SimOptions, start};
use pty_common::{Home, PtyRun, SETTLE};

fn drop_row<'a>(screen: &'a str, drop_id: &str) -> Option<&'a str> {
    let start = format!("│{drop_id} ");
    screen.lines().find(|l| l.trim_start().starts_with(&start))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_band_switch_and_a_pause_recorded_in_the_room_show_in_the_report_with_who() {
    let sim = start(SimOptions {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        clock: ClockMode::Wall,
        speed: 1.0,
        ..SimOptions::new(ScenarioSource::Builtin("launch".into()))
    })
    .await
    .expect("simulator");
    let home = Home::new();
    let config = home.write_config(&sim.base_url(), "1s", None);
    let recording = home.path().join("launch.rec");
    let mut run = PtyRun::spawn(
        &home,
        &[
            "--config",
            config.to_str().unwrap(),
            "--record",
            recording.to_str().unwrap(),
        ],
        &[],
        100,
        30,
    );
    run.wait_for("hoodie-01 live", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" live "))
    });
    run.send("b");
    run.wait_for_text("Price band of hoodie-01", SETTLE);
    run.send("j");
    run.send("\r");
    run.wait_for_text("Confirm: Set band B on hoodie-01?", SETTLE);
    run.send("y");
    run.wait_for("hoodie-01 on band B", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains("B 72.00 USD"))
    });
    run.send("p");
    run.wait_for_text("Confirm: Pause hoodie-01?", SETTLE);
    run.send("y");
    run.wait_for("hoodie-01 paused", SETTLE, |s| {
        drop_row(s, "hoodie-01").is_some_and(|r| r.contains(" paused "))
    });
    // Until a document showing the pause is in the file (frames are written every 2 s).
    let deadline = Instant::now() + SETTLE;
    loop {
        let paused = Recording::read(&recording)
            .map(|r| report::build(&r))
            .is_ok_and(|post| {
                post.drops
                    .iter()
                    .any(|d| d.id == "hoodie-01" && !d.pauses.is_empty())
            });
        if paused {
            break;
        }
        assert!(Instant::now() < deadline, "no paused document recorded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    run.send("q");
    let finished = run.wait_exit(SETTLE);
    assert_eq!(finished.code, Some(0), "{}", finished.screen);
    sim.shutdown().await;

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["report", recording.to_str().unwrap(), "--format", "json"])
        .output()
        .expect("report runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let hoodie = json["drops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "hoodie-01")
        .expect("hoodie-01");
    let switch = &hoodie["band_switches"][0];
    assert_eq!(switch["from"], "A", "{switch}");
    assert_eq!(switch["to"], "B", "{switch}");
    assert_eq!(switch["by"], "e2e-operator", "{switch}");
    let pause = &hoodie["pauses"][0];
    assert_eq!(pause["by"], "e2e-operator", "{pause}");
    let actions: Vec<(String, String)> = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["who"].as_str().unwrap().to_owned(),
                a["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("e2e-operator".to_owned(), "band B".to_owned()),
            ("e2e-operator".to_owned(), "pause".to_owned())
        ]
    );
    let markdown = std::process::Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["report", recording.to_str().unwrap()])
        .output()
        .expect("report runs");
    let text = String::from_utf8_lossy(&markdown.stdout);
    assert!(text.contains("| A → B | e2e-operator |"), "{text}");
    assert!(
        text.contains("| e2e-operator | — |"),
        "the pause row names who: {text}"
    );
    // Nothing secret: the config has no token, and the header's URLs have no credentials.
    let raw = Recording::read(&recording).unwrap();
    assert!(raw.header().feeds.iter().all(|f| !f.url.contains('@')));
}

#[test]
fn a_recording_path_that_cannot_be_written_is_refused_before_the_screen() {
    let home = Home::new();
    let config = home.write_config("http://127.0.0.1:9", "1s", None);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "--record",
            "/nonexistent-folder/drop.rec",
        ])
        .env("HOME", home.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot record into /nonexistent-folder/drop.rec"),
        "{stderr}"
    );
}
