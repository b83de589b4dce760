//! `entra_custom_role`: a custom directory role (`unifiedRoleDefinition`) whose
//! actions are checked at plan time, ready to be granted at a unit's scope.

use async_trait::async_trait;
use provider_framework::schema::Validator;
use provider_framework::timeouts::Op;
use provider_framework::validators::{Each, MaxLength, NoControlCharacters, NotBlank};
use provider_framework::{
    Attribute, AttributePath, Block, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, Done,
    Failed, Maybe, ModifyPlanRequest, ReadRequest, Resource, Schema, Type, UpdateRequest, Value,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::graph::models::{CustomRoleBody, RoleDefinition, RolePermission};
use crate::graph::role_actions::{ActionProblem, check_action, takes_effect_at_unit_scope};
use crate::support::{Ctx, call_for, graph_error, premium_warning};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_custom_role";

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomRoleModel {
    /// The role definition id.
    pub id: Maybe<String>,
    /// Display name, unique in the tenant.
    pub display_name: Maybe<String>,
    /// Description.
    pub description: Maybe<String>,
    /// The actions the role grants.
    pub allowed_resource_actions: Maybe<Vec<String>>,
    /// Whether the role can be assigned.
    pub enabled: Maybe<bool>,
    /// The template id (Graph sets it to the id).
    pub template_id: Maybe<String>,
}

impl CustomRoleModel {
    fn body(&self) -> CustomRoleBody {
        let mut actions = self
            .allowed_resource_actions
            .known()
            .cloned()
            .unwrap_or_default();
        actions.sort();
        CustomRoleBody {
            display_name: self.display_name.known().cloned().unwrap_or_default(),
            description: self.description.known().cloned(),
            is_enabled: self.enabled.known().copied().unwrap_or(true),
            role_permissions: vec![RolePermission {
                allowed_resource_actions: actions,
            }],
        }
    }

    fn from_graph(d: RoleDefinition) -> CustomRoleModel {
        let mut actions: Vec<String> = d.allowed_actions().cloned().collect();
        actions.sort();
        actions.dedup();
        CustomRoleModel {
            template_id: Maybe::Known(d.template_id.clone().unwrap_or_else(|| d.id.clone())),
            id: Maybe::Known(d.id),
            display_name: Maybe::Known(d.display_name),
            description: Maybe::from_option(d.description.filter(|s| !s.is_empty())),
            allowed_resource_actions: Maybe::Known(actions),
            enabled: Maybe::Known(d.is_enabled.unwrap_or(true)),
        }
    }
}

/// The resource.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomRoleResource;

/// Each action is a well-formed `microsoft.directory` action, spelt as Graph knows
/// it; one that cannot take effect at a unit's scope gets a warning.
#[derive(Debug, Clone, Copy)]
struct DirectoryAction;

impl Validator for DirectoryAction {
    fn description(&self) -> String {
        "must be a directory action such as `microsoft.directory/groups/members/update`".to_owned()
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let Some(action) = value.as_str() else { return };
        match check_action(action) {
            Some(ActionProblem::Misspelt(known)) => diags.push(
                Diagnostic::error(
                    "Unknown directory action",
                    format!("{path}: {action:?} is not a directory action. Did you mean {known:?}?"),
                )
                .at(path.clone()),
            ),
            Some(ActionProblem::Malformed) => diags.push(
                Diagnostic::error(
                    "Invalid directory action",
                    format!(
                        "{path}: {action:?} is not of the form microsoft.directory/<entity>/<property set>/<verb> \
                         (for example microsoft.directory/groups/members/update or microsoft.directory/groups/create)."
                    ),
                )
                .at(path.clone()),
            ),
            None if !takes_effect_at_unit_scope(action) => diags.push(
                Diagnostic::warning(
                    "Action has no effect at administrative unit scope",
                    format!(
                        "{path}: {action:?} acts on objects outside users, groups and devices, so this role \
                         cannot be assigned at an administrative unit's scope (entra_au_scoped_role_assignment \
                         refuses it); it works only when assigned tenant-wide."
                    ),
                )
                .at(path.clone()),
            ),
            None => {}
        }
    }
}

/// A role with this display name exists already (and is not `own`).
async fn name_taken(ctx: &Ctx, client: &EntraClient, name: &str, own: Option<&str>) -> Diagnostics {
    let call = call_for(ctx, None, Op::Read);
    let Ok(found) = client.graph.find_role_definitions_named(&call, name).await else {
        return Diagnostics::new();
    };
    let Some(other) = found
        .into_iter()
        .find(|d| own.is_none_or(|own| !d.id.eq_ignore_ascii_case(own)))
    else {
        return Diagnostics::new();
    };
    let detail = if other.is_built_in {
        format!("{name:?} is the name of a built-in role; choose another name.")
    } else {
        format!(
            "A custom role named {name:?} exists already (id {}). Role names are unique in a tenant: choose \
             another name, or bring that role under management with \
             `terraform import {TYPE_NAME}.<name> {}`.",
            other.id, other.id
        )
    };
    Diagnostic::attribute_error("display_name", "Role name in use", detail).into()
}

#[async_trait]
impl Resource<EntraClient> for CustomRoleResource {
    type Model = CustomRoleModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "A custom directory role: a named set of `microsoft.directory` actions. Granted at an \
                 administrative unit's scope with `entra_au_scoped_role_assignment`, it acts on the unit's \
                 users, groups and devices only. Custom roles need Microsoft Entra ID P1 or P2.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The role definition ID."),
            )
            .attribute(
                Attribute::string("display_name")
                    .required()
                    .validate(NotBlank)
                    .validate(MaxLength(256))
                    .validate(NoControlCharacters)
                    .describe("The role's name, unique in the tenant."),
            )
            .attribute(
                Attribute::string("description")
                    .validate(NoControlCharacters)
                    .describe("What the role is for."),
            )
            .attribute(
                Attribute::new("allowed_resource_actions", Type::set(Type::String))
                    .required()
                    .validate(Each(DirectoryAction))
                    .describe(
                        "The actions the role grants, e.g. `microsoft.directory/groups/members/update`. Checked at \
                         plan: a misspelt action gets the right spelling; an action on anything but users, groups \
                         and devices gets a warning, because it cannot take effect at a unit's scope.",
                    ),
            )
            .attribute(
                Attribute::bool("enabled")
                    .default(Value::Bool(true))
                    .describe("Whether the role can be assigned. Defaults to `true`."),
            )
            .attribute(
                Attribute::string("template_id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The role's template ID (the same as `id` for custom roles)."),
            ),
        )
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        req: &mut ModifyPlanRequest<CustomRoleModel>,
    ) -> Diagnostics {
        let (Ok(client), Some(name)) = (ctx.data(), req.planned.display_name.known().cloned())
        else {
            return Diagnostics::new();
        };
        match &req.prior {
            None => {
                let mut diags = name_taken(ctx, client, &name, None).await;
                diags.extend(
                    premium_warning(
                        ctx,
                        client,
                        "allowed_resource_actions",
                        "the role cannot be assigned",
                    )
                    .await,
                );
                diags
            }
            Some(prior) if prior.display_name.known() != Some(&name) => {
                name_taken(ctx, client, &name, prior.id.as_deref()).await
            }
            Some(_) => Diagnostics::new(),
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        req: CreateRequest<CustomRoleModel>,
    ) -> Result<Done<CustomRoleModel>, Failed<CustomRoleModel>> {
        let client = ctx.data()?;
        let call = call_for(ctx, None, Op::Create);
        let name = req
            .planned
            .display_name
            .as_deref()
            .unwrap_or_default()
            .to_owned();
        match client
            .graph
            .create_custom_role(&call, &req.planned.body())
            .await
        {
            Ok(made) => Ok(CustomRoleModel::from_graph(made).into()),
            Err(e) => {
                let diags = graph_error(
                    TYPE_NAME,
                    format!("Creating custom role {name:?}"),
                    &e.error,
                );
                Err(match e.made {
                    Some(id) => Failed::leaving(
                        CustomRoleModel {
                            id: Maybe::Known(id),
                            ..req.planned
                        },
                        diags,
                    ),
                    None => diags.into(),
                })
            }
        }
    }

    async fn read(
        &self,
        ctx: &Ctx,
        req: ReadRequest<CustomRoleModel>,
    ) -> Result<Done<Option<CustomRoleModel>>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.state.id.known().cloned() else {
            return Ok(None.into());
        };
        let call = call_for(ctx, None, Op::Read);
        let found = client
            .graph
            .find_role_definition(&call, &id)
            .await
            .map_err(|e| graph_error(TYPE_NAME, format!("Retrieving custom role {id}"), &e))?;
        match found {
            Some(d) if d.is_built_in => Err(Diagnostic::error(
                "Not a custom role",
                format!(
                    "Role definition {id} ({:?}) is a built-in role; {TYPE_NAME} manages custom roles only. \
                     Refer to built-in roles with the entra_role_definition data source.",
                    d.display_name
                ),
            )
            .into()),
            Some(d) => Ok(Some(CustomRoleModel::from_graph(d)).into()),
            None => {
                tracing::info!(id, "custom role was not found - removing from state");
                Ok(None.into())
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        req: UpdateRequest<CustomRoleModel>,
    ) -> Result<Done<CustomRoleModel>, Failed<CustomRoleModel>> {
        let client = ctx.data()?;
        let id = req.prior.id.known().cloned().unwrap_or_default();
        let call = call_for(ctx, None, Op::Update);
        let updated = client
            .graph
            .update_custom_role(&call, &id, &req.planned.body())
            .await
            .map_err(|e| graph_error(TYPE_NAME, format!("Updating custom role {id}"), &e))?;
        Ok(CustomRoleModel::from_graph(updated).into())
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        req: DeleteRequest<CustomRoleModel>,
    ) -> Result<Done<()>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.prior.id.known().cloned() else {
            return Ok(().into());
        };
        let call = call_for(ctx, None, Op::Delete);
        client
            .graph
            .delete_custom_role(&call, &id)
            .await
            .map_err(|e| graph_error(TYPE_NAME, format!("Deleting custom role {id}"), &e))?;
        Ok(().into())
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<CustomRoleModel, Diagnostics> {
        let trimmed = id
            .trim()
            .trim_start_matches("/roleManagement/directory/roleDefinitions/");
        if trimmed.is_empty() || trimmed.contains('/') {
            return Err(Diagnostic::error(
                "Invalid import id",
                format!("Expected a custom role definition ID; got {id:?}."),
            )
            .into());
        }
        Ok(CustomRoleModel {
            id: Maybe::Known(trimmed.to_owned()),
            ..CustomRoleModel::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags_for(action: &str) -> Diagnostics {
        let mut diags = Diagnostics::new();
        DirectoryAction.validate(
            &Value::string(action),
            &AttributePath::root("allowed_resource_actions"),
            &mut diags,
        );
        diags
    }

    #[test]
    fn actions_are_checked_on_the_attribute() {
        assert!(diags_for("microsoft.directory/groups/create").0.is_empty());
        let misspelt = diags_for("microsoft.directory/groups/member/read");
        assert!(
            misspelt.0[0]
                .detail
                .contains("microsoft.directory/groups/members/read")
        );
        assert!(misspelt.has_error());
        let outside = diags_for("microsoft.directory/applications/create");
        assert!(!outside.has_error());
        assert_eq!(
            outside.0[0].summary,
            "Action has no effect at administrative unit scope"
        );
    }

    #[test]
    fn the_body_sorts_actions_and_defaults_to_enabled() {
        let model = CustomRoleModel {
            display_name: Maybe::Known("Integration".into()),
            allowed_resource_actions: Maybe::Known(vec![
                "microsoft.directory/groups/create".into(),
                "microsoft.directory/groups/basic/update".into(),
            ]),
            ..CustomRoleModel::default()
        };
        let body = model.body();
        assert!(body.is_enabled);
        assert_eq!(
            body.role_permissions[0].allowed_resource_actions[0],
            "microsoft.directory/groups/basic/update"
        );
    }
}
