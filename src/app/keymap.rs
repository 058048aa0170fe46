//! The key table: every user action, its default keys, and the `[keys]` overrides of the config.
//!
//! One table ([`Action::spec`]) drives four things so they never disagree: key dispatch in
//! `update` (dialogs included), the `[keys]` config, the help overlay, and the hints in the status
//! bar and the dialogs.

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
    /// Show the Overview: drops and alerts.
    ViewOverview,
    /// Show the Fulfilment view: hubs, burn-down, overdue orders.
    ViewFulfilment,
    /// Show the Pop-ups view: terminals, takings, pickups.
    ViewPopups,
    /// Show the Actions view: this room's control actions and their outcomes.
    ViewActions,
    /// Show the Log view: the room's own log lines.
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
    /// Fulfilment: sort the overdue orders by age, hub, stage or reason (cycles).
    SortTriage,
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
    /// In the confirmation dialog: send it.
    DialogConfirm,
    /// In the confirmation dialog: move between Cancel and Confirm.
    DialogSwitch,
    /// In a dialog: press the focused button; in the band picker: choose the band.
    DialogPress,
    /// In a text line (`:`, `/`, a typed confirmation): run or keep what was typed.
    LineSubmit,
    /// In a text line: leave it (a filter being typed is dropped).
    LineCancel,
    /// In a text line: erase the last character (on an empty line: leave it).
    LineErase,
    /// In the command line: complete the word (command, drop id, band id).
    LineComplete,
}

/// Which part of the help an action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Moving between views, rows and details.
    Navigate,
    /// Keys that act: on the marketplace (after confirmation), on alerts, on polling.
    Operate,
    /// What is shown and how: help, filter, freeze, quit.
    Display,
    /// Keys of the confirmation dialog and the band picker; the help says them in its notes.
    Dialog,
    /// Keys of the text lines (`:`, `/`, a typed confirmation); the help says them in its notes.
    TextLine,
}

impl Group {
    /// Heading of the group in the help overlay.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Group::Navigate => "Navigate",
            Group::Operate => "Operate",
            Group::Display => "Display",
            Group::Dialog => "Dialogs",
            Group::TextLine => "Text lines",
        }
    }
}

/// Where an action's keys work. One key may mean two things in two scopes that never meet
/// (Enter shows details on a screen and presses a dialog's button), never in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere, even in a text line (`Ctrl-C`).
    Everywhere,
    /// On a screen, or in an overlay that passes keys on (help, details, the picker's moves).
    Screen,
    /// In the confirmation dialog and the band picker.
    Dialog,
    /// In a text line: the command line, the filter line, a typed confirmation. Every other
    /// key there is a character typed.
    TextLine,
}

impl Scope {
    fn meets(self, other: Scope) -> bool {
        self == other || self == Scope::Everywhere || other == Scope::Everywhere
    }
}

/// Everything about one action, in one place: the dispatch, the `[keys]` config, the help
/// overlay and the status-bar hints all read it. A new action needs a spec (the `match` in
/// [`Action::spec`] is exhaustive) with every field (a struct literal), and a unit test checks
/// that no hint is empty and the status bar's order has no gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    /// The name in the `[keys]` config section.
    pub name: &'static str,
    /// What the action does, as the help overlay says it.
    pub description: &'static str,
    /// The few words of a key hint (`p pause`).
    pub hint: &'static str,
    /// Place in the status bar's hints (0 first), `None` when the bar leaves it out.
    pub bar: Option<u8>,
    /// The help section it is listed under.
    pub group: Group,
    /// Where its keys work: everywhere, on a screen, or in a dialog.
    pub scope: Scope,
    /// The keys it has when the config says nothing about it.
    pub keys: &'static [&'static str],
    /// What it changes beyond this person's screen: a read-only session hides such keys from
    /// the status bar and the help.
    pub writes: Writes,
}

/// What an action changes beyond the person's own screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Nothing: views, selection, filters, help.
    Nothing,
    /// The marketplace (after confirmation): pause, resume, price band.
    Marketplace,
    /// The board everyone in a shared room sees (acknowledgements, silences); in a room of
    /// one only this person sees them.
    SharedBoard,
}

impl Writes {
    /// Whether a session that is read-only (in a shared room or not) can use the action.
    #[must_use]
    pub fn allowed(self, read_only: bool, shared: bool) -> bool {
        match self {
            Writes::Nothing => true,
            Writes::Marketplace => !read_only,
            Writes::SharedBoard => !(read_only && shared),
        }
    }
}

/// A row of the table, for a key that works on a screen.
const fn row(
    name: &'static str,
    description: &'static str,
    hint: &'static str,
    bar: Option<u8>,
    group: Group,
    keys: &'static [&'static str],
) -> ActionSpec {
    ActionSpec {
        name,
        description,
        hint,
        bar,
        group,
        scope: Scope::Screen,
        keys,
        writes: Writes::Nothing,
    }
}

impl ActionSpec {
    /// The same row for keys that work elsewhere.
    const fn in_scope(self, scope: Scope) -> Self {
        Self { scope, ..self }
    }

    /// The same row for an action that changes more than the screen.
    const fn writing(self, writes: Writes) -> Self {
        Self { writes, ..self }
    }
}

impl Action {
    /// Every action, in the order of the help overlay.
    pub const ALL: [Action; 32] = [
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
        Action::SortTriage,
        Action::Freeze,
        Action::PollNow,
        Action::Help,
        Action::Quit,
        Action::ForceQuit,
        Action::DialogConfirm,
        Action::DialogSwitch,
        Action::DialogPress,
        Action::LineSubmit,
        Action::LineCancel,
        Action::LineErase,
        Action::LineComplete,
    ];

    /// The action's spec: the one table of actions. Columns: config name, help text, hint,
    /// place in the status bar, help group, default keys.
    #[must_use]
    #[rustfmt::skip] // A table: one row per action, columns aligned.
    pub const fn spec(self) -> ActionSpec {
        use Group::{Dialog, Display, Navigate, Operate, TextLine};
        use Scope::Everywhere;
        use Writes::{Marketplace, SharedBoard};
        match self {
            Action::Help =>           row("help",            "this help",                   "help",       Some(0),  Display,  &["?"]),
            Action::NextView =>       row("next_view",       "next view",                   "views",      Some(1),  Navigate, &["tab"]),
            Action::PrevView =>       row("prev_view",       "previous view",               "views",      None,     Navigate, &["shift-tab"]),
            Action::ViewOverview =>   row("view_overview",   "Overview",                    "overview",   None,     Navigate, &["1"]),
            Action::ViewFulfilment => row("view_fulfilment", "Fulfilment triage",           "fulfilment", None,     Navigate, &["2"]),
            Action::ViewPopups =>     row("view_popups",     "Pop-ups",                     "pop-ups",    None,     Navigate, &["3"]),
            Action::ViewActions =>    row("view_actions",    "Actions sent",                "actions",    None,     Navigate, &["4"]),
            Action::ViewLog =>        row("view_log",        "Log",                         "log",        None,     Navigate, &["5"]),
            Action::Down =>           row("down",            "next row",                    "down",       None,     Navigate, &["j", "down"]),
            Action::Up =>             row("up",              "previous row",                "up",         None,     Navigate, &["k", "up"]),
            Action::FocusNext =>      row("focus_next",      "next panel / hub",            "focus",      None,     Navigate, &["l", "right"]),
            Action::FocusPrev =>      row("focus_prev",      "previous panel / hub",        "focus",      None,     Navigate, &["h", "left"]),
            Action::Details =>        row("details",         "details of the row",          "details",    None,     Navigate, &["enter"]),
            Action::PauseResume =>    row("pause",           "pause/resume drop (confirm)", "pause",      Some(2),  Operate,  &["p"]).writing(Marketplace),
            Action::BandPicker =>     row("band",            "price band picker (confirm)", "band",       Some(3),  Operate,  &["b"]).writing(Marketplace),
            Action::Acknowledge =>    row("ack",             "acknowledge alert",           "ack",        Some(4),  Operate,  &["a"]).writing(SharedBoard),
            Action::Silence =>        row("silence",         "silence 15m/1h/4h/off",       "silence",    Some(5),  Operate,  &["s"]).writing(SharedBoard),
            Action::Filter =>         row("filter",          "filter the table",            "filter",     Some(6),  Display,  &["/"]),
            Action::Clear =>          row("clear",           "clear filter / close",        "clear",      None,     Display,  &["esc"]),
            Action::SortTriage =>     row("sort",            "sort: age/hub/stage/reason",  "sort",       None,     Display,  &["o"]),
            Action::CommandLine =>    row("command",         "command line",                "cmd",        Some(7),  Operate,  &[":"]),
            Action::Freeze =>         row("freeze",          "freeze the display",          "freeze",     Some(8),  Display,  &["f"]),
            Action::PollNow =>        row("poll_now",        "poll all feeds now",          "poll",       Some(9),  Operate,  &["r"]),
            Action::Quit =>           row("quit",            "quit",                        "quit",       Some(10), Display,  &["q"]),
            Action::ForceQuit =>      row("force_quit",      "quit (from anywhere)",        "quit",       None,     Display,  &["ctrl-c"]).in_scope(Everywhere),
            Action::DialogConfirm =>  row("confirm",         "send what the dialog says",   "confirms",   None,     Dialog,   &["y", "Y"]).in_scope(Scope::Dialog),
            Action::DialogSwitch =>   row("switch_button",   "Cancel / Confirm",            "choose",     None,     Dialog,   &["left", "right", "tab", "shift-tab", "h", "l"]).in_scope(Scope::Dialog),
            Action::DialogPress =>    row("press_button",    "press the focused button",    "presses",    None,     Dialog,   &["enter"]).in_scope(Scope::Dialog),
            Action::LineSubmit =>     row("line_submit",     "run / keep what was typed",   "runs",       None,     TextLine, &["enter"]).in_scope(Scope::TextLine),
            Action::LineCancel =>     row("line_cancel",     "leave the text line",         "cancels",    None,     TextLine, &["esc"]).in_scope(Scope::TextLine),
            Action::LineErase =>      row("line_erase",      "erase a character",           "erases",     None,     TextLine, &["backspace"]).in_scope(Scope::TextLine),
            Action::LineComplete =>   row("line_complete",   "complete command / drop / band", "completes", None,   TextLine, &["tab"]).in_scope(Scope::TextLine),
        }
    }

    /// What the action changes beyond the person's screen.
    #[must_use]
    pub fn writes(self) -> Writes {
        self.spec().writes
    }

    /// The action's name in the `[keys]` config section.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What the action does, as the help overlay says it.
    #[must_use]
    pub fn description(self) -> &'static str {
        self.spec().description
    }

    /// The few words of the status-bar hint (`p pause`).
    #[must_use]
    pub fn hint(self) -> &'static str {
        self.spec().hint
    }

    /// The help section the action is listed under.
    #[must_use]
    pub fn group(self) -> Group {
        self.spec().group
    }

    /// Where the action's keys work.
    #[must_use]
    pub fn scope(self) -> Scope {
        self.spec().scope
    }

    /// The actions the status bar hints, in its order.
    #[must_use]
    pub fn hinted() -> Vec<Action> {
        let mut hinted: Vec<(u8, Action)> = Action::ALL
            .into_iter()
            .filter_map(|a| a.spec().bar.map(|rank| (rank, a)))
            .collect();
        hinted.sort_unstable();
        hinted.into_iter().map(|(_, a)| a).collect()
    }

    /// The action with this config name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The keys the action has when the config says nothing about it.
    fn default_keys(self) -> &'static [&'static str] {
        self.spec().keys
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
    /// A `[keys]` entry names no action; holds the name as written.
    #[error("[keys]: `{0}` is not an action; the actions are: {names}", names = action_names())]
    UnknownAction(String),
    /// A key of an action's list could not be read.
    #[error("[keys] {action}: {source}")]
    BadKey {
        /// The action whose key list holds it.
        action: String,
        /// What is wrong with the key.
        #[source]
        source: KeyParseError,
    },
    #[error(
        "[keys]: {key} is bound to both `{first}` and `{second}`; give one of them another key"
    )]
    /// One key bound to two actions that can meet in the same place.
    Duplicate {
        /// The key, written as the help writes keys.
        key: String,
        /// The action that comes first in `Action::ALL`.
        first: &'static str,
        /// The other action.
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
                if let Some((_, first)) = seen
                    .iter()
                    .find(|(k, a)| k == key && *a != action && a.scope().meets(action.scope()))
                {
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

    /// The action a key event asks for on a screen, if any.
    #[must_use]
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        self.action_in(event, Scope::Screen)
    }

    /// The action a key event asks for in a dialog, if any.
    #[must_use]
    pub fn dialog_action_for(&self, event: &KeyEvent) -> Option<Action> {
        self.action_in(event, Scope::Dialog)
    }

    /// The action a key event asks for in a text line, if any (else it is a character typed).
    #[must_use]
    pub fn line_action_for(&self, event: &KeyEvent) -> Option<Action> {
        self.action_in(event, Scope::TextLine)
    }

    fn action_in(&self, event: &KeyEvent, scope: Scope) -> Option<Action> {
        let chord = KeyChord::from_event(event);
        self.bindings
            .iter()
            .filter(|(action, _)| action.scope().meets(scope))
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

    /// The first `count` keys of an action (`Left/Right`), for a dialog's footer.
    #[must_use]
    pub fn some_keys_text(&self, action: Action, count: usize) -> String {
        let keys: Vec<String> = self
            .keys(action)
            .iter()
            .take(count)
            .map(ToString::to_string)
            .collect();
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
    fn every_action_has_a_hint_and_the_bar_has_no_gap() {
        for action in Action::ALL {
            let spec = action.spec();
            assert!(!spec.hint.trim().is_empty(), "{action} has no hint");
            assert!(
                !spec.description.trim().is_empty(),
                "{action} has no description"
            );
            assert!(!spec.keys.is_empty(), "{action} has no default key");
        }
        let mut ranks: Vec<u8> = Action::ALL.iter().filter_map(|a| a.spec().bar).collect();
        ranks.sort_unstable();
        let expected: Vec<u8> = (0..).take(ranks.len()).collect();
        assert_eq!(
            ranks, expected,
            "status-bar places are 0, 1, 2, … once each"
        );
        // ALL lists every action once: the spec match is exhaustive, ALL must be too.
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    #[test]
    fn dialog_keys_live_apart_from_screen_keys() {
        let keymap = Keymap::default();
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(keymap.action_for(&enter), Some(Action::Details));
        assert_eq!(keymap.dialog_action_for(&enter), Some(Action::DialogPress));
        let y = key(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(keymap.action_for(&y), None);
        assert_eq!(keymap.dialog_action_for(&y), Some(Action::DialogConfirm));
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.dialog_action_for(&ctrl_c), Some(Action::ForceQuit));
        // A dialog key bound to a screen action's key is fine; to another dialog key is not.
        let ok = BTreeMap::from([("confirm".to_owned(), "p".to_owned())]);
        assert!(Keymap::with_overrides(&ok).is_ok());
        let clash = BTreeMap::from([("confirm".to_owned(), "enter".to_owned())]);
        let text = Keymap::with_overrides(&clash)
            .expect_err("enter presses the button")
            .to_string();
        assert!(
            text.contains("confirm") && text.contains("press_button"),
            "{text}"
        );
        let everywhere = BTreeMap::from([("confirm".to_owned(), "ctrl-c".to_owned())]);
        assert!(Keymap::with_overrides(&everywhere).is_err());
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
