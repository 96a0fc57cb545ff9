//! Access tokens: short-lived JWTs signed with the key ring, verifiable by
//! any service that reads `/.well-known/jwks.json`.

use crate::auth::keys::KeyRing;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::Signer;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use shared::Role;
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The account id.
    pub sub: String,
    /// The tenant id; a token is refused on every other tenant.
    pub tenant: String,
    /// The session id; a revoked session's tokens are refused at once.
    pub sid: String,
    pub role: Role,
    /// Facility ids; empty for network-wide roles.
    pub facilities: Vec<String>,
    pub locale: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no signing key is loaded")]
    NoKey,
    #[error("unknown key id")]
    UnknownKey,
    #[error(transparent)]
    Jwt(#[from] jsonwebtoken::errors::Error),
    #[error("claims: {0}")]
    Claims(#[from] serde_json::Error),
}

/// Signs `claims` with the newest key as a compact JWS (RFC 7515): the
/// key's header, the claims, and the Ed25519 signature of both, each
/// base64url. Signed here with the key already parsed, rather than by
/// `jsonwebtoken::encode`, which wants a PKCS#8 copy of every key
/// (docs/decisions/0007); checking stays with `jsonwebtoken`, and the tests
/// check these tokens with it.
pub fn sign(keys: &KeyRing, claims: &AccessClaims) -> Result<String, TokenError> {
    let key = keys.signing_key().ok_or(TokenError::NoKey)?;
    let payload = serde_json::to_vec(claims)?;
    let mut token = String::with_capacity(key.header_b64.len() + payload.len() * 4 / 3 + 92);
    token.push_str(&key.header_b64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let signature = key.signing.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature.to_bytes(), &mut token);
    Ok(token)
}

/// The `kid` a token names, read before its signature is checked.
pub fn key_id(token: &str) -> Result<String, TokenError> {
    jsonwebtoken::decode_header(token)?
        .kid
        .ok_or(TokenError::UnknownKey)
}

/// Checks signature, algorithm, issuer, audience and expiry.
pub fn verify(
    keys: &KeyRing,
    token: &str,
    issuer: &str,
    audience: &str,
) -> Result<AccessClaims, TokenError> {
    let kid = key_id(token)?;
    let key = keys.find(&kid).ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECONDS.unsigned_abs();
    Ok(jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)?.claims)
}

/// Seconds of clock skew allowed on `exp`, by the check and the memory alike.
const LEEWAY_SECONDS: i64 = 5;

/// Tokens this replica has verified lately, with their claims. Every
/// authenticated request presents its token again, and the Ed25519 check
/// was the largest single cost of an authenticated read
/// (docs/decisions/0027). A token's signature and claims cannot change, so
/// a token remembered here is valid until its `exp`, exactly as a fresh
/// check would find; revocation is not a property of the token and is
/// still checked on every request (the session row). Only tokens that
/// passed the full check enter, so nobody can fill it without valid tokens.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: RwLock<HashMap<String, AccessClaims>>,
}

/// Tokens remembered at most; when full, the expired ones are forgotten,
/// and if that frees nothing, all of them.
const REMEMBERED: usize = 4_096;

impl VerifiedTokens {
    /// The claims of `token` if it was verified and has not expired.
    fn get(&self, token: &str, now: i64) -> Option<AccessClaims> {
        let entries = self.entries.read().ok()?;
        entries
            .get(token)
            .filter(|claims| claims.exp + LEEWAY_SECONDS > now)
            .cloned()
    }

    fn remember(&self, token: &str, claims: &AccessClaims, now: i64) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= REMEMBERED {
                entries.retain(|_, kept| kept.exp + LEEWAY_SECONDS > now);
            }
            if entries.len() >= REMEMBERED {
                entries.clear();
            }
            entries.insert(token.to_owned(), claims.clone());
        }
    }

    /// [`verify`], answered from memory when `token` was verified before.
    pub fn verify(
        &self,
        keys: &KeyRing,
        token: &str,
        issuer: &str,
        audience: &str,
    ) -> Result<AccessClaims, TokenError> {
        let now = chrono::Utc::now().timestamp();
        if let Some(claims) = self.get(token, now) {
            return Ok(claims);
        }
        let claims = verify(keys, token, issuer, audience)?;
        self.remember(token, &claims, now);
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> AccessClaims {
        AccessClaims {
            sub: "u".to_owned(),
            tenant: "t".to_owned(),
            sid: "s".to_owned(),
            role: Role::Administrator,
            facilities: Vec::new(),
            locale: "en".to_owned(),
            iss: "backoffice".to_owned(),
            aud: "backoffice".to_owned(),
            iat: exp - 900,
            exp,
        }
    }

    #[test]
    fn a_remembered_token_counts_until_its_expiry_and_no_other_token_does() {
        let memory = VerifiedTokens::default();
        memory.remember("token-a", &claims(1_000), 900);
        assert_eq!(memory.get("token-a", 990), Some(claims(1_000)));
        assert_eq!(memory.get("token-a", 1_000 + LEEWAY_SECONDS), None);
        assert_eq!(memory.get("token-a.", 990), None);
        assert_eq!(memory.get("token-b", 990), None);
    }

    #[test]
    fn the_memory_is_bounded_and_forgets_expired_tokens_first() {
        let memory = VerifiedTokens::default();
        let held = |memory: &VerifiedTokens| memory.entries.read().map(|e| e.len()).unwrap_or(0);
        // Half the entries expire at 1,000, half live on to 5,000.
        for i in 0..REMEMBERED {
            let exp = if i % 2 == 0 { 1_000 } else { 5_000 };
            memory.remember(&format!("token-{i}"), &claims(exp), 900);
        }
        assert_eq!(held(&memory), REMEMBERED);
        memory.remember("one more", &claims(5_000), 2_000);
        assert_eq!(held(&memory), REMEMBERED / 2 + 1, "only the expired went");
        assert!(memory.get("token-1", 2_000).is_some());
        // Full of live tokens: the memory starts afresh rather than grow.
        let fresh = VerifiedTokens::default();
        for i in 0..=REMEMBERED {
            fresh.remember(&format!("token-{i}"), &claims(5_000), 900);
        }
        assert!(held(&fresh) <= REMEMBERED);
    }
}
