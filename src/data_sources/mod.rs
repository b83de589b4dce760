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

    /// Terraform validates configuration before values are known (e.g. an id from a
    /// resource not created yet): every type must accept any attribute unknown.
    #[tokio::test]
    async fn a_configuration_with_every_attribute_unknown_decodes() {
        for d in super::all() {
            let schema = d.schema();
            let mut config = provider_framework::Value::object(
                schema
                    .block
                    .attributes
                    .iter()
                    .map(|a| (a.name, provider_framework::Value::Unknown)),
            );
            for b in &schema.block.blocks {
                config.set(b.name, provider_framework::Value::Null);
            }
            let diags = d.validate(&config).await;
            assert!(
                !diags.0.iter().any(|d| d.summary.contains("Provider bug")),
                "{}: {diags:?}",
                d.type_name()
            );
        }
    }
}
