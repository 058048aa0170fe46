//! The server's own identity: an Ed25519 key in OpenSSH format, made on first start and kept, so
//! people can check its fingerprint once and their `known_hosts` stays right across restarts.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rand::TryRngCore;
use rand::rngs::OsRng;
use russh::keys::PrivateKey;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::ssh_key::{Algorithm, HashAlg, LineEnding};

/// The host key, ready for the server.
#[derive(Debug)]
pub struct HostKey {
    /// The Ed25519 private key the server proves itself with.
    pub key: PrivateKey,
    /// `SHA256:…`, what `ssh` shows on first connect and `ssh-keygen -lf` prints.
    pub fingerprint: String,
    /// Made on this start (print it prominently), rather than read from the file.
    pub created: bool,
}

/// Why the host key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HostKeyError {
    #[error(
        "the host key {} can be read by others (mode {mode:03o}); run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    /// The file's mode lets group or others read it.
    ReadableByOthers {
        /// The host key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    #[error("cannot read the host key {}: {source}", path.display())]
    /// The file exists but could not be read.
    Read {
        /// The host key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    #[error("the host key {} is not an OpenSSH private key: {reason}", path.display())]
    /// The file is not an OpenSSH private key.
    NotAKey {
        /// The host key file.
        path: PathBuf,
        /// What the parser said.
        reason: String,
    },
    #[error("the host key {} is {algorithm}; dropday serve uses Ed25519 — move the file away and a new key is made", path.display())]
    /// The key is of another algorithm.
    NotEd25519 {
        /// The host key file.
        path: PathBuf,
        /// The algorithm it is.
        algorithm: String,
    },
    #[error("the host key {} is protected by a passphrase; serve cannot ask for one — use an unencrypted key", path.display())]
    /// The key needs a passphrase.
    Encrypted {
        /// The host key file.
        path: PathBuf,
    },
    #[error("cannot write the new host key {}: {source}", path.display())]
    /// A new key could not be written.
    Write {
        /// The host key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    #[error("cannot make a host key: {0}")]
    /// Key generation failed (the random source).
    Generate(String),
}

/// Reads the host key at `path`, or makes one there (mode 0600, its folder 0700) when none exists.
///
/// # Errors
/// An existing key that others can read, that is not an unencrypted Ed25519 OpenSSH key, or a
/// file that cannot be read or written.
pub fn load_or_create(path: &Path) -> Result<HostKey, HostKeyError> {
    match std::fs::metadata(path) {
        Ok(_) => load(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match create(path) {
            // Another process made it between our look and our write: use theirs.
            Err(HostKeyError::Write { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                load(path)
            }
            other => other,
        },
        Err(source) => Err(HostKeyError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn load(path: &Path) -> Result<HostKey, HostKeyError> {
    let read_error = |source| HostKeyError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mode = std::fs::metadata(path)
        .map_err(read_error)?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(HostKeyError::ReadableByOthers {
            path: path.to_path_buf(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(read_error)?;
    let key = PrivateKey::from_openssh(text.as_bytes()).map_err(|e| HostKeyError::NotAKey {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if key.is_encrypted() {
        return Err(HostKeyError::Encrypted {
            path: path.to_path_buf(),
        });
    }
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(HostKeyError::NotEd25519 {
            path: path.to_path_buf(),
            algorithm: key.algorithm().to_string(),
        });
    }
    Ok(HostKey {
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        key,
        created: false,
    })
}

fn create(path: &Path) -> Result<HostKey, HostKeyError> {
    let write_error = |source| HostKeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut seed = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut seed)
        .map_err(|e| HostKeyError::Generate(e.to_string()))?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    seed.fill(0);
    key.set_comment("dropday serve host key");
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| HostKeyError::Generate(e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(write_error)?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(write_error)?;
    file.write_all(text.as_bytes()).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    Ok(HostKey {
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        key,
        created: true,
    })
}

/// `$XDG_STATE_HOME/dropday/host_key`, or `~/.local/state/dropday/host_key`.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|home| home.join(".local").join("state")))
        .map(|state| state.join("dropday").join("host_key"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn made_once_with_mode_0600_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("dropday").join("host_key");
        let first = load_or_create(&path).unwrap();
        assert!(first.created);
        assert!(first.fingerprint.starts_with("SHA256:"));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"),
            "{text}"
        );
        let second = load_or_create(&path).unwrap();
        assert!(!second.created);
        assert_eq!(second.fingerprint, first.fingerprint);
    }

    #[test]
    fn a_key_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host_key");
        load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let message = load_or_create(&path).unwrap_err().to_string();
        assert!(
            message.contains("can be read by others (mode 640)"),
            "{message}"
        );
        assert!(message.contains("chmod 600"), "{message}");
    }

    #[test]
    fn a_file_that_is_not_a_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host_key");
        std::fs::write(&path, "hello").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let message = load_or_create(&path).unwrap_err().to_string();
        assert!(
            message.contains("is not an OpenSSH private key"),
            "{message}"
        );
    }
}
