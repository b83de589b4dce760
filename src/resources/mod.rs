//! The provider's managed resources, one file per Terraform type.

pub mod administrative_unit;
mod common;

use std::sync::Arc;

use crate::framework::Resource;
use crate::provider::EntraClient;

/// Every managed resource type.
pub fn all() -> Vec<Arc<dyn Resource<EntraClient>>> {
    vec![Arc::new(administrative_unit::AdministrativeUnitResource)]
}
