//! The people who may open the room: OpenSSH's `authorized_keys` format, one key per line, the
//! comment is the person's name. Per-key options: `role="operator"|"viewer"` (viewer when absent,
//! so a key added without thought can only look) and `from="pattern-list"` as OpenSSH's sshd(8)
//! defines it. Options that would loosen or change what a session may do (`command=`,
//! `environment=`, `permitopen=`, …) are refused rather than silently ignored.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::{HashAlg, PublicKey};

/// What a person may do in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Looks only: action keys say why they do nothing.
    Viewer,
    /// May acknowledge, silence and act on the marketplace.
    Operator,
}

impl Role {
    /// The tag shown next to the person's name in the header.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Role::Viewer => "RO",
            Role::Operator => "RW",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
        })
    }
}

/// One line of the file: a person's key and what it may do.
#[derive(Debug, Clone)]
pub struct AuthorizedKey {
    /// The comment of the line: the person's name as the room shows it.
    pub name: String,
    /// What the key may do (`role=`; viewer when not given).
    pub role: Role,
    /// `None`: any source address.
    pub from: Option<FromPatterns>,
    /// The public key itself.
    pub key: PublicKey,
    /// OpenSSH's form, `SHA256:` and unpadded base64, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// 1-based line in the file, for log lines.
    pub line: usize,
}

impl AuthorizedKey {
    /// Whether a connection from `addr` may use this key.
    #[must_use]
    pub fn admits(&self, addr: IpAddr) -> bool {
        self.from.as_ref().is_none_or(|from| from.admits(addr))
    }
}

/// The whole file, parsed.
#[derive(Debug, Clone, Default)]
pub struct AuthorizedKeys {
    keys: Vec<AuthorizedKey>,
}

/// Why a key may not open a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The key is not in the file.
    UnknownKey,
    /// The key is listed, but its `from=` does not admit the source address.
    SourceNotAllowed,
}

impl AuthorizedKeys {
    /// Reads and parses the file; any malformed line is an error naming the file and the line.
    ///
    /// # Errors
    /// The file cannot be read, or a line is malformed (see [`LineProblem`]).
    pub fn load(path: &Path) -> Result<Self, KeysError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeysError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses the text of a file; `path` only names it in errors.
    ///
    /// # Errors
    /// A line is malformed (see [`LineProblem`]).
    pub fn parse(path: &Path, text: &str) -> Result<Self, KeysError> {
        let mut keys: Vec<AuthorizedKey> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let at = |problem| KeysError::Line {
                path: path.to_path_buf(),
                line,
                problem,
            };
            let Some(key) = parse_line(raw, line).map_err(at)? else {
                continue;
            };
            if let Some(earlier) = keys.iter().find(|k| k.key.key_data() == key.key.key_data()) {
                return Err(at(LineProblem::Duplicate {
                    earlier_line: earlier.line,
                }));
            }
            keys.push(key);
        }
        Ok(Self { keys })
    }

    /// The line for this key, if it is listed.
    #[must_use]
    pub fn find(&self, key: &PublicKey) -> Option<&AuthorizedKey> {
        self.keys
            .iter()
            .find(|k| k.key.key_data() == key.key_data())
    }

    /// The line that lets `key` in from `addr`, or why not.
    ///
    /// # Errors
    /// The key is not listed, or its `from=` does not admit `addr`.
    pub fn admit(&self, key: &PublicKey, addr: IpAddr) -> Result<&AuthorizedKey, Refusal> {
        let found = self.find(key).ok_or(Refusal::UnknownKey)?;
        if found.admits(addr) {
            Ok(found)
        } else {
            Err(Refusal::SourceNotAllowed)
        }
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the file lists no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys in file order.
    pub fn iter(&self) -> impl Iterator<Item = &AuthorizedKey> {
        self.keys.iter()
    }
}

/// The file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot read the authorized keys file {}: {source}", path.display())]
    /// The file could not be read.
    Read {
        /// The `authorized_keys` file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    #[error("{}, line {line}: {problem}", path.display())]
    /// One line is malformed; nothing of the file is used.
    Line {
        /// The `authorized_keys` file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        problem: LineProblem,
    },
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("no key after the options; expected `[options] ssh-ed25519 AAAA… name`")]
    /// Options but no key.
    MissingKey,
    #[error("the key is not a valid `{key_type}` public key ({reason})")]
    /// The key text does not decode.
    BadKey {
        /// The key type as written.
        key_type: String,
        /// What the decoder said.
        reason: String,
    },
    #[error(
        "the key has no comment; the comment is the person's name the room shows, e.g. `ssh-ed25519 AAAA… maya`"
    )]
    /// No comment: the person has no name.
    MissingName,
    #[error("an option's quotes are not closed")]
    /// An option's quotes are not closed.
    UnclosedQuote,
    #[error("option `{0}` is empty or malformed")]
    /// An option is empty or malformed.
    MalformedOption(String),
    #[error("role=\"{0}\" is not a role; use role=\"operator\" or role=\"viewer\"")]
    /// `role=` names no role.
    UnknownRole(String),
    #[error("option `{0}` is given twice")]
    /// An option appears twice.
    RepeatedOption(String),
    #[error(
        "option `{option}` is not supported by dropday serve ({why}); remove it from this line"
    )]
    /// An OpenSSH option serve refuses.
    Unsupported {
        /// The option.
        option: String,
        /// Why serve refuses it.
        why: &'static str,
    },
    #[error("option `{0}` is not an OpenSSH or dropday option")]
    /// Not an option OpenSSH or dropday knows.
    UnknownOption(String),
    #[error("from=\"{list}\": {problem}")]
    /// `from=` cannot be read.
    BadFrom {
        /// The pattern list as written.
        list: String,
        /// What is wrong in it.
        problem: String,
    },
    #[error("the same key is already on line {earlier_line}")]
    /// The same key on two lines.
    Duplicate {
        /// The line that has it first.
        earlier_line: usize,
    },
}

/// Key types OpenSSH writes at the start of a line without options.
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

fn parse_line(raw: &str, line: usize) -> Result<Option<AuthorizedKey>, LineProblem> {
    let text = raw.trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(None);
    }
    let first = text.split_whitespace().next().unwrap_or_default();
    let (options, rest) = if KEY_TYPES.contains(&first) {
        (Options::default(), text)
    } else {
        let end = options_end(text)?;
        (parse_options(&text[..end])?, text[end..].trim_start())
    };
    let mut fields = rest.splitn(3, char::is_whitespace);
    let key_type = fields
        .next()
        .filter(|s| !s.is_empty())
        .ok_or(LineProblem::MissingKey)?;
    let blob = fields
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(LineProblem::MissingKey)?;
    let name = fields.next().map(str::trim).unwrap_or_default();
    let key = PublicKey::from_openssh(&format!("{key_type} {blob}")).map_err(|e| {
        LineProblem::BadKey {
            key_type: key_type.to_owned(),
            reason: e.to_string(),
        }
    })?;
    if name.is_empty() {
        return Err(LineProblem::MissingName);
    }
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    Ok(Some(AuthorizedKey {
        name: name.to_owned(),
        role: options.role.unwrap_or(Role::Viewer),
        from: options.from,
        key,
        fingerprint,
        line,
    }))
}

/// Where the options end: the first whitespace outside double quotes.
fn options_end(text: &str) -> Result<usize, LineProblem> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Ok(i),
            _ => {}
        }
    }
    if quoted {
        Err(LineProblem::UnclosedQuote)
    } else {
        Err(LineProblem::MissingKey)
    }
}

#[derive(Default)]
struct Options {
    role: Option<Role>,
    from: Option<FromPatterns>,
}

/// Options that only forbid what serve never offers anyway (forwarding, rc files): harmless.
const TOLERATED: &[&str] = &[
    "restrict",
    "no-port-forwarding",
    "no-agent-forwarding",
    "no-x11-forwarding",
    "no-user-rc",
    "port-forwarding",
    "agent-forwarding",
    "x11-forwarding",
    "user-rc",
    "pty",
];

/// Options whose meaning serve cannot honour; accepting them silently would be a lie.
const REFUSED: &[(&str, &str)] = &[
    ("command", "a forced command would be ignored"),
    ("environment", "serve sets no environment"),
    ("permitopen", "serve offers no forwarding"),
    ("permitlisten", "serve offers no forwarding"),
    ("tunnel", "serve offers no tunnels"),
    ("principals", "certificates are not accepted"),
    ("cert-authority", "certificates are not accepted"),
    ("expiry-time", "key expiry is not enforced"),
    ("no-pty", "the control room needs a terminal"),
    ("no-touch-required", "security-key flags are not checked"),
    ("verify-required", "security-key flags are not checked"),
];

fn parse_options(text: &str) -> Result<Options, LineProblem> {
    let mut options = Options::default();
    for option in split_unquoted(text, ',') {
        let (name, value) = match option.split_once('=') {
            Some((name, value)) => (name, Some(unquote(value, &option)?)),
            None => (option.as_str(), None),
        };
        let lower = name.to_ascii_lowercase();
        match (lower.as_str(), value) {
            ("role", Some(value)) => {
                if options.role.is_some() {
                    return Err(LineProblem::RepeatedOption("role".into()));
                }
                options.role = Some(match value.as_str() {
                    "operator" => Role::Operator,
                    "viewer" => Role::Viewer,
                    _ => return Err(LineProblem::UnknownRole(value)),
                });
            }
            ("from", Some(value)) => {
                if options.from.is_some() {
                    return Err(LineProblem::RepeatedOption("from".into()));
                }
                let patterns =
                    FromPatterns::parse(&value).map_err(|problem| LineProblem::BadFrom {
                        list: value.clone(),
                        problem,
                    })?;
                options.from = Some(patterns);
            }
            ("role" | "from", None) => return Err(LineProblem::MalformedOption(option.clone())),
            (flag, None) if TOLERATED.contains(&flag) => {}
            (name, _) => {
                if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == name) {
                    return Err(LineProblem::Unsupported {
                        option: name.to_owned(),
                        why,
                    });
                }
                return Err(LineProblem::UnknownOption(option.clone()));
            }
        }
    }
    Ok(options)
}

/// Splits on `sep` outside double quotes; a backslash inside quotes escapes the next character.
fn split_unquoted(text: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                current.push(c);
            }
            '\\' if quoted => {
                escaped = true;
                current.push(c);
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c == sep && !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// `"value"` → `value`, with `\"` → `"`.
fn unquote(value: &str, option: &str) -> Result<String, LineProblem> {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
        .ok_or_else(|| LineProblem::MalformedOption(option.to_owned()))?;
    Ok(inner.replace("\\\"", "\""))
}

/// A `from="…"` list: comma-separated address patterns, each a CIDR `address/masklen`, a plain
/// address, or a wildcard pattern (`*`, `?`), any of them negated with `!`. As in sshd with its
/// default `UseDNS no`, the client is known by its address only: a host-name pattern never
/// matches. A negated match refuses whatever else matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromPatterns {
    patterns: Vec<FromPattern>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FromPattern {
    negated: bool,
    kind: PatternKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternKind {
    Network {
        base: IpAddr,
        mask_len: u8,
    },
    /// Lower-cased; matched against the address as text.
    Wildcard(String),
}

impl FromPatterns {
    /// Parses a pattern list.
    ///
    /// # Errors
    /// An empty entry, a mask length too long for the address family, or a network address with
    /// host bits set (sshd refuses those too).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut patterns = Vec::new();
        for entry in list.split(',') {
            let entry = entry.trim();
            let (negated, body) = match entry.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, entry),
            };
            if body.is_empty() {
                return Err("an entry is empty".into());
            }
            let kind = parse_network(body)?
                .unwrap_or_else(|| PatternKind::Wildcard(body.to_ascii_lowercase()));
            patterns.push(FromPattern { negated, kind });
        }
        Ok(Self { patterns })
    }

    /// Whether a client at `addr` is admitted: some entry matches and no negated entry does.
    #[must_use]
    pub fn admits(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        let text = addr.to_string();
        let mut matched = false;
        for pattern in &self.patterns {
            let hit = match &pattern.kind {
                PatternKind::Network { base, mask_len } => in_network(addr, *base, *mask_len),
                PatternKind::Wildcard(glob) => wildcard_match(glob.as_bytes(), text.as_bytes()),
            };
            if hit && pattern.negated {
                return false;
            }
            matched |= hit;
        }
        matched
    }
}

/// `Ok(None)`: not an address or network, so a wildcard pattern.
fn parse_network(body: &str) -> Result<Option<PatternKind>, String> {
    let (addr, len) = match body.split_once('/') {
        Some((addr, len)) => (addr, Some(len)),
        None => (body, None),
    };
    let Ok(base) = addr.parse::<IpAddr>() else {
        if len.is_some() {
            return Err(format!("`{body}` is not an address/masklen network"));
        }
        return Ok(None);
    };
    let max = if base.is_ipv4() { 32 } else { 128 };
    let mask_len = match len {
        None => max,
        Some(len) => len
            .parse::<u8>()
            .ok()
            .filter(|l| *l <= max)
            .ok_or_else(|| format!("`{body}`: the mask length must be 0 to {max}"))?,
    };
    if masked(base, mask_len) != bits(base) {
        return Err(format!(
            "`{body}` has host bits set beyond /{mask_len}; write the network address"
        ));
    }
    Ok(Some(PatternKind::Network { base, mask_len }))
}

fn bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn masked(addr: IpAddr, mask_len: u8) -> u128 {
    let width = if addr.is_ipv4() { 32 } else { 128 };
    let host_bits = u32::from(width - mask_len);
    let mask = if host_bits >= 128 {
        0
    } else {
        (u128::MAX << host_bits) & (u128::MAX >> (128 - u32::from(width)))
    };
    bits(addr) & mask
}

fn in_network(addr: IpAddr, base: IpAddr, mask_len: u8) -> bool {
    addr.is_ipv4() == base.is_ipv4() && masked(addr, mask_len) == masked(base, mask_len)
}

/// OpenSSH's `match_pattern`: `*` any run, `?` any one character; `glob` is lower-case.
fn wildcard_match(glob: &[u8], text: &[u8]) -> bool {
    match glob.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| wildcard_match(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && wildcard_match(rest, &text[1..]),
        Some((c, rest)) => text
            .split_first()
            .is_some_and(|(t, tail)| t.eq_ignore_ascii_case(c) && wildcard_match(rest, tail)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// `ssh-keygen -t ed25519` public keys made for these tests.
    const KEY_A: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHLw/6SJ55dyuCwVQJ54tJCrAc1gGp4v+LvBHU7RHl/o";
    const KEY_B: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILE8+fkBcbu6kylthMh0PpqAnsHP5W1IoZEEWLtZGpg9";

    fn parse(text: &str) -> Result<AuthorizedKeys, KeysError> {
        AuthorizedKeys::parse(Path::new("/etc/dropday/authorized_keys"), text)
    }

    fn problem(text: &str) -> (usize, LineProblem) {
        match parse(text) {
            Err(KeysError::Line { line, problem, .. }) => (line, problem),
            other => panic!("expected a line error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn lines_give_name_role_and_from() {
        let cases: &[(&str, &str, Role, bool)] = &[
            (&format!("{KEY_A} maya"), "maya", Role::Viewer, false),
            (
                &format!("role=\"operator\" {KEY_A} maya"),
                "maya",
                Role::Operator,
                false,
            ),
            (
                &format!("role=\"viewer\" {KEY_A} Ana Lima"),
                "Ana Lima",
                Role::Viewer,
                false,
            ),
            (
                &format!("from=\"10.0.0.0/8,!10.9.9.9\",role=\"operator\" {KEY_A} ops"),
                "ops",
                Role::Operator,
                true,
            ),
            (
                &format!("restrict,no-pty-forwarding-is-not-here,role=\"operator\" {KEY_A} x"),
                "",
                Role::Viewer,
                false,
            ),
        ];
        for (line, name, role, has_from) in &cases[..4] {
            let keys = parse(line).unwrap();
            let key = keys.iter().next().unwrap();
            assert_eq!(&key.name, name, "{line}");
            assert_eq!(key.role, *role, "{line}");
            assert_eq!(key.from.is_some(), *has_from, "{line}");
            assert!(
                key.fingerprint.starts_with("SHA256:"),
                "{}",
                key.fingerprint
            );
            assert_eq!(key.line, 1);
        }
        // An unknown flag among tolerated ones is still refused.
        assert!(matches!(
            problem(cases[4].0).1,
            LineProblem::UnknownOption(_)
        ));
    }

    #[test]
    fn fingerprint_is_the_one_ssh_keygen_prints() {
        // `ssh-keygen -lf` on KEY_A's file.
        let keys = parse(&format!("{KEY_A} maya")).unwrap();
        let key = keys.iter().next().unwrap();
        assert_eq!(
            key.fingerprint,
            "SHA256:lax5egx+L+YJE8IjTHv9uI2rAVYaKolmxicroXyA/eU"
        );
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_and_lines_counted() {
        let text = format!("# team\n\n{KEY_A} maya\n   \n{KEY_B} ravi\n");
        let keys = parse(&text).unwrap();
        let lines: Vec<_> = keys.iter().map(|k| (k.name.as_str(), k.line)).collect();
        assert_eq!(lines, [("maya", 3), ("ravi", 5)]);
    }

    #[test]
    fn malformed_lines_name_the_file_and_line() {
        let cases: &[(String, usize, &str)] = &[
            (
                format!("{KEY_A} maya\nssh-ed25519"),
                2,
                "no key after the options",
            ),
            (KEY_A.to_string(), 1, "has no comment"),
            (
                "ssh-ed25519 AAAAnotbase64 maya".into(),
                1,
                "not a valid `ssh-ed25519`",
            ),
            (
                format!("role=\"admin\" {KEY_A} maya"),
                1,
                "role=\"admin\" is not a role",
            ),
            (format!("role=operator {KEY_A} maya"), 1, "malformed"),
            (
                format!("role=\"operator {KEY_A} maya"),
                1,
                "quotes are not closed",
            ),
            (
                format!("command=\"/bin/sh\" {KEY_A} maya"),
                1,
                "a forced command",
            ),
            (format!("no-pty {KEY_A} maya"), 1, "needs a terminal"),
            (
                format!("bogus {KEY_A} maya"),
                1,
                "not an OpenSSH or dropday option",
            ),
            (
                format!("from=\"10.0.0.1/8\" {KEY_A} maya"),
                1,
                "host bits set",
            ),
            (
                format!("from=\"10.0.0.0/33\" {KEY_A} maya"),
                1,
                "mask length",
            ),
            (
                format!("from=\"10.0.0.0/8,\" {KEY_A} maya"),
                1,
                "an entry is empty",
            ),
            (
                format!("role=\"viewer\",role=\"viewer\" {KEY_A} maya"),
                1,
                "given twice",
            ),
            (
                format!("{KEY_A} maya\n{KEY_A} maya again"),
                2,
                "already on line 1",
            ),
        ];
        for (text, line, needle) in cases {
            let error = parse(text).expect_err(text);
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("/etc/dropday/authorized_keys, line {line}: ")),
                "{message}"
            );
            assert!(message.contains(needle), "{text:?} → {message}");
        }
    }

    #[test]
    fn from_patterns_follow_openssh() {
        let cases: &[(&str, &str, bool)] = &[
            ("10.0.0.0/8", "10.1.2.3", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("10.0.0.0/8,!10.9.9.9", "10.9.9.9", false),
            ("!10.9.9.9,10.0.0.0/8", "10.9.9.8", true),
            ("192.168.1.?", "192.168.1.7", true),
            ("192.168.1.?", "192.168.1.70", false),
            ("192.168.*", "192.168.44.1", true),
            ("*,!203.0.113.0/24", "203.0.113.5", false),
            ("*,!203.0.113.0/24", "198.51.100.1", true),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "::ffff:127.0.0.1", true),
            ("::1", "::1", true),
            ("2001:db8::/32", "2001:db8::5", true),
            ("2001:db8::/32", "10.0.0.1", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("*.example.com", "10.0.0.1", false),
            ("!10.0.0.1", "10.0.0.2", false),
        ];
        for (list, addr, expected) in cases {
            let patterns = FromPatterns::parse(list).unwrap();
            let addr: IpAddr = addr.parse().unwrap();
            assert_eq!(
                patterns.admits(addr),
                *expected,
                "from=\"{list}\" for {addr}"
            );
        }
    }

    #[test]
    fn admit_tells_unknown_key_from_wrong_source() {
        let keys = parse(&format!("from=\"10.0.0.0/8\" {KEY_A} maya")).unwrap();
        let a = PublicKey::from_openssh(KEY_A).unwrap();
        let b = PublicKey::from_openssh(KEY_B).unwrap();
        assert_eq!(
            keys.admit(&a, "10.2.3.4".parse().unwrap()).unwrap().name,
            "maya"
        );
        assert_eq!(
            keys.admit(&a, "192.0.2.1".parse().unwrap()).unwrap_err(),
            Refusal::SourceNotAllowed
        );
        assert_eq!(
            keys.admit(&b, "10.2.3.4".parse().unwrap()).unwrap_err(),
            Refusal::UnknownKey
        );
    }
}
