//! `data "entra_role_definition"`: a built-in or custom directory role, by name or id,
//! with whether it can be assigned at administrative-unit scope.

use async_trait::async_trait;

use super::exactly_one;
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value};
use crate::graph::models::RoleDefinition;
use crate::graph::{Call, GraphClient};
use crate::provider::EntraClient;
use crate::resources::common::{call, data_source_error, string_of};
use crate::roles;

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_role_definition";

/// The `entra_role_definition` data source.
#[derive(Debug, Clone, Copy)]
pub struct RoleDefinitionDataSource;

/// Whether a role definition can be granted at AU scope.
pub(crate) fn au_scopable(definition: &RoleDefinition) -> bool {
    if definition.is_built_in {
        roles::is_au_scopable_built_in(definition.template_id.as_deref().unwrap_or(&definition.id))
    } else {
        definition
            .role_permissions
            .iter()
            .flat_map(|p| &p.allowed_resource_actions)
            .any(|a| roles::is_au_scopable_permission(a))
    }
}

#[async_trait]
impl DataSource<EntraClient> for RoleDefinitionDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Looks up a built-in or custom directory role by display name or ID.")
                .attribute(
                    Attribute::string("id")
                        .optional_computed()
                        .describe("The role definition ID (the template ID for built-in roles). Set this or `display_name`."),
                )
                .attribute(
                    Attribute::string("display_name")
                        .optional_computed()
                        .describe("The role's display name, e.g. `Helpdesk Administrator`. Set this or `id`."),
                )
                .attribute(Attribute::string("description").computed().describe("The role's description."))
                .attribute(Attribute::bool("is_built_in").computed().describe("Whether the role is built in."))
                .attribute(Attribute::string("template_id").computed().describe("The role's template ID."))
                .attribute(
                    Attribute::bool("au_scopable")
                        .computed()
                        .describe("Whether the role can be assigned at administrative unit scope."),
                ),
        )
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one(config, &["id", "display_name"])
    }

    async fn read(&self, ctx: &Ctx<EntraClient>, config: Value) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let definition = if let Some(id) = string_of(&config, "id") {
            client
                .graph
                .role_definition(&call, &id)
                .await
                .map_err(|e| {
                    data_source_error(TYPE_NAME, format!("Retrieving role definition {id}"), &e)
                })?
        } else {
            let name = string_of(&config, "display_name").unwrap_or_default();
            let filter = format!("displayName eq '{}'", name.replace('\'', "''"));
            let found = client
                .graph
                .list_role_definitions(&call, Some(&filter))
                .await
                .map_err(|e| data_source_error(TYPE_NAME, format!("Finding role {name:?}"), &e))?;
            match found.into_iter().next() {
                Some(definition) => definition,
                None => return Err(role_not_found(&client.graph, &call, &name).await),
            }
        };
        let scopable = au_scopable(&definition);
        Ok(Value::object([
            ("id", Value::string(definition.id)),
            ("display_name", Value::string(definition.display_name)),
            ("description", Value::opt_string(definition.description)),
            ("is_built_in", Value::Bool(definition.is_built_in)),
            ("template_id", Value::opt_string(definition.template_id)),
            ("au_scopable", Value::Bool(scopable)),
        ]))
    }
}

/// "Role not found", with the nearest role name when the name looks misspelt.
async fn role_not_found(graph: &GraphClient, call: &Call, name: &str) -> Diagnostics {
    let names: Vec<String> = graph
        .list_role_definitions(call, None)
        .await
        .map(|all| all.into_iter().map(|d| d.display_name).collect())
        .unwrap_or_default();
    let hint = entra_rules::closest(name, names.iter().map(String::as_str))
        .map(|near| format!(" Did you mean {near:?}?"))
        .unwrap_or_default();
    Diagnostic::attribute_error(
        "display_name",
        "Role not found",
        format!("No built-in or custom role is named {name:?}.{hint}"),
    )
    .into()
}
