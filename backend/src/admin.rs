//! Operator actions that the command line (and the tests) use to set up
//! tenants, facilities and accounts: every rule checked before anything is
//! written, and each action written in one transaction.

use crate::auth::password::PasswordHasher;
use crate::db::{is_unique_violation, DbConnection};
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::Session;
use crate::model::tenant::{valid_slug, Tenant};
use crate::model::user::{User, UserFacility};
use crate::model::{new_id, now};
use diesel::Connection;
use secrecy::{ExposeSecret, SecretString};
use shared::password_policy::{PasswordPolicy, PasswordProblem};
use shared::username::{Username, UsernameError};
use shared::Role;
use shared::{AccountStatus, SignInMethod};

pub use shared::locale::SUPPORTED as LOCALES;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("`{0}` is not a valid tenant name: use lower-case letters, digits and hyphens (a DNS label)")]
    InvalidSlug(String),
    #[error("tenant `{0}` already exists")]
    TenantExists(String),
    #[error("there is no tenant `{0}`")]
    UnknownTenant(String),
    #[error("facility `{0}` already exists in this tenant")]
    FacilityExists(String),
    #[error("there is no facility `{0}` in this tenant")]
    UnknownFacility(String),
    #[error("there is no account `{0}` in this tenant")]
    UnknownUser(String),
    #[error("`{0}` signs in through single sign-on: it has no password here")]
    SsoAccount(String),
    #[error("{0}")]
    InvalidUsername(#[from] UsernameError),
    #[error("username `{0}` is taken in this tenant")]
    UsernameTaken(String),
    #[error("the password is not acceptable: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    WeakPassword(Vec<PasswordProblem>),
    #[error("a {0} needs at least one facility (--facility CODE)")]
    FacilitiesRequired(&'static str),
    #[error("an administrator sees the whole network and takes no facilities")]
    AdministratorWithFacilities,
    #[error("locale `{0}` is not supported (en, de)")]
    UnsupportedLocale(String),
    #[error("`{0}` is not an email address")]
    InvalidEmail(String),
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("hashing the password failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

pub fn find_tenant(conn: &mut DbConnection, slug: &str) -> Result<Tenant, AdminError> {
    Tenant::find_by_slug(conn, slug)?.ok_or_else(|| AdminError::UnknownTenant(slug.to_owned()))
}

pub fn create_tenant(
    conn: &mut DbConnection,
    slug: &str,
    display_name: &str,
) -> Result<Tenant, AdminError> {
    let slug = slug.trim().to_ascii_lowercase();
    if !valid_slug(&slug) {
        return Err(AdminError::InvalidSlug(slug));
    }
    let display_name = non_empty(display_name, "the display name")?;
    let tenant = Tenant {
        id: new_id(),
        slug,
        display_name,
        password_min_length: i32::try_from(shared::password_policy::DEFAULT_MIN_LENGTH)
            .unwrap_or(12),
        created_at: now(),
    };
    tenant.insert(conn).map_err(|e| {
        if is_unique_violation(&e) {
            AdminError::TenantExists(tenant.slug.clone())
        } else {
            e.into()
        }
    })?;
    Ok(tenant)
}

/// Renames a tenant (what its login screen shows; its host name stays).
pub fn rename_tenant(
    conn: &mut DbConnection,
    slug: &str,
    display_name: &str,
) -> Result<(), AdminError> {
    let display_name = non_empty(display_name, "the display name")?;
    if Tenant::rename(conn, slug, &display_name)? {
        Ok(())
    } else {
        Err(AdminError::UnknownTenant(slug.to_owned()))
    }
}

pub fn create_facility(
    conn: &mut DbConnection,
    tenant_slug: &str,
    code: &str,
    name: &str,
) -> Result<Facility, AdminError> {
    let tenant = find_tenant(conn, tenant_slug)?;
    let facility = Facility {
        id: new_id(),
        tenant_id: tenant.id,
        code: non_empty(code, "the facility code")?,
        name: non_empty(name, "the facility name")?,
        created_at: now(),
    };
    facility.insert(conn).map_err(|e| {
        if is_unique_violation(&e) {
            AdminError::FacilityExists(facility.code.clone())
        } else {
            e.into()
        }
    })?;
    Ok(facility)
}

/// An account to create, as the operator gave it.
pub struct NewAccount {
    pub tenant_slug: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub facility_codes: Vec<String>,
    pub locale: String,
    pub active: bool,
    pub password: SecretString,
    /// Set by someone other than the account's owner: the owner must
    /// choose a new one at the next sign-in.
    pub temporary_password: bool,
}

pub fn create_user(
    conn: &mut DbConnection,
    hasher: &PasswordHasher,
    account: NewAccount,
) -> Result<User, AdminError> {
    let tenant = find_tenant(conn, &account.tenant_slug)?;
    let username = Username::parse(&account.username)?;
    let locale = account.locale.trim().to_ascii_lowercase();
    if !LOCALES.contains(&locale.as_str()) {
        return Err(AdminError::UnsupportedLocale(locale));
    }
    let email = match account.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) if shared::account::is_plausible_email(email) => Some(email.to_owned()),
        Some(email) => return Err(AdminError::InvalidEmail(email.to_owned())),
    };
    match (account.role, account.facility_codes.is_empty()) {
        (Role::Administrator, false) => return Err(AdminError::AdministratorWithFacilities),
        (Role::Supervisor, true) => return Err(AdminError::FacilitiesRequired("supervisor")),
        (Role::Fulfiller, true) => return Err(AdminError::FacilitiesRequired("fulfiller")),
        _ => {}
    }
    let policy = PasswordPolicy::with_min_length(
        usize::try_from(tenant.password_min_length)
            .unwrap_or(shared::password_policy::DEFAULT_MIN_LENGTH),
    );
    let problems = policy.check(account.password.expose_secret(), username.as_str());
    if !problems.is_empty() {
        return Err(AdminError::WeakPassword(problems));
    }
    let mut facility_ids = Vec::new();
    for code in &account.facility_codes {
        let facility = Facility::find_by_code(conn, &tenant.id, code.trim())?
            .ok_or_else(|| AdminError::UnknownFacility(code.clone()))?;
        if !facility_ids.contains(&facility.id) {
            facility_ids.push(facility.id);
        }
    }
    let password_hash = hasher
        .hash_blocking(&account.password)
        .map_err(|e| AdminError::Hash(e.to_string()))?;
    let at = now();
    let user = User {
        id: new_id(),
        tenant_id: tenant.id,
        username: username.as_str().to_owned(),
        first_name: account.first_name.trim().to_owned(),
        last_name: account.last_name.trim().to_owned(),
        email,
        locale,
        status: if account.active {
            AccountStatus::Active
        } else {
            AccountStatus::Inactive
        }
        .as_str()
        .to_owned(),
        sign_in_method: SignInMethod::Password.as_str().to_owned(),
        role: account.role.as_str().to_owned(),
        password_hash: Some(password_hash),
        must_change_password: account.temporary_password,
        version: 1,
        created_at: at,
        modified_at: at,
        last_login_at: None,
        previous_login_at: None,
        sso_issuer: None,
        sso_subject: None,
    };
    user.insert_with_facilities(conn, &facility_ids)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AdminError::UsernameTaken(user.username.clone())
            } else {
                e.into()
            }
        })?;
    Ok(user)
}

fn non_empty(value: &str, what: &'static str) -> Result<String, AdminError> {
    let value = value.trim();
    if value.is_empty() {
        Err(AdminError::Empty(what))
    } else {
        Ok(value.to_owned())
    }
}

pub fn list_tenants(conn: &mut DbConnection) -> Result<Vec<Tenant>, AdminError> {
    Ok(Tenant::all(conn)?)
}

pub fn list_facilities(conn: &mut DbConnection, slug: &str) -> Result<Vec<Facility>, AdminError> {
    let tenant = find_tenant(conn, slug)?;
    Ok(Facility::of_tenant(conn, &tenant.id)?)
}

/// Every account of a tenant with the codes of its facilities.
pub fn list_users(
    conn: &mut DbConnection,
    slug: &str,
) -> Result<Vec<(User, Vec<String>)>, AdminError> {
    let tenant = find_tenant(conn, slug)?;
    let codes: std::collections::HashMap<String, String> = Facility::of_tenant(conn, &tenant.id)?
        .into_iter()
        .map(|f| (f.id, f.code))
        .collect();
    let mut links: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (user_id, facility_id) in UserFacility::of_tenant(conn, &tenant.id)? {
        if let Some(code) = codes.get(&facility_id) {
            links.entry(user_id).or_default().push(code.clone());
        }
    }
    Ok(User::of_tenant(conn, &tenant.id)?
        .into_iter()
        .map(|user| {
            let mut codes = links.remove(&user.id).unwrap_or_default();
            codes.sort();
            (user, codes)
        })
        .collect())
}

fn find_user(conn: &mut DbConnection, tenant: &Tenant, username: &str) -> Result<User, AdminError> {
    let username = Username::parse(username)?;
    User::find_by_username(conn, &tenant.id, username.as_str())?
        .ok_or_else(|| AdminError::UnknownUser(username.as_str().to_owned()))
}

/// Sets an account's password (an operator's): every session ends, reset
/// links die and waits are lifted; the number of sessions ended.
pub fn set_password(
    conn: &mut DbConnection,
    hasher: &PasswordHasher,
    throttle: &crate::auth::throttle::Throttle,
    slug: &str,
    username: &str,
    password: &SecretString,
    temporary: bool,
) -> Result<usize, AdminError> {
    let tenant = find_tenant(conn, slug)?;
    let user = find_user(conn, &tenant, username)?;
    if user.sign_in_method() != SignInMethod::Password {
        return Err(AdminError::SsoAccount(user.username));
    }
    let policy = PasswordPolicy::with_min_length(
        usize::try_from(tenant.password_min_length)
            .unwrap_or(shared::password_policy::DEFAULT_MIN_LENGTH),
    );
    let problems = policy.check(password.expose_secret(), &user.username);
    if !problems.is_empty() {
        return Err(AdminError::WeakPassword(problems));
    }
    let hash = hasher
        .hash_blocking(password)
        .map_err(|e| AdminError::Hash(e.to_string()))?;
    conn.transaction::<_, AdminError, _>(|conn| {
        let at = now();
        User::set_password(conn, &tenant.id, &user.id, &hash, temporary, at)?;
        let revoked = Session::revoke_all_of_user(
            conn,
            &tenant.id,
            &user.id,
            "password_set_by_operator",
            at,
        )?;
        throttle.unlock(conn, &tenant.id, &user.username)?;
        AuditEvent::new(&tenant.id, audit::PASSWORD_SET_BY_ADMINISTRATOR)
            .user(Some(&user.id), Some(&user.username))
            .detail(&format!(
                "by an operator (command line){}; {revoked} sessions revoked",
                if temporary { "; temporary" } else { "" }
            ))
            .record(conn)?;
        Ok(revoked)
    })
}

/// Activates or deactivates an account; deactivation ends its sessions.
/// The number of sessions ended.
pub fn set_active(
    conn: &mut DbConnection,
    slug: &str,
    username: &str,
    active: bool,
) -> Result<usize, AdminError> {
    let tenant = find_tenant(conn, slug)?;
    let user = find_user(conn, &tenant, username)?;
    conn.transaction::<_, AdminError, _>(|conn| {
        let at = now();
        let status = if active {
            AccountStatus::Active
        } else {
            AccountStatus::Inactive
        };
        User::set_status(conn, &tenant.id, &user.id, status, at)?;
        let revoked = if active {
            0
        } else {
            Session::revoke_all_of_user(conn, &tenant.id, &user.id, "deactivated", at)?
        };
        AuditEvent::new(&tenant.id, audit::USER_CHANGED)
            .user(Some(&user.id), Some(&user.username))
            .detail(&format!(
                "by an operator (command line); {}; {revoked} sessions revoked",
                if active { "activated" } else { "deactivated" }
            ))
            .record(conn)?;
        Ok(revoked)
    })
}
