//! Resolves the provider block and the `ARM_*` / `ENTRA_*` environment into settings:
//! the cloud, the endpoints and exactly one authentication method, chosen explicitly
//! (no fallback chain; the Azure CLI only when nothing else is configured). Errors name
//! the missing or conflicting argument and the variable that supplies it.
//!
//! `sources` lists every setting with its argument and variables, `methods` resolves
//! each authentication method, `schema` is the provider block, `credential` builds the
//! token credential the settings select.
mod cloud;
mod credential;
mod methods;
mod resolve;
mod schema;
mod settings;
mod sources;
#[cfg(test)]
mod tests;

pub use cloud::{Cloud, DEFAULT_GRAPH_ENDPOINT, DEFAULT_LOGIN_ENDPOINT};
pub use credential::credential;
pub use resolve::resolve;
pub use schema::schema_attributes;
pub use settings::{AuthMethod, Env, ProcessEnv, Settings};
