//! The audit log on disk: each [`AuditRecord`] the state machine hands out as an effect becomes
//! one JSON line appended to the configured file.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use crate::app::audit::AuditRecord;

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
    use crate::app::audit::AuditOutcome;
    use chrono::{DateTime, Utc};

    fn record(outcome: AuditOutcome) -> AuditRecord {
        let mut parameters = serde_json::Map::new();
        parameters.insert("band".to_owned(), serde_json::Value::from("C"));
        AuditRecord {
            time: DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
                .expect("test time")
                .with_timezone(&Utc),
            user: Some("ana".to_owned()),
            ssh_client: Some("10.0.0.7".to_owned()),
            key_name: None,
            key_fingerprint: None,
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
