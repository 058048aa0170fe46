//! Estimates as text: a settled figure plainly (`6.1/min`), an unsettled one as an estimate
//! with its 90 % range (`~6/min (0–35)`, `runs out 00:31–00:38`), nothing to go on as
//! `measuring… (4 s)`.

use chrono::{DateTime, Utc};

use super::time::{Zone, clock_in};
use crate::model::estimate::Estimate;

/// A number short enough for a range: one decimal below 10 (without a trailing `.0`), whole
/// above.
#[must_use]
pub fn short_number(value: f64) -> String {
    if !value.is_finite() {
        return "?".to_owned();
    }
    if value.abs() < 10.0 {
        let text = format!("{value:.1}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
    } else {
        format!("{value:.0}")
    }
}

/// `measuring… (4 s)`: no figure yet, with the seconds of evidence gathered so far.
#[must_use]
pub fn measuring(evidence_s: Option<i64>) -> String {
    match evidence_s {
        Some(s) => format!("measuring… ({} s)", s.max(0)),
        None => "measuring…".to_owned(),
    }
}

/// A rate: `6.1/min` when settled within ±`settled_pct` %, else `~6/min (0–35)`;
/// `measuring… (N s)` without an estimate.
#[must_use]
pub fn rate(estimate: Option<Estimate>, settled_pct: f64, evidence_s: Option<i64>) -> String {
    match estimate {
        None => measuring(evidence_s),
        Some(e) if e.is_settled(settled_pct) => format!("{:.1}/min", e.point),
        Some(e) => format!(
            "~{}/min ({}–{})",
            short_number(e.point),
            short_number(e.low),
            short_number(e.high)
        ),
    }
}

/// A percentage: `4.1 %` when settled, else `~4 % (2.5–7)`.
#[must_use]
pub fn percent_estimate(estimate: Option<Estimate>, settled_pct: f64) -> String {
    match estimate {
        None => "—".to_owned(),
        Some(e) if e.is_settled(settled_pct) => format!("{:.1} %", e.point),
        Some(e) => format!(
            "~{} % ({}–{})",
            short_number(e.point),
            short_number(e.low),
            short_number(e.high)
        ),
    }
}

/// A count of units: `180` when settled, else `≈180 (120–240)`.
#[must_use]
pub fn units(estimate: Estimate, settled_pct: f64) -> String {
    if estimate.is_settled(settled_pct) {
        format!("{:.0}", estimate.point)
    } else {
        format!(
            "≈{:.0} ({:.0}–{:.0})",
            estimate.point, estimate.low, estimate.high
        )
    }
}

/// Whether a projected instant is settled: its range lies within ±`settled_pct` % of the time
/// until the point.
#[must_use]
pub fn instant_is_settled(
    now: DateTime<Utc>,
    point: DateTime<Utc>,
    earliest: Option<DateTime<Utc>>,
    latest: Option<DateTime<Utc>>,
    settled_pct: f64,
) -> bool {
    let (Some(earliest), Some(latest)) = (earliest, latest) else {
        return false;
    };
    let ahead = (point - now).num_seconds().max(0) as f64;
    let allowed = ahead * settled_pct / 100.0;
    let spread = |a: DateTime<Utc>, b: DateTime<Utc>| (a - b).num_seconds().abs() as f64;
    spread(point, earliest) <= allowed && spread(latest, point) <= allowed
}

/// A projected instant: `00:34` when settled, else its range `00:31–00:38` (`00:31–later` when
/// the latest end lies past the projection's horizon, e.g. a rate that may be 0).
#[must_use]
pub fn instant(
    now: DateTime<Utc>,
    point: DateTime<Utc>,
    earliest: Option<DateTime<Utc>>,
    latest: Option<DateTime<Utc>>,
    settled_pct: f64,
    zone: Zone,
) -> String {
    if instant_is_settled(now, point, earliest, latest, settled_pct) {
        return clock_in(point, zone, now);
    }
    instant_range(now, point, earliest, latest, zone)
}

/// A projected instant as an estimate, for a table read on its own (`status`): `00:34` when
/// settled, else the point marked as an estimate with its range, `~00:34 (00:31–00:38)`
/// (`~00:34 (00:31–later)`), as a rate reads `~6/min (0–35)`.
#[must_use]
pub fn instant_estimate(
    now: DateTime<Utc>,
    point: DateTime<Utc>,
    earliest: Option<DateTime<Utc>>,
    latest: Option<DateTime<Utc>>,
    settled_pct: f64,
    zone: Zone,
) -> String {
    let at = clock_in(point, zone, now);
    if instant_is_settled(now, point, earliest, latest, settled_pct) {
        return at;
    }
    format!(
        "~{at} ({})",
        instant_range(now, point, earliest, latest, zone)
    )
}

/// `00:31–00:38`: the range around `point` (`00:31–later` without a latest end).
fn instant_range(
    now: DateTime<Utc>,
    point: DateTime<Utc>,
    earliest: Option<DateTime<Utc>>,
    latest: Option<DateTime<Utc>>,
    zone: Zone,
) -> String {
    let from = clock_in(earliest.unwrap_or(point).min(point), zone, now);
    let to = latest.map_or_else(|| "later".to_owned(), |l| clock_in(l.max(point), zone, now));
    format!("{from}–{to}")
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn e(point: f64, low: f64, high: f64) -> Option<Estimate> {
        Estimate::new(point, low, high)
    }

    #[test]
    fn estimate_forms() {
        assert_eq!(rate(e(6.1, 5.8, 6.4), 25.0, Some(300)), "6.1/min");
        assert_eq!(rate(e(6.0, 0.0, 35.2), 25.0, Some(8)), "~6/min (0–35)");
        assert_eq!(
            rate(e(2.4, 0.36, 6.3), 25.0, Some(60)),
            "~2.4/min (0.4–6.3)"
        );
        assert_eq!(rate(None, 25.0, Some(4)), "measuring… (4 s)");
        assert_eq!(rate(None, 25.0, None), "measuring…");
        assert_eq!(percent_estimate(e(4.1, 4.0, 4.2), 25.0), "4.1 %");
        assert_eq!(percent_estimate(e(3.0, 0.5, 9.4), 25.0), "~3 % (0.5–9.4)");
        assert_eq!(
            units(
                Estimate {
                    point: 180.0,
                    low: 120.0,
                    high: 240.0
                },
                25.0
            ),
            "≈180 (120–240)"
        );
        let now = DateTime::parse_from_rfc3339("2026-11-27T00:00:00Z")
            .expect("ts")
            .with_timezone(&Utc);
        let at = |m: i64| now + TimeDelta::minutes(m);
        assert_eq!(
            instant(now, at(34), Some(at(31)), Some(at(38)), 25.0, Zone::Utc),
            "00:34"
        );
        assert_eq!(
            instant(now, at(34), Some(at(20)), Some(at(50)), 25.0, Zone::Utc),
            "00:20–00:50"
        );
        assert_eq!(
            instant(now, at(34), Some(at(20)), None, 25.0, Zone::Utc),
            "00:20–later"
        );
        assert_eq!(
            instant_estimate(now, at(34), Some(at(31)), Some(at(38)), 25.0, Zone::Utc),
            "00:34"
        );
        assert_eq!(
            instant_estimate(now, at(34), Some(at(20)), Some(at(50)), 25.0, Zone::Utc),
            "~00:34 (00:20–00:50)"
        );
        assert_eq!(
            instant_estimate(now, at(34), Some(at(20)), None, 25.0, Zone::Utc),
            "~00:34 (00:20–later)"
        );
    }
}
