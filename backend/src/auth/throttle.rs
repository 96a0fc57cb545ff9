//! Brute-force protection that slows guessing without handing strangers a
//! way to lock a person out. Failed sign-ins are counted per key, and a key
//! with too many failures waits: the first wait is `base`, each further
//! failure doubles it, up to `max`.
//!
//! - A browser the account signed in on before (it shows a device cookie,
//!   see `device_cookie`) is counted on its own, under its device key, and
//!   nothing else stops it: not the address, not the account-wide limit.
//!   So the owner keeps a way in whatever strangers do.
//! - Any other attempt counts under three keys: the account from this
//!   address (after `threshold`), the address whatever account (after
//!   `address_threshold`: password spraying), and the account from every
//!   browser it never signed in on (after `account_ceiling`: slow guessing
//!   from many addresses).
//! - An attempt refused because one of its keys is waiting is answered
//!   without a hash and counts nowhere: a stranger cannot stretch anyone's
//!   wait by knocking while it runs.
//!
//! A refused attempt gets the same answer as a wrong password, and every
//! key exists for unknown usernames as for real ones, so nobody learns that
//! an account exists. An operator can lift every wait on an account.

use crate::db::DbConnection;
use crate::model::login_throttle::{FailureCount, LoginThrottle};
use crate::settings::LockoutSettings;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The account from one known browser.
    Device,
    /// The account from one address.
    AccountFromAddress,
    /// One address, whatever account.
    Address,
    /// The account, from every browser it never signed in on.
    Account,
}

/// The counters one sign-in attempt is checked against and counts under.
#[derive(Debug, Clone)]
pub struct AttemptKeys {
    username: String,
    keys: Vec<(Scope, String)>,
}

impl AttemptKeys {
    /// `address` is the client's throttling scope (`net::throttle_scope`);
    /// `device` the id of a valid device cookie for this account, if any.
    pub fn new(username: &str, address: &str, device: Option<&str>) -> Self {
        let keys = match device {
            Some(device) => vec![(Scope::Device, format!("dev:{username}|{device}"))],
            None => vec![
                (
                    Scope::AccountFromAddress,
                    format!("pair:{username}|{address}"),
                ),
                (Scope::Address, format!("addr:{address}")),
                (Scope::Account, format!("acct:{username}")),
            ],
        };
        AttemptKeys {
            username: username.to_owned(),
            keys,
        }
    }

    /// The key a success clears: this browser's, or this address's, count
    /// for the account.
    fn own(&self) -> Option<&str> {
        self.keys
            .iter()
            .find(|(scope, _)| matches!(scope, Scope::Device | Scope::AccountFromAddress))
            .map(|(_, key)| key.as_str())
    }

    fn username_of(&self, scope: Scope) -> Option<&str> {
        (scope != Scope::Address).then_some(self.username.as_str())
    }
}

/// What the counters say about an attempt before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The key that is waiting, if any: the attempt is refused unchecked.
    pub waiting: Option<Scope>,
    /// Whether this browser or address has failures a success clears.
    pub has_own_count: bool,
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

    fn threshold(&self, scope: Scope) -> u32 {
        match scope {
            Scope::Device | Scope::AccountFromAddress => self.settings.threshold,
            Scope::Address => self.settings.address_threshold,
            Scope::Account => self.settings.account_ceiling,
        }
    }

    /// Until when a key with `count` waits, if it does: `base` at the
    /// threshold, doubled with each failure beyond it, at most `max`.
    pub fn waits_until(&self, scope: Scope, count: FailureCount) -> Option<NaiveDateTime> {
        let over = i64::from(count.failures) - i64::from(self.threshold(scope));
        if over < 0 {
            return None;
        }
        let s = &self.settings;
        let factor = 1u32.checked_shl(over.min(31) as u32).unwrap_or(u32::MAX);
        let wait = s.base.checked_mul(factor).unwrap_or(s.max).min(s.max);
        Some(count.last_failure_at + delta(wait))
    }

    fn window_start(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - delta(self.settings.window)
    }

    pub fn check(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &AttemptKeys,
        now: NaiveDateTime,
    ) -> QueryResult<Verdict> {
        let names: Vec<&str> = keys.keys.iter().map(|(_, key)| key.as_str()).collect();
        let counts = LoginThrottle::counts(conn, tenant_id, &names, self.window_start(now))?;
        let waiting = keys.keys.iter().find_map(|(scope, key)| {
            counts
                .iter()
                .find(|(stored, _)| stored == key)
                .and_then(|(_, count)| self.waits_until(*scope, *count))
                .filter(|until| *until > now)
                .map(|_| *scope)
        });
        Ok(Verdict {
            waiting,
            has_own_count: keys
                .own()
                .is_some_and(|own| counts.iter().any(|(stored, _)| stored == own)),
        })
    }

    /// Counts a failed attempt under each of its keys; the scopes this
    /// failure put into a wait.
    pub fn record_failure(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &AttemptKeys,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<Scope>> {
        let window_start = self.window_start(now);
        let mut started = Vec::new();
        for (scope, key) in &keys.keys {
            let count = LoginThrottle::count_failure(
                conn,
                tenant_id,
                key,
                keys.username_of(*scope),
                now,
                window_start,
            )?;
            if self
                .waits_until(*scope, count)
                .is_some_and(|until| until > now)
            {
                started.push(*scope);
            }
        }
        Ok(started)
    }

    /// A successful sign-in clears this browser's or address's count for
    /// the account (when `verdict` saw one).
    pub fn record_success(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        keys: &AttemptKeys,
        verdict: Verdict,
    ) -> QueryResult<()> {
        if let (true, Some(own)) = (verdict.has_own_count, keys.own()) {
            LoginThrottle::delete_key(conn, tenant_id, own)?;
        }
        Ok(())
    }

    /// Lifts every wait on an account (an operator's unlock); the number
    /// of counters forgotten.
    pub fn unlock(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        username: &str,
    ) -> QueryResult<usize> {
        LoginThrottle::delete_account(conn, tenant_id, username)
    }

    /// Forgets counters that can no longer make anyone wait, keeping every
    /// counter for at least `at_least` (the password reset limits count in
    /// the same table, over one reset link lifetime).
    pub fn forget_stale(
        &self,
        conn: &mut DbConnection,
        now: NaiveDateTime,
        at_least: std::time::Duration,
    ) -> QueryResult<usize> {
        let longest = self.settings.window.max(self.settings.max).max(at_least);
        LoginThrottle::delete_stale(conn, now - delta(longest))
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

    fn count(failures: i32) -> FailureCount {
        FailureCount {
            failures,
            last_failure_at: at(0),
        }
    }

    #[test]
    fn a_pair_waits_from_the_threshold_and_the_wait_doubles_up_to_max() {
        let t = throttle();
        let pair = Scope::AccountFromAddress;
        assert_eq!(t.waits_until(pair, count(2)), None);
        assert_eq!(t.waits_until(pair, count(3)), Some(at(10)));
        assert_eq!(t.waits_until(pair, count(4)), Some(at(20)));
        assert_eq!(t.waits_until(pair, count(9)), Some(at(60)));
        assert_eq!(t.waits_until(pair, count(i32::MAX)), Some(at(60)));
    }

    #[test]
    fn the_account_limit_slows_rather_than_locks() {
        let t = throttle();
        assert_eq!(t.waits_until(Scope::Account, count(19)), None);
        assert_eq!(t.waits_until(Scope::Account, count(20)), Some(at(10)));
        assert_eq!(t.waits_until(Scope::Account, count(500)), Some(at(60)));
    }

    #[test]
    fn a_known_browser_is_counted_on_its_own() {
        let known = AttemptKeys::new("anna", "203.0.113.9", Some("d1"));
        assert_eq!(known.keys.len(), 1);
        assert_eq!(known.keys[0].0, Scope::Device);
        assert_eq!(known.own(), Some("dev:anna|d1"));
        let stranger = AttemptKeys::new("anna", "203.0.113.9", None);
        let scopes: Vec<Scope> = stranger.keys.iter().map(|(scope, _)| *scope).collect();
        assert_eq!(
            scopes,
            [Scope::AccountFromAddress, Scope::Address, Scope::Account]
        );
        assert_eq!(stranger.username_of(Scope::Address), None);
    }
}
