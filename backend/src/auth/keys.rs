//! The key ring that signs access tokens (Ed25519, `EdDSA`) and publishes
//! its public halves at `/.well-known/jwks.json`. Keys live in the database
//! so every replica signs and verifies with the same set. A new key is made
//! when the newest is older than the rotation period; older keys stay
//! published for another period, so rotation logs nobody out.

use crate::db::DbConnection;
use crate::model::signing_key::SigningKeyRow;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{NaiveDateTime, TimeDelta};
use jsonwebtoken::DecodingKey;
use rand::RngCore;
use serde::Serialize;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub const ALGORITHM: &str = "EdDSA";

pub struct LoadedKey {
    pub kid: String,
    pub created_at: NaiveDateTime,
    /// Ready to sign: parsing and deriving it once, not per token.
    pub signing: ed25519_dalek::SigningKey,
    /// The JWS header every token of this key carries, base64url-encoded.
    pub header_b64: String,
    pub decoding: DecodingKey,
    public_x: String,
}

/// One entry of the JWKS document (RFC 8037 OKP key).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub usage: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

pub struct KeyRing {
    rotation: Duration,
    keys: RwLock<Arc<Vec<Arc<LoadedKey>>>>,
    last_unplanned_reload: Mutex<Option<Instant>>,
}

/// A token naming an unknown key may be one a new key of another replica
/// signed; reload for it at most this often, so garbage tokens cannot make
/// every request hit the database.
const UNPLANNED_RELOAD_GAP: Duration = Duration::from_secs(5);

fn load(row: &SigningKeyRow) -> anyhow::Result<LoadedKey> {
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&row.private_key)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("signing key {} is not 32 bytes", row.kid))?;
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let public = signing.verifying_key().to_bytes();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(row.kid.clone());
    Ok(LoadedKey {
        kid: row.kid.clone(),
        created_at: row.created_at,
        signing,
        header_b64: URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
        decoding: DecodingKey::from_ed_der(&public),
        public_x: URL_SAFE_NO_PAD.encode(public),
    })
}

fn new_key_row(now: NaiveDateTime) -> SigningKeyRow {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    SigningKeyRow {
        kid: crate::model::new_id(),
        algorithm: ALGORITHM.to_owned(),
        private_key: URL_SAFE_NO_PAD.encode(seed),
        public_key: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
        created_at: now,
    }
}

impl KeyRing {
    /// Loads the keys, making the first (or a rotated) one if needed.
    pub fn open(conn: &mut DbConnection, rotation: Duration) -> anyhow::Result<KeyRing> {
        let ring = KeyRing {
            rotation,
            keys: RwLock::new(Arc::new(Vec::new())),
            last_unplanned_reload: Mutex::new(None),
        };
        ring.refresh(conn)?;
        Ok(ring)
    }

    fn period(&self) -> TimeDelta {
        TimeDelta::from_std(self.rotation).unwrap_or(TimeDelta::MAX)
    }

    /// Rotates if due, forgets keys two periods old, and reloads. Every
    /// replica runs it now and then, and on meeting a `kid` it lacks.
    pub fn refresh(&self, conn: &mut DbConnection) -> anyhow::Result<()> {
        let now = crate::model::now();
        let period = self.period();
        let mut rows = SigningKeyRow::created_since(conn, now - period - period)?;
        if rows
            .first()
            .is_none_or(|newest| newest.created_at + period <= now)
        {
            let row = new_key_row(now);
            row.insert(conn)?;
            tracing::info!(kid = %row.kid, "made a new token signing key");
            SigningKeyRow::delete_before(conn, now - period - period)?;
            rows.insert(0, row);
        }
        let loaded = rows
            .iter()
            .map(|row| load(row).map(Arc::new))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if let Ok(mut keys) = self.keys.write() {
            *keys = Arc::new(loaded);
        }
        Ok(())
    }

    /// Whether a reload for an unknown `kid` may run now; claims the slot.
    pub fn may_reload_for_unknown_key(&self) -> bool {
        let Ok(mut last) = self.last_unplanned_reload.lock() else {
            return false;
        };
        if last.is_some_and(|at| at.elapsed() < UNPLANNED_RELOAD_GAP) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    fn snapshot(&self) -> Arc<Vec<Arc<LoadedKey>>> {
        self.keys
            .read()
            .map(|keys| Arc::clone(&keys))
            .unwrap_or_default()
    }

    /// The newest key, which signs.
    pub fn signing_key(&self) -> Option<Arc<LoadedKey>> {
        self.snapshot().first().cloned()
    }

    pub fn find(&self, kid: &str) -> Option<Arc<LoadedKey>> {
        self.snapshot().iter().find(|key| key.kid == kid).cloned()
    }

    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self
                .snapshot()
                .iter()
                .map(|key| Jwk {
                    kty: "OKP".to_owned(),
                    crv: "Ed25519".to_owned(),
                    x: key.public_x.clone(),
                    kid: key.kid.clone(),
                    alg: ALGORITHM.to_owned(),
                    usage: "sig".to_owned(),
                })
                .collect(),
        }
    }
}
