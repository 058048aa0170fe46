//! `:export FILE` on disk: where the file goes and writing it. The state machine made the CSV
//! (the triage table as filtered); the launch code only puts it somewhere and says where.

use std::path::{Path, PathBuf};

/// Where a local room writes `file`: as given when absolute, else under `export_dir` when one
/// is configured, else in the current folder.
#[must_use]
pub fn local_path(export_dir: Option<&Path>, file: &str) -> PathBuf {
    let path = Path::new(file);
    match export_dir {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

/// Where a served session writes `file`: always under `export_dir` (the file is on the server,
/// not on the person's machine), under a sanitised name: the last part of what was typed, with
/// nothing but letters, digits, `.`, `-` and `_`, no leading dot, and `.csv` at the end.
///
/// # Errors
/// When the room has no `export_dir` (no export without it) or nothing of the name is left.
pub fn served_path(export_dir: Option<&Path>, file: &str) -> Result<PathBuf, String> {
    let Some(dir) = export_dir else {
        return Err(
            "this served room has no export_dir: nothing written (ask whoever runs dropday \
             serve to set [serve] export_dir)"
                .to_owned(),
        );
    };
    let last = file.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    name.trim_start_matches('.')
        .to_owned()
        .clone_into(&mut name);
    if name.trim_matches(['_', '.']).is_empty() {
        return Err(format!(
            "`{file}` leaves no file name once sanitised: nothing written"
        ));
    }
    if !name.to_ascii_lowercase().ends_with(".csv") {
        name.push_str(".csv");
    }
    Ok(dir.join(name))
}

/// Writes `csv` to `path`; the answer for the person's status line: the path written, or why
/// not.
///
/// # Errors
/// The path and the reason when it cannot be written.
pub fn write(path: &Path, csv: &str) -> Result<String, String> {
    std::fs::write(path, csv)
        .map(|()| path.display().to_string())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_go_under_export_dir_when_relative() {
        let dir = Path::new("/srv/exports");
        assert_eq!(
            local_path(Some(dir), "late.csv"),
            PathBuf::from("/srv/exports/late.csv")
        );
        assert_eq!(
            local_path(Some(dir), "/tmp/late.csv"),
            PathBuf::from("/tmp/late.csv")
        );
        assert_eq!(local_path(None, "late.csv"), PathBuf::from("late.csv"));
    }

    #[test]
    fn served_names_are_sanitised_and_stay_in_export_dir() {
        let dir = Path::new("/srv/exports");
        let cases = [
            ("late.csv", "/srv/exports/late.csv"),
            ("../../etc/passwd", "/srv/exports/passwd.csv"),
            ("/etc/cron.d/x", "/srv/exports/x.csv"),
            ("ewr late$(rm).CSV", "/srv/exports/ewr_late__rm_.CSV"),
            (".hidden", "/srv/exports/hidden.csv"),
        ];
        for (typed, expected) in cases {
            assert_eq!(
                served_path(Some(dir), typed),
                Ok(PathBuf::from(expected)),
                "{typed}"
            );
        }
        assert!(served_path(Some(dir), "..").is_err());
        assert!(served_path(None, "late.csv").is_err());
    }
}
