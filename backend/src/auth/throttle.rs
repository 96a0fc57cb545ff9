//! Brute-force protection. Failed sign-ins are counted under three keys:
//!
//! - the account from one address: after `threshold` failures that pair
//!   waits, and each further failure doubles the wait up to `max`; the same
//!   account from another address is not affected;
//! - the address, whatever account: after `address_threshold` failures the
//!   address waits alike (password spraying);
//! - the account, whatever address: after `account_ceiling` failures in one
//!   window the account is locked for the rest of it (slow distributed
//!   guessing); an administrator can unlock it.
//!
//! A locked sign-in gets the same answer as a wrong password, after the
//! same hashing work, so nobody learns that an account exists or is locked.

use crate::db::DbConnection;
use crate::model::login_throttle::LoginThrottle;
use crate::settings::LockoutSettings;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    AccountFromAddress,
    Address,
    Account,
}

/// The three counters one sign-in attempt touches.
#[derive(Debug, Clone)]
pub struct AttemptKeys {
    keys: [(Scope, String); 3],
}

impl AttemptKeys {
    pub fn new(username: &str, address: &str) -> Self {
        AttemptKeys {
            keys: [
                (
                    Scope::AccountFromAddress,
                    format!("pair:{username}|{address}"),
                ),
                (Scope::Address, format!("addr:{address}")),
                (Scope::Account, format!("acct:{username}")),
            ],
        }
    }

    fn all(&self) -> [&str; 3] {
        [&self.keys[0].1, &self.keys[1].1, &self.keys[2].1]
    }

    fn pair(&self) -> &str {
        &self.keys[0].1
    }
}

/// What the counters said before an attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct AttemptState {
    /// One of the keys is waiting: the attempt fails whatever the password.
    pub locked: bool,
    /// The account has failures from this address, which success clears.
    pub pair_counted: bool,
}

#[derive(Debug, Clone)]
pub struct Throttle {
    settings: LockoutSettings,
}

fn delta(duration: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

impl Throttle {
    pub fn new(settings: LockoutSettings) -> Self {
        Throttle { settings }
    }

    pub fn check(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &AttemptKeys,
        now: NaiveDateTime,
    ) -> QueryResult<AttemptState> {
        let rows = LoginThrottle::locks_of(conn, tenant_id, keys.all())?;
        Ok(AttemptState {
            locked: rows
                .iter()
                .any(|(_, until)| until.is_some_and(|until| until > now)),
            pair_counted: rows.iter().any(|(key, _)| key == keys.pair()),
        })
    }

    /// Counts a failure under every key; true if that (or an earlier
    /// failure) put any of them into a wait.
    pub fn record_failure(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &AttemptKeys,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let mut locked = false;
        for (scope, key) in &keys.keys {
            let row = self.count_one(conn, tenant_id, *scope, key, now)?;
            locked |= row.locked_until.is_some_and(|until| until > now);
        }
        Ok(locked)
    }

    /// A successful sign-in clears the account's count from that address
    /// (if `before`, read ahead of the attempt, saw one).
    pub fn record_success(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &AttemptKeys,
        before: AttemptState,
    ) -> QueryResult<()> {
        if before.pair_counted {
            LoginThrottle::delete_key(conn, tenant_id, keys.pair())?;
        }
        Ok(())
    }

    pub fn forget_stale(&self, conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
        LoginThrottle::delete_stale(conn, now - delta(self.settings.window), now)
    }

    /// Read, compute, compare-and-set; retried when another request changed
    /// the row in between. No transaction, so SQLite never upgrades a lock.
    fn count_one(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        scope: Scope,
        key: &str,
        now: NaiveDateTime,
    ) -> QueryResult<LoginThrottle> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let previous = LoginThrottle::find(conn, tenant_id, key)?;
            let next = self.next_state(tenant_id, scope, key, previous.as_ref(), now);
            let stored = match &previous {
                None => match next.insert(conn) {
                    Ok(()) => true,
                    Err(e) if crate::db::is_unique_violation(&e) && attempts < 5 => false,
                    Err(e) => return Err(e),
                },
                Some(previous) => next.replace(conn, previous)?,
            };
            if stored || attempts >= 5 {
                return Ok(next);
            }
        }
    }

    fn next_state(
        &self,
        tenant_id: &str,
        scope: Scope,
        key: &str,
        previous: Option<&LoginThrottle>,
        now: NaiveDateTime,
    ) -> LoginThrottle {
        let window = delta(self.settings.window);
        let (failures, window_started_at) = match previous {
            Some(p) if p.window_started_at + window > now => {
                (p.failures.saturating_add(1), p.window_started_at)
            }
            _ => (1, now),
        };
        let new_lock = self.lock_until(scope, failures, window_started_at, now);
        let locked_until = match (previous.and_then(|p| p.locked_until), new_lock) {
            (Some(old), Some(new)) => Some(old.max(new)),
            (old, new) => new.or(old.filter(|until| *until > now)),
        };
        LoginThrottle {
            tenant_id: tenant_id.to_owned(),
            throttle_key: key.to_owned(),
            failures,
            window_started_at,
            last_failure_at: now,
            locked_until,
        }
    }

    fn lock_until(
        &self,
        scope: Scope,
        failures: i32,
        window_started_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        let s = &self.settings;
        let growing = |threshold: u32| {
            let over = i64::from(failures) - i64::from(threshold);
            (over >= 0).then(|| {
                let factor = 1u32.checked_shl(over.min(30) as u32).unwrap_or(u32::MAX);
                let wait = s.base.checked_mul(factor).unwrap_or(s.max).min(s.max);
                now + delta(wait)
            })
        };
        match scope {
            Scope::AccountFromAddress => growing(s.threshold),
            Scope::Address => growing(s.address_threshold),
            Scope::Account => (i64::from(failures) >= i64::from(s.account_ceiling))
                .then(|| window_started_at + delta(s.window)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn throttle() -> Throttle {
        Throttle::new(LockoutSettings {
            threshold: 3,
            base: Duration::from_secs(10),
            max: Duration::from_secs(60),
            address_threshold: 10,
            account_ceiling: 20,
            window: Duration::from_secs(3600),
        })
    }

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    }

    fn fail(t: &Throttle, scope: Scope, times: i32, now: NaiveDateTime) -> LoginThrottle {
        let mut row: Option<LoginThrottle> = None;
        for _ in 0..times {
            row = Some(t.next_state("t", scope, "k", row.as_ref(), now));
        }
        row.unwrap_or_else(|| t.next_state("t", scope, "k", None, now))
    }

    #[test]
    fn the_pair_waits_from_the_threshold_and_the_wait_doubles_up_to_max() {
        let t = throttle();
        assert_eq!(
            fail(&t, Scope::AccountFromAddress, 2, at(0)).locked_until,
            None
        );
        assert_eq!(
            fail(&t, Scope::AccountFromAddress, 3, at(0)).locked_until,
            Some(at(10))
        );
        assert_eq!(
            fail(&t, Scope::AccountFromAddress, 4, at(0)).locked_until,
            Some(at(20))
        );
        assert_eq!(
            fail(&t, Scope::AccountFromAddress, 9, at(0)).locked_until,
            Some(at(60))
        );
    }

    #[test]
    fn the_account_ceiling_locks_until_the_window_ends() {
        let t = throttle();
        assert_eq!(fail(&t, Scope::Account, 19, at(0)).locked_until, None);
        assert_eq!(
            fail(&t, Scope::Account, 20, at(0)).locked_until,
            Some(at(3600))
        );
    }

    #[test]
    fn counts_start_again_after_the_window() {
        let t = throttle();
        let old = fail(&t, Scope::AccountFromAddress, 2, at(0));
        let next = t.next_state("t", Scope::AccountFromAddress, "k", Some(&old), at(4000));
        assert_eq!(next.failures, 1);
        assert_eq!(next.locked_until, None);
    }
}
