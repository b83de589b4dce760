//! `entra-emulator`: a local Microsoft Graph and Entra token endpoint that keeps a
//! tenant (users, groups, devices, administrative units, roles) and behaves like Graph,
//! faults included.
//!
//! Start one in-process with [`Emulator::start`] (async) or [`BackgroundEmulator::start`]
//! (own thread, for synchronous tests), or drive [`app`] with `tower::ServiceExt::oneshot`.
//!
//! # Layout
//!
//! A module imports only from its own layer or the layers before it, and no two module
//! files import each other, directly or around a loop (`scripts/check-module-cycles.py
//! emulator/src` checks it):
//!
//! 1. `context`, `origin`, `error`, `rng`, `tls`: request ids, the origin links are
//!    written under, Graph's error envelopes, the seeded RNG, the generated CA and the
//!    HTTPS listener.
//! 2. `store`: the data model, the tenant and its change journal, seeds, the demo tenant.
//! 3. `replication`, `view`, `dynamic`, `filter`, `odata`, `faults`, `stats`, `auth`,
//!    `assertion`, `consistency`, `persist`: what a lagging replica sees, dynamic
//!    membership, queries, fault decisions, counters, tokens and client credentials.
//!    `authz` (after `view`): application permissions or directory roles at a scope.
//! 4. `directory` (the primary, the replication log, pending evaluations) and `options`.
//! 5. `state`: [`AppState`], everything above behind one handle.
//! 6. `routes`: `common`, `objects`, `references`, `member_lists` and `middleware` under
//!    the route files, and `routes/mod.rs`, which only assembles the Graph router.
//! 7. `server` ([`app`], [`Emulator`]), then `background` ([`BackgroundEmulator`]);
//!    this file only declares modules and re-exports; then the binary (`main.rs`, `cli.rs`).

pub mod assertion;
pub mod auth;
pub mod authz;
mod background;
pub mod consistency;
pub mod context;
pub mod directory;
pub mod dynamic;
pub mod error;
pub mod faults;
pub mod filter;
pub mod odata;
pub mod options;
pub mod origin;
pub mod persist;
pub mod replication;
mod rng;
pub mod routes;
mod server;
pub mod shutdown;
pub mod state;
pub mod stats;
pub mod store;
pub mod tls;
pub mod view;

pub use background::BackgroundEmulator;
pub use error::{AppError, AppResult};
pub use faults::FaultConfig;
pub use options::Options;
pub use server::{BoundEmulator, Emulator, app};
pub use state::AppState;
pub use store::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_DOMAIN, DEMO_TENANT_ID};
pub use store::seed::Seed;
pub use tls::CaCertificate;
