//! Property tests: the three feed decoders and the config parser never panic, whatever the input.
//! (The coverage-guided fuzz targets in `fuzz/` explore further; these run in `cargo test`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use dropday::config::Config;
use dropday::feed::FeedKind;
use dropday::feed::client::decode_outcome;
use dropday::feed::events::PollOutcome;
use proptest::prelude::*;

const DROPS: &str = include_str!("fixtures/feeds_md_drops.json");
const HUBS: &str = include_str!("fixtures/feeds_md_hubs.json");
const POPUPS: &str = include_str!("fixtures/feeds_md_popups.json");

/// Mutates a valid document: flips, inserts and deletes bytes, so most inputs stay close to the
/// grammar and reach deep into the decoders rather than failing at the first byte.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..12).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for (position, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let at = position % bytes.len();
            match op {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        bytes
    })
}

fn decodes_or_fails_cleanly(kind: FeedKind, bytes: &[u8]) {
    match decode_outcome(kind, bytes) {
        PollOutcome::Drops(doc) => assert!(doc.entries.len() + doc.skipped.len() <= bytes.len()),
        PollOutcome::Hubs(doc) => assert!(doc.entries.len() + doc.skipped.len() <= bytes.len()),
        PollOutcome::Popups(doc) => assert!(doc.entries.len() + doc.skipped.len() <= bytes.len()),
        PollOutcome::Failed(failure) => assert!(!failure.to_string().is_empty()),
        PollOutcome::NotModified => panic!("a body never decodes to 304"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_drops_never_panic(bytes in mutated(DROPS)) {
        decodes_or_fails_cleanly(FeedKind::Marketplace, &bytes);
    }

    #[test]
    fn mutated_hubs_never_panic(bytes in mutated(HUBS)) {
        decodes_or_fails_cleanly(FeedKind::Fulfilment, &bytes);
    }

    #[test]
    fn mutated_popups_never_panic(bytes in mutated(POPUPS)) {
        decodes_or_fails_cleanly(FeedKind::Pos, &bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for kind in FeedKind::ALL {
            decodes_or_fails_cleanly(kind, &bytes);
        }
    }

    #[test]
    fn mutated_configs_never_panic(bytes in mutated(include_str!("../config.example.toml"))) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = Config::parse(&text, None) {
            let message = error.to_string();
            prop_assert!(message.starts_with("config error"));
            prop_assert!(!message.contains('\n'), "one line: {}", message);
        }
    }
}

#[test]
fn the_example_config_is_valid() {
    let config = Config::parse(include_str!("../config.example.toml"), None)
        .expect("config.example.toml must parse");
    assert_eq!(config.feeds.len(), 3);
}
