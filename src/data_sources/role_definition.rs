//! `data "entra_role_definition"`: a built-in or custom directory role, by name or id,
//! with whether it can be assigned at administrative-unit scope.

use async_trait::async_trait;
use provider_framework::{
    Attribute, Block, DataSource, Diagnostic, Diagnostics, Done, Maybe, Schema,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::graph::odata::Filter;
use crate::graph::role_catalog;
use crate::graph::{Call, GraphClient};
use crate::support::{Ctx, call, data_source_error, exactly_one};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_role_definition";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleDefinitionModel {
    /// Definition id (a lookup key).
    pub id: Maybe<String>,
    /// Display name (a lookup key).
    pub display_name: Maybe<String>,
    /// Description.
    pub description: Maybe<String>,
    /// Built in or custom.
    pub is_built_in: Maybe<bool>,
    /// Template id.
    pub template_id: Maybe<String>,
    /// Can be assigned at AU scope.
    pub au_scopable: Maybe<bool>,
}

/// The `entra_role_definition` data source.
#[derive(Debug, Clone, Copy)]
pub struct RoleDefinitionDataSource;

#[async_trait]
impl DataSource<EntraClient> for RoleDefinitionDataSource {
    type Model = RoleDefinitionModel;

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

    async fn validate(&self, config: &RoleDefinitionModel) -> Diagnostics {
        exactly_one(&[
            ("id", !config.id.is_null()),
            ("display_name", !config.display_name.is_null()),
        ])
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: RoleDefinitionModel,
    ) -> Result<Done<RoleDefinitionModel>, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let definition = if let Some(id) = config.id.as_deref() {
            client.graph.role_definition(&call, id).await.map_err(|e| {
                data_source_error(TYPE_NAME, format!("Retrieving role definition {id}"), &e)
            })?
        } else {
            let name = config.display_name.as_deref().unwrap_or_default();
            let found = client
                .graph
                .list_role_definitions(&call, Some(&Filter::eq("displayName", name)))
                .await
                .map_err(|e| data_source_error(TYPE_NAME, format!("Finding role {name:?}"), &e))?;
            match found.into_iter().next() {
                Some(definition) => definition,
                None => return Err(role_not_found(&client.graph, &call, name).await),
            }
        };
        let scopable = role_catalog::unscopable(&definition).is_none();
        Ok(RoleDefinitionModel {
            id: Maybe::Known(definition.id),
            display_name: Maybe::Known(definition.display_name),
            description: Maybe::from_option(definition.description),
            is_built_in: Maybe::Known(definition.is_built_in),
            template_id: Maybe::from_option(definition.template_id),
            au_scopable: Maybe::Known(scopable),
        }
        .into())
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
