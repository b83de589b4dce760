//! Resolution of each authentication method: client secret, certificate, OIDC,
//! managed identity and the Azure CLI.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::cloud::Cloud;
use super::resolve::Resolver;
use super::settings::AuthMethod;
use super::sources::*;
use crate::graph::auth::{
    CertificateError, ClientCertificate, FederatedTokenSource, IMDS_ENDPOINT,
    ManagedIdentityEndpoint, Secret,
};

impl Resolver<'_> {
    pub(super) fn secret(
        &mut self,
        secret: Option<Found>,
        file: Option<Found>,
    ) -> Option<AuthMethod> {
        let found = self.one_of(secret, file)?;
        if found.attribute == CLIENT_SECRET.attribute {
            return Some(AuthMethod::ClientSecret(Secret::new(found.value)));
        }
        let text = self.read_file(&found, "client secret")?;
        let text = String::from_utf8_lossy(&text).trim().to_owned();
        if text.is_empty() {
            self.error(
                found.attribute,
                "Empty client secret file",
                format!("The file {} (from {}) is empty.", found.value, found.origin),
            );
            return None;
        }
        Some(AuthMethod::ClientSecret(Secret::new(text)))
    }

    fn read_file(&mut self, found: &Found, what: &str) -> Option<Vec<u8>> {
        match std::fs::read(&found.value) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.error(
                    found.attribute,
                    format!("Unreadable {what} file"),
                    format!(
                        "Could not read {} (from {}): {e}.",
                        found.value, found.origin
                    ),
                );
                None
            }
        }
    }

    pub(super) fn certificate(
        &mut self,
        inline: Option<Found>,
        path: Option<Found>,
    ) -> Option<AuthMethod> {
        let found = self.one_of(inline, path)?;
        let bytes = if found.attribute == CLIENT_CERTIFICATE.attribute {
            let compact: String = found.value.split_whitespace().collect();
            match base64::engine::general_purpose::STANDARD.decode(compact) {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.error(
                        found.attribute,
                        "Invalid client certificate",
                        format!(
                            "{} must hold a base64-encoded PKCS#12 bundle: {e}.",
                            found.origin
                        ),
                    );
                    return None;
                }
            }
        } else {
            self.read_file(&found, "client certificate")?
        };
        let password = self.lookup(&CLIENT_CERTIFICATE_PASSWORD);
        match ClientCertificate::load(&bytes, password.as_ref().map(|p| p.value.as_str())) {
            Ok(certificate) => Some(AuthMethod::ClientCertificate(certificate)),
            Err(CertificateError::WrongPassword) => {
                let detail = match &password {
                    Some(p) => format!(
                        "The PKCS#12 bundle from {} could not be opened with the password from {}.",
                        found.origin, p.origin
                    ),
                    None => format!(
                        "The PKCS#12 bundle from {} needs a password. Set {}.",
                        found.origin,
                        CLIENT_CERTIFICATE_PASSWORD.how_to_set()
                    ),
                };
                self.error(
                    CLIENT_CERTIFICATE_PASSWORD.attribute,
                    "Wrong client certificate password",
                    detail,
                );
                None
            }
            Err(e) => {
                self.error(
                    found.attribute,
                    "Invalid client certificate",
                    format!("{} (from {}): {e}.", found.attribute, found.origin),
                );
                None
            }
        }
    }

    pub(super) fn oidc(&mut self, cloud: Cloud) -> Option<AuthMethod> {
        let token = self.lookup(&OIDC_TOKEN);
        let file = self.lookup(&OIDC_TOKEN_FILE_PATH);
        if token.is_some() || file.is_some() {
            let found = self.one_of(token, file)?;
            if found.attribute == OIDC_TOKEN.attribute {
                return Some(AuthMethod::Oidc(FederatedTokenSource::Token(Secret::new(
                    found.value,
                ))));
            }
            if let Err(e) = std::fs::metadata(&found.value) {
                self.error(
                    found.attribute,
                    "Unreadable OIDC token file",
                    format!(
                        "Could not read {} (from {}): {e}.",
                        found.value, found.origin
                    ),
                );
                return None;
            }
            return Some(AuthMethod::Oidc(FederatedTokenSource::File(PathBuf::from(
                found.value,
            ))));
        }
        let connection = self.lookup(&ADO_SERVICE_CONNECTION_ID);
        let url = self.lookup(&OIDC_REQUEST_URL);
        let request_token = self.lookup(&OIDC_REQUEST_TOKEN);
        if url.is_none() && request_token.is_none() && connection.is_none() {
            self.error(
                USE_OIDC.attribute,
                "Missing OIDC token",
                format!(
                    "use_oidc is enabled but no OIDC token source is configured. Set {}; or {}; or, in GitHub \
                     Actions, give the job `permissions: id-token: write` (which provides \
                     ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN) or set \"oidc_request_url\" \
                     and \"oidc_request_token\"; or, in Azure DevOps, set {} and map SYSTEM_ACCESSTOKEN into the \
                     task's environment.",
                    OIDC_TOKEN.how_to_set(),
                    OIDC_TOKEN_FILE_PATH.how_to_set(),
                    ADO_SERVICE_CONNECTION_ID.how_to_set()
                ),
            );
            return None;
        }
        let ado = connection.is_some();
        let platform = if ado {
            "Azure DevOps"
        } else {
            "the OIDC token request"
        };
        if url.is_none() {
            self.error(
                OIDC_REQUEST_URL.attribute,
                "Missing OIDC request URL",
                format!(
                    "Requesting an OIDC token from {platform} needs its URL. Set {}.",
                    OIDC_REQUEST_URL.how_to_set()
                ),
            );
        }
        if request_token.is_none() {
            self.error(
                OIDC_REQUEST_TOKEN.attribute,
                "Missing OIDC request token",
                format!(
                    "Requesting an OIDC token from {platform} needs a bearer token. Set {}{}.",
                    OIDC_REQUEST_TOKEN.how_to_set(),
                    if ado {
                        " (map $(System.AccessToken) to SYSTEM_ACCESSTOKEN in the task's env)"
                    } else {
                        ""
                    }
                ),
            );
        }
        let (url, request_token) = (url?, request_token?);
        self.check_url(&url, false);
        if !ado && url.origin == Origin::Env("SYSTEM_OIDCREQUESTURI") {
            self.error(
                ADO_SERVICE_CONNECTION_ID.attribute,
                "Missing Azure DevOps service connection ID",
                format!(
                    "The OIDC request URL comes from SYSTEM_OIDCREQUESTURI (Azure DevOps), which needs the service \
                     connection to request a token for. Set {}.",
                    ADO_SERVICE_CONNECTION_ID.how_to_set()
                ),
            );
            return None;
        }
        let request_token = Secret::new(request_token.value);
        Some(AuthMethod::Oidc(match connection {
            Some(c) => FederatedTokenSource::AzureDevOps {
                request_url: url.value,
                request_token,
                service_connection_id: c.value,
            },
            None => FederatedTokenSource::GitHubActions {
                request_url: url.value,
                request_token,
                audience: cloud.token_exchange_audience().to_owned(),
            },
        }))
    }

    pub(super) fn msi(&mut self) -> Option<AuthMethod> {
        if let Some(found) = self.lookup(&MSI_ENDPOINT) {
            self.check_url(&found, true);
            return Some(AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::Imds {
                url: found.value,
            }));
        }
        if let (Some(url), Some(header)) = (
            self.env.var("IDENTITY_ENDPOINT"),
            self.env.var("IDENTITY_HEADER"),
        ) {
            let found = Found {
                value: url.trim().to_owned(),
                origin: Origin::Env("IDENTITY_ENDPOINT"),
                attribute: MSI_ENDPOINT.attribute,
            };
            self.check_url(&found, false);
            return Some(AuthMethod::ManagedIdentity(
                ManagedIdentityEndpoint::AppService {
                    url: found.value,
                    header: Secret::new(header),
                },
            ));
        }
        Some(AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::Imds {
            url: IMDS_ENDPOINT.to_owned(),
        }))
    }

    /// Nothing selected a method: settings that only make sense with one are errors, an
    /// app's client id without a credential is one, else the Azure CLI when allowed.
    pub(super) fn cli(&mut self, client: Option<&Found>) -> Option<AuthMethod> {
        let dangling = [
            (
                &OIDC_TOKEN,
                &USE_OIDC,
                "use_oidc = true (or ARM_USE_OIDC=true)",
            ),
            (
                &OIDC_TOKEN_FILE_PATH,
                &USE_OIDC,
                "use_oidc = true (or ARM_USE_OIDC=true)",
            ),
            (
                &ADO_SERVICE_CONNECTION_ID,
                &USE_OIDC,
                "use_oidc = true (or ARM_USE_OIDC=true)",
            ),
            (
                &MSI_ENDPOINT,
                &USE_MSI,
                "use_msi = true (or ARM_USE_MSI=true)",
            ),
        ];
        let mut hinted = false;
        for (setting, switch, fix) in dangling {
            if let Some(found) = self.lookup(setting) {
                self.error(
                    switch.attribute,
                    format!("{} is not enabled", switch.attribute),
                    format!(
                        "{} is set, but it is only used with {fix}; set that, or remove {}.",
                        found.origin, found.origin
                    ),
                );
                hinted = true;
            }
        }
        if let Some(found) = self.lookup(&CLIENT_CERTIFICATE_PASSWORD) {
            self.error(
                CLIENT_CERTIFICATE.attribute,
                "Missing client certificate",
                format!(
                    "{} is set, but no certificate is configured. Set {}, or {}.",
                    found.origin,
                    CLIENT_CERTIFICATE_PATH.how_to_set(),
                    CLIENT_CERTIFICATE.how_to_set()
                ),
            );
            hinted = true;
        }
        if hinted {
            return None;
        }
        let (use_cli, explicit_cli) = self.flag(&USE_CLI, true);
        if let Some(client) = client.filter(|_| !(use_cli && explicit_cli)) {
            self.error(
                CLIENT_SECRET.attribute,
                "Missing client secret or other credential for the client ID",
                format!(
                    "{} names an app registration, but no credential for it is configured. {METHODS_HELP} For a \
                     user-assigned managed identity set use_msi = true. To sign in with the Azure CLI instead, \
                     remove {} or set use_cli = true.",
                    client.origin, client.origin
                ),
            );
            return None;
        }
        if !use_cli {
            self.error(
                USE_CLI.attribute,
                "No authentication method configured",
                format!("No credential is configured and use_cli is false. {METHODS_HELP}"),
            );
            return None;
        }
        match self
            .env
            .var("PATH")
            .and_then(|path| find_program(&path, AZ))
        {
            Some(az) => Some(AuthMethod::AzureCli(az)),
            None => {
                self.error(
                    USE_CLI.attribute,
                    "No authentication method configured",
                    format!(
                        "No credential is configured, and the Azure CLI ({AZ}) to fall back to is not on PATH. \
                         {METHODS_HELP}"
                    ),
                );
                None
            }
        }
    }
}

#[cfg(windows)]
pub(super) const AZ: &str = "az.cmd";
#[cfg(not(windows))]
pub(super) const AZ: &str = "az";

/// The first executable file `name` in the directories of `path`.
fn find_program(path: &str, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}
