//! The database layer: one connection type over SQLite and PostgreSQL, the
//! pool, the embedded migrations, and the one way request code reaches the
//! database (on the blocking pool, never on an async worker).

pub mod schema;

use crate::error::ApiError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::Path;
use std::time::Duration;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to whichever database is configured.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledDb = PooledConnection<ConnectionManager<DbConnection>>;

/// Where the data lives: a `postgres://` URL, or else a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseLocation {
    /// `database_url` wins when set; otherwise the SQLite file in the data
    /// folder.
    pub fn resolve(database_url: Option<&str>, data_dir: &Path) -> Self {
        match database_url.map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                DatabaseLocation::Postgres(url.to_owned())
            }
            Some(url) => {
                DatabaseLocation::Sqlite(url.strip_prefix("sqlite://").unwrap_or(url).to_owned())
            }
            None => DatabaseLocation::Sqlite(
                data_dir
                    .join("backoffice.sqlite3")
                    .to_string_lossy()
                    .into_owned(),
            ),
        }
    }

    fn url(&self) -> &str {
        match self {
            DatabaseLocation::Postgres(url) | DatabaseLocation::Sqlite(url) => url,
        }
    }

    /// What the logs may show: never a password.
    pub fn describe(&self) -> String {
        match self {
            DatabaseLocation::Postgres(url) => {
                let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
                let host = after_scheme
                    .rsplit_once('@')
                    .map_or(after_scheme, |(_, h)| h);
                format!("PostgreSQL at {host}")
            }
            DatabaseLocation::Sqlite(path) => format!("SQLite at {path}"),
        }
    }
}

/// Sets SQLite up for a server: write-ahead log, waiting instead of failing
/// on a busy database, and enforced foreign keys.
#[derive(Debug)]
struct SqlitePragmas;

impl SqlitePragmas {
    fn apply(conn: &mut DbConnection) -> diesel::QueryResult<()> {
        match conn {
            DbConnection::Sqlite(sqlite) => sqlite.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            ),
            DbConnection::Postgresql(_) => Ok(()),
        }
    }
}

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        SqlitePragmas::apply(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens the pool and brings the schema up to date.
pub fn connect(location: &DatabaseLocation, max_size: u32) -> anyhow::Result<DbPool> {
    let manager = ConnectionManager::<DbConnection>::new(location.url());
    let pool = Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", location.describe()))?;
    let mut conn = pool.get()?;
    run_migrations(&mut conn)?;
    Ok(pool)
}

fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Postgresql(pg) => pg.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    for version in applied {
        tracing::info!(%version, "applied migration");
    }
    Ok(())
}

/// Runs `work` with a pooled connection on the blocking thread pool. The
/// one way request handlers touch the database (a sign-in, which runs on a
/// hashing thread, goes through [`SignInConnection`] there).
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || with_connection(&pool, work))
        .await
        .map_err(|e| ApiError::unexpected(e, "blocking task"))?
}

/// Runs `work` with a pooled connection on this thread, which must be one
/// that may block: never an async worker.
pub fn with_connection<T>(
    pool: &DbPool,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut conn = pool
        .get()
        .map_err(|e| ApiError::unexpected(e, "database pool"))?;
    work(&mut conn)
}

/// The connection sign-ins use on SQLite: one, opened beside the pool and
/// shared by the hashing threads, one step at a time.
///
/// SQLite drops a connection's whole page cache when it begins to read
/// after another connection has written. Two hashing threads on two pooled
/// connections did that to each other on every sign-in, and each sign-in
/// read about 21 pages back from the files (BENCHMARKS.md). On one
/// connection the pages a sign-in needs stay cached from the last one. On
/// PostgreSQL, which keeps its cache on the server, the pool serves.
pub struct SignInConnection {
    sqlite: Option<(String, std::sync::Mutex<Option<DbConnection>>)>,
}

impl SignInConnection {
    pub fn new(location: &DatabaseLocation) -> Self {
        SignInConnection {
            sqlite: match location {
                DatabaseLocation::Sqlite(url) => Some((url.clone(), std::sync::Mutex::new(None))),
                DatabaseLocation::Postgres(_) => None,
            },
        }
    }

    /// Runs `work` on this thread, which must be one that may block, with
    /// the shared SQLite connection (opened on first use, and again after a
    /// step that panicked with it) or with a pooled PostgreSQL one. Hold it
    /// for one step, never across a hash.
    pub fn with<T>(
        &self,
        pool: &DbPool,
        work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let Some((url, shared)) = &self.sqlite else {
            return with_connection(pool, work);
        };
        let mut slot = match shared.lock() {
            Ok(slot) => slot,
            Err(poisoned) => {
                // A step panicked while it held the connection, perhaps in
                // the middle of a transaction: start from a fresh one.
                shared.clear_poison();
                let mut slot = poisoned.into_inner();
                *slot = None;
                slot
            }
        };
        let conn = match &mut *slot {
            Some(conn) => conn,
            empty => empty.insert(Self::open(url)?),
        };
        work(conn)
    }

    fn open(url: &str) -> Result<DbConnection, ApiError> {
        use diesel::Connection;
        let mut conn = diesel::SqliteConnection::establish(url)
            .map(DbConnection::Sqlite)
            .map_err(|e| ApiError::unexpected(e, "opening the sign-in connection"))?;
        SqlitePragmas::apply(&mut conn)
            .map_err(|e| ApiError::unexpected(e, "setting up the sign-in connection"))?;
        Ok(conn)
    }
}

/// SQLite lets one connection write at a time; another that tries gets
/// "busy" and sleeps 1, 2, 5… ms before it retries (`busy_timeout`). A
/// sign-in writes on a hashing thread, where such a sleep is lost hashing
/// time, and two hashing threads met that way on about a third of sign-ins
/// under load (BENCHMARKS.md). This process's writers queue here instead,
/// and the next one runs the moment the last is done. (A separate process,
/// such as the command line, still meets `busy_timeout`.)
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `work`, which writes, as this process's only SQLite writer of the
/// moment (see [`SQLITE_WRITER`]); on PostgreSQL it simply runs it. Request
/// code writes through here, once per unit of work: `work` must not call
/// `write` again (the lock is not re-entrant).
pub fn write<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let _turn = matches!(conn, DbConnection::Sqlite(_)).then(|| {
        SQLITE_WRITER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    });
    work(conn)
}

/// Whether an error is a unique-constraint violation (a row that already
/// exists), on either database.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    fn count(conn: &mut DbConnection) -> Result<i64, ApiError> {
        Ok(diesel::sql_query("SELECT count(*) AS n FROM notes")
            .get_result::<Count>(conn)?
            .n)
    }

    #[test]
    #[allow(clippy::panic)]
    fn the_sign_in_connection_survives_a_step_that_panicked_in_a_transaction(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let location = DatabaseLocation::resolve(None, dir.path());
        let pool = connect(&location, 2)?;
        pool.get()?
            .batch_execute("CREATE TABLE notes (body TEXT NOT NULL)")?;
        let shared = std::sync::Arc::new(SignInConnection::new(&location));

        let panicking = std::sync::Arc::clone(&shared);
        let pool_for_thread = pool.clone();
        let outcome = std::thread::spawn(move || {
            panicking.with(&pool_for_thread, |conn| -> Result<(), ApiError> {
                conn.batch_execute("BEGIN; INSERT INTO notes VALUES ('half written');")?;
                panic!("a bug in the middle of a sign-in");
            })
        })
        .join();
        assert!(outcome.is_err(), "the step panicked");

        // The next step gets a working connection, outside any transaction,
        // and the half-written row never became visible.
        let reason = |e: ApiError| e.to_string();
        shared
            .with(&pool, |conn| {
                conn.batch_execute("INSERT INTO notes VALUES ('whole')")?;
                Ok(())
            })
            .map_err(reason)?;
        assert_eq!(shared.with(&pool, count).map_err(reason)?, 1);
        let mut other = pool.get()?;
        assert_eq!(count(&mut other).map_err(reason)?, 1);
        Ok(())
    }
}
