//! The audit trail: sign-ins (by password and single sign-on), failures,
//! lockouts, password resets and administrative changes, per tenant. No
//! secret is ever written here.

use crate::db::schema::audit_events;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const LOGIN_SUCCEEDED: &str = "login_succeeded";
pub const LOGIN_FAILED: &str = "login_failed";
pub const LOGIN_THROTTLED: &str = "login_throttled";
pub const LOGIN_INACTIVE: &str = "login_inactive";
pub const LOGOUT: &str = "logout";
pub const REFRESH_TOKEN_REUSED: &str = "refresh_token_reused";
pub const ACCOUNT_UNLOCKED: &str = "account_unlocked";
pub const PASSWORD_RESET_REQUESTED: &str = "password_reset_requested";
pub const PASSWORD_RESET_LIMITED: &str = "password_reset_limited";
pub const PASSWORD_RESET_COMPLETED: &str = "password_reset_completed";
pub const PASSWORD_CHANGED: &str = "password_changed";
pub const PASSWORD_CHANGE_FAILED: &str = "password_change_failed";
pub const PROFILE_CHANGED: &str = "profile_changed";
pub const SESSION_REVOKED: &str = "session_revoked";
pub const USER_CREATED: &str = "user_created";
pub const USER_CHANGED: &str = "user_changed";
pub const USER_DELETED: &str = "user_deleted";
pub const INVITATION_SENT: &str = "invitation_sent";
pub const PASSWORD_SET_BY_ADMINISTRATOR: &str = "password_set_by_administrator";
pub const SESSIONS_REVOKED_BY_ADMINISTRATOR: &str = "sessions_revoked_by_administrator";
pub const SSO_LOGIN_FAILED: &str = "sso_login_failed";
pub const SSO_PROVIDER_CREATED: &str = "sso_provider_created";
pub const SSO_PROVIDER_CHANGED: &str = "sso_provider_changed";
pub const SSO_PROVIDER_DELETED: &str = "sso_provider_deleted";

/// Which events a listing wants.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub kind: Option<String>,
    pub username: Option<String>,
    /// Only events about these accounts (`None`: any).
    pub usernames: Option<Vec<String>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    pub tenant_id: String,
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub client_address: Option<String>,
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(tenant_id: &str, kind: &str) -> Self {
        AuditEvent {
            id: super::new_id(),
            tenant_id: tenant_id.to_owned(),
            occurred_at: super::now(),
            kind: kind.to_owned(),
            user_id: None,
            username: None,
            client_address: None,
            detail: None,
        }
    }

    pub fn user(mut self, user_id: Option<&str>, username: Option<&str>) -> Self {
        self.user_id = user_id.map(str::to_owned);
        self.username = username.map(str::to_owned);
        self
    }

    pub fn detail(mut self, detail: &str) -> Self {
        self.detail = Some(detail.to_owned());
        self
    }

    pub fn from_address(mut self, address: &str) -> Self {
        self.client_address = Some(address.to_owned());
        self
    }

    pub fn record(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(audit_events::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// A page of a tenant's events, newest first, and how many match in
    /// all: of `kind` if given, and about the accounts `usernames` if
    /// given (a supervisor's view).
    pub fn page(
        conn: &mut DbConnection,
        tenant_id: &str,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<AuditEvent>, i64)> {
        let query = || {
            let mut query = audit_events::table
                .filter(audit_events::tenant_id.eq(tenant_id))
                .into_boxed();
            if let Some(kind) = &filter.kind {
                query = query.filter(audit_events::kind.eq(kind.clone()));
            }
            if let Some(username) = &filter.username {
                query = query.filter(audit_events::username.eq(username.clone()));
            }
            if let Some(usernames) = &filter.usernames {
                query = query.filter(audit_events::username.eq_any(usernames.clone()));
            }
            query
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
            .offset(offset)
            .limit(limit)
            .select(AuditEvent::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    pub fn of_tenant(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<AuditEvent>> {
        audit_events::table
            .filter(audit_events::tenant_id.eq(tenant_id))
            .order(audit_events::occurred_at.asc())
            .select(AuditEvent::as_select())
            .load(conn)
    }
}
