//! The checker on made-up files: an upward import added on purpose fails, naming the file, the
//! line and the rule, however the `use` is spelled.

use super::*;

const TABLE: &[Layer] = &[
    Layer {
        module: "feed",
        may_import: &[],
        must_not_use: &["ratatui"],
        why: "the bottom",
    },
    Layer {
        module: "model",
        may_import: &["feed::wire", "feed::FeedKind"],
        must_not_use: &[
            "tokio",
            "std::fs",
            "chrono::Local",
            "Local::now",
            "Utc::now",
        ],
        why: "the pure core",
    },
    Layer {
        module: "ui",
        may_import: &["model"],
        must_not_use: &[],
        why: "drawing only",
    },
    Layer {
        module: "main",
        may_import: &["ui"],
        must_not_use: &[],
        why: "the binary",
    },
];

fn check(file: &str, source: &str) -> Vec<String> {
    check_file(file, source, TABLE, &[])
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn an_upward_import_fails_with_file_line_and_rule() {
    let source = "//! A model file.\n\nuse crate::feed::wire::Drop;\nuse crate::ui::draw;\n";
    assert_eq!(
        check("src/model/board.rs", source),
        [
            "src/model/board.rs:4: use of `crate::ui::draw`: `model` may import feed::wire, \
          feed::FeedKind (layer table row `model`: the pure core)"
        ]
    );
}

#[test]
fn allowed_and_own_imports_pass() {
    let source = "use crate::feed::wire::{Drop, Hub};\nuse crate::feed::FeedKind;\n\
                  use crate::model::money::format_money;\nuse super::rate::Window;\n";
    assert!(check("src/model/board.rs", source).is_empty());
}

#[test]
fn a_sibling_of_an_allowed_item_is_not_allowed() {
    // feed::FeedKind is allowed, feed::client (the HTTP client) is not.
    let v = check("src/model/x.rs", "use crate::feed::client::FeedEndpoint;\n");
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].contains("`crate::feed::client::FeedEndpoint`"),
        "{v:?}"
    );
    // Importing the whole module gives everything in it.
    let v = check("src/model/x.rs", "use crate::feed;\n");
    assert_eq!(v.len(), 1, "{v:?}");
}

#[test]
fn pub_use_grouped_nested_and_multi_line_uses_are_read() {
    let source = "pub use crate::ui::Theme;\n\
                  use crate::{\n    feed::wire::Drop,\n    ui::{self, panel::Panel as P},\n};\n\
                  pub(crate) use crate::feed::{wire, client::*};\n";
    let v = check("src/model/x.rs", source);
    let lines: Vec<&str> = v
        .iter()
        .map(|s| s.split(": ").next().unwrap_or(""))
        .collect();
    assert_eq!(
        lines,
        [
            "src/model/x.rs:1",
            "src/model/x.rs:4",
            "src/model/x.rs:4",
            "src/model/x.rs:6"
        ],
        "{v:#?}"
    );
    assert!(v[0].contains("`crate::ui::Theme`"));
    assert!(v[1].contains("`crate::ui`"), "{v:?}");
    assert!(v[2].contains("`crate::ui::panel::Panel`"), "{v:?}");
    assert!(v[3].contains("`crate::feed::client::*`"), "{v:?}");
}

#[test]
fn super_paths_are_resolved_including_inline_modules() {
    // From src/model/board.rs, super::super is the crate root.
    let v = check("src/model/board.rs", "use super::super::ui::draw;\n");
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].contains("`crate::ui::draw`"), "{v:?}");
    // Inside `mod tests { }`, one more `super` is needed to get as far.
    let source = "mod tests {\n    use super::super::rate;\n    use super::super::super::ui;\n}\n\
                  use super::rate;\n";
    let v = check("src/model/board.rs", source);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].starts_with("src/model/board.rs:3:"), "{v:?}");
}

#[test]
fn inline_paths_count_too() {
    let source = "fn f() {\n    let x = crate::ui::draw(1);\n    let y = crate::feed::wire::Drop::LIST_KEY;\n}\n";
    let v = check("src/model/x.rs", source);
    assert_eq!(
        v,
        [
            "src/model/x.rs:2: path `crate::ui::draw`: `model` may import feed::wire, \
          feed::FeedKind (layer table row `model`: the pure core)"
        ]
    );
}

#[test]
fn comments_strings_and_chars_are_not_imports() {
    let source = "//! Unlike `crate::ui::x`, we …\n/* use crate::ui::y; /* nested */ */\n\
                  const S: &str = \"use crate::ui::z;\";\nconst R: &str = r#\"crate::ui::w\"#;\n\
                  const C: char = '{';\nfn f<'a>(x: &'a str) -> impl Sized + use<'a> { x }\n";
    assert!(check("src/model/x.rs", source).is_empty());
}

#[test]
fn other_crates_banned_in_a_layer_are_named() {
    let v = check(
        "src/model/x.rs",
        "use tokio::sync::mpsc;\nfn f() { std::fs::write(\"a\", \"b\").ok(); }\nuse chrono::Utc;\n",
    );
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(
        v[0].starts_with(
            "src/model/x.rs:1: use of `tokio::sync::mpsc`: `model` must not use `tokio`"
        )
    );
    assert!(
        v[1].starts_with("src/model/x.rs:2: path `std::fs::write`: `model` must not use `std::fs`")
    );
}

#[test]
fn reading_the_clock_or_the_machine_zone_is_named() {
    let source = "use chrono::{DateTime, Utc};\n\
                  fn now() -> DateTime<Utc> {\n    Utc::now()\n}\n\
                  fn zone() -> String {\n    chrono::Local::now().to_string()\n}\n\
                  use chrono::Local;\nfn late() {\n    let _ = Local::now();\n}\n";
    let v = check("src/model/x.rs", source);
    assert_eq!(
        v,
        [
            "src/model/x.rs:3: path `Utc::now`: `model` must not use `Utc::now` (layer table \
             row `model`: the pure core)",
            "src/model/x.rs:6: path `chrono::Local::now`: `model` must not use `chrono::Local` \
             (layer table row `model`: the pure core)",
            "src/model/x.rs:8: use of `chrono::Local`: `model` must not use `chrono::Local` \
             (layer table row `model`: the pure core)",
            "src/model/x.rs:10: path `Local::now`: `model` must not use `Local::now` (layer \
             table row `model`: the pure core)",
        ]
    );
}

#[test]
fn a_module_without_a_row_fails() {
    let v = check("src/gossip.rs", "use crate::model::x;\n");
    assert_eq!(
        v,
        [
            "src/gossip.rs:1: module `gossip` has no row in the layer table (tests/architecture.rs): \
          add one saying what it may import"
        ]
    );
}

#[test]
fn the_binary_reaches_the_library_by_name() {
    let v = check(
        "src/main.rs",
        "use dropday::ui::draw;\nuse dropday::feed::client;\n",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].contains("`crate::feed::client`"), "{v:?}");
}

#[test]
fn an_exception_allows_exactly_its_path_in_its_file() {
    let exceptions = [Exception {
        file: "src/model/x.rs",
        path: "crate::ui::Theme",
        why: "moving",
    }];
    let (v, used) = check_file(
        "src/model/x.rs",
        "use crate::ui::Theme;\nuse crate::ui::Other;\n",
        TABLE,
        &exceptions,
    );
    assert_eq!(used.len(), 1);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].to_string().contains("crate::ui::Other"));
    let (v, used) = check_file(
        "src/model/y.rs",
        "use crate::ui::Theme;\n",
        TABLE,
        &exceptions,
    );
    assert!(used.is_empty());
    assert_eq!(v.len(), 1);
}

#[test]
fn files_map_to_modules_and_rows() {
    assert_eq!(module_of("src/feed/mod.rs"), ["feed"]);
    assert_eq!(
        module_of("src/sim/world/curve.rs"),
        ["sim", "world", "curve"]
    );
    assert_eq!(module_of("src/main.rs"), ["main"]);
    let row = row_of(TABLE, &module_of("src/model/alerts/book.rs")).map(|r| r.module);
    assert_eq!(row, Some("model"));
}
