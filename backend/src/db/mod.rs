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

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(sqlite) = conn {
            sqlite
                .batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
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
/// hashing thread, uses [`with_connection`] there).
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
