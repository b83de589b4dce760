//! The traits a provider, its resources and its data sources implement. A resource
//! or data source declares one model struct for its attributes (see [`crate::model`]);
//! each method takes a request struct of models and returns a `Result`, warnings
//! riding along with success in [`Done`]. The framework does the protocol work.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::diag::{Diagnostic, Diagnostics};
use super::private::LastTouch;
use super::schema::Schema;
use super::value::AttributePath;

/// What every call gets: the configured provider data, the stop signal, and how
/// many operations are in flight.
#[derive(Debug)]
pub struct Ctx<D> {
    data: Option<Arc<D>>,
    /// Cancelled when Terraform calls StopProvider (Ctrl-C): retries and waits stop.
    pub cancel: CancellationToken,
    /// Resource and data source operations running now, this one included. Lets
    /// request batching know when nobody else can join a batch.
    pub in_flight: Arc<AtomicUsize>,
}

impl<D> Ctx<D> {
    /// A context with optional provider data.
    pub fn new(
        data: Option<Arc<D>>,
        cancel: CancellationToken,
        in_flight: Arc<AtomicUsize>,
    ) -> Ctx<D> {
        Ctx {
            data,
            cancel,
            in_flight,
        }
    }

    /// The configured provider data, or an error saying the provider is not configured
    /// (its configuration may still be unknown during plan).
    pub fn data(&self) -> Result<&D, Diagnostics> {
        self.data.as_deref().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The provider has no usable configuration yet. If the provider block refers \
                 to values known only after apply, apply those first.",
            )
            .into()
        })
    }

    /// Whether provider data is available.
    pub fn is_configured(&self) -> bool {
        self.data.is_some()
    }
}

/// What a model is: a serde struct whose fields are the attributes and blocks.
pub trait Model: Serialize + DeserializeOwned + Default + Clone + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Default + Clone + Send + Sync + 'static> Model for T {}

/// A successful result and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Done<T> {
    /// The result.
    pub value: T,
    /// Warnings to show with it.
    pub warnings: Diagnostics,
}

impl<T> Done<T> {
    /// A result with warnings.
    pub fn with_warnings(value: T, warnings: Diagnostics) -> Done<T> {
        Done { value, warnings }
    }
}

impl<T> From<T> for Done<T> {
    fn from(value: T) -> Self {
        Done {
            value,
            warnings: Diagnostics::new(),
        }
    }
}

/// A create or update that failed: the state of what it left, if it changed
/// anything, and why it failed.
#[derive(Debug, Clone)]
pub struct Failed<M> {
    /// The state of what the change left before it failed: on create, what it made
    /// (Terraform taints it); on update, the object as it is now (else the prior
    /// state is kept).
    pub partial: Option<M>,
    /// The error.
    pub diagnostics: Diagnostics,
}

impl<M> Failed<M> {
    /// A failure that left `partial` behind.
    pub fn leaving(partial: M, diagnostics: Diagnostics) -> Failed<M> {
        Failed {
            partial: Some(partial),
            diagnostics,
        }
    }
}

impl<M> From<Diagnostics> for Failed<M> {
    fn from(diagnostics: Diagnostics) -> Self {
        Failed {
            partial: None,
            diagnostics,
        }
    }
}

impl<M> From<Diagnostic> for Failed<M> {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics::from(diagnostic).into()
    }
}

/// The object a `moved` block brings from another resource type.
#[derive(Debug, Clone)]
pub struct MoveSource {
    /// The source provider, e.g. `registry.terraform.io/hashicorp/azuread`.
    pub provider: String,
    /// The source resource type, e.g. `azuread_administrative_unit`.
    pub type_name: String,
    /// The source schema version the state was written with.
    pub schema_version: i64,
    /// The source state as JSON.
    pub state: serde_json::Value,
}

impl MoveSource {
    /// Whether the source is `type_name` of the provider `namespace/name` (any
    /// registry host).
    pub fn is(&self, namespace_and_name: &str, type_name: &str) -> bool {
        self.type_name == type_name
            && self
                .provider
                .to_ascii_lowercase()
                .ends_with(&format!("/{}", namespace_and_name.to_ascii_lowercase()))
    }

    /// A string attribute of the source state.
    pub fn string(&self, name: &str) -> Option<&str> {
        self.state.get(name)?.as_str()
    }
}

/// Input to [`Resource::modify_plan`]: the framework's plan, for the resource to adjust.
#[derive(Debug, Clone)]
pub struct ModifyPlanRequest<M> {
    /// The configuration.
    pub config: M,
    /// The prior state; `None` on create.
    pub prior: Option<M>,
    /// The planned state so far; the resource may change computed values.
    pub planned: M,
    /// Attributes forcing replacement; the resource may add more.
    pub requires_replace: Vec<AttributePath>,
}

/// Input to [`Resource::create`].
#[derive(Debug, Clone)]
pub struct CreateRequest<M> {
    /// The configuration, fully known.
    pub config: M,
    /// The planned state, with unknown computed values to fill in.
    pub planned: M,
}

/// Input to [`Resource::read`].
#[derive(Debug, Clone)]
pub struct ReadRequest<M> {
    /// The state as Terraform last saved it.
    pub state: M,
}

/// Input to [`Resource::update`].
#[derive(Debug, Clone)]
pub struct UpdateRequest<M> {
    /// The configuration, fully known.
    pub config: M,
    /// The planned state.
    pub planned: M,
    /// The state before the change.
    pub prior: M,
    /// What this provider last did to the object, and when.
    pub touched: Option<LastTouch>,
}

/// Input to [`Resource::delete`].
#[derive(Debug, Clone)]
pub struct DeleteRequest<M> {
    /// The state of the object to delete.
    pub prior: M,
    /// What this provider last did to the object, and when (a 404 for an object it
    /// changed moments ago may be replication lag rather than absence).
    pub touched: Option<LastTouch>,
}

/// A managed resource type.
#[async_trait]
pub trait Resource<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// The attributes, as one struct.
    type Model: Model;

    /// The full type name, e.g. `entra_administrative_unit`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks of the configuration; attribute validators run before.
    async fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the framework's plan (e.g. checks that need the API). Default: none.
    async fn modify_plan(
        &self,
        _ctx: &Ctx<D>,
        _req: &mut ModifyPlanRequest<Self::Model>,
    ) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates the object and returns its full state. A create that fails after the
    /// object came into being returns that partial state with its error, so Terraform
    /// records the object (as tainted) instead of losing it.
    async fn create(
        &self,
        ctx: &Ctx<D>,
        req: CreateRequest<Self::Model>,
    ) -> Result<Done<Self::Model>, Failed<Self::Model>>;

    /// Reads the object; `None` when it no longer exists.
    async fn read(
        &self,
        ctx: &Ctx<D>,
        req: ReadRequest<Self::Model>,
    ) -> Result<Done<Option<Self::Model>>, Diagnostics>;

    /// Changes the object in place and returns its full state.
    async fn update(
        &self,
        ctx: &Ctx<D>,
        req: UpdateRequest<Self::Model>,
    ) -> Result<Done<Self::Model>, Failed<Self::Model>>;

    /// Deletes the object; warnings may come with success (e.g. the object was
    /// forgotten rather than deleted). Deleting an object already gone succeeds.
    async fn delete(
        &self,
        ctx: &Ctx<D>,
        req: DeleteRequest<Self::Model>,
    ) -> Result<Done<()>, Diagnostics>;

    /// A state for an object another resource type (maybe of another provider)
    /// managed, for a `moved` block (Terraform 1.8+); [`Resource::read`] completes it.
    /// `None`: this type does not take over objects of `from`'s type.
    async fn move_state(
        &self,
        _ctx: &Ctx<D>,
        _from: &MoveSource,
    ) -> Option<Result<Self::Model, Diagnostics>> {
        None
    }

    /// Turns an import id into a state that [`Resource::read`] can complete.
    async fn import(&self, _ctx: &Ctx<D>, _id: &str) -> Result<Self::Model, Diagnostics> {
        Err(Diagnostic::error(
            "Resource import not supported",
            format!("{} cannot be imported.", self.type_name()),
        )
        .into())
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// The attributes, as one struct.
    type Model: Model;

    /// The full type name, e.g. `entra_administrative_unit`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks of the configuration.
    async fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data and returns the full object with computed values filled in.
    async fn read(
        &self,
        ctx: &Ctx<D>,
        config: Self::Model,
    ) -> Result<Done<Self::Model>, Diagnostics>;
}
