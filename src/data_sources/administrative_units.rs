//! `data "entra_administrative_units"`: every AU, or those whose name starts with a prefix.

use std::collections::BTreeMap;

use async_trait::async_trait;
use provider_framework::{Attribute, Block, DataSource, Diagnostics, Done, Maybe, Schema, Type};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::support::{Ctx, call, data_source_error};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_units";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdministrativeUnitsModel {
    /// Only units whose name starts with this.
    pub display_name_prefix: Maybe<String>,
    /// The object ids, sorted by display name.
    pub ids: Maybe<Vec<String>>,
    /// The units.
    pub administrative_units: Maybe<Vec<UnitSummary>>,
}

/// One unit in the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitSummary {
    /// Object id.
    pub id: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// `Assigned` or `Dynamic`.
    pub membership_type: String,
    /// The dynamic rule.
    pub membership_rule: Option<String>,
    /// `On` or `Paused` for dynamic units.
    pub membership_rule_processing_state: Option<String>,
    /// Hidden membership.
    pub hidden_membership_enabled: bool,
    /// Restricted management.
    pub restricted_management_enabled: bool,
}

/// The `entra_administrative_units` data source.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitsDataSource;

fn item_type() -> Type {
    Type::Object(BTreeMap::from([
        ("id".to_owned(), Type::String),
        ("display_name".to_owned(), Type::String),
        ("description".to_owned(), Type::String),
        ("membership_type".to_owned(), Type::String),
        ("membership_rule".to_owned(), Type::String),
        ("membership_rule_processing_state".to_owned(), Type::String),
        ("hidden_membership_enabled".to_owned(), Type::Bool),
        ("restricted_management_enabled".to_owned(), Type::Bool),
    ]))
}

#[async_trait]
impl DataSource<EntraClient> for AdministrativeUnitsDataSource {
    type Model = AdministrativeUnitsModel;

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
                        .describe("The units, sorted by display name, with every attribute the `entra_administrative_unit` resource has: `id`, `display_name`, `description`, `membership_type`, `membership_rule`, `membership_rule_processing_state`, `hidden_membership_enabled` and `restricted_management_enabled`. A `for_each` over it can drive `import` blocks that plan no changes."),
                ),
        )
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: AdministrativeUnitsModel,
    ) -> Result<Done<AdministrativeUnitsModel>, Diagnostics> {
        let client = ctx.data()?;
        let mut units = client
            .graph
            .list_administrative_units(&call(ctx), config.display_name_prefix.as_deref())
            .await
            .map_err(|e| data_source_error(TYPE_NAME, "Listing administrative units", &e))?;
        units.sort_by(|a, b| {
            a.display_name
                .cmp(&b.display_name)
                .then_with(|| a.id.cmp(&b.id))
        });
        let ids = units.iter().filter_map(|u| u.id.clone()).collect();
        let items = units
            .into_iter()
            .map(|u| UnitSummary {
                membership_type: u.kind().to_owned(),
                membership_rule: u.effective_rule(),
                membership_rule_processing_state: u.effective_processing_state(),
                hidden_membership_enabled: u.hidden_membership(),
                restricted_management_enabled: u.restricted_management(),
                id: u.id,
                display_name: u.display_name,
                description: u.description,
            })
            .collect();
        Ok(AdministrativeUnitsModel {
            display_name_prefix: config.display_name_prefix,
            ids: Maybe::Known(ids),
            administrative_units: Maybe::Known(items),
        }
        .into())
    }
}
