//! Where dropday keeps its files: the XDG base directories on Linux and macOS alike
//! (`~/.config/dropday`, `~/.local/state/dropday`), as k9s and most terminal tools do, not
//! macOS's `Application Support`. The environment is a parameter, so tests inject one instead
//! of changing the process's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, Offset, Utc};

/// The environment variables the paths depend on.
pub trait Environment {
    /// The value of `name`, `None` when unset.
    fn var(&self, name: &str) -> Option<OsString>;

    /// The user's home: `$HOME` when it is an absolute path.
    fn home(&self) -> Option<PathBuf> {
        absolute(self.var("HOME"))
    }

    /// The system's time zone setting as an IANA name (`ui.timezone = "local"` without `TZ`);
    /// an environment made of variables only has none.
    fn system_zone(&self) -> Option<String> {
        None
    }

    /// The machine's offset from UTC now, for a local zone without a name; an environment
    /// made of variables only is at UTC.
    fn local_offset(&self) -> FixedOffset {
        Utc.fix()
    }
}

/// The process's own environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }

    /// `$HOME`, else the account's home directory from the system (`HOME` unset under some
    /// service managers).
    fn home(&self) -> Option<PathBuf> {
        dirs::home_dir()
    }

    /// `/etc/localtime`'s link on Linux, the system preference on macOS (iana-time-zone).
    fn system_zone(&self) -> Option<String> {
        iana_time_zone::get_timezone().ok()
    }

    /// The C library's reading of the zone (`TZ` included, POSIX rules too), now.
    fn local_offset(&self) -> FixedOffset {
        chrono::Local::now().offset().fix()
    }
}

/// `$XDG_CONFIG_HOME/dropday`, else `~/.config/dropday`.
#[must_use]
pub fn config_dir(env: &impl Environment) -> Option<PathBuf> {
    base_dir(env, "XDG_CONFIG_HOME", ".config").map(|d| d.join("dropday"))
}

/// `$XDG_STATE_HOME/dropday`, else `~/.local/state/dropday` (the audit log lives here).
#[must_use]
pub fn state_dir(env: &impl Environment) -> Option<PathBuf> {
    base_dir(env, "XDG_STATE_HOME", ".local/state").map(|d| d.join("dropday"))
}

/// The user's home directory.
#[must_use]
pub fn home_dir(env: &impl Environment) -> Option<PathBuf> {
    env.home()
}

/// `~/rest` expanded against `$HOME`; any other path as written.
#[must_use]
pub fn expand_home(path: &str, env: &impl Environment) -> PathBuf {
    match (path.strip_prefix("~/"), home_dir(env)) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// The XDG spec: a variable that is unset, empty or relative is ignored.
fn base_dir(env: &impl Environment, variable: &str, under_home: &str) -> Option<PathBuf> {
    absolute(env.var(variable)).or_else(|| home_dir(env).map(|home| home.join(under_home)))
}

fn absolute(value: Option<OsString>) -> Option<PathBuf> {
    value
        .map(PathBuf::from)
        .filter(|path| Path::is_absolute(path))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// An environment made of the given variables only.
    struct Vars(HashMap<&'static str, &'static str>);

    impl Environment for Vars {
        fn var(&self, name: &str) -> Option<OsString> {
            self.0.get(name).map(OsString::from)
        }
    }

    fn env(vars: &[(&'static str, &'static str)]) -> Vars {
        Vars(vars.iter().copied().collect())
    }

    #[test]
    fn without_xdg_variables_the_dirs_are_under_home() {
        let home = env(&[("HOME", "/home/ops")]);
        assert_eq!(
            config_dir(&home),
            Some(PathBuf::from("/home/ops/.config/dropday"))
        );
        assert_eq!(
            state_dir(&home),
            Some(PathBuf::from("/home/ops/.local/state/dropday"))
        );
    }

    #[test]
    fn xdg_variables_win_over_home() {
        let vars = env(&[
            ("HOME", "/home/ops"),
            ("XDG_CONFIG_HOME", "/etc/ops-config"),
            ("XDG_STATE_HOME", "/var/lib/ops"),
        ]);
        assert_eq!(
            config_dir(&vars),
            Some(PathBuf::from("/etc/ops-config/dropday"))
        );
        assert_eq!(
            state_dir(&vars),
            Some(PathBuf::from("/var/lib/ops/dropday"))
        );
    }

    #[test]
    fn empty_or_relative_xdg_variables_are_ignored() {
        let vars = env(&[
            ("HOME", "/home/ops"),
            ("XDG_CONFIG_HOME", ""),
            ("XDG_STATE_HOME", "relative/state"),
        ]);
        assert_eq!(
            config_dir(&vars),
            Some(PathBuf::from("/home/ops/.config/dropday"))
        );
        assert_eq!(
            state_dir(&vars),
            Some(PathBuf::from("/home/ops/.local/state/dropday"))
        );
    }

    #[test]
    fn no_home_and_no_xdg_means_no_dir() {
        let none = env(&[]);
        assert_eq!(config_dir(&none), None);
        assert_eq!(state_dir(&none), None);
        assert_eq!(
            expand_home("~/audit.jsonl", &none),
            PathBuf::from("~/audit.jsonl")
        );
    }

    #[test]
    fn a_tilde_path_is_expanded_against_home() {
        let home = env(&[("HOME", "/home/ops")]);
        assert_eq!(
            expand_home("~/logs/audit.jsonl", &home),
            PathBuf::from("/home/ops/logs/audit.jsonl")
        );
        assert_eq!(expand_home("/abs/a", &home), PathBuf::from("/abs/a"));
    }
}
