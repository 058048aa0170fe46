//! Figures as text, shared by the room (`ui`) and `status`, so both print the same figure the
//! same way: times of day (in `ui.timezone`, with the day when not today), relative times,
//! countdowns and ages, percentages, money (always with its currency), and the estimate forms
//! (`~6/min (0–35)`, `measuring… (4 s)`, `runs out 00:31–00:38`). Pure functions: the instant
//! "now" is always an argument.

mod estimate;
mod time;

pub use estimate::{
    instant, instant_estimate, instant_is_settled, measuring, percent_estimate, rate, short_number,
    units,
};
pub use time::{
    Zone, age, clock, clock_hm, clock_in, clock_s_in, coarse_age, countdown, countdown_words,
    in_time, per_minute, skew,
};

pub use super::money::format_money as money;

/// A percentage with one decimal (`93.5 %`), `-` when there is no figure.
#[must_use]
pub fn percent(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or_else(|| "-".to_owned(), |v| format!("{v:.1} %"))
}

/// `HH:MM UTC`, for alert messages: they also reach logs and `status --json`, which are read
/// without the screen's zone.
#[must_use]
pub fn utc_hhmm(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%H:%M UTC").to_string()
}

/// An instant in an alert message: `21:15` when it is on the same UTC day as `now`, else with
/// its weekday (`Sat 12:17`); the message names the zone once.
#[must_use]
pub fn utc_clock(at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    clock_in(at, Zone::Utc, now)
}
