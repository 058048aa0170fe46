//! The `:` command line, for keyboards without handy keys (a phone over SSH): the same actions as
//! the keys, by name. Commands that change a drop still go through the confirmation dialog.

use super::rows::TriageSort;

/// The command names, for Tab completion (aliases of `quit` left out).
pub const NAMES: &[&str] = &[
    "pause", "resume", "band", "ack", "silence", "freeze", "sort", "export", "help", "quit",
];

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:pause DROP`
    Pause(String),
    /// `:resume DROP`
    Resume(String),
    /// `:band DROP BAND`
    Band {
        /// The drop whose price band changes.
        drop_id: String,
        /// The band to switch to.
        band: String,
    },
    /// `:ack` — acknowledge the highlighted alert.
    Ack,
    /// `:silence` — silence the highlighted alert (same cycle as the key).
    Silence,
    /// `:freeze` — freeze or unfreeze the display.
    Freeze,
    /// `:sort age|hub|stage|reason` — how the triage table is sorted.
    Sort(TriageSort),
    /// `:export FILE` — the triage table as filtered, as CSV, for the carrier call.
    Export(String),
    /// `:help`
    Help,
    /// `:q`, `:quit`
    Quit,
}

/// What is wrong with a typed command, in words for the status line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// A command name that is not one of them.
    #[error(
        "unknown command `{0}`; try :pause DROP, :resume DROP, :band DROP BAND, :ack, :sort, :export FILE, :q (Tab completes)"
    )]
    Unknown(String),
    /// A known command with the wrong arguments; holds its usage line.
    #[error("usage: {0}")]
    Usage(&'static str),
}

/// Parses the text typed after `:`.
///
/// # Errors
/// An unknown command name, or the wrong number of arguments (with the usage).
pub fn parse(text: &str) -> Result<Command, CommandError> {
    let mut words = text.split_whitespace();
    let Some(name) = words.next() else {
        return Err(CommandError::Unknown(String::new()));
    };
    let args: Vec<&str> = words.collect();
    let name = name.to_ascii_lowercase();
    let no_args = |command: Command, usage: &'static str| {
        if args.is_empty() {
            Ok(command)
        } else {
            Err(CommandError::Usage(usage))
        }
    };
    match (name.as_str(), args.as_slice()) {
        ("pause", [drop_id]) => Ok(Command::Pause((*drop_id).to_owned())),
        ("pause", _) => Err(CommandError::Usage(":pause DROP")),
        ("resume", [drop_id]) => Ok(Command::Resume((*drop_id).to_owned())),
        ("resume", _) => Err(CommandError::Usage(":resume DROP")),
        ("band", [drop_id, band]) => Ok(Command::Band {
            drop_id: (*drop_id).to_owned(),
            band: (*band).to_owned(),
        }),
        ("band", _) => Err(CommandError::Usage(":band DROP BAND")),
        ("ack", _) => no_args(Command::Ack, ":ack"),
        ("silence", _) => no_args(Command::Silence, ":silence"),
        ("freeze", _) => no_args(Command::Freeze, ":freeze"),
        ("sort", [word]) => TriageSort::parse(word)
            .map(Command::Sort)
            .ok_or(CommandError::Usage(":sort age|hub|stage|reason")),
        ("sort", _) => Err(CommandError::Usage(":sort age|hub|stage|reason")),
        ("export", [file]) => Ok(Command::Export((*file).to_owned())),
        ("export", _) => Err(CommandError::Usage(":export FILE (a .csv name, no spaces)")),
        ("help", _) => no_args(Command::Help, ":help"),
        ("q" | "quit" | "q!" | "qa", _) => no_args(Command::Quit, ":q"),
        _ => Err(CommandError::Unknown(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        let cases: &[(&str, Result<Command, CommandError>)] = &[
            ("pause hoodie-01", Ok(Command::Pause("hoodie-01".into()))),
            (
                "  resume   hoodie-01 ",
                Ok(Command::Resume("hoodie-01".into())),
            ),
            (
                "band hoodie-01 B",
                Ok(Command::Band {
                    drop_id: "hoodie-01".into(),
                    band: "B".into(),
                }),
            ),
            ("ack", Ok(Command::Ack)),
            ("q", Ok(Command::Quit)),
            ("quit", Ok(Command::Quit)),
            ("pause", Err(CommandError::Usage(":pause DROP"))),
            (
                "band hoodie-01",
                Err(CommandError::Usage(":band DROP BAND")),
            ),
            ("ack now", Err(CommandError::Usage(":ack"))),
            ("sort hub", Ok(Command::Sort(TriageSort::Hub))),
            ("SORT Reason", Ok(Command::Sort(TriageSort::Reason))),
            ("sort r", Ok(Command::Sort(TriageSort::Reason))),
            (
                "sort colour",
                Err(CommandError::Usage(":sort age|hub|stage|reason")),
            ),
            ("export late.csv", Ok(Command::Export("late.csv".into()))),
            ("explode", Err(CommandError::Unknown("explode".into()))),
            ("", Err(CommandError::Unknown(String::new()))),
        ];
        for (text, expected) in cases {
            assert_eq!(&parse(text), expected, "{text:?}");
        }
    }
}
