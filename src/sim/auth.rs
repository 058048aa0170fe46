//! Bearer tokens: who may read the feeds and who may operate the drops.
//!
//! With no token configured everything is open. With any token configured, reads need one of the
//! configured tokens and control needs the operate token: 401 without a token or with one the
//! simulator does not know, 403 with the read token.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Operate,
}

/// Why a request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denied {
    /// 401: no token, or not one of ours.
    Unauthenticated(&'static str),
    /// 403: a read token on a control request.
    Forbidden,
}

/// The configured tokens.
#[derive(Clone, Default)]
pub(crate) struct Tokens {
    pub read: Option<String>,
    pub operate: Option<String>,
}

/// Shows whether tokens are set, never the tokens.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("read", &self.read.as_ref().map(|_| "<set>"))
            .field("operate", &self.operate.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl Tokens {
    /// Checks the request's `Authorization: Bearer …` for `access`.
    pub fn check(&self, headers: &HeaderMap, access: Access) -> Result<(), Denied> {
        if self.read.is_none() && self.operate.is_none() {
            return Ok(());
        }
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Err(Denied::Unauthenticated(
                "this feed needs `Authorization: Bearer <token>`",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let is = |configured: &Option<String>| {
            configured
                .as_deref()
                .zip(token)
                .is_some_and(|(c, t)| constant_time_eq(c.as_bytes(), t.as_bytes()))
        };
        let (operate, read) = (is(&self.operate), is(&self.read));
        match access {
            Access::Operate if operate => Ok(()),
            Access::Operate if read => Err(Denied::Forbidden),
            Access::Read if operate || read => Ok(()),
            _ => Err(Denied::Unauthenticated(
                "the bearer token is not accepted here",
            )),
        }
    }
}

/// Compares without stopping at the first difference, so response time does not leak a prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_token(token: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("ascii");
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn reads_need_any_token_and_control_the_operate_token() {
        let tokens = Tokens {
            read: Some("r".to_owned()),
            operate: Some("o".to_owned()),
        };
        let check = |t, a| tokens.check(&with_token(t), a);
        assert!(check(Some("r"), Access::Read).is_ok());
        assert!(check(Some("o"), Access::Read).is_ok());
        assert!(matches!(
            check(None, Access::Read),
            Err(Denied::Unauthenticated(_))
        ));
        assert!(matches!(
            check(Some("x"), Access::Read),
            Err(Denied::Unauthenticated(_))
        ));
        assert!(check(Some("o"), Access::Operate).is_ok());
        assert_eq!(check(Some("r"), Access::Operate), Err(Denied::Forbidden));
        assert!(matches!(
            check(None, Access::Operate),
            Err(Denied::Unauthenticated(_))
        ));
    }

    #[test]
    fn no_tokens_means_open() {
        let tokens = Tokens::default();
        assert!(tokens.check(&with_token(None), Access::Operate).is_ok());
    }
}
