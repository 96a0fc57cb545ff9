//! Counters of failed sign-ins, one row per tenant and key (an account from
//! an address, an account from a known browser, an address, an account),
//! and of password reset requests (`reset-account:…`, `reset-address:…`,
//! see `flows::password_reset`).
//! They live in the database so that every replica sees the same counts,
//! and each failure is one atomic upsert, so concurrent failures are all
//! counted on SQLite and PostgreSQL alike.

use crate::db::schema::login_throttles;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamp};

/// A counter as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct FailureCount {
    pub failures: i32,
    pub last_failure_at: NaiveDateTime,
}

/// Counts stop growing here; the wait has long reached its ceiling.
const COUNT_CEILING: i32 = 1_000_000_000;

pub struct LoginThrottle;

impl LoginThrottle {
    /// The counters of `keys` that exist and began after `window_start`.
    pub fn counts(
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &[&str],
        window_start: NaiveDateTime,
    ) -> QueryResult<Vec<(String, FailureCount)>> {
        let rows: Vec<(String, i32, NaiveDateTime)> = login_throttles::table
            .filter(login_throttles::tenant_id.eq(tenant_id))
            .filter(login_throttles::throttle_key.eq_any(keys))
            .filter(login_throttles::window_started_at.gt(window_start))
            .select((
                login_throttles::throttle_key,
                login_throttles::failures,
                login_throttles::last_failure_at,
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(key, failures, last_failure_at)| {
                (
                    key,
                    FailureCount {
                        failures,
                        last_failure_at,
                    },
                )
            })
            .collect())
    }

    /// Counts one failure under `key` in one statement: a new counter, the
    /// next failure of a counter whose window is still open, or a fresh
    /// start of one whose window began before `window_start`.
    pub fn count_failure(
        conn: &mut DbConnection,
        tenant_id: &str,
        key: &str,
        username: Option<&str>,
        now: NaiveDateTime,
        window_start: NaiveDateTime,
    ) -> QueryResult<FailureCount> {
        let failures = sql::<Integer>("CASE WHEN ")
            .sql("login_throttles.window_started_at > ")
            .bind::<Timestamp, _>(window_start)
            .sql(" THEN (CASE WHEN login_throttles.failures >= ")
            .bind::<Integer, _>(COUNT_CEILING)
            .sql(
                " THEN login_throttles.failures ELSE login_throttles.failures + 1 END) ELSE 1 END",
            );
        let window_started_at = sql::<Timestamp>("CASE WHEN ")
            .sql("login_throttles.window_started_at > ")
            .bind::<Timestamp, _>(window_start)
            .sql(" THEN login_throttles.window_started_at ELSE ")
            .bind::<Timestamp, _>(now)
            .sql(" END");
        let query = diesel::insert_into(login_throttles::table)
            .values((
                login_throttles::tenant_id.eq(tenant_id),
                login_throttles::throttle_key.eq(key),
                login_throttles::username.eq(username),
                login_throttles::failures.eq(1),
                login_throttles::window_started_at.eq(now),
                login_throttles::last_failure_at.eq(now),
            ))
            .on_conflict((login_throttles::tenant_id, login_throttles::throttle_key))
            .do_update()
            .set((
                login_throttles::failures.eq(failures),
                login_throttles::window_started_at.eq(window_started_at),
                login_throttles::last_failure_at.eq(now),
            ))
            .returning((login_throttles::failures, login_throttles::last_failure_at));
        match conn {
            DbConnection::Sqlite(conn) => query.get_result(conn),
            DbConnection::Postgresql(conn) => query.get_result(conn),
        }
    }

    pub fn delete_key(conn: &mut DbConnection, tenant_id: &str, key: &str) -> QueryResult<usize> {
        diesel::delete(
            login_throttles::table
                .filter(login_throttles::tenant_id.eq(tenant_id))
                .filter(login_throttles::throttle_key.eq(key)),
        )
        .execute(conn)
    }

    /// Forgets every counter that concerns the account `username`.
    pub fn delete_account(
        conn: &mut DbConnection,
        tenant_id: &str,
        username: &str,
    ) -> QueryResult<usize> {
        diesel::delete(
            login_throttles::table
                .filter(login_throttles::tenant_id.eq(tenant_id))
                .filter(login_throttles::username.eq(username)),
        )
        .execute(conn)
    }

    /// Forgets counters whose last failure is older than `before`.
    pub fn delete_stale(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(login_throttles::table.filter(login_throttles::last_failure_at.lt(before)))
            .execute(conn)
    }
}
