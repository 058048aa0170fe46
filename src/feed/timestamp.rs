//! Reading the feeds' RFC 3339 timestamps quickly.
//!
//! A hubs document at ten times a busy day carries 100,000 timestamps (two per listed overdue
//! order); chrono's general parser spends most of the document's decoding time on them. The
//! feeds write one shape, `2026-11-27T17:40:00Z` (optionally with a fraction and a numeric
//! offset), so that shape is read here directly, and everything else — lower-case `t`, a space
//! for the `T`, `UTC`, a leap second, more than nine fraction digits, an out-of-range field —
//! goes to chrono's own parser exactly as before. So the accepted inputs, the instants they
//! mean and the error texts are chrono's; the tests below compare the two on generated input.

use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Deserializer;
use serde::de::{self, Visitor};

/// Parses an RFC 3339 timestamp as chrono's `str::parse::<DateTime<Utc>>` does (same inputs
/// accepted, same instant, same error).
///
/// # Errors
/// chrono's [`chrono::ParseError`] when the text is not a timestamp chrono accepts.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match parse_common(text.as_bytes()) {
        Some(at) => Ok(at),
        None => text.parse(),
    }
}

/// `deserialize_with` for a `DateTime<Utc>` field: what chrono's `Deserialize` does (a string,
/// the same "expected" text for anything else), through [`parse`].
///
/// # Errors
/// When the value is not a string chrono reads as a timestamp.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(TimestampVisitor)
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        // chrono's own wording, so a decode error reads as it did.
        formatter.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        parse(value).map_err(E::custom)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` with every field in range; `None` for any other
/// text (which may still be valid: the caller then asks chrono).
fn parse_common(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    // A leap second (60) has chrono's own rules; leave it to chrono.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nano = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 || count > 9 {
            return None;
        }
        nano = digits(&fraction[..count])? * 10_u32.pow(9 - u32::try_from(count).ok()?);
        rest = &fraction[count..];
    }
    let offset_seconds = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let local =
        NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(hour, minute, second, nano)?;
    let utc = local.checked_sub_signed(TimeDelta::seconds(offset_seconds))?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// The value of a run of ASCII digits (at most nine); `None` if any byte is not a digit.
fn digits(run: &[u8]) -> Option<u32> {
    run.iter().try_fold(0_u32, |value, &c| {
        c.is_ascii_digit().then(|| value * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// chrono's answer, the reference.
    fn chrono(text: &str) -> Result<DateTime<Utc>, String> {
        text.parse::<DateTime<Utc>>().map_err(|e| e.to_string())
    }

    fn ours(text: &str) -> Result<DateTime<Utc>, String> {
        parse(text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_feeds_shapes_are_read_directly_and_agree_with_chrono() {
        for text in [
            "2026-11-27T17:40:00Z",
            "2026-11-27T17:40:00.5Z",
            "2026-11-27T17:40:00.123456789Z",
            "2026-11-27T17:40:00+02:00",
            "2026-11-27T17:40:00-05:30",
            "2026-11-27T00:30:00+23:59",
            "2026-01-01T00:00:00+01:00",
            "2024-02-29T23:59:59.000000001-00:00",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-23:59",
        ] {
            let direct = parse_common(text.as_bytes());
            assert!(direct.is_some(), "{text} takes the direct path");
            assert_eq!(direct.ok_or(()), chrono(text).map_err(|_| ()), "{text}");
        }
    }

    #[test]
    fn other_valid_shapes_still_parse_through_chrono() {
        for text in [
            "2026-11-27t17:40:00z",
            "2026-11-27 17:40:00Z",
            "2026-11-27T17:40:00 UTC",
            "2026-11-27T17:40:00utc",
            "2026-11-27T17:40:00+0200",
            "2026-11-27T17:40:00+02",
            "2026-11-27T17:40:00−02:00",
            "2026-11-27T17:40:00.1234567891234Z",
            "2026-12-31T23:59:60Z",
            "+2026-11-27T17:40:00Z",
            "2026-11-27T17:40:00Z ",
        ] {
            assert!(parse_common(text.as_bytes()).is_none(), "{text}");
            assert_eq!(ours(text), chrono(text), "{text}");
        }
    }

    #[test]
    fn invalid_text_is_refused_with_chrono_s_error() {
        for text in [
            "",
            "2026",
            "2026-11-27",
            "2026-11-27T17:40:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T17:60:00Z",
            "2026-11-27T17:40:61Z",
            "2026-11-27T17:40:00.Z",
            "2026-11-27T17:40:00+24:00",
            "2026-11-27T17:40:00+02:60",
            "2026-11-27T17:40:00+2:00",
            "2026-11-27T17:40:00Zjunk",
            "2026-11-27X17:40:00Z",
            "2026-11-27T17:40:00.+01:00",
            "２026-11-27T17:40:00Z",
            "2026-11-27T17:40:00.12a45Z",
        ] {
            assert!(ours(text).is_err(), "{text} is refused");
            assert_eq!(ours(text), chrono(text), "{text}");
        }
    }

    #[test]
    fn a_document_field_decodes_and_fails_as_chrono_s_deserialize_did() {
        #[derive(serde::Deserialize)]
        struct Ours {
            #[serde(deserialize_with = "deserialize")]
            at: DateTime<Utc>,
        }
        #[derive(serde::Deserialize)]
        struct Chrono {
            at: DateTime<Utc>,
        }
        for body in [
            r#"{"at": "2026-11-27T17:40:00Z"}"#,
            r#"{"at": "2026-11-27T17:40:00+02:00"}"#,
            r#"{"at": "2026\u002d11-27T17:40:00Z"}"#,
            r#"{"at": "2026-11-27T25:40:00Z"}"#,
            r#"{"at": 1764265200}"#,
            r#"{"at": null}"#,
            r#"{"at": ["2026-11-27T17:40:00Z"]}"#,
        ] {
            let ours = serde_json::from_str::<Ours>(body).map(|v| v.at);
            let theirs = serde_json::from_str::<Chrono>(body).map(|v| v.at);
            assert_eq!(
                ours.map_err(|e| e.to_string()),
                theirs.map_err(|e| e.to_string()),
                "{body}"
            );
        }
    }

    /// Text close to the feeds' shape: every field drawn from a range a little wider than the
    /// valid one, optional fraction, every offset form, then a few bytes changed.
    fn near_timestamps() -> impl Strategy<Value = String> {
        let fraction = prop_oneof![Just(String::new()), Just(".".to_owned()), "\\.[0-9]{1,12}",];
        let offset = prop_oneof![
            Just("Z".to_owned()),
            Just("z".to_owned()),
            Just(String::new()),
            Just(" UTC".to_owned()),
            "[+-][0-2][0-9]:[0-6][0-9]",
            "[+-][0-9]{2}[0-9]{2}",
            "[+-][0-9]{1,3}",
        ];
        let separator = prop_oneof![Just('T'), Just('t'), Just(' '), Just('X')];
        (
            (0_u32..10_000, 0_u32..14, 0_u32..33, separator),
            (0_u32..26, 0_u32..62, 0_u32..62, fraction, offset),
            proptest::collection::vec((any::<usize>(), any::<u8>(), 0_u8..4), 0..3),
        )
            .prop_map(|((y, mo, d, sep), (h, mi, s, frac, off), edits)| {
                let text = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{off}");
                let mut bytes = text.into_bytes();
                for (position, byte, op) in edits {
                    if bytes.is_empty() {
                        break;
                    }
                    let at = position % bytes.len();
                    match op {
                        0 => bytes[at] = byte,
                        1 => bytes.insert(at, byte),
                        2 => {
                            bytes.remove(at);
                        }
                        _ => {}
                    }
                }
                String::from_utf8_lossy(&bytes).into_owned()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn agrees_with_chrono_near_the_feeds_shape(text in near_timestamps()) {
            prop_assert_eq!(ours(&text), chrono(&text), "{:?}", text);
        }

        #[test]
        fn agrees_with_chrono_on_any_text(text in "\\PC{0,40}") {
            prop_assert_eq!(ours(&text), chrono(&text), "{:?}", text);
        }

        #[test]
        fn agrees_with_chrono_on_every_instant(
            seconds in -62_135_596_800_i64..253_402_300_799,
            nano in 0_u32..1_000_000_000,
            offset_minutes in -1439_i32..1440,
            digits in 0_usize..10,
        ) {
            let at = DateTime::from_timestamp(seconds, nano).expect("in range");
            let offset = chrono::FixedOffset::east_opt(offset_minutes * 60).expect("in range");
            let local = at.with_timezone(&offset);
            let fraction = match digits {
                0 => String::new(),
                n => format!(".{:09}", local.timestamp_subsec_nanos())[..=n].to_owned(),
            };
            let text = format!(
                "{}{fraction}{}",
                local.format("%Y-%m-%dT%H:%M:%S"),
                if offset_minutes == 0 { "Z".to_owned() } else { local.format("%:z").to_string() }
            );
            prop_assert_eq!(ours(&text), chrono(&text), "{:?}", text);
            // Four-digit years take the direct path; others (year 10000 after an offset) not.
            let four_digits = (0..=9999).contains(&chrono::Datelike::year(&local));
            prop_assert_eq!(parse_common(text.as_bytes()).is_some(), four_digits, "{:?}", text);
        }
    }
}
