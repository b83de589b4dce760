//! Resolves the provider block and the `ARM_*` / `ENTRA_*` environment into settings:
//! the cloud, the endpoints and exactly one authentication method, chosen explicitly
//! (no fallback chain; the Azure CLI only when nothing else is configured). Errors name
//! the missing or conflicting argument and the variable that supplies it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;

use crate::framework::{Attribute, Diagnostic, Diagnostics, Value};
use crate::graph::auth::{
    AzureCliCredential, CertificateError, ClientCertificate, ClientCertificateCredential,
    ClientSecretCredential, FederatedTokenSource, IMDS_ENDPOINT, ManagedIdentityCredential,
    ManagedIdentityEndpoint, Secret, TokenCredential, WorkloadIdentityCredential,
};

/// The public cloud's Graph endpoint.
pub const DEFAULT_GRAPH_ENDPOINT: &str = "https://graph.microsoft.com";
/// The public cloud's login endpoint.
pub const DEFAULT_LOGIN_ENDPOINT: &str = "https://login.microsoftonline.com";

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

/// A Microsoft cloud (`environment`): its login and Graph hosts and token-exchange audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// The global (public) cloud.
    Global,
    /// US Government L4 (GCC High).
    UsGovernment,
    /// US Government L5 (DoD).
    UsGovernmentDod,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    const NAMES: &'static str = "global, usgovernment, dod or china";

    fn parse(name: &str) -> Option<Cloud> {
        match name.trim().to_ascii_lowercase().as_str() {
            "global" | "public" => Some(Cloud::Global),
            "usgovernment" | "usgovernmentl4" => Some(Cloud::UsGovernment),
            "dod" | "usgovernmentl5" => Some(Cloud::UsGovernmentDod),
            "china" => Some(Cloud::China),
            _ => None,
        }
    }

    /// The `environment` value naming this cloud.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovernment => "usgovernment",
            Cloud::UsGovernmentDod => "dod",
            Cloud::China => "china",
        }
    }

    /// The Entra login endpoint.
    pub fn login_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => DEFAULT_LOGIN_ENDPOINT,
            Cloud::UsGovernment | Cloud::UsGovernmentDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }

    /// The Microsoft Graph endpoint.
    pub fn graph_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => DEFAULT_GRAPH_ENDPOINT,
            Cloud::UsGovernment => "https://graph.microsoft.us",
            Cloud::UsGovernmentDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The audience of external tokens for workload identity federation.
    pub fn token_exchange_audience(self) -> &'static str {
        match self {
            Cloud::Global => "api://AzureADTokenExchange",
            Cloud::UsGovernment | Cloud::UsGovernmentDod => "api://AzureADTokenExchangeUSGov",
            Cloud::China => "api://AzureADTokenExchangeChina",
        }
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

/// The provider block's attributes.
pub fn schema_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("tenant_id").describe(
            "The directory (tenant) ID or a verified domain of the tenant. Required for client secret, \
             certificate and OIDC authentication. Can also be set with the `ARM_TENANT_ID` environment variable.",
        ),
        Attribute::string("client_id").describe(
            "The application (client) ID of the app registration to authenticate as, or of a user-assigned \
             managed identity. Can also be set with the `ARM_CLIENT_ID` environment variable.",
        ),
        Attribute::string("client_secret").sensitive().describe(
            "A client secret of the app registration. Can also be set with the `ARM_CLIENT_SECRET` \
             environment variable.",
        ),
        Attribute::string("client_secret_file_path").describe(
            "The path to a file holding a client secret of the app registration. Can also be set with the \
             `ARM_CLIENT_SECRET_FILE_PATH` environment variable.",
        ),
        Attribute::string("client_certificate").sensitive().describe(
            "A base64-encoded PKCS#12 bundle with the app registration's certificate and private key. Can also \
             be set with the `ARM_CLIENT_CERTIFICATE` environment variable.",
        ),
        Attribute::string("client_certificate_path").describe(
            "The path to a PKCS#12 (`.pfx`/`.p12`) bundle, or a PEM file with the certificate and its \
             unencrypted private key. Can also be set with the `ARM_CLIENT_CERTIFICATE_PATH` environment variable.",
        ),
        Attribute::string("client_certificate_password").sensitive().describe(
            "The password of the PKCS#12 bundle. Can also be set with the `ARM_CLIENT_CERTIFICATE_PASSWORD` \
             environment variable.",
        ),
        Attribute::bool("use_oidc").describe(
            "Authenticate with workload identity federation (OIDC), exchanging a token from GitHub Actions, \
             Azure DevOps, Kubernetes or another identity provider. Defaults to `false`. Can also be set with \
             the `ARM_USE_OIDC` environment variable.",
        ),
        Attribute::string("oidc_token").sensitive().describe(
            "An OIDC token to exchange. Can also be set with the `ARM_OIDC_TOKEN` environment variable.",
        ),
        Attribute::string("oidc_token_file_path").describe(
            "The path to a file holding the OIDC token to exchange, re-read whenever a token is needed. Can also \
             be set with the `ARM_OIDC_TOKEN_FILE_PATH` environment variable.",
        ),
        Attribute::string("oidc_request_url").describe(
            "The URL to request an OIDC token from. Can also be set with the `ARM_OIDC_REQUEST_URL` environment \
             variable; GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL` and Azure DevOps' `SYSTEM_OIDCREQUESTURI` \
             are used otherwise.",
        ),
        Attribute::string("oidc_request_token").sensitive().describe(
            "The bearer token for `oidc_request_url`. Can also be set with the `ARM_OIDC_REQUEST_TOKEN` \
             environment variable; GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_TOKEN` and Azure DevOps' \
             `SYSTEM_ACCESSTOKEN` are used otherwise.",
        ),
        Attribute::string("ado_pipeline_service_connection_id").describe(
            "The ID of the Azure DevOps service connection to request OIDC tokens for. Can also be set with the \
             `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID` environment variable.",
        ),
        Attribute::bool("use_msi").describe(
            "Authenticate as the managed identity of the Azure VM, scale set, App Service or Function running \
             Terraform (user-assigned when `client_id` is set). Defaults to `false`. Can also be set with the \
             `ARM_USE_MSI` environment variable.",
        ),
        Attribute::string("msi_endpoint").describe(
            "Overrides the managed identity token endpoint (default: App Service's `IDENTITY_ENDPOINT` when set, \
             else IMDS at `http://169.254.169.254/metadata/identity/oauth2/token`). Can also be set with the \
             `ARM_MSI_ENDPOINT` environment variable.",
        ),
        Attribute::bool("use_cli").describe(
            "Authenticate with the Azure CLI's signed-in account (`az login`) when no other method is \
             configured. Defaults to `true`. Can also be set with the `ARM_USE_CLI` environment variable.",
        ),
        Attribute::string("environment").describe(
            "The cloud: `global` (default), `usgovernment`, `dod` or `china`. Sets the login and Graph \
             endpoints and the OIDC token-exchange audience. Can also be set with the `ARM_ENVIRONMENT` \
             environment variable.",
        ),
        Attribute::string("graph_endpoint").describe(
            "Overrides the Microsoft Graph endpoint (default from `environment`, `https://graph.microsoft.com`), \
             e.g. to use the entra-emulator. Plain `http://` is accepted only for loopback hosts. Can also be \
             set with the `ENTRA_GRAPH_ENDPOINT` environment variable.",
        ),
        Attribute::string("login_endpoint").describe(
            "Overrides the Microsoft Entra login endpoint (default from `environment`, \
             `https://login.microsoftonline.com`). Plain `http://` is accepted only for loopback hosts. Can also \
             be set with the `ENTRA_LOGIN_ENDPOINT` environment variable.",
        ),
    ]
}

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

/// One configurable setting: its argument and the environment variables, in order.
struct Source {
    attribute: &'static str,
    env: &'static [&'static str],
}

impl Source {
    /// `"tenant_id" in the provider block or the ARM_TENANT_ID environment variable`.
    fn how_to_set(&self) -> String {
        let vars = match self.env {
            [one] => format!("the {one} environment variable"),
            [rest @ .., last] => format!(
                "one of the {} or {last} environment variables",
                rest.join(", ")
            ),
            [] => "nothing else".to_owned(),
        };
        format!("\"{}\" in the provider block or {vars}", self.attribute)
    }
}

const TENANT_ID: Source = Source {
    attribute: "tenant_id",
    env: &["ARM_TENANT_ID"],
};
const CLIENT_ID: Source = Source {
    attribute: "client_id",
    env: &["ARM_CLIENT_ID"],
};
const CLIENT_SECRET: Source = Source {
    attribute: "client_secret",
    env: &["ARM_CLIENT_SECRET"],
};
const CLIENT_SECRET_FILE_PATH: Source = Source {
    attribute: "client_secret_file_path",
    env: &["ARM_CLIENT_SECRET_FILE_PATH"],
};
const CLIENT_CERTIFICATE: Source = Source {
    attribute: "client_certificate",
    env: &["ARM_CLIENT_CERTIFICATE"],
};
const CLIENT_CERTIFICATE_PATH: Source = Source {
    attribute: "client_certificate_path",
    env: &["ARM_CLIENT_CERTIFICATE_PATH"],
};
const CLIENT_CERTIFICATE_PASSWORD: Source = Source {
    attribute: "client_certificate_password",
    env: &["ARM_CLIENT_CERTIFICATE_PASSWORD"],
};
const USE_OIDC: Source = Source {
    attribute: "use_oidc",
    env: &["ARM_USE_OIDC"],
};
const OIDC_TOKEN: Source = Source {
    attribute: "oidc_token",
    env: &["ARM_OIDC_TOKEN"],
};
const OIDC_TOKEN_FILE_PATH: Source = Source {
    attribute: "oidc_token_file_path",
    env: &["ARM_OIDC_TOKEN_FILE_PATH"],
};
const OIDC_REQUEST_URL: Source = Source {
    attribute: "oidc_request_url",
    env: &[
        "ARM_OIDC_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "SYSTEM_OIDCREQUESTURI",
    ],
};
const OIDC_REQUEST_TOKEN: Source = Source {
    attribute: "oidc_request_token",
    env: &[
        "ARM_OIDC_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "SYSTEM_ACCESSTOKEN",
    ],
};
const ADO_SERVICE_CONNECTION_ID: Source = Source {
    attribute: "ado_pipeline_service_connection_id",
    env: &[
        "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    ],
};
const USE_MSI: Source = Source {
    attribute: "use_msi",
    env: &["ARM_USE_MSI"],
};
const MSI_ENDPOINT: Source = Source {
    attribute: "msi_endpoint",
    env: &["ARM_MSI_ENDPOINT"],
};
const USE_CLI: Source = Source {
    attribute: "use_cli",
    env: &["ARM_USE_CLI"],
};
const ENVIRONMENT: Source = Source {
    attribute: "environment",
    env: &["ARM_ENVIRONMENT"],
};
const GRAPH_ENDPOINT: Source = Source {
    attribute: "graph_endpoint",
    env: &["ENTRA_GRAPH_ENDPOINT"],
};
const LOGIN_ENDPOINT: Source = Source {
    attribute: "login_endpoint",
    env: &["ENTRA_LOGIN_ENDPOINT"],
};

/// Where a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Block(&'static str),
    Env(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Block(attribute) => write!(f, "\"{attribute}\""),
            Origin::Env(var) => write!(f, "{var}"),
        }
    }
}

/// A value and where it came from.
struct Found {
    value: String,
    origin: Origin,
    attribute: &'static str,
}

/// The authentication methods that can be selected explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Secret,
    Certificate,
    Oidc,
    Msi,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Secret => "a client secret",
            Kind::Certificate => "a client certificate",
            Kind::Oidc => "OIDC (workload identity federation)",
            Kind::Msi => "a managed identity",
        }
    }
}

/// Every way to authenticate, for "nothing configured" errors.
const METHODS_HELP: &str = "Configure exactly one of: \"client_secret\" (ARM_CLIENT_SECRET) or \
     \"client_secret_file_path\" (ARM_CLIENT_SECRET_FILE_PATH); \"client_certificate\" (ARM_CLIENT_CERTIFICATE) or \
     \"client_certificate_path\" (ARM_CLIENT_CERTIFICATE_PATH); use_oidc = true (ARM_USE_OIDC) with an OIDC token \
     source; use_msi = true (ARM_USE_MSI) on Azure compute; or sign in with the Azure CLI (`az login`, used when \
     nothing else is configured and use_cli is true).";

struct Resolver<'a> {
    config: &'a Value,
    env: &'a dyn Env,
    diags: Diagnostics,
    origins: std::cell::RefCell<std::collections::BTreeMap<&'static str, String>>,
}

/// Resolves settings from a fully known provider configuration.
pub fn resolve(config: &Value, env: &dyn Env) -> Result<Settings, Diagnostics> {
    let mut r = Resolver {
        config,
        env,
        diags: Diagnostics::new(),
        origins: Default::default(),
    };
    let cloud = r.cloud();
    let graph_endpoint = r.endpoint(&GRAPH_ENDPOINT, cloud.graph_endpoint());
    let login_endpoint = r.endpoint(&LOGIN_ENDPOINT, cloud.login_endpoint());
    let tenant = r.lookup(&TENANT_ID);
    if let Some(t) = &tenant
        && !is_tenant(&t.value)
    {
        r.diags.push(Diagnostic::attribute_error(
            "tenant_id",
            "Invalid tenant ID",
            format!(
                "{:?} (from {}) is neither a directory id (GUID) nor a domain name such as \
                 contoso.onmicrosoft.com.",
                t.value, t.origin
            ),
        ));
    }
    let client = r.lookup(&CLIENT_ID);
    let method = r.method(cloud, tenant.is_some(), client.as_ref());
    let Resolver { diags, origins, .. } = r;
    diags.into_result()?;
    let method = method.ok_or_else(|| {
        Diagnostics::from(Diagnostic::error("No authentication method", METHODS_HELP))
    })?;
    Ok(Settings {
        method,
        tenant_id: tenant.map(|t| t.value),
        client_id: client.map(|c| c.value),
        cloud,
        graph_endpoint,
        login_endpoint,
        origins: origins.into_inner(),
    })
}

impl Resolver<'_> {
    fn lookup(&self, source: &Source) -> Option<Found> {
        let found = if let Some(v) = self
            .config
            .get(source.attribute)
            .as_str()
            .filter(|v| !v.trim().is_empty())
        {
            Some(Found {
                value: v.trim().to_owned(),
                origin: Origin::Block(source.attribute),
                attribute: source.attribute,
            })
        } else {
            source.env.iter().find_map(|var| {
                self.env.var(var).map(|v| Found {
                    value: v.trim().to_owned(),
                    origin: Origin::Env(var),
                    attribute: source.attribute,
                })
            })
        };
        if let Some(f) = &found {
            let origin = match f.origin {
                Origin::Block(attribute) => format!("\"{attribute}\" in the provider block"),
                Origin::Env(var) => format!("the {var} environment variable"),
            };
            self.origins.borrow_mut().insert(source.attribute, origin);
        }
        found
    }

    /// A boolean setting and whether it was set explicitly.
    fn flag(&mut self, source: &Source, default: bool) -> (bool, bool) {
        if let Some(b) = self.config.get(source.attribute).as_bool() {
            return (b, true);
        }
        let Some(found) = self.lookup(source) else {
            return (default, false);
        };
        match found.value.to_ascii_lowercase().as_str() {
            "true" | "1" | "t" | "yes" => (true, true),
            "false" | "0" | "f" | "no" => (false, true),
            _ => {
                self.error(
                    source.attribute,
                    format!("Invalid {}", found.origin),
                    format!("{} is {:?}; use true or false.", found.origin, found.value),
                );
                (default, false)
            }
        }
    }

    fn error(&mut self, attribute: &str, summary: impl Into<String>, detail: impl Into<String>) {
        self.diags
            .push(Diagnostic::attribute_error(attribute, summary, detail));
    }

    fn cloud(&mut self) -> Cloud {
        let Some(found) = self.lookup(&ENVIRONMENT) else {
            return Cloud::Global;
        };
        Cloud::parse(&found.value).unwrap_or_else(|| {
            self.error(
                "environment",
                "Invalid environment",
                format!(
                    "{:?} (from {}) is not a cloud; use {}.",
                    found.value,
                    found.origin,
                    Cloud::NAMES
                ),
            );
            Cloud::Global
        })
    }

    /// An endpoint override: https anywhere, plain http only on loopback.
    fn endpoint(&mut self, source: &Source, default: &str) -> String {
        let Some(found) = self.lookup(source) else {
            return default.to_owned();
        };
        self.check_url(&found, false);
        found.value.trim_end_matches('/').to_owned()
    }

    fn check_url(&mut self, found: &Found, imds: bool) {
        let raw = &found.value;
        let problem = match url::Url::parse(raw) {
            Err(e) => Some(format!("{raw:?} is not a URL: {e}.")),
            Ok(u) if u.scheme() == "https" => None,
            Ok(u) if u.scheme() == "http" && (is_loopback(&u) || (imds && is_imds(&u))) => None,
            Ok(u) if u.scheme() == "http" => Some(format!(
                "{raw:?} uses plain http on a non-loopback host; use https (plain http is accepted only for \
                 127.0.0.1, ::1 or localhost, e.g. the entra-emulator{}).",
                if imds {
                    ", and for IMDS at 169.254.169.254"
                } else {
                    ""
                }
            )),
            Ok(u) => Some(format!("{raw:?} has scheme {:?}; use https.", u.scheme())),
        };
        if let Some(detail) = problem {
            self.error(
                found.attribute,
                format!("Invalid {}", found.attribute),
                format!("{detail} (set by {})", found.origin),
            );
        }
    }

    fn require(&mut self, present: bool, source: &Source, what: &str, kind: Kind) {
        if !present {
            self.error(
                source.attribute,
                format!("Missing {what}"),
                format!(
                    "Authenticating with {} needs the {what}. Set {}.",
                    kind.label(),
                    source.how_to_set()
                ),
            );
        }
    }

    /// Exactly one of two alternative settings, e.g. a secret or a secret file.
    fn one_of(&mut self, a: Option<Found>, b: Option<Found>) -> Option<Found> {
        match (a, b) {
            (Some(a), Some(b)) => {
                self.error(
                    b.attribute,
                    format!("Conflicting {} and {}", a.attribute, b.attribute),
                    format!(
                        "{} and {} are both set; they are alternatives, set only one (remove the argument or \
                         unset the environment variable).",
                        a.origin, b.origin
                    ),
                );
                None
            }
            (a, b) => a.or(b),
        }
    }

    fn method(
        &mut self,
        cloud: Cloud,
        has_tenant: bool,
        client: Option<&Found>,
    ) -> Option<AuthMethod> {
        let secret = self.lookup(&CLIENT_SECRET);
        let secret_file = self.lookup(&CLIENT_SECRET_FILE_PATH);
        let certificate = self.lookup(&CLIENT_CERTIFICATE);
        let certificate_path = self.lookup(&CLIENT_CERTIFICATE_PATH);
        let (use_oidc, _) = self.flag(&USE_OIDC, false);
        let (use_msi, _) = self.flag(&USE_MSI, false);
        let mut chosen: Vec<(Kind, Origin, &'static str)> = Vec::new();
        if let Some(f) = secret.as_ref().or(secret_file.as_ref()) {
            chosen.push((Kind::Secret, f.origin, f.attribute));
        }
        if let Some(f) = certificate.as_ref().or(certificate_path.as_ref()) {
            chosen.push((Kind::Certificate, f.origin, f.attribute));
        }
        if use_oidc {
            chosen.push((Kind::Oidc, self.origin_of(&USE_OIDC), "use_oidc"));
        }
        if use_msi {
            chosen.push((Kind::Msi, self.origin_of(&USE_MSI), "use_msi"));
        }
        if chosen.len() > 1 {
            let listed: Vec<String> = chosen
                .iter()
                .map(|(k, o, _)| format!("{o} selects {}", k.label()))
                .collect();
            let at = chosen
                .iter()
                .find(|(_, o, _)| matches!(o, Origin::Block(_)))
                .unwrap_or(&chosen[1])
                .2;
            self.error(
                at,
                "Conflicting authentication methods",
                format!(
                    "Exactly one authentication method may be configured, but {}. Remove all but one (delete the \
                     argument or unset the environment variable).",
                    listed.join(" and ")
                ),
            );
            return None;
        }
        let kind = chosen.first().map(|c| c.0);
        if let Some(kind @ (Kind::Secret | Kind::Certificate | Kind::Oidc)) = kind {
            self.require(has_tenant, &TENANT_ID, "tenant ID", kind);
            self.require(client.is_some(), &CLIENT_ID, "client ID", kind);
        }
        match kind {
            Some(Kind::Secret) => self.secret(secret, secret_file),
            Some(Kind::Certificate) => self.certificate(certificate, certificate_path),
            Some(Kind::Oidc) => self.oidc(cloud),
            Some(Kind::Msi) => self.msi(),
            None => self.cli(client),
        }
    }

    /// Where a flag that is on came from (a block value wins over the environment).
    fn origin_of(&self, source: &Source) -> Origin {
        if !self.config.get(source.attribute).is_null() {
            return Origin::Block(source.attribute);
        }
        self.lookup(source)
            .map_or(Origin::Block(source.attribute), |f| f.origin)
    }

    fn secret(&mut self, secret: Option<Found>, file: Option<Found>) -> Option<AuthMethod> {
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

    fn certificate(&mut self, inline: Option<Found>, path: Option<Found>) -> Option<AuthMethod> {
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

    fn oidc(&mut self, cloud: Cloud) -> Option<AuthMethod> {
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

    fn msi(&mut self) -> Option<AuthMethod> {
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
    fn cli(&mut self, client: Option<&Found>) -> Option<AuthMethod> {
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
const AZ: &str = "az.cmd";
#[cfg(not(windows))]
const AZ: &str = "az";

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

fn is_tenant(s: &str) -> bool {
    crate::ids::is_guid(s)
        || (s.contains('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The instance metadata service's fixed link-local address.
fn is_imds(u: &url::Url) -> bool {
    u.host() == Some(url::Host::Ipv4(std::net::Ipv4Addr::new(169, 254, 169, 254)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::AttributePath;
    use crate::graph::auth::testing::{pkcs12, rsa_cert};
    use std::collections::HashMap;

    struct MapEnv(HashMap<String, String>);

    impl Env for MapEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).filter(|v| !v.trim().is_empty()).cloned()
        }
    }

    fn env(pairs: &[(&str, &str)]) -> MapEnv {
        MapEnv(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// A provider block: string values, except `true`/`false` which become bools.
    fn block(pairs: &[(&str, &str)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| {
            let value = match *v {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                s => Value::string(s),
            };
            (*k, value)
        }))
    }

    const TENANT: &str = "11111111-1111-1111-1111-111111111111";
    const APP: (&str, &str) = ("ARM_CLIENT_ID", "22222222-2222-2222-2222-222222222222");
    const TEN: (&str, &str) = ("ARM_TENANT_ID", TENANT);
    const NO_AZ: (&str, &str) = ("PATH", "/nonexistent");

    /// Files the table refers to: `{dir}` in values is replaced by their folder.
    struct Files {
        dir: tempfile::TempDir,
    }

    impl Files {
        fn new() -> Files {
            let dir = tempfile::tempdir().unwrap();
            let (cert_pem, key_pem, der) = rsa_cert();
            std::fs::write(dir.path().join("cert.pem"), format!("{cert_pem}{key_pem}")).unwrap();
            std::fs::write(
                dir.path().join("cert.pfx"),
                pkcs12(der, key_pem, "pfx-pass"),
            )
            .unwrap();
            std::fs::write(dir.path().join("secret.txt"), "file-secret\n").unwrap();
            std::fs::write(dir.path().join("empty.txt"), "\n").unwrap();
            std::fs::write(dir.path().join("oidc.jwt"), "ext.jwt.sig").unwrap();
            let az = dir.path().join("bin").join(AZ);
            std::fs::create_dir_all(az.parent().unwrap()).unwrap();
            std::fs::write(&az, "#!/bin/sh\n").unwrap();
            #[cfg(unix)]
            std::os::unix::fs::PermissionsExt::set_mode(
                &mut std::fs::metadata(&az).unwrap().permissions(),
                0o755,
            );
            #[cfg(unix)]
            std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
            Files { dir }
        }

        fn fill(&self, s: &str) -> String {
            s.replace("{dir}", self.dir.path().to_str().unwrap())
        }

        fn resolve(
            &self,
            config: &[(&str, &str)],
            vars: &[(&str, &str)],
        ) -> Result<Settings, Diagnostics> {
            let config: Vec<(String, String)> = config
                .iter()
                .map(|(k, v)| ((*k).to_owned(), self.fill(v)))
                .collect();
            let config: Vec<(&str, &str)> = config
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), self.fill(v)))
                .collect();
            let vars: Vec<(&str, &str)> =
                vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            resolve(&block(&config), &env(&vars))
        }
    }

    struct Bad {
        config: &'static [(&'static str, &'static str)],
        env: &'static [(&'static str, &'static str)],
        summary: &'static str,
        attribute: &'static str,
        detail: &'static [&'static str],
    }

    const BAD: &[Bad] = &[
        Bad {
            config: &[("use_cli", "false")],
            env: &[TEN],
            summary: "No authentication method configured",
            attribute: "use_cli",
            detail: &[
                "use_cli is false",
                "ARM_CLIENT_SECRET",
                "ARM_CLIENT_CERTIFICATE_PATH",
                "ARM_USE_OIDC",
                "ARM_USE_MSI",
            ],
        },
        Bad {
            config: &[],
            env: &[NO_AZ],
            summary: "No authentication method configured",
            attribute: "use_cli",
            detail: &["not on PATH", "az login"],
        },
        Bad {
            config: &[],
            env: &[TEN, APP, NO_AZ],
            summary: "Missing client secret or other credential for the client ID",
            attribute: "client_secret",
            detail: &[
                "ARM_CLIENT_ID names an app registration",
                "ARM_CLIENT_SECRET",
                "use_cli = true",
            ],
        },
        Bad {
            config: &[],
            env: &[APP, ("ARM_CLIENT_SECRET", "s")],
            summary: "Missing tenant ID",
            attribute: "tenant_id",
            detail: &[
                "a client secret needs the tenant ID",
                "\"tenant_id\"",
                "ARM_TENANT_ID",
            ],
        },
        Bad {
            config: &[("client_certificate_path", "{dir}/cert.pem")],
            env: &[APP],
            summary: "Missing tenant ID",
            attribute: "tenant_id",
            detail: &["a client certificate needs the tenant ID", "ARM_TENANT_ID"],
        },
        Bad {
            config: &[("use_oidc", "true"), ("oidc_token", "x")],
            env: &[TEN],
            summary: "Missing client ID",
            attribute: "client_id",
            detail: &["OIDC", "ARM_CLIENT_ID"],
        },
        Bad {
            config: &[("client_certificate_path", "{dir}/cert.pem")],
            env: &[TEN, APP, ("ARM_CLIENT_SECRET", "s")],
            summary: "Conflicting authentication methods",
            attribute: "client_certificate_path",
            detail: &[
                "ARM_CLIENT_SECRET selects a client secret",
                "\"client_certificate_path\" selects a client certificate",
            ],
        },
        Bad {
            config: &[],
            env: &[
                TEN,
                APP,
                ("ARM_CLIENT_SECRET", "s"),
                ("ARM_USE_MSI", "true"),
            ],
            summary: "Conflicting authentication methods",
            attribute: "use_msi",
            detail: &["ARM_USE_MSI selects a managed identity"],
        },
        Bad {
            config: &[("use_oidc", "true"), ("oidc_token", "x")],
            env: &[
                TEN,
                APP,
                ("ARM_USE_OIDC", "false"),
                ("ARM_CLIENT_CERTIFICATE", "AAAA"),
            ],
            summary: "Conflicting authentication methods",
            attribute: "use_oidc",
            detail: &[
                "ARM_CLIENT_CERTIFICATE selects a client certificate",
                "\"use_oidc\" selects OIDC",
            ],
        },
        Bad {
            config: &[
                ("client_secret", "s"),
                ("client_secret_file_path", "{dir}/secret.txt"),
            ],
            env: &[TEN, APP],
            summary: "Conflicting client_secret and client_secret_file_path",
            attribute: "client_secret_file_path",
            detail: &["set only one"],
        },
        Bad {
            config: &[("client_certificate_path", "{dir}/cert.pem")],
            env: &[TEN, APP, ("ARM_CLIENT_CERTIFICATE", "AAAA")],
            summary: "Conflicting client_certificate and client_certificate_path",
            attribute: "client_certificate_path",
            detail: &["ARM_CLIENT_CERTIFICATE and \"client_certificate_path\" are both set"],
        },
        Bad {
            config: &[("use_oidc", "true")],
            env: &[TEN, APP],
            summary: "Missing OIDC token",
            attribute: "use_oidc",
            detail: &[
                "ARM_OIDC_TOKEN",
                "ARM_OIDC_TOKEN_FILE_PATH",
                "id-token: write",
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            ],
        },
        Bad {
            config: &[
                ("use_oidc", "true"),
                ("oidc_token_file_path", "{dir}/oidc.jwt"),
            ],
            env: &[TEN, APP, ("ARM_OIDC_TOKEN", "x")],
            summary: "Conflicting oidc_token and oidc_token_file_path",
            attribute: "oidc_token_file_path",
            detail: &["ARM_OIDC_TOKEN and \"oidc_token_file_path\" are both set"],
        },
        Bad {
            config: &[],
            env: &[
                TEN,
                APP,
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_REQUEST_URL", "https://idp.example.com/t"),
            ],
            summary: "Missing OIDC request token",
            attribute: "oidc_request_token",
            detail: &[
                "ARM_OIDC_REQUEST_TOKEN",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "SYSTEM_ACCESSTOKEN",
            ],
        },
        Bad {
            config: &[
                ("use_oidc", "true"),
                ("ado_pipeline_service_connection_id", "sc"),
            ],
            env: &[TEN, APP, ("SYSTEM_ACCESSTOKEN", "x")],
            summary: "Missing OIDC request URL",
            attribute: "oidc_request_url",
            detail: &["Azure DevOps", "SYSTEM_OIDCREQUESTURI"],
        },
        Bad {
            config: &[("use_oidc", "true")],
            env: &[
                TEN,
                APP,
                (
                    "SYSTEM_OIDCREQUESTURI",
                    "https://dev.azure.com/o/p/oidctoken",
                ),
                ("SYSTEM_ACCESSTOKEN", "x"),
            ],
            summary: "Missing Azure DevOps service connection ID",
            attribute: "ado_pipeline_service_connection_id",
            detail: &[
                "SYSTEM_OIDCREQUESTURI",
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            ],
        },
        Bad {
            config: &[
                ("use_oidc", "true"),
                ("oidc_request_url", "http://idp.example.com/t"),
                ("oidc_request_token", "x"),
            ],
            env: &[TEN, APP],
            summary: "Invalid oidc_request_url",
            attribute: "oidc_request_url",
            detail: &["loopback"],
        },
        Bad {
            config: &[("oidc_token", "x")],
            env: &[TEN, APP],
            summary: "use_oidc is not enabled",
            attribute: "use_oidc",
            detail: &["\"oidc_token\" is set", "ARM_USE_OIDC=true"],
        },
        Bad {
            config: &[],
            env: &[("ARM_MSI_ENDPOINT", "http://127.0.0.1:1/token")],
            summary: "use_msi is not enabled",
            attribute: "use_msi",
            detail: &["ARM_MSI_ENDPOINT is set", "ARM_USE_MSI=true"],
        },
        Bad {
            config: &[("client_certificate_password", "pw")],
            env: &[TEN, APP],
            summary: "Missing client certificate",
            attribute: "client_certificate",
            detail: &[
                "\"client_certificate_password\" is set",
                "ARM_CLIENT_CERTIFICATE_PATH",
            ],
        },
        Bad {
            config: &[],
            env: &[
                TEN,
                APP,
                ("ARM_USE_OIDC", "maybe"),
                ("ARM_CLIENT_SECRET", "s"),
            ],
            summary: "Invalid ARM_USE_OIDC",
            attribute: "use_oidc",
            detail: &["true or false"],
        },
        Bad {
            config: &[("environment", "mars")],
            env: &[TEN, APP, ("ARM_CLIENT_SECRET", "s")],
            summary: "Invalid environment",
            attribute: "environment",
            detail: &["global, usgovernment, dod or china"],
        },
        Bad {
            config: &[
                ("use_msi", "true"),
                ("msi_endpoint", "http://10.0.0.1/token"),
            ],
            env: &[],
            summary: "Invalid msi_endpoint",
            attribute: "msi_endpoint",
            detail: &["169.254.169.254", "loopback"],
        },
        Bad {
            config: &[("client_secret_file_path", "{dir}/missing.txt")],
            env: &[TEN, APP],
            summary: "Unreadable client secret file",
            attribute: "client_secret_file_path",
            detail: &["missing.txt", "\"client_secret_file_path\""],
        },
        Bad {
            config: &[],
            env: &[TEN, APP, ("ARM_CLIENT_SECRET_FILE_PATH", "{dir}/empty.txt")],
            summary: "Empty client secret file",
            attribute: "client_secret_file_path",
            detail: &["ARM_CLIENT_SECRET_FILE_PATH"],
        },
        Bad {
            config: &[
                ("use_oidc", "true"),
                ("oidc_token_file_path", "{dir}/missing.jwt"),
            ],
            env: &[TEN, APP],
            summary: "Unreadable OIDC token file",
            attribute: "oidc_token_file_path",
            detail: &["missing.jwt"],
        },
        Bad {
            config: &[("client_certificate", "not base64!")],
            env: &[TEN, APP],
            summary: "Invalid client certificate",
            attribute: "client_certificate",
            detail: &["base64-encoded PKCS#12"],
        },
        Bad {
            config: &[("client_certificate_path", "{dir}/secret.txt")],
            env: &[TEN, APP],
            summary: "Invalid client certificate",
            attribute: "client_certificate_path",
            detail: &["not a PKCS#12"],
        },
        Bad {
            config: &[("client_certificate_path", "{dir}/cert.pfx")],
            env: &[TEN, APP, ("ARM_CLIENT_CERTIFICATE_PASSWORD", "wrong")],
            summary: "Wrong client certificate password",
            attribute: "client_certificate_password",
            detail: &["could not be opened with the password from ARM_CLIENT_CERTIFICATE_PASSWORD"],
        },
        Bad {
            config: &[("client_certificate_path", "{dir}/cert.pfx")],
            env: &[TEN, APP],
            summary: "Wrong client certificate password",
            attribute: "client_certificate_password",
            detail: &["needs a password", "ARM_CLIENT_CERTIFICATE_PASSWORD"],
        },
        Bad {
            config: &[("tenant_id", "not a tenant")],
            env: &[APP, ("ARM_CLIENT_SECRET", "s")],
            summary: "Invalid tenant ID",
            attribute: "tenant_id",
            detail: &["GUID"],
        },
        Bad {
            config: &[("graph_endpoint", "http://graph.example.com")],
            env: &[TEN, APP, ("ARM_CLIENT_SECRET", "s")],
            summary: "Invalid graph_endpoint",
            attribute: "graph_endpoint",
            detail: &["loopback", "set by \"graph_endpoint\""],
        },
    ];

    #[test]
    fn misconfigurations_name_the_argument_and_the_variable() {
        let files = Files::new();
        for (i, case) in BAD.iter().enumerate() {
            let err = files
                .resolve(case.config, case.env)
                .expect_err(&format!("case {i} ({}) resolved", case.summary));
            let d = err
                .0
                .iter()
                .find(|d| d.summary == case.summary)
                .unwrap_or_else(|| panic!("case {i}: no {:?} among {:#?}", case.summary, err.0));
            assert_eq!(
                d.attribute,
                Some(AttributePath::root(case.attribute)),
                "case {i}: {d}"
            );
            for part in case.detail {
                assert!(
                    d.detail.contains(part),
                    "case {i}: {part:?} not in {:?}",
                    d.detail
                );
            }
            assert!(
                !d.detail.contains("pfx-pass") && !d.detail.contains("file-secret"),
                "case {i} leaks: {d}"
            );
        }
    }

    struct Good {
        config: &'static [(&'static str, &'static str)],
        env: &'static [(&'static str, &'static str)],
        /// Checks the method; also gets the folder of the test files.
        check: fn(&AuthMethod, &str),
        describe: &'static [&'static str],
    }

    fn imds(url: &'static str) -> fn(&AuthMethod, &str) {
        match url {
            "default" => |m, _| {
                assert!(
                    matches!(m, AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::Imds { url }) if url == IMDS_ENDPOINT)
                )
            },
            _ => |m, _| {
                assert!(
                    matches!(m, AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::Imds { url }) if url == "http://169.254.169.254/metadata/identity/oauth2/token?x=1")
                )
            },
        }
    }

    const GOOD: &[Good] = &[
        Good {
            config: &[],
            env: &[TEN, APP, ("ARM_CLIENT_SECRET", "env-secret")],
            check: |m, _| {
                assert!(matches!(m, AuthMethod::ClientSecret(s) if s.expose() == "env-secret"))
            },
            describe: &[
                "client secret for app 22222222-2222-2222-2222-222222222222 in tenant 1111",
                "global cloud",
            ],
        },
        Good {
            config: &[("client_secret_file_path", "{dir}/secret.txt")],
            env: &[TEN, APP],
            check: |m, _| {
                assert!(matches!(m, AuthMethod::ClientSecret(s) if s.expose() == "file-secret"))
            },
            describe: &["client secret"],
        },
        Good {
            config: &[("client_certificate_path", "{dir}/cert.pem")],
            env: &[TEN, APP, ("ARM_USE_CLI", "false")],
            check: |m, _| assert!(matches!(m, AuthMethod::ClientCertificate(_))),
            describe: &["client certificate (x5t#S256 "],
        },
        Good {
            config: &[
                ("client_certificate_path", "{dir}/cert.pfx"),
                ("client_certificate_password", "pfx-pass"),
            ],
            env: &[TEN, APP],
            check: |m, _| assert!(matches!(m, AuthMethod::ClientCertificate(_))),
            describe: &["client certificate"],
        },
        Good {
            config: &[("use_oidc", "true"), ("oidc_token", "ext.jwt.sig")],
            env: &[
                TEN,
                APP,
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh.example/t"),
            ],
            check: |m, _| {
                assert!(
                    matches!(m, AuthMethod::Oidc(FederatedTokenSource::Token(t)) if t.expose() == "ext.jwt.sig")
                )
            },
            describe: &["OIDC token from a configured OIDC token"],
        },
        Good {
            config: &[],
            env: &[
                TEN,
                APP,
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_TOKEN_FILE_PATH", "{dir}/oidc.jwt"),
            ],
            check: |m, dir| {
                assert!(
                    matches!(m, AuthMethod::Oidc(FederatedTokenSource::File(p)) if *p == Path::new(dir).join("oidc.jwt"))
                )
            },
            describe: &["OIDC token from the OIDC token file"],
        },
        Good {
            config: &[("use_oidc", "true"), ("environment", "usgovernment")],
            env: &[
                TEN,
                APP,
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "https://gh.example/t?api-version=2.0",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
            ],
            check: |m, _| {
                assert!(
                    matches!(m, AuthMethod::Oidc(FederatedTokenSource::GitHubActions { audience, request_url, .. })
                    if audience == "api://AzureADTokenExchangeUSGov" && request_url == "https://gh.example/t?api-version=2.0")
                )
            },
            describe: &[
                "GitHub Actions token request URL https://gh.example/t ",
                "usgovernment cloud",
            ],
        },
        Good {
            config: &[
                ("use_oidc", "true"),
                ("oidc_request_url", "http://127.0.0.1:9/t"),
                ("oidc_request_token", "rt"),
            ],
            env: &[
                TEN,
                APP,
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh.example/t"),
            ],
            check: |m, _| {
                assert!(
                    matches!(m, AuthMethod::Oidc(FederatedTokenSource::GitHubActions { request_url, .. }) if request_url == "http://127.0.0.1:9/t")
                )
            },
            describe: &["127.0.0.1:9"],
        },
        Good {
            config: &[("use_oidc", "true"), ("environment", "china")],
            env: &[
                TEN,
                APP,
                ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "sc-1"),
                (
                    "SYSTEM_OIDCREQUESTURI",
                    "https://dev.azure.com/o/p/oidctoken",
                ),
                ("SYSTEM_ACCESSTOKEN", "ado-system-token"),
            ],
            check: |m, _| {
                assert!(
                    matches!(m, AuthMethod::Oidc(FederatedTokenSource::AzureDevOps { service_connection_id, request_url, .. })
                    if service_connection_id == "sc-1" && request_url == "https://dev.azure.com/o/p/oidctoken")
                )
            },
            describe: &["Azure DevOps service connection sc-1", "china cloud"],
        },
        Good {
            config: &[("use_msi", "true")],
            env: &[("ARM_CLIENT_SECRET", "")],
            check: |m, _| imds("default")(m, ""),
            describe: &["system-assigned managed identity via IMDS at http://169.254.169.254/"],
        },
        Good {
            config: &[
                ("use_msi", "true"),
                (
                    "msi_endpoint",
                    "http://169.254.169.254/metadata/identity/oauth2/token?x=1",
                ),
            ],
            env: &[APP],
            check: |m, _| imds("explicit")(m, ""),
            describe: &["user-assigned managed identity 22222222-2222-2222-2222-222222222222"],
        },
        Good {
            config: &[],
            env: &[
                ("ARM_USE_MSI", "1"),
                ("IDENTITY_ENDPOINT", "http://localhost:41741/msi/token"),
                ("IDENTITY_HEADER", "app-service-header"),
            ],
            check: |m, _| {
                assert!(
                    matches!(m, AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::AppService { url, header })
                    if url == "http://localhost:41741/msi/token" && header.expose() == "app-service-header")
                )
            },
            describe: &["App Service identity endpoint http://localhost:41741/msi/token"],
        },
        Good {
            config: &[],
            env: &[TEN, ("PATH", "/nonexistent:{dir}/bin")],
            check: |m, dir| {
                assert!(
                    matches!(m, AuthMethod::AzureCli(p) if *p == Path::new(dir).join("bin").join(AZ))
                )
            },
            describe: &["Azure CLI (", "in tenant 1111"],
        },
        Good {
            config: &[("use_cli", "true")],
            env: &[APP, ("PATH", "{dir}/bin")],
            check: |m, _| assert!(matches!(m, AuthMethod::AzureCli(_))),
            describe: &["in its default tenant"],
        },
    ];

    #[test]
    fn each_method_is_selected_explicitly() {
        let files = Files::new();
        let dir = files.dir.path().to_str().unwrap().to_owned();
        for (i, case) in GOOD.iter().enumerate() {
            let s = files
                .resolve(case.config, case.env)
                .unwrap_or_else(|e| panic!("case {i}: {e:#?}"));
            (case.check)(&s.method, &dir);
            let described = s.describe();
            for part in case.describe {
                assert!(
                    described.contains(part),
                    "case {i}: {part:?} not in {described:?}"
                );
            }
            let shown = format!("{described} {s:?}");
            for secret in [
                "env-secret",
                "file-secret",
                "pfx-pass",
                "ext.jwt.sig",
                "gh-request-token",
                "ado-system-token",
                "app-service-header",
                "PRIVATE KEY",
            ] {
                assert!(!shown.contains(secret), "case {i} shows {secret}: {shown}");
            }
            assert!(credential(&s, reqwest::Client::new()).is_ok());
        }
    }

    #[test]
    fn clouds_set_endpoints_and_overrides_win() {
        let files = Files::new();
        let secret = [TEN, APP, ("ARM_CLIENT_SECRET", "s")];
        let s = files.resolve(&[], &secret).unwrap();
        assert_eq!(
            (
                s.cloud,
                s.graph_endpoint.as_str(),
                s.login_endpoint.as_str()
            ),
            (
                Cloud::Global,
                DEFAULT_GRAPH_ENDPOINT,
                DEFAULT_LOGIN_ENDPOINT
            )
        );
        for (name, cloud, graph, login) in [
            (
                "public",
                Cloud::Global,
                "https://graph.microsoft.com",
                "https://login.microsoftonline.com",
            ),
            (
                "usgovernment",
                Cloud::UsGovernment,
                "https://graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            (
                "USGovernmentL5",
                Cloud::UsGovernmentDod,
                "https://dod-graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            (
                "china",
                Cloud::China,
                "https://microsoftgraph.chinacloudapi.cn",
                "https://login.partner.microsoftonline.cn",
            ),
        ] {
            let mut vars = secret.to_vec();
            vars.push(("ARM_ENVIRONMENT", name));
            let s = files.resolve(&[], &vars).unwrap();
            assert_eq!(
                (
                    s.cloud,
                    s.graph_endpoint.as_str(),
                    s.login_endpoint.as_str()
                ),
                (cloud, graph, login),
                "{name}"
            );
        }
        let s = files
            .resolve(
                &[
                    ("environment", "china"),
                    ("graph_endpoint", "http://127.0.0.1:8080/"),
                ],
                &[
                    TEN,
                    APP,
                    ("ARM_CLIENT_SECRET", "s"),
                    ("ENTRA_LOGIN_ENDPOINT", "https://login.example.com"),
                ],
            )
            .unwrap();
        assert_eq!(s.graph_endpoint, "http://127.0.0.1:8080");
        assert_eq!(s.login_endpoint, "https://login.example.com");
        assert_eq!(
            s.cloud.token_exchange_audience(),
            "api://AzureADTokenExchangeChina"
        );
    }

    #[test]
    fn block_values_win_over_environment() {
        let files = Files::new();
        let s = files
            .resolve(
                &[
                    ("tenant_id", TENANT),
                    ("client_id", "app"),
                    ("client_secret", "block"),
                ],
                &[
                    ("ARM_TENANT_ID", "other.example.com"),
                    ("ARM_CLIENT_SECRET", "env"),
                ],
            )
            .unwrap();
        assert_eq!(s.tenant_id.as_deref(), Some(TENANT));
        assert!(matches!(s.method, AuthMethod::ClientSecret(ref x) if x.expose() == "block"));
        // ARM_OIDC_REQUEST_URL wins over GitHub's variable.
        let s = files
            .resolve(
                &[("use_oidc", "true")],
                &[
                    TEN,
                    APP,
                    ("ARM_OIDC_REQUEST_URL", "https://a.example/t"),
                    ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://b.example/t"),
                    ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "x"),
                ],
            )
            .unwrap();
        assert!(
            matches!(s.method, AuthMethod::Oidc(FederatedTokenSource::GitHubActions { ref request_url, .. }) if request_url == "https://a.example/t")
        );
    }

    #[test]
    fn plain_http_is_only_accepted_on_loopback() {
        let files = Files::new();
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
            "https://graph.example.com",
        ] {
            assert!(
                files
                    .resolve(
                        &[],
                        &[
                            TEN,
                            APP,
                            ("ARM_CLIENT_SECRET", "s"),
                            ("ENTRA_GRAPH_ENDPOINT", ok)
                        ]
                    )
                    .is_ok(),
                "{ok}"
            );
        }
        for bad in ["http://169.254.169.254", "ftp://x"] {
            assert!(
                files
                    .resolve(
                        &[("login_endpoint", bad)],
                        &[TEN, APP, ("ARM_CLIENT_SECRET", "s")]
                    )
                    .is_err(),
                "{bad}"
            );
        }
    }
}
