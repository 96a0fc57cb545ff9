//! The read every authenticated request makes: its session, if still live,
//! with its account. On PostgreSQL it is the one read that does not go
//! through diesel and the pool: each actix worker keeps a connection of its
//! own, and the lookups its requests ask for while it reads them go
//! together as one query, where each would otherwise take a blocking
//! thread, a pooled connection and a round trip of its own (decisions 0046
//! and 0052). On SQLite, and whenever that connection cannot be had, the
//! lookup is [`Session::find_live_with_user`] through [`Database::read`].

use crate::db::{Database, DatabaseLocation, DbError};
use crate::model::session::Session;
use crate::model::user::User;
use chrono::NaiveDateTime;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, NoTls, Row, Statement};

/// How long a worker that could not connect reads through the pool before
/// it tries again.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// How long one attempt to connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The name the connections show in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "backoffice-session-lookup";

/// [`Session::find_live_with_user`] for several sessions at once, the
/// columns in the order of the two structs' fields. The tenant, the
/// account and each request's own time are checked on the rows.
const LOOKUP: &str = "SELECT s.id, s.tenant_id, s.user_id, s.created_at, s.last_seen_at, \
    s.expires_at, s.user_agent, s.client_address, s.revoked_at, s.revoked_reason, \
    u.id, u.tenant_id, u.username, u.first_name, u.last_name, u.email, u.locale, u.status, \
    u.sign_in_method, u.role, u.password_hash, u.must_change_password, u.version, \
    u.created_at, u.modified_at, u.last_login_at, u.previous_login_at, u.sso_issuer, \
    u.sso_subject \
    FROM sessions s INNER JOIN users u ON u.id = s.user_id \
    WHERE s.id = ANY($1) AND s.revoked_at IS NULL AND s.expires_at > $2";

/// One worker's way to the live sessions. Made once per worker (it is not
/// `Send`), in the app factory; cheap to clone.
#[derive(Clone)]
pub struct SessionLookup {
    db: Database,
    postgres: Option<Rc<Link>>,
}

struct Link {
    url: String,
    state: RefCell<LinkState>,
    /// One connection attempt at a time; the others wait for its outcome.
    connecting: tokio::sync::Mutex<()>,
    /// The lookups asked for since the last batch left.
    waiting: RefCell<Vec<Waiting>>,
    /// Whether a batch is being gathered.
    gathering: Cell<bool>,
}

/// A lookup waiting for its batch. If the batch fails its `reply` is
/// dropped, and the request asks the pool.
struct Waiting {
    tenant_id: String,
    session_id: String,
    user_id: String,
    now: NaiveDateTime,
    reply: tokio::sync::oneshot::Sender<Option<(Session, User)>>,
}

enum LinkState {
    Idle,
    Ready(Rc<Connected>),
    Failed(Instant),
}

struct Connected {
    client: Client,
    lookup: Statement,
}

impl SessionLookup {
    pub fn for_worker(db: &Database, location: &DatabaseLocation) -> Self {
        let postgres = match location {
            DatabaseLocation::Postgres(url) => Some(Rc::new(Link {
                url: url.clone(),
                state: RefCell::new(LinkState::Idle),
                connecting: tokio::sync::Mutex::new(()),
                waiting: RefCell::new(Vec::new()),
                gathering: Cell::new(false),
            })),
            DatabaseLocation::Sqlite(_) => None,
        };
        SessionLookup {
            db: db.clone(),
            postgres,
        }
    }

    /// The session `session_id` of `tenant_id`, if it is live at `now` and
    /// belongs to `user_id`, with its account as stored now.
    pub async fn find(
        &self,
        tenant_id: &str,
        session_id: &str,
        user_id: &str,
        now: NaiveDateTime,
    ) -> Result<Option<(Session, User)>, DbError> {
        if let Some(link) = &self.postgres {
            let (reply, answer) = tokio::sync::oneshot::channel();
            link.waiting.borrow_mut().push(Waiting {
                tenant_id: tenant_id.to_owned(),
                session_id: session_id.to_owned(),
                user_id: user_id.to_owned(),
                now,
                reply,
            });
            if !link.gathering.replace(true) {
                tokio::task::spawn_local(Rc::clone(link).send_batch());
            }
            if let Ok(found) = answer.await {
                return Ok(found);
            }
        }
        let (tenant_id, session_id, user_id) = (
            tenant_id.to_owned(),
            session_id.to_owned(),
            user_id.to_owned(),
        );
        self.db
            .read(move |conn| {
                Ok(Session::find_live_with_user(
                    conn,
                    &tenant_id,
                    &session_id,
                    &user_id,
                    now,
                )?)
            })
            .await
    }
}

impl Link {
    /// Lets the requests the worker is reading now add their lookups, then
    /// asks for all of them in one query and answers each.
    async fn send_batch(self: Rc<Self>) {
        tokio::task::yield_now().await;
        let connected = self.connected().await;
        let batch = std::mem::take(&mut *self.waiting.borrow_mut());
        self.gathering.set(false);
        let Some(connected) = connected else {
            return;
        };
        let mut ids: Vec<&str> = batch.iter().map(|w| w.session_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let Some(earliest) = batch.iter().map(|w| w.now).min() else {
            return;
        };
        let rows = match connected
            .client
            .query(&connected.lookup, &[&ids, &earliest])
            .await
            .and_then(|rows| rows.iter().map(from_row).collect::<Result<Vec<_>, _>>())
        {
            Ok(rows) => rows,
            Err(e) => {
                // A dropped connection: these requests ask the pool, the
                // next ones connect again.
                tracing::warn!(error = %e, "session lookup connection failed; using the pool");
                self.forget(&connected);
                return;
            }
        };
        for waiting in batch {
            let found = rows
                .iter()
                .find(|(session, user)| {
                    session.id == waiting.session_id
                        && session.tenant_id == waiting.tenant_id
                        && user.tenant_id == waiting.tenant_id
                        && session.user_id == waiting.user_id
                        && session.expires_at > waiting.now
                })
                .cloned();
            // A request that has gone away no longer listens.
            let _ = waiting.reply.send(found);
        }
    }

    /// The worker's connection: the one it has, or a new one; `None` while
    /// connecting fails (the caller reads through the pool then).
    async fn connected(&self) -> Option<Rc<Connected>> {
        if let Some(connected) = self.current() {
            return Some(connected);
        }
        let _turn = self.connecting.lock().await;
        if let Some(connected) = self.current() {
            return Some(connected);
        }
        if let LinkState::Failed(at) = *self.state.borrow() {
            if at.elapsed() < RETRY_AFTER {
                return None;
            }
        }
        match tokio::time::timeout(CONNECT_TIMEOUT, connect(&self.url)).await {
            Ok(Ok(connected)) => {
                let connected = Rc::new(connected);
                *self.state.borrow_mut() = LinkState::Ready(Rc::clone(&connected));
                Some(connected)
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot open the session lookup connection; using the pool");
                *self.state.borrow_mut() = LinkState::Failed(Instant::now());
                None
            }
            Err(_) => {
                tracing::warn!("the session lookup connection timed out; using the pool");
                *self.state.borrow_mut() = LinkState::Failed(Instant::now());
                None
            }
        }
    }

    fn current(&self) -> Option<Rc<Connected>> {
        match &*self.state.borrow() {
            LinkState::Ready(connected) if !connected.client.is_closed() => {
                Some(Rc::clone(connected))
            }
            _ => None,
        }
    }

    /// Drops `broken` unless another request has already replaced it.
    fn forget(&self, broken: &Rc<Connected>) {
        let mut state = self.state.borrow_mut();
        if matches!(&*state, LinkState::Ready(current) if Rc::ptr_eq(current, broken)) {
            *state = LinkState::Idle;
        }
    }
}

async fn connect(url: &str) -> Result<Connected, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = url.parse()?;
    config.application_name(APPLICATION_NAME);
    // The lookup reads by primary keys whatever the tables hold. Left to
    // choose, PostgreSQL planned each execution anew once a tenant had
    // thousands of sessions (decision 0054).
    config.options("-c plan_cache_mode=force_generic_plan");
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "session lookup connection closed");
        }
    });
    let lookup = client.prepare(LOOKUP).await?;
    Ok(Connected { client, lookup })
}

fn from_row(row: &Row) -> Result<(Session, User), tokio_postgres::Error> {
    let session = Session {
        id: row.try_get(0)?,
        tenant_id: row.try_get(1)?,
        user_id: row.try_get(2)?,
        created_at: row.try_get(3)?,
        last_seen_at: row.try_get(4)?,
        expires_at: row.try_get(5)?,
        user_agent: row.try_get(6)?,
        client_address: row.try_get(7)?,
        revoked_at: row.try_get(8)?,
        revoked_reason: row.try_get(9)?,
    };
    let user = User {
        id: row.try_get(10)?,
        tenant_id: row.try_get(11)?,
        username: row.try_get(12)?,
        first_name: row.try_get(13)?,
        last_name: row.try_get(14)?,
        email: row.try_get(15)?,
        locale: row.try_get(16)?,
        status: row.try_get(17)?,
        sign_in_method: row.try_get(18)?,
        role: row.try_get(19)?,
        password_hash: row.try_get(20)?,
        must_change_password: row.try_get(21)?,
        version: row.try_get(22)?,
        created_at: row.try_get(23)?,
        modified_at: row.try_get(24)?,
        last_login_at: row.try_get(25)?,
        previous_login_at: row.try_get(26)?,
        sso_issuer: row.try_get(27)?,
        sso_subject: row.try_get(28)?,
    };
    Ok((session, user))
}
