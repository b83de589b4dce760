//! The Microsoft Graph client: one method per Graph operation, with retries,
//! replication-lag handling and authentication in one place each. No Terraform types.

pub mod auth;
mod client;
pub mod consistency;
pub mod error;
pub mod models;
pub mod retry;

pub use client::{Call, GraphClient, GraphClientOptions};
pub use error::{ApiError, GraphError};
