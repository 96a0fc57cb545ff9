//! The account a single sign-on arrives at, in the transaction that signs
//! it in: found by the provider's issuer and subject (never by email) or
//! created just in time from the claims (username made valid and unique,
//! names, email, language), its role and facilities taken from the role
//! and group claims through the provider's mappings when the provider
//! manages them, and the session opened as a password sign-in opens one.
//! Every check that can refuse runs before the first write.

use super::sso_login::{SsoFailure, SsoSignedIn};
use crate::auth::oidc::Identity;
use crate::auth::secret_token::SecretToken;
use crate::auth::session_tokens::SessionPolicy;
use crate::db::{DbConnection, DbError};
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::Session;
use crate::model::sso_provider::SsoProvider;
use crate::model::user::{ProviderFields, User, UserFacility};
use chrono::NaiveDateTime;
use shared::sso::RoleManagement;
use shared::username::{Username, MAX_USERNAME_CHARS};
use shared::{AccountStatus, Role, SignInMethod};
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

/// The longest name kept from a claim.
const MAX_NAME: usize = 100;

/// A person the provider vouched for, arriving at the tenant: everything
/// the one transaction that signs them in needs.
pub(super) struct Arrival {
    pub(super) tenant_id: String,
    pub(super) provider: SsoProvider,
    pub(super) identity: Identity,
    pub(super) return_to: String,
    pub(super) address: String,
    pub(super) user_agent: Option<String>,
    pub(super) sessions: SessionPolicy,
}

impl Arrival {
    /// Finds or creates the account, brings it in line with the claims,
    /// and opens the session; or, checking before anything is written,
    /// refuses and audits why.
    pub(super) fn arrive(
        self,
        conn: &mut DbConnection,
    ) -> Result<Result<SsoSignedIn, SsoFailure>, DbError> {
        let tenant_id = self.tenant_id.as_str();
        let now = crate::model::now();
        let existing = User::find_by_sso_identity(
            conn,
            tenant_id,
            &self.provider.issuer,
            &self.identity.subject,
        )?;
        // Held until the session is written, so that a deactivation at the
        // same moment is seen or revokes it (`User::find_for_update`).
        let existing = match existing {
            Some(user) => User::find_for_update(conn, tenant_id, &user.id)?,
            None => None,
        };
        let management = self.provider.role_management();
        let role = match (&existing, management) {
            (Some(user), RoleManagement::IdpIdentityOnly) => Some(user.role()),
            (None, RoleManagement::IdpIdentityOnly) => self.provider.default_role(),
            (_, RoleManagement::IdpManaged) => self.mapped_role(),
        };
        if let Some(user) = &existing {
            if !user.is_active() || user.sign_in_method() != SignInMethod::Oidc {
                self.audit(conn, audit::LOGIN_INACTIVE, Some(user), "single sign-on")?;
                return Ok(Err(SsoFailure::Inactive));
            }
        }
        let Some(role) = role else {
            let values = self
                .provider
                .role_claim
                .as_deref()
                .map(|claim| self.identity.values_of(claim).join(", "))
                .unwrap_or_default();
            let detail = format!(
                "{}: no role for subject {} (role claim values: [{values}])",
                self.provider.display_name, self.identity.subject
            );
            self.audit(conn, audit::SSO_LOGIN_FAILED, existing.as_ref(), &detail)?;
            return Ok(Err(SsoFailure::RoleUnmapped));
        };
        // Facilities come from the claims only where the provider manages
        // roles; else administrators set them here.
        let facility_ids = if role.is_network_wide() || management != RoleManagement::IdpManaged {
            BTreeSet::new()
        } else {
            self.mapped_facilities(conn)?
        };
        let user = match existing {
            Some(user) => self.update(conn, user, role, facility_ids, now)?,
            None => match self.create(conn, role, facility_ids, now)? {
                Some(user) => user,
                None => {
                    let detail = format!(
                        "{}: the account was created at the same time elsewhere",
                        self.provider.display_name
                    );
                    self.audit(conn, audit::SSO_LOGIN_FAILED, None, &detail)?;
                    return Ok(Err(SsoFailure::Failed));
                }
            },
        };
        let opened =
            self.sessions
                .open(conn, &user, self.user_agent.clone(), &self.address, now)?;
        let detail = format!("single sign-on with {}", self.provider.display_name);
        self.audit(conn, audit::LOGIN_SUCCEEDED, Some(&user), &detail)?;
        Ok(Ok(SsoSignedIn {
            user,
            opened,
            return_to: self.return_to.clone(),
            now,
        }))
    }

    /// The most powerful role the role claim's values map to, else the
    /// provider's default.
    fn mapped_role(&self) -> Option<Role> {
        let mapping = self.provider.role_mapping();
        let mapped = self
            .provider
            .role_claim
            .as_deref()
            .map(|claim| self.identity.values_of(claim))
            .unwrap_or_default()
            .iter()
            .filter_map(|value| mapping.get(value).copied())
            .min_by_key(|role| Role::ALL.iter().position(|r| r == role));
        mapped.or_else(|| self.provider.default_role())
    }

    /// The facilities the group claim's values map to (codes that no
    /// longer name a facility count for nothing).
    fn mapped_facilities(&self, conn: &mut DbConnection) -> Result<BTreeSet<String>, DbError> {
        let Some(claim) = self.provider.group_claim.as_deref() else {
            return Ok(BTreeSet::new());
        };
        let mapping = self.provider.group_mapping();
        let codes: BTreeSet<String> = self
            .identity
            .values_of(claim)
            .iter()
            .filter_map(|group| mapping.get(group))
            .flatten()
            .cloned()
            .collect();
        Ok(Facility::of_tenant(conn, &self.tenant_id)?
            .into_iter()
            .filter(|f| codes.contains(&f.code))
            .map(|f| f.id)
            .collect())
    }

    /// The names, email and locale the claims give, over `fallback`'s.
    fn fields(&self, role: Role, fallback: Option<&User>) -> ProviderFields {
        let name = |claim: &Option<String>, stored: Option<&String>| {
            claim
                .as_deref()
                .map(clean_name)
                .or_else(|| stored.cloned())
                .unwrap_or_default()
        };
        let email = self
            .identity
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| shared::account::is_plausible_email(e))
            .map(str::to_owned)
            .or_else(|| fallback.and_then(|u| u.email.clone()));
        let locale = self
            .identity
            .locale
            .as_deref()
            .and_then(shared::locale::supported)
            .map(str::to_owned)
            .or_else(|| fallback.map(|u| u.locale.clone()))
            .unwrap_or_else(|| shared::locale::DEFAULT.to_owned());
        ProviderFields {
            first_name: name(&self.identity.given_name, fallback.map(|u| &u.first_name)),
            last_name: name(&self.identity.family_name, fallback.map(|u| &u.last_name)),
            email,
            locale,
            role,
        }
    }

    /// A later sign-in: the claims' names, email and locale; with a
    /// provider that manages roles, the claims' role and facilities
    /// replace the stored ones, and a lost role or facility ends the
    /// account's other sessions, as an administrator's change would.
    fn update(
        &self,
        conn: &mut DbConnection,
        user: User,
        role: Role,
        facility_ids: BTreeSet<String>,
        now: NaiveDateTime,
    ) -> Result<User, DbError> {
        let tenant_id = self.tenant_id.as_str();
        let fields = self.fields(role, Some(&user));
        let stored = ProviderFields {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            locale: user.locale.clone(),
            role: user.role(),
        };
        let mut changed = Vec::new();
        if fields != stored {
            User::update_from_provider(conn, tenant_id, &user.id, &fields, now)?;
            if (ProviderFields {
                role,
                ..stored.clone()
            }) != fields
            {
                changed.push("names, email or language");
            }
            if fields.role != stored.role {
                changed.push("role");
            }
        }
        let mut lost_facility = false;
        if self.provider.role_management() == RoleManagement::IdpManaged {
            let old: BTreeSet<String> = Facility::of_user(conn, tenant_id, &user.id)?
                .into_iter()
                .map(|f| f.id)
                .collect();
            if old != facility_ids {
                let ids: Vec<String> = facility_ids.iter().cloned().collect();
                UserFacility::replace(conn, tenant_id, &user.id, &ids)?;
                lost_facility = !old.is_subset(&facility_ids);
                changed.push("facilities");
            }
        }
        if !changed.is_empty() {
            let revoked = if fields.role != stored.role || lost_facility {
                Session::revoke_all_of_user(
                    conn,
                    tenant_id,
                    &user.id,
                    "changed_by_identity_provider",
                    now,
                )?
            } else {
                0
            };
            let detail = format!(
                "by single sign-on with {}; changed: {}; {revoked} sessions revoked",
                self.provider.display_name,
                changed.join(", ")
            );
            self.audit(conn, audit::USER_CHANGED, Some(&user), &detail)?;
        }
        Ok(User::find(conn, tenant_id, &user.id)?.unwrap_or(user))
    }

    /// The first sign-in: a new `OIDC` account, just in time. `None` if
    /// the identity got an account meanwhile (a race with itself).
    fn create(
        &self,
        conn: &mut DbConnection,
        role: Role,
        facility_ids: BTreeSet<String>,
        now: NaiveDateTime,
    ) -> Result<Option<User>, DbError> {
        let fields = self.fields(role, None);
        let username = self.free_username(conn)?;
        let user = User {
            id: crate::model::new_id(),
            tenant_id: self.tenant_id.clone(),
            username,
            first_name: fields.first_name,
            last_name: fields.last_name,
            email: fields.email,
            locale: fields.locale,
            status: AccountStatus::Active.as_str().to_owned(),
            sign_in_method: SignInMethod::Oidc.as_str().to_owned(),
            role: role.as_str().to_owned(),
            password_hash: None,
            must_change_password: false,
            version: 1,
            created_at: now,
            modified_at: now,
            last_login_at: None,
            previous_login_at: None,
            sso_issuer: Some(self.provider.issuer.clone()),
            sso_subject: Some(self.identity.subject.clone()),
        };
        let ids: Vec<String> = facility_ids.into_iter().collect();
        match user.insert_with_facilities(conn, &ids) {
            Ok(()) => {}
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let detail = format!(
            "just in time by single sign-on with {}",
            self.provider.display_name
        );
        self.audit(conn, audit::USER_CREATED, Some(&user), &detail)?;
        Ok(Some(user))
    }

    /// A username from the claims (preferred username, else email, else
    /// subject), made valid and, with a number, unique in the tenant.
    fn free_username(&self, conn: &mut DbConnection) -> Result<String, DbError> {
        let identity = &self.identity;
        let wanted = identity
            .preferred_username
            .as_deref()
            .or(identity.email.as_deref())
            .unwrap_or(&identity.subject);
        let base = username_base(wanted);
        for n in 1..100 {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if !User::username_taken(conn, &self.tenant_id, &candidate)? {
                return Ok(candidate);
            }
        }
        let random = SecretToken::generate().hash;
        let suffix: String = random
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        Ok(format!("{base}-{}", suffix.to_lowercase()))
    }

    fn audit(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        user: Option<&User>,
        detail: &str,
    ) -> Result<(), DbError> {
        AuditEvent::new(&self.tenant_id, kind)
            .user(
                user.map(|u| u.id.as_str()),
                user.map(|u| u.username.as_str()),
            )
            .from_address(&self.address)
            .detail(detail)
            .record(conn)?;
        Ok(())
    }
}

/// `wanted` as a valid username: NFC, trimmed, lower-cased, characters a
/// username may not hold replaced by `-`, short enough for a `-NN` suffix.
fn username_base(wanted: &str) -> String {
    let cleaned: String = wanted
        .nfc()
        .collect::<String>()
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_USERNAME_CHARS - 9)
        .collect();
    match Username::parse(&cleaned) {
        Ok(username) => username.as_str().to_owned(),
        Err(_) => "sso-user".to_owned(),
    }
}

/// A name from a claim: NFC, trimmed, without control characters, at most
/// [`MAX_NAME`] characters.
fn clean_name(name: &str) -> String {
    name.nfc()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_from_claims_are_valid() {
        assert_eq!(username_base("  Anna.Berg "), "anna.berg");
        assert_eq!(username_base("auth0|12345"), "auth0-12345");
        // Decomposed "é" becomes one character.
        assert_eq!(username_base("Rene\u{301}"), "ren\u{e9}");
        assert_eq!(username_base("|||"), "---");
        assert_eq!(username_base("   "), "sso-user");
        assert!(username_base(&"x".repeat(200)).chars().count() <= MAX_USERNAME_CHARS - 9);
    }
}
