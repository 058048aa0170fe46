//! When to try a sink again: capped exponential backoff, the sink's `Retry-After` honoured
//! (capped too), and which answers are worth a retry at all.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The first wait after a failure; each further failure doubles it up to the cap.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);

/// What an answer means for the notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Taken (2xx).
    Delivered,
    /// Worth another try (timeout, connection failure, 5xx, 429), after the sink's
    /// `Retry-After` when it gave one.
    Retry {
        /// What the sink asked for, already capped.
        after: Option<Duration>,
    },
    /// Refused for good (another 4xx): retrying would send the same bad request again.
    Refused,
}

/// The verdict on an HTTP answer `status` with its `Retry-After` header, at local time `now`.
#[must_use]
pub fn judge(
    status: u16,
    retry_after: Option<&str>,
    now: DateTime<Utc>,
    max_retry_after: Duration,
) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        429 | 500..=599 => Verdict::Retry {
            after: retry_after
                .and_then(|text| parse_retry_after(text, now))
                .map(|d| d.min(max_retry_after)),
        },
        _ => Verdict::Refused,
    }
}

/// `Retry-After` as seconds or an HTTP date; a date in the past means now.
#[must_use]
pub fn parse_retry_after(text: &str, now: DateTime<Utc>) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(text).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// The wait before try number `failures + 1` after `failures` failures in a row:
/// 1 s, 2 s, 4 s, … capped at `cap`; the sink's own ask, when it made one, instead.
#[must_use]
pub fn wait_before_retry(failures: u32, asked: Option<Duration>, cap: Duration) -> Duration {
    if let Some(asked) = asked {
        return asked;
    }
    let doublings = failures.saturating_sub(1).min(20);
    FIRST_WAIT.saturating_mul(1u32 << doublings).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::outgoing::fixture::at;

    #[test]
    fn answers_are_judged_as_the_issue_says() {
        let now = at("2026-11-27T18:00:00Z");
        let cap = Duration::from_secs(120);
        assert_eq!(judge(202, None, now, cap), Verdict::Delivered);
        assert_eq!(judge(500, None, now, cap), Verdict::Retry { after: None });
        assert_eq!(
            judge(429, Some("7"), now, cap),
            Verdict::Retry {
                after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            judge(503, Some("Fri, 27 Nov 2026 18:01:00 GMT"), now, cap),
            Verdict::Retry {
                after: Some(Duration::from_secs(60))
            }
        );
        assert_eq!(
            judge(429, Some("86400"), now, cap),
            Verdict::Retry { after: Some(cap) }
        );
        assert_eq!(judge(400, Some("5"), now, cap), Verdict::Refused);
        assert_eq!(judge(404, None, now, cap), Verdict::Refused);
        assert_eq!(
            parse_retry_after("Fri, 27 Nov 2026 17:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_wait_doubles_up_to_its_cap() {
        let cap = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=7)
            .map(|n| wait_before_retry(n, None, cap).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(wait_before_retry(1000, None, cap), cap);
        assert_eq!(
            wait_before_retry(3, Some(Duration::from_secs(9)), cap),
            Duration::from_secs(9)
        );
    }
}
