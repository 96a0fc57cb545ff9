//! What every request handler shares: the pool, the sign-in connection, the
//! settings, the hasher, the key ring, the tenant resolver and the throttle.
//! Nothing here is state another replica needs: it is configuration, caches
//! and handles.

use crate::auth::keys::KeyRing;
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::Throttle;
use crate::db::{DbPool, SignInConnection};
use crate::settings::Settings;
use crate::tenancy::TenantResolver;
use std::sync::Arc;

pub struct AppState {
    pub pool: DbPool,
    /// What sign-ins read and write through (see [`SignInConnection`]).
    pub sign_in_db: SignInConnection,
    pub settings: Settings,
    pub hasher: PasswordHasher,
    pub keys: Arc<KeyRing>,
    pub tenants: TenantResolver,
    pub throttle: Throttle,
}
