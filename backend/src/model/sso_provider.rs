//! A tenant's OpenID Connect providers, as stored: the client secret
//! sealed with the deployment's secret key (never in the clear, never
//! returned), mappings as JSON text, the version for optimistic locking.

use crate::db::schema::sso_providers;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::sso::{RoleManagement, SsoProviderStatus};
use shared::Role;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sso_providers, treat_none_as_null = true)]
pub struct SsoProvider {
    pub id: String,
    pub tenant_id: String,
    pub display_name: String,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    pub issuer: String,
    pub client_id: String,
    /// Sealed with the secret key (`flows::sso_providers`); `None` for a
    /// public client.
    pub sealed_client_secret: Option<String>,
    /// JSON object: parameter → value.
    pub extra_params: String,
    /// Space-separated.
    pub scopes: String,
    pub role_management: String,
    pub role_claim: Option<String>,
    /// JSON object: claim value → role.
    pub role_mapping: String,
    pub default_role: Option<String>,
    pub group_claim: Option<String>,
    /// JSON object: group → facility codes.
    pub group_mapping: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub modified_at: NaiveDateTime,
}

impl SsoProvider {
    pub fn status(&self) -> SsoProviderStatus {
        SsoProviderStatus::parse(&self.status)
    }

    pub fn is_active(&self) -> bool {
        self.status() == SsoProviderStatus::Active
    }

    pub fn role_management(&self) -> RoleManagement {
        RoleManagement::parse(&self.role_management)
    }

    pub fn scopes(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_owned).collect()
    }

    /// Unreadable JSON (only by editing the database by hand) reads as
    /// empty: no extra parameter, no mapping.
    pub fn extra_params(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.extra_params).unwrap_or_default()
    }

    pub fn role_mapping(&self) -> BTreeMap<String, Role> {
        serde_json::from_str(&self.role_mapping).unwrap_or_default()
    }

    pub fn default_role(&self) -> Option<Role> {
        self.default_role.as_deref().and_then(|r| r.parse().ok())
    }

    pub fn group_mapping(&self) -> BTreeMap<String, Vec<String>> {
        serde_json::from_str(&self.group_mapping).unwrap_or_default()
    }

    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(sso_providers::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    pub fn find(
        conn: &mut DbConnection,
        tenant_id: &str,
        id: &str,
    ) -> QueryResult<Option<SsoProvider>> {
        sso_providers::table
            .filter(sso_providers::tenant_id.eq(tenant_id))
            .filter(sso_providers::id.eq(id))
            .select(SsoProvider::as_select())
            .get_result(conn)
            .optional()
    }

    /// Every provider of a tenant, by name.
    pub fn of_tenant(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<SsoProvider>> {
        sso_providers::table
            .filter(sso_providers::tenant_id.eq(tenant_id))
            .order((sso_providers::display_name.asc(), sso_providers::id.asc()))
            .select(SsoProvider::as_select())
            .load(conn)
    }

    /// The active providers of a tenant, by name: (id, display name).
    pub fn active_of_tenant(
        conn: &mut DbConnection,
        tenant_id: &str,
    ) -> QueryResult<Vec<(String, String)>> {
        sso_providers::table
            .filter(sso_providers::tenant_id.eq(tenant_id))
            .filter(sso_providers::status.eq(SsoProviderStatus::Active.as_str()))
            .order((sso_providers::display_name.asc(), sso_providers::id.asc()))
            .select((sso_providers::id, sso_providers::display_name))
            .load(conn)
    }

    /// Stores `self` over the row if it is still at `version`; false if
    /// someone changed it meanwhile (or it is gone).
    pub fn update_if_version(&self, conn: &mut DbConnection, version: i32) -> QueryResult<bool> {
        let changed = diesel::update(
            sso_providers::table
                .filter(sso_providers::tenant_id.eq(&self.tenant_id))
                .filter(sso_providers::id.eq(&self.id))
                .filter(sso_providers::version.eq(version)),
        )
        .set(self)
        .execute(conn)?;
        Ok(changed == 1)
    }

    pub fn delete(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<bool> {
        let deleted = diesel::delete(
            sso_providers::table
                .filter(sso_providers::tenant_id.eq(tenant_id))
                .filter(sso_providers::id.eq(id)),
        )
        .execute(conn)?;
        Ok(deleted == 1)
    }
}
