//! The `REPLAY` banner of `dropday replay`: drawn over the status line, so the room's views
//! keep their layout. It says that nothing is live, where the replay stands on the
//! recording's (server) clock, its speed, and the replay's own keys.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;

/// Where a replay stands, as the banner shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayBanner {
    /// Server time the room shows (the recording's clock).
    pub at: DateTime<Utc>,
    /// Recording seconds per real second.
    pub speed: f64,
    /// Paused with space.
    pub paused: bool,
    /// Share of the recording played, 0–100.
    pub progress_pct: f64,
    /// Every cue has been played.
    pub finished: bool,
    /// The time being typed after `g`, while typing.
    pub typing: Option<String>,
    /// Why the last `g` went nowhere.
    pub problem: Option<String>,
}

/// Draws the banner on the screen's last line.
pub fn render(frame: &mut Frame, banner: &ReplayBanner, theme: &Theme) {
    let area = frame.area();
    if area.height == 0 {
        return;
    }
    let line_area = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
    let strong = Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let state = if banner.finished {
        "end"
    } else if banner.paused {
        "paused"
    } else {
        "playing"
    };
    let mut spans = vec![
        Span::styled(" REPLAY ", strong),
        Span::raw(format!(
            " {} · {state} · x{} · {:.0} % ",
            banner.at.format("%Y-%m-%d %H:%M:%S UTC"),
            speed_text(banner.speed),
            banner.progress_pct
        )),
    ];
    if let Some(typing) = &banner.typing {
        spans.push(Span::styled(
            format!(" go to (RFC 3339, HH:MM or +1h30m): {typing}_ "),
            theme.key(),
        ));
    } else if let Some(problem) = &banner.problem {
        spans.push(Span::styled(format!(" {problem} "), theme.key()));
    } else {
        spans.push(Span::styled(
            " space pause  ←/→ ±1 min  [/] speed  g go to  q quit ",
            theme.key(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), line_area);
}

fn speed_text(speed: f64) -> String {
    if speed >= 1.0 {
        format!("{speed:.0}")
    } else {
        format!("{speed:.2}")
    }
}
