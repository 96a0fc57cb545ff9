//! Single sign-ons on their way through a provider: one row per start,
//! keyed by the hash of its `state`, holding the nonce, the sealed PKCE
//! verifier and the return path. A callback spends its row with one
//! conditional update, so a state works once, within its lifetime, and
//! only on the tenant that started it.

use crate::db::schema::sso_login_states;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sso_login_states)]
pub struct SsoLoginState {
    /// SHA-256 of the `state` parameter (`auth::secret_token::hash_token`).
    pub state_hash: String,
    pub tenant_id: String,
    pub provider_id: String,
    pub nonce: String,
    /// Sealed with the secret key.
    pub sealed_pkce_verifier: String,
    /// A path of this app (checked before it is stored).
    pub return_to: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

impl SsoLoginState {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(sso_login_states::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Spends the state of `state_hash` in `tenant_id`: the row, if it was
    /// unused and unexpired, now marked used. Of two callbacks racing with
    /// one state, one gets it.
    pub fn spend(
        conn: &mut DbConnection,
        tenant_id: &str,
        state_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<SsoLoginState>> {
        let spent = diesel::update(
            sso_login_states::table
                .filter(sso_login_states::tenant_id.eq(tenant_id))
                .filter(sso_login_states::state_hash.eq(state_hash))
                .filter(sso_login_states::used_at.is_null())
                .filter(sso_login_states::expires_at.gt(now)),
        )
        .set(sso_login_states::used_at.eq(now))
        .execute(conn)?;
        if spent != 1 {
            return Ok(None);
        }
        sso_login_states::table
            .filter(sso_login_states::tenant_id.eq(tenant_id))
            .filter(sso_login_states::state_hash.eq(state_hash))
            .select(SsoLoginState::as_select())
            .get_result(conn)
            .optional()
    }

    /// Forgets states that expired before `before`.
    pub fn delete_expired(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(sso_login_states::table.filter(sso_login_states::expires_at.lt(before)))
            .execute(conn)
    }
}
