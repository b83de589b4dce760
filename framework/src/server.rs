//! The protocol-agnostic provider server: dispatches each RPC to the right resource,
//! runs the plan pipeline and keeps the state rules Terraform checks.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use tokio_util::sync::CancellationToken;

use super::diag::{Diagnostic, Diagnostics};
use super::erased::{DynDataSource, DynResource, PlanValues};
use super::plan::plan_change;
use super::private::LastTouch;
use super::provider::{ConfigureRequest, Provider};
use super::resource::{Ctx, Done};
use super::schema::Schema;
use super::types::Type;
use super::value::{AttributePath, Value};

struct Registered<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
}

/// Everything Terraform learns from GetProviderSchema.
#[derive(Debug, Clone)]
pub struct Schemas {
    /// The provider block.
    pub provider: Schema,
    /// Managed resource types by name.
    pub resources: BTreeMap<String, Schema>,
    /// Data source types by name.
    pub data_sources: BTreeMap<String, Schema>,
}

/// The result of planning one resource change.
#[derive(Debug, Clone)]
pub struct PlanResult {
    /// The planned state (null for destroy).
    pub planned: Value,
    /// Paths whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Problems found while planning.
    pub diagnostics: Diagnostics,
}

/// A value together with the diagnostics produced while computing it.
#[derive(Debug, Clone)]
pub struct WithDiags<T> {
    /// The value (the best known state on error).
    pub value: T,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// Serves one provider's resources and data sources.
pub struct ProviderServer<P: Provider> {
    provider: P,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, Registered<dyn DynResource<P::Data>>>,
    data_sources: BTreeMap<&'static str, Registered<dyn DynDataSource<P::Data>>>,
    data: RwLock<Option<Arc<P::Data>>>,
    stop: RwLock<CancellationToken>,
    in_flight: Arc<AtomicUsize>,
    /// Terraform is running a destroy: the plan before it must not fail on checks of
    /// resources that will never be created.
    destroying: bool,
}

/// Counts an operation as in flight while it lives.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(counter: &Arc<AtomicUsize>) -> InFlight {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<P: Provider> ProviderServer<P> {
    /// Registers the provider's types and checks every schema the way Terraform will.
    pub fn new(provider: P) -> Result<ProviderServer<P>, String> {
        let provider_schema = provider.schema();
        provider_schema.block.check("provider")?;
        let prefix = format!("{}_", provider.type_name());
        let mut resources = BTreeMap::new();
        for imp in provider.resources() {
            let name = imp.type_name();
            let schema = imp.schema();
            schema.block.check(name)?;
            if !name.starts_with(&prefix) {
                return Err(format!("resource {name} must start with {prefix}"));
            }
            let ty = schema.ty();
            resources.insert(name, Registered { imp, schema, ty });
        }
        let mut data_sources = BTreeMap::new();
        for imp in provider.data_sources() {
            let name = imp.type_name();
            let schema = imp.schema();
            schema.block.check(name)?;
            let ty = schema.ty();
            data_sources.insert(name, Registered { imp, schema, ty });
        }
        Ok(ProviderServer {
            provider,
            provider_schema,
            resources,
            data_sources,
            data: RwLock::new(None),
            stop: RwLock::new(CancellationToken::new()),
            in_flight: Arc::new(AtomicUsize::new(0)),
            destroying: false,
        })
    }

    /// Serves a Terraform destroy run: Terraform plans the configuration normally
    /// before a destroy and fails the destroy on any plan error, so problems found
    /// while planning resources that would be created become warnings.
    pub fn destroying(mut self, destroying: bool) -> ProviderServer<P> {
        self.destroying = destroying;
        self
    }

    /// All schemas.
    pub fn schemas(&self) -> Schemas {
        Schemas {
            provider: self.provider_schema.clone(),
            resources: self
                .resources
                .iter()
                .map(|(k, r)| ((*k).to_owned(), r.schema.clone()))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(k, r)| ((*k).to_owned(), r.schema.clone()))
                .collect(),
        }
    }

    /// The provider block's value type.
    pub fn provider_type(&self) -> Type {
        self.provider_schema.ty()
    }

    /// The value type of resource `name`.
    pub fn resource_type(&self, name: &str) -> Result<Type, Diagnostics> {
        self.resource(name).map(|r| r.ty.clone())
    }

    /// The value type of data source `name`.
    pub fn data_source_type(&self, name: &str) -> Result<Type, Diagnostics> {
        self.data_source(name).map(|r| r.ty.clone())
    }

    fn resource(&self, name: &str) -> Result<&Registered<dyn DynResource<P::Data>>, Diagnostics> {
        self.resources
            .get(name)
            .ok_or_else(|| unknown_type("resource", name))
    }

    fn data_source(
        &self,
        name: &str,
    ) -> Result<&Registered<dyn DynDataSource<P::Data>>, Diagnostics> {
        self.data_sources
            .get(name)
            .ok_or_else(|| unknown_type("data source", name))
    }

    /// The configured provider data, if any.
    fn configured(&self) -> Option<Arc<P::Data>> {
        self.data
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The context of one operation, counted as in flight until the guard drops.
    fn ctx(&self) -> (Ctx<P::Data>, InFlight) {
        let data = self.configured();
        let cancel = self
            .stop
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let guard = InFlight::enter(&self.in_flight);
        (Ctx::new(data, cancel, self.in_flight.clone()), guard)
    }

    /// Cancels in-flight work (StopProvider). The server keeps serving; later calls
    /// get a fresh token.
    pub fn stop(&self) {
        let mut guard = self.stop.write().unwrap_or_else(PoisonError::into_inner);
        guard.cancel();
        *guard = CancellationToken::new();
    }

    /// Cancels in-flight work and every later call (the process is terminating): the
    /// server keeps answering, so Terraform records what happened, but starts nothing.
    pub fn terminate(&self) {
        self.stop
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .cancel();
    }

    /// ValidateProviderConfig.
    pub async fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        self.provider_schema
            .block
            .validate_config(config, &AttributePath::default(), &mut diags);
        diags.extend(self.provider.validate(config).await);
        diags
    }

    /// ConfigureProvider. An unknown configuration (during plan) leaves the provider unconfigured.
    pub async fn configure(&self, terraform_version: String, config: Value) -> Diagnostics {
        if !config.is_wholly_known() {
            tracing::debug!(
                "provider configuration not yet known; staying unconfigured for this plan"
            );
            return Diagnostics::new();
        }
        let req = ConfigureRequest {
            terraform_version,
            config,
        };
        match self.provider.configure(req).await {
            Ok(data) => {
                *self.data.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(data));
                Diagnostics::new()
            }
            Err(diags) => diags,
        }
    }

    /// ValidateResourceConfig.
    pub async fn validate_resource_config(&self, name: &str, config: &Value) -> Diagnostics {
        let r = match self.resource(name) {
            Ok(r) => r,
            Err(d) => return d,
        };
        let mut diags = Diagnostics::new();
        r.schema
            .block
            .validate_config(config, &AttributePath::default(), &mut diags);
        diags.extend(r.imp.validate(config).await);
        diags
    }

    /// ValidateDataResourceConfig.
    pub async fn validate_data_source_config(&self, name: &str, config: &Value) -> Diagnostics {
        let d = match self.data_source(name) {
            Ok(d) => d,
            Err(diags) => return diags,
        };
        let mut diags = Diagnostics::new();
        d.schema
            .block
            .validate_config(config, &AttributePath::default(), &mut diags);
        diags.extend(d.imp.validate(config).await);
        diags
    }

    /// UpgradeResourceState from the state file's JSON.
    pub fn upgrade_resource_state(
        &self,
        name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let r = self.resource(name)?;
        if version > r.schema.version {
            return Err(Diagnostic::error(
                "Unsupported state version",
                format!(
                    "The state of this {name} was written by a newer provider (schema version \
                     {version}, this provider knows {}). Upgrade the provider.",
                    r.schema.version
                ),
            )
            .into());
        }
        let json: serde_json::Value = serde_json::from_slice(raw_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error("Reading stored state", e.to_string()))
        })?;
        super::codec::decode_json(&json, &r.ty).map_err(|e| {
            Diagnostic::error(
                "Reading stored state",
                format!("The stored state of this {name} does not match its schema: {e}"),
            )
            .into()
        })
    }

    /// ReadResource: returns null when the object is gone; keeps the state on error.
    /// Within the provider's consistency window after this provider changed the
    /// object, a read that differs from the state is repeated until it agrees or the
    /// difference has lasted the provider's patience; after an import (the state came
    /// from a read), only a read that finds nothing is repeated.
    pub async fn read_resource(
        &self,
        name: &str,
        state: Value,
        touched: Option<LastTouch>,
    ) -> WithDiags<Value> {
        let r = match self.resource(name) {
            Ok(r) => r,
            Err(diagnostics) => {
                return WithDiags {
                    value: state,
                    diagnostics,
                };
            }
        };
        if state.is_null() {
            return WithDiags {
                value: state,
                diagnostics: Diagnostics::new(),
            };
        }
        let (ctx, _in_flight) = self.ctx();
        let read = || async {
            tokio::select! {
                out = r.imp.read(&ctx, &state) => out,
                () = ctx.cancel.cancelled() => Err(cancelled()),
            }
        };
        let mut outcome = read().await;
        let settling = self.provider.read_consistency().filter(|c| match touched {
            Some(LastTouch::Changed(age) | LastTouch::Imported(age)) => age < c.window,
            None => false,
        });
        let unsettled = |outcome: &Result<Done<Value>, Diagnostics>| match (outcome, touched) {
            (Ok(read), _) if read.value.is_null() => true,
            (Ok(read), Some(LastTouch::Changed(_))) => read.value != state,
            _ => false,
        };
        if let Some(consistency) = settling {
            let until = tokio::time::Instant::now() + consistency.patience;
            let mut attempt = 0u32;
            while unsettled(&outcome) && tokio::time::Instant::now() < until {
                attempt += 1;
                if attempt == 1 {
                    tracing::info!(
                        resource = name,
                        "the object reads differently than this provider left it moments ago; \
                         re-reading in case a replica has not caught up"
                    );
                }
                let pause = std::time::Duration::from_millis(250 * u64::from(attempt.min(8)));
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    () = ctx.cancel.cancelled() => break,
                }
                outcome = read().await;
            }
        }
        match outcome {
            Ok(done) if done.value.is_null() => WithDiags {
                value: Value::Null,
                diagnostics: done.warnings,
            },
            Ok(done) => checked_state(done, state),
            Err(diagnostics) => WithDiags {
                value: state,
                diagnostics,
            },
        }
    }

    /// PlanResourceChange.
    pub async fn plan_resource_change(
        &self,
        name: &str,
        prior: Value,
        proposed: Value,
        config: Value,
    ) -> PlanResult {
        let r = match self.resource(name) {
            Ok(r) => r,
            Err(diagnostics) => {
                return PlanResult {
                    planned: proposed,
                    requires_replace: Vec::new(),
                    diagnostics,
                };
            }
        };
        let change = plan_change(&r.schema.block, &prior, &proposed, &config);
        if change.planned.is_null() {
            return PlanResult {
                planned: Value::Null,
                requires_replace: Vec::new(),
                diagnostics: Diagnostics::new(),
            };
        }
        let mut req = PlanValues {
            config,
            prior,
            planned: change.planned,
            requires_replace: change.requires_replace,
        };
        let (ctx, _in_flight) = self.ctx();
        let mut diagnostics = tokio::select! {
            d = r.imp.modify_plan(&ctx, &mut req) => d,
            () = ctx.cancel.cancelled() => cancelled(),
        };
        // A plan whose checks were cut short must not pass for a checked one.
        if ctx.cancel.is_cancelled() && !diagnostics.has_error() {
            diagnostics.extend(cancelled());
        }
        if self.destroying && req.prior.is_null() {
            diagnostics = diagnostics.into_warnings(
                "Terraform is destroying, so this resource will not be created; this problem is reported as a warning.",
            );
        }
        req.requires_replace.sort();
        req.requires_replace.dedup();
        PlanResult {
            planned: req.planned,
            requires_replace: req.requires_replace,
            diagnostics,
        }
    }

    /// ApplyResourceChange: create, update or delete. Mutations are not aborted
    /// half-way on StopProvider (that could orphan objects); their retries stop instead.
    pub async fn apply_resource_change(
        &self,
        name: &str,
        prior: Value,
        planned: Value,
        config: Value,
        touched: Option<LastTouch>,
    ) -> WithDiags<Value> {
        let mut applied = self
            .apply_change(name, prior, planned, config, touched)
            .await;
        if let Some(data) = self.configured() {
            applied.diagnostics.extend(self.provider.after_apply(&data));
        }
        applied
    }

    async fn apply_change(
        &self,
        name: &str,
        prior: Value,
        planned: Value,
        config: Value,
        touched: Option<LastTouch>,
    ) -> WithDiags<Value> {
        let r = match self.resource(name) {
            Ok(r) => r,
            Err(diagnostics) => {
                return WithDiags {
                    value: prior,
                    diagnostics,
                };
            }
        };
        let (ctx, _in_flight) = self.ctx();
        if planned.is_null() {
            return match r.imp.delete(&ctx, prior.clone(), touched).await {
                Ok(warnings) => WithDiags {
                    value: Value::Null,
                    diagnostics: warnings,
                },
                Err(diagnostics) => WithDiags {
                    value: prior,
                    diagnostics,
                },
            };
        }
        if prior.is_null() {
            return match r.imp.create(&ctx, config, planned).await {
                Ok(done) => checked_state(done, Value::Null),
                Err((partial, diagnostics)) => WithDiags {
                    value: partial,
                    diagnostics,
                },
            };
        }
        match r
            .imp
            .update(&ctx, config, planned, prior.clone(), touched)
            .await
        {
            Ok(done) => checked_state(done, prior),
            Err((left, diagnostics)) => WithDiags {
                value: left,
                diagnostics,
            },
        }
    }

    /// ImportResourceState: the resource turns the id into a partial state.
    pub async fn import_resource_state(&self, name: &str, id: &str) -> Result<Value, Diagnostics> {
        let r = self.resource(name)?;
        let (ctx, _in_flight) = self.ctx();
        tokio::select! {
            out = r.imp.import(&ctx, id) => out,
            () = ctx.cancel.cancelled() => Err(cancelled()),
        }
    }

    /// MoveResourceState: a state of resource `name` for an object of another type.
    pub async fn move_resource_state(
        &self,
        name: &str,
        from: &crate::resource::MoveSource,
    ) -> Result<Value, Diagnostics> {
        let r = self.resource(name)?;
        let (ctx, _in_flight) = self.ctx();
        tokio::select! {
            out = r.imp.move_state(&ctx, from) => out,
            () = ctx.cancel.cancelled() => Err(cancelled()),
        }
    }

    /// ReadDataSource.
    pub async fn read_data_source(&self, name: &str, config: Value) -> WithDiags<Value> {
        let d = match self.data_source(name) {
            Ok(d) => d,
            Err(diagnostics) => {
                return WithDiags {
                    value: Value::Null,
                    diagnostics,
                };
            }
        };
        let (ctx, _in_flight) = self.ctx();
        let outcome = tokio::select! {
            out = d.imp.read(&ctx, config) => out,
            () = ctx.cancel.cancelled() => Err(cancelled()),
        };
        match outcome {
            Ok(done) => checked_state(done, Value::Null),
            Err(diagnostics) => WithDiags {
                value: Value::Null,
                diagnostics,
            },
        }
    }
}

/// A returned state must be wholly known; otherwise it is a provider bug, reported
/// as such while the fallback state is kept. Warnings come along.
fn checked_state(done: Done<Value>, fallback: Value) -> WithDiags<Value> {
    let Done {
        value,
        mut warnings,
    } = done;
    if value.is_wholly_known() {
        WithDiags {
            value,
            diagnostics: warnings,
        }
    } else {
        warnings.push(Diagnostic::error(
            "Provider returned unknown values",
            "This is a bug in the provider: a state it returned still contains values known \
             only after apply. Please report it.",
        ));
        WithDiags {
            value: fallback,
            diagnostics: warnings,
        }
    }
}

fn cancelled() -> Diagnostics {
    Diagnostic::error(
        "Operation cancelled",
        "Terraform asked the provider to stop (interrupt); the operation was abandoned.",
    )
    .into()
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider has no {kind} type named {name:?}."),
    )
    .into()
}
