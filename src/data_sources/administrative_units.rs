//! `data "entra_administrative_units"`: every AU, or those whose name starts with a prefix.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostics, Schema, Type, Value};
use crate::provider::EntraClient;
use crate::resources::common::{call, data_source_error, string_of};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_units";

/// The `entra_administrative_units` data source.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitsDataSource;

fn item_type() -> Type {
    Type::Object(BTreeMap::from([
        ("id".to_owned(), Type::String),
        ("display_name".to_owned(), Type::String),
        ("description".to_owned(), Type::String),
        ("membership_type".to_owned(), Type::String),
    ]))
}

#[async_trait]
impl DataSource<EntraClient> for AdministrativeUnitsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Lists administrative units, optionally those whose display name starts with a prefix.")
                .attribute(
                    Attribute::string("display_name_prefix")
                        .describe("Only units whose display name starts with this text (case-insensitive)."),
                )
                .attribute(Attribute::new("ids", Type::list(Type::String)).computed().describe("The object IDs, sorted by display name."))
                .attribute(
                    Attribute::new("administrative_units", Type::list(item_type()))
                        .computed()
                        .describe("The units: `id`, `display_name`, `description` and `membership_type`, sorted by display name."),
                ),
        )
    }

    async fn read(&self, ctx: &Ctx<EntraClient>, config: Value) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let prefix = string_of(&config, "display_name_prefix");
        let mut units = client
            .graph
            .list_administrative_units(&call(ctx), prefix.as_deref())
            .await
            .map_err(|e| data_source_error(TYPE_NAME, "Listing administrative units", &e))?;
        units.sort_by(|a, b| {
            a.display_name
                .cmp(&b.display_name)
                .then_with(|| a.id.cmp(&b.id))
        });
        let ids = units
            .iter()
            .map(|u| Value::opt_string(u.id.clone()))
            .collect();
        let items = units
            .into_iter()
            .map(|u| {
                let dynamic = u
                    .membership_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("dynamic"));
                Value::object([
                    ("id", Value::opt_string(u.id)),
                    ("display_name", Value::string(u.display_name)),
                    ("description", Value::opt_string(u.description)),
                    (
                        "membership_type",
                        Value::string(if dynamic { "Dynamic" } else { "Assigned" }),
                    ),
                ])
            })
            .collect();
        Ok(Value::object([
            ("display_name_prefix", Value::opt_string(prefix)),
            ("ids", Value::List(ids)),
            ("administrative_units", Value::List(items)),
        ]))
    }
}
