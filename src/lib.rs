//! Terraform provider for Microsoft Entra ID administrative units.
//!
//! Layers, lowest first (each may use only those below it): [`graph`] (the Microsoft
//! Graph client, no Terraform types) and [`ids`]/[`permissions`]; [`client`] (what a
//! configured provider holds); [`support`] (helpers shared by resources and data
//! sources); [`resources`] and [`data_sources`] (one file per Terraform type);
//! [`provider`] (the provider block, configuration and the list of types);
//! [`export`] (the `export` command, which configures the provider like Terraform). The
//! protocol edge and the framework are the `provider_framework` crate.
//! `ARCHITECTURE.md` draws the map.

pub mod client;
pub mod data_sources;
pub mod export;
pub mod graph;
pub mod ids;
pub mod permissions;
pub mod provider;
pub mod resources;
pub mod support;

#[cfg(test)]
mod layering;
