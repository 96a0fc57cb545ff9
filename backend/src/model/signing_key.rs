//! Token signing keys, shared by every replica through the database. Not
//! tenant-owned: one key set signs for the whole deployment, and the `tenant`
//! claim keeps tenants apart.

use crate::db::schema::signing_keys;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    /// The Ed25519 seed, sealed with the deployment's secret key
    /// (`sealed:v1:` and `SecretKey::seal`'s text; see `auth::keys`). Rows
    /// written before keys were sealed hold the bare seed, base64url, until
    /// the next start seals them in place.
    pub private_key: String,
    /// The Ed25519 public key, base64url (the JWK `x`).
    pub public_key: String,
    pub created_at: NaiveDateTime,
}

impl SigningKeyRow {
    /// Keys made after `since`, newest first.
    pub fn created_since(
        conn: &mut DbConnection,
        since: NaiveDateTime,
    ) -> QueryResult<Vec<SigningKeyRow>> {
        signing_keys::table
            .filter(signing_keys::created_at.gt(since))
            .order(signing_keys::created_at.desc())
            .select(SigningKeyRow::as_select())
            .load(conn)
    }

    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(signing_keys::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Replaces the stored private key of `kid` if it still reads
    /// `stored` (another replica may have replaced it first); whether it did.
    pub fn replace_private_key(
        conn: &mut DbConnection,
        kid: &str,
        stored: &str,
        replacement: &str,
    ) -> QueryResult<bool> {
        diesel::update(
            signing_keys::table
                .filter(signing_keys::kid.eq(kid))
                .filter(signing_keys::private_key.eq(stored)),
        )
        .set(signing_keys::private_key.eq(replacement))
        .execute(conn)
        .map(|updated| updated > 0)
    }

    pub fn delete_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(signing_keys::table.filter(signing_keys::created_at.lt(before)))
            .execute(conn)
    }
}
