//! What can be drawn over a view and takes the keys first: help, a confirmation dialog, the band
//! picker, the command line, the filter line.

use crate::feed::events::ControlAction;

/// An overlay and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The key table, generated from the keymap.
    Help,
    /// "Really do this?" before a control action is sent.
    Confirm(Confirm),
    /// The price bands of one drop, to choose the one to activate.
    BandPicker(BandPicker),
    /// `:` and the text typed so far.
    CommandLine(String),
    /// `/` and the filter typed so far (applied as it is typed).
    FilterInput(String),
    /// Everything known about the highlighted row of the current table.
    Details,
}

/// A control action waiting for the operator's yes. The dialog carries everything it shows, so
/// what is confirmed is exactly what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// Id of the drop the action changes.
    pub drop_id: String,
    /// The action to send on Confirm.
    pub action: ControlAction,
    /// The drop's title, when it has one.
    pub drop_title: Option<String>,
    /// The environment it runs in, named in the dialog so `prod` is never a surprise.
    pub environment: String,
    /// The change in words: `state live → paused`, `band A 65.00 USD, margin 63.1 % → band B …`.
    pub change: String,
    /// What follows from it, in words (`the storefront stops taking orders`).
    pub consequence: String,
    /// Which button Enter presses; Cancel unless the operator moved to Confirm.
    pub choice: Choice,
    /// In an environment of `ui.type_to_confirm`: what the operator has typed so far; the
    /// action is sent only when it is the drop id (GitHub style), and `y` is just a letter.
    pub typed: Option<String>,
}

/// The two buttons of a confirmation dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// Leave the drop as it is (the default button).
    #[default]
    Cancel,
    /// Send the action.
    Confirm,
}

impl Choice {
    /// The other button.
    #[must_use]
    pub fn toggled(self) -> Choice {
        match self {
            Choice::Cancel => Choice::Confirm,
            Choice::Confirm => Choice::Cancel,
        }
    }
}

/// The band picker of one drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandPicker {
    /// Id of the drop whose band is being picked.
    pub drop_id: String,
    /// Row of the highlighted band, in document order of `price_bands`.
    pub selected: usize,
}
