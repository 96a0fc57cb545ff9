//! The roles an account can hold, and how they are spelled on the wire.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an account may see and do. Administrators see the whole network;
/// supervisors and fulfillers are bound to facilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Administrator,
    Supervisor,
    Fulfiller,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Administrator, Role::Supervisor, Role::Fulfiller];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "ADMINISTRATOR",
            Role::Supervisor => "SUPERVISOR",
            Role::Fulfiller => "FULFILLER",
        }
    }

    /// Whether accounts with this role see the whole network rather than a
    /// list of facilities.
    pub fn is_network_wide(self) -> bool {
        matches!(self, Role::Administrator)
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Supervisor => "Supervisor",
            Role::Fulfiller => "Fulfiller",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown role `{}` (expected ADMINISTRATOR, SUPERVISOR or FULFILLER)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case_and_round_trips_on_the_wire() {
        assert_eq!("supervisor".parse::<Role>(), Ok(Role::Supervisor));
        assert_eq!(
            serde_json::to_string(&Role::Administrator).ok().as_deref(),
            Some("\"ADMINISTRATOR\"")
        );
        assert!("root".parse::<Role>().is_err());
    }
}
