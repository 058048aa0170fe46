//! The audit trail of control actions: one JSON line per action, written when its final outcome
//! is known, so an operator can later answer "who paused hoodie-01, from where, and did it apply".
//!
//! A record never holds a token or any other credential: only who, where from, what, and what
//! came of it. Writing the records is the launch code's job (`crate::room::audit_log`); the
//! state machine only hands them out as effects.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who is operating: read once from the environment at start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// `$USER` (or `$LOGNAME`), else the login name of the process's uid.
    pub user: Option<String>,
    /// First field of `$SSH_CLIENT` (the address the operator connected from), when set.
    pub ssh_client: Option<String>,
    /// The person's name from a served room's `authorized_keys` (the key's comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// `SHA256:…` of the key a served session was opened with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
}

impl Operator {
    /// The name the room shows for this person: the key's name in a served room, else the
    /// local user, else `someone`.
    #[must_use]
    pub fn display_name(&self) -> &str {
        self.key_name
            .as_deref()
            .or(self.user.as_deref())
            .unwrap_or("someone")
    }

    /// The operator as the process environment describes it: `$USER`, else `$LOGNAME`, else
    /// `login_name` (the launch code passes the passwd name of the process's uid: a service or
    /// `env -i` has neither variable, and `"user": null` in the audit answers nobody).
    #[must_use]
    pub fn from_env(login_name: impl FnOnce() -> Option<String>) -> Self {
        Self::from_vars(|name| std::env::var(name).ok(), login_name)
    }

    /// [`Self::from_env`] with the variables read through `var`.
    #[must_use]
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        login_name: impl FnOnce() -> Option<String>,
    ) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        Self {
            user: var("USER").or_else(|| var("LOGNAME")).or_else(login_name),
            ssh_client: var("SSH_CLIENT")
                .and_then(|v| v.split_whitespace().next().map(str::to_owned)),
            key_name: None,
            key_fingerprint: None,
        }
    }
}

/// How a control action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The server applied it.
    Applied,
    /// The server refused it.
    Refused,
    /// No usable answer after every attempt: it may or may not have been applied.
    Unknown,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// When the final outcome arrived (local clock).
    pub time: DateTime<Utc>,
    /// The operator's login (`$USER`, else `$LOGNAME`, else the login name of the uid).
    pub user: Option<String>,
    /// Where the operator's SSH session comes from (`$SSH_CLIENT`'s address), when over SSH.
    pub ssh_client: Option<String>,
    /// The key's name, for an action sent from a served session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// The key's `SHA256:…` fingerprint, for an action sent from a served session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// The configured environment name (`prod`, `staging`, `demo`, …).
    pub environment: String,
    /// Id of the drop the action changed.
    pub drop: String,
    /// `pause`, `resume` or `price_band`.
    pub action: String,
    /// The action's parameters, e.g. `{"band": "C"}`; empty for pause and resume.
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// The key every attempt of the action carried, so the server applies it at most once.
    pub idempotency_key: String,
    /// How the action ended.
    pub outcome: AuditOutcome,
    /// The refusal (`below_margin_floor: …`) or the last failure, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// HTTP attempts made under the one idempotency key.
    pub attempts: u32,
    /// From the first attempt sent to the final answer, in milliseconds.
    pub latency_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_falls_back_to_logname_then_the_login_name() {
        let login = || Some("ana".to_owned());
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let cases: &[(&'static [(&'static str, &'static str)], &str)] = &[
            (&[("USER", "maya"), ("LOGNAME", "m")], "maya"),
            (&[("USER", " "), ("LOGNAME", "m")], "m"),
            (&[], "ana"),
        ];
        for (env, expected) in cases {
            let operator = Operator::from_vars(vars(env), login);
            assert_eq!(operator.user.as_deref(), Some(*expected), "{env:?}");
        }
        let operator = Operator::from_vars(vars(&[("SSH_CLIENT", "10.0.0.7 5022 22")]), login);
        assert_eq!(operator.ssh_client.as_deref(), Some("10.0.0.7"));
    }
}
