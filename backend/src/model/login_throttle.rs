//! Counters of failed sign-ins, one row per tenant and key (an account, an
//! address, or the pair). They live in the database so that every replica
//! sees the same counts.

use crate::db::schema::login_throttles;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_throttles)]
pub struct LoginThrottle {
    pub tenant_id: String,
    pub throttle_key: String,
    pub failures: i32,
    pub window_started_at: NaiveDateTime,
    pub last_failure_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

impl LoginThrottle {
    pub fn find(
        conn: &mut DbConnection,
        tenant_id: &str,
        key: &str,
    ) -> QueryResult<Option<LoginThrottle>> {
        login_throttles::table
            .filter(login_throttles::tenant_id.eq(tenant_id))
            .filter(login_throttles::throttle_key.eq(key))
            .select(LoginThrottle::as_select())
            .get_result(conn)
            .optional()
    }

    /// The stored key and lock of each of the three keys that has a row.
    /// Three fixed binds rather than an `IN` list, so the statement is
    /// prepared once per connection.
    pub fn locks_of(
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: [&str; 3],
    ) -> QueryResult<Vec<(String, Option<NaiveDateTime>)>> {
        login_throttles::table
            .filter(login_throttles::tenant_id.eq(tenant_id))
            .filter(
                login_throttles::throttle_key
                    .eq(keys[0])
                    .or(login_throttles::throttle_key.eq(keys[1]))
                    .or(login_throttles::throttle_key.eq(keys[2])),
            )
            .select((login_throttles::throttle_key, login_throttles::locked_until))
            .load(conn)
    }

    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(login_throttles::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Replaces `previous` with `self` only if nobody changed the row in
    /// between; false means read again and retry.
    pub fn replace(&self, conn: &mut DbConnection, previous: &LoginThrottle) -> QueryResult<bool> {
        let changed = diesel::update(
            login_throttles::table
                .filter(login_throttles::tenant_id.eq(&self.tenant_id))
                .filter(login_throttles::throttle_key.eq(&self.throttle_key))
                .filter(login_throttles::failures.eq(previous.failures))
                .filter(login_throttles::last_failure_at.eq(previous.last_failure_at)),
        )
        .set((
            login_throttles::failures.eq(self.failures),
            login_throttles::window_started_at.eq(self.window_started_at),
            login_throttles::last_failure_at.eq(self.last_failure_at),
            login_throttles::locked_until.eq(self.locked_until),
        ))
        .execute(conn)?;
        Ok(changed > 0)
    }

    pub fn delete_key(conn: &mut DbConnection, tenant_id: &str, key: &str) -> QueryResult<usize> {
        diesel::delete(
            login_throttles::table
                .filter(login_throttles::tenant_id.eq(tenant_id))
                .filter(login_throttles::throttle_key.eq(key)),
        )
        .execute(conn)
    }

    /// Forgets counters whose window and lock are both over.
    pub fn delete_stale(
        conn: &mut DbConnection,
        window_start: NaiveDateTime,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::delete(
            login_throttles::table
                .filter(login_throttles::last_failure_at.lt(window_start))
                .filter(
                    login_throttles::locked_until
                        .is_null()
                        .or(login_throttles::locked_until.lt(now)),
                ),
        )
        .execute(conn)
    }
}
