//! `data "entra_administrative_unit"`: one AU by object id or display name.

use async_trait::async_trait;

use super::exactly_one;
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value};
use crate::provider::EntraClient;
use crate::resources::administrative_unit::AdministrativeUnitModel;
use crate::resources::common::{call, data_source_error, string_of};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_unit";

/// The `entra_administrative_unit` data source.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitDataSource;

#[async_trait]
impl DataSource<EntraClient> for AdministrativeUnitDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Looks up one administrative unit by object ID or display name.")
                .attribute(
                    Attribute::string("id")
                        .optional_computed()
                        .describe("The object ID. Set this or `display_name`."),
                )
                .attribute(
                    Attribute::string("display_name")
                        .optional_computed()
                        .describe(
                            "The display name; it must match exactly one unit. Set this or `id`.",
                        ),
                )
                .attribute(
                    Attribute::string("description")
                        .computed()
                        .describe("The description."),
                )
                .attribute(
                    Attribute::string("membership_type")
                        .computed()
                        .describe("`Assigned` or `Dynamic`."),
                )
                .attribute(
                    Attribute::string("membership_rule")
                        .computed()
                        .describe("The dynamic membership rule, if any."),
                )
                .attribute(
                    Attribute::string("membership_rule_processing_state")
                        .computed()
                        .describe("`On` or `Paused` for dynamic units."),
                )
                .attribute(
                    Attribute::bool("hidden_membership_enabled")
                        .computed()
                        .describe("Whether only members can list the members."),
                )
                .attribute(
                    Attribute::bool("restricted_management_enabled")
                        .computed()
                        .describe("Whether this is a restricted management administrative unit."),
                ),
        )
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one(config, &["id", "display_name"])
    }

    async fn read(&self, ctx: &Ctx<EntraClient>, config: Value) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let au = if let Some(id) = string_of(&config, "id") {
            client
                .graph
                .get_administrative_unit(&call, &id)
                .await
                .map_err(|e| {
                    data_source_error(
                        TYPE_NAME,
                        format!("Retrieving administrative unit {id}"),
                        &e,
                    )
                })?
        } else {
            let name = string_of(&config, "display_name").unwrap_or_default();
            let mut found = client
                .graph
                .find_administrative_units_by_name(&call, &name)
                .await
                .map_err(|e| {
                    data_source_error(
                        TYPE_NAME,
                        format!("Finding administrative unit {name:?}"),
                        &e,
                    )
                })?;
            match found.len() {
                1 => found.remove(0),
                0 => {
                    return Err(Diagnostic::attribute_error(
                        "display_name",
                        "Administrative unit not found",
                        format!("No administrative unit is named {name:?}."),
                    )
                    .into());
                }
                n => {
                    return Err(Diagnostic::attribute_error(
                        "display_name",
                        "Ambiguous administrative unit name",
                        format!(
                            "{n} administrative units are named {name:?}; look it up by id instead."
                        ),
                    )
                    .into());
                }
            }
        };
        let model = AdministrativeUnitModel::from_graph(au, &Value::Null);
        Ok(Value::object([
            ("id", Value::opt_string(model.id)),
            ("display_name", Value::string(model.display_name)),
            ("description", Value::opt_string(model.description)),
            ("membership_type", Value::string(model.membership_type)),
            ("membership_rule", Value::opt_string(model.membership_rule)),
            (
                "membership_rule_processing_state",
                Value::opt_string(model.membership_rule_processing_state),
            ),
            (
                "hidden_membership_enabled",
                Value::Bool(model.hidden_membership_enabled),
            ),
            (
                "restricted_management_enabled",
                Value::Bool(model.restricted_management_enabled),
            ),
        ]))
    }
}
