//! The outbox: mail written in the same transaction as what it reports,
//! delivered later by the worker. A row is claimed for a while before it is
//! sent, so several replicas polling one database send each mail once.

use crate::db::schema::outbox;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub tenant_id: String,
    /// What the mail is, for the logs and the audit trail (never its text).
    pub kind: String,
    /// The message, sealed with the secret key; `None` once sent.
    pub sealed_message: Option<String>,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

impl OutboxRow {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(outbox::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Unsent rows that are due and not claimed by a live worker.
    pub fn due(
        conn: &mut DbConnection,
        now: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<OutboxRow>> {
        outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::sealed_message.is_not_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::claimed_until
                    .is_null()
                    .or(outbox::claimed_until.lt(now)),
            )
            .order(outbox::next_attempt_at)
            .limit(limit)
            .select(OutboxRow::as_select())
            .load(conn)
    }

    /// Claims a row for `worker` until `until`; false if another worker
    /// holds it or it was sent meanwhile. One conditional update, so of
    /// two replicas racing for a row exactly one wins.
    pub fn claim(
        conn: &mut DbConnection,
        id: &str,
        worker: &str,
        now: NaiveDateTime,
        until: NaiveDateTime,
    ) -> QueryResult<bool> {
        let claimed = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::sent_at.is_null())
                .filter(
                    outbox::claimed_until
                        .is_null()
                        .or(outbox::claimed_until.lt(now)),
                ),
        )
        .set((
            outbox::claimed_by.eq(worker),
            outbox::claimed_until.eq(until),
        ))
        .execute(conn)?;
        Ok(claimed == 1)
    }

    /// Notes the delivery and erases the message.
    pub fn mark_sent(
        conn: &mut DbConnection,
        id: &str,
        worker: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::claimed_by.eq(worker)),
        )
        .set((
            outbox::sent_at.eq(now),
            outbox::sealed_message.eq(None::<String>),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(|_| ())
    }

    /// Notes a failed attempt and when to try again.
    pub fn mark_failed(
        conn: &mut DbConnection,
        id: &str,
        worker: &str,
        error: &str,
        retry_at: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::claimed_by.eq(worker)),
        )
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::next_attempt_at.eq(retry_at),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(|_| ())
    }

    /// Stops trying a row that can never be sent: the message is erased
    /// and the reason kept.
    pub fn give_up(
        conn: &mut DbConnection,
        id: &str,
        worker: &str,
        error: &str,
    ) -> QueryResult<()> {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::claimed_by.eq(worker)),
        )
        .set((
            outbox::sealed_message.eq(None::<String>),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(|_| ())
    }

    /// Forgets rows sent before `before`.
    pub fn delete_sent(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(outbox::table.filter(outbox::sent_at.lt(before))).execute(conn)
    }
}
