//! The deployment's secret key: 256 random bits in a file
//! (`BACKOFFICE_SECRET_KEY_FILE`, by default `secret.key` in the data
//! folder, made `0600` at first start). It never enters the database, so a
//! copy of the database alone reveals no signing key and forges no device
//! cookie. Every replica of a deployment reads the same file.
//!
//! Each use gets its own key derived from it (`derive`), so a key for one
//! purpose never doubles as another's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

pub struct SecretKey([u8; 32]);

#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt: the data was sealed with another secret key, or altered")]
pub struct OpenError;

impl SecretKey {
    /// Reads the key from `path`, or makes it there (readable by this user
    /// only) when the file does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<SecretKey> {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretKey::parse(text.trim()).map_err(|reason| {
                anyhow::anyhow!(
                    "the secret key file {} (BACKOFFICE_SECRET_KEY_FILE) {reason}",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SecretKey::create(path),
            Err(e) => Err(anyhow::anyhow!(
                "cannot read the secret key file {} (BACKOFFICE_SECRET_KEY_FILE): {e}",
                path.display()
            )),
        }
    }

    fn parse(text: &str) -> Result<SecretKey, &'static str> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| "is not base64url")?;
        bytes
            .try_into()
            .map(SecretKey)
            .map_err(|_| "does not hold 32 bytes")
    }

    fn create(path: &Path) -> anyhow::Result<SecretKey> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(path).and_then(|mut file| {
            file.write_all(format!("{}\n", URL_SAFE_NO_PAD.encode(bytes)).as_bytes())?;
            file.sync_all()
        });
        match written {
            Ok(()) => {
                tracing::info!(file = %path.display(), "made a new secret key");
                Ok(SecretKey(bytes))
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                SecretKey::load_or_create(path)
            }
            Err(e) => Err(anyhow::anyhow!(
                "cannot write the secret key file {}: {e}",
                path.display()
            )),
        }
    }

    /// A key for one `purpose` only: SHA-256 over a fixed label, the key
    /// and the purpose (fixed-length key first, so no purpose can extend
    /// another's input).
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        Sha256::new()
            .chain_update(b"backoffice secret key v1\0")
            .chain_update(self.0)
            .chain_update(purpose.as_bytes())
            .finalize()
            .into()
    }

    /// Encrypts and authenticates `plaintext` for `purpose`; base64url of
    /// a random nonce and the ciphertext.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new(&self.derive(purpose).into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// The plaintext `seal` was given, if this key sealed it for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| OpenError)?;
        if bytes.len() < 24 {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        XChaCha20Poly1305::new(&self.derive(purpose).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| OpenError)
    }

    #[cfg(test)]
    pub fn for_tests(byte: u8) -> SecretKey {
        SecretKey([byte; 32])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_with_the_same_key_and_purpose_only() {
        let key = SecretKey::for_tests(7);
        let sealed = key.seal("signing-key", b"seed bytes");
        assert_eq!(
            key.open("signing-key", &sealed).ok().as_deref(),
            Some(&b"seed bytes"[..])
        );
        assert!(key.open("device-cookie", &sealed).is_err());
        assert!(SecretKey::for_tests(8)
            .open("signing-key", &sealed)
            .is_err());
        assert_ne!(key.derive("a"), key.derive("b"));
    }

    #[test]
    fn the_key_file_is_made_once_readable_by_its_owner_only() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("secret.key");
        let first = SecretKey::load_or_create(&path)?;
        let again = SecretKey::load_or_create(&path)?;
        assert_eq!(first.derive("x"), again.derive("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path)?.permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&path, "not a key")?;
        let refused = SecretKey::load_or_create(&path)
            .err()
            .map(|e| e.to_string());
        assert!(refused.is_some_and(|m| m.contains("BACKOFFICE_SECRET_KEY_FILE")));
        Ok(())
    }
}
