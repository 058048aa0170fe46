//! The format round-trips, a cut file reads up to its last whole frame, the lock holds, and
//! a path that cannot be written is refused at start.

use chrono::{DateTime, TimeDelta, Utc};

use super::format::{Entry, FORMAT_VERSION, FeedSource, Header};
use super::{RecordError, Recorder, Recording};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn header() -> Entry {
    Entry::Header(Header {
        format: FORMAT_VERSION,
        dropday: "test".to_owned(),
        environment: "test".to_owned(),
        feeds: vec![FeedSource {
            feed: "marketplace".to_owned(),
            url: "http://127.0.0.1:1/v1/drops".to_owned(),
        }],
        started_at: t0(),
        clock_rate: 1.0,
        command: "run".to_owned(),
    })
}

fn doc(n: i64) -> Entry {
    Entry::Doc {
        feed: "marketplace".to_owned(),
        sent_at: t0() + TimeDelta::seconds(n),
        received_at: t0() + TimeDelta::seconds(n),
        status: 200,
        body: format!(
            "{{\"as_of\":\"2026-11-27T18:00:{:02}Z\",\"drops\":[]}}",
            n % 60
        ),
    }
}

#[test]
fn entries_come_back_as_written_segment_by_segment() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("drop.rec");
    for _ in 0..2 {
        let recorder = Recorder::start(&path, &header()).expect("start");
        let handle = recorder.handle();
        for n in 0..5 {
            handle.write(doc(n));
        }
        let written = recorder.finish().expect("finish");
        assert_eq!(written.entries, 6);
    }
    let recording = Recording::read(&path).expect("read");
    assert_eq!(recording.segments.len(), 2);
    assert_eq!(recording.cut_bytes, 0);
    assert_eq!(
        recording.segments[1].entries,
        (0..5).map(doc).collect::<Vec<_>>()
    );
    assert_eq!(
        recording.segments[0].header,
        match header() {
            Entry::Header(h) => h,
            _ => unreachable!(),
        }
    );
}

#[test]
fn a_file_cut_mid_frame_reads_up_to_its_last_whole_frame_and_takes_appends() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("killed.rec");
    let recorder = Recorder::start(&path, &header()).expect("start");
    let handle = recorder.handle();
    handle.write(doc(1));
    handle.flush();
    let whole = std::fs::metadata(&path).expect("meta").len();
    for n in 2..40 {
        handle.write(doc(n));
    }
    recorder.finish().expect("finish");
    let full = std::fs::read(&path).expect("bytes");
    // SIGKILL in the middle of the last frame's write.
    let cut = usize::try_from(whole).expect("size") + (full.len() - whole as usize) / 2;
    std::fs::write(&path, &full[..cut]).expect("cut");
    let recording = Recording::read(&path).expect("still reads");
    assert_eq!(recording.segments[0].entries, vec![doc(1)]);
    assert!(recording.cut_bytes > 0);
    // The next start cuts the half frame away, so what it appends is read too.
    let recorder = Recorder::start(&path, &header()).expect("append");
    recorder.handle().write(doc(99));
    recorder.finish().expect("finish");
    let recording = Recording::read(&path).expect("reads");
    assert_eq!(recording.cut_bytes, 0);
    assert_eq!(recording.segments.len(), 2);
    assert_eq!(recording.segments[0].entries, vec![doc(1)]);
    assert_eq!(recording.segments[1].entries, vec![doc(99)]);
}

/// What a writer killed with SIGKILL leaves: its frame never ended, every flush before the
/// kill in the file, and perhaps part of the block it was writing.
#[test]
fn a_killed_writer_loses_only_what_came_after_its_last_flush() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("killed.rec");
    let recorder = Recorder::start(&path, &header()).expect("start");
    let handle = recorder.handle();
    for n in 0..30 {
        handle.write(doc(n));
        if n % 3 == 2 {
            handle.flush();
        }
    }
    let flushed = std::fs::read(&path).expect("bytes");
    for n in 30..35 {
        handle.write(doc(n));
    }
    handle.flush();
    let later = std::fs::read(&path).expect("bytes");
    recorder.finish().expect("finish");
    // One frame so far, not ended: no whole frame in the file.
    assert_eq!(super::frames::whole_frames_len(&flushed), 0);
    assert_eq!(super::frames::whole_frames_len(&later), 0);
    // Killed after 30 entries were flushed, while writing the next five: cut inside the
    // compressed block of the five.
    let cut = flushed.len() + (later.len() - flushed.len()) / 2;
    std::fs::write(&path, &later[..cut]).expect("kill");
    let recording = Recording::read(&path).expect("reads");
    assert_eq!(
        recording.segments[0].entries,
        (0..30).map(doc).collect::<Vec<_>>()
    );
    assert_eq!(recording.cut_bytes, cut - flushed.len());
    // The next start ends the frame after the 30, and appends after it.
    let recorder = Recorder::start(&path, &header()).expect("append");
    recorder.handle().write(doc(99));
    recorder.finish().expect("finish");
    let bytes = std::fs::read(&path).expect("bytes");
    assert_eq!(super::frames::whole_frames(&bytes).len(), 2);
    let recording = Recording::read(&path).expect("reads");
    assert_eq!(recording.cut_bytes, 0);
    assert_eq!(recording.skipped_lines, 0);
    assert_eq!(
        recording.segments[0].entries,
        (0..30).map(doc).collect::<Vec<_>>()
    );
    assert_eq!(recording.segments[1].entries, vec![doc(99)]);
}

#[test]
fn a_recording_being_written_reads_up_to_its_last_flush() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("live.rec");
    let recorder = Recorder::start(&path, &header()).expect("start");
    let handle = recorder.handle();
    handle.write(doc(1));
    handle.write(doc(2));
    handle.flush();
    handle.write(doc(3));
    let recording = Recording::read(&path).expect("reads");
    assert_eq!(recording.segments[0].entries, vec![doc(1), doc(2)]);
    assert_eq!(recording.cut_bytes, 0);
    let written = recorder.finish().expect("finish");
    assert_eq!((written.entries, written.frames), (4, 1));
    assert_eq!(
        Recording::read(&path).expect("reads").segments[0].entries,
        vec![doc(1), doc(2), doc(3)]
    );
}

/// Format 1 wrote one self-contained frame per flush; such files still read, and a format 2
/// start appends after them.
#[test]
fn a_format_1_file_still_reads_and_takes_appends() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.rec");
    let line = |entry: &Entry| {
        let mut json = serde_json::to_vec(entry).expect("json");
        json.push(b'\n');
        json
    };
    let mut old_header = header();
    if let Entry::Header(h) = &mut old_header {
        h.format = 1;
    }
    let mut bytes = zstd::bulk::compress(&line(&old_header), 6).expect("frame");
    let mut frame = line(&doc(1));
    frame.extend(line(&doc(2)));
    bytes.extend(zstd::bulk::compress(&frame, 6).expect("frame"));
    let whole = bytes.len();
    // A format 1 writer killed mid-frame.
    bytes.extend(&zstd::bulk::compress(&line(&doc(3)), 6).expect("frame")[..10]);
    std::fs::write(&path, &bytes).expect("write");
    let recording = Recording::read(&path).expect("reads");
    assert_eq!(recording.header().format, 1);
    assert_eq!(recording.segments[0].entries, vec![doc(1), doc(2)]);
    assert_eq!(recording.cut_bytes, 10);
    let recorder = Recorder::start(&path, &header()).expect("append");
    recorder.handle().write(doc(4));
    recorder.finish().expect("finish");
    let recording = Recording::read(&path).expect("reads");
    assert!(std::fs::metadata(&path).expect("meta").len() > whole as u64);
    assert_eq!(recording.cut_bytes, 0);
    assert_eq!(recording.segments[1].header.format, FORMAT_VERSION);
    assert_eq!(recording.segments[1].entries, vec![doc(4)]);
}

#[test]
fn a_newer_format_is_refused_with_its_number() {
    let mut newer = header();
    if let Entry::Header(h) = &mut newer {
        h.format = FORMAT_VERSION + 1;
    }
    let mut json = serde_json::to_vec(&newer).expect("json");
    json.push(b'\n');
    let bytes = zstd::bulk::compress(&json, 6).expect("frame");
    let error = Recording::from_bytes(&bytes).expect_err("refused");
    assert!(
        error
            .to_string()
            .contains(&format!("format {}", FORMAT_VERSION + 1)),
        "{error}"
    );
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("busy.rec");
    let first = Recorder::start(&path, &header()).expect("first");
    let second = Recorder::start(&path, &header()).expect_err("locked");
    assert!(matches!(second, RecordError::Locked(_)), "{second}");
    assert!(second.to_string().contains("locked"), "{second}");
    first.finish().expect("finish");
    Recorder::start(&path, &header())
        .expect("free again")
        .finish()
        .expect("finish");
}

#[test]
fn a_path_that_cannot_be_written_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("no-such-folder").join("drop.rec");
    let error = Recorder::start(&path, &header()).expect_err("refused");
    assert!(error.to_string().contains("cannot record into"), "{error}");
}

#[test]
fn bytes_that_are_not_a_recording_say_so() {
    let error = Recording::from_bytes(b"hello").expect_err("refused");
    assert!(
        error.to_string().contains("not a dropday recording"),
        "{error}"
    );
}

#[test]
fn urls_lose_their_credentials() {
    assert_eq!(
        super::url_without_credentials("https://ops:s3cret@feeds.example/v1/drops?token=abc#x"),
        "https://feeds.example/v1/drops"
    );
}
