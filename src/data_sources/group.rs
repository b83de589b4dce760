//! `data "entra_group"`: a group by display name or object id.

use async_trait::async_trait;
use serde::Deserialize;

use super::exactly_one;
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value};
use crate::provider::EntraClient;
use crate::resources::common::{call, data_source_error, string_of};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_group";

/// The `entra_group` data source.
#[derive(Debug, Clone, Copy)]
pub struct GroupDataSource;

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

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one(config, &["id", "display_name"])
    }

    async fn read(&self, ctx: &Ctx<EntraClient>, config: Value) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let group: Group = if let Some(id) = string_of(&config, "id") {
            client
                .graph
                .get_group(&call, &id, SELECT)
                .await
                .map_err(|e| data_source_error(TYPE_NAME, format!("Retrieving group {id}"), &e))?
        } else {
            let name = string_of(&config, "display_name").unwrap_or_default();
            let mut found: Vec<Group> = client
                .graph
                .find_groups_by_name(&call, &name, SELECT)
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
        Ok(Value::object([
            ("id", Value::string(group.id)),
            ("display_name", Value::opt_string(group.display_name)),
            ("description", Value::opt_string(group.description)),
            ("security_enabled", Value::opt_bool(group.security_enabled)),
            ("mail_enabled", Value::opt_bool(group.mail_enabled)),
            (
                "is_assignable_to_role",
                Value::opt_bool(group.is_assignable_to_role),
            ),
        ]))
    }
}
