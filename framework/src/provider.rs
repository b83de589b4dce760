//! The provider itself: its configuration block, what configuring it produces, and
//! the resource and data source types it serves.

use std::sync::Arc;

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::erased::{DynDataSource, DynResource};
use super::schema::Schema;
use super::value::Value;

/// The provider itself: its configuration and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What `configure` produces and every resource call receives.
    type Data: Send + Sync + 'static;

    /// The provider type name, e.g. `entra`; resource names start with it and `_`.
    fn type_name(&self) -> &'static str;

    /// The provider block's schema.
    fn schema(&self) -> Schema;

    /// Checks the provider configuration beyond per-attribute validators.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Builds the provider data from the configuration.
    async fn configure(&self, req: ConfigureRequest) -> Result<Self::Data, Diagnostics>;

    /// Every managed resource type (see [`crate::erased::resource`]).
    fn resources(&self) -> Vec<Arc<dyn DynResource<Self::Data>>>;

    /// Every data source type (see [`crate::erased::data_source`]).
    fn data_sources(&self) -> Vec<Arc<dyn DynDataSource<Self::Data>>>;

    /// Diagnostics to add to an ApplyResourceChange that has just finished, e.g. a
    /// warning that explains a slow apply. None by default.
    fn after_apply(&self, _data: &Self::Data) -> Diagnostics {
        Diagnostics::new()
    }

    /// How reads cope with an eventually consistent API; `None` (the default) takes
    /// every read at its word.
    fn read_consistency(&self) -> Option<ReadConsistency> {
        None
    }
}

/// For APIs whose reads may be served by a replica that has not seen a recent write:
/// a refresh within `window` of this provider's last change to an object that reads
/// differently from the state (or not at all) reads again, for up to `patience`,
/// before reporting the difference as drift (or the object as gone).
#[derive(Debug, Clone, Copy)]
pub struct ReadConsistency {
    /// How long after a change reads may still be stale.
    pub window: std::time::Duration,
    /// How long a difference must persist before it counts.
    pub patience: std::time::Duration,
}

/// Input to [`Provider::configure`].
#[derive(Debug, Clone)]
pub struct ConfigureRequest {
    /// The Terraform CLI version, e.g. `1.11.4`.
    pub terraform_version: String,
    /// The provider block, possibly with unknown values during plan.
    pub config: Value,
}
