//! The colour sequences a terminal gets, kept to what its colour profile understands.
//!
//! crossterm writes every colour, even the sixteen named ones, as a 256-colour sequence
//! (`ESC[38;5;9m` for red), which a 16-colour terminal (the Linux console, an old serial
//! terminal, some phone SSH clients) shows wrongly or not at all. [`ColorFilter`] sits between
//! the backend and the terminal and rewrites each SGR sequence (`ESC[…m`) for the profile:
//!
//! - 16 colours: `38;5;N` / `48;5;N` with N < 16 become the basic codes (30–37, 90–97,
//!   40–47, 100–107); any other palette or RGB colour becomes the default colour (39/49);
//! - never: every colour parameter is dropped (resets 39/49 and attributes stay), and a
//!   sequence left with nothing is dropped whole, so it never turns into `ESC[m` (reset all);
//! - 256 colours: untouched.
//!
//! Everything that is not an SGR sequence passes as it came. The filter keeps the state of a
//! sequence split across two writes.

use std::io::{self, Write};

use crate::app::ColorMode;

/// A writer that passes everything on to `inner`, with SGR colours fitted to `mode`.
#[derive(Debug)]
pub struct ColorFilter<W: Write> {
    inner: W,
    mode: ColorMode,
    /// An escape sequence begun in an earlier write and not finished yet.
    pending: Vec<u8>,
}

/// A sequence longer than this is not one the backend writes: it passes on unchanged.
const MAX_SEQUENCE: usize = 256;

impl<W: Write> ColorFilter<W> {
    /// A filter for a terminal with colour profile `mode` (`Auto` is treated as 16 colours).
    pub fn new(inner: W, mode: ColorMode) -> Self {
        Self {
            inner,
            mode,
            pending: Vec::new(),
        }
    }

    /// The writer underneath.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The writer underneath, for writing past the filter.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: Write> Write for ColorFilter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.mode == ColorMode::Ansi256 {
            return self.inner.write(buf);
        }
        let mut out = Vec::with_capacity(buf.len() + self.pending.len());
        for &byte in buf {
            if self.pending.is_empty() {
                if byte == 0x1b {
                    self.pending.push(byte);
                } else {
                    out.push(byte);
                }
                continue;
            }
            self.pending.push(byte);
            match sequence_state(&self.pending) {
                Sequence::Open if self.pending.len() < MAX_SEQUENCE => {}
                Sequence::Sgr => {
                    out.extend(fit_sgr(&self.pending, self.mode));
                    self.pending.clear();
                }
                Sequence::Open | Sequence::Other => {
                    out.append(&mut self.pending);
                }
            }
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

enum Sequence {
    /// Not finished yet.
    Open,
    /// `ESC [ params m`, finished.
    Sgr,
    /// Anything else: passes unchanged.
    Other,
}

fn sequence_state(bytes: &[u8]) -> Sequence {
    match bytes {
        [0x1b] | [0x1b, b'['] => Sequence::Open,
        [0x1b, b'[', params @ .., last] => {
            if params.iter().all(|b| b.is_ascii_digit() || *b == b';') {
                match last {
                    b'm' => Sequence::Sgr,
                    b'0'..=b'9' | b';' => Sequence::Open,
                    _ => Sequence::Other,
                }
            } else {
                Sequence::Other
            }
        }
        _ => Sequence::Other,
    }
}

/// `ESC[…m` rewritten for `mode`; empty when nothing is left of it.
fn fit_sgr(sequence: &[u8], mode: ColorMode) -> Vec<u8> {
    let params = &sequence[2..sequence.len() - 1];
    let text = String::from_utf8_lossy(params);
    let numbers: Vec<&str> = text.split(';').collect();
    let mut kept: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let n: u32 = numbers[i].parse().unwrap_or(0);
        match n {
            38 | 48 => {
                let background = n == 48;
                let (colour, used) = match numbers.get(i + 1).and_then(|v| v.parse::<u32>().ok()) {
                    Some(5) => (numbers.get(i + 2).and_then(|v| v.parse::<u32>().ok()), 3),
                    Some(2) => (None, 5),
                    _ => (None, 1),
                };
                if mode != ColorMode::Never {
                    kept.push(basic(colour, background).to_string());
                }
                i += used;
                continue;
            }
            30..=37 | 90..=97 | 40..=47 | 100..=107 if mode == ColorMode::Never => {}
            _ => kept.push(numbers[i].to_owned()),
        }
        i += 1;
    }
    if kept.is_empty() && !numbers.is_empty() && !params.is_empty() {
        return Vec::new();
    }
    format!("\x1b[{}m", kept.join(";")).into_bytes()
}

/// The basic SGR code of palette colour `index` (0–15), or the default colour for any other.
fn basic(index: Option<u32>, background: bool) -> u32 {
    let base = match index {
        Some(n @ 0..=7) => 30 + n,
        Some(n @ 8..=15) => 90 + n - 8,
        _ => 39,
    };
    if background { base + 10 } else { base }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filtered(mode: ColorMode, chunks: &[&[u8]]) -> Vec<u8> {
        let mut filter = ColorFilter::new(Vec::new(), mode);
        for chunk in chunks {
            filter.write_all(chunk).expect("write to a Vec");
        }
        filter.inner
    }

    #[test]
    fn sixteen_colours_get_basic_codes() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"\x1b[38;5;9mX", b"\x1b[91mX"),
            (b"\x1b[38;5;1m", b"\x1b[31m"),
            (b"\x1b[48;5;3m", b"\x1b[43m"),
            (b"\x1b[48;5;12m", b"\x1b[104m"),
            (b"\x1b[38;5;9;48;5;0m", b"\x1b[91;40m"),
            (b"\x1b[38;5;196m", b"\x1b[39m"),
            (b"\x1b[38;2;1;2;3m", b"\x1b[39m"),
            (b"\x1b[1m\x1b[39m", b"\x1b[1m\x1b[39m"),
            (b"\x1b[0m", b"\x1b[0m"),
            (b"\x1b[?25l\x1b[3;4H", b"\x1b[?25l\x1b[3;4H"),
            ("a—b".as_bytes(), "a—b".as_bytes()),
        ];
        for (input, expected) in cases {
            assert_eq!(
                filtered(ColorMode::Ansi16, &[input]),
                expected.to_vec(),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn a_sequence_split_between_writes_is_rewritten() {
        let out = filtered(ColorMode::Ansi16, &[b"ab\x1b[38;", b"5;", b"10mcd"]);
        assert_eq!(out, b"ab\x1b[92mcd");
    }

    #[test]
    fn never_drops_every_colour_and_keeps_the_rest() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"\x1b[38;5;9mX", b"X"),
            (b"\x1b[1;31mX", b"\x1b[1mX"),
            (b"\x1b[7m", b"\x1b[7m"),
            (b"\x1b[39m", b"\x1b[39m"),
            (b"\x1b[m", b"\x1b[m"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                filtered(ColorMode::Never, &[input]),
                expected.to_vec(),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn two_hundred_fifty_six_passes_untouched() {
        let input = b"\x1b[38;5;196mX";
        assert_eq!(filtered(ColorMode::Ansi256, &[input]), input.to_vec());
    }
}
