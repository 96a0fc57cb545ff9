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
use crate::auth::secret_token::SecretToken;
use crate::auth::throttle::Throttle;
use crate::db::{Database, DbConnection, DbError};
use crate::mail::outbox::Outbox;
use crate::mail::templates::{self, Recipient};
use crate::model::audit::{self, AuditEvent, AuditFilter};
use crate::model::facility::Facility;
use crate::model::password_reset::{self, PasswordResetToken};
use crate::model::session::Session;
use crate::model::tenant::Tenant;
use crate::model::user::{User, UserFacility};
use crate::settings::PublicUrl;
use secrecy::{ExposeSecret, SecretString};
use shared::admin::{AuditEventView, FacilityView, Page, UserView};
use shared::admin::{NewFacility, NewUser, UserChanges};
use shared::api::FacilityRef;
use shared::password_policy::{PasswordPolicy, PasswordProblem};
use shared::username::Username;
use shared::{AccountStatus, Role, SignInMethod};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// The longest page a listing gives.
pub const MAX_PER_PAGE: usize = 200;
pub const DEFAULT_PER_PAGE: usize = 50;

pub struct UserAdmin {
    pub db: Database,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
    pub outbox: Outbox,
    /// Where invitation links point (`BACKOFFICE_PUBLIC_URL`).
    pub links: PublicUrl,
    pub invitation_ttl: Duration,
}

/// The longest name, facility name or code.
const MAX_NAME: usize = 100;
const MAX_CODE: usize = 32;

/// Fields of a request that break the rules: field, stable code, words.
pub type FieldErrors = Vec<(&'static str, &'static str, String)>;

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
    #[error("fields break the rules")]
    Invalid(FieldErrors),
    /// The account changed since the caller read it.
    #[error("stale version; the account is now at version {current}")]
    VersionConflict { current: i32 },
    #[error("the username is taken")]
    UsernameTaken,
    #[error("the facility code is taken")]
    FacilityExists,
    /// An invitation needs an active password account with an email address.
    #[error("no invitation possible")]
    CannotInvite,
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

pub(crate) fn rfc3339(at: chrono::NaiveDateTime) -> String {
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

/// The acting account, if it administers at all, as stored now: in a write
/// transaction the tenant's accounts are locked first, so a role or status
/// that another administrator has just taken away counts.
pub fn actor_of(
    conn: &mut DbConnection,
    tenant_id: &str,
    caller: &User,
    address: String,
) -> Result<Actor, UsersError> {
    Tenant::lock_accounts(conn, tenant_id)?;
    let user = User::find(conn, tenant_id, &caller.id)?
        .filter(|user| user.status() == AccountStatus::Active)
        .ok_or(UsersError::Forbidden)?;
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
        let caller_user = caller.clone();
        self.write(move |conn| {
            // Checked again where it is written (see `create`).
            let now_acting = actor_of(conn, &tenant_id, &caller_user, String::new())?;
            reachable(&Directory::load(conn, &tenant_id)?, &now_acting, &target.id)?;
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

impl UserAdmin {
    /// Creates an account: with an email and no password, it is invited to
    /// choose its password; else the password given is temporary.
    pub async fn create(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        new: NewUser,
    ) -> Result<UserView, UsersError> {
        let mut errors = FieldErrors::new();
        let username = match Username::parse(&new.username) {
            Ok(username) => username.as_str().to_owned(),
            Err(e) => {
                errors.push(("username", "username_invalid", e.to_string()));
                String::new()
            }
        };
        let first_name = name_field(&mut errors, "first_name", &new.first_name, true);
        let last_name = name_field(&mut errors, "last_name", &new.last_name, false);
        let email = email_field(&mut errors, new.email.as_deref());
        let locale = locale_field(&mut errors, new.locale.as_deref().unwrap_or("en"));
        let min_length = usize::try_from(tenant.password_min_length)
            .unwrap_or(shared::password_policy::DEFAULT_MIN_LENGTH);
        match (&new.password, &email) {
            (Some(password), _) => {
                for problem in
                    PasswordPolicy::with_min_length(min_length).check(password, &username)
                {
                    errors.push(("password", problem.code(), problem.to_string()));
                }
            }
            (None, None) => errors.push((
                "password",
                "password_or_email_required",
                "Give an email address (for an invitation) or a temporary password.".to_owned(),
            )),
            (None, Some(_)) => {}
        }
        let (tenant_id, caller_user, role) = (tenant.id.clone(), caller.clone(), new.role);
        let requested = new.facility_ids.clone();
        let (actor, facility_ids) = self
            .read(move |conn| {
                let actor = actor_of(conn, &tenant_id, &caller_user, address)?;
                let directory = Directory::load(conn, &tenant_id)?;
                let facility_ids = requested.unwrap_or_else(|| {
                    if role == Role::Administrator {
                        Vec::new()
                    } else {
                        actor.facilities.iter().cloned().collect()
                    }
                });
                let facility_ids = facilities_field(&mut errors, &directory, role, facility_ids);
                if !errors.is_empty() {
                    return Err(UsersError::Invalid(errors));
                }
                actor.may_assign(role, &facility_ids)?;
                Ok((actor, facility_ids))
            })
            .await?;
        let password_hash = match new.password {
            Some(password) => Some(self.hash(SecretString::from(password)).await?),
            None => None,
        };
        let now = crate::model::now();
        let user = User {
            id: crate::model::new_id(),
            tenant_id: tenant.id.clone(),
            username,
            first_name,
            last_name,
            email,
            locale,
            status: AccountStatus::Active.as_str().to_owned(),
            sign_in_method: SignInMethod::Password.as_str().to_owned(),
            role: role.as_str().to_owned(),
            must_change_password: password_hash.is_some(),
            password_hash,
            version: 1,
            created_at: now,
            modified_at: now,
            last_login_at: None,
            previous_login_at: None,
            sso_issuer: None,
            sso_subject: None,
        };
        let invite = user.password_hash.is_none();
        let (tenant_row, inviter) = (tenant.clone(), self.inviter());
        let id = user.id.clone();
        let caller_user = caller.clone();
        self.write(move |conn| {
            // Checked again where it is written: the caller may have lost
            // the right while the password was hashed.
            actor_of(conn, &tenant_row.id, &caller_user, String::new())?
                .may_assign(role, &facility_ids)?;
            let ids: Vec<String> = facility_ids.iter().cloned().collect();
            user.insert_with_facilities(conn, &ids).map_err(|e| {
                if crate::db::is_unique_violation(&e) {
                    UsersError::UsernameTaken
                } else {
                    e.into()
                }
            })?;
            AuditEvent::new(&tenant_row.id, audit::USER_CREATED)
                .user(Some(&user.id), Some(&user.username))
                .from_address(&actor.address)
                .detail(&format!(
                    "by {}; {}",
                    actor.username,
                    if invite {
                        "invited"
                    } else {
                        "temporary password"
                    }
                ))
                .record(conn)?;
            if invite {
                inviter.invite(conn, &tenant_row, &user, now)?;
            }
            Ok(())
        })
        .await?;
        self.outbox.wake();
        self.get(tenant, caller, String::new(), id).await
    }

    /// Changes an account, if the caller read its current `version`.
    /// Deactivation, a new role, a lost facility or a new email address end
    /// its sessions (and its reset links) at once.
    pub async fn update(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
        changes: UserChanges,
    ) -> Result<UserView, UsersError> {
        let (tenant_id, caller_user) = (tenant.id.clone(), caller.clone());
        let target_id = id.clone();
        self.write(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller_user, address)?;
            let directory = Directory::load(conn, &tenant_id)?;
            let target = reachable(&directory, &actor, &target_id)?.clone();
            if target.version != changes.version {
                return Err(UsersError::VersionConflict {
                    current: target.version,
                });
            }
            let mut errors = FieldErrors::new();
            let first_name = changes.first_name.as_deref().map_or_else(
                || target.first_name.clone(),
                |v| name_field(&mut errors, "first_name", v, true),
            );
            let last_name = changes.last_name.as_deref().map_or_else(
                || target.last_name.clone(),
                |v| name_field(&mut errors, "last_name", v, false),
            );
            let email = match &changes.email {
                None => target.email.clone(),
                Some(value) => email_field(&mut errors, value.as_deref()),
            };
            let locale = changes
                .locale
                .as_deref()
                .map_or_else(|| target.locale.clone(), |v| locale_field(&mut errors, v));
            let role = changes.role.unwrap_or_else(|| target.role());
            let old_facilities = directory.facilities_of(&target.id);
            let facility_ids = match changes.facility_ids.clone() {
                Some(ids) => facilities_field(&mut errors, &directory, role, ids),
                None if role == Role::Administrator => BTreeSet::new(),
                None => facilities_field(
                    &mut errors,
                    &directory,
                    role,
                    old_facilities.iter().cloned().collect(),
                ),
            };
            let status = changes.status.unwrap_or_else(|| target.status());
            if !errors.is_empty() {
                return Err(UsersError::Invalid(errors));
            }
            let own = target.id == actor.user_id;
            if own
                && (role != target.role()
                    || status != target.status()
                    || facility_ids != old_facilities)
            {
                return Err(UsersError::OwnAccount);
            }
            if role != target.role() || facility_ids != old_facilities {
                actor.may_assign(role, &facility_ids)?;
            }
            let now = crate::model::now();
            let stored = User::update_by_administrator(
                conn,
                &tenant_id,
                &target.id,
                changes.version,
                &AdministeredFields {
                    first_name,
                    last_name,
                    email: email.clone(),
                    locale,
                    role,
                    status,
                },
                now,
            )?;
            if !stored {
                return Err(UsersError::VersionConflict {
                    current: target.version + 1,
                });
            }
            if facility_ids != old_facilities {
                let ids: Vec<String> = facility_ids.iter().cloned().collect();
                UserFacility::replace(conn, &tenant_id, &target.id, &ids)?;
            }
            let lost_facility = !old_facilities.is_subset(&facility_ids);
            let mut changed = Vec::new();
            if status != target.status() {
                changed.push("status");
            }
            if role != target.role() {
                changed.push("role");
            }
            if facility_ids != old_facilities {
                changed.push("facilities");
            }
            if email != target.email {
                changed.push("email");
                // Links already mailed went to the old address.
                PasswordResetToken::replace_all(conn, &tenant_id, &target.id, now)?;
            }
            let revoked =
                if status == AccountStatus::Inactive || role != target.role() || lost_facility {
                    Session::revoke_all_of_user(
                        conn,
                        &tenant_id,
                        &target.id,
                        "changed_by_administrator",
                        now,
                    )?
                } else {
                    0
                };
            AuditEvent::new(&tenant_id, audit::USER_CHANGED)
                .user(Some(&target.id), Some(&target.username))
                .from_address(&actor.address)
                .detail(&format!(
                    "by {}; changed: {}; {revoked} sessions revoked",
                    actor.username,
                    if changed.is_empty() {
                        "names or language".to_owned()
                    } else {
                        changed.join(", ")
                    }
                ))
                .record(conn)?;
            Ok(())
        })
        .await?;
        self.get(tenant, caller, String::new(), id).await
    }

    /// Deletes an account; its sessions, links and facility links go with it.
    pub async fn delete(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
    ) -> Result<(), UsersError> {
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.write(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, address)?;
            let directory = Directory::load(conn, &tenant_id)?;
            let target = reachable(&directory, &actor, &id)?.clone();
            if target.id == actor.user_id {
                return Err(UsersError::OwnAccount);
            }
            User::delete(conn, &tenant_id, &target.id)?;
            AuditEvent::new(&tenant_id, audit::USER_DELETED)
                .user(Some(&target.id), Some(&target.username))
                .from_address(&actor.address)
                .detail(&format!("by {}", actor.username))
                .record(conn)?;
            Ok(())
        })
        .await
    }

    /// Sends the invitation again, with a new link (the old one dies).
    pub async fn invite_again(
        &self,
        tenant: &Tenant,
        caller: &User,
        address: String,
        id: String,
    ) -> Result<(), UsersError> {
        let (tenant_row, caller, inviter) = (tenant.clone(), caller.clone(), self.inviter());
        self.write(move |conn| {
            let actor = actor_of(conn, &tenant_row.id, &caller, address)?;
            let directory = Directory::load(conn, &tenant_row.id)?;
            let target = reachable(&directory, &actor, &id)?.clone();
            let can = target.is_active()
                && target.sign_in_method() == SignInMethod::Password
                && target
                    .email
                    .as_deref()
                    .is_some_and(|e| !e.trim().is_empty());
            if !can {
                return Err(UsersError::CannotInvite);
            }
            inviter.invite(conn, &tenant_row, &target, crate::model::now())?;
            AuditEvent::new(&tenant_row.id, audit::INVITATION_SENT)
                .user(Some(&target.id), Some(&target.username))
                .from_address(&actor.address)
                .detail(&format!("by {}", actor.username))
                .record(conn)?;
            Ok(())
        })
        .await?;
        self.outbox.wake();
        Ok(())
    }

    /// Creates a facility (administrators only).
    pub async fn create_facility(
        &self,
        tenant: &Tenant,
        caller: &User,
        new: NewFacility,
    ) -> Result<FacilityView, UsersError> {
        let mut errors = FieldErrors::new();
        let code = new.code.trim().to_owned();
        let code_ok = (1..=MAX_CODE).contains(&code.chars().count())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            errors.push((
                "code",
                "facility_code_invalid",
                format!("Use 1 to {MAX_CODE} letters, digits, hyphens or underscores."),
            ));
        }
        let name = name_field(&mut errors, "name", &new.name, true);
        if !errors.is_empty() {
            return Err(UsersError::Invalid(errors));
        }
        let (tenant_id, caller) = (tenant.id.clone(), caller.clone());
        self.write(move |conn| {
            let actor = actor_of(conn, &tenant_id, &caller, String::new())?;
            if actor.role != Role::Administrator {
                return Err(UsersError::Forbidden);
            }
            let facility = Facility {
                id: crate::model::new_id(),
                tenant_id: tenant_id.clone(),
                code,
                name,
                created_at: crate::model::now(),
            };
            facility.insert(conn).map_err(|e| {
                if crate::db::is_unique_violation(&e) {
                    UsersError::FacilityExists
                } else {
                    e.into()
                }
            })?;
            Ok(FacilityView {
                created_at: rfc3339(facility.created_at),
                id: facility.id,
                code: facility.code,
                name: facility.name,
            })
        })
        .await
    }

    async fn hash(&self, password: SecretString) -> Result<String, UsersError> {
        self.hasher
            .run(move |hasher| hasher.hash_blocking(&password))
            .await
            .and_then(|hashed| hashed)
            .map_err(|e| match e {
                HashError::Busy => UsersError::Busy,
                other => UsersError::Hashing(other),
            })
    }

    fn inviter(&self) -> Inviter {
        Inviter {
            outbox: self.outbox.clone(),
            links: self.links.clone(),
            ttl: self.invitation_ttl,
        }
    }
}

/// What sending an invitation needs, owned, for the database thread.
struct Inviter {
    outbox: Outbox,
    links: PublicUrl,
    ttl: Duration,
}

impl Inviter {
    /// Stores a new invitation link for `user` (its older links die) and
    /// puts the mail in the outbox, in the caller's transaction.
    fn invite(
        &self,
        conn: &mut DbConnection,
        tenant: &Tenant,
        user: &User,
        now: chrono::NaiveDateTime,
    ) -> Result<(), UsersError> {
        let Some(email) = user.email.as_deref() else {
            return Err(UsersError::CannotInvite);
        };
        let token = SecretToken::generate();
        PasswordResetToken {
            token_hash: token.hash.clone(),
            tenant_id: tenant.id.clone(),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now
                + chrono::TimeDelta::from_std(self.ttl).unwrap_or(chrono::TimeDelta::MAX),
            used_at: None,
            replaced_at: None,
            purpose: password_reset::INVITATION.to_owned(),
        }
        .issue(conn)?;
        let address = self.links.for_tenant(&tenant.slug);
        let link = format!("{address}/reset-password#token={}", token.plaintext);
        let name = user.display_name();
        let mail = templates::invitation(
            &Recipient {
                address: email,
                name: &name,
                username: &user.username,
                locale: &user.locale,
            },
            &tenant.display_name,
            &address,
            &link,
            self.ttl.as_secs().div_ceil(3600),
        );
        self.outbox
            .put(conn, &tenant.id, crate::mail::kind::INVITATION, &mail, now)?;
        Ok(())
    }
}

/// The stored fields an administrator sets, already checked.
pub struct AdministeredFields {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub locale: String,
    pub role: Role,
    pub status: AccountStatus,
}

pub(crate) fn name_field(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
) -> String {
    let value = value.trim().to_owned();
    if required && value.is_empty() {
        errors.push((field, "required", "Enter a name.".to_owned()));
    } else if value.chars().count() > MAX_NAME {
        errors.push((
            field,
            "too_long",
            format!("Use at most {MAX_NAME} characters."),
        ));
    } else if value.chars().any(char::is_control) {
        errors.push((
            field,
            "invalid_characters",
            "Use letters, spaces and punctuation only.".to_owned(),
        ));
    }
    value
}

fn email_field(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    match value.map(str::trim) {
        None | Some("") => None,
        Some(email) if shared::account::is_plausible_email(email) => Some(email.to_owned()),
        Some(_) => {
            errors.push((
                "email",
                "email_invalid",
                "Enter an email address such as name@example.com.".to_owned(),
            ));
            None
        }
    }
}

fn locale_field(errors: &mut FieldErrors, value: &str) -> String {
    match shared::locale::SUPPORTED
        .iter()
        .find(|known| **known == value.trim())
    {
        Some(known) => (*known).to_owned(),
        None => {
            errors.push((
                "locale",
                "locale_unsupported",
                format!("Choose one of: {}.", shared::locale::SUPPORTED.join(", ")),
            ));
            String::new()
        }
    }
}

/// The facility ids as a set, checked against the tenant and the role.
fn facilities_field(
    errors: &mut FieldErrors,
    directory: &Directory,
    role: Role,
    ids: Vec<String>,
) -> BTreeSet<String> {
    let ids: BTreeSet<String> = ids.into_iter().collect();
    if ids.iter().any(|id| !directory.facilities.contains_key(id)) {
        errors.push((
            "facility_ids",
            "facility_unknown",
            "There is no such facility in this tenant.".to_owned(),
        ));
    } else if role == Role::Administrator && !ids.is_empty() {
        errors.push((
            "facility_ids",
            "administrator_without_facilities",
            "An administrator sees the whole network and takes no facilities.".to_owned(),
        ));
    } else if role != Role::Administrator && ids.is_empty() {
        errors.push((
            "facility_ids",
            "facilities_required",
            "Choose at least one facility.".to_owned(),
        ));
    }
    ids
}

impl Actor {
    /// Whether the actor may give an account `role` and `facilities`.
    fn may_assign(&self, role: Role, facilities: &BTreeSet<String>) -> Result<(), UsersError> {
        let allowed = match self.role {
            Role::Administrator => true,
            Role::Supervisor => {
                role != Role::Administrator && facilities.is_subset(&self.facilities)
            }
            Role::Fulfiller => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(UsersError::Forbidden)
        }
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
            sso_issuer: None,
            sso_subject: None,
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
