//! The integration tests of `entra-emulator`, linked as one test binary: one module per
//! area, sharing the harness in `common` (fixtures are in `tests/fixtures`).

mod common;

mod administrative_units;
mod after_commit;
mod auth;
mod consistency;
mod credentials;
mod directory;
mod dynamic;
mod emulator_admin;
mod faults;
mod fidelity;
mod graph_extras;
mod group_members;
mod licensing;
mod links;
mod members;
mod odata;
mod persistence;
mod role_powers;
mod roles;
mod tls;
mod token;
