//! Bearer tokens, kept out of every printed form.

use std::fmt;

/// A bearer token. `Debug` and `Display` never show it, so a token cannot leak into logs,
/// error messages, panic output or `status` output by formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token read from the environment or a token file (surrounding whitespace removed).
    #[must_use]
    pub fn new(raw: &str) -> Self {
        Token(raw.trim().to_owned())
    }

    /// The `Authorization` header value. Only the HTTP layer calls this.
    #[must_use]
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// The token itself, for a mapped feed's header template (`X-Shopify-Access-Token:
    /// {token}`). Only the HTTP layer calls this.
    #[must_use]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is empty (an empty variable is treated as no token).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::Token;

    #[test]
    fn formatting_never_shows_the_token() {
        let token = Token::new("  s3cret-value\n");
        assert_eq!(format!("{token:?} {token}"), "Token(***) ***");
        assert_eq!(token.bearer(), "Bearer s3cret-value");
    }
}
