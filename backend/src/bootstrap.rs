//! The first start of an empty database: a default tenant and an
//! administrator with a random password, which is printed once and never
//! stored in clear.

use crate::admin::{self, AdminError, NewAccount};
use crate::auth::password::PasswordHasher;
use crate::auth::secret_token::random_password;
use crate::db::DbConnection;
use crate::model::tenant::Tenant;
use diesel::Connection;
use secrecy::SecretString;
use shared::Role;

pub const FIRST_ADMIN: &str = "admin";

pub struct FirstAdministrator {
    pub tenant: String,
    pub username: String,
    pub password: String,
}

/// Creates the first tenant and administrator if there are no tenants.
pub fn ensure_first_tenant(
    conn: &mut DbConnection,
    hasher: &PasswordHasher,
    slug: &str,
) -> Result<Option<FirstAdministrator>, AdminError> {
    if Tenant::count(conn)? > 0 {
        return Ok(None);
    }
    let password = random_password();
    let created = conn.transaction::<_, AdminError, _>(|conn| {
        admin::create_tenant(conn, slug, "Default tenant")?;
        admin::create_user(
            conn,
            hasher,
            NewAccount {
                tenant_slug: slug.to_owned(),
                username: FIRST_ADMIN.to_owned(),
                first_name: "Administrator".to_owned(),
                last_name: String::new(),
                email: None,
                role: Role::Administrator,
                facility_codes: Vec::new(),
                locale: "en".to_owned(),
                active: true,
                password: SecretString::from(password.clone()),
                temporary_password: true,
            },
        )?;
        Ok(())
    });
    match created {
        Ok(()) => Ok(Some(FirstAdministrator {
            tenant: slug.to_owned(),
            username: FIRST_ADMIN.to_owned(),
            password,
        })),
        // Another replica starting at the same moment made it first.
        Err(AdminError::TenantExists(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
