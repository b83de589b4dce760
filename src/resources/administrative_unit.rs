//! `entra_administrative_unit`: an administrative unit (AU), a scope for delegated
//! administration.

use async_trait::async_trait;

use super::common::{call, graph_error};
use crate::framework::validators::{MaxLength, NotBlank};
use crate::framework::{
    Attribute, Block, CreateRequest, Ctx, DeleteRequest, Diagnostic, Diagnostics, ReadRequest, Resource,
    Schema, UpdateRequest, Value,
};
use crate::graph::models::AdministrativeUnit;
use crate::ids::AdministrativeUnitId;
use crate::provider::EntraClient;

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_unit";

/// The resource's state, read from and written to Terraform values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministrativeUnitModel {
    /// Object id; `None` before creation.
    pub id: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
}

impl AdministrativeUnitModel {
    /// Reads the configured attributes of a plan or configuration.
    pub fn from_value(v: &Value) -> AdministrativeUnitModel {
        AdministrativeUnitModel {
            id: v.get("id").as_str().map(ToOwned::to_owned),
            display_name: v.get("display_name").as_str().unwrap_or_default().to_owned(),
            description: v.get("description").as_str().map(ToOwned::to_owned),
        }
    }

    /// The model of an AU as Graph returned it.
    pub fn from_graph(au: AdministrativeUnit) -> AdministrativeUnitModel {
        AdministrativeUnitModel {
            id: au.id,
            display_name: au.display_name,
            description: au.description,
        }
    }

    /// The Terraform value.
    pub fn to_value(&self) -> Value {
        Value::object([
            ("id", Value::opt_string(self.id.clone())),
            ("display_name", Value::string(self.display_name.clone())),
            ("description", Value::opt_string(self.description.clone())),
        ])
    }

    /// The Graph body to create this AU.
    fn to_graph(&self) -> AdministrativeUnit {
        AdministrativeUnit {
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            ..AdministrativeUnit::default()
        }
    }
}

/// The `entra_administrative_unit` resource.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitResource;

#[async_trait]
impl Resource<EntraClient> for AdministrativeUnitResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "An administrative unit: a scope of users, groups and devices whose administration can be \
                 delegated with roles assigned at that scope only.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The object ID of the administrative unit."),
            )
            .attribute(
                Attribute::string("display_name")
                    .required()
                    .validate(NotBlank)
                    .validate(MaxLength(256))
                    .describe("The display name of the administrative unit (at most 256 characters)."),
            )
            .attribute(Attribute::string("description").describe("A description of the administrative unit.")),
        )
    }

    async fn create(&self, ctx: &Ctx<EntraClient>, req: CreateRequest) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let model = AdministrativeUnitModel::from_value(&req.config);
        let created = client
            .graph
            .create_administrative_unit(&call(ctx), &model.to_graph())
            .await
            .map_err(|e| graph_error(format!("Creating administrative unit {:?}", model.display_name), &e))?;
        tracing::info!(id = created.id.as_deref().unwrap_or(""), "created administrative unit");
        Ok(AdministrativeUnitModel::from_graph(created).to_value())
    }

    async fn read(&self, ctx: &Ctx<EntraClient>, req: ReadRequest) -> Result<Option<Value>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.state.get("id").as_str() else {
            return Ok(None);
        };
        match client.graph.get_administrative_unit(&call(ctx), id).await {
            Ok(au) => Ok(Some(AdministrativeUnitModel::from_graph(au).to_value())),
            Err(e) if e.is_not_found() => {
                tracing::info!(id, "administrative unit was not found - removing from state");
                Ok(None)
            }
            Err(e) => Err(graph_error(format!("Retrieving administrative unit {id}"), &e)),
        }
    }

    async fn update(&self, ctx: &Ctx<EntraClient>, req: UpdateRequest) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let prior = AdministrativeUnitModel::from_value(&req.prior);
        let mut wanted = AdministrativeUnitModel::from_value(&req.config);
        wanted.id = prior.id.clone();
        let Some(id) = prior.id.as_deref() else {
            return Err(Diagnostic::error("Updating administrative unit", "The state has no object id.").into());
        };
        let mut changes = serde_json::Map::new();
        if wanted.display_name != prior.display_name {
            changes.insert("displayName".into(), wanted.display_name.clone().into());
        }
        if wanted.description != prior.description {
            changes.insert("description".into(), wanted.description.clone().into());
        }
        if !changes.is_empty() {
            client
                .graph
                .update_administrative_unit(&call(ctx), id, &changes)
                .await
                .map_err(|e| graph_error(format!("Updating administrative unit {id}"), &e))?;
        }
        Ok(wanted.to_value())
    }

    async fn delete(&self, ctx: &Ctx<EntraClient>, req: DeleteRequest) -> Result<(), Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.prior.get("id").as_str() else {
            return Ok(());
        };
        client
            .graph
            .delete_administrative_unit(&call(ctx), id)
            .await
            .map_err(|e| graph_error(format!("Deleting administrative unit {id}"), &e))
    }

    async fn import(&self, _ctx: &Ctx<EntraClient>, id: &str) -> Result<Value, Diagnostics> {
        let id: AdministrativeUnitId = id
            .parse()
            .map_err(|e: crate::ids::IdError| Diagnostics::from(Diagnostic::error("Invalid import id", e.to_string())))?;
        Ok(Value::object([
            ("id", Value::string(id.0)),
            ("display_name", Value::Null),
            ("description", Value::Null),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_matches_model() {
        let schema = AdministrativeUnitResource.schema();
        let model = AdministrativeUnitModel {
            id: Some("x".into()),
            display_name: "n".into(),
            description: None,
        };
        let value = model.to_value();
        let model_keys: Vec<_> = value.as_map().unwrap().keys().cloned().collect();
        let mut schema_keys: Vec<_> = schema.block.attributes.iter().map(|a| a.name.to_owned()).collect();
        schema_keys.sort();
        assert_eq!(model_keys, schema_keys);
        assert_eq!(AdministrativeUnitModel::from_value(&value), model);
    }

    #[test]
    fn create_body_sends_only_what_is_set() {
        let model = AdministrativeUnitModel {
            id: None,
            display_name: "Finance".into(),
            description: None,
        };
        let body = serde_json::to_value(model.to_graph()).unwrap();
        assert_eq!(body, serde_json::json!({"displayName": "Finance"}));
    }
}
