//! A recording as a source of the room's own events: each document, 304 and failed poll is
//! the poll report the live room received (decoded the same way), each acknowledgement,
//! silence and control action a [`Replayed`] event, and a tick every second of the recording's
//! clock between them, as the live loop ticks. A replay feeds these to the same `update`.

use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};

use crate::app::Event;
use crate::app::audit::Operator;
use crate::app::ledger::{ActionEntry, ActionStatus};
use crate::app::replayed::Replayed;
use crate::feed::events::{ControlAction, ControlRequest};
use crate::model::format::Zone;

use super::format::{Entry, RecordedAction};
use super::reader::Recording;

/// One event of the recording, at the local instant it reached the live room.
#[derive(Debug, Clone)]
pub struct Cue {
    /// Local clock of the recording.
    pub at: DateTime<Utc>,
    /// What reached the room.
    pub event: Event,
}

/// Every event of a recording in order, and where a player stands in it.
#[derive(Debug, Clone)]
pub struct Player {
    cues: Vec<Cue>,
    /// Index of the next cue to play.
    next: usize,
    /// The recording's clock: everything up to here has been played.
    clock: DateTime<Utc>,
    /// The next whole-second tick.
    next_tick: DateTime<Utc>,
    /// The recording's first instant.
    start: DateTime<Utc>,
    /// `(as_of, local instant)` of every document, in local order: the recording's own
    /// mapping between server and local time.
    anchors: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Player {
    /// A player at the start of `recording`.
    #[must_use]
    pub fn new(recording: &Recording) -> Player {
        let mut cues: Vec<Cue> = recording
            .entries()
            .filter_map(|entry| {
                let event = event_of(entry)?;
                Some(Cue {
                    at: entry.at(),
                    event,
                })
            })
            .collect();
        // Feeds answer concurrently; their reports reach the room in arrival order, which is
        // the file's order up to a few microseconds. A stable sort keeps that order for equal
        // instants and makes seeking a binary search.
        cues.sort_by_key(|cue| cue.at);
        let start = cues
            .first()
            .map_or(recording.header().started_at, |c| c.at)
            .min(recording.header().started_at);
        let anchors = cues
            .iter()
            .filter_map(|cue| match &cue.event {
                Event::Poll(report) => document_as_of(&report.outcome).map(|as_of| (as_of, cue.at)),
                _ => None,
            })
            .collect();
        Player {
            anchors,
            cues,
            next: 0,
            clock: start,
            next_tick: start + TimeDelta::seconds(1),
            start,
        }
    }

    /// The recording's first instant.
    #[must_use]
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// Back to the start (the room must be fresh too).
    pub fn rewind(&mut self) {
        self.next = 0;
        self.clock = self.start;
        self.next_tick = self.start + TimeDelta::seconds(1);
    }

    /// The recording's last instant.
    #[must_use]
    pub fn end(&self) -> DateTime<Utc> {
        self.cues.last().map_or(self.clock, |c| c.at)
    }

    /// Where the player stands on the recording's clock.
    #[must_use]
    pub fn clock(&self) -> DateTime<Utc> {
        self.clock
    }

    /// The first server time the recording shows (its first document's `as_of`).
    #[must_use]
    pub fn server_start(&self) -> Option<DateTime<Utc>> {
        self.anchors.iter().map(|(as_of, _)| *as_of).min()
    }

    /// The local instant the room first showed server time `server` (the first document as
    /// of it or later); the recording's end when it never did.
    #[must_use]
    pub fn local_of_server(&self, server: DateTime<Utc>) -> DateTime<Utc> {
        self.anchors
            .iter()
            .find(|(as_of, _)| *as_of >= server)
            .map_or(self.end(), |(_, local)| *local)
    }

    /// The local instant `--from`/`g` mean by `text`: RFC 3339, or `HH:MM` in `zone` (the
    /// configured `ui.timezone`, which the header names) on the day the recording starts there,
    /// as server time; or `+DURATION` after the recording's first document.
    ///
    /// # Errors
    /// Text that is none of those, or a time of day the zone skips (a daylight-saving change),
    /// in words.
    pub fn moment(&self, text: &str, zone: Zone) -> Result<DateTime<Utc>, String> {
        let text = text.trim();
        let first = self.server_start().unwrap_or(self.start);
        let server = if let Some(offset) = text.strip_prefix('+') {
            let duration = humantime::parse_duration(offset)
                .map_err(|e| format!("`{text}`: {e} (e.g. +1h30m)"))?;
            first + TimeDelta::from_std(duration).map_err(|e| e.to_string())?
        } else if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            at.with_timezone(&Utc)
        } else if let Ok(time) = chrono::NaiveTime::parse_from_str(text, "%H:%M") {
            time_of_day_in(zone, first, time)
                .ok_or_else(|| format!("`{text}` does not exist in {zone} that day"))?
        } else {
            return Err(format!(
                "`{text}` is not a time: give RFC 3339 (2026-11-27T18:05:00Z), HH:MM ({zone}) or +DURATION"
            ));
        };
        Ok(self.local_of_server(server))
    }

    /// Whether every cue has been played.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.next >= self.cues.len()
    }

    /// The events from the player's clock up to `to` (inclusive), each with the local instant
    /// to apply it at, ticks included; the clock moves to `to`. Moving backwards plays nothing
    /// (rebuild the room and start a new player to go back).
    pub fn advance(&mut self, to: DateTime<Utc>) -> Vec<(Event, DateTime<Utc>)> {
        let mut out = Vec::new();
        while self.next < self.cues.len() && self.cues[self.next].at <= to {
            let cue = &self.cues[self.next];
            while self.next_tick <= cue.at {
                out.push((Event::Tick(self.next_tick), self.next_tick));
                self.next_tick += TimeDelta::seconds(1);
            }
            out.push((cue.event.clone(), cue.at));
            self.next += 1;
        }
        while self.next_tick <= to {
            out.push((Event::Tick(self.next_tick), self.next_tick));
            self.next_tick += TimeDelta::seconds(1);
        }
        if to > self.clock {
            self.clock = to;
        }
        out
    }
}

/// `time` of day in `zone` on the date `day` has there; the earlier of two when the clock goes
/// back, `None` when the zone skips it.
fn time_of_day_in(zone: Zone, day: DateTime<Utc>, time: NaiveTime) -> Option<DateTime<Utc>> {
    fn in_zone<Z: TimeZone>(
        zone: &Z,
        day: DateTime<Utc>,
        time: NaiveTime,
    ) -> Option<DateTime<Utc>> {
        let date = day.with_timezone(zone).date_naive();
        zone.from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    }
    match zone {
        Zone::Utc => in_zone(&Utc, day, time),
        Zone::Named(tz) => in_zone(&tz, day, time),
        Zone::Fixed(offset) => in_zone(&offset, day, time),
    }
}

fn document_as_of(outcome: &crate::feed::events::PollOutcome) -> Option<DateTime<Utc>> {
    use crate::feed::events::PollOutcome;
    match outcome {
        PollOutcome::Drops(doc) => Some(doc.as_of),
        PollOutcome::Hubs(doc) => Some(doc.as_of),
        PollOutcome::Popups(doc) => Some(doc.as_of),
        PollOutcome::NotModified | PollOutcome::Failed(_) => None,
    }
}

/// The room event a recording entry stands for; alert transitions and headers have none (the
/// room derives its alerts itself from the same documents).
#[must_use]
pub fn event_of(entry: &Entry) -> Option<Event> {
    match entry {
        Entry::Doc { .. } | Entry::Unchanged { .. } | Entry::Failed { .. } => {
            entry.to_poll().map(Event::Poll)
        }
        Entry::Ack {
            at,
            kind,
            subject,
            by,
        } => Some(Event::Replayed(Replayed::Ack {
            kind: *kind,
            subject: subject.clone(),
            by: by.clone(),
            at: *at,
        })),
        Entry::Silence {
            at,
            kind,
            subject,
            until,
            by,
        } => Some(Event::Replayed(Replayed::Silence {
            kind: *kind,
            subject: subject.clone(),
            until: *until,
            by: by.clone(),
            at: *at,
        })),
        Entry::Action(action) => Some(Event::Replayed(Replayed::Action(Box::new(ledger_entry(
            action,
        ))))),
        Entry::Header(_) | Entry::Alert(_) => None,
    }
}

/// The Actions view's entry of a recorded action.
fn ledger_entry(action: &RecordedAction) -> ActionEntry {
    let sent = action.at - TimeDelta::milliseconds(action.latency_ms.max(0));
    let band = action
        .parameters
        .get("band")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let control = match action.action.as_str() {
        "pause" => ControlAction::Pause,
        "resume" => ControlAction::Resume,
        _ => ControlAction::SetBand(band.to_owned()),
    };
    let detail = action.detail.clone().unwrap_or_default();
    let status = match action.outcome.as_str() {
        "applied" => ActionStatus::Applied,
        "refused" => {
            let (code, message) = detail
                .split_once(": ")
                .map_or((detail.as_str(), ""), |(c, m)| (c, m));
            ActionStatus::Refused {
                status: 0,
                code: code.to_owned(),
                message: message.to_owned(),
            }
        }
        _ => ActionStatus::Unknown { reason: detail },
    };
    ActionEntry {
        request: ControlRequest {
            action_id: 0,
            drop_id: action.drop.clone(),
            action: control,
            idempotency_key: "replay".to_owned(),
        },
        operator: Operator {
            key_name: Some(action.who.clone()),
            ..Operator::default()
        },
        confirmed_at: sent,
        status,
        attempts: action.attempts,
        first_sent_at: Some(sent),
        last_received_at: Some(action.at),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, Utc};

    use super::Player;
    use crate::model::format::Zone;
    use crate::record::format::{Entry, FORMAT_VERSION, Header};
    use crate::record::reader::{Recording, Segment};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    /// A recording of a marketplace document a minute from 17:00 UTC to 18:00 UTC, received
    /// (local clock) a day later than its server time, so the two clocks cannot be confused.
    fn player() -> Player {
        let server = at("2026-11-27T17:00:00Z");
        let local = at("2026-11-28T09:00:00Z");
        let entries = (0..=60)
            .map(|minute| {
                let as_of = server + TimeDelta::minutes(minute);
                Entry::Doc {
                    feed: "marketplace".to_owned(),
                    sent_at: local + TimeDelta::minutes(minute),
                    received_at: local + TimeDelta::minutes(minute),
                    status: 200,
                    body: format!("{{\"as_of\":\"{}\",\"drops\":[]}}", as_of.to_rfc3339()),
                }
            })
            .collect();
        Player::new(&Recording {
            segments: vec![Segment {
                header: Header {
                    format: FORMAT_VERSION,
                    dropday: "test".to_owned(),
                    environment: "test".to_owned(),
                    feeds: Vec::new(),
                    started_at: local,
                    clock_rate: 1.0,
                    command: "run".to_owned(),
                },
                entries,
            }],
            ..Recording::default()
        })
    }

    #[test]
    fn hh_mm_is_read_in_the_configured_zone() {
        let player = player();
        let berlin: Zone = "Europe/Berlin".parse().expect("zone");
        let new_york: Zone = "America/New_York".parse().expect("zone");
        // 17:30 UTC is 18:30 in Berlin and 12:30 in New York (both in standard time).
        let wanted = at("2026-11-28T09:30:00Z");
        assert_eq!(player.moment("17:30", Zone::Utc), Ok(wanted));
        assert_eq!(player.moment("18:30", berlin), Ok(wanted));
        assert_eq!(player.moment("12:30", new_york), Ok(wanted));
        // The same time of day in another zone is another instant.
        assert_ne!(player.moment("17:30", berlin), Ok(wanted));
        // RFC 3339 and +DURATION do not depend on the zone.
        for zone in [Zone::Utc, berlin, new_york] {
            assert_eq!(player.moment("2026-11-27T18:30:00+01:00", zone), Ok(wanted));
            assert_eq!(player.moment("+30m", zone), Ok(wanted));
        }
    }

    #[test]
    fn a_time_that_is_not_one_names_the_zone() {
        let berlin: Zone = "Europe/Berlin".parse().expect("zone");
        let error = player()
            .moment("half past six", berlin)
            .expect_err("refused");
        assert!(error.contains("HH:MM (Europe/Berlin)"), "{error}");
    }
}
