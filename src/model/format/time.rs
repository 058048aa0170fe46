//! Clock-shaped figures: countdowns, ages, times of day in the configured zone (with the day
//! when it is not today), relative times.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta, TimeZone, Utc};

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

/// Which clock times of day are shown in (`ui.timezone`). The machine's own zone
/// (`"local"`) is found by the config at start-up and arrives here as one of these: the model
/// reads no clock and no zone of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// UTC (the default): the same figures on every operator's screen and in `status`.
    #[default]
    Utc,
    /// An IANA zone (`Europe/Berlin`), from chrono-tz's compiled-in database.
    Named(chrono_tz::Tz),
    /// A fixed offset from UTC: a machine zone without a name (no daylight-saving changes).
    Fixed(FixedOffset),
}

impl FromStr for Zone {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "UTC" | "utc" | "Z" => Ok(Zone::Utc),
            name => name.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
                format!(
                    "`{name}` is not a time zone: use \"UTC\" or an IANA name such as \
                     \"Europe/Berlin\""
                )
            }),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Utc => f.write_str("UTC"),
            Zone::Named(tz) => f.write_str(tz.name()),
            Zone::Fixed(offset) => write!(f, "UTC{offset}"),
        }
    }
}

impl Zone {
    /// `at` in this zone, formatted with a chrono `pattern`; also its date, to tell today.
    fn show(self, at: DateTime<Utc>, pattern: &str) -> (String, chrono::NaiveDate) {
        match self {
            Zone::Utc => (at.format(pattern).to_string(), at.date_naive()),
            Zone::Named(tz) => {
                let named = tz.from_utc_datetime(&at.naive_utc());
                (named.format(pattern).to_string(), named.date_naive())
            }
            Zone::Fixed(offset) => {
                let fixed = at.with_timezone(&offset);
                (fixed.format(pattern).to_string(), fixed.date_naive())
            }
        }
    }

    /// The date of `at` in this zone.
    fn date(self, at: DateTime<Utc>) -> chrono::NaiveDate {
        self.show(at, "").1
    }
}

/// Time of day `HH:MM` in `zone`, with the weekday in front when it is not the same day as
/// `today` (`Tue 02:44`): a time tomorrow must not read as a time today.
#[must_use]
pub fn clock_in(at: DateTime<Utc>, zone: Zone, today: DateTime<Utc>) -> String {
    let (text, date) = zone.show(at, "%H:%M");
    if date == zone.date(today) {
        text
    } else {
        format!("{} {text}", date.weekday())
    }
}

/// Time of day with seconds (`18:00:05`) in `zone`, for the header's running clock.
#[must_use]
pub fn clock_s_in(at: DateTime<Utc>, zone: Zone) -> String {
    zone.show(at, "%H:%M:%S").0
}

/// How far ahead an instant is, coarsely, for a person who acts on it: `in 17m`, `in 2h05m`,
/// `now` once due.
#[must_use]
pub fn in_time(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let ahead = at - now;
    if ahead <= TimeDelta::zero() {
        "now".to_owned()
    } else if ahead < TimeDelta::minutes(1) {
        format!("in {}s", ahead.num_seconds())
    } else if ahead < TimeDelta::hours(1) {
        format!("in {}m", ahead.num_minutes())
    } else {
        format!("in {}", age(ahead))
    }
}

/// A countdown in words, for text that is read rather than watched (`status`): `1h 05m 09s`,
/// `12m 30s`, `45s`.
#[must_use]
pub fn countdown_words(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::t;

    #[test]
    fn clock_times_carry_their_day_and_zone() {
        let today = t("2026-11-27T18:00:00Z");
        assert_eq!(
            clock_in(t("2026-11-27T21:02:00Z"), Zone::Utc, today),
            "21:02"
        );
        assert_eq!(
            clock_in(t("2026-11-28T02:44:00Z"), Zone::Utc, today),
            "Sat 02:44"
        );
        let berlin: Zone = "Europe/Berlin".parse().expect("zone");
        // 23:30 UTC is 00:30 the next day in Berlin (UTC+1 in November).
        assert_eq!(
            clock_in(t("2026-11-27T23:30:00Z"), berlin, today),
            "Sat 00:30"
        );
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert_eq!("UTC".parse::<Zone>(), Ok(Zone::Utc));
        // "local" is the config's to resolve (config::local_zone), not the model's.
        assert!("local".parse::<Zone>().is_err());
        let plus_five_thirty = Zone::Fixed(FixedOffset::east_opt(5 * 3600 + 1800).expect("offset"));
        assert_eq!(plus_five_thirty.to_string(), "UTC+05:30");
        assert_eq!(
            clock_in(t("2026-11-27T19:00:00Z"), plus_five_thirty, today),
            "Sat 00:30"
        );
        assert_eq!(in_time(t("2026-11-27T18:17:30Z"), today), "in 17m");
        assert_eq!(in_time(t("2026-11-27T20:05:00Z"), today), "in 2h05m");
        assert_eq!(in_time(today, today), "now");
        assert_eq!(countdown_words(3909), "1h 05m 09s");
        assert_eq!(countdown_words(750), "12m 30s");
        assert_eq!(countdown_words(45), "45s");
        assert_eq!(countdown_words(-3), "0s");
    }

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
    fn skews_and_rates() {
        assert_eq!(skew(1.234), "+1.2s");
        assert_eq!(skew(-99.94), "-99.9s");
        assert_eq!(skew(-53_940.3), "-14h59m");
        assert_eq!(skew(3600.0), "+1h00m");
        assert_eq!(skew(125.0), "+2m05s");
        assert_eq!(per_minute(Some(2.0), "—"), "2.0/min");
        assert_eq!(per_minute(None, "—"), "—");
    }
}
