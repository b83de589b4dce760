//! `data "entra_au_scoped_role_assignments"`: the directory roles granted at one
//! administrative unit's scope.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use provider_framework::validators::IsUuid;
use provider_framework::{
    Attribute, Block, DataSource, Diagnostic, Diagnostics, Done, Maybe, Schema, Type,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::support::{Ctx, call, data_source_error};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_au_scoped_role_assignments";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuScopedRoleAssignmentsModel {
    /// The unit.
    pub administrative_unit_id: Maybe<String>,
    /// The assignments at its scope.
    pub assignments: Maybe<Vec<AssignmentSummary>>,
}

/// One role assignment in the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssignmentSummary {
    /// The role assignment id.
    pub id: String,
    /// The role definition id.
    pub role_definition_id: String,
    /// The role's display name.
    pub role_name: Option<String>,
    /// The principal's object id.
    pub principal_id: String,
    /// `user`, `group` or `servicePrincipal`, when Graph said.
    pub principal_type: Option<String>,
}

/// The `entra_au_scoped_role_assignments` data source.
#[derive(Debug, Clone, Copy)]
pub struct AuScopedRoleAssignmentsDataSource;

fn item_type() -> Type {
    Type::Object(BTreeMap::from([
        ("id".to_owned(), Type::String),
        ("role_definition_id".to_owned(), Type::String),
        ("role_name".to_owned(), Type::String),
        ("principal_id".to_owned(), Type::String),
        ("principal_type".to_owned(), Type::String),
    ]))
}

#[async_trait]
impl DataSource<EntraClient> for AuScopedRoleAssignmentsDataSource {
    type Model = AuScopedRoleAssignmentsModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Lists the directory roles, built-in or custom, granted at one administrative unit's scope.",
            )
            .attribute(
                Attribute::string("administrative_unit_id")
                    .required()
                    .validate(IsUuid)
                    .describe("The object ID of the administrative unit."),
            )
            .attribute(
                Attribute::new("assignments", Type::list(item_type()))
                    .computed()
                    .describe(
                        "The role assignments at the unit's scope, sorted by role name then principal: `id`, \
                         `role_definition_id`, `role_name`, `principal_id` and `principal_type` (`user`, `group` or \
                         `servicePrincipal`; null when the principal could not be expanded).",
                    ),
            ),
        )
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: AuScopedRoleAssignmentsModel,
    ) -> Result<Done<AuScopedRoleAssignmentsModel>, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let Some(au) = config.administrative_unit_id.into_known() else {
            return Err(Diagnostic::attribute_error(
                "administrative_unit_id",
                "Unknown administrative unit",
                "administrative_unit_id must be known to list its role assignments.",
            )
            .into());
        };
        let found = client
            .graph
            .list_administrative_unit_role_assignments(&call, &au)
            .await
            .map_err(|e| {
                data_source_error(
                    TYPE_NAME,
                    format!("Listing the role assignments of administrative unit {au}"),
                    &e,
                )
            })?;
        // One read per distinct role, shared with the rest of the process.
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        for assignment in &found {
            if !names.contains_key(&assignment.role_definition_id) {
                let name = client
                    .graph
                    .role_definition(&call, &assignment.role_definition_id)
                    .await
                    .ok()
                    .map(|d| d.display_name);
                names.insert(assignment.role_definition_id.clone(), name);
            }
        }
        let mut assignments: Vec<AssignmentSummary> = found
            .into_iter()
            .map(|a| AssignmentSummary {
                id: a.id.unwrap_or_default(),
                role_name: names.get(&a.role_definition_id).cloned().flatten(),
                principal_type: a
                    .principal
                    .as_ref()
                    .and_then(|p| p.kind())
                    .map(ToOwned::to_owned),
                role_definition_id: a.role_definition_id,
                principal_id: a.principal_id,
            })
            .collect();
        assignments.sort_by(|a, b| {
            (&a.role_name, &a.principal_id, &a.id).cmp(&(&b.role_name, &b.principal_id, &b.id))
        });
        Ok(AuScopedRoleAssignmentsModel {
            administrative_unit_id: Maybe::Known(au),
            assignments: Maybe::Known(assignments),
        }
        .into())
    }
}
