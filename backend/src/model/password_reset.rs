//! Password reset requests and tokens. A request is a username waiting for
//! the background worker; a token is the hash of a link's secret, tied to
//! one account, and lives until it is used, replaced or expires.

use crate::db::schema::{password_reset_requests, password_reset_tokens};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_reset_requests)]
pub struct PasswordResetRequest {
    pub id: String,
    pub tenant_id: String,
    pub username: String,
    pub client_address: Option<String>,
    pub requested_at: NaiveDateTime,
}

impl PasswordResetRequest {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(password_reset_requests::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// The oldest waiting requests of every tenant, for the worker.
    pub fn oldest(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<PasswordResetRequest>> {
        password_reset_requests::table
            .order(password_reset_requests::requested_at)
            .limit(limit)
            .select(PasswordResetRequest::as_select())
            .load(conn)
    }

    /// Takes the request off the queue; false if another worker already
    /// took it. Call it first in the transaction that handles the request,
    /// so that exactly one replica handles each.
    pub fn take(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<bool> {
        let deleted = diesel::delete(
            password_reset_requests::table
                .filter(password_reset_requests::tenant_id.eq(tenant_id))
                .filter(password_reset_requests::id.eq(id)),
        )
        .execute(conn)?;
        Ok(deleted == 1)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_reset_tokens)]
pub struct PasswordResetToken {
    pub token_hash: String,
    pub tenant_id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub replaced_at: Option<NaiveDateTime>,
    /// [`RESET`] or [`INVITATION`].
    pub purpose: String,
}

/// A token from "Forgot password?".
pub const RESET: &str = "reset";
/// A token from an invitation: the account's first password.
pub const INVITATION: &str = "invitation";

/// Why a token cannot set a password (or that it can).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Usable,
    Used,
    Replaced,
    Expired,
}

impl PasswordResetToken {
    pub fn state(&self, now: NaiveDateTime) -> TokenState {
        if self.used_at.is_some() {
            TokenState::Used
        } else if self.replaced_at.is_some() {
            TokenState::Replaced
        } else if self.expires_at <= now {
            TokenState::Expired
        } else {
            TokenState::Usable
        }
    }

    pub fn find(
        conn: &mut DbConnection,
        tenant_id: &str,
        token_hash: &str,
    ) -> QueryResult<Option<PasswordResetToken>> {
        password_reset_tokens::table
            .filter(password_reset_tokens::tenant_id.eq(tenant_id))
            .filter(password_reset_tokens::token_hash.eq(token_hash))
            .select(PasswordResetToken::as_select())
            .get_result(conn)
            .optional()
    }

    /// Stores a new token for its account; every older live token of the
    /// account is replaced by it.
    pub fn issue(&self, conn: &mut DbConnection) -> QueryResult<()> {
        PasswordResetToken::replace_all(conn, &self.tenant_id, &self.user_id, self.created_at)?;
        diesel::insert_into(password_reset_tokens::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Spends the token if it is still usable at `now`; false if it was
    /// not (used, replaced or expired meanwhile, perhaps by another
    /// request in the same instant).
    pub fn spend(
        conn: &mut DbConnection,
        tenant_id: &str,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let spent = diesel::update(
            password_reset_tokens::table
                .filter(password_reset_tokens::tenant_id.eq(tenant_id))
                .filter(password_reset_tokens::token_hash.eq(token_hash))
                .filter(password_reset_tokens::used_at.is_null())
                .filter(password_reset_tokens::replaced_at.is_null())
                .filter(password_reset_tokens::expires_at.gt(now)),
        )
        .set(password_reset_tokens::used_at.eq(now))
        .execute(conn)?;
        Ok(spent == 1)
    }

    /// Ends every live token of an account: a newer one was issued, or its
    /// password changed.
    pub fn replace_all(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            password_reset_tokens::table
                .filter(password_reset_tokens::tenant_id.eq(tenant_id))
                .filter(password_reset_tokens::user_id.eq(user_id))
                .filter(password_reset_tokens::used_at.is_null())
                .filter(password_reset_tokens::replaced_at.is_null()),
        )
        .set(password_reset_tokens::replaced_at.eq(now))
        .execute(conn)
    }

    /// Forgets tokens that expired before `before`: by then nobody needs
    /// to be told why their link no longer works.
    pub fn delete_expired(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(
            password_reset_tokens::table.filter(password_reset_tokens::expires_at.lt(before)),
        )
        .execute(conn)
    }
}
