//! The rules of each flow, one module per flow. A flow takes the narrow
//! values it needs (a database handle, the hasher, a slice of settings),
//! never the application state and nothing of actix.

pub mod password_reset;
pub mod sign_in;
