//! `data "entra_group"`: a group by display name or object id.

use async_trait::async_trait;
use provider_framework::{
    Attribute, Block, DataSource, Diagnostic, Diagnostics, Done, Maybe, Schema,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::support::{Ctx, call, data_source_error, exactly_one};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_group";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupModel {
    /// Object id (a lookup key).
    pub id: Maybe<String>,
    /// Display name (a lookup key).
    pub display_name: Maybe<String>,
    /// Description.
    pub description: Maybe<String>,
    /// A security group.
    pub security_enabled: Maybe<bool>,
    /// Mail-enabled.
    pub mail_enabled: Maybe<bool>,
    /// Can hold directory roles.
    pub is_assignable_to_role: Maybe<bool>,
}

/// The `entra_group` data source.
#[derive(Debug, Clone, Copy)]
pub struct GroupDataSource;

/// A group as Graph returns it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    id: String,
    display_name: Option<String>,
    description: Option<String>,
    security_enabled: Option<bool>,
    mail_enabled: Option<bool>,
    is_assignable_to_role: Option<bool>,
}

const SELECT: &str = "id,displayName,description,securityEnabled,mailEnabled,isAssignableToRole";

#[async_trait]
impl DataSource<EntraClient> for GroupDataSource {
    type Model = GroupModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Looks up a group by display name or object ID. Needs `Group.Read.All` or `Directory.Read.All`.")
                .attribute(Attribute::string("id").optional_computed().describe("The object ID. Set this or `display_name`."))
                .attribute(
                    Attribute::string("display_name")
                        .optional_computed()
                        .describe("The display name; it must match exactly one group. Set this or `id`."),
                )
                .attribute(Attribute::string("description").computed().describe("The description."))
                .attribute(Attribute::bool("security_enabled").computed().describe("Whether it is a security group."))
                .attribute(Attribute::bool("mail_enabled").computed().describe("Whether it is mail-enabled."))
                .attribute(
                    Attribute::bool("is_assignable_to_role")
                        .computed()
                        .describe("Whether directory roles can be assigned to the group."),
                ),
        )
    }

    async fn validate(&self, config: &GroupModel) -> Diagnostics {
        exactly_one(&[
            ("id", !config.id.is_null()),
            ("display_name", !config.display_name.is_null()),
        ])
    }

    async fn read(&self, ctx: &Ctx, config: GroupModel) -> Result<Done<GroupModel>, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let group: Group = if let Some(id) = config.id.as_deref() {
            client
                .graph
                .get_group(&call, id, SELECT)
                .await
                .map_err(|e| data_source_error(TYPE_NAME, format!("Retrieving group {id}"), &e))?
        } else {
            let name = config.display_name.as_deref().unwrap_or_default();
            let mut found: Vec<Group> = client
                .graph
                .find_groups_by_name(&call, name, SELECT)
                .await
                .map_err(|e| data_source_error(TYPE_NAME, format!("Finding group {name:?}"), &e))?;
            if found.len() != 1 {
                return Err(Diagnostic::attribute_error(
                    "display_name",
                    if found.is_empty() {
                        "Group not found"
                    } else {
                        "Ambiguous group name"
                    },
                    format!(
                        "{} groups are named {name:?}; exactly one must match.",
                        found.len()
                    ),
                )
                .into());
            }
            found.remove(0)
        };
        Ok(GroupModel {
            id: Maybe::Known(group.id),
            display_name: Maybe::from_option(group.display_name),
            description: Maybe::from_option(group.description),
            security_enabled: Maybe::from_option(group.security_enabled),
            mail_enabled: Maybe::from_option(group.mail_enabled),
            is_assignable_to_role: Maybe::from_option(group.is_assignable_to_role),
        }
        .into())
    }
}
