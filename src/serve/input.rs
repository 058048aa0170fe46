//! What a person types reaches serve as the bytes their terminal sends; this turns them into the
//! key events the room handles, as crossterm does for the local terminal. A lone ESC at the end
//! of what arrived is the Esc key (a client sends an escape sequence in one piece).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Longest escape sequence kept while waiting for its end; longer is noise and is dropped.
const MAX_SEQUENCE: usize = 32;

/// Decodes one session's input; keeps an unfinished escape sequence or UTF-8 character.
#[derive(Debug, Default)]
pub struct KeyDecoder {
    pending: Vec<u8>,
}

impl KeyDecoder {
    /// The keys in `bytes`, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<KeyEvent> {
        self.pending.extend_from_slice(bytes);
        let mut keys = Vec::new();
        let mut at = 0;
        while at < self.pending.len() {
            match decode(&self.pending[at..]) {
                Decoded::Key(key, used) => {
                    keys.push(key);
                    at += used;
                }
                Decoded::Skip(used) => at += used,
                Decoded::Incomplete => break,
            }
        }
        self.pending.drain(..at);
        if self.pending.len() > MAX_SEQUENCE {
            self.pending.clear();
        }
        keys
    }
}

enum Decoded {
    Key(KeyEvent, usize),
    /// Bytes that are no key (an unknown sequence, invalid UTF-8).
    Skip(usize),
    Incomplete,
}

fn key(code: KeyCode, modifiers: KeyModifiers, used: usize) -> Decoded {
    Decoded::Key(KeyEvent::new(code, modifiers), used)
}

fn decode(bytes: &[u8]) -> Decoded {
    let none = KeyModifiers::NONE;
    match bytes {
        [] => Decoded::Incomplete,
        // A lone ESC, or ESC ESC (the second starts the next key): Esc.
        [0x1b] | [0x1b, 0x1b, ..] => key(KeyCode::Esc, none, 1),
        [0x1b, b'[', rest @ ..] => csi(rest),
        [0x1b, b'O', rest @ ..] => match rest.first() {
            None => Decoded::Incomplete,
            Some(&final_byte) => ss3(final_byte),
        },
        [0x1b, rest @ ..] => match decode(rest) {
            Decoded::Key(inner, used) => Decoded::Key(
                KeyEvent::new(inner.code, inner.modifiers | KeyModifiers::ALT),
                used + 1,
            ),
            other => other,
        },
        [b'\r' | b'\n', ..] => key(KeyCode::Enter, none, 1),
        [b'\t', ..] => key(KeyCode::Tab, none, 1),
        [0x7f | 0x08, ..] => key(KeyCode::Backspace, none, 1),
        [0x00, ..] => key(KeyCode::Char(' '), KeyModifiers::CONTROL, 1),
        [c @ 0x01..=0x1a, ..] => key(
            KeyCode::Char(char::from(b'a' + c - 1)),
            KeyModifiers::CONTROL,
            1,
        ),
        [0x1c..=0x1f, ..] => Decoded::Skip(1),
        [first, ..] => utf8(bytes, *first),
    }
}

fn utf8(bytes: &[u8], first: u8) -> Decoded {
    let len = match first {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Decoded::Skip(1),
    };
    let Some(encoded) = bytes.get(..len) else {
        return Decoded::Incomplete;
    };
    match std::str::from_utf8(encoded)
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => {
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            key(KeyCode::Char(c), modifiers, len)
        }
        None => Decoded::Skip(1),
    }
}

fn ss3(final_byte: u8) -> Decoded {
    let code = match final_byte {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => return Decoded::Skip(3),
    };
    key(code, KeyModifiers::NONE, 3)
}

/// `ESC [` parameters (digits and `;`) and a final byte.
fn csi(rest: &[u8]) -> Decoded {
    let Some(end) = rest.iter().position(|b| (0x40..=0x7e).contains(b)) else {
        return Decoded::Incomplete;
    };
    let used = 2 + end + 1;
    let params: Vec<u16> = std::str::from_utf8(&rest[..end])
        .unwrap_or_default()
        .split(';')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    // xterm: the second parameter is 1 + (shift 1, alt 2, ctrl 4).
    let bits = params.get(1).copied().unwrap_or(1).saturating_sub(1);
    let mut modifiers = KeyModifiers::NONE;
    if bits & 1 != 0 {
        modifiers |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        modifiers |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        modifiers |= KeyModifiers::CONTROL;
    }
    let code = match rest[end] {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'Z' => return key(KeyCode::BackTab, KeyModifiers::SHIFT, used),
        b'~' => match params.first().copied().unwrap_or(0) {
            1 | 7 => KeyCode::Home,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            4 | 8 => KeyCode::End,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            n @ 11..=15 => KeyCode::F(u8::try_from(n - 10).unwrap_or(1)),
            n @ 17..=21 => KeyCode::F(u8::try_from(n - 11).unwrap_or(6)),
            n @ 23..=24 => KeyCode::F(u8::try_from(n - 12).unwrap_or(11)),
            _ => return Decoded::Skip(used),
        },
        _ => return Decoded::Skip(used),
    };
    key(code, modifiers, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        KeyDecoder::default()
            .feed(bytes)
            .into_iter()
            .map(|k| (k.code, k.modifiers))
            .collect()
    }

    #[test]
    fn bytes_become_keys() {
        type Case<'a> = (&'a [u8], &'a [(KeyCode, KeyModifiers)]);
        let none = KeyModifiers::NONE;
        let cases: &[Case<'_>] = &[
            (b"p", &[(KeyCode::Char('p'), none)]),
            (b"P", &[(KeyCode::Char('P'), KeyModifiers::SHIFT)]),
            (b"\r", &[(KeyCode::Enter, none)]),
            (b"\x1b", &[(KeyCode::Esc, none)]),
            (
                b"\x1b[A\x1b[B",
                &[(KeyCode::Up, none), (KeyCode::Down, none)],
            ),
            (b"\x1bOC", &[(KeyCode::Right, none)]),
            (
                b"\x1b[5~\x1b[6~",
                &[(KeyCode::PageUp, none), (KeyCode::PageDown, none)],
            ),
            (b"\x1b[1;5C", &[(KeyCode::Right, KeyModifiers::CONTROL)]),
            (b"\x1b[Z", &[(KeyCode::BackTab, KeyModifiers::SHIFT)]),
            (b"\x1b[15~", &[(KeyCode::F(5), none)]),
            (b"\x03", &[(KeyCode::Char('c'), KeyModifiers::CONTROL)]),
            (b"\x7f", &[(KeyCode::Backspace, none)]),
            (b"\t", &[(KeyCode::Tab, none)]),
            (b"\x1bq", &[(KeyCode::Char('q'), KeyModifiers::ALT)]),
            ("é".as_bytes(), &[(KeyCode::Char('é'), none)]),
            (b"\x1b[999X", &[]),
            (b"\xff", &[]),
        ];
        for (bytes, expected) in cases {
            assert_eq!(keys(bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn a_sequence_split_across_packets_is_kept() {
        let mut decoder = KeyDecoder::default();
        assert!(decoder.feed(b"\x1b[").is_empty());
        let keys = decoder.feed(b"D");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].code, KeyCode::Left);
        let mut decoder = KeyDecoder::default();
        assert!(decoder.feed(&"€".as_bytes()[..1]).is_empty());
        assert_eq!(
            decoder.feed(&"€".as_bytes()[1..])[0].code,
            KeyCode::Char('€')
        );
    }

    #[test]
    fn an_endless_sequence_does_not_grow() {
        let mut decoder = KeyDecoder::default();
        for _ in 0..100 {
            decoder.feed(b"\x1b[1;1;1;1;1;1;1;1;1;1");
        }
        assert!(decoder.pending.len() <= MAX_SEQUENCE);
    }
}
