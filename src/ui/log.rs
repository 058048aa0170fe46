//! The Log view: the program's own log through tui-logger (the binary initialises the logger).

use ratatui::Frame;
use ratatui::layout::Rect;
use tui_logger::{TuiLoggerLevelOutput, TuiLoggerWidget};

use crate::app::State;

use super::panel;
use super::theme::{Theme, Tone};

/// Draws the log into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = panel::block("Log", None, state, theme, true);
    let widget = TuiLoggerWidget::default()
        .block(block)
        .output_separator(' ')
        .output_timestamp(Some("%H:%M:%S".to_owned()))
        .output_level(Some(TuiLoggerLevelOutput::Abbreviated))
        .output_target(true)
        .output_file(false)
        .output_line(false)
        .style_error(theme.tone(Tone::Bad))
        .style_warn(theme.tone(Tone::Warn))
        .style_info(theme.tone(Tone::Normal))
        .style_debug(theme.tone(Tone::Dim))
        .style_trace(theme.tone(Tone::Dim));
    frame.render_widget(widget, area);
}
