//! The colour profile of a session: how much colour its terminal gets (`--color`, `NO_COLOR`,
//! `TERM`). It belongs to the session, not to the drawing: two people watching one board can have
//! two different terminals.

use std::fmt;
use std::str::FromStr;

/// How much colour the terminal gets (`--color`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorMode {
    /// Decide from `NO_COLOR`, `COLORTERM` and `TERM`.
    #[default]
    Auto,
    /// No colour at all; modifiers only.
    Never,
    /// The 16 ANSI colours.
    Ansi16,
    /// The 256-colour palette.
    Ansi256,
}

impl ColorMode {
    /// What `Auto` means in this environment; other modes are returned as they are.
    ///
    /// `no_color` is the `NO_COLOR` variable (set and non-empty disables colour, per
    /// no-color.org); `term` and `colorterm` are `TERM` and `COLORTERM`. One rule for the local
    /// terminal and a served session (which passes the client's variables): `TERM=dumb` has no
    /// colour; an unset or empty `TERM` says nothing about the terminal, so it gets the 16 basic
    /// colours nearly every terminal shows.
    #[must_use]
    pub fn resolve(
        self,
        no_color: Option<&str>,
        term: Option<&str>,
        colorterm: Option<&str>,
    ) -> Self {
        if self != ColorMode::Auto {
            return self;
        }
        let term = term.map(str::trim).filter(|t| !t.is_empty());
        if no_color.is_some_and(|v| !v.is_empty()) || term == Some("dumb") {
            return ColorMode::Never;
        }
        let rich_term = term.is_some_and(|t| t.contains("256color") || t.contains("direct"));
        let truecolor = colorterm.is_some_and(|c| c.contains("truecolor") || c.contains("24bit"));
        if rich_term || truecolor {
            ColorMode::Ansi256
        } else {
            ColorMode::Ansi16
        }
    }

    /// [`Self::resolve`] with the process environment.
    #[must_use]
    pub fn resolve_from_env(self) -> Self {
        let var = |name: &str| std::env::var(name).ok();
        self.resolve(
            var("NO_COLOR").as_deref(),
            var("TERM").as_deref(),
            var("COLORTERM").as_deref(),
        )
    }
}

impl FromStr for ColorMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(ColorMode::Auto),
            "never" | "none" | "off" => Ok(ColorMode::Never),
            "16" => Ok(ColorMode::Ansi16),
            "256" => Ok(ColorMode::Ansi256),
            other => Err(format!(
                "`{other}` is not a colour mode; use auto, never, 16 or 256"
            )),
        }
    }
}

impl fmt::Display for ColorMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColorMode::Auto => "auto",
            ColorMode::Never => "never",
            ColorMode::Ansi16 => "16",
            ColorMode::Ansi256 => "256",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NO_COLOR`, `TERM`, `COLORTERM`, and what `auto` becomes.
    type EnvCase = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        ColorMode,
    );

    #[test]
    fn auto_resolves_from_environment() {
        let cases: &[EnvCase] = &[
            (Some("1"), Some("xterm-256color"), None, ColorMode::Never),
            // NO_COLOR set but empty does not count (no-color.org)
            (Some(""), Some("xterm-256color"), None, ColorMode::Ansi256),
            (None, Some("xterm"), None, ColorMode::Ansi16),
            (None, Some("xterm"), Some("truecolor"), ColorMode::Ansi256),
            (None, Some("dumb"), None, ColorMode::Never),
            (None, None, None, ColorMode::Ansi16),
            // An empty TERM (a served client that sent none) is the same as none.
            (None, Some(""), None, ColorMode::Ansi16),
            (None, Some("xterm-direct"), None, ColorMode::Ansi256),
        ];
        for &(no_color, term, colorterm, expected) in cases {
            assert_eq!(
                ColorMode::Auto.resolve(no_color, term, colorterm),
                expected,
                "{no_color:?} {term:?} {colorterm:?}"
            );
        }
        assert_eq!(
            ColorMode::Ansi16.resolve(Some("1"), None, None),
            ColorMode::Ansi16,
            "an explicit --color wins over NO_COLOR"
        );
    }

    #[test]
    fn parses_color_flag() {
        assert_eq!("256".parse::<ColorMode>(), Ok(ColorMode::Ansi256));
        assert_eq!("never".parse::<ColorMode>(), Ok(ColorMode::Never));
        assert!("rainbow".parse::<ColorMode>().is_err());
    }
}
