//! Request and response bodies of account administration under
//! `/api/v1/users`, `/api/v1/facilities` and `/api/v1/audit-events`: what
//! administrators' and supervisors' scripts and screens exchange with the
//! server. A user uses the names `GET /api/v1/me` uses, plus its state.

use crate::account::{AccountStatus, SignInMethod};
use crate::api::FacilityRef;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// One account, as an administrator or supervisor sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Empty for administrators, who see the whole network.
    pub facilities: Vec<FacilityRef>,
    pub locale: String,
    pub sign_in_method: SignInMethod,
    /// RFC 3339.
    pub last_login_at: Option<String>,
    pub status: AccountStatus,
    /// Must choose a new password at the next sign-in.
    pub must_change_password: bool,
    /// For optimistic locking: send it back with a change.
    pub version: i32,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub modified_at: String,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Matching items on every page.
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

/// `PUT /api/v1/users/{id}/password`: a password someone else chose, so
/// the account must choose its own at the next sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// A facility of the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityView {
    pub id: String,
    pub code: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
}

/// One entry of the audit trail. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEventView {
    pub id: String,
    /// RFC 3339.
    pub occurred_at: String,
    /// e.g. `login_succeeded`, `password_reset_requested`.
    pub kind: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub client_address: Option<String>,
    pub detail: Option<String>,
}

/// The answer to `POST /api/v1/users/{id}/unlock` and
/// `DELETE /api/v1/users/{id}/sessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Affected {
    /// Waits lifted, or sessions ended.
    pub count: usize,
}

/// `POST /api/v1/users`. With an email address and no password, the account
/// gets an invitation to choose its password; without an email address a
/// temporary password is required.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub role: Role,
    /// Facility ids; for a supervisor creating an account, its own when
    /// absent. Administrators take none.
    #[serde(default)]
    pub facility_ids: Option<Vec<String>>,
    /// `en` when absent.
    #[serde(default)]
    pub locale: Option<String>,
    /// A temporary password (the owner chooses its own at the first
    /// sign-in).
    #[serde(default)]
    pub password: Option<String>,
}

/// `PATCH /api/v1/users/{id}`: the `version` read last, and the fields to
/// change. `"email": null` removes the address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    pub version: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub email: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AccountStatus>,
}

/// A field that is present, even as `null`, reads as `Some`.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `POST /api/v1/facilities`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFacility {
    pub code: String,
    pub name: String,
}
