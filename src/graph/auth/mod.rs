//! Credentials that obtain Microsoft Entra access tokens for Graph, one per file,
//! behind one small trait. The provider configuration picks exactly one.

mod azure_cli;
mod cache;
mod client_certificate;
mod client_secret;
mod federated_token;
mod managed_identity;
mod secret;
mod token;
mod workload_identity;

#[cfg(test)]
pub(crate) mod testing;

pub use azure_cli::AzureCliCredential;
pub use cache::CachedCredential;
pub use client_certificate::{CertificateError, ClientCertificate, ClientCertificateCredential};
pub use client_secret::ClientSecretCredential;
pub use federated_token::FederatedTokenSource;
pub use managed_identity::{IMDS_ENDPOINT, ManagedIdentityCredential, ManagedIdentityEndpoint};
pub use secret::Secret;
pub use token::{AccessToken, AuthError, JWT_BEARER, TokenCredential};
pub use workload_identity::WorkloadIdentityCredential;
