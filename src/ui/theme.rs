//! Colours and glyphs: `--color auto|never|16|256`, `NO_COLOR`, and `--ascii` (no braille, no
//! box drawing) decided once, so panels ask the theme instead of naming colours.
//!
//! Without colour, meaning is still carried by text and modifiers (reverse video, bold), never by
//! colour alone: a SIMULATED banner stays unmistakable on a monochrome terminal.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::{self, Marker, border};

pub use crate::app::ColorMode;
pub use crate::model::format::Zone;

/// How serious something shown is; panels map their states onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Plain text: the terminal's own colour.
    Normal,
    /// All well: live, fresh, on time (green).
    Good,
    /// Needs a look: paused, a warning (yellow).
    Warn,
    /// Something is wrong: an error, stale data (red).
    Bad,
    /// Act now: a critical alert (bold red).
    Critical,
    /// Not the point: ended drops, waiting feeds, units (grey).
    Dim,
}

/// The one "more text than room" mark of an ASCII terminal, wherever text is shortened
/// (`fit_words_in`, [`Theme::ellipsis`], [`Theme::plain`]): three dots, not `~`, which
/// already means "about" before an estimate (`~6/min`).
pub const ASCII_ELLIPSIS: &str = "...";

/// Everything drawing needs to know about colour and glyphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// The resolved colour mode (never `Auto`).
    pub color: ColorMode,
    /// Plain ASCII glyphs only.
    pub ascii: bool,
    /// The zone clock times are shown in (`ui.timezone`).
    pub zone: Zone,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            color: ColorMode::Ansi16,
            ascii: false,
            zone: Zone::Utc,
        }
    }
}

/// ASCII border: `+`, `-`, `|`.
const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// ASCII sparkline levels.
const ASCII_BARS: symbols::bar::Set<'static> = symbols::bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "=",
    five_eighths: "=",
    half: "-",
    three_eighths: "-",
    one_quarter: ".",
    one_eighth: ".",
    empty: " ",
};

impl Theme {
    /// A theme for a colour mode (resolved against the environment when `Auto`) and `--ascii`.
    #[must_use]
    pub fn new(color: ColorMode, ascii: bool) -> Self {
        Self {
            color: color.resolve_from_env(),
            ascii,
            zone: Zone::Utc,
        }
    }

    /// The same theme showing clock times in `zone`.
    #[must_use]
    pub fn with_zone(self, zone: Zone) -> Self {
        Self { zone, ..self }
    }

    /// A theme with an already-resolved mode, for tests and snapshots.
    #[must_use]
    pub fn fixed(color: ColorMode, ascii: bool) -> Self {
        let color = if color == ColorMode::Auto {
            ColorMode::Ansi16
        } else {
            color
        };
        Self {
            color,
            ascii,
            zone: Zone::Utc,
        }
    }

    fn pick(self, ansi16: Color, ansi256: u8) -> Option<Color> {
        match self.color {
            ColorMode::Never => None,
            ColorMode::Ansi256 => Some(Color::Indexed(ansi256)),
            ColorMode::Ansi16 | ColorMode::Auto => Some(ansi16),
        }
    }

    fn fg(self, ansi16: Color, ansi256: u8) -> Style {
        match self.pick(ansi16, ansi256) {
            Some(color) => Style::new().fg(color),
            None => Style::new(),
        }
    }

    /// Text of a tone. Without colour, bad and critical are bold so they still stand out.
    #[must_use]
    pub fn tone(self, tone: Tone) -> Style {
        match tone {
            Tone::Normal => Style::new(),
            Tone::Good => self.fg(Color::Green, 71),
            Tone::Warn => self.fg(Color::Yellow, 178),
            Tone::Bad => self.fg(Color::LightRed, 203).add_modifier(Modifier::BOLD),
            Tone::Critical => self
                .fg(Color::Red, 196)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
            Tone::Dim => self.fg(Color::DarkGray, 244),
        }
    }

    /// Panel borders; `production` gets red so prod is never mistaken for staging.
    #[must_use]
    pub fn border(self, production: bool, focused: bool) -> Style {
        let style = if production {
            self.fg(Color::Red, 160)
        } else if focused {
            self.fg(Color::Cyan, 75)
        } else {
            self.fg(Color::DarkGray, 240)
        };
        if focused {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// Panel titles.
    #[must_use]
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The selected row of a table.
    #[must_use]
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The selected row of a table that may not have the focus (the Overview's drops and
    /// alerts panels): reverse video when focused, underlined otherwise, so the operator sees
    /// which row `p` or `a` would act on and which panel the keys move in.
    #[must_use]
    pub fn row_highlight(self, focused: bool) -> Style {
        if focused {
            self.selected()
        } else {
            self.title().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// The SIMULATED banner: reverse-video yellow, bold, readable without colour.
    #[must_use]
    pub fn simulated(self) -> Style {
        self.fg(Color::Yellow, 226)
            .add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// The FROZEN marker.
    #[must_use]
    pub fn frozen(self) -> Style {
        self.fg(Color::Cyan, 51)
            .add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// The `[RW]` marker (operating is possible: a little warning colour).
    #[must_use]
    pub fn read_write(self) -> Style {
        self.fg(Color::Yellow, 214).add_modifier(Modifier::BOLD)
    }

    /// Key names in hints and help.
    #[must_use]
    pub fn key(self) -> Style {
        self.fg(Color::Cyan, 81).add_modifier(Modifier::BOLD)
    }

    /// The header bar.
    #[must_use]
    pub fn header(self, production: bool) -> Style {
        if production {
            self.fg(Color::LightRed, 203).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// Chart series by role.
    #[must_use]
    pub fn series(self, role: Series) -> Style {
        match role {
            Series::Consumed => self.fg(Color::Cyan, 45),
            Series::Projection => self.fg(Color::Magenta, 177),
            Series::Contracted => self.fg(Color::Red, 203),
            Series::MinCommit => self.fg(Color::Yellow, 178),
        }
    }

    /// Border glyphs.
    #[must_use]
    pub fn border_set(self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::ROUNDED
        }
    }

    /// Chart marker of a series: braille curves, or ASCII characters under `--ascii`.
    #[must_use]
    ///
    /// The reference levels and the projection get characters of their own even with colour,
    /// so the four lines stay apart on a monochrome terminal too.
    pub fn marker(self, role: Series) -> Marker {
        match (role, self.ascii) {
            (Series::Consumed, false) => Marker::Braille,
            (Series::Consumed, true) => Marker::Custom('*'),
            (Series::Projection, false) => Marker::Custom('·'),
            (Series::Projection, true) => Marker::Custom('.'),
            (Series::Contracted, _) => Marker::Custom('='),
            (Series::MinCommit, _) => Marker::Custom('-'),
        }
    }

    /// Sparkline levels.
    #[must_use]
    pub fn bar_set(self) -> symbols::bar::Set<'static> {
        if self.ascii {
            ASCII_BARS
        } else {
            symbols::bar::NINE_LEVELS
        }
    }

    /// A horizontal gauge of `width` cells filled to `ratio` (clamped to 0..=1):
    /// `█████░░░░░` or, under `--ascii`, `#####-----`.
    #[must_use]
    pub fn gauge_text(self, ratio: f64, width: usize) -> String {
        let ratio = if ratio.is_finite() {
            ratio.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // The cast is of a value within 0..=width.
        let filled = ((ratio * width as f64).round() as usize).min(width);
        let (full, empty) = if self.ascii {
            ("#", "-")
        } else {
            ("█", "░")
        };
        format!("{}{}", full.repeat(filled), empty.repeat(width - filled))
    }

    /// The "more text than room" mark: `…`, or [`ASCII_ELLIPSIS`] under `--ascii`.
    #[must_use]
    pub fn ellipsis(self) -> &'static str {
        if self.ascii { ASCII_ELLIPSIS } else { "…" }
    }

    /// The dash shown where there is no figure.
    #[must_use]
    pub fn none(self) -> &'static str {
        if self.ascii { "-" } else { "—" }
    }

    /// `text` as this theme may draw it: with `ascii`, the estimate marks of
    /// `model::format` (`–` ranges, `≈`, `…`, `×`) and the cost's `≤` in plain ASCII (`<=`,
    /// not the frame pass's one-cell `<`, which would say "less than").
    #[must_use]
    pub fn plain(self, text: String) -> String {
        if !self.ascii || text.is_ascii() {
            return text;
        }
        text.replace('–', "-")
            .replace('≈', "~")
            .replace('…', ASCII_ELLIPSIS)
            .replace('×', "x")
            .replace('≤', "<=")
    }

    /// The arrow of a change (`A → C`).
    #[must_use]
    pub fn arrow(self) -> &'static str {
        if self.ascii { "->" } else { "→" }
    }
}

/// The lines of a capacity burn-down chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Units consumed so far, as sampled.
    Consumed,
    /// Consumption projected to the window's end at the current burn rate.
    Projection,
    /// The contracted units: the line not to cross.
    Contracted,
    /// The minimum commitment: below it at the window's end costs a penalty.
    MinCommit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_has_no_colour_but_keeps_emphasis() {
        let theme = Theme::fixed(ColorMode::Never, false);
        let banner = theme.simulated();
        assert_eq!(banner.fg, None);
        assert!(banner.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.border(true, false).fg, None);
    }

    #[test]
    fn ascii_gauge_and_glyphs() {
        let theme = Theme::fixed(ColorMode::Never, true);
        assert_eq!(theme.gauge_text(0.5, 10), "#####-----");
        assert_eq!(theme.gauge_text(2.0, 4), "####");
        assert_eq!(theme.gauge_text(f64::NAN, 3), "---");
        assert!(theme.border_set().top_left.is_ascii());
        assert_eq!(theme.marker(Series::Consumed), Marker::Custom('*'));
        // One ASCII ellipsis wherever text is shortened.
        let message = "ewr-1 runs out at 00:34, overage 3202 = 32022.00 USD";
        assert_eq!(theme.ellipsis(), "...");
        assert!(super::super::text::fit_words_in(message, 22, true).ends_with(theme.ellipsis()));
        assert!(
            super::super::text::fit_words(message, 22, theme.ellipsis())
                .ends_with(theme.ellipsis())
        );
        assert_eq!(theme.plain("measuring…".to_owned()), "measuring...");
        assert_eq!(
            theme.plain("may run over (≤760 = 7600.00 USD)".to_owned()),
            "may run over (<=760 = 7600.00 USD)"
        );
    }
}
