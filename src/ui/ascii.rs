//! `--ascii`: after a frame is drawn, every cell that is not plain ASCII becomes a plain ASCII
//! character, so not one byte ≥ 0x80 reaches the terminal: drawing glyphs (chart axes,
//! braille, block elements, bullets), the marks of our own texts (`—`, `·`, `→`, `×`, `≈`) and
//! whatever text came from the feeds (a title with an em dash, an accented name). Widgets are
//! already asked for ASCII where they allow it and texts use the theme's ASCII forms where a
//! longer stand-in reads better (`->`); this pass is the guarantee.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The ASCII stand-in (one cell wide) for a character that is not ASCII, `None` for ASCII.
#[must_use]
pub fn replacement(glyph: char) -> Option<&'static str> {
    if glyph.is_ascii() {
        return None;
    }
    let code = u32::from(glyph);
    let text = match glyph {
        '─' | '━' | '┄' | '┈' | '╌' | '═' | '—' | '–' | '−' | '‐' | '‑' | '↔' => {
            "-"
        }
        '│' | '┃' | '┆' | '┊' | '╎' | '║' => "|",
        '…' | '≈' | '∼' => "~",
        '•' | '●' | '◆' | '■' => "*",
        '▶' | '►' | '→' | '≥' | '»' => ">",
        '◀' | '◄' | '←' | '≤' | '«' => "<",
        '·' => ".",
        '±' => "+",
        '▲' | '↑' => "^",
        '▼' | '↓' | '✓' => "v",
        '×' | '✗' => "x",
        '‘' | '’' | '′' => "'",
        '“' | '”' | '″' => "\"",
        '°' => "o",
        '¹' => "1",
        '²' => "2",
        '³' => "3",
        '\u{a0}' => " ",
        // Box-drawing corners and junctions.
        _ if (0x2500..=0x257F).contains(&code) => "+",
        // Block elements: light shades read as empty, the rest as filled.
        '░' => "-",
        _ if (0x2580..=0x259F).contains(&code) => "#",
        // Braille: any dot is a point of a curve.
        '\u{2800}' => " ",
        _ if (0x2801..=0x28FF).contains(&code) => "*",
        // Letters with accents and anything else: a mark that something is there.
        _ => "?",
    };
    Some(text)
}

/// Replaces every cell of `area` of `buffer` that is not ASCII by its ASCII stand-in. A cell
/// holding a grapheme of several characters (a letter with a combining accent) becomes its
/// first character's stand-in.
pub fn downgrade(buffer: &mut Buffer, area: Rect) {
    let area = area.intersection(buffer.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buffer[(x, y)];
            if cell.symbol().is_ascii() {
                continue;
            }
            let text = cell.symbol().chars().find_map(replacement).unwrap_or("?");
            cell.set_symbol(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_glyphs_become_ascii_and_text_stays() {
        let cases = [
            ('─', Some("-")),
            ('│', Some("|")),
            ('└', Some("+")),
            ('╭', Some("+")),
            ('█', Some("#")),
            ('░', Some("-")),
            ('⣿', Some("*")),
            ('a', None),
            ('—', Some("-")),
            ('·', Some(".")),
            ('→', Some(">")),
            ('€', Some("?")),
            ('é', Some("?")),
        ];
        for (glyph, expected) in cases {
            assert_eq!(replacement(glyph), expected, "{glyph}");
        }
    }

    #[test]
    fn a_downgraded_buffer_is_all_ascii() {
        let area = Rect::new(0, 0, 12, 1);
        let mut buffer = Buffer::empty(area);
        buffer.set_string(0, 0, "a—b·c→d 漢e\u{301}", ratatui::style::Style::new());
        downgrade(&mut buffer, area);
        let text: String = (0..12)
            .map(|x| buffer[(x, 0)].symbol().to_owned())
            .collect();
        assert!(text.is_ascii(), "{text:?}");
        assert!(text.starts_with("a-b.c>d ?"), "{text:?}");
    }
}
