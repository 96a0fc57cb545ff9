//! Accounts: who can sign in to a tenant, with what role and facilities.

use crate::db::schema::{user_facilities, users};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::Role;
use shared::{AccountStatus, SignInMethod};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    /// Stored trimmed and lower-cased (`shared::username::Username`).
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub locale: String,
    pub status: String,
    pub sign_in_method: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub modified_at: NaiveDateTime,
    /// Set when a session opens (a trigger, see the migrations).
    pub last_login_at: Option<NaiveDateTime>,
    /// The sign-in before the last one, for the account page.
    pub previous_login_at: Option<NaiveDateTime>,
    /// For an `OIDC` account: the identity provider's issuer and its
    /// subject (`sub`) for the person, together unique in the tenant. SSO
    /// sign-ins find accounts by these, never by email.
    pub sso_issuer: Option<String>,
    pub sso_subject: Option<String>,
}

/// What the owner of an account may change about it, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub first_name: String,
    pub last_name: String,
    pub locale: String,
}

/// What an identity provider's claims set on an SSO account, already
/// checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderFields {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub locale: String,
    pub role: Role,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = user_facilities)]
pub struct UserFacility {
    pub tenant_id: String,
    pub user_id: String,
    pub facility_id: String,
}

impl UserFacility {
    /// Sets the facilities of an account to exactly `facility_ids`.
    pub fn replace(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
        facility_ids: &[String],
    ) -> QueryResult<()> {
        diesel::delete(
            user_facilities::table
                .filter(user_facilities::tenant_id.eq(tenant_id))
                .filter(user_facilities::user_id.eq(user_id)),
        )
        .execute(conn)?;
        for facility_id in facility_ids {
            diesel::insert_into(user_facilities::table)
                .values(UserFacility {
                    tenant_id: tenant_id.to_owned(),
                    user_id: user_id.to_owned(),
                    facility_id: facility_id.clone(),
                })
                .execute(conn)?;
        }
        Ok(())
    }

    /// Which account sees which facility, for a whole tenant: (user id,
    /// facility id) pairs.
    pub fn of_tenant(
        conn: &mut DbConnection,
        tenant_id: &str,
    ) -> QueryResult<Vec<(String, String)>> {
        user_facilities::table
            .filter(user_facilities::tenant_id.eq(tenant_id))
            .select((user_facilities::user_id, user_facilities::facility_id))
            .load(conn)
    }
}

impl User {
    pub fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status)
    }

    pub fn sign_in_method(&self) -> SignInMethod {
        SignInMethod::parse(&self.sign_in_method)
    }

    pub fn is_active(&self) -> bool {
        self.status() == AccountStatus::Active
    }

    /// The role; an unreadable one (only by editing the database by hand)
    /// gives the least power.
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Fulfiller)
    }

    pub fn find_by_username(
        conn: &mut DbConnection,
        tenant_id: &str,
        username: &str,
    ) -> QueryResult<Option<User>> {
        users::table
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::username.eq(username))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// The account of a provider identity (issuer and subject).
    pub fn find_by_sso_identity(
        conn: &mut DbConnection,
        tenant_id: &str,
        issuer: &str,
        subject: &str,
    ) -> QueryResult<Option<User>> {
        users::table
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::sso_issuer.eq(issuer))
            .filter(users::sso_subject.eq(subject))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// Whether a username is taken in the tenant.
    pub fn username_taken(
        conn: &mut DbConnection,
        tenant_id: &str,
        username: &str,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::username.eq(username)),
        ))
        .get_result(conn)
    }

    /// Stores what an identity provider says about an account at a
    /// sign-in: names, email and locale, and (when the provider manages
    /// roles) the role. The version counts the change.
    pub fn update_from_provider(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        fields: &ProviderFields,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id)),
        )
        .set((
            users::first_name.eq(&fields.first_name),
            users::last_name.eq(&fields.last_name),
            users::email.eq(&fields.email),
            users::locale.eq(&fields.locale),
            users::role.eq(fields.role.as_str()),
            users::version.eq(users::version + 1),
            users::modified_at.eq(now),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    pub fn find(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::id.eq(id))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    /// [`User::find`], holding the row until the transaction ends, for a
    /// write that depends on the account as stored (a sign-in opening a
    /// session): a concurrent deactivation either comes first and is seen,
    /// or waits and then finds (and revokes) what this transaction wrote.
    /// PostgreSQL locks the row (`FOR NO KEY UPDATE`: rows referencing the
    /// account may still be written); SQLite writers already take turns.
    pub fn find_for_update(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
    ) -> QueryResult<Option<User>> {
        if let DbConnection::Postgresql(pg) = conn {
            return users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id))
                .select(User::as_select())
                .for_no_key_update()
                .get_result(pg)
                .optional();
        }
        Self::find(conn, tenant_id, id)
    }

    /// Notes a sign-in at `at`: the last one becomes the previous one.
    pub fn record_sign_in(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id)),
        )
        .set((
            users::previous_login_at.eq(users::last_login_at),
            users::last_login_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
    }

    /// Sets a new password hash: `temporary` when someone other than the
    /// owner chose it (the owner must choose another at the next sign-in).
    /// Every reset link of the account dies with the old password. The one
    /// way a password changes, so no path forgets the links.
    pub fn set_password(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        password_hash: &str,
        temporary: bool,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id)),
        )
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(temporary),
            users::version.eq(users::version + 1),
            users::modified_at.eq(now),
        ))
        .execute(conn)?;
        crate::model::password_reset::PasswordResetToken::replace_all(conn, tenant_id, id, now)?;
        Ok(changed == 1)
    }

    /// Stores an administrator's change if the account is still at
    /// `version`; false if it is not (someone changed it meanwhile).
    pub fn update_by_administrator(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        version: i32,
        fields: &crate::flows::users::AdministeredFields,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id))
                .filter(users::version.eq(version)),
        )
        .set((
            users::first_name.eq(&fields.first_name),
            users::last_name.eq(&fields.last_name),
            users::email.eq(&fields.email),
            users::locale.eq(&fields.locale),
            users::role.eq(fields.role.as_str()),
            users::status.eq(fields.status.as_str()),
            users::version.eq(version + 1),
            users::modified_at.eq(now),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Activates or deactivates; the version counts the change.
    pub fn set_status(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        status: AccountStatus,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id)),
        )
        .set((
            users::status.eq(status.as_str()),
            users::version.eq(users::version + 1),
            users::modified_at.eq(now),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    pub fn delete(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<bool> {
        let deleted = diesel::delete(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id)),
        )
        .execute(conn)?;
        Ok(deleted == 1)
    }

    /// Every account of a tenant.
    pub fn of_tenant(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<User>> {
        users::table
            .filter(users::tenant_id.eq(tenant_id))
            .order(users::username.asc())
            .select(User::as_select())
            .load(conn)
    }

    /// Changes what the owner may change about the account; the version
    /// counts the change.
    pub fn update_profile(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
        profile: &Profile,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id)),
        )
        .set((
            users::first_name.eq(&profile.first_name),
            users::last_name.eq(&profile.last_name),
            users::locale.eq(&profile.locale),
            users::version.eq(users::version + 1),
            users::modified_at.eq(now),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// The name a mail greets the account by.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if name.is_empty() {
            self.username.clone()
        } else {
            name.to_owned()
        }
    }

    /// Inserts the account and its facilities together.
    pub fn insert_with_facilities(
        &self,
        conn: &mut DbConnection,
        facility_ids: &[String],
    ) -> QueryResult<()> {
        conn.transaction(|conn| {
            diesel::insert_into(users::table)
                .values(self)
                .execute(conn)?;
            let links: Vec<UserFacility> = facility_ids
                .iter()
                .map(|facility_id| UserFacility {
                    tenant_id: self.tenant_id.clone(),
                    user_id: self.id.clone(),
                    facility_id: facility_id.clone(),
                })
                .collect();
            for link in links {
                diesel::insert_into(user_facilities::table)
                    .values(link)
                    .execute(conn)?;
            }
            Ok(())
        })
    }
}
