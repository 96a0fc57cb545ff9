//! The writes of successful sign-ins, shared by the ones a hashing thread
//! checks one after another under load.
//!
//! After a 19 MiB hash the caches hold nothing of the server, so the first
//! database write costs about 300 µs; the same write right after another
//! costs about 110 µs (BENCHMARKS.md). So a hashing thread that has more
//! sign-ins waiting keeps a successful one's write and its answer back,
//! checks the next, and writes up to [`MAX_TOGETHER`] in one transaction.
//! It writes at once when no job is waiting for it (an idle machine adds no
//! delay), and before any failed or inactive attempt's write, so the
//! brute-force counters still see every attempt in the order it was
//! checked. If the shared transaction fails, each sign-in is written alone,
//! so one cannot fail the others.

use super::login::{Outcome, SignedIn};
use crate::auth::password::{self, Reply};
use crate::auth::secret_token::SecretToken;
use crate::auth::throttle::{AttemptKeys, AttemptState};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::{RefreshToken, Session};
use crate::model::user::User;
use crate::state::AppState;
use actix_web::web;
use chrono::NaiveDateTime;
use diesel::Connection;
use std::cell::RefCell;

/// At most this many sign-ins wait for one write, so none waits for more
/// than three further hashes before its answer.
pub const MAX_TOGETHER: usize = 4;

/// A checked sign-in: what to write, and what to answer with once written.
pub struct SignInWrite {
    pub tenant_id: String,
    pub keys: AttemptKeys,
    pub before: AttemptState,
    pub address: String,
    pub user: User,
    pub session: Session,
    pub refresh: (SecretToken, RefreshToken),
    pub now: NaiveDateTime,
}

/// A sign-in held back for a shared write, with whom to answer.
struct Held {
    write: SignInWrite,
    reply: Reply<Result<Outcome, ApiError>>,
}

impl SignInWrite {
    /// The rows of one sign-in: the session with its first refresh token
    /// (which also sets the account's last sign-in, by a trigger), the
    /// cleared failure count, the audit event.
    fn write(&self, state: &AppState, conn: &mut DbConnection) -> diesel::QueryResult<()> {
        self.session.open(conn, &self.refresh.1)?;
        state
            .throttle
            .record_success(conn, &self.tenant_id, &self.keys, self.before)?;
        AuditEvent::new(&self.tenant_id, audit::LOGIN_SUCCEEDED)
            .user(Some(&self.user.id), Some(&self.user.username))
            .from_address(&self.address)
            .record(conn)
    }

    fn facilities(&self, conn: &mut DbConnection) -> Result<Vec<Facility>, ApiError> {
        if self.user.role().is_network_wide() {
            Ok(Vec::new())
        } else {
            Ok(Facility::of_user(conn, &self.tenant_id, &self.user.id)?)
        }
    }
}

impl Held {
    fn answer(self, facilities: Result<Vec<Facility>, ApiError>) {
        let Held {
            write:
                SignInWrite {
                    user,
                    session,
                    refresh,
                    now,
                    ..
                },
            reply,
        } = self;
        reply.send(facilities.map(|facilities| {
            Outcome::SignedIn(Box::new(SignedIn {
                user,
                facilities,
                session,
                refresh,
                now,
            }))
        }));
    }
}

/// The sign-ins this thread has checked and not yet written.
struct Waiting {
    writes: Vec<Held>,
    /// Whether a write is already planned for the thread's idle moment.
    planned: bool,
}

thread_local! {
    static WAITING: RefCell<Waiting> = const {
        RefCell::new(Waiting { writes: Vec::new(), planned: false })
    };
}

/// Keeps `write` back for the next shared write: when [`MAX_TOGETHER`] are
/// waiting, or when this hashing thread has no job waiting. Call it from a
/// hashing thread's job only.
pub fn add(
    state: &web::Data<AppState>,
    write: SignInWrite,
    reply: Reply<Result<Outcome, ApiError>>,
) {
    let (waiting, plan) = WAITING.with(|waiting| {
        let mut waiting = waiting.borrow_mut();
        waiting.writes.push(Held { write, reply });
        let plan = !waiting.planned;
        waiting.planned = true;
        (waiting.writes.len(), plan)
    });
    if plan {
        let state = web::Data::clone(state);
        password::when_idle(move || {
            WAITING.with(|waiting| waiting.borrow_mut().planned = false);
            write_waiting(&state);
        });
    }
    if waiting >= MAX_TOGETHER {
        write_waiting(state);
    }
}

/// Writes and answers every sign-in this thread holds back, if any.
pub fn write_waiting(state: &AppState) {
    let writes = WAITING.with(|waiting| std::mem::take(&mut waiting.borrow_mut().writes));
    if writes.len() < 2 {
        writes
            .into_iter()
            .for_each(|write| write_alone(state, write));
        return;
    }
    match write_together(state, writes) {
        Ok(written) => answer(written),
        Err((writes, error)) => {
            tracing::warn!(
                "writing {} sign-ins together failed ({error}); writing them one by one",
                writes.len()
            );
            writes
                .into_iter()
                .for_each(|write| write_alone(state, write));
        }
    }
}

fn write_alone(state: &AppState, held: Held) {
    match write_together(state, vec![held]) {
        Ok(written) => answer(written),
        Err((writes, error)) => {
            if let Some(held) = writes.into_iter().next() {
                held.reply.send(Err(error));
            }
        }
    }
}

/// Each written sign-in with its account's facilities.
type Written = Vec<(Held, Result<Vec<Facility>, ApiError>)>;

/// One transaction for all of `writes`, then each account's facilities; on
/// failure, nothing is written and `writes` come back with the error.
fn write_together(state: &AppState, writes: Vec<Held>) -> Result<Written, (Vec<Held>, ApiError)> {
    let facilities = state.sign_in_db.with(&state.pool, |conn| {
        crate::db::write(conn, |conn| {
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                writes
                    .iter()
                    .try_for_each(|held| held.write.write(state, conn))
            })
        })?;
        Ok(writes
            .iter()
            .map(|held| held.write.facilities(conn))
            .collect::<Vec<_>>())
    });
    match facilities {
        Ok(facilities) => Ok(writes.into_iter().zip(facilities).collect()),
        Err(error) => Err((writes, error)),
    }
}

fn answer(written: Written) {
    for (held, facilities) in written {
        held.answer(facilities);
    }
}
