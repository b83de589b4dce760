//! `entra_au_scoped_role_assignment`: a directory role, built-in or custom, granted
//! to a principal at one administrative unit's scope. Backed by
//! `roleManagement/directory/roleAssignments` with `directoryScopeId =
//! /administrativeUnits/{id}`, so custom roles work; assignments made through
//! `scopedRoleMembers` are the same assignments and import too.

use async_trait::async_trait;

use super::common::{
    Op, call, call_for, graph_error, note_recent, parse_import_id, planned_unit, string_of,
    timeouts_block, timeouts_only_update,
};
use crate::framework::validators::IsUuid;
use crate::framework::{
    Attribute, Block, CreateFailed, CreateRequest, Ctx, DeleteRequest, Diagnostic, Diagnostics,
    ModifyPlanRequest, ReadRequest, Resource, Schema, UpdateRequest, Value,
};
use crate::graph::models::{RoleAssignment, RoleDefinition};
use crate::graph::{Call, GraphClient, GraphError, is_conflict};
use crate::ids::ScopedRoleAssignmentImportId;
use crate::provider::EntraClient;
use crate::roles;

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_au_scoped_role_assignment";

const SCOPE_PREFIX: &str = "/administrativeUnits/";

/// The `entra_au_scoped_role_assignment` resource.
#[derive(Debug, Clone, Copy)]
pub struct AuScopedRoleAssignmentResource;

/// The state of an assignment as Graph describes it.
fn state(
    assignment: &RoleAssignment,
    role_name: Option<String>,
    principal_type: Option<String>,
    timeouts: Value,
) -> Value {
    let au = assignment
        .directory_scope_id
        .strip_prefix(SCOPE_PREFIX)
        .unwrap_or_default();
    Value::object([
        ("id", Value::opt_string(assignment.id.clone())),
        ("administrative_unit_id", Value::string(au)),
        (
            "role_definition_id",
            Value::string(assignment.role_definition_id.clone()),
        ),
        (
            "principal_id",
            Value::string(assignment.principal_id.clone()),
        ),
        ("role_display_name", Value::opt_string(role_name)),
        ("principal_type", Value::opt_string(principal_type)),
        ("timeouts", timeouts),
    ])
}

/// `user`, `group` or `servicePrincipal`, from the expanded principal.
fn principal_type(assignment: &RoleAssignment) -> Option<String> {
    assignment
        .principal
        .as_ref()
        .and_then(|p| p.kind())
        .map(ToOwned::to_owned)
}

/// Why a role definition cannot be granted at AU scope, if it cannot.
fn scopability_problem(definition: &RoleDefinition) -> Option<String> {
    if definition.is_built_in {
        let template = definition.template_id.as_deref().unwrap_or(&definition.id);
        (!roles::is_au_scopable_built_in(template)).then(|| {
            format!(
                "The built-in role {:?} cannot be assigned at administrative unit scope. Roles that can: {}.",
                definition.display_name,
                roles::scopable_roles_sentence()
            )
        })
    } else {
        let actions = definition
            .role_permissions
            .iter()
            .flat_map(|p| &p.allowed_resource_actions);
        let mut any = false;
        let mut scopable = false;
        for action in actions {
            any = true;
            scopable |= roles::is_au_scopable_permission(action);
        }
        (!scopable).then(|| {
            format!(
                "The custom role {:?} has {} permission on users, groups or devices, so it cannot be assigned \
                 at administrative unit scope. Add a permission such as microsoft.directory/users/basic/update \
                 or microsoft.directory/groups/members/update.",
                definition.display_name,
                if any { "no" } else { "no permissions at all, and no" }
            )
        })
    }
}

async fn role_name(graph: &GraphClient, call: &Call, id: &str) -> Option<String> {
    graph
        .role_definition(call, id)
        .await
        .ok()
        .map(|d| d.display_name)
}

#[async_trait]
impl Resource<EntraClient> for AuScopedRoleAssignmentResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts_block();
        Schema::new(
            Block::new(
                "Grants a directory role to a user, role-assignable group or service principal at the scope of \
                 one administrative unit: the role then applies only to the unit's members. Built-in roles that \
                 support AU scope and custom roles with user, group or device permissions are accepted.",
            )
            .attribute(Attribute::string("id").computed().use_state_for_unknown().describe("The role assignment ID."))
            .attribute(
                Attribute::string("administrative_unit_id")
                    .required()
                    .requires_replace()
                    .validate(IsUuid)
                    .describe("The object ID of the administrative unit that scopes the role."),
            )
            .attribute(
                Attribute::string("role_definition_id")
                    .required()
                    .requires_replace()
                    .validate(IsUuid)
                    .describe(
                        "The role: a built-in role's template ID (e.g. `729827e3-9c14-49f7-bb1b-9608f156bbb8` for \
                         Helpdesk Administrator) or a custom role definition's ID.",
                    ),
            )
            .attribute(
                Attribute::string("principal_id")
                    .required()
                    .requires_replace()
                    .validate(IsUuid)
                    .describe("The object ID of the user, role-assignable group or service principal."),
            )
            .attribute(
                Attribute::string("role_display_name")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The role's display name."),
            )
            .attribute(
                Attribute::string("principal_type")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The kind of principal: `user`, `group` or `servicePrincipal`."),
            )
            .block(timeouts, nesting, timeouts_block),
        )
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("role_definition_id").as_str().and_then(roles::tenant_only_built_in) {
            Some(name) => Diagnostic::attribute_error(
                "role_definition_id",
                "Role cannot be scoped to an administrative unit",
                format!(
                    "{name} is a tenant-wide role and cannot be assigned at administrative unit scope. Roles that \
                     can: {}.",
                    roles::scopable_roles_sentence()
                ),
            )
            .into(),
            None => Diagnostics::new(),
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<EntraClient>,
        req: &mut ModifyPlanRequest,
    ) -> Diagnostics {
        if !req.prior.is_null() {
            return Diagnostics::new();
        }
        let (Some(role), Ok(client)) = (string_of(&req.planned, "role_definition_id"), ctx.data())
        else {
            return Diagnostics::new();
        };
        let call = call_for(ctx, &req.planned, Op::Read);
        let definition = match client.graph.settled_role_definition(&call, &role).await {
            Ok(Some(definition)) => definition,
            Ok(None) => {
                return Diagnostic::attribute_error(
                    "role_definition_id",
                    "Role definition not found",
                    format!(
                        "No built-in role template or custom role definition has the ID {role}."
                    ),
                )
                .into();
            }
            Err(e) => {
                return graph_error(TYPE_NAME, format!("Retrieving role definition {role}"), &e);
            }
        };
        if let Some(problem) = scopability_problem(&definition) {
            return Diagnostic::attribute_error(
                "role_definition_id",
                "Role cannot be scoped to an administrative unit",
                problem,
            )
            .into();
        }
        req.planned
            .set("role_display_name", Value::string(definition.display_name));
        if let Some(au) = string_of(&req.planned, "administrative_unit_id")
            && let Err(problem) = planned_unit(&client.graph, &call, &au).await
        {
            return problem;
        }
        if let Some(principal) = string_of(&req.planned, "principal_id")
            && let Some(problem) = group_not_role_assignable(&client.graph, &call, &principal).await
        {
            return problem;
        }
        // An assignment that exists already is someone else's: say so at plan.
        if let Some(wanted) = wanted_assignment(&req.planned)
            && let Ok(Some(existing)) = client
                .graph
                .find_matching_role_assignment(&call, &wanted)
                .await
        {
            return already_exists(existing.id.as_deref());
        }
        Diagnostics::new()
    }

    async fn create(
        &self,
        ctx: &Ctx<EntraClient>,
        req: CreateRequest,
    ) -> Result<Value, CreateFailed> {
        let client = ctx.data()?;
        let call = call_for(ctx, &req.planned, Op::Create);
        let Some(wanted) = wanted_assignment(&req.planned) else {
            return Err(Diagnostic::error("Assigning role", "Missing ids in the plan.").into());
        };
        let action = format!(
            "Assigning role {} to {} at administrative unit {}",
            wanted.role_definition_id,
            wanted.principal_id,
            wanted.directory_scope_id.trim_start_matches(SCOPE_PREFIX)
        );
        // A matching assignment that exists before this create is someone else's, even
        // if a retried create later meets it: refuse it now, as without any failure.
        if let Some(existing) = client
            .graph
            .find_matching_role_assignment(&call, &wanted)
            .await
            .map_err(|e| graph_error(TYPE_NAME, &action, &e))?
        {
            return Err(already_exists(existing.id.as_deref()).into());
        }
        let created = match client.graph.create_role_assignment(&call, &wanted).await {
            Ok(created) => created,
            Err(e) if is_conflict(&e) => {
                let existing = client
                    .graph
                    .settled_matching_role_assignment(&call, &wanted)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|a| a.id);
                return Err(already_exists(existing.as_deref()).into());
            }
            Err(e) => return Err(create_error(&action, &e).into()),
        };
        let id = created.id.clone().unwrap_or_default();
        let name = match string_of(&req.planned, "role_display_name") {
            Some(name) => Some(name),
            None => role_name(&client.graph, &call, &wanted.role_definition_id).await,
        };
        let timeouts = req.planned.get("timeouts").clone();
        match client.graph.get_role_assignment(&call, &id).await {
            Ok(read) => Ok(state(&read, name, principal_type(&read), timeouts)),
            Err(e) => Err(CreateFailed::leaving(
                state(&created, name, None, timeouts),
                graph_error(TYPE_NAME, &action, &e),
            )),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<EntraClient>,
        req: ReadRequest,
    ) -> Result<Option<Value>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = string_of(&req.state, "id") else {
            return Ok(None);
        };
        let call = call_for(ctx, &req.state, Op::Read);
        let au = string_of(&req.state, "administrative_unit_id");
        let found = client
            .graph
            .administrative_unit_role_assignment(&call, au.as_deref(), &id)
            .await
            .map_err(|e| graph_error(TYPE_NAME, format!("Retrieving role assignment {id}"), &e))?;
        let Some(assignment) = found else {
            tracing::info!(id, "role assignment was not found - removing from state");
            return Ok(None);
        };
        if !assignment.directory_scope_id.starts_with(SCOPE_PREFIX) {
            return Err(Diagnostic::error(
                "Not an administrative unit role assignment",
                format!(
                    "Role assignment {id} has scope {:?}, not an administrative unit. Manage tenant-wide \
                     assignments with another resource.",
                    assignment.directory_scope_id
                ),
            )
            .into());
        }
        let name = match string_of(&req.state, "role_display_name") {
            Some(name) => Some(name),
            None => role_name(&client.graph, &call, &assignment.role_definition_id).await,
        };
        let kind = principal_type(&assignment).or_else(|| string_of(&req.state, "principal_type"));
        Ok(Some(state(
            &assignment,
            name,
            kind,
            req.state.get("timeouts").clone(),
        )))
    }

    async fn update(
        &self,
        _ctx: &Ctx<EntraClient>,
        req: UpdateRequest,
    ) -> Result<Value, Diagnostics> {
        Ok(timeouts_only_update(&req))
    }

    async fn delete(
        &self,
        ctx: &Ctx<EntraClient>,
        req: DeleteRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = string_of(&req.prior, "id") else {
            return Ok(Diagnostics::new());
        };
        let call = call_for(ctx, &req.prior, Op::Delete);
        note_recent(&client.graph, req.touched, &[id.as_str()]);
        client
            .graph
            .delete_role_assignment(&call, &id)
            .await
            .map(|()| Diagnostics::new())
            .map_err(|e| graph_error(TYPE_NAME, format!("Removing role assignment {id}"), &e))
    }

    async fn import(&self, ctx: &Ctx<EntraClient>, id: &str) -> Result<Value, Diagnostics> {
        let parsed: ScopedRoleAssignmentImportId = parse_import_id(id)?;
        let assignment_id = match parsed {
            ScopedRoleAssignmentImportId::RoleAssignment(id) => id,
            ScopedRoleAssignmentImportId::ScopedRoleMember {
                administrative_unit_id,
                membership_id,
            } => {
                let client = ctx.data()?;
                assignment_for_scoped_member(
                    &client.graph,
                    &call(ctx),
                    &administrative_unit_id,
                    &membership_id,
                )
                .await?
            }
        };
        Ok(Value::object([
            ("id", Value::string(assignment_id)),
            ("administrative_unit_id", Value::Null),
            ("role_definition_id", Value::Null),
            ("principal_id", Value::Null),
            ("role_display_name", Value::Null),
            ("principal_type", Value::Null),
            ("timeouts", Value::Null),
        ]))
    }
}

/// Finds the role assignment behind a scoped role membership (made by `azuread` or
/// another tool through `scopedRoleMembers`).
async fn assignment_for_scoped_member(
    graph: &GraphClient,
    call: &Call,
    au: &str,
    membership: &str,
) -> Result<String, Diagnostics> {
    let action = format!("Finding scoped role member {membership} of administrative unit {au}");
    let member = graph
        .get_scoped_role_member(call, au, membership)
        .await
        .map_err(|e| graph_error(TYPE_NAME, &action, &e))?;
    let role = graph
        .get_directory_role(call, &member.role_id)
        .await
        .map_err(|e| graph_error(TYPE_NAME, &action, &e))?;
    let candidates = graph
        .list_administrative_unit_role_assignments(call, au)
        .await
        .map_err(|e| graph_error(TYPE_NAME, &action, &e))?;
    candidates
        .into_iter()
        .find(|a| a.principal_id == member.role_member_info.id && a.role_definition_id.eq_ignore_ascii_case(&role.role_template_id))
        .and_then(|a| a.id)
        .ok_or_else(|| {
            Diagnostic::error(
                &action,
                "The scoped role membership exists, but no matching role assignment was found at that scope.",
            )
            .into()
        })
}

/// A group principal that cannot hold a directory role (`isAssignableToRole` false).
/// Users, service principals, and groups this app may not read pass (Graph decides).
async fn group_not_role_assignable(
    graph: &GraphClient,
    call: &Call,
    principal: &str,
) -> Option<Diagnostics> {
    let group: serde_json::Value = graph
        .get_group(call, principal, "id,displayName,isAssignableToRole")
        .await
        .ok()?;
    if group["isAssignableToRole"].as_bool() == Some(true) {
        return None;
    }
    let name = group["displayName"].as_str().unwrap_or(principal);
    Some(
        Diagnostic::attribute_error(
            "principal_id",
            "Group cannot hold a directory role",
            format!(
                "Group {name:?} ({principal}) is not role-assignable (isAssignableToRole is false). Only groups \
                 created with isAssignableToRole = true can hold a role; that setting cannot be changed later. \
                 Use a role-assignable group, or assign the role to the users or service principal directly."
            ),
        )
        .into(),
    )
}

/// The assignment a plan asks for.
fn wanted_assignment(planned: &Value) -> Option<RoleAssignment> {
    Some(RoleAssignment {
        id: None,
        role_definition_id: string_of(planned, "role_definition_id")?,
        principal_id: string_of(planned, "principal_id")?,
        directory_scope_id: format!(
            "{SCOPE_PREFIX}{}",
            string_of(planned, "administrative_unit_id")?
        ),
        principal: None,
    })
}

/// An assignment that exists already and was not made by this resource.
fn already_exists(existing: Option<&str>) -> Diagnostics {
    let id = existing.unwrap_or("<role assignment id>");
    Diagnostic::error(
        "Role assignment already exists",
        format!(
            "The principal already holds this role at this administrative unit's scope. To manage that \
             assignment with Terraform, import it: terraform import {TYPE_NAME}.<name> {id}  (or an import \
             block with id = \"{id}\")."
        ),
    )
    .into()
}

/// Graph's refusal of a role that cannot be scoped, in the words used at plan time.
fn create_error(action: &str, err: &GraphError) -> Diagnostics {
    let message = err.api().map(|a| a.message.clone()).unwrap_or_default();
    if err.status() == Some(400)
        && message.contains("not supported to be assigned to a single resource scope")
    {
        return Diagnostic::attribute_error(
            "role_definition_id",
            "Role cannot be scoped to an administrative unit",
            format!(
                "{message} Roles that can: {}.",
                roles::scopable_roles_sentence()
            ),
        )
        .into();
    }
    graph_error(TYPE_NAME, action, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::RolePermission;

    fn definition(built_in: bool, id: &str, actions: &[&str]) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            display_name: "Role".into(),
            description: None,
            is_built_in: built_in,
            template_id: Some(id.into()),
            role_permissions: vec![RolePermission {
                allowed_resource_actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            }],
        }
    }

    #[test]
    fn scopability_of_built_in_and_custom_roles() {
        assert!(
            scopability_problem(&definition(
                true,
                "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                &[]
            ))
            .is_none()
        );
        let global = scopability_problem(&definition(
            true,
            "62e90394-69f5-4237-9190-012177145e10",
            &[],
        ))
        .unwrap();
        assert!(
            global.contains("Helpdesk Administrator"),
            "lists the roles that can: {global}"
        );
        assert!(
            scopability_problem(&definition(
                false,
                "c",
                &["microsoft.directory/groups/create"]
            ))
            .is_none()
        );
        assert!(
            scopability_problem(&definition(
                false,
                "c",
                &["microsoft.directory/applications/create"]
            ))
            .is_some()
        );
    }

    #[test]
    fn schema_matches_state() {
        let a = RoleAssignment {
            id: Some("x".into()),
            role_definition_id: "r".into(),
            principal_id: "p".into(),
            directory_scope_id: "/administrativeUnits/au".into(),
            principal: None,
        };
        let value = state(&a, None, None, Value::Null);
        assert_eq!(value.get("administrative_unit_id").as_str(), Some("au"));
        let crate::framework::Type::Object(attrs) = AuScopedRoleAssignmentResource.schema().ty()
        else {
            panic!()
        };
        let keys: Vec<_> = value.as_map().unwrap().keys().cloned().collect();
        assert_eq!(keys, attrs.keys().cloned().collect::<Vec<_>>());
    }
}
