//! The example documents of FEEDS.md decode, and a document with broken entries keeps the rest.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use dropday::feed::wire::{
    Document, Drop, DropState, Hub, OrderStage, Popup, TerminalStatus, decode_document,
    encode_document,
};

const DROPS: &str = include_str!("fixtures/feeds_md_drops.json");
const HUBS: &str = include_str!("fixtures/feeds_md_hubs.json");
const POPUPS: &str = include_str!("fixtures/feeds_md_popups.json");

/// The fixtures are the contract's own examples: when `shared/FEEDS.md` is beside the checkout
/// they must still be exactly its JSON blocks. In CI (`CI` set) the contract must be there: a
/// missing file fails instead of skipping the comparison.
#[test]
fn fixtures_are_the_examples_of_feeds_md() {
    let contract = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/FEEDS.md");
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    match read_contract(&contract, in_ci) {
        Ok(Some(text)) => assert_eq!(json_blocks(&text), vec![DROPS, HUBS, POPUPS]),
        Ok(None) => eprintln!(
            "{} not found; fixtures not compared (set CI to make this an error)",
            contract.display()
        ),
        Err(message) => panic!("{message}"),
    }
}

#[test]
fn a_missing_contract_is_an_error_in_ci_only() {
    let missing = std::path::Path::new("/nonexistent/shared/FEEDS.md");
    let error = read_contract(missing, true).expect_err("CI needs the contract");
    assert!(error.contains("/nonexistent/shared/FEEDS.md"), "{error}");
    assert!(error.contains("CI is set"), "{error}");
    assert_eq!(read_contract(missing, false), Ok(None));
}

/// The contract's text; `None` when it is missing outside CI, an error when missing in CI.
fn read_contract(path: &std::path::Path, in_ci: bool) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if in_ci => Err(format!(
            "CI is set and the contract {} cannot be read ({e}): the fixtures cannot be \
             compared with it; check out shared/ beside this repository",
            path.display()
        )),
        Err(_) => Ok(None),
    }
}

/// The `` ```json `` blocks of a markdown text, in order.
fn json_blocks(markdown: &str) -> Vec<&str> {
    markdown
        .split("```json\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect()
}

#[test]
fn the_drops_example_decodes() {
    let doc: Document<Drop> = decode_document(DROPS.as_bytes()).expect("decodes");
    assert_eq!(doc.as_of.to_rfc3339(), "2026-11-27T18:00:00+00:00");
    assert!(doc.skipped.is_empty());
    let drop = &doc.entries[0];
    assert_eq!(drop.id, "hoodie-01");
    assert_eq!(drop.state, DropState::Live);
    assert_eq!(drop.stock.allocated, 500);
    assert_eq!(drop.price_bands[1].price_minor, 7200);
    assert_eq!(drop.funnel.revenue_minor, 2_795_000);
    let by_band = drop.funnel_by_band.as_ref().expect("per band");
    assert_eq!(by_band["B"].orders, 70);
    assert_eq!(drop.visitors_now, Some(812));
}

#[test]
fn the_hubs_example_decodes() {
    let doc: Document<Hub> = decode_document(HUBS.as_bytes()).expect("decodes");
    let hub = &doc.entries[0];
    assert_eq!(hub.capacity.contracted_units, 600);
    assert_eq!(hub.sla.overdue_open, 4);
    assert_eq!(hub.overdue[0].stage, OrderStage::Picked);
    assert_eq!(hub.overdue[0].reason, "carrier_no_show");
}

#[test]
fn the_popups_example_decodes() {
    let doc: Document<Popup> = decode_document(POPUPS.as_bytes()).expect("decodes");
    let popup = &doc.entries[0];
    assert_eq!(popup.terminals[1].status, TerminalStatus::Offline);
    assert_eq!(popup.terminals[0].battery_pct, Some(81));
    assert_eq!(popup.terminals[1].battery_pct, None);
    assert_eq!(popup.pickups.overdue, 3);
}

#[test]
fn a_broken_entry_is_skipped_and_reported_while_the_rest_is_used() {
    let mut value: serde_json::Value = serde_json::from_str(DROPS).expect("json");
    let good = value["drops"][0].clone();
    let mut wrong_type = good.clone();
    wrong_type["id"] = "tee-02".into();
    wrong_type["funnel"]["sessions"] = "many".into();
    let mut third = good.clone();
    third["id"] = "cap-03".into();
    value["drops"] = serde_json::json!([good, wrong_type, 17, third]);
    let doc: Document<Drop> =
        decode_document(value.to_string().as_bytes()).expect("the document still decodes");
    let ids: Vec<&str> = doc.entries.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["hoodie-01", "cap-03"]);
    assert_eq!(doc.skipped.len(), 2);
    assert_eq!(doc.skipped[0].index, 1);
    assert_eq!(doc.skipped[0].id.as_deref(), Some("tee-02"));
    assert!(
        doc.skipped[0].reason.contains("invalid type"),
        "{}",
        doc.skipped[0].reason
    );
    assert_eq!(doc.skipped[1].index, 2);
    assert_eq!(doc.skipped[1].id, None);
}

#[test]
fn unknown_fields_are_ignored_and_unknown_enum_values_kept_as_text() {
    let mut value: serde_json::Value = serde_json::from_str(POPUPS).expect("json");
    value["popups"][0]["terminals"][0]["status"] = "rebooting".into();
    value["popups"][0]["weather"] = "rain".into();
    value["server_version"] = "9.1".into();
    let doc: Document<Popup> = decode_document(value.to_string().as_bytes()).expect("decodes");
    assert!(doc.skipped.is_empty());
    let status = &doc.entries[0].terminals[0].status;
    assert_eq!(status, &TerminalStatus::Other("rebooting".to_owned()));
    assert_eq!(status.to_string(), "rebooting");
}

#[test]
fn whole_document_failures_say_what_is_wrong() {
    let cases: [(&str, &str); 4] = [
        ("<html>oops</html>", "not JSON"),
        ("[1,2]", "not a JSON object"),
        (r#"{"drops": []}"#, "as_of"),
        (
            r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": []}"#,
            "`drops`",
        ),
    ];
    for (body, expected) in cases {
        let error = decode_document::<Drop>(body.as_bytes()).expect_err(body);
        assert!(error.to_string().contains(expected), "{body}: {error}");
    }
    // Whitespace around the document is still a document.
    let spaced = "\n  {\"as_of\": \"2026-11-27T18:00:00Z\", \"drops\": []}\n";
    assert!(decode_document::<Drop>(spaced.as_bytes()).is_ok());
    // Timestamps need an offset (FEEDS.md: RFC 3339 with `Z` or `+02:00`).
    let naive = r#"{"as_of": "2026-11-27T18:00:00", "drops": []}"#;
    assert!(decode_document::<Drop>(naive.as_bytes()).is_err());
    let offset = r#"{"as_of": "2026-11-27T20:00:00+02:00", "drops": []}"#;
    let doc = decode_document::<Drop>(offset.as_bytes()).expect("offsets are fine");
    assert_eq!(doc.as_of.to_rfc3339(), "2026-11-27T18:00:00+00:00");
}

#[test]
fn encoding_and_decoding_round_trip() {
    let doc: Document<Hub> = decode_document(HUBS.as_bytes()).expect("decodes");
    let again = encode_document(doc.as_of, &doc.entries).to_string();
    let back: Document<Hub> = decode_document(again.as_bytes()).expect("decodes again");
    assert_eq!(back, doc);
}
