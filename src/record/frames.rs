//! The zstd framing of a recording file (format 2): one zstd frame per start of a writer (or
//! per [`super::writer::FRAME_JSON_BYTES`] of JSON), written through one streaming encoder
//! that is flushed every few seconds. A flush ends a zstd block, and every whole block decodes
//! with what came before it, so a frame that was never ended (SIGKILL, full disk, a writer still
//! at work) reads up to its last whole block, and from that to its last whole JSON line.
//!
//! Format 1 files (one self-contained frame per flush) are sequences of whole frames, which
//! this reads the same way.
//!
//! Block layout, from RFC 8878 §3.1.1: a frame is the magic number, a frame header, then blocks
//! of a 3-byte header (bit 0: last block, bits 1–2: type, bits 3–23: size) and their content.

use std::ops::Range;

use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};

/// The zstd frame magic number, little-endian on disk.
const MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// A raw block of no bytes with the last-block bit: what zstd itself writes to end a frame
/// whose data has all been flushed, and what ends a frame a killed writer left open.
pub const END_OF_FRAME: [u8; 3] = [0x01, 0x00, 0x00];

/// The whole zstd frames at the start of `bytes`, in order.
#[must_use]
pub fn whole_frames(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut frames = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match zstd::zstd_safe::find_frame_compressed_size(&bytes[at..]) {
            Ok(len) if len > 0 && at + len <= bytes.len() => {
                frames.push(at..at + len);
                at += len;
            }
            _ => break,
        }
    }
    frames
}

/// Length of the longest prefix of `bytes` made of whole zstd frames.
#[must_use]
pub fn whole_frames_len(bytes: &[u8]) -> usize {
    whole_frames(bytes).last().map_or(0, |frame| frame.end)
}

/// What can be read of a frame that was never ended.
#[derive(Debug, Default)]
pub struct Unended {
    /// Its JSON up to the last whole line (empty unless asked for).
    pub json: Vec<u8>,
    /// Bytes of the frame up to the end of the block that completes its last whole line;
    /// 0 when no whole line can be read (the frame is to be dropped).
    pub kept: usize,
    /// Whether [`END_OF_FRAME`] may be written after `kept` bytes to end the frame: the frame
    /// header promises no content size and no checksum (as the recording's encoder writes).
    pub can_end: bool,
}

/// Reads the frame at the start of `bytes`, which does not end within them: its whole
/// blocks, decoded one after the other, up to the last block that completes a JSON line.
/// `keep_json` keeps the lines (the reader) or only finds where they end (the writer's repair).
#[must_use]
pub fn read_unended(bytes: &[u8], keep_json: bool) -> Unended {
    let Some(header) = frame_header(bytes) else {
        return Unended::default();
    };
    let Ok(mut decoder) = Decoder::new() else {
        return Unended::default();
    };
    let mut chunk = vec![0u8; 1 << 17];
    let mut json = Vec::new();
    let mut last_byte = None;
    let mut read = Unended {
        can_end: header.can_end,
        ..Unended::default()
    };
    let mut fed = 0;
    for end in block_ends(bytes, header.len) {
        let mut input = InBuffer::around(&bytes[fed..end]);
        loop {
            let mut output = OutBuffer::around(&mut chunk[..]);
            if decoder.run(&mut input, &mut output).is_err() {
                return read;
            }
            let n = output.pos();
            if n > 0 {
                last_byte = Some(chunk[n - 1]);
                if keep_json {
                    json.extend_from_slice(&chunk[..n]);
                }
            }
            if input.pos() == input.src.len() && n < chunk.len() {
                break;
            }
        }
        fed = end;
        if last_byte == Some(b'\n') {
            read.kept = end;
            if keep_json {
                read.json.extend_from_slice(&json);
                json.clear();
            }
        }
    }
    read
}

struct FrameHeader {
    len: usize,
    can_end: bool,
}

/// The frame header at the start of `bytes` (RFC 8878 §3.1.1.1), if whole.
fn frame_header(bytes: &[u8]) -> Option<FrameHeader> {
    if bytes.get(..4)? != MAGIC {
        return None;
    }
    let descriptor = *bytes.get(4)?;
    let content_size_flag = descriptor >> 6;
    let single_segment = descriptor & 0x20 != 0;
    let checksum = descriptor & 0x04 != 0;
    let dictionary_bytes = [0, 1, 2, 4][usize::from(descriptor & 0x03)];
    let content_size_bytes = match content_size_flag {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let len = 5 + usize::from(!single_segment) + dictionary_bytes + content_size_bytes;
    (bytes.len() >= len).then_some(FrameHeader {
        len,
        can_end: content_size_bytes == 0 && !checksum,
    })
}

/// The offsets just past each whole block after the frame header, up to the first block that
/// is cut (or the last block, though a frame with one is whole and not read here).
fn block_ends(bytes: &[u8], header_len: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = header_len;
    while let Some(&[a, b, c]) = bytes.get(at..at + 3) {
        let block = u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16;
        let size = (block >> 3) as usize;
        let content = match (block >> 1) & 0x3 {
            0 | 2 => size, // raw, compressed
            1 => 1,        // RLE: one byte repeated `size` times
            _ => break,    // reserved: not a zstd block
        };
        let end = at + 3 + content;
        if end > bytes.len() {
            break;
        }
        ends.push(end);
        if block & 1 == 1 {
            break;
        }
        at = end;
    }
    ends
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A frame of `lines`, flushed after each, never ended; with the offsets after each flush.
    fn unended(lines: &[&str]) -> (Vec<u8>, Vec<usize>) {
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 6).expect("encoder");
        let mut flushed = Vec::new();
        for line in lines {
            encoder.write_all(line.as_bytes()).expect("write");
            encoder.write_all(b"\n").expect("write");
            encoder.flush().expect("flush");
            flushed.push(encoder.get_ref().len());
        }
        (encoder.get_ref().clone(), flushed)
    }

    #[test]
    fn an_unended_frame_reads_up_to_each_flush() {
        let (bytes, flushed) = unended(&["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
        assert_eq!(whole_frames_len(&bytes), 0);
        let all = read_unended(&bytes, true);
        assert_eq!(all.json, b"{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
        assert_eq!(all.kept, bytes.len());
        assert!(all.can_end);
        // Cut inside the last flush's block: the two lines before it.
        let cut = read_unended(&bytes[..flushed[2] - 2], true);
        assert_eq!(cut.json, b"{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(cut.kept, flushed[1]);
        // Cut inside the frame header: nothing.
        assert_eq!(read_unended(&bytes[..3], true).kept, 0);
    }

    #[test]
    fn an_unended_frame_ends_with_an_empty_last_block() {
        let (mut bytes, flushed) = unended(&["{\"a\":1}", "{\"b\":2}"]);
        bytes.truncate(flushed[1] - 1);
        let read = read_unended(&bytes, false);
        assert!(read.json.is_empty());
        bytes.truncate(read.kept);
        bytes.extend_from_slice(&END_OF_FRAME);
        assert_eq!(whole_frames_len(&bytes), bytes.len());
        assert_eq!(
            zstd::stream::decode_all(&bytes[..]).expect("decodes"),
            b"{\"a\":1}\n"
        );
    }

    #[test]
    fn a_line_split_across_blocks_is_not_kept_half() {
        // Over 128 KiB between flushes: zstd ends blocks on its own, mid-line.
        let long = format!("{{\"x\":\"{}\"}}", "y".repeat(300_000));
        let (bytes, _) = unended(&["{\"a\":1}", &long]);
        let cut = read_unended(&bytes[..bytes.len() - 10], true);
        assert_eq!(cut.json, b"{\"a\":1}\n");
    }
}
