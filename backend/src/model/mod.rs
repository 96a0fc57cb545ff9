//! The stored records and the queries on them, one module per table (or
//! pair of tables that live and die together). Every query on tenant-owned
//! data takes the tenant id.

pub mod audit;
pub mod facility;
pub mod login_throttle;
pub mod outbox;
pub mod password_reset;
pub mod session;
pub mod signing_key;
pub mod sso_login_state;
pub mod sso_provider;
pub mod tenant;
pub mod user;

use chrono::{NaiveDateTime, Utc};

/// Now, as stored: UTC without a zone, truncated to microseconds so that
/// SQLite and PostgreSQL round-trip it alike.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond_floor()
}

trait MicrosecondFloor {
    fn with_nanosecond_floor(self) -> Self;
}

impl MicrosecondFloor for NaiveDateTime {
    fn with_nanosecond_floor(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

/// A new id: a UUID whose first bits are the time (version 7) and the rest
/// random, so that rows keyed by it are appended in order rather than
/// scattered over their table (sessions are stored in id order, see the
/// migrations). Ids are names, not secrets: a session's id tells no more
/// than its token's `iat`.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
