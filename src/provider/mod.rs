//! The `entra` provider: its configuration block and the types it serves.

pub mod config;

use std::sync::Arc;

use async_trait::async_trait;

use crate::framework::{
    Attribute, Block, ConfigureRequest, DataSource, Diagnostic, Diagnostics, Provider, Resource, Schema,
};
use crate::graph::auth::ClientSecretCredential;
use crate::graph::{GraphClient, GraphClientOptions};
use config::{Env, ProcessEnv};

/// The provider's source address on the registry.
pub const ADDRESS: &str = "registry.terraform.io/entra-au/entra";
/// The provider's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What every resource call receives once the provider is configured.
#[derive(Debug)]
pub struct EntraClient {
    /// The Graph client.
    pub graph: GraphClient,
}

/// The Microsoft Entra administrative units provider.
pub struct EntraProvider {
    env: Box<dyn Env + Send + Sync>,
}

impl Default for EntraProvider {
    fn default() -> Self {
        EntraProvider::new()
    }
}

impl EntraProvider {
    /// A provider reading the process environment.
    pub fn new() -> EntraProvider {
        EntraProvider { env: Box::new(ProcessEnv) }
    }

    /// A provider reading `env` instead of the process environment (tests).
    pub fn with_env(env: Box<dyn Env + Send + Sync>) -> EntraProvider {
        EntraProvider { env }
    }
}

#[async_trait]
impl Provider for EntraProvider {
    type Data = EntraClient;

    fn type_name(&self) -> &'static str {
        "entra"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Manages Microsoft Entra ID administrative units through Microsoft Graph.")
                .attribute(Attribute::string("tenant_id").describe(
                    "The directory (tenant) ID or a verified domain of the tenant. Can also be set with the \
                     `ARM_TENANT_ID` environment variable.",
                ))
                .attribute(Attribute::string("client_id").describe(
                    "The application (client) ID of the app registration to authenticate as. Can also be set \
                     with the `ARM_CLIENT_ID` environment variable.",
                ))
                .attribute(Attribute::string("client_secret").sensitive().describe(
                    "A client secret of the app registration. Can also be set with the `ARM_CLIENT_SECRET` \
                     environment variable.",
                ))
                .attribute(Attribute::string("graph_endpoint").describe(
                    "Overrides the Microsoft Graph endpoint (default `https://graph.microsoft.com`), e.g. to use \
                     the entra-emulator. Plain `http://` is accepted only for loopback hosts. Can also be set \
                     with the `ENTRA_GRAPH_ENDPOINT` environment variable.",
                ))
                .attribute(Attribute::string("login_endpoint").describe(
                    "Overrides the Microsoft Entra login endpoint (default `https://login.microsoftonline.com`). \
                     Plain `http://` is accepted only for loopback hosts. Can also be set with the \
                     `ENTRA_LOGIN_ENDPOINT` environment variable.",
                )),
        )
    }

    async fn configure(&self, req: ConfigureRequest) -> Result<EntraClient, Diagnostics> {
        let settings = config::resolve(&req.config, self.env.as_ref())?;
        let user_agent = format!(
            "terraform-provider-entra/{VERSION} (+https://registry.terraform.io/providers/entra-au/entra) Terraform/{}",
            req.terraform_version
        );
        let http = GraphClient::http_client(&user_agent)
            .map_err(|e| Diagnostics::from(Diagnostic::error("Configuring the HTTP client", e.to_string())))?;
        let credential = ClientSecretCredential::new(
            http.clone(),
            &settings.login_endpoint,
            &settings.tenant_id,
            &settings.client_id,
            settings.client_secret.clone(),
        );
        tracing::info!(
            tenant_id = %settings.tenant_id,
            client_id = %settings.client_id,
            graph_endpoint = %settings.graph_endpoint,
            auth = "client_secret",
            "provider configured"
        );
        let options = GraphClientOptions {
            graph_endpoint: settings.graph_endpoint,
            user_agent,
        };
        Ok(EntraClient {
            graph: GraphClient::new(http, &options, Arc::new(credential)),
        })
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<EntraClient>>> {
        crate::resources::all()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<EntraClient>>> {
        Vec::new()
    }
}
