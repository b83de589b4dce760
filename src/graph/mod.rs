//! The Microsoft Graph client: one method per Graph operation, with retries,
//! replication-lag handling and authentication in one place each. No Terraform types.

pub mod administrative_units;
pub mod auth;
mod batch;
mod client;
pub mod coalesce;
pub mod consistency;
mod directory;
pub mod error;
pub mod members;
pub mod models;
pub mod retry;
mod roles;

pub use client::{Call, GraphClient, GraphClientOptions};
pub use error::{ApiError, CreateError, GraphError};
pub(crate) use roles::is_conflict;
