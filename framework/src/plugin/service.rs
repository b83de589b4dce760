//! The tfplugin6 gRPC service: one thin method per RPC that decodes, calls the
//! framework server and encodes. User-facing problems travel as diagnostics.

use std::sync::Arc;
use std::time::Instant;

use tonic::{Request, Response, Status};

use super::convert::{attribute_path, decode, diagnostics, encode, schema};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use crate::server::ProviderServer;
use crate::{Diagnostics, Provider};

/// Serves one provider over tfplugin6.
pub struct ProviderService<P: Provider> {
    server: Arc<ProviderServer<P>>,
}

impl<P: Provider> ProviderService<P> {
    /// Wraps a framework server.
    pub fn new(server: Arc<ProviderServer<P>>) -> ProviderService<P> {
        ProviderService { server }
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
    }
}

fn log_rpc(rpc: &str, type_name: &str, started: Instant, diags: &[pb::Diagnostic]) {
    tracing::debug!(
        rpc,
        type_name,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        diagnostics = diags.len(),
        "handled RPC"
    );
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let schemas = self.server.schemas();
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: schemas
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            resources: schemas
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let schemas = self.server.schemas();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema(&schemas.provider)),
            resource_schemas: schemas
                .resources
                .iter()
                .map(|(k, s)| (k.clone(), schema(s)))
                .collect(),
            data_source_schemas: schemas
                .data_sources
                .iter()
                .map(|(k, s)| (k.clone(), schema(s)))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: Default::default(),
            ephemeral_resource_schemas: Default::default(),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        let diags = match decode(req.config, &self.server.provider_type()) {
            Ok(config) => self.server.validate_provider_config(&config).await,
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = match self.server.resource_type(&req.type_name) {
            Ok(ty) => match decode(req.config, &ty) {
                Ok(config) => {
                    self.server
                        .validate_resource_config(&req.type_name, &config)
                        .await
                }
                Err(d) => d,
            },
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = match self.server.data_source_type(&req.type_name) {
            Ok(ty) => match decode(req.config, &ty) {
                Ok(config) => {
                    self.server
                        .validate_data_source_config(&req.type_name, &config)
                        .await
                }
                Err(d) => d,
            },
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let raw = req.raw_state.unwrap_or_default();
        let result = if raw.json.is_empty() && !raw.flatmap.is_empty() {
            Err(crate::Diagnostic::error(
                "Unsupported state format",
                "This state was written by Terraform older than 0.12 (flatmap); it cannot be read.",
            )
            .into())
        } else {
            self.server
                .upgrade_resource_state(&req.type_name, req.version, &raw.json)
                .and_then(|v| encode(&v, &self.server.resource_type(&req.type_name)?))
        };
        let (upgraded_state, diags) = match result {
            Ok(dv) => (Some(dv), Diagnostics::new()),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diagnostics(diags),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        tracing::info!(tf_version = %req.terraform_version, "configuring provider");
        let diags = match decode(req.config, &self.server.provider_type()) {
            Ok(config) => self.server.configure(req.terraform_version, config).await,
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let started = Instant::now();
        let req = request.into_inner();
        let ty = match self.server.resource_type(&req.type_name) {
            Ok(ty) => ty,
            Err(d) => return Ok(Response::new(read_error(req.current_state, req.private, d))),
        };
        let state = match decode(req.current_state.clone(), &ty) {
            Ok(v) => v,
            Err(d) => return Ok(Response::new(read_error(req.current_state, req.private, d))),
        };
        let touched = crate::private::last_touch(&req.private);
        let out = self
            .server
            .read_resource(&req.type_name, state, touched)
            .await;
        let mut diags = out.diagnostics;
        let new_state = match encode(&out.value, &ty) {
            Ok(dv) => Some(dv),
            Err(d) => {
                diags.extend(d);
                req.current_state
            }
        };
        let diagnostics = diagnostics(diags);
        log_rpc("ReadResource", &req.type_name, started, &diagnostics);
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics,
            private: req.private,
            deferred: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let started = Instant::now();
        let req = request.into_inner();
        let decoded = self.server.resource_type(&req.type_name).and_then(|ty| {
            Ok((
                decode(req.prior_state, &ty)?,
                decode(req.proposed_new_state, &ty)?,
                decode(req.config, &ty)?,
                ty,
            ))
        });
        let (prior, proposed, config, ty) = match decoded {
            Ok(parts) => parts,
            Err(d) => {
                return Ok(Response::new(pb::plan_resource_change::Response {
                    diagnostics: diagnostics(d),
                    ..Default::default()
                }));
            }
        };
        let out = self
            .server
            .plan_resource_change(&req.type_name, prior, proposed, config)
            .await;
        let mut diags = out.diagnostics;
        let planned_state = match encode(&out.planned, &ty) {
            Ok(dv) => Some(dv),
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        let diagnostics = diagnostics(diags);
        log_rpc("PlanResourceChange", &req.type_name, started, &diagnostics);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace: out.requires_replace.iter().map(attribute_path).collect(),
            planned_private: req.prior_private,
            diagnostics,
            legacy_type_system: false,
            deferred: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let started = Instant::now();
        let req = request.into_inner();
        let decoded = self.server.resource_type(&req.type_name).and_then(|ty| {
            Ok((
                decode(req.prior_state.clone(), &ty)?,
                decode(req.planned_state, &ty)?,
                decode(req.config, &ty)?,
                ty,
            ))
        });
        let (prior, planned, config, ty) = match decoded {
            Ok(parts) => parts,
            Err(d) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: req.prior_state,
                    diagnostics: diagnostics(d),
                    ..Default::default()
                }));
            }
        };
        let out = self
            .server
            .apply_resource_change(
                &req.type_name,
                prior,
                planned,
                config,
                crate::private::last_touch(&req.planned_private),
            )
            .await;
        // Remember when this provider last changed the object (see framework::private).
        let private = if out.value.is_null() {
            req.planned_private
        } else {
            crate::private::changed_now()
        };
        let mut diags = out.diagnostics;
        let new_state = match encode(&out.value, &ty) {
            Ok(dv) => Some(dv),
            Err(d) => {
                diags.extend(d);
                req.prior_state
            }
        };
        let diagnostics = diagnostics(diags);
        log_rpc("ApplyResourceChange", &req.type_name, started, &diagnostics);
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private,
            diagnostics,
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = self.server.resource_type(&req.type_name)?;
            let state = self
                .server
                .import_resource_state(&req.type_name, &req.id)
                .await?;
            encode(&state, &ty)
        }
        .await;
        let (imported_resources, diags) = match result {
            Ok(state) => (
                vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    private: crate::private::imported_now(),
                }],
                Diagnostics::new(),
            ),
            Err(d) => (Vec::new(), d),
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diagnostics(diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let started = Instant::now();
        let req = request.into_inner();
        let result = async {
            let raw = req.source_state.unwrap_or_default();
            let state: serde_json::Value = serde_json::from_slice(&raw.json).map_err(|e| {
                Diagnostics::from(crate::Diagnostic::error(
                    "Reading the moved state",
                    format!(
                        "The state of the {} being moved is not JSON: {e}",
                        req.source_type_name
                    ),
                ))
            })?;
            let from = crate::resource::MoveSource {
                provider: req.source_provider_address.clone(),
                type_name: req.source_type_name.clone(),
                schema_version: req.source_schema_version,
                state,
            };
            let ty = self.server.resource_type(&req.target_type_name)?;
            let moved = self
                .server
                .move_resource_state(&req.target_type_name, &from)
                .await?;
            encode(&moved, &ty)
        }
        .await;
        let (target_state, diags) = match result {
            Ok(state) => (Some(state), Diagnostics::new()),
            Err(d) => (None, d),
        };
        let diagnostics = diagnostics(diags);
        log_rpc(
            "MoveResourceState",
            &req.target_type_name,
            started,
            &diagnostics,
        );
        Ok(Response::new(pb::move_resource_state::Response {
            target_state,
            diagnostics,
            target_private: crate::private::imported_now(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let started = Instant::now();
        let req = request.into_inner();
        let result = async {
            let ty = self.server.data_source_type(&req.type_name)?;
            let config = decode(req.config, &ty)?;
            let out = self.server.read_data_source(&req.type_name, config).await;
            let state = encode(&out.value, &ty)?;
            Ok::<_, Diagnostics>((state, out.diagnostics))
        }
        .await;
        let (state, diags) = match result {
            Ok((state, diags)) => (Some(state), diags),
            Err(d) => (None, d),
        };
        let diagnostics = diagnostics(diags);
        log_rpc("ReadDataSource", &req.type_name, started, &diagnostics);
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics,
            deferred: None,
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider: cancelling in-flight work");
        self.server.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

fn read_error(
    current: Option<pb::DynamicValue>,
    private: Vec<u8>,
    diags: Diagnostics,
) -> pb::read_resource::Response {
    pb::read_resource::Response {
        new_state: current,
        diagnostics: diagnostics(diags),
        private,
        deferred: None,
    }
}
