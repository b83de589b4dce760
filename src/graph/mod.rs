//! The Microsoft Graph client: one method per Graph operation, with retries,
//! replication-lag handling, batching and authentication in one place each. No
//! Terraform types.
//!
//! Layers, lowest first: `request` (what one request is), `transport` (send and
//! retry one request), `batch` (gather concurrent requests into `$batch`), `client`
//! (the client, its caches), then one file per Graph area (`administrative_units`,
//! `members`, `roles`, `directory`). `consistency`, `retry`, `coalesce`, `odata`,
//! `models` and `error` are used by those.

pub mod administrative_units;
pub mod auth;
mod batch;
mod bulk;
mod client;
pub mod coalesce;
pub mod consistency;
mod directory;
pub mod error;
mod licensing;
mod listings;
pub mod member_sets;
pub mod members;
pub mod models;
pub mod odata;
mod request;
pub mod retry;
pub mod role_actions;
pub mod role_catalog;
mod role_definitions;
mod roles;
mod transport;
pub mod waits;

pub use client::{GraphClient, GraphClientOptions};
pub use error::{ApiError, CreateError, GraphError};
pub use request::Call;
pub(crate) use roles::is_conflict;

#[cfg(test)]
mod tests;
