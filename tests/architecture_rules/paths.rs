//! Every path a file names that could reach another module: each leaf of each `use` tree
//! (grouped, nested, multi-line, `pub use`), and inline paths (`crate::x::f()` in an
//! expression), resolved to absolute module paths. `super` and `self` are resolved against the
//! file's module and the inline `mod name { … }` blocks around them.

use super::lexer::{Spanned, Token, tokens};

/// A path the file names, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPath {
    pub line: usize,
    /// `Some(segments)` inside this crate (`["feed", "wire", "Drop"]` for
    /// `crate::feed::wire::Drop`); `None` for another crate's path.
    pub internal: Option<Vec<String>>,
    /// The path as the file spells it after resolution (`crate::feed::wire::Drop`, `tokio::spawn`).
    pub text: String,
    /// From a `use` item (else an inline path).
    pub from_use: bool,
}

/// The paths named by `source`, a file whose module is `module` (`["feed", "client"]`).
/// `library` is the name by which the file reaches the crate's library besides `crate`
/// (`dropday` in the binary's `main.rs`).
pub fn named_paths(source: &str, module: &[String], library: Option<&str>) -> Vec<NamedPath> {
    let toks = tokens(source);
    let mut out = Vec::new();
    // Inline modules open around the current token: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let here = |inline: &Vec<(String, usize)>| -> Vec<String> {
            let mut m = module.to_vec();
            m.extend(inline.iter().map(|(n, _)| n.clone()));
            m
        };
        match &toks[i].token {
            Token::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Token::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Punct('{'))) = (
                    toks.get(i + 1).map(|t| &t.token),
                    toks.get(i + 2).map(|t| &t.token),
                ) {
                    depth += 1;
                    inline.push((name.clone(), depth));
                    i += 3;
                } else {
                    i += 1;
                }
            }
            Token::Ident(word) if word == "use" => {
                // `impl Trait + use<'a>` (precise capture) is not an import.
                if toks.get(i + 1).map(|t| &t.token) == Some(&Token::Punct('<')) {
                    i += 1;
                    continue;
                }
                let mut parser = UseTree {
                    toks: &toks,
                    at: i + 1,
                    leaves: Vec::new(),
                };
                if parser.peek() == Some(&Token::PathSep) {
                    parser.at += 1;
                }
                parser.tree(Vec::new());
                let current = here(&inline);
                for (segments, line) in parser.leaves {
                    if let Some(path) = resolve(&segments, &current, library, line, true) {
                        out.push(path);
                    }
                }
                i = parser.at;
            }
            Token::Ident(word) if is_path_start(&toks, i) => {
                // An inline path: words joined by `::`.
                let line = toks[i].line;
                let mut segments = vec![word.clone()];
                let mut j = i + 1;
                while toks.get(j).map(|t| &t.token) == Some(&Token::PathSep) {
                    match toks.get(j + 1).map(|t| &t.token) {
                        Some(Token::Ident(next)) => {
                            segments.push(next.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                if let Some(path) = resolve(&segments, &here(&inline), library, line, false) {
                    out.push(path);
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// The start of an inline path: a word followed by `::` that is not itself the tail of a
/// longer path (`a::b::c` starts at `a` only) nor `$crate`.
fn is_path_start(toks: &[Spanned], i: usize) -> bool {
    let followed = toks.get(i + 1).map(|t| &t.token) == Some(&Token::PathSep);
    let tail = i > 0 && toks[i - 1].token == Token::PathSep;
    let dollar = i > 0 && toks[i - 1].token == Token::Punct('$');
    followed && !tail && !dollar
}

/// Resolves `segments` as written in module `current`; `None` for a path that stays inside the
/// current module (a child module or `self::`), which no rule concerns.
fn resolve(
    segments: &[String],
    current: &[String],
    library: Option<&str>,
    line: usize,
    from_use: bool,
) -> Option<NamedPath> {
    let first = segments.first()?;
    let internal = |absolute: Vec<String>| {
        let text = if absolute.is_empty() {
            "crate".to_owned()
        } else {
            format!("crate::{}", absolute.join("::"))
        };
        Some(NamedPath {
            line,
            internal: Some(absolute),
            text,
            from_use,
        })
    };
    match first.as_str() {
        "crate" => internal(segments[1..].to_vec()),
        name if Some(name) == library => internal(segments[1..].to_vec()),
        "super" => {
            let mut base = current.to_vec();
            let mut rest = segments;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            internal(base)
        }
        "self" | "Self" => None,
        _ => Some(NamedPath {
            line,
            internal: None,
            text: segments.join("::"),
            from_use,
        }),
    }
}

/// A `use` tree being read: its leaves as full segment lists (a trailing `self` dropped).
struct UseTree<'a> {
    toks: &'a [Spanned],
    at: usize,
    leaves: Vec<(Vec<String>, usize)>,
}

impl UseTree<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.at).map(|t| &t.token)
    }

    fn line(&self) -> usize {
        self.toks.get(self.at).map_or(0, |t| t.line)
    }

    fn tree(&mut self, mut prefix: Vec<String>) {
        loop {
            match self.peek().cloned() {
                Some(Token::Punct('{')) => {
                    self.at += 1;
                    loop {
                        match self.peek() {
                            Some(Token::Punct('}')) => {
                                self.at += 1;
                                break;
                            }
                            Some(Token::Punct(',')) => self.at += 1,
                            None => return,
                            _ => self.tree(prefix.clone()),
                        }
                    }
                    if self.peek() == Some(&Token::Punct(';')) {
                        self.at += 1;
                    }
                    return;
                }
                Some(Token::Punct('*')) => {
                    let line = self.line();
                    self.at += 1;
                    prefix.push("*".to_owned());
                    self.leaves.push((prefix, line));
                    self.finish();
                    return;
                }
                Some(Token::Ident(name)) => {
                    let line = self.line();
                    self.at += 1;
                    if name == "self" && !prefix.is_empty() {
                        // `a::{self}` names `a`.
                    } else {
                        prefix.push(name);
                    }
                    if self.peek() == Some(&Token::PathSep) {
                        self.at += 1;
                        continue;
                    }
                    if self.peek() == Some(&Token::Ident("as".to_owned())) {
                        self.at += 2;
                    }
                    self.leaves.push((prefix, line));
                    self.finish();
                    return;
                }
                _ => {
                    self.finish();
                    return;
                }
            }
        }
    }

    /// Past a `;` ending the item (inside a group the caller reads `,` and `}`).
    fn finish(&mut self) {
        if self.peek() == Some(&Token::Punct(';')) {
            self.at += 1;
        }
    }
}
