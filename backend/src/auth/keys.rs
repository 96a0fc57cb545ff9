//! The key ring that signs access tokens (Ed25519, `EdDSA`) and publishes
//! its public halves at `/.well-known/jwks.json`. Keys live in the database
//! so every replica signs and verifies with the same set.
//!
//! At rest a key's seed is sealed with the deployment's secret key
//! (`SecretKey`, from `BACKOFFICE_SECRET_KEY_FILE`), so a copy of the
//! database alone forges no token. A ring that cannot open the stored keys
//! (another secret key file) refuses to start rather than make keys of its
//! own, which the other replicas could not read.
//!
//! Rotation publishes ahead: the next key is made `PUBLISH_AHEAD` before
//! the current one's period ends and signs only once it is that old, so
//! every JWKS any replica serves, however long cached, already lists it
//! when its first token arrives. Older keys stay published for two periods
//! after they were made, so rotation logs nobody out.

use crate::auth::secret_key::SecretKey;
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

/// How long a client may cache `/.well-known/jwks.json` (its
/// `Cache-Control: max-age`).
pub const JWKS_MAX_AGE: Duration = Duration::from_secs(300);

/// How often every replica reloads the keys from the database (its
/// housekeeping tick), so how late it may learn of a key another made.
pub const RELOAD_EVERY: Duration = Duration::from_secs(60);

/// How old a key is before it signs: any JWKS served without it, by the
/// replica that made it or by one that had not reloaded yet, has expired
/// from every cache by then.
pub const PUBLISH_AHEAD: Duration =
    Duration::from_secs(JWKS_MAX_AGE.as_secs() + RELOAD_EVERY.as_secs());

/// What `SecretKey` derives the sealing key for, so it opens nothing else.
const SEAL_PURPOSE: &str = "token-signing-key";
/// Marks a sealed `private_key`; a row without it holds the bare seed, as
/// written before keys were sealed, and is sealed in place when loaded.
const SEALED_V1: &str = "sealed:v1:";

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
    secret: Arc<SecretKey>,
    /// Newest first.
    keys: RwLock<Arc<Vec<Arc<LoadedKey>>>>,
    last_unplanned_reload: Mutex<Option<Instant>>,
}

/// A token naming an unknown key may be one a new key of another replica
/// signed; reload for it at most this often, so garbage tokens cannot make
/// every request hit the database.
const UNPLANNED_RELOAD_GAP: Duration = Duration::from_secs(5);

fn span(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// How long after a key was made its successor is made: `PUBLISH_AHEAD`
/// before its period ends (at the least half a period, should a period be
/// shorter than twice the lead).
fn rotation_gap(period: TimeDelta) -> TimeDelta {
    (period - span(PUBLISH_AHEAD)).max(period / 2)
}

/// Whether a new key is due, given when the newest was made.
fn rotation_due(newest: Option<NaiveDateTime>, now: NaiveDateTime, period: TimeDelta) -> bool {
    newest.is_none_or(|made| now.signed_duration_since(made) >= rotation_gap(period))
}

/// The key that signs at `now` among `keys` (newest first): the newest one
/// published at least `PUBLISH_AHEAD` ago, else (a first start, with
/// nothing to be ahead of) the oldest.
fn pick_signing_key(keys: &[Arc<LoadedKey>], now: NaiveDateTime) -> Option<Arc<LoadedKey>> {
    let ahead = span(PUBLISH_AHEAD);
    keys.iter()
        .find(|key| now.signed_duration_since(key.created_at) >= ahead)
        .or_else(|| keys.last())
        .cloned()
}

fn load(kid: &str, created_at: NaiveDateTime, seed: &[u8; 32]) -> anyhow::Result<LoadedKey> {
    let signing = ed25519_dalek::SigningKey::from_bytes(seed);
    let public = signing.verifying_key().to_bytes();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    Ok(LoadedKey {
        kid: kid.to_owned(),
        created_at,
        signing,
        header_b64: URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
        decoding: DecodingKey::from_ed_der(&public),
        public_x: URL_SAFE_NO_PAD.encode(public),
    })
}

fn seed_of(bytes: Vec<u8>, kid: &str) -> anyhow::Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("token signing key {kid} is not 32 bytes"))
}

fn seal(secret: &SecretKey, seed: &[u8; 32]) -> String {
    format!("{SEALED_V1}{}", secret.seal(SEAL_PURPOSE, seed))
}

fn new_key_row(secret: &SecretKey, now: NaiveDateTime) -> (SigningKeyRow, [u8; 32]) {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let row = SigningKeyRow {
        kid: crate::model::new_id(),
        algorithm: ALGORITHM.to_owned(),
        private_key: seal(secret, &seed),
        public_key: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
        created_at: now,
    };
    (row, seed)
}

impl KeyRing {
    /// Loads the keys, sealing any stored in the clear, and makes the first
    /// (or a rotated) one if needed. `secret` seals the keys at rest; the
    /// ring keeps it for the keys it makes later. Fails, making nothing, if
    /// the stored keys were sealed with another secret key.
    pub fn open(
        conn: &mut DbConnection,
        rotation: Duration,
        secret: Arc<SecretKey>,
    ) -> anyhow::Result<KeyRing> {
        let ring = KeyRing {
            rotation,
            secret,
            keys: RwLock::new(Arc::new(Vec::new())),
            last_unplanned_reload: Mutex::new(None),
        };
        ring.refresh(conn)?;
        Ok(ring)
    }

    /// The seed of a stored key. One stored in the clear (by a version
    /// before keys were sealed) is sealed in place.
    fn open_row(&self, conn: &mut DbConnection, row: &SigningKeyRow) -> anyhow::Result<LoadedKey> {
        let kid = &row.kid;
        let seed = if let Some(sealed) = row.private_key.strip_prefix(SEALED_V1) {
            let bytes = self.secret.open(SEAL_PURPOSE, sealed).map_err(|_| {
                anyhow::anyhow!(
                    "cannot open the token signing key {kid} stored in the database: the \
                     database's signing keys were sealed with another secret key than this \
                     one. Set BACKOFFICE_SECRET_KEY_FILE to the secret key file they were \
                     sealed with (the one the other replicas of this deployment read); no \
                     new keys are made, as they would sign every other replica's users out"
                )
            })?;
            seed_of(bytes, kid)?
        } else if row.private_key.starts_with("sealed:") {
            anyhow::bail!(
                "token signing key {kid} is sealed in a format this version does not know \
                 (a newer version wrote it)"
            );
        } else {
            let seed = seed_of(URL_SAFE_NO_PAD.decode(&row.private_key)?, kid)?;
            if SigningKeyRow::replace_private_key(
                conn,
                kid,
                &row.private_key,
                &seal(&self.secret, &seed),
            )? {
                tracing::info!(%kid, "sealed a token signing key stored in the clear");
            }
            seed
        };
        load(kid, row.created_at, &seed)
    }

    /// Rotates if due, forgets keys two periods old, and reloads. Every
    /// replica runs it now and then, and on meeting a `kid` it lacks.
    pub fn refresh(&self, conn: &mut DbConnection) -> anyhow::Result<()> {
        let now = crate::model::now();
        let period = span(self.rotation);
        let keep_since = now
            .checked_sub_signed(period.checked_add(&period).unwrap_or(TimeDelta::MAX))
            .unwrap_or(NaiveDateTime::MIN);
        // Every stored key opens before one is added: a ring that cannot
        // read the keys it shares must not add keys the others cannot read.
        let mut loaded = SigningKeyRow::created_since(conn, keep_since)?
            .iter()
            .map(|row| self.open_row(conn, row).map(Arc::new))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if rotation_due(loaded.first().map(|key| key.created_at), now, period) {
            let (row, seed) = new_key_row(&self.secret, now);
            row.insert(conn)?;
            tracing::info!(kid = %row.kid, "made a new token signing key");
            SigningKeyRow::delete_before(conn, keep_since)?;
            loaded.insert(0, Arc::new(load(&row.kid, row.created_at, &seed)?));
        }
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

    /// The key that signs now: the newest published `PUBLISH_AHEAD` ago
    /// (see `pick_signing_key`).
    pub fn signing_key(&self) -> Option<Arc<LoadedKey>> {
        pick_signing_key(&self.snapshot(), crate::model::now())
    }

    pub fn find(&self, kid: &str) -> Option<Arc<LoadedKey>> {
        self.snapshot().iter().find(|key| key.kid == kid).cloned()
    }

    /// Every loaded key, the next one (not signing yet) included.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, DatabaseLocation};
    use crate::model::signing_key::SigningKeyRow;
    use diesel::prelude::*;

    fn key_made(secret: &SecretKey, at: NaiveDateTime) -> anyhow::Result<Arc<LoadedKey>> {
        let (row, seed) = new_key_row(secret, at);
        Ok(Arc::new(load(&row.kid, row.created_at, &seed)?))
    }

    fn ring_of(keys: Vec<Arc<LoadedKey>>) -> KeyRing {
        KeyRing {
            rotation: Duration::from_secs(30 * 86_400),
            secret: Arc::new(SecretKey::for_tests(1)),
            keys: RwLock::new(Arc::new(keys)),
            last_unplanned_reload: Mutex::new(None),
        }
    }

    fn kid_of(key: Option<Arc<LoadedKey>>) -> Option<String> {
        key.map(|key| key.kid.clone())
    }

    #[test]
    fn a_new_key_is_published_at_once_and_signs_once_every_cache_has_it() -> anyhow::Result<()> {
        let secret = SecretKey::for_tests(1);
        let now = crate::model::now();
        let current = key_made(&secret, now - TimeDelta::days(29))?;
        let next = key_made(&secret, now - TimeDelta::seconds(10))?;
        let keys = vec![Arc::clone(&next), Arc::clone(&current)];

        let ring = ring_of(keys.clone());
        let published: Vec<String> = ring.jwks().keys.into_iter().map(|k| k.kid).collect();
        assert_eq!(published, [next.kid.clone(), current.kid.clone()]);
        assert_eq!(kid_of(ring.signing_key()), Some(current.kid.clone()));

        let cached_until = next.created_at + span(JWKS_MAX_AGE);
        assert!(PUBLISH_AHEAD >= JWKS_MAX_AGE);
        assert_eq!(
            kid_of(pick_signing_key(
                &keys,
                cached_until - TimeDelta::seconds(1)
            )),
            Some(current.kid.clone()),
            "a JWKS cached before the next key was made may still be in use"
        );
        let ripe = next.created_at + span(PUBLISH_AHEAD);
        assert_eq!(
            kid_of(pick_signing_key(&keys, ripe)),
            Some(next.kid.clone())
        );
        assert_eq!(
            kid_of(pick_signing_key(&keys, ripe - TimeDelta::microseconds(1))),
            Some(current.kid.clone())
        );
        Ok(())
    }

    #[test]
    fn a_first_key_signs_at_once_and_the_oldest_of_young_keys_signs() -> anyhow::Result<()> {
        let secret = SecretKey::for_tests(1);
        let now = crate::model::now();
        let first = key_made(&secret, now)?;
        assert_eq!(
            kid_of(pick_signing_key(&[Arc::clone(&first)], now)),
            Some(first.kid.clone())
        );
        // Two replicas starting on an empty database at once.
        let other = key_made(&secret, now + TimeDelta::seconds(1))?;
        assert_eq!(
            kid_of(pick_signing_key(&[other, Arc::clone(&first)], now)),
            Some(first.kid.clone())
        );
        assert!(pick_signing_key(&[], now).is_none());
        Ok(())
    }

    #[test]
    fn the_next_key_is_made_the_publish_lead_before_the_period_ends() {
        let now = crate::model::now();
        let period = TimeDelta::days(30);
        let lead = span(PUBLISH_AHEAD);
        assert!(rotation_due(None, now, period));
        assert!(!rotation_due(
            Some(now - period + lead + TimeDelta::seconds(1)),
            now,
            period
        ));
        assert!(rotation_due(Some(now - period + lead), now, period));
        // A period shorter than twice the lead: half periods, never a key
        // per reload.
        let short = TimeDelta::seconds(400);
        assert!(!rotation_due(
            Some(now - TimeDelta::seconds(199)),
            now,
            short
        ));
        assert!(rotation_due(
            Some(now - TimeDelta::seconds(200)),
            now,
            short
        ));
    }

    fn stored(conn: &mut DbConnection) -> anyhow::Result<Vec<SigningKeyRow>> {
        let year_ago = crate::model::now() - TimeDelta::days(365);
        Ok(SigningKeyRow::created_since(conn, year_ago)?)
    }

    #[test]
    fn keys_are_sealed_at_rest_and_another_secret_key_makes_none() -> anyhow::Result<()> {
        use crate::db::schema::signing_keys;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("keys.sqlite3");
        let location = DatabaseLocation::Sqlite(path.display().to_string());
        let mut conn = db::connect(&location, 1)?.get()?;
        let hour = Duration::from_secs(3_600);
        let now = crate::model::now();

        // A key an older version stored in the clear, due for rotation.
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let legacy = SigningKeyRow {
            kid: crate::model::new_id(),
            algorithm: ALGORITHM.to_owned(),
            private_key: URL_SAFE_NO_PAD.encode(seed),
            public_key: String::new(),
            created_at: now - TimeDelta::minutes(58),
        };
        legacy.insert(&mut conn)?;
        let expected_x = URL_SAFE_NO_PAD.encode(
            ed25519_dalek::SigningKey::from_bytes(&seed)
                .verifying_key()
                .to_bytes(),
        );

        let secret = Arc::new(SecretKey::for_tests(1));
        let ring = KeyRing::open(&mut conn, hour, Arc::clone(&secret))?;
        let rows = stored(&mut conn)?;
        assert_eq!(rows.len(), 2, "the legacy key was due: a next one was made");
        for row in &rows {
            assert!(row.private_key.starts_with(SEALED_V1), "{row:?}");
            assert!(URL_SAFE_NO_PAD.decode(&row.private_key).is_err());
        }
        let jwks = ring.jwks();
        assert_eq!(jwks.keys.len(), 2);
        assert!(jwks
            .keys
            .iter()
            .any(|k| k.kid == legacy.kid && k.x == expected_x));
        assert_eq!(
            kid_of(ring.signing_key()),
            Some(legacy.kid.clone()),
            "the next key does not sign yet"
        );
        // Opening again with the same secret reads the sealed keys.
        let again = KeyRing::open(&mut conn, hour, Arc::clone(&secret))?;
        assert_eq!(again.jwks().keys, jwks.keys);

        // Make rotation due again, then start with another secret key.
        for row in &rows {
            diesel::update(signing_keys::table.find(&row.kid))
                .set(signing_keys::created_at.eq(row.created_at - TimeDelta::minutes(58)))
                .execute(&mut conn)?;
        }
        let refused = KeyRing::open(&mut conn, hour, Arc::new(SecretKey::for_tests(2)))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(refused.contains("BACKOFFICE_SECRET_KEY_FILE"), "{refused}");
        assert!(
            refused.contains("sealed with another secret key"),
            "{refused}"
        );
        assert_eq!(stored(&mut conn)?.len(), 2, "no key was made");
        Ok(())
    }
}
