//! Account administration: which accounts an administrator or supervisor
//! may see and manage, and what they do to them. An administrator manages
//! every account of the tenant; a supervisor only accounts whose
//! facilities all lie within its own (never an administrator); a fulfiller
//! administers nothing. An account outside the caller's reach reads as
//! missing (`404`), so its existence is not told either.
//!
//! A tenant has at most some thousands of accounts: a listing loads them
//! and their facility links in two queries and filters, searches and pages
//! in memory.

use crate::auth::password::{HashError, PasswordHasher};
use crate::auth::throttle::Throttle;
use crate::db::{Database, DbConnection, DbError};
use crate::model::audit::{self, AuditEvent, AuditFilter};
use crate::model::facility::Facility;
use crate::model::session::Session;
use crate::model::tenant::Tenant;
use crate::model::user::{User, UserFacility};
use secrecy::{ExposeSecret, SecretString};
use shared::admin::{AuditEventView, FacilityView, Page, UserView};
use shared::api::FacilityRef;
use shared::password_policy::{PasswordPolicy, PasswordProblem};
use shared::{AccountStatus, Role, SignInMethod};
use std::collections::{BTreeSet, HashMap};

/// The longest page a listing gives.
pub const MAX_PER_PAGE: usize = 200;
pub const DEFAULT_PER_PAGE: usize = 50;

pub struct UserAdmin {
    pub db: Database,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
}

/// Who is administering: the signed-in account and what it may reach.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub facilities: BTreeSet<String>,
    pub address: String,
}

impl Actor {
    /// Whether `target` (with its facility ids) is within reach.
    pub fn reaches(&self, target: &User, target_facilities: &BTreeSet<String>) -> bool {
        match self.role {
            Role::Administrator => true,
            Role::Supervisor => {
                target.role() != Role::Administrator
                    && !target_facilities.is_empty()
                    && target_facilities.is_subset(&self.facilities)
            }
            Role::Fulfiller => false,
        }
    }
}

/// What a listing asks for.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// In the username, first or last name, any case.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub status: Option<AccountStatus>,
    /// A facility id the account must see.
    pub facility: Option<String>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

/// What an audit listing asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub kind: Option<String>,
    pub username: Option<String>,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The caller administers nothing (a fulfiller).
    #[error("not allowed to administer accounts")]
    Forbidden,
    /// No such account within the caller's reach.
    #[error("no such account")]
    NotFound,
    /// Meant for one's own account, which has its own way (Account settings).
    #[error("use Account settings for your own account")]
    OwnAccount,
    #[error("the account signs in through single sign-on")]
    SsoAccount,
    #[error("the password breaks the policy")]
    Policy(Vec<PasswordProblem>),
    #[error("the hashing queue is full")]
    Busy,
    #[error("password hashing: {0}")]
    Hashing(HashError),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for UsersError {
    fn from(error: diesel::result::Error) -> Self {
        UsersError::Database(error.into())
    }
}

/// The tenant's accounts with their facilities, as one read.
struct Directory {
    users: Vec<User>,
    links: HashMap<String, BTreeSet<String>>,
    facilities: HashMap<String, Facility>,
}

impl Directory {
    fn load(conn: &mut DbConnection, tenant_id: &str) -> Result<Directory, UsersError> {
        let users = User::of_tenant(conn, tenant_id)?;
        let mut links: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (user_id, facility_id) in UserFacility::of_tenant(conn, tenant_id)? {
            links.entry(user_id).or_default().insert(facility_id);
        }
        let facilities = Facility::of_tenant(conn, tenant_id)?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect();
        Ok(Directory {
            users,
            links,
            facilities,
        })
    }

    fn facilities_of(&self, user_id: &str) -> BTreeSet<String> {
        self.links.get(user_id).cloned().unwrap_or_default()
    }

    fn view(&self, user: &User) -> UserView {
        let mut facilities: Vec<FacilityRef> = self
            .facilities_of(&user.id)
            .iter()
            .filter_map(|id| self.facilities.get(id))
            .map(|f| FacilityRef {
                id: f.id.clone(),
                code: f.code.clone(),
                name: f.name.clone(),
            })
            .collect();
        facilities.sort_by(|a, b| a.name.cmp(&b.name));
        UserView {
            id: user.id.clone(),
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            role: user.role(),
            facilities,
            locale: user.locale.clone(),
            sign_in_method: user.sign_in_method(),
            last_login_at: user.last_login_at.map(rfc3339),
            status: user.status(),
            must_change_password: user.must_change_password,
            version: user.version,
            created_at: rfc3339(user.created_at),
            modified_at: rfc3339(user.modified_at),
        }
    }
}

fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

fn page_of<T>(items: Vec<T>, page: usize, per_page: usize) -> Page<T> {
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    let page = page.max(1);
    let total = items.len();
    let items = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Page {
        items,
        total,
        page,
        per_page,
    }
}

/// The acting account, if it administers at all.
pub fn actor_of(
    conn: &mut DbConnection,
    tenant_id: &str,
    user: &User,
    address: String,
) -> Result<Actor, UsersError> {
    let role = user.role();
    if role == Role::Fulfiller {
        return Err(UsersError::Forbidden);
    }
    let facilities = Facility::of_user(conn, tenant_id, &user.id)?
        .into_iter()
        .map(|f| f.id)
        .collect();
    Ok(Actor {
        user_id: user.id.clone(),
        username: user.username.clone(),
        role,
        facilities,
        address,
    })
}

impl UserAdmin {
    /// Runs `work` on a database connection; its own errors pass through.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, UsersError> + Send + 'static,
    ) -> Result<T, UsersError> {
        self.db.read(move |conn| Ok(work(conn))).await?
    }

    /// Runs `work` as one transaction; its own errors pass through (what it
    /// wrote before one stays written, so checks come first).
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, UsersError> + Send + 'static,
    ) -> Result<T, UsersError> {
        self.db.write(move |conn| Ok(work(conn))).await?
    }

    /// The accounts within reach that match `query`, by username.
    pub async fn list(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        query: UserQuery,
    ) -> Result<Page<UserView>, UsersError> {
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.read(move |conn| list_in(conn, &tenant_id, &caller, address, &query))
            .await
    }

    /// One account within reach.
    pub async fn get(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
    ) -> Result<UserView, UsersError> {
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.read(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, address)?;
            let directory = Directory::load(conn, &tenant_id)?;
            let user = reachable(&directory, &actor, &id)?;
            Ok(directory.view(user))
        })
        .await
    }

    /// Sets a temporary password for another account: every session of it
    /// ends, its reset links die and its waits are lifted; the owner must
    /// choose a new password at the next sign-in.
    pub async fn set_password(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
        password: SecretString,
    ) -> Result<(), UsersError> {
        let (tenant_id, caller_user) = (tenant.id.clone(), caller.clone());
        let min_length = usize::try_from(tenant.password_min_length)
            .unwrap_or(shared::password_policy::DEFAULT_MIN_LENGTH);
        let lookup_id = id.clone();
        let (actor, target) = self
            .read(move |conn| {
                let actor = actor_of(conn, &tenant_id, &caller_user, address)?;
                let directory = Directory::load(conn, &tenant_id)?;
                let target = reachable(&directory, &actor, &lookup_id)?.clone();
                Ok((actor, target))
            })
            .await?;
        if target.id == actor.user_id {
            return Err(UsersError::OwnAccount);
        }
        if target.sign_in_method() != SignInMethod::Password {
            return Err(UsersError::SsoAccount);
        }
        let problems = PasswordPolicy::with_min_length(min_length)
            .check(password.expose_secret(), &target.username);
        if !problems.is_empty() {
            return Err(UsersError::Policy(problems));
        }
        let password_hash = self
            .hasher
            .run(move |hasher| hasher.hash_blocking(&password))
            .await
            .and_then(|hashed| hashed)
            .map_err(|e| match e {
                HashError::Busy => UsersError::Busy,
                other => UsersError::Hashing(other),
            })?;
        let (tenant_id, throttle) = (tenant.id.clone(), self.throttle.clone());
        self.db
            .write(move |conn| {
                let now = crate::model::now();
                User::set_password(conn, &tenant_id, &target.id, &password_hash, true, now)?;
                let revoked = Session::revoke_all_of_user(
                    conn,
                    &tenant_id,
                    &target.id,
                    "password_set_by_administrator",
                    now,
                )?;
                throttle.unlock(conn, &tenant_id, &target.username)?;
                AuditEvent::new(&tenant_id, audit::PASSWORD_SET_BY_ADMINISTRATOR)
                    .user(Some(&target.id), Some(&target.username))
                    .from_address(&actor.address)
                    .detail(&format!(
                        "by {}; temporary; {revoked} sessions revoked",
                        actor.username
                    ))
                    .record(conn)?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// Lifts every brute-force wait on an account; how many counters went.
    pub async fn unlock(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
    ) -> Result<usize, UsersError> {
        let (tenant_id, caller, throttle) =
            (tenant.id.clone(), caller.clone(), self.throttle.clone());
        self.write(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, address)?;
            let directory = Directory::load(conn, &tenant_id)?;
            let target = reachable(&directory, &actor, &id)?;
            let forgotten = throttle.unlock(conn, &tenant_id, &target.username)?;
            AuditEvent::new(&tenant_id, audit::ACCOUNT_UNLOCKED)
                .user(Some(&target.id), Some(&target.username))
                .from_address(&actor.address)
                .detail(&format!(
                    "by {}; {forgotten} counters forgotten",
                    actor.username
                ))
                .record(conn)?;
            Ok(forgotten)
        })
        .await
    }

    /// Ends every session of an account at once; how many were live.
    pub async fn revoke_sessions(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
    ) -> Result<usize, UsersError> {
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.write(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, address)?;
            let directory = Directory::load(conn, &tenant_id)?;
            let target = reachable(&directory, &actor, &id)?;
            let now = crate::model::now();
            let revoked = Session::revoke_all_of_user(
                conn,
                &tenant_id,
                &target.id,
                "revoked_by_administrator",
                now,
            )?;
            AuditEvent::new(&tenant_id, audit::SESSIONS_REVOKED_BY_ADMINISTRATOR)
                .user(Some(&target.id), Some(&target.username))
                .from_address(&actor.address)
                .detail(&format!("by {}; {revoked} sessions", actor.username))
                .record(conn)?;
            Ok(revoked)
        })
        .await
    }

    /// The facilities the caller administers: all for an administrator,
    /// its own for a supervisor.
    pub async fn facilities(
        &self,
        tenant: &Tenant,
        caller: &User,
    ) -> Result<Vec<FacilityView>, UsersError> {
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.read(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, String::new())?;
            Ok(Facility::of_tenant(conn, &tenant_id)?
                .into_iter()
                .filter(|f| actor.role == Role::Administrator || actor.facilities.contains(&f.id))
                .map(|f| FacilityView {
                    created_at: rfc3339(f.created_at),
                    id: f.id,
                    code: f.code,
                    name: f.name,
                })
                .collect())
        })
        .await
    }

    /// The audit trail, newest first: all of it for an administrator, the
    /// events about the accounts it reaches for a supervisor.
    pub async fn audit(
        &self,
        tenant: &Tenant,
        caller: &User,
        query: AuditQuery,
    ) -> Result<Page<AuditEventView>, UsersError> {
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.read(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, String::new())?;
            let usernames = if actor.role == Role::Administrator {
                None
            } else {
                let directory = Directory::load(conn, &tenant_id)?;
                Some(
                    directory
                        .users
                        .iter()
                        .filter(|u| actor.reaches(u, &directory.facilities_of(&u.id)))
                        .map(|u| u.username.clone())
                        .collect(),
                )
            };
            let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
            let page = query.page.max(1);
            let filter = AuditFilter {
                kind: query.kind.clone(),
                username: query.username.clone(),
                usernames,
            };
            let offset = i64::try_from((page - 1).saturating_mul(per_page)).unwrap_or(i64::MAX);
            let limit = i64::try_from(per_page).unwrap_or(50);
            let (events, total) = AuditEvent::page(conn, &tenant_id, &filter, offset, limit)?;
            Ok(Page {
                items: events
                    .into_iter()
                    .map(|e| AuditEventView {
                        id: e.id,
                        occurred_at: rfc3339(e.occurred_at),
                        kind: e.kind,
                        user_id: e.user_id,
                        username: e.username,
                        client_address: e.client_address,
                        detail: e.detail,
                    })
                    .collect(),
                total: usize::try_from(total).unwrap_or(0),
                page,
                per_page,
            })
        })
        .await
    }
}

fn list_in(
    conn: &mut DbConnection,
    tenant_id: &str,
    caller: &User,
    address: String,
    query: &UserQuery,
) -> Result<Page<UserView>, UsersError> {
    let actor = actor_of(conn, tenant_id, caller, address)?;
    let directory = Directory::load(conn, tenant_id)?;
    let search = query.search.as_deref().map(str::to_lowercase);
    let matching: Vec<UserView> = directory
        .users
        .iter()
        .filter(|user| actor.reaches(user, &directory.facilities_of(&user.id)))
        .filter(|user| query.role.is_none_or(|role| user.role() == role))
        .filter(|user| query.status.is_none_or(|status| user.status() == status))
        .filter(|user| {
            query
                .facility
                .as_ref()
                .is_none_or(|facility| directory.facilities_of(&user.id).contains(facility))
        })
        .filter(|user| {
            search.as_deref().is_none_or(|needle| {
                [&user.username, &user.first_name, &user.last_name]
                    .iter()
                    .any(|field| field.to_lowercase().contains(needle))
            })
        })
        .map(|user| directory.view(user))
        .collect();
    Ok(page_of(matching, query.page, query.per_page))
}

/// The account `id` if the actor reaches it.
fn reachable<'d>(
    directory: &'d Directory,
    actor: &Actor,
    id: &str,
) -> Result<&'d User, UsersError> {
    directory
        .users
        .iter()
        .find(|user| user.id == id)
        .filter(|user| actor.reaches(user, &directory.facilities_of(&user.id)))
        .ok_or(UsersError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        let now = crate::model::now();
        User {
            id: "u".to_owned(),
            tenant_id: "t".to_owned(),
            username: "u".to_owned(),
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            locale: "en".to_owned(),
            status: "ACTIVE".to_owned(),
            sign_in_method: "PASSWORD".to_owned(),
            role: role.as_str().to_owned(),
            password_hash: None,
            must_change_password: false,
            version: 1,
            created_at: now,
            modified_at: now,
            last_login_at: None,
            previous_login_at: None,
        }
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    fn actor(role: Role, facilities: &[&str]) -> Actor {
        Actor {
            user_id: "a".to_owned(),
            username: "a".to_owned(),
            role,
            facilities: set(facilities),
            address: String::new(),
        }
    }

    #[test]
    fn a_supervisor_reaches_only_accounts_wholly_within_its_facilities() {
        let supervisor = actor(Role::Supervisor, &["ber", "ham"]);
        let fulfiller = user(Role::Fulfiller);
        assert!(supervisor.reaches(&fulfiller, &set(&["ber"])));
        assert!(supervisor.reaches(&fulfiller, &set(&["ber", "ham"])));
        assert!(
            !supervisor.reaches(&fulfiller, &set(&["ber", "muc"])),
            "partly outside"
        );
        assert!(
            !supervisor.reaches(&fulfiller, &set(&[])),
            "no facility at all"
        );
        assert!(supervisor.reaches(&user(Role::Supervisor), &set(&["ham"])));
        assert!(!supervisor.reaches(&user(Role::Administrator), &set(&[])));
        assert!(actor(Role::Administrator, &[]).reaches(&user(Role::Administrator), &set(&[])));
        assert!(!actor(Role::Fulfiller, &["ber"]).reaches(&fulfiller, &set(&["ber"])));
    }

    #[test]
    fn pages_are_clamped_and_count_every_match() {
        let page = page_of((1..=120).collect::<Vec<_>>(), 3, 50);
        assert_eq!(page.items, (101..=120).collect::<Vec<_>>());
        assert_eq!((page.total, page.page, page.per_page), (120, 3, 50));
        let page = page_of((1..=5).collect::<Vec<_>>(), 0, 100_000);
        assert_eq!(
            (page.items.len(), page.page, page.per_page),
            (5, 1, MAX_PER_PAGE)
        );
    }
}
