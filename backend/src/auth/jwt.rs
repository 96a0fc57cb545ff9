//! Access tokens: short-lived JWTs signed with the key ring, verifiable by
//! any service that reads `/.well-known/jwks.json`.

use crate::auth::keys::KeyRing;
use jsonwebtoken::{Algorithm, Header, Validation};
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
}

pub fn sign(keys: &KeyRing, claims: &AccessClaims) -> Result<String, TokenError> {
    let key = keys.signing_key().ok_or(TokenError::NoKey)?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.encoding)?)
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
