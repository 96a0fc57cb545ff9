//! Opaque secrets handed to clients (refresh tokens, later reset links):
//! 256 random bits, base64url, stored only as their SHA-256.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A freshly made secret and the hash to store.
pub struct SecretToken {
    pub plaintext: String,
    pub hash: String,
}

impl SecretToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let plaintext = URL_SAFE_NO_PAD.encode(bytes);
        let hash = hash_token(&plaintext);
        SecretToken { plaintext, hash }
    }
}

/// The stored form of a presented secret.
pub fn hash_token(plaintext: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(plaintext.as_bytes()))
}

/// A random password for a first administrator: 20 characters from an
/// alphabet without look-alikes (about 115 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // 256 is not a multiple of the alphabet's length; rejection sampling
    // keeps every character equally likely.
    let mut out = String::with_capacity(20);
    let limit = 256 - (256 % ALPHABET.len());
    let mut rng = rand::rngs::OsRng;
    for mut byte in bytes {
        while usize::from(byte) >= limit {
            byte = (rng.next_u32() & 0xff) as u8;
        }
        out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_eq!(a.plaintext.len(), 43);
        assert_ne!(a.plaintext, b.plaintext);
        assert_eq!(hash_token(&a.plaintext), a.hash);
        assert_ne!(a.hash, a.plaintext);
    }

    #[test]
    fn random_passwords_have_twenty_unambiguous_characters() {
        let password = random_password();
        assert_eq!(password.chars().count(), 20);
        assert!(!password.contains(['0', 'O', 'l', '1', 'I']));
    }
}
