//! The `entra` provider: its configuration block and the types it serves.

pub mod config;
mod credential_check;

use std::sync::Arc;

use async_trait::async_trait;

use provider_framework::plugin::serve::Identity;
use provider_framework::{
    Block, ConfigureRequest, Diagnostic, Diagnostics, DynDataSource, DynResource, Provider,
    ReadConsistency, Schema, Value,
};

use crate::client::EntraClient;
use crate::graph::{GraphClient, GraphClientOptions};
use config::{Env, ProcessEnv};

/// The provider's source address on the registry.
pub const ADDRESS: &str = "registry.terraform.io/entra-au/entra";
/// The provider's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Who this provider is, for the plugin process and its logs.
pub const IDENTITY: Identity = Identity {
    binary: "terraform-provider-entra",
    address: ADDRESS,
    version: VERSION,
    module: "entra",
    log_targets: &["terraform_provider_entra"],
};

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
        EntraProvider {
            env: Box::new(ProcessEnv),
        }
    }

    /// A provider reading `env` instead of the process environment (tests).
    pub fn with_env(env: Box<dyn Env + Send + Sync>) -> EntraProvider {
        EntraProvider { env }
    }
}

/// A Graph client for the provider block `config` (null attributes come from `env`),
/// with the credentials proven by one token request.
pub async fn connect(
    config: &Value,
    env: &(dyn Env + Send + Sync),
    user_agent: String,
) -> Result<GraphClient, Diagnostics> {
    let settings = config::resolve(config, env)?;
    let http = GraphClient::http_client(&user_agent).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Configuring the HTTP client",
            e.to_string(),
        ))
    })?;
    let credential = config::credential(&settings, http.clone())?;
    let coalesce = !matches!(
        env.var("ENTRA_COALESCE")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("off" | "false" | "0" | "no")
    );
    tracing::info!(
        graph_endpoint = %settings.graph_endpoint,
        auth = %settings.describe(),
        coalesce,
        "provider configured"
    );
    let options = GraphClientOptions {
        graph_endpoint: settings.graph_endpoint.clone(),
        user_agent,
        coalesce,
    };
    let graph = GraphClient::new(http, &options, credential);
    // One token now proves the credentials (and serves the run).
    if let Err(e) = graph.authenticate().await {
        return Err(credential_check::explain(&settings, &e.to_string()));
    }
    Ok(graph)
}

/// A provider block with every argument unset: everything from the environment.
pub fn unset_config() -> Value {
    Value::object(
        config::schema_attributes()
            .iter()
            .map(|a| (a.name, Value::Null)),
    )
}

#[async_trait]
impl Provider for EntraProvider {
    type Data = EntraClient;

    fn type_name(&self) -> &'static str {
        "entra"
    }

    fn schema(&self) -> Schema {
        let mut block =
            Block::new("Manages Microsoft Entra ID administrative units through Microsoft Graph.");
        block.attributes = config::schema_attributes();
        Schema::new(block)
    }

    async fn configure(&self, req: ConfigureRequest) -> Result<EntraClient, Diagnostics> {
        let user_agent = format!(
            "terraform-provider-entra/{VERSION} (+https://registry.terraform.io/providers/entra-au/entra) Terraform/{}",
            req.terraform_version
        );
        let graph = connect(&req.config, self.env.as_ref(), user_agent).await?;
        Ok(EntraClient::new(graph))
    }

    fn resources(&self) -> Vec<Arc<dyn DynResource<EntraClient>>> {
        crate::resources::all()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DynDataSource<EntraClient>>> {
        crate::data_sources::all()
    }

    /// Once throttling and replication waits have cost more than a few seconds, the
    /// apply says so in one warning (another after each further half minute of it).
    fn after_apply(&self, _data: &EntraClient) -> Diagnostics {
        let first = std::time::Duration::from_secs(5);
        let next = std::time::Duration::from_secs(30);
        crate::graph::waits::report(first, next)
            .map(|report| slow_apply_warning(&report).into())
            .unwrap_or_default()
    }

    /// Entra replicates every change with a delay, and any read may meet a replica
    /// that has not seen it yet (Microsoft's eventual-consistency guidance).
    fn read_consistency(&self) -> Option<ReadConsistency> {
        Some(ReadConsistency {
            window: crate::graph::consistency::REPLICATION_WINDOW,
            patience: crate::graph::consistency::GONE_AFTER,
        })
    }
}

/// Why this apply was slow, in numbers.
fn slow_apply_warning(report: &crate::graph::waits::WaitReport) -> provider_framework::Diagnostic {
    provider_framework::Diagnostic::warning(
        "Graph throttling and replication slowed this apply",
        format!(
            "So far in this run Graph throttled {} request(s), and for {:.1} s of wall time the \
             provider was waiting: for Graph's Retry-After, for retries of transient errors, or for \
             Entra to replicate changes. Nothing failed because of it. Large changes are sent in \
             $batch requests; if throttling persists, lower -parallelism or spread the changes over \
             several applies.",
            report.throttled,
            report.waited.as_secs_f64()
        ),
    )
}
