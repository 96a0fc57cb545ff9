//! Sessions and their refresh tokens. A session is a row that lives until
//! it is revoked or expires; its refresh tokens rotate on every use, and a
//! token used twice revokes the session (someone copied it).

use crate::db::schema::{refresh_tokens, sessions, users};
use crate::db::DbConnection;
use crate::model::user::User;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub user_agent: Option<String>,
    pub client_address: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub token_hash: String,
    pub tenant_id: String,
    pub session_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// What became of a presented refresh token.
pub enum Rotation {
    /// The token is spent and `successor` replaces it (the same successor
    /// when a token spent within the grace is presented again).
    Rotated {
        session: Box<Session>,
        successor: RefreshToken,
    },
    /// Unknown, expired, or its session is over.
    Invalid,
    /// Spent before the grace: the session has been revoked.
    Reused { session_id: String },
}

impl Session {
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }

    /// Stores a new session with its first refresh token. Call it inside a
    /// transaction: the sign-in writes more beside it.
    pub fn open(&self, conn: &mut DbConnection, first_token: &RefreshToken) -> QueryResult<()> {
        diesel::insert_into(sessions::table)
            .values(self)
            .execute(conn)?;
        diesel::insert_into(refresh_tokens::table)
            .values(first_token)
            .execute(conn)?;
        Ok(())
    }

    /// The session if it is neither revoked nor expired.
    pub fn find_live(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Session>> {
        sessions::table
            .filter(sessions::tenant_id.eq(tenant_id))
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select(Session::as_select())
            .get_result(conn)
            .optional()
    }

    /// The live session `id` of account `user_id`, with the account, in one
    /// query: what every authenticated request needs. The account is matched
    /// here rather than in SQL, so PostgreSQL always plans the lookup by the
    /// session's primary key.
    pub fn find_live_with_user(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        user_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<(Session, User)>> {
        // Through the `DbConnection` wrapper diesel writes this query's SQL
        // (29 columns) anew on every call, which cost about half of an
        // authenticated request; on the concrete connection it finds its
        // prepared statement by the query's type (decision 0048).
        macro_rules! live_with_user {
            ($conn:expr) => {
                sessions::table
                    .inner_join(users::table)
                    .filter(sessions::tenant_id.eq(tenant_id))
                    .filter(sessions::id.eq(id))
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::expires_at.gt(now))
                    .filter(users::tenant_id.eq(tenant_id))
                    .select((Session::as_select(), User::as_select()))
                    .get_result::<(Session, User)>($conn)
                    .optional()
            };
        }
        let found = match conn {
            DbConnection::Sqlite(sqlite) => live_with_user!(sqlite),
            DbConnection::Postgresql(pg) => live_with_user!(pg),
        }?;
        Ok(found.filter(|(session, _)| session.user_id == user_id))
    }

    /// Revokes one session; true if it was live.
    pub fn revoke(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            sessions::table
                .filter(sessions::tenant_id.eq(tenant_id))
                .filter(sessions::id.eq(id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?;
        Ok(changed > 0)
    }
}

impl Session {
    /// Revokes every live session of an account (a reset); how many were
    /// live.
    pub fn revoke_all_of_user(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        Session::revoke_of_user_except(conn, tenant_id, user_id, None, reason, now)
    }

    /// Revokes every live session of an account but `keep` (the one that
    /// asked); how many were live.
    pub fn revoke_of_user_except(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
        keep: Option<&str>,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            sessions::table
                .filter(sessions::tenant_id.eq(tenant_id))
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::id.ne(keep.unwrap_or(""))),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)
    }

    /// Revokes one session of an account; false if it is not the account's
    /// or not live.
    pub fn revoke_of_user(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
        id: &str,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            sessions::table
                .filter(sessions::tenant_id.eq(tenant_id))
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::id.eq(id))
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::expires_at.gt(now)),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// The account's live sessions, the most recently used first.
    pub fn live_of_user(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<Session>> {
        sessions::table
            .filter(sessions::tenant_id.eq(tenant_id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .order(sessions::last_seen_at.desc())
            .select(Session::as_select())
            .load(conn)
    }
}

impl RefreshToken {
    /// Spends `presented_hash` and stores its successor, which `successor`
    /// makes for the session. Call it inside one transaction: it starts
    /// with the write (so SQLite takes its write lock first and never has
    /// to upgrade a read lock), and a reuse is caught and its session
    /// revoked in that same transaction. A token spent less than
    /// `reuse_grace` ago gets the successor it got the first time: tabs
    /// restored together refresh with the same cookie at the same moment,
    /// and that is no theft.
    pub fn rotate(
        conn: &mut DbConnection,
        tenant_id: &str,
        presented_hash: &str,
        successor: impl FnOnce(&Session) -> RefreshToken,
        now: NaiveDateTime,
        reuse_grace: chrono::TimeDelta,
    ) -> QueryResult<Rotation> {
        let spent = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::tenant_id.eq(tenant_id))
                .filter(refresh_tokens::token_hash.eq(presented_hash))
                .filter(refresh_tokens::used_at.is_null())
                .filter(refresh_tokens::expires_at.gt(now)),
        )
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
        let token: Option<RefreshToken> = refresh_tokens::table
            .filter(refresh_tokens::tenant_id.eq(tenant_id))
            .filter(refresh_tokens::token_hash.eq(presented_hash))
            .select(RefreshToken::as_select())
            .get_result(conn)
            .optional()?;
        let Some(token) = token else {
            return Ok(Rotation::Invalid);
        };
        let again_within_grace =
            spent == 0 && token.used_at.is_some_and(|used| now - used <= reuse_grace);
        if spent == 0 && !again_within_grace {
            if token.used_at.is_none() {
                return Ok(Rotation::Invalid);
            }
            Session::revoke(
                conn,
                tenant_id,
                &token.session_id,
                "refresh_token_reused",
                now,
            )?;
            return Ok(Rotation::Reused {
                session_id: token.session_id,
            });
        }
        let Some(session) = Session::find_live(conn, tenant_id, &token.session_id, now)? else {
            return Ok(Rotation::Invalid);
        };
        let next = successor(&session);
        let existing: Option<RefreshToken> = refresh_tokens::table
            .filter(refresh_tokens::tenant_id.eq(tenant_id))
            .filter(refresh_tokens::token_hash.eq(&next.token_hash))
            .select(RefreshToken::as_select())
            .get_result(conn)
            .optional()?;
        let successor = match existing {
            Some(existing) if again_within_grace => existing,
            Some(_) => return Ok(Rotation::Invalid),
            None => {
                diesel::insert_into(refresh_tokens::table)
                    .values(&next)
                    .execute(conn)?;
                next
            }
        };
        diesel::update(sessions::table.filter(sessions::id.eq(&session.id)))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
        Ok(Rotation::Rotated {
            session: Box::new(session),
            successor,
        })
    }

    /// How many refresh tokens a session has had.
    pub fn of_session(conn: &mut DbConnection, session_id: &str) -> QueryResult<i64> {
        refresh_tokens::table
            .filter(refresh_tokens::session_id.eq(session_id))
            .count()
            .get_result(conn)
    }

    /// The session a refresh token belongs to, whatever the token's state.
    pub fn session_of(
        conn: &mut DbConnection,
        tenant_id: &str,
        presented_hash: &str,
    ) -> QueryResult<Option<String>> {
        refresh_tokens::table
            .filter(refresh_tokens::tenant_id.eq(tenant_id))
            .filter(refresh_tokens::token_hash.eq(presented_hash))
            .select(refresh_tokens::session_id)
            .get_result(conn)
            .optional()
    }
}
