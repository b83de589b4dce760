//! The provider's managed resources, one file per Terraform type.

pub mod administrative_unit;
pub mod au_member;
pub mod au_members;
pub mod au_scoped_role_assignment;
pub mod custom_role;
pub mod from_azuread;
pub mod membership_plan;

use std::sync::Arc;

use provider_framework::DynResource;
use provider_framework::erased::resource;

use crate::client::EntraClient;

/// Every managed resource type.
pub fn all() -> Vec<Arc<dyn DynResource<EntraClient>>> {
    vec![
        resource(administrative_unit::AdministrativeUnitResource),
        resource(au_member::AuMemberResource),
        resource(au_members::AuMembersResource),
        resource(au_scoped_role_assignment::AuScopedRoleAssignmentResource),
        resource(custom_role::CustomRoleResource),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_schema_attribute_maps_to_a_model_field() {
        for r in super::all() {
            r.check_model()
                .unwrap_or_else(|e| panic!("{}: {e}", r.type_name()));
        }
    }

    /// Terraform validates configuration before values are known (e.g. an id from a
    /// resource not created yet): every type must accept any attribute unknown.
    #[tokio::test]
    async fn a_configuration_with_every_attribute_unknown_decodes() {
        for r in super::all() {
            let schema = r.schema();
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
            let diags = r.validate(&config).await;
            assert!(
                !diags.0.iter().any(|d| d.summary.contains("Provider bug")),
                "{}: {diags:?}",
                r.type_name()
            );
        }
    }
}
