//! Just enough of a Rust lexer to find paths: identifiers, `::` and the punctuation of use
//! trees, each with its line. Comments, strings, chars, lifetimes and numbers are dropped, so
//! a path quoted in a doc comment or a string is not an import.

/// One token of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An identifier or keyword (`r#` stripped).
    Ident(String),
    /// `::`
    PathSep,
    /// Any other punctuation character.
    Punct(char),
}

/// A token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub token: Token,
    pub line: usize,
}

/// The tokens of `source`.
pub fn tokens(source: &str) -> Vec<Spanned> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                // Block comments nest in Rust.
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, &mut line),
            '\'' => i = skip_char_or_lifetime(&chars, i),
            ':' if next == Some(':') => {
                out.push(Spanned {
                    token: Token::PathSep,
                    line,
                });
                i += 2;
            }
            c if c.is_ascii_digit() => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // String prefixes: b"", c"", r"", r#""#, br"", cr"".
                if let Some(after) = raw_or_byte_string(&word, &chars, i) {
                    i = after.0;
                    line += after.1;
                    continue;
                }
                if word == "r" && chars.get(i) == Some(&'#') {
                    // r#ident
                    let start = i + 1;
                    let mut end = start;
                    while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                        end += 1;
                    }
                    out.push(Spanned {
                        token: Token::Ident(chars[start..end].iter().collect()),
                        line,
                    });
                    i = end;
                    continue;
                }
                out.push(Spanned {
                    token: Token::Ident(word),
                    line,
                });
            }
            c => {
                out.push(Spanned {
                    token: Token::Punct(c),
                    line,
                });
                i += 1;
            }
        }
    }
    out
}

/// After the opening quote of a plain string: the index after its closing quote.
fn skip_string(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// A string with a prefix (`b`, `c`, `r`, `br`, `cr`) starting at `i` (just after the prefix):
/// the index after it and the newlines it held; `None` when the word is not such a prefix.
fn raw_or_byte_string(word: &str, chars: &[char], i: usize) -> Option<(usize, usize)> {
    let raw = matches!(word, "r" | "br" | "cr");
    if !raw && !matches!(word, "b" | "c") {
        return None;
    }
    let mut j = i;
    let mut hashes = 0;
    if raw {
        while chars.get(j) == Some(&'#') {
            hashes += 1;
            j += 1;
        }
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    let mut newlines = 0;
    if !raw {
        let mut line = 0;
        let end = skip_string(chars, j, &mut line);
        return Some((end, line));
    }
    while j < chars.len() {
        if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
            return Some((j + 1 + hashes, newlines));
        }
        if chars[j] == '\n' {
            newlines += 1;
        }
        j += 1;
    }
    Some((j, newlines))
}

/// At a `'`: past a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), _) => {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            j + 1
        }
        (Some(_), Some('\'')) => i + 3,
        _ => {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            j
        }
    }
}
