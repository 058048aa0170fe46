//! Exec requests: `ssh host status [--json] [--check]` is the only command; anything else is
//! answered with one line and exit status 3 (UNKNOWN, as monitoring plugins use it).

use super::room::StatusRequest;

/// Exit status for an unknown command, a session without a terminal, or a full server.
pub const EXIT_UNKNOWN: u32 = 3;

/// What an exec request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecCommand {
    /// `status [--json] [--check]`.
    Status(StatusRequest),
    /// The one line to print.
    Unknown(String),
}

/// Parses the command line a client sent (`ssh host status --json` sends `status --json`).
#[must_use]
pub fn parse(command: &[u8]) -> ExecCommand {
    let text = String::from_utf8_lossy(command);
    let mut words = text.split_whitespace();
    let usage = "the only command is `status [--json] [--check]`";
    if words.next() != Some("status") {
        let shown: String = text.trim().chars().take(60).collect();
        return ExecCommand::Unknown(format!("dropday serve: unknown command `{shown}`; {usage}"));
    }
    let mut request = StatusRequest::default();
    for word in words {
        match word {
            "--json" => request.json = true,
            "--check" => request.check = true,
            other => {
                let shown: String = other.chars().take(40).collect();
                return ExecCommand::Unknown(format!(
                    "dropday serve: status does not take `{shown}`; {usage}"
                ));
            }
        }
    }
    ExecCommand::Status(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let status = |json, check| ExecCommand::Status(StatusRequest { json, check });
        let cases: &[(&str, Option<ExecCommand>)] = &[
            ("status", Some(status(false, false))),
            ("status --json", Some(status(true, false))),
            ("status --check --json", Some(status(true, true))),
            ("  status   --check ", Some(status(false, true))),
            ("status --verbose", None),
            ("bash", None),
            ("", None),
            ("rm -rf /", None),
        ];
        for (text, expected) in cases {
            let got = parse(text.as_bytes());
            match expected {
                Some(expected) => assert_eq!(&got, expected, "{text}"),
                None => match got {
                    ExecCommand::Unknown(line) => {
                        assert!(line.starts_with("dropday serve: "), "{line}");
                        assert!(line.contains("status [--json] [--check]"), "{line}");
                    }
                    other @ ExecCommand::Status(_) => panic!("{text:?} → {other:?}"),
                },
            }
        }
    }
}
