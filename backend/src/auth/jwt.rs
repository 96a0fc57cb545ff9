//! Access tokens: short-lived JWTs signed with the key ring, verifiable by
//! any service that reads `/.well-known/jwks.json`.

use crate::auth::keys::KeyRing;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::Signer;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use shared::Role;

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
/// base64url. Signed here rather than by `jsonwebtoken::encode`, which
/// re-reads the key from PKCS#8 and derives its public half for every
/// token (over half the cost of signing, BENCHMARKS.md); checking stays
/// with `jsonwebtoken`, and the tests check these tokens with it.
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
    validation.leeway = 5;
    Ok(jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)?.claims)
}
