//! The provider's data sources, one file per Terraform type.

pub mod administrative_unit;
pub mod administrative_units;
pub mod au_scoped_role_assignments;
pub mod group;
pub mod membership_rule_preview;
pub mod role_definition;
pub mod user;

use std::sync::Arc;

use provider_framework::DynDataSource;
use provider_framework::erased::data_source;

use crate::client::EntraClient;

/// Every data source type.
pub fn all() -> Vec<Arc<dyn DynDataSource<EntraClient>>> {
    vec![
        data_source(administrative_unit::AdministrativeUnitDataSource),
        data_source(administrative_units::AdministrativeUnitsDataSource),
        data_source(au_scoped_role_assignments::AuScopedRoleAssignmentsDataSource),
        data_source(group::GroupDataSource),
        data_source(membership_rule_preview::MembershipRulePreviewDataSource),
        data_source(role_definition::RoleDefinitionDataSource),
        data_source(user::UserDataSource),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_schema_attribute_maps_to_a_model_field() {
        for d in super::all() {
            d.check_model()
                .unwrap_or_else(|e| panic!("{}: {e}", d.type_name()));
        }
    }
}
