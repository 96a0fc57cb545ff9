//! What every request handler shares: the pool, the settings, the hasher,
//! the key ring, the tenant resolver and the throttle. Nothing here is state
//! another replica needs: it is configuration, caches and handles.

use crate::auth::keys::KeyRing;
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::Throttle;
use crate::db::DbPool;
use crate::settings::Settings;
use crate::tenancy::TenantResolver;
use std::sync::Arc;

pub struct AppState {
    pub pool: DbPool,
    pub settings: Settings,
    pub hasher: PasswordHasher,
    pub keys: Arc<KeyRing>,
    pub tenants: TenantResolver,
    pub throttle: Throttle,
}
