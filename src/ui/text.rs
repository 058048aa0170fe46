//! Times and durations as the screen shows them. Money and percentages come from
//! `model::money`; these are the clock-shaped figures.

use chrono::{DateTime, TimeDelta, Utc};

/// A countdown: `1:29:59` from an hour up, else `29:59`; negative durations show as `0:00`.
#[must_use]
pub fn countdown(remaining: TimeDelta) -> String {
    let total = remaining.num_seconds().max(0);
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

/// An age or a duration, two units at most: `5s`, `2m10s`, `1h05m`, `3d02h`.
#[must_use]
pub fn age(elapsed: TimeDelta) -> String {
    let total = elapsed.num_seconds().max(0);
    let (days, hours, minutes, seconds) = (
        total / 86_400,
        total % 86_400 / 3600,
        total % 3600 / 60,
        total % 60,
    );
    if days > 0 {
        format!("{days}d{hours:02}h")
    } else if hours > 0 {
        format!("{hours}h{minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m{seconds:02}s")
    } else {
        format!("{seconds}s")
    }
}

/// An age that changes rarely: `0s`, `10s` … `50s` (10-second steps), then whole minutes
/// (`7m`), then as [`age`] (`1h05m`). For ages drawn on many rows at once (the alerts), where
/// a figure ticking every second on each row is most of what a frame sends to the terminal
/// and says little more.
#[must_use]
pub fn coarse_age(elapsed: TimeDelta) -> String {
    let total = elapsed.num_seconds().max(0);
    if total < 60 {
        format!("{}s", total - total % 10)
    } else if total < 3600 {
        format!("{}m", total / 60)
    } else {
        age(elapsed)
    }
}

/// Wall-clock time of day in UTC: `18:00:05`.
#[must_use]
pub fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M:%S").to_string()
}

/// Wall-clock time of day in UTC without seconds: `18:38`.
#[must_use]
pub fn clock_hm(at: DateTime<Utc>) -> String {
    at.format("%H:%M").to_string()
}

/// A signed skew in seconds with one decimal: `+1.2s`, `-0.4s`.
#[must_use]
pub fn skew(seconds: f64) -> String {
    if seconds.abs() < 100.0 {
        return format!("{seconds:+.1}s");
    }
    // A clock off by minutes or hours reads as such, not as `-53940.3s`.
    let sign = if seconds < 0.0 { '-' } else { '+' };
    // Rounded to whole seconds for display; no real skew overflows.
    #[allow(clippy::cast_possible_truncation)]
    let total = seconds.abs().round() as i64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{sign}{h}h{m:02}m")
    } else {
        format!("{sign}{m}m{s:02}s")
    }
}

/// A rate with one decimal: `12.5/min`.
#[must_use]
pub fn per_minute(rate: Option<f64>, none: &str) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{r:.1}/min"),
        _ => none.to_owned(),
    }
}

/// `text` cut to `width` characters, ending in `ellipsis` when cut.
#[must_use]
pub fn fit(text: &str, width: usize, ellipsis: &str) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(ellipsis.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    if width > 0 {
        out.push_str(ellipsis);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_and_ages() {
        let cases: &[(i64, &str, &str)] = &[
            (0, "0:00", "0s"),
            (5, "0:05", "5s"),
            (130, "2:10", "2m10s"),
            (5400, "1:30:00", "1h30m"),
            (90_061, "25:01:01", "1d01h"),
            (-30, "0:00", "0s"),
        ];
        for &(seconds, expected_countdown, expected_age) in cases {
            let delta = TimeDelta::seconds(seconds);
            assert_eq!(countdown(delta), expected_countdown, "{seconds}");
            assert_eq!(age(delta), expected_age, "{seconds}");
        }
    }

    #[test]
    fn coarse_ages_change_rarely() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (9, "0s"),
            (10, "10s"),
            (59, "50s"),
            (60, "1m"),
            (3599, "59m"),
            (3600, "1h00m"),
            (-5, "0s"),
        ];
        for &(seconds, expected) in cases {
            assert_eq!(
                coarse_age(TimeDelta::seconds(seconds)),
                expected,
                "{seconds}"
            );
        }
    }

    #[test]
    fn fits_text() {
        assert_eq!(fit("hoodie-01", 20, "…"), "hoodie-01");
        assert_eq!(fit("Midnight Hoodie", 8, "…"), "Midnigh…");
        assert_eq!(fit("Midnight Hoodie", 8, "~"), "Midnigh~");
        assert_eq!(fit("abc", 0, "…"), "");
        assert_eq!(skew(1.234), "+1.2s");
        assert_eq!(skew(-99.94), "-99.9s");
        assert_eq!(skew(-53_940.3), "-14h59m");
        assert_eq!(skew(3600.0), "+1h00m");
        assert_eq!(skew(125.0), "+2m05s");
        assert_eq!(per_minute(Some(2.0), "—"), "2.0/min");
        assert_eq!(per_minute(None, "—"), "—");
    }
}
