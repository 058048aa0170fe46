//! A bad config stops the control room before it touches the terminal: one line on stderr naming
//! the file, the line and the key, and exit status 2.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::process::Command;

fn run_with(config_text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dropday.toml");
    std::fs::write(&path, config_text).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_dropday"))
        .arg("--config")
        .arg(&path)
        .env("HOME", dir.path())
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn each_bad_config_is_one_line_with_file_line_and_key() {
    let cases = [
        (
            "[feeds.marketplace]\nurl = \"http://127.0.0.1:7070\"\ninterval = \"1s\"\n",
            "dropday.toml line 3 key `feeds.marketplace.interval`: unknown field `interval`",
        ),
        (
            "[ui]\nread_only = 1\n",
            "dropday.toml line 2 key `ui.read_only`: invalid type",
        ),
        (
            "[feeds.hubs]\nurl = \"http://127.0.0.1:7070\"\n",
            "dropday.toml line 1 key `feeds.hubs`: unknown field `hubs`",
        ),
        (
            "[feeds.pos]\nurl = \"http//no-scheme\"\n",
            "dropday.toml line 2 key `feeds.pos.url`",
        ),
        (
            "[feeds.pos]\ntimeout = \"2 fortnights\"\n",
            "dropday.toml line 2 key `feeds.pos.timeout`: `2 fortnights` is not a duration",
        ),
        (
            "[ui]\nenvironment = \"x\"\n\n[keys]\nfreeze = \"p\"\n",
            "dropday.toml line 5 key `keys.freeze`: [keys]: p is bound to both `pause` and `freeze`",
        ),
        (
            "[keys]\nfly = \"x\"\n",
            "dropday.toml line 2 key `keys.fly`: [keys]: `fly` is not an action",
        ),
        (
            "[keys]\npause = \"ctrl-banana\"\n",
            "dropday.toml line 2 key `keys.pause`",
        ),
        (
            "[alerts]\nsla_min_orders = -3\n",
            "dropday.toml line 2 key `alerts.sla_min_orders`",
        ),
        // Spellings that defeated the old key guessing from toml's message text: the key
        // path now comes from serde itself.
        (
            "[feeds.pos] # the tills\ninterval = \"1s\"\n",
            "dropday.toml line 2 key `feeds.pos.interval`: unknown field `interval`",
        ),
        (
            "[feeds]\nmarketplace.interval = \"1s\"\n",
            "dropday.toml line 2 key `feeds.marketplace.interval`: unknown field `interval`",
        ),
        (
            "[feeds]\nfulfilment = { url = \"http://127.0.0.1:7070\", interval = \"1s\" }\n",
            "dropday.toml line 2 key `feeds.fulfilment.interval`: unknown field `interval`",
        ),
        (
            "ui = { read_only = 1 }\n",
            "dropday.toml line 1 key `ui.read_only`: invalid type",
        ),
        (
            "max_retry_after = \"forever\"\n",
            "dropday.toml line 1 key `max_retry_after`: `forever` is not a duration",
        ),
    ];
    for (text, expected) in cases {
        let (code, stderr) = run_with(text);
        assert_eq!(code, Some(2), "{text:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{text:?}\n got: {stderr}\nwant: {expected}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        // Nothing was drawn: no escape sequences reached the terminal.
        assert!(!stderr.contains('\u{1b}'));
    }
}

#[test]
fn an_unreadable_config_file_names_the_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_dropday"))
        .args(["--config", "/nonexistent/dropday.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/dropday.toml: cannot read the file"),
        "{stderr}"
    );
}

/// A mapped feed's config: the adapter, its settings and its lists are checked against the
/// mapping, each error with the line of the entry and the exact key.
#[test]
fn mapped_feed_errors_name_the_line_and_key() {
    let popup = "[[feeds.pos.popups]]\nid = \"soho-1\"\nname = \"SoHo\"\nlocation_id = \"L1\"\n\
                 opens_at = \"2026-12-05T10:00:00-05:00\"\ncloses_at = \"2026-12-05T20:00:00-05:00\"\n\
                 drop_ids = [\"hoodie-01\"]\ncatalog_object_ids = [\"W6\"]\n";
    let head = "[feeds.pos]\nadapter = \"square-pos\"\nurl = \"https://connect.squareup.com\"\n";
    let cases = [
        (
            "[feeds.pos]\nadapter = \"clover-pos\"\n".to_owned(),
            "dropday.toml line 2 key `feeds.pos.adapter`: `clover-pos` is neither a built-in mapping (square-pos",
        ),
        (
            "[feeds.marketplace]\nadapter = \"square-pos\"\n".to_owned(),
            "dropday.toml line 2 key `feeds.marketplace.adapter`: square-pos makes the pos feed, not marketplace",
        ),
        (
            head.to_owned(),
            "key `feeds.pos.popups`: square-pos needs at least one [[feeds.pos.popups]] with",
        ),
        (
            format!(
                "{head}{}",
                popup.replace("\"2026-12-05T10:00:00-05:00\"", "\"10am\"")
            ),
            "dropday.toml line 4 key `feeds.pos.popups[0].opens_at`: is \"10am\", it must be an RFC 3339 time",
        ),
        (
            format!("{head}{}", popup.replace("location_id = \"L1\"\n", "")),
            "dropday.toml line 4 key `feeds.pos.popups[0].location_id`: missing: it must be a string",
        ),
        (
            format!("{head}[feeds.pos.settings]\nsquare_versoin = \"2024-01-01\"\n{popup}"),
            "key `feeds.pos.settings.square_versoin`: square-pos has no setting `square_versoin` (it has: currency, pickup_grace_minutes, square_version)",
        ),
        (
            format!("[feeds.pos]\nurl = \"http://127.0.0.1:7070\"\n{popup}"),
            "dropday.toml line 3 key `feeds.pos.popups`: only a mapped feed takes this",
        ),
    ];
    for (text, expected) in cases {
        let (status, stderr) = run_with(&text);
        assert_eq!(status, Some(2), "{text}\n{stderr}");
        assert!(
            stderr.contains(expected),
            "{text}\nexpected: {expected}\ngot: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}
