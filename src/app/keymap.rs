//! The key table: every user action, its default keys, and the `[keys]` overrides of the config.
//!
//! One table drives three things so they never disagree: key dispatch in `update`, the help
//! overlay, and the hints in the status bar.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the user can ask for with a key. The names ([`Action::name`]) are the keys of the
/// `[keys]` config section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Show or hide the help overlay.
    Help,
    /// Next view (Overview → Fulfilment → Pop-ups → Actions → Log).
    NextView,
    /// Previous view.
    PrevView,
    ViewOverview,
    ViewFulfilment,
    ViewPopups,
    ViewActions,
    ViewLog,
    /// Move the selection down in the focused table.
    Down,
    /// Move the selection up in the focused table.
    Up,
    /// Overview: move focus between the drops and alerts panels; Fulfilment: next hub's chart.
    FocusNext,
    /// Overview: as [`Action::FocusNext`]; Fulfilment: previous hub's chart.
    FocusPrev,
    /// Show details of the selected row.
    Details,
    /// Pause the selected drop, or resume it when it is paused (after confirmation).
    PauseResume,
    /// Open the band picker of the selected drop.
    BandPicker,
    /// Acknowledge the selected alert.
    Acknowledge,
    /// Silence the selected alert; pressing again cycles 15m → 1h → 4h → off.
    Silence,
    /// Type a filter for the current table.
    Filter,
    /// Clear the filter, close whatever is open.
    Clear,
    /// Open the command line (`:pause DROP`, `:band DROP BAND`, …).
    CommandLine,
    /// Freeze the display; polling continues underneath.
    Freeze,
    /// Poll every feed now.
    PollNow,
    /// Leave the program.
    Quit,
    /// Leave the program (the key that always works).
    ForceQuit,
}

/// Which part of the help an action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Navigate,
    Operate,
    Display,
}

impl Group {
    /// Heading of the group in the help overlay.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Group::Navigate => "Navigate",
            Group::Operate => "Operate",
            Group::Display => "Display",
        }
    }
}

impl Action {
    /// Every action, in the order of the help overlay.
    pub const ALL: [Action; 24] = [
        Action::NextView,
        Action::PrevView,
        Action::ViewOverview,
        Action::ViewFulfilment,
        Action::ViewPopups,
        Action::ViewActions,
        Action::ViewLog,
        Action::Down,
        Action::Up,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Details,
        Action::PauseResume,
        Action::BandPicker,
        Action::Acknowledge,
        Action::Silence,
        Action::CommandLine,
        Action::Filter,
        Action::Clear,
        Action::Freeze,
        Action::PollNow,
        Action::Help,
        Action::Quit,
        Action::ForceQuit,
    ];

    /// The action's name in the `[keys]` config section.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::NextView => "next_view",
            Action::PrevView => "prev_view",
            Action::ViewOverview => "view_overview",
            Action::ViewFulfilment => "view_fulfilment",
            Action::ViewPopups => "view_popups",
            Action::ViewActions => "view_actions",
            Action::ViewLog => "view_log",
            Action::Down => "down",
            Action::Up => "up",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::Details => "details",
            Action::PauseResume => "pause",
            Action::BandPicker => "band",
            Action::Acknowledge => "ack",
            Action::Silence => "silence",
            Action::Filter => "filter",
            Action::Clear => "clear",
            Action::CommandLine => "command",
            Action::Freeze => "freeze",
            Action::PollNow => "poll_now",
            Action::Quit => "quit",
            Action::ForceQuit => "force_quit",
        }
    }

    /// What the action does, as the help overlay says it.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Action::Help => "this help",
            Action::NextView => "next view",
            Action::PrevView => "previous view",
            Action::ViewOverview => "Overview",
            Action::ViewFulfilment => "Fulfilment triage",
            Action::ViewPopups => "Pop-ups",
            Action::ViewActions => "Actions sent",
            Action::ViewLog => "Log",
            Action::Down => "next row",
            Action::Up => "previous row",
            Action::FocusNext => "next panel / hub",
            Action::FocusPrev => "previous panel / hub",
            Action::Details => "details of the row",
            Action::PauseResume => "pause/resume drop (confirm)",
            Action::BandPicker => "price band picker (confirm)",
            Action::Acknowledge => "acknowledge alert",
            Action::Silence => "silence 15m/1h/4h/off",
            Action::Filter => "filter the table",
            Action::Clear => "clear filter / close",
            Action::CommandLine => "command line",
            Action::Freeze => "freeze the display",
            Action::PollNow => "poll all feeds now",
            Action::Quit => "quit",
            Action::ForceQuit => "quit (from anywhere)",
        }
    }

    /// The few words of the status-bar hint (`p pause`).
    #[must_use]
    pub fn hint(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::NextView | Action::PrevView => "views",
            Action::PauseResume => "pause",
            Action::BandPicker => "band",
            Action::Acknowledge => "ack",
            Action::Silence => "silence",
            Action::Filter => "filter",
            Action::CommandLine => "cmd",
            Action::Freeze => "freeze",
            Action::PollNow => "poll",
            Action::Quit | Action::ForceQuit => "quit",
            Action::FocusNext | Action::FocusPrev => "focus",
            _ => "",
        }
    }

    /// The help section the action is listed under.
    #[must_use]
    pub fn group(self) -> Group {
        match self {
            Action::PauseResume
            | Action::BandPicker
            | Action::Acknowledge
            | Action::Silence
            | Action::CommandLine
            | Action::PollNow => Group::Operate,
            Action::Filter
            | Action::Clear
            | Action::Freeze
            | Action::Help
            | Action::Quit
            | Action::ForceQuit => Group::Display,
            _ => Group::Navigate,
        }
    }

    /// The action with this config name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The keys the action has when the config says nothing about it.
    fn default_keys(self) -> &'static [&'static str] {
        match self {
            Action::Help => &["?"],
            Action::NextView => &["tab"],
            Action::PrevView => &["shift-tab"],
            Action::ViewOverview => &["1"],
            Action::ViewFulfilment => &["2"],
            Action::ViewPopups => &["3"],
            Action::ViewActions => &["4"],
            Action::ViewLog => &["5"],
            Action::Down => &["j", "down"],
            Action::Up => &["k", "up"],
            Action::FocusNext => &["l", "right"],
            Action::FocusPrev => &["h", "left"],
            Action::Details => &["enter"],
            Action::PauseResume => &["p"],
            Action::BandPicker => &["b"],
            Action::Acknowledge => &["a"],
            Action::Silence => &["s"],
            Action::Filter => &["/"],
            Action::Clear => &["esc"],
            Action::CommandLine => &[":"],
            Action::Freeze => &["f"],
            Action::PollNow => &["r"],
            Action::Quit => &["q"],
            Action::ForceQuit => &["ctrl-c"],
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A key with its modifiers, normalised so that what the terminal sends for `?` or `A` (with or
/// without a SHIFT flag, depending on the terminal) compares equal to what the config says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl KeyChord {
    /// A chord from a code and modifiers, normalised.
    #[must_use]
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already carries the shift; terminals disagree on the flag.
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                // Ctrl-C arrives as 'c' with CONTROL, but some terminals send 'C' with shift.
                if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }

    /// The chord a key event is.
    #[must_use]
    pub fn from_event(event: &KeyEvent) -> Self {
        Self::new(event.code, event.modifiers)
    }

    /// Parses key text as written in the config: `p`, `?`, `ctrl-c`, `shift-tab`, `f5`, `enter`,
    /// `esc`, `up`, `space`, `alt-x`.
    ///
    /// # Errors
    /// When the text names no key, with the text in the message.
    pub fn parse(text: &str) -> Result<Self, KeyParseError> {
        let bad = || KeyParseError(text.to_owned());
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(bad());
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = trimmed;
        // A lone "-" is the minus key, not a separator.
        while rest.len() > 1 {
            let Some((prefix, tail)) = rest.split_once('-') else {
                break;
            };
            if tail.is_empty() {
                break;
            }
            match prefix.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => modifiers |= KeyModifiers::CONTROL,
                "alt" | "meta" => modifiers |= KeyModifiers::ALT,
                "shift" => modifiers |= KeyModifiers::SHIFT,
                _ => return Err(bad()),
            }
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => named_key(&rest.to_ascii_lowercase()).ok_or_else(bad)?,
        };
        Ok(Self::new(code, modifiers))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    let code = match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        _ => {
            let number = name.strip_prefix('f')?.parse::<u8>().ok()?;
            if (1..=24).contains(&number) {
                KeyCode::F(number)
            } else {
                return None;
            }
        }
    };
    Some(code)
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Key text in the config that names no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a key (write e.g. `p`, `?`, `ctrl-c`, `shift-tab`, `f5`, `enter`, `space`)")]
pub struct KeyParseError(pub String);

/// What is wrong with a `[keys]` config section.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("[keys]: `{0}` is not an action; the actions are: {names}", names = action_names())]
    UnknownAction(String),
    #[error("[keys] {action}: {source}")]
    BadKey {
        action: String,
        #[source]
        source: KeyParseError,
    },
    #[error(
        "[keys]: {key} is bound to both `{first}` and `{second}`; give one of them another key"
    )]
    Duplicate {
        key: String,
        first: &'static str,
        second: &'static str,
    },
}

impl KeymapError {
    /// The `[keys]` entry the error is about (the later one of a duplicate pair), so the config
    /// error can point at its line.
    #[must_use]
    pub fn action(&self) -> &str {
        match self {
            KeymapError::UnknownAction(name) | KeymapError::BadKey { action: name, .. } => name,
            KeymapError::Duplicate { second, .. } => second,
        }
    }
}

fn action_names() -> String {
    Action::ALL.map(Action::name).join(", ")
}

/// The key table in use: each action with its keys, and the reverse index used to dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<KeyChord>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = Action::ALL
            .into_iter()
            .map(|action| {
                let keys = action
                    .default_keys()
                    .iter()
                    // The defaults are literals of this file; a unit test parses every one.
                    .filter_map(|text| KeyChord::parse(text).ok())
                    .collect();
                (action, keys)
            })
            .collect();
        Self { bindings }
    }
}

impl Keymap {
    /// The default table with the config's `[keys]` overrides applied. A value is one key or
    /// several separated by spaces (`"j down"`); it replaces the action's default keys.
    ///
    /// # Errors
    /// An unknown action name, key text that names no key, or one key bound to two actions (the
    /// error names both).
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Self, KeymapError> {
        let mut keymap = Self::default();
        for (name, keys_text) in overrides {
            let action = Action::from_name(name.trim())
                .ok_or_else(|| KeymapError::UnknownAction(name.clone()))?;
            let keys = keys_text
                .split_whitespace()
                .map(KeyChord::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| KeymapError::BadKey {
                    action: name.clone(),
                    source,
                })?;
            if keys.is_empty() {
                return Err(KeymapError::BadKey {
                    action: name.clone(),
                    source: KeyParseError(keys_text.clone()),
                });
            }
            keymap.bindings.insert(action, keys);
        }
        keymap.check_duplicates()?;
        Ok(keymap)
    }

    fn check_duplicates(&self) -> Result<(), KeymapError> {
        let mut seen: Vec<(KeyChord, Action)> = Vec::new();
        for action in Action::ALL {
            for key in self.keys(action) {
                if let Some((_, first)) = seen.iter().find(|(k, a)| k == key && *a != action) {
                    return Err(KeymapError::Duplicate {
                        key: key.to_string(),
                        first: first.name(),
                        second: action.name(),
                    });
                }
                seen.push((*key, action));
            }
        }
        Ok(())
    }

    /// The action a key event asks for, if any.
    #[must_use]
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        let chord = KeyChord::from_event(event);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&chord))
            .map(|(action, _)| *action)
    }

    /// Whether a key event is bound to this action.
    #[must_use]
    pub fn is(&self, event: &KeyEvent, action: Action) -> bool {
        self.keys(action).contains(&KeyChord::from_event(event))
    }

    /// The keys of an action.
    #[must_use]
    pub fn keys(&self, action: Action) -> &[KeyChord] {
        self.bindings.get(&action).map_or(&[], Vec::as_slice)
    }

    /// The keys of an action as the help shows them (`j/Down`).
    #[must_use]
    pub fn keys_text(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(ToString::to_string).collect();
        keys.join("/")
    }

    /// The first key of an action, for the status bar (`?`).
    #[must_use]
    pub fn first_key_text(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map_or_else(|| "(unbound)".to_owned(), ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn every_default_key_parses() {
        for action in Action::ALL {
            for text in action.default_keys() {
                assert!(KeyChord::parse(text).is_ok(), "{action}: {text}");
            }
        }
        assert!(Keymap::default().check_duplicates().is_ok());
    }

    #[test]
    fn names_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
    }

    #[test]
    fn parses_key_text() {
        let cases: &[(&str, KeyCode, KeyModifiers)] = &[
            ("p", KeyCode::Char('p'), KeyModifiers::NONE),
            ("?", KeyCode::Char('?'), KeyModifiers::NONE),
            ("A", KeyCode::Char('A'), KeyModifiers::NONE),
            ("shift-a", KeyCode::Char('A'), KeyModifiers::NONE),
            ("ctrl-c", KeyCode::Char('c'), KeyModifiers::CONTROL),
            ("Ctrl-C", KeyCode::Char('c'), KeyModifiers::CONTROL),
            ("shift-tab", KeyCode::BackTab, KeyModifiers::NONE),
            ("f5", KeyCode::F(5), KeyModifiers::NONE),
            ("enter", KeyCode::Enter, KeyModifiers::NONE),
            ("space", KeyCode::Char(' '), KeyModifiers::NONE),
            ("-", KeyCode::Char('-'), KeyModifiers::NONE),
            ("alt-x", KeyCode::Char('x'), KeyModifiers::ALT),
        ];
        for &(text, code, modifiers) in cases {
            assert_eq!(
                KeyChord::parse(text),
                Ok(KeyChord::new(code, modifiers)),
                "{text}"
            );
        }
        for bad in ["", "hyper-x", "f99", "banana", "ctrl-"] {
            assert!(KeyChord::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn terminal_shift_flags_do_not_matter() {
        let keymap = Keymap::default();
        let cases = [
            (key(KeyCode::Char('?'), KeyModifiers::SHIFT), Action::Help),
            (key(KeyCode::Char('?'), KeyModifiers::NONE), Action::Help),
            (key(KeyCode::BackTab, KeyModifiers::SHIFT), Action::PrevView),
            (key(KeyCode::Tab, KeyModifiers::SHIFT), Action::PrevView),
            (
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Action::ForceQuit,
            ),
            (key(KeyCode::Down, KeyModifiers::NONE), Action::Down),
        ];
        for (event, action) in cases {
            assert_eq!(keymap.action_for(&event), Some(action), "{event:?}");
        }
        assert_eq!(
            keymap.action_for(&key(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn overrides_replace_defaults() {
        let overrides = BTreeMap::from([("pause".to_owned(), "P f6".to_owned())]);
        let keymap = Keymap::with_overrides(&overrides).expect("valid overrides");
        assert_eq!(keymap.keys_text(Action::PauseResume), "P/F6");
        assert_eq!(
            keymap.action_for(&key(KeyCode::Char('p'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            keymap.action_for(&key(KeyCode::F(6), KeyModifiers::NONE)),
            Some(Action::PauseResume)
        );
    }

    #[test]
    fn rejects_bad_overrides_naming_what_is_wrong() {
        let duplicate = BTreeMap::from([("pause".to_owned(), "q".to_owned())]);
        let err = Keymap::with_overrides(&duplicate).expect_err("q is taken by quit");
        let text = err.to_string();
        assert!(text.contains("pause") && text.contains("quit"), "{text}");

        let unknown = BTreeMap::from([("explode".to_owned(), "x".to_owned())]);
        let text = Keymap::with_overrides(&unknown)
            .expect_err("unknown action")
            .to_string();
        assert!(text.contains("explode") && text.contains("pause"), "{text}");

        let bad_key = BTreeMap::from([("pause".to_owned(), "hyper-p".to_owned())]);
        let text = Keymap::with_overrides(&bad_key)
            .expect_err("bad key")
            .to_string();
        assert!(text.contains("pause") && text.contains("hyper-p"), "{text}");
    }
}
