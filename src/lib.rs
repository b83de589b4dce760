//! Terraform provider for Microsoft Entra ID administrative units.
//!
//! Layout: [`plugin`] is the protocol edge (go-plugin, gRPC, TLS), [`framework`] the
//! protocol-agnostic provider framework, [`provider`] and [`resources`] the Entra
//! provider itself, and [`graph`] the Microsoft Graph client.

pub mod data_sources;
pub mod framework;
pub mod graph;
pub mod ids;
pub mod logging;
pub mod permissions;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod resources;
pub mod roles;
