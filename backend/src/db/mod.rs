//! The database layer: one connection type over SQLite and PostgreSQL, the
//! pool, the embedded migrations, its own error type, and [`Database`], the
//! one way request code reads and writes (on SQLite, reads run on the
//! async worker itself; everything else on the blocking thread pool).

pub mod live_session;
pub mod schema;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::Connection;
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
        // A broken connection is noticed when it is used and dropped then;
        // a test query on every checkout cost /me a round trip each.
        .test_on_check_out(false)
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

/// Why the database could not do what was asked. The HTTP edge turns it
/// into a problem document; nothing below it knows of HTTP.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("the database task stopped: {0}")]
    Task(String),
}

/// The database as request code sees it: reads, and writes that each run
/// as one transaction. The one way to reach the database outside startup
/// and the command line, so no caller has to remember how writes are done.
#[derive(Clone)]
pub struct Database {
    pool: DbPool,
    sqlite: bool,
}

/// SQLite lets one connection write at a time. Two connections of this
/// process that both read and then write in deferred transactions can fail
/// with "busy" at once (neither may upgrade), and one that finds the file
/// busy sleeps 1, 2, 5… ms in SQLite's busy handler before it retries. So
/// this process's SQLite writes take turns on this lock, and the next one
/// runs the moment the last commits. (Another process, such as the command
/// line, still meets `busy_timeout`.)
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Database {
    pub fn new(pool: DbPool, location: &DatabaseLocation) -> Self {
        Database {
            pool,
            sqlite: matches!(location, DatabaseLocation::Sqlite(_)),
        }
    }

    /// The pool underneath, for the command line and tests that set data up.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs `work` with a connection on this thread, which must be one that
    /// may block (or, on SQLite, an async worker: see [`Database::read`]).
    pub fn read_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.pool.get()?;
        work(&mut conn)
    }

    /// Runs `work` as one transaction on this thread (which may block): all
    /// of it is written, or nothing. On SQLite, this process's writers take
    /// turns (see [`SQLITE_WRITER`]).
    pub fn write_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        // The turn comes before the connection: a writer waiting for its
        // turn holds none, so waiting writers never empty the pool that
        // the reads on the async workers draw from.
        let _turn = self.sqlite.then(|| {
            SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        let mut pooled = self.pool.get()?;
        let conn: &mut DbConnection = &mut pooled;
        conn.transaction(work)
    }

    /// [`Database::read_blocking`]: on SQLite on this async worker, since a
    /// read of the write-ahead log never waits for a writer and a hop to a
    /// blocking thread costs more than the read (decision 0047); on
    /// PostgreSQL, whose answer travels the network, on the blocking pool.
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        if self.sqlite {
            return self.read_blocking(work);
        }
        let db = self.clone();
        actix_web::web::block(move || db.read_blocking(work))
            .await
            .map_err(|e| DbError::Task(e.to_string()))?
    }

    /// [`Database::write_blocking`] on the blocking thread pool.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let db = self.clone();
        actix_web::web::block(move || db.write_blocking(work))
            .await
            .map_err(|e| DbError::Task(e.to_string()))?
    }
}

/// Whether an error is a unique-constraint violation (a row that already
/// exists), on either database.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
