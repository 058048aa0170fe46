//! The checker behind tests/architecture.rs: which module a file is, which row of the layer
//! table holds it, and whether each path it names points where its row allows. Kept apart from
//! the table so its own tests can show that an upward import added on purpose fails, with the
//! file, the line and the rule in the message.

mod lexer;
mod paths;

use std::fmt;
use std::path::Path;

use self::paths::{NamedPath, named_paths};

/// One row of the layer table: a module (a file or folder under `src/`) and what it may name.
#[derive(Debug, Clone, Copy)]
pub struct Layer {
    /// `feed`, `feed::adapters`, `room`, …; `main` is the binary's `src/main.rs`, `lib` the
    /// library root. A file belongs to the longest row that is a prefix of its module path.
    pub module: &'static str,
    /// Module paths below it that it may import (`feed::wire` allows `crate::feed::wire::*`).
    /// Its own module is always allowed.
    pub may_import: &'static [&'static str],
    /// Other crates' paths it must not name (`tokio`, `std::fs`).
    pub must_not_use: &'static [&'static str],
    /// Why the row is what it is.
    pub why: &'static str,
}

/// A path allowed in one file against its row, with the reason and when it goes away.
#[derive(Debug, Clone, Copy)]
pub struct Exception {
    /// The file, relative to the crate (`src/config/mod.rs`).
    pub file: &'static str,
    /// The path allowed, as resolved (`crate::ui::theme::ColorMode`, `std::fs`): a prefix.
    pub path: &'static str,
    pub why: &'static str,
}

/// A path that breaks the table, or a file the table does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// The module path of a file under `src/` (`src/feed/mod.rs` → `feed`, `src/main.rs` → `main`).
pub fn module_of(file: &str) -> Vec<String> {
    let inner = file.strip_prefix("src/").unwrap_or(file);
    let inner = inner.strip_suffix(".rs").unwrap_or(inner);
    let mut segments: Vec<String> = inner.split('/').map(str::to_owned).collect();
    if segments.last().is_some_and(|s| s == "mod") {
        segments.pop();
    }
    segments
}

fn segments(path: &str) -> Vec<&str> {
    path.split("::").collect()
}

fn starts_with(path: &[String], prefix: &[&str]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

/// The row of `module`: the longest row whose module is a prefix of it.
pub fn row_of<'t>(table: &'t [Layer], module: &[String]) -> Option<&'t Layer> {
    table
        .iter()
        .filter(|row| starts_with(module, &segments(row.module)))
        .max_by_key(|row| segments(row.module).len())
}

/// Checks one file (`file` relative to the crate, e.g. `src/model/board.rs`). Returns the
/// violations and the exceptions that were used (so unused ones can be reported).
pub fn check_file(
    file: &str,
    source: &str,
    table: &[Layer],
    exceptions: &[Exception],
) -> (Vec<Violation>, Vec<Exception>) {
    let module = module_of(file);
    let Some(row) = row_of(table, &module) else {
        return (
            vec![Violation {
                file: file.to_owned(),
                line: 1,
                message: format!(
                    "module `{}` has no row in the layer table (tests/architecture.rs): add one \
                     saying what it may import",
                    module.join("::")
                ),
            }],
            Vec::new(),
        );
    };
    // The binary reaches the library by its name, not `crate`.
    let library = (module == ["main"]).then_some(env!("CARGO_PKG_NAME").replace('-', "_"));
    let mut violations = Vec::new();
    let mut used = Vec::new();
    for path in named_paths(source, &module, library.as_deref()) {
        let Some(rule) = broken_rule(row, &path) else {
            continue;
        };
        if let Some(exception) = exceptions
            .iter()
            .find(|e| e.file == file && starts_with_text(&path.text, e.path))
        {
            used.push(*exception);
            continue;
        }
        violations.push(Violation {
            file: file.to_owned(),
            line: path.line,
            message: format!(
                "{} `{}`: {rule}",
                if path.from_use { "use of" } else { "path" },
                path.text
            ),
        });
    }
    (violations, used)
}

fn starts_with_text(path: &str, prefix: &str) -> bool {
    let path: Vec<String> = segments(path).into_iter().map(str::to_owned).collect();
    starts_with(&path, &segments(prefix))
}

/// The rule `path` breaks in `row`, as a sentence; `None` when it is allowed.
fn broken_rule(row: &Layer, path: &NamedPath) -> Option<String> {
    match &path.internal {
        Some(target) => {
            let own = segments(row.module);
            let allowed = row.module == "main" && target.is_empty()
                || starts_with(target, &own)
                || row
                    .may_import
                    .iter()
                    .any(|allowed| starts_with(target, &segments(allowed)));
            (!allowed).then(|| {
                let may = if row.may_import.is_empty() {
                    "nothing outside itself".to_owned()
                } else {
                    row.may_import.join(", ")
                };
                format!(
                    "`{}` may import {may} (layer table row `{}`: {})",
                    row.module, row.module, row.why
                )
            })
        }
        None => row
            .must_not_use
            .iter()
            .find(|banned| starts_with_text(&path.text, banned))
            .map(|banned| {
                format!(
                    "`{}` must not use `{banned}` (layer table row `{}`: {})",
                    row.module, row.module, row.why
                )
            }),
    }
}

/// Checks every `.rs` file under `root/src`; also reports exceptions no file needed any more.
pub fn check_tree(root: &Path, table: &[Layer], exceptions: &[Exception]) -> Vec<Violation> {
    let mut files = Vec::new();
    collect_rs(&root.join("src"), &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut used: Vec<Exception> = Vec::new();
    for path in files {
        let relative = path.strip_prefix(root).map_or_else(
            |_| path.to_string_lossy().into_owned(),
            |p| p.to_string_lossy().replace('\\', "/"),
        );
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let (found, exceptions_used) = check_file(&relative, &source, table, exceptions);
        violations.extend(found);
        used.extend(exceptions_used);
    }
    for exception in exceptions {
        if !used
            .iter()
            .any(|u| u.file == exception.file && u.path == exception.path)
        {
            violations.push(Violation {
                file: exception.file.to_owned(),
                line: 0,
                message: format!(
                    "the exception for `{}` is no longer needed: remove it from the table",
                    exception.path
                ),
            });
        }
    }
    violations
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests;
