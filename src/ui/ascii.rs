//! `--ascii`: after a frame is drawn, every drawing glyph left in it (chart axes, braille, block
//! elements, bullets) becomes a plain ASCII character. Widgets are already asked for ASCII where
//! they allow it; this pass catches what they draw on their own, such as chart axes. Text that
//! came from the feeds (a title with an em dash) is left as it came.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The ASCII stand-in for a drawing glyph, `None` for anything else.
#[must_use]
pub fn replacement(glyph: char) -> Option<&'static str> {
    let code = u32::from(glyph);
    let text = match glyph {
        '─' | '━' | '┄' | '┈' | '╌' | '═' => "-",
        '│' | '┃' | '┆' | '┊' | '╎' | '║' => "|",
        '…' => "~",
        '•' | '●' | '◆' | '■' => "*",
        '▶' | '►' | '→' => ">",
        '◀' | '◄' => "<",
        // Box-drawing corners and junctions.
        _ if (0x2500..=0x257F).contains(&code) => "+",
        // Block elements: light shades read as empty, the rest as filled.
        '░' => "-",
        _ if (0x2580..=0x259F).contains(&code) => "#",
        // Braille: any dot is a point of a curve.
        '\u{2800}' => " ",
        _ if (0x2801..=0x28FF).contains(&code) => "*",
        _ => return None,
    };
    Some(text)
}

/// Replaces every drawing glyph in `area` of `buffer` by its ASCII stand-in.
pub fn downgrade(buffer: &mut Buffer, area: Rect) {
    let area = area.intersection(buffer.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buffer[(x, y)];
            let mut chars = cell.symbol().chars();
            if let (Some(glyph), None) = (chars.next(), chars.next())
                && let Some(text) = replacement(glyph)
            {
                cell.set_symbol(text);
            }
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
            ('—', None),
            ('€', None),
        ];
        for (glyph, expected) in cases {
            assert_eq!(replacement(glyph), expected, "{glyph}");
        }
    }
}
