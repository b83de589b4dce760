//! The token credential the settings select, and how settings are described in logs.

use std::sync::Arc;

use super::settings::{AuthMethod, Settings};
use crate::graph::auth::{
    AzureCliCredential, ClientCertificateCredential, ClientSecretCredential,
    ManagedIdentityCredential, TokenCredential, WorkloadIdentityCredential,
};
use provider_framework::Diagnostics;

/// The token credential the settings select.
pub fn credential(
    settings: &Settings,
    http: reqwest::Client,
) -> Result<Arc<dyn TokenCredential>, Diagnostics> {
    let tenant = settings.tenant_id.as_deref().unwrap_or_default();
    let client = settings.client_id.as_deref().unwrap_or_default();
    let login = settings.login_endpoint.as_str();
    Ok(match &settings.method {
        AuthMethod::ClientSecret(secret) => Arc::new(ClientSecretCredential::new(
            http,
            login,
            tenant,
            client,
            secret.clone(),
        )),
        AuthMethod::ClientCertificate(certificate) => Arc::new(ClientCertificateCredential::new(
            http,
            login,
            tenant,
            client,
            certificate.clone(),
        )),
        AuthMethod::Oidc(source) => Arc::new(WorkloadIdentityCredential::new(
            http,
            login,
            tenant,
            client,
            source.clone(),
        )),
        AuthMethod::ManagedIdentity(endpoint) => Arc::new(ManagedIdentityCredential::new(
            http,
            endpoint.clone(),
            settings.client_id.clone(),
        )),
        AuthMethod::AzureCli(program) => Arc::new(AzureCliCredential::new(
            program.clone(),
            settings.tenant_id.clone(),
        )),
    })
}

impl Settings {
    /// The authentication method and identity, for logs (never a secret).
    pub fn describe(&self) -> String {
        let tenant = self.tenant_id.as_deref().unwrap_or("-");
        let app = format!(
            "for app {} in tenant {tenant}",
            self.client_id.as_deref().unwrap_or("-")
        );
        let method = match &self.method {
            AuthMethod::ClientSecret(_) => format!("client secret {app}"),
            AuthMethod::ClientCertificate(c) => {
                format!("client certificate (x5t#S256 {}) {app}", c.thumbprint())
            }
            AuthMethod::Oidc(source) => format!("OIDC token from {} {app}", source.describe()),
            AuthMethod::ManagedIdentity(endpoint) => match &self.client_id {
                Some(id) => format!(
                    "user-assigned managed identity {id} via {}",
                    endpoint.describe()
                ),
                None => format!(
                    "system-assigned managed identity via {}",
                    endpoint.describe()
                ),
            },
            AuthMethod::AzureCli(program) => match &self.tenant_id {
                Some(t) => format!("Azure CLI ({}) in tenant {t}", program.display()),
                None => format!("Azure CLI ({}) in its default tenant", program.display()),
            },
        };
        format!("{method} ({} cloud)", self.cloud.name())
    }
}
