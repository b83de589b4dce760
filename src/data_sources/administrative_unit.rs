//! `data "entra_administrative_unit"`: one AU by object id or display name.

use std::collections::BTreeMap;

use async_trait::async_trait;
use provider_framework::{
    Attribute, Block, DataSource, Diagnostic, Diagnostics, Done, Maybe, Schema, Type,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::graph::models::AdministrativeUnit;
use crate::support::{Ctx, call, data_source_error, exactly_one};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_unit";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdministrativeUnitDataModel {
    /// Object id (a lookup key).
    pub id: Maybe<String>,
    /// Display name (a lookup key).
    pub display_name: Maybe<String>,
    /// Description.
    pub description: Maybe<String>,
    /// `Assigned` or `Dynamic`.
    pub membership_type: Maybe<String>,
    /// The dynamic rule.
    pub membership_rule: Maybe<String>,
    /// `On` or `Paused`.
    pub membership_rule_processing_state: Maybe<String>,
    /// Hidden membership.
    pub hidden_membership_enabled: Maybe<bool>,
    /// Restricted management.
    pub restricted_management_enabled: Maybe<bool>,
    /// Every member's object id, sorted.
    pub member_ids: Maybe<Vec<String>>,
    /// Member id → `user`, `group` or `device`.
    pub member_types: Maybe<BTreeMap<String, String>>,
}

impl From<AdministrativeUnit> for AdministrativeUnitDataModel {
    fn from(au: AdministrativeUnit) -> Self {
        AdministrativeUnitDataModel {
            membership_type: Maybe::Known(au.kind().to_owned()),
            membership_rule: Maybe::from_option(au.effective_rule()),
            membership_rule_processing_state: Maybe::from_option(au.effective_processing_state()),
            hidden_membership_enabled: Maybe::Known(au.hidden_membership()),
            restricted_management_enabled: Maybe::Known(au.restricted_management()),
            id: Maybe::from_option(au.id),
            display_name: Maybe::Known(au.display_name),
            description: Maybe::from_option(au.description),
            member_ids: Maybe::Null,
            member_types: Maybe::Null,
        }
    }
}

/// The `entra_administrative_unit` data source.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitDataSource;

#[async_trait]
impl DataSource<EntraClient> for AdministrativeUnitDataSource {
    type Model = AdministrativeUnitDataModel;

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
                )
                .attribute(
                    Attribute::new("member_ids", Type::list(Type::String))
                        .computed()
                        .describe(
                            "The object IDs of the unit's members (users, groups and devices), sorted, from one paged \
                             listing. Null, with a warning, when the members cannot be listed (hidden membership \
                             without `Member.Read.Hidden`).",
                        ),
                )
                .attribute(
                    Attribute::new("member_types", Type::map(Type::String))
                        .computed()
                        .describe("Each member's kind (`user`, `group` or `device`), keyed by member ID."),
                ),
        )
    }

    async fn validate(&self, config: &AdministrativeUnitDataModel) -> Diagnostics {
        exactly_one(&[
            ("id", !config.id.is_null()),
            ("display_name", !config.display_name.is_null()),
        ])
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: AdministrativeUnitDataModel,
    ) -> Result<Done<AdministrativeUnitDataModel>, Diagnostics> {
        let client = ctx.data()?;
        let call = call(ctx);
        let au = if let Some(id) = config.id.as_deref() {
            client
                .graph
                .get_administrative_unit(&call, id)
                .await
                .map_err(|e| {
                    data_source_error(
                        TYPE_NAME,
                        format!("Retrieving administrative unit {id}"),
                        &e,
                    )
                })?
        } else {
            let name = config.display_name.as_deref().unwrap_or_default();
            let mut found = client
                .graph
                .administrative_units_named(&call, name)
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
        let id = au.id.clone().unwrap_or_default();
        let mut model = AdministrativeUnitDataModel::from(au);
        match client.graph.administrative_unit_member_types(&call, &id).await {
            Ok(members) => {
                let types: BTreeMap<String, String> = members
                    .into_iter()
                    .map(|(member, kind)| (member, kind.unwrap_or_default()))
                    .collect();
                model.member_ids = Maybe::Known(types.keys().cloned().collect());
                model.member_types = Maybe::Known(types);
                Ok(model.into())
            }
            // The unit itself was readable: an unreadable member list (hidden
            // membership) leaves the members null rather than failing the lookup.
            Err(e) if e.status() == Some(403) => Ok(Done::with_warnings(
                model,
                Diagnostic::warning(
                    "Members not listed",
                    format!(
                        "Graph refused to list the members of administrative unit {id} ({e}); member_ids is null. \
                         Units with hidden membership need the Member.Read.Hidden permission."
                    ),
                )
                .into(),
            )),
            Err(e) => Err(data_source_error(
                TYPE_NAME,
                format!("Listing the members of administrative unit {id}"),
                &e,
            )),
        }
    }
}
