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
use crate::model::format::Zone;

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
            " {} {} · {state} · x{} · {:.0} % ",
            date_time_in(banner.at, theme.zone),
            theme.zone,
            speed_text(banner.speed),
            banner.progress_pct
        )),
    ];
    if let Some(typing) = &banner.typing {
        spans.push(Span::styled(
            format!(
                " go to (RFC 3339, HH:MM {}, +1h30m): {typing}_ ",
                theme.zone
            ),
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

/// `2026-11-27 18:05:00` in `zone` (the header's zone, `ui.timezone`).
fn date_time_in(at: DateTime<Utc>, zone: Zone) -> String {
    const PATTERN: &str = "%Y-%m-%d %H:%M:%S";
    match zone {
        Zone::Utc => at.format(PATTERN).to_string(),
        Zone::Named(tz) => at.with_timezone(&tz).format(PATTERN).to_string(),
        Zone::Fixed(offset) => at.with_timezone(&offset).format(PATTERN).to_string(),
    }
}

fn speed_text(speed: f64) -> String {
    if speed >= 1.0 {
        format!("{speed:.0}")
    } else {
        format!("{speed:.2}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::{ReplayBanner, render};
    use crate::app::ColorMode;
    use crate::ui::theme::Theme;

    #[test]
    fn the_banner_shows_the_recordings_clock_in_the_configured_zone() {
        let banner = ReplayBanner {
            at: DateTime::parse_from_rfc3339("2026-11-27T17:30:05Z")
                .expect("time")
                .with_timezone(&Utc),
            speed: 20.0,
            paused: false,
            progress_pct: 50.0,
            finished: false,
            typing: None,
            problem: None,
        };
        let theme =
            Theme::fixed(ColorMode::Never, true).with_zone("Europe/Berlin".parse().expect("zone"));
        let mut terminal = Terminal::new(TestBackend::new(100, 3)).expect("terminal");
        terminal
            .draw(|frame| render(frame, &banner, &theme))
            .expect("draw");
        let last: String = (0..100)
            .map(|x| terminal.backend().buffer()[(x, 2)].symbol().to_owned())
            .collect();
        assert!(
            last.contains("REPLAY  2026-11-27 18:30:05 Europe/Berlin · playing · x20 · 50 %"),
            "{last}"
        );
    }
}
