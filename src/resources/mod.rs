//! The provider's managed resources, one file per Terraform type.

pub mod administrative_unit;
pub mod au_member;
pub mod au_scoped_role_assignment;
pub(crate) mod common;
pub(crate) mod membership_rule;

use std::sync::Arc;

use crate::framework::Resource;
use crate::provider::EntraClient;

/// Every managed resource type.
pub fn all() -> Vec<Arc<dyn Resource<EntraClient>>> {
    vec![
        Arc::new(administrative_unit::AdministrativeUnitResource),
        Arc::new(au_member::AuMemberResource),
        Arc::new(au_scoped_role_assignment::AuScopedRoleAssignmentResource),
    ]
}
