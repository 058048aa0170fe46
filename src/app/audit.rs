//! The audit trail of control actions: one JSON line per action, written when its final outcome
//! is known, so an operator can later answer "who paused hoodie-01, from where, and did it apply".
//!
//! A record never holds a token or any other credential: only who, where from, what, and what
//! came of it.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who is operating: read once from the environment at start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// `$USER` (or `$LOGNAME`), when set.
    pub user: Option<String>,
    /// First field of `$SSH_CLIENT` (the address the operator connected from), when set.
    pub ssh_client: Option<String>,
}

impl Operator {
    /// The operator as the process environment describes it.
    #[must_use]
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            user: var("USER").or_else(|| var("LOGNAME")),
            ssh_client: var("SSH_CLIENT")
                .and_then(|v| v.split_whitespace().next().map(str::to_owned)),
        }
    }
}

/// How a control action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The server applied it.
    Applied,
    /// The server refused it.
    Refused,
    /// No usable answer after every attempt: it may or may not have been applied.
    Unknown,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// When the final outcome arrived (local clock).
    pub time: DateTime<Utc>,
    pub user: Option<String>,
    pub ssh_client: Option<String>,
    /// The configured environment name (`prod`, `staging`, `demo`, …).
    pub environment: String,
    pub drop: String,
    /// `pause`, `resume` or `price_band`.
    pub action: String,
    /// The action's parameters, e.g. `{"band": "C"}`; empty for pause and resume.
    pub parameters: serde_json::Map<String, serde_json::Value>,
    pub idempotency_key: String,
    pub outcome: AuditOutcome,
    /// The refusal (`below_margin_floor: …`) or the last failure, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// HTTP attempts made under the one idempotency key.
    pub attempts: u32,
    /// From the first attempt sent to the final answer, in milliseconds.
    pub latency_ms: i64,
}

/// Appends one record as a JSON line, creating the file when it does not exist.
///
/// The whole line goes out in one `write_all` on a file opened for appending, so concurrent
/// writers (two control rooms sharing a log) do not interleave within a line.
///
/// # Errors
/// When the file cannot be opened or written; the error names the path.
pub fn append_audit(path: &Path, record: &AuditRecord) -> io::Result<()> {
    let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
    line.push(b'\n');
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("audit log {}: {e}", path.display())))?;
    file.write_all(&line)
        .map_err(|e| io::Error::new(e.kind(), format!("audit log {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(outcome: AuditOutcome) -> AuditRecord {
        let mut parameters = serde_json::Map::new();
        parameters.insert("band".to_owned(), serde_json::Value::from("C"));
        AuditRecord {
            time: DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
                .expect("test time")
                .with_timezone(&Utc),
            user: Some("ana".to_owned()),
            ssh_client: Some("10.0.0.7".to_owned()),
            environment: "prod".to_owned(),
            drop: "hoodie-01".to_owned(),
            action: "price_band".to_owned(),
            parameters,
            idempotency_key: "2f1c0a4e-0000-4000-8000-000000000000".to_owned(),
            outcome,
            detail: None,
            attempts: 1,
            latency_ms: 120,
        }
    }

    #[test]
    fn appends_one_json_line_per_record() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("audit.jsonl");
        append_audit(&path, &record(AuditOutcome::Applied)).expect("first write");
        append_audit(&path, &record(AuditOutcome::Refused)).expect("second write");
        let text = std::fs::read_to_string(&path).expect("read back");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: serde_json::Value = serde_json::from_str(lines[0]).expect("json line");
        assert_eq!(first["outcome"], "applied");
        assert_eq!(first["parameters"]["band"], "C");
        assert_eq!(first["ssh_client"], "10.0.0.7");
        assert_eq!(first["time"], "2026-11-27T18:00:00Z");
        let second: serde_json::Value = serde_json::from_str(lines[1]).expect("json line");
        assert_eq!(second["outcome"], "refused");
        assert!(!text.to_lowercase().contains("token"));
    }

    #[test]
    fn unwritable_path_names_the_path() {
        let err = append_audit(
            Path::new("/nonexistent-dir/audit.jsonl"),
            &record(AuditOutcome::Unknown),
        )
        .expect_err("no such directory");
        assert!(err.to_string().contains("/nonexistent-dir/audit.jsonl"));
    }
}
