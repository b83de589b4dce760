//! `entra_au_scoped_role_assignment`: a directory role, built-in or custom, granted
//! to a principal at one administrative unit's scope. Backed by
//! `roleManagement/directory/roleAssignments` with `directoryScopeId =
//! /administrativeUnits/{id}`, so custom roles work; assignments made through
//! `scopedRoleMembers` are the same assignments and import too.

use async_trait::async_trait;
use provider_framework::timeouts::{self, Op};
use provider_framework::validators::IsUuid;
use provider_framework::{
    Attribute, Block, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, Done, Failed, Maybe,
    ModifyPlanRequest, MoveSource, ReadRequest, Resource, Schema, Timeouts, UpdateRequest,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::graph::models::{RoleAssignment, RoleDefinition};
use crate::graph::role_catalog::{self, Unscopable};
use crate::graph::{Call, GraphClient, GraphError, is_conflict};
use crate::ids::ScopedRoleAssignmentImportId;
use crate::support::{
    Ctx, call, call_for, graph_error, note_recent, parse_import_id, planned_unit, premium_warning,
};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_au_scoped_role_assignment";

const SCOPE_PREFIX: &str = "/administrativeUnits/";

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuScopedRoleAssignmentModel {
    /// The role assignment id.
    pub id: Maybe<String>,
    /// The unit that scopes the role.
    pub administrative_unit_id: Maybe<String>,
    /// The role (template id or custom definition id).
    pub role_definition_id: Maybe<String>,
    /// Who holds the role.
    pub principal_id: Maybe<String>,
    /// The role's display name.
    pub role_display_name: Maybe<String>,
    /// `user`, `group` or `servicePrincipal`.
    pub principal_type: Maybe<String>,
    /// How long operations may take.
    pub timeouts: Option<Timeouts>,
}

impl AuScopedRoleAssignmentModel {
    /// The assignment a plan asks for, when its ids are known.
    fn wanted(&self) -> Option<RoleAssignment> {
        Some(RoleAssignment {
            id: None,
            role_definition_id: self.role_definition_id.known()?.clone(),
            principal_id: self.principal_id.known()?.clone(),
            directory_scope_id: format!("{SCOPE_PREFIX}{}", self.administrative_unit_id.known()?),
            principal: None,
        })
    }

    /// The state of an assignment as Graph describes it.
    fn of(
        assignment: &RoleAssignment,
        role_name: Option<String>,
        principal_type: Option<String>,
        timeouts: Option<Timeouts>,
    ) -> AuScopedRoleAssignmentModel {
        let au = assignment
            .directory_scope_id
            .strip_prefix(SCOPE_PREFIX)
            .unwrap_or_default();
        AuScopedRoleAssignmentModel {
            id: Maybe::from_option(assignment.id.clone()),
            administrative_unit_id: Maybe::Known(au.to_owned()),
            role_definition_id: Maybe::Known(assignment.role_definition_id.clone()),
            principal_id: Maybe::Known(assignment.principal_id.clone()),
            role_display_name: Maybe::from_option(role_name),
            principal_type: Maybe::from_option(principal_type),
            timeouts,
        }
    }
}

/// The `entra_au_scoped_role_assignment` resource.
#[derive(Debug, Clone, Copy)]
pub struct AuScopedRoleAssignmentResource;

/// `user`, `group` or `servicePrincipal`, from the expanded principal.
fn principal_type(assignment: &RoleAssignment) -> Option<String> {
    assignment
        .principal
        .as_ref()
        .and_then(|p| p.kind())
        .map(ToOwned::to_owned)
}

/// Why a role definition cannot be granted at AU scope, in words, if it cannot.
fn scopability_problem(definition: &RoleDefinition) -> Option<String> {
    Some(match role_catalog::unscopable(definition)? {
        Unscopable::TenantWideBuiltIn => format!(
            "The built-in role {:?} cannot be assigned at administrative unit scope. Roles that can: {}.",
            definition.display_name,
            role_catalog::scopable_roles_sentence()
        ),
        Unscopable::NoPermissions => format!(
            "The custom role {:?} has no permissions, so it cannot be assigned at administrative unit scope.",
            definition.display_name
        ),
        Unscopable::ActionsOutsideUnitScope(actions) => format!(
            "The custom role {:?} has actions that cannot take effect at administrative unit scope: {}. \
             Only actions on users, groups and devices (microsoft.directory/users/..., \
             microsoft.directory/groups/..., microsoft.directory/devices/...) can be granted at a unit's \
             scope; move the others to a role assigned tenant-wide.",
            definition.display_name,
            actions.join(", ")
        ),
    })
}

async fn role_name(graph: &GraphClient, call: &Call, id: &str) -> Option<String> {
    graph
        .role_definition(call, id)
        .await
        .ok()
        .map(|d| d.display_name)
}

/// The plan-time checks of a new assignment: the role exists and can be scoped, the
/// unit exists, a group principal is role-assignable, and no such assignment exists.
async fn plan_checks(
    ctx: &Ctx,
    req: &mut ModifyPlanRequest<AuScopedRoleAssignmentModel>,
) -> Diagnostics {
    let (Some(role), Ok(client)) = (req.planned.role_definition_id.known().cloned(), ctx.data())
    else {
        return Diagnostics::new();
    };
    let call = call_for(ctx, req.planned.timeouts.as_ref(), Op::Read);
    let definition = match client.graph.settled_role_definition(&call, &role).await {
        Ok(Some(definition)) => definition,
        Ok(None) => {
            return Diagnostic::attribute_error(
                "role_definition_id",
                "Role definition not found",
                format!("No built-in role template or custom role definition has the ID {role}."),
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
    req.planned.role_display_name = Maybe::Known(definition.display_name);
    if let Some(au) = req.planned.administrative_unit_id.known()
        && let Err(problem) = planned_unit(&client.graph, &call, au).await
    {
        return problem;
    }
    if let Some(principal) = req.planned.principal_id.known()
        && let Some(problem) = group_not_role_assignable(&client.graph, &call, principal).await
    {
        return problem;
    }
    // An assignment that exists already is someone else's: say so at plan.
    if let Some(wanted) = req.planned.wanted()
        && let Ok(Some(existing)) = client
            .graph
            .find_matching_role_assignment(&call, &wanted)
            .await
    {
        return already_exists(existing.id.as_deref());
    }
    Diagnostics::new()
}

#[async_trait]
impl Resource<EntraClient> for AuScopedRoleAssignmentResource {
    type Model = AuScopedRoleAssignmentModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts::block("5m");
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

    async fn validate(&self, config: &AuScopedRoleAssignmentModel) -> Diagnostics {
        match config
            .role_definition_id
            .as_deref()
            .and_then(role_catalog::tenant_only_built_in)
        {
            Some(name) => Diagnostic::attribute_error(
                "role_definition_id",
                "Role cannot be scoped to an administrative unit",
                format!(
                    "{name} is a tenant-wide role and cannot be assigned at administrative unit scope. Roles that \
                     can: {}.",
                    role_catalog::scopable_roles_sentence()
                ),
            )
            .into(),
            None => Diagnostics::new(),
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        req: &mut ModifyPlanRequest<AuScopedRoleAssignmentModel>,
    ) -> Diagnostics {
        if let Some(prior) = &req.prior {
            return unread_move(prior);
        }
        let mut diags = match ctx.data() {
            Ok(client) => {
                premium_warning(
                    ctx,
                    client,
                    "administrative_unit_id",
                    "the role has no effect at the unit's scope",
                )
                .await
            }
            Err(_) => Diagnostics::new(),
        };
        diags.extend(plan_checks(ctx, req).await);
        diags
    }

    async fn create(
        &self,
        ctx: &Ctx,
        req: CreateRequest<AuScopedRoleAssignmentModel>,
    ) -> Result<Done<AuScopedRoleAssignmentModel>, Failed<AuScopedRoleAssignmentModel>> {
        let client = ctx.data()?;
        let planned = req.planned;
        let call = call_for(ctx, planned.timeouts.as_ref(), Op::Create);
        let Some(wanted) = planned.wanted() else {
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
            Err(e) => {
                // A role made in this same plan was not known at plan time: explain
                // Graph's refusal of its scope with the same words plan would have used.
                let problem = match e.status() {
                    Some(400) => client
                        .graph
                        .role_definition(&call, &wanted.role_definition_id)
                        .await
                        .ok()
                        .and_then(|d| scopability_problem(&d)),
                    _ => None,
                };
                return Err(match problem {
                    Some(problem) => Diagnostic::attribute_error(
                        "role_definition_id",
                        "Role cannot be scoped to an administrative unit",
                        problem,
                    )
                    .into(),
                    None => create_error(&action, &e).into(),
                });
            }
        };
        let id = created.id.clone().unwrap_or_default();
        let name = match planned.role_display_name.known() {
            Some(name) => Some(name.clone()),
            None => role_name(&client.graph, &call, &wanted.role_definition_id).await,
        };
        let timeouts = planned.timeouts;
        match client.graph.get_role_assignment(&call, &id).await {
            Ok(read) => {
                Ok(
                    AuScopedRoleAssignmentModel::of(&read, name, principal_type(&read), timeouts)
                        .into(),
                )
            }
            Err(e) => Err(Failed::leaving(
                AuScopedRoleAssignmentModel::of(&created, name, None, timeouts),
                graph_error(TYPE_NAME, &action, &e),
            )),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx,
        req: ReadRequest<AuScopedRoleAssignmentModel>,
    ) -> Result<Done<Option<AuScopedRoleAssignmentModel>>, Diagnostics> {
        let client = ctx.data()?;
        let state = req.state;
        let Some(id) = state.id.known().cloned() else {
            return Ok(None.into());
        };
        let call = call_for(ctx, state.timeouts.as_ref(), Op::Read);
        let id = match id.parse::<ScopedRoleAssignmentImportId>() {
            // Moved from azuread_administrative_unit_role_member: find the assignment.
            Ok(ScopedRoleAssignmentImportId::ScopedRoleMember {
                administrative_unit_id,
                membership_id,
            }) => {
                assignment_for_scoped_member(
                    &client.graph,
                    &call,
                    &administrative_unit_id,
                    &membership_id,
                )
                .await?
            }
            _ => id,
        };
        let found = client
            .graph
            .administrative_unit_role_assignment(
                &call,
                state.administrative_unit_id.as_deref(),
                &id,
            )
            .await
            .map_err(|e| graph_error(TYPE_NAME, format!("Retrieving role assignment {id}"), &e))?;
        let Some(assignment) = found else {
            tracing::info!(id, "role assignment was not found - removing from state");
            return Ok(None.into());
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
        let name = match state.role_display_name.known() {
            Some(name) => Some(name.clone()),
            None => role_name(&client.graph, &call, &assignment.role_definition_id).await,
        };
        let kind = principal_type(&assignment).or_else(|| state.principal_type.known().cloned());
        Ok(Some(AuScopedRoleAssignmentModel::of(
            &assignment,
            name,
            kind,
            state.timeouts,
        ))
        .into())
    }

    async fn update(
        &self,
        _ctx: &Ctx,
        req: UpdateRequest<AuScopedRoleAssignmentModel>,
    ) -> Result<Done<AuScopedRoleAssignmentModel>, Failed<AuScopedRoleAssignmentModel>> {
        // Every identifying argument forces replacement: only the timeouts change.
        Ok(AuScopedRoleAssignmentModel {
            timeouts: req.planned.timeouts,
            ..req.prior
        }
        .into())
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        req: DeleteRequest<AuScopedRoleAssignmentModel>,
    ) -> Result<Done<()>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.prior.id.as_deref() else {
            return Ok(().into());
        };
        let call = call_for(ctx, req.prior.timeouts.as_ref(), Op::Delete);
        note_recent(&client.graph, req.touched, &[id]);
        client
            .graph
            .delete_role_assignment(&call, id)
            .await
            .map(Done::from)
            .map_err(|e| graph_error(TYPE_NAME, format!("Removing role assignment {id}"), &e))
    }

    /// Offline (Terraform moves state before it configures the provider): an
    /// assignment id moves as it is; a scoped role membership keeps its azuread id
    /// until the first read finds the assignment behind it.
    async fn move_state(
        &self,
        _ctx: &Ctx,
        from: &MoveSource,
    ) -> Option<Result<AuScopedRoleAssignmentModel, Diagnostics>> {
        let id = match super::from_azuread::scoped_role_assignment(from)? {
            Ok(id) => id,
            Err(e) => return Some(Err(e)),
        };
        let principal = from
            .string("principal_object_id")
            .or_else(|| from.string("member_object_id"));
        let model = match parse_import_id::<ScopedRoleAssignmentImportId>(&id) {
            Ok(ScopedRoleAssignmentImportId::RoleAssignment(assignment)) => {
                AuScopedRoleAssignmentModel {
                    id: Maybe::Known(assignment),
                    role_definition_id: Maybe::from_option(
                        from.string("role_id").map(ToOwned::to_owned),
                    ),
                    ..AuScopedRoleAssignmentModel::default()
                }
            }
            Ok(ScopedRoleAssignmentImportId::ScopedRoleMember {
                administrative_unit_id,
                ..
            }) => AuScopedRoleAssignmentModel {
                id: Maybe::Known(id),
                administrative_unit_id: Maybe::Known(administrative_unit_id),
                ..AuScopedRoleAssignmentModel::default()
            },
            Err(e) => return Some(Err(e)),
        };
        Some(Ok(AuScopedRoleAssignmentModel {
            principal_id: Maybe::from_option(principal.map(ToOwned::to_owned)),
            ..model
        }))
    }

    async fn import(
        &self,
        ctx: &Ctx,
        id: &str,
    ) -> Result<AuScopedRoleAssignmentModel, Diagnostics> {
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
        Ok(AuScopedRoleAssignmentModel {
            id: Maybe::Known(assignment_id),
            ..AuScopedRoleAssignmentModel::default()
        })
    }
}

/// A state moved from azuread that no read has completed yet (`-refresh=false`)
/// cannot be compared with its configuration: say so rather than plan a replacement.
fn unread_move(prior: &AuScopedRoleAssignmentModel) -> Diagnostics {
    let moved = prior
        .id
        .known()
        .and_then(|id| id.parse::<ScopedRoleAssignmentImportId>().ok());
    if let Some(ScopedRoleAssignmentImportId::ScopedRoleMember { .. }) = moved {
        return Diagnostic::error(
            "Moved state not read yet",
            "This assignment was moved from azuread_administrative_unit_role_member and keeps that \
             resource's id until a refresh finds the role assignment behind it. Plan without \
             -refresh=false once.",
        )
        .into();
    }
    Diagnostics::new()
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
                role_catalog::scopable_roles_sentence()
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
            is_enabled: Some(true),
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
        let mixed = scopability_problem(&definition(
            false,
            "c",
            &[
                "microsoft.directory/groups/create",
                "microsoft.directory/applications/create",
            ],
        ))
        .unwrap();
        assert!(
            mixed.contains("microsoft.directory/applications/create")
                && !mixed.contains("groups/create"),
            "names only the actions that cannot take effect: {mixed}"
        );
    }

    #[test]
    fn the_state_names_the_unit_of_the_scope() {
        let a = RoleAssignment {
            id: Some("x".into()),
            role_definition_id: "r".into(),
            principal_id: "p".into(),
            directory_scope_id: "/administrativeUnits/au".into(),
            principal: None,
        };
        let model = AuScopedRoleAssignmentModel::of(&a, None, None, None);
        assert_eq!(model.administrative_unit_id.as_deref(), Some("au"));
        assert_eq!(
            model.wanted().map(|w| w.directory_scope_id),
            Some(a.directory_scope_id)
        );
    }
}
