//! What configuration resolves to: the settings, the chosen authentication method,
//! and where configuration values come from besides the provider block.

use std::path::PathBuf;

use crate::graph::auth::{
    ClientCertificate, FederatedTokenSource, ManagedIdentityEndpoint, Secret,
};

use super::cloud::Cloud;

/// Where configuration values come from besides the provider block.
pub trait Env {
    /// The variable's value, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

/// The authentication method the configuration selects.
#[derive(Debug, Clone)]
pub enum AuthMethod {
    /// An app registration's client secret.
    ClientSecret(Secret),
    /// An app registration's certificate.
    ClientCertificate(ClientCertificate),
    /// Workload identity federation with an external OIDC token.
    Oidc(FederatedTokenSource),
    /// A managed identity (system-assigned, or user-assigned by `client_id`).
    ManagedIdentity(ManagedIdentityEndpoint),
    /// The Azure CLI's signed-in account, through this `az` executable.
    AzureCli(PathBuf),
}

/// Resolved provider settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How to authenticate.
    pub method: AuthMethod,
    /// Directory (tenant) id or domain; always set for app credentials.
    pub tenant_id: Option<String>,
    /// Application (client) id; always set for app credentials.
    pub client_id: Option<String>,
    /// The cloud.
    pub cloud: Cloud,
    /// Graph base URL without version, e.g. `https://graph.microsoft.com`.
    pub graph_endpoint: String,
    /// Login base URL, e.g. `https://login.microsoftonline.com`.
    pub login_endpoint: String,
    /// Where each setting that was found came from, by provider argument name:
    /// `"tenant_id" in the provider block` or `the ARM_TENANT_ID environment variable`.
    pub origins: std::collections::BTreeMap<&'static str, String>,
}
