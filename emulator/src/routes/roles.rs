//! Roles: `directoryRoleTemplates`, `directoryRoles` (+ activation), unified RBAC
//! (`roleManagement/directory/roleDefinitions|roleAssignments`) and AU
//! `scopedRoleMembers`. Both assignment views read the same stored assignments.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::administrative_units::{prefixes, visible_au};
use super::{Ctx, json, json_object, no_content};
use crate::AppState;
use crate::auth::perms;
use crate::error::{AppError, AppResult};
use crate::filter::Filter;
use crate::odata;
use crate::store::model::{CustomRole, DirObject, RoleAssignment};
use crate::store::roles::{activate_role, create_assignment, definition_json};
use crate::store::roles_catalog::{self, BUILTIN_ROLES};
use crate::store::{ObjectKind, Tenant};

/// Registers the role routes for `version`.
pub fn routes(mut r: Router<AppState>, version: &str) -> Router<AppState> {
    let v = format!("/{version}");
    r = r
        .route(&format!("{v}/directoryRoleTemplates"), get(list_templates))
        .route(
            &format!("{v}/directoryRoleTemplates/{{id}}"),
            get(get_template),
        )
        .route(
            &format!("{v}/directoryRoles"),
            get(list_roles).post(activate),
        )
        .route(&format!("{v}/directoryRoles/{{id}}"), get(get_role))
        .route(
            &format!("{v}/directoryRoles/{{id}}/members"),
            get(role_members),
        )
        .route(
            &format!("{v}/directoryRoles/{{id}}/scopedMembers"),
            get(role_scoped_members),
        )
        .route(
            &format!("{v}/users/{{id}}/scopedRoleMemberOf"),
            get(scoped_role_member_of),
        );
    let rm = format!("{v}/roleManagement/directory");
    r = r
        .route(
            &format!("{rm}/roleDefinitions"),
            get(list_definitions).post(create_definition),
        )
        .route(
            &format!("{rm}/roleDefinitions/{{id}}"),
            get(get_definition)
                .patch(update_definition)
                .delete(delete_definition),
        )
        .route(
            &format!("{rm}/roleAssignments"),
            get(list_assignments).post(post_assignment),
        )
        .route(
            &format!("{rm}/roleAssignments/{{id}}"),
            get(get_assignment).delete(delete_assignment),
        );
    for p in prefixes(version) {
        let s = format!("{p}/{{id}}/scopedRoleMembers");
        r = r.route(&s, get(list_scoped).post(add_scoped)).route(
            &format!("{s}/{{membership}}"),
            get(get_scoped).delete(delete_scoped),
        );
    }
    r
}

fn template_json(role: &roles_catalog::BuiltinRole) -> Value {
    json!({
        "id": role.id,
        "deletedDateTime": null,
        "description": role.description,
        "displayName": role.name,
    })
}

fn with_context(ctx: &Ctx, fragment: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        Value::String(ctx.context(fragment)),
    );
    if let Value::Object(o) = v {
        m.extend(o);
    }
    Value::Object(m)
}

/// Filters, `$select`s and pages plain JSON items (role resources are not directory
/// objects, so `$filter` is applied leniently).
fn page_values(
    ctx: &Ctx,
    items: Vec<Map<String, Value>>,
) -> AppResult<(Vec<Value>, usize, Option<String>)> {
    let filter = ctx
        .query
        .filter
        .as_deref()
        .map(Filter::lenient)
        .transpose()?;
    let mut wrapped: Vec<DirObject> = items
        .into_iter()
        .map(|mut m| {
            let id = m
                .remove("id")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            DirObject {
                id,
                kind: ObjectKind::DirectoryRole,
                props: m,
                created_ms: 0,
                modified_ms: 0,
                deleted_date_time: None,
            }
        })
        .collect();
    wrapped.sort_by(|a, b| a.id.cmp(&b.id));
    let page = odata::page(wrapped.iter(), &ctx.query, filter.as_ref())?;
    let select = ctx.query.select_list().filter(|s| !s.is_empty());
    let value = page
        .items
        .iter()
        .map(|o| {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(o.id.clone()));
            m.extend(o.props.clone());
            if let Some(sel) = &select {
                m.retain(|k, _| sel.iter().any(|s| s == k));
            }
            Value::Object(m)
        })
        .collect();
    Ok((value, page.total, page.next_after))
}

fn collection_response(
    ctx: &Ctx,
    fragment: &str,
    items: Vec<Map<String, Value>>,
) -> AppResult<Response> {
    let (value, total, next) = page_values(ctx, items)?;
    Ok(json(
        StatusCode::OK,
        odata::collection(
            ctx.context(fragment),
            value,
            ctx.count_value(total),
            next.map(|n| ctx.next_link(&n)),
        ),
    ))
}

async fn list_templates(ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = BUILTIN_ROLES
        .iter()
        .filter_map(|r| template_json(r).as_object().cloned())
        .collect();
    collection_response(&ctx, "directoryRoleTemplates", items)
}

async fn get_template(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let role = roles_catalog::builtin(&id).ok_or_else(|| AppError::not_found(&id))?;
    Ok(json(
        StatusCode::OK,
        with_context(&ctx, "directoryRoleTemplates/$entity", template_json(role)),
    ))
}

fn role_json(o: &DirObject) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), Value::String(o.id.clone()));
    m.insert("deletedDateTime".into(), Value::Null);
    for k in ["description", "displayName", "roleTemplateId"] {
        m.insert(k.into(), o.props.get(k).cloned().unwrap_or(Value::Null));
    }
    m
}

async fn list_roles(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.read(|t| t.list(ObjectKind::DirectoryRole).map(role_json).collect());
    collection_response(&ctx, "directoryRoles", items)
}

async fn get_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state.read(|t| {
        t.get_kind(&id, ObjectKind::DirectoryRole)
            .map(|o| Value::Object(role_json(o)))
    })?;
    Ok(json(
        StatusCode::OK,
        with_context(&ctx, "directoryRoles/$entity", v),
    ))
}

/// `GET /directoryRoles(roleTemplateId='...')`: the activated role for a template.
pub fn get_by_template(state: &AppState, ctx: &Ctx, template: &str) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state
        .read(|t| {
            t.activated_role(template)
                .map(|o| Value::Object(role_json(o)))
        })
        .ok_or_else(|| AppError::not_found(template))?;
    Ok(json(
        StatusCode::OK,
        with_context(ctx, "directoryRoles/$entity", v),
    ))
}

/// `POST /directoryRoles {"roleTemplateId"}`: activates a role (201). Re-activating
/// an active role answers 400 (unconfirmed text).
async fn activate(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    let body = json_object(&body)?;
    let template = body
        .get("roleTemplateId")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::invalid_value("roleTemplateId", "DirectoryRole"))?
        .to_owned();
    for k in body.keys() {
        if !matches!(
            k.as_str(),
            "roleTemplateId" | "@odata.type" | "displayName" | "description"
        ) {
            return Err(AppError::bad_request(format!(
                "Property '{k}' does not exist as a declared property or extension property."
            )));
        }
    }
    let v = state.write(|t| -> AppResult<Value> {
        if t.activated_role(&template).is_some() {
            return Err(AppError::bad_request(
                "A conflicting object with one or more of the specified property values is present in the directory.",
            ));
        }
        let role = activate_role(t, &template)?;
        Ok(Value::Object(role_json(&role)))
    })?;
    Ok(json(
        StatusCode::CREATED,
        with_context(&ctx, "directoryRoles/$entity", v),
    ))
}

fn principal_json(t: &Tenant, id: &str) -> Option<Value> {
    let o = t.get(id)?;
    let mut m = Map::new();
    m.insert("@odata.type".into(), Value::String(o.kind.odata_type()));
    m.insert("id".into(), Value::String(o.id.clone()));
    m.insert(
        "displayName".into(),
        o.props.get("displayName").cloned().unwrap_or(Value::Null),
    );
    if o.kind == ObjectKind::User {
        m.insert(
            "userPrincipalName".into(),
            o.props
                .get("userPrincipalName")
                .cloned()
                .unwrap_or(Value::Null),
        );
    }
    Some(Value::Object(m))
}

async fn role_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let value = state.read(|t| -> AppResult<Vec<Value>> {
        let role = t.get_kind(&id, ObjectKind::DirectoryRole)?;
        let template = role.str_prop("roleTemplateId").unwrap_or_default();
        Ok(t.role_assignments
            .values()
            .filter(|a| {
                a.directory_scope_id == "/" && a.role_definition_id.eq_ignore_ascii_case(template)
            })
            .filter_map(|a| principal_json(t, &a.principal_id))
            .collect())
    })?;
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("directoryObjects"), value, None, None),
    ))
}

async fn role_scoped_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let value = state.read(|t| -> AppResult<Vec<Value>> {
        let role = t.get_kind(&id, ObjectKind::DirectoryRole)?;
        let template = role
            .str_prop("roleTemplateId")
            .unwrap_or_default()
            .to_owned();
        Ok(t.role_assignments
            .values()
            .filter(|a| a.role_definition_id.eq_ignore_ascii_case(&template))
            .filter_map(|a| scoped_json(t, a))
            .collect())
    })?;
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("scopedRoleMemberships"), value, None, None),
    ))
}

async fn scoped_role_member_of(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.read(|t| -> AppResult<Vec<Map<String, Value>>> {
        t.get_kind(&id, ObjectKind::User)?;
        Ok(t.role_assignments
            .values()
            .filter(|a| a.principal_id == id)
            .filter_map(|a| scoped_json(t, a))
            .filter_map(|v| v.as_object().cloned())
            .collect())
    })?;
    collection_response(&ctx, "scopedRoleMemberships", items)
}

async fn list_definitions(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.read(|t| {
        BUILTIN_ROLES
            .iter()
            .map(|r| r.id.to_owned())
            .chain(t.custom_roles.keys().cloned())
            .filter_map(|id| definition_json(t, &id))
            .collect()
    });
    collection_response(&ctx, "roleManagement/directory/roleDefinitions", items)
}

async fn get_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state
        .read(|t| definition_json(t, &id))
        .ok_or_else(|| AppError::not_found(&id))?;
    Ok(json(
        StatusCode::OK,
        with_context(
            &ctx,
            "roleManagement/directory/roleDefinitions/$entity",
            Value::Object(v),
        ),
    ))
}

fn actions_from(body: &Map<String, Value>) -> AppResult<Option<Vec<String>>> {
    let Some(perms) = body.get("rolePermissions") else {
        return Ok(None);
    };
    let list = perms
        .as_array()
        .ok_or_else(|| AppError::invalid_value("rolePermissions", "UnifiedRoleDefinition"))?;
    let mut out = Vec::new();
    for p in list {
        let actions = p
            .get("allowedResourceActions")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                AppError::invalid_value("allowedResourceActions", "UnifiedRolePermission")
            })?;
        for a in actions {
            let a = a.as_str().ok_or_else(|| {
                AppError::invalid_value("allowedResourceActions", "UnifiedRolePermission")
            })?;
            if !a.starts_with("microsoft.directory/") {
                return Err(AppError::bad_request(format!(
                    "The resource action '{a}' is not valid for a custom directory role."
                )));
            }
            out.push(a.to_owned());
        }
    }
    Ok(Some(out))
}

async fn create_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    let body = json_object(&body)?;
    let name = body
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| AppError::invalid_value("displayName", "UnifiedRoleDefinition"))?
        .to_owned();
    let actions = actions_from(&body)?
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AppError::invalid_value("rolePermissions", "UnifiedRoleDefinition"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let v = state.write(|t| -> AppResult<Value> {
        let dup = t.custom_roles.values().any(|r| r.display_name.eq_ignore_ascii_case(&name))
            || BUILTIN_ROLES.iter().any(|r| r.name.eq_ignore_ascii_case(&name));
        if dup {
            return Err(AppError::bad_request(
                "A conflicting object with one or more of the specified property values is present in the directory.",
            ));
        }
        t.custom_roles.insert(
            id.clone(),
            CustomRole {
                id: id.clone(),
                display_name: name,
                description: body.get("description").and_then(Value::as_str).map(str::to_owned),
                is_enabled: body.get("isEnabled").and_then(Value::as_bool).unwrap_or(true),
                allowed_resource_actions: actions,
                template_id: body.get("templateId").and_then(Value::as_str).map(str::to_owned),
            },
        );
        definition_json(t, &id)
            .map(Value::Object)
            .ok_or_else(|| AppError::not_found(&id))
    })?;
    Ok(json(
        StatusCode::CREATED,
        with_context(&ctx, "roleManagement/directory/roleDefinitions/$entity", v),
    ))
}

fn builtin_immutable() -> AppError {
    AppError::bad_request("Built-in role definitions cannot be modified or deleted.")
}

async fn update_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    let body = json_object(&body)?;
    let actions = actions_from(&body)?;
    state.write(|t| -> AppResult<()> {
        if roles_catalog::builtin(&id).is_some() {
            return Err(builtin_immutable());
        }
        let role = t
            .custom_roles
            .get_mut(&id)
            .ok_or_else(|| AppError::not_found(&id))?;
        if let Some(n) = body.get("displayName").and_then(Value::as_str) {
            role.display_name = n.to_owned();
        }
        if let Some(d) = body.get("description") {
            role.description = d.as_str().map(str::to_owned);
        }
        if let Some(e) = body.get("isEnabled").and_then(Value::as_bool) {
            role.is_enabled = e;
        }
        if let Some(a) = actions {
            role.allowed_resource_actions = a;
        }
        Ok(())
    })?;
    Ok(no_content())
}

async fn delete_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    state.write(|t| -> AppResult<()> {
        if roles_catalog::builtin(&id).is_some() {
            return Err(builtin_immutable());
        }
        if t.role_assignments.values().any(|a| a.role_definition_id == id) {
            return Err(AppError::bad_request(
                "The role definition cannot be deleted because it is assigned to one or more principals.",
            ));
        }
        t.custom_roles.remove(&id).ok_or_else(|| AppError::not_found(&id))?;
        Ok(())
    })?;
    Ok(no_content())
}

fn assignment_json(a: &RoleAssignment) -> Map<String, Value> {
    let v = json!({
        "id": a.id,
        "principalId": a.principal_id,
        "roleDefinitionId": a.role_definition_id,
        "directoryScopeId": a.directory_scope_id,
        "appScopeId": null,
        "condition": null,
    });
    v.as_object().cloned().unwrap_or_default()
}

/// `$expand=principal`: the principal's type and id (and display name), as Graph
/// returns them to a caller holding RoleManagement.Read.Directory.
fn with_principal(t: &Tenant, a: &RoleAssignment, expand: bool) -> Map<String, Value> {
    let mut v = assignment_json(a);
    if expand {
        let principal = t.get(&a.principal_id).map_or(Value::Null, |o| {
            json!({"@odata.type": o.kind.odata_type(), "id": o.id, "displayName": o.display_name()})
        });
        v.insert("principal".to_owned(), principal);
    }
    v
}

fn expands_principal(ctx: &Ctx) -> bool {
    ctx.query.expand.as_deref().is_some_and(|e| {
        e.split(',')
            .any(|part| part.trim().starts_with("principal"))
    })
}

async fn list_assignments(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let expand = expands_principal(&ctx);
    let items = state.read(|t| {
        t.role_assignments
            .values()
            .map(|a| with_principal(t, a, expand))
            .collect()
    });
    collection_response(&ctx, "roleManagement/directory/roleAssignments", items)
}

async fn get_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let expand = expands_principal(&ctx);
    let v = state
        .read(|t| {
            t.role_assignments
                .get(&id)
                .map(|a| with_principal(t, a, expand))
        })
        .ok_or_else(|| AppError::not_found(&id))?;
    Ok(json(
        StatusCode::OK,
        with_context(
            &ctx,
            "roleManagement/directory/roleAssignments/$entity",
            Value::Object(v),
        ),
    ))
}

async fn post_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    let body = json_object(&body)?;
    let field = |k: &str| -> AppResult<String> {
        body.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| AppError::invalid_value(k, "UnifiedRoleAssignment"))
    };
    let role = field("roleDefinitionId")?;
    let principal = field("principalId")?;
    let scope = match (body.get("directoryScopeId"), body.get("appScopeId")) {
        (Some(Value::String(s)), None | Some(Value::Null)) => s.clone(),
        (None | Some(Value::Null), Some(Value::String(_))) => {
            return Err(AppError::bad_request(
                "Only directory scopes are supported by the emulator (appScopeId is not).",
            ));
        }
        _ => {
            return Err(AppError::bad_request(
                "Exactly one of directoryScopeId or appScopeId must be specified.",
            ));
        }
    };
    let a = state.write(|t| -> AppResult<RoleAssignment> {
        if let Some(p) = t.get(&principal)
            && state.faults().lagging(p.created_ms)
        {
            return Err(AppError::bad_request("Not a valid reference update."));
        }
        create_assignment(t, &role, &principal, &scope)
    })?;
    Ok(json(
        StatusCode::CREATED,
        with_context(
            &ctx,
            "roleManagement/directory/roleAssignments/$entity",
            Value::Object(assignment_json(&a)),
        ),
    ))
}

async fn delete_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    state.write(|t| {
        t.role_assignments
            .remove(&id)
            .map(|_| ())
            .ok_or_else(|| AppError::not_found(&id))
    })?;
    Ok(no_content())
}

/// The scopedRoleMembership view of an AU-scoped assignment (None for other scopes
/// or when the role has no activated directoryRole).
fn scoped_json(t: &Tenant, a: &RoleAssignment) -> Option<Value> {
    let au = a.directory_scope_id.strip_prefix("/administrativeUnits/")?;
    let role = t.activated_role(&a.role_definition_id)?;
    let p = t.get(&a.principal_id)?;
    let mut info = Map::new();
    info.insert("id".into(), Value::String(p.id.clone()));
    info.insert(
        "displayName".into(),
        p.props.get("displayName").cloned().unwrap_or(Value::Null),
    );
    if p.kind == ObjectKind::User {
        info.insert(
            "userPrincipalName".into(),
            p.props
                .get("userPrincipalName")
                .cloned()
                .unwrap_or(Value::Null),
        );
    }
    Some(json!({
        "id": a.id,
        "administrativeUnitId": au,
        "roleId": role.id,
        "roleMemberInfo": info,
    }))
}

async fn list_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.read(|t| -> AppResult<Vec<Map<String, Value>>> {
        visible_au(&state, t, &id)?;
        let scope = format!("/administrativeUnits/{id}");
        Ok(t.role_assignments
            .values()
            .filter(|a| a.directory_scope_id == scope)
            .filter_map(|a| scoped_json(t, a))
            .filter_map(|v| v.as_object().cloned())
            .collect())
    })?;
    collection_response(&ctx, "scopedRoleMemberships", items)
}

async fn get_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, membership)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state.read(|t| -> AppResult<Value> {
        visible_au(&state, t, &id)?;
        let a = t
            .role_assignments
            .get(&membership)
            .filter(|a| a.directory_scope_id == format!("/administrativeUnits/{id}"))
            .ok_or_else(|| AppError::not_found(&membership))?;
        scoped_json(t, a).ok_or_else(|| AppError::not_found(&membership))
    })?;
    Ok(json(
        StatusCode::OK,
        with_context(&ctx, "scopedRoleMemberships/$entity", v),
    ))
}

async fn add_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    let body = json_object(&body)?;
    let role_id = body
        .get("roleId")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::invalid_value("roleId", "ScopedRoleMembership"))?
        .to_owned();
    let principal = body
        .get("roleMemberInfo")
        .and_then(|i| i.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::invalid_value("roleMemberInfo", "ScopedRoleMembership"))?
        .to_owned();
    let v = state.write(|t| -> AppResult<Value> {
        visible_au(&state, t, &id)?;
        // roleId must be an activated directoryRole object id (a template id is not
        // accepted here; Graph's behaviour for template ids is unconfirmed).
        let role = t
            .get_kind(&role_id, ObjectKind::DirectoryRole)
            .map_err(|_| AppError::not_found(&role_id))?;
        let template = role
            .str_prop("roleTemplateId")
            .unwrap_or_default()
            .to_owned();
        if let Some(p) = t.get(&principal)
            && state.faults().lagging(p.created_ms)
        {
            return Err(AppError::bad_request("Not a valid reference update."));
        }
        let a = create_assignment(
            t,
            &template,
            &principal,
            &format!("/administrativeUnits/{id}"),
        )?;
        scoped_json(t, &a).ok_or_else(|| AppError::not_found(&a.id))
    })?;
    Ok(json(
        StatusCode::CREATED,
        with_context(&ctx, "scopedRoleMemberships/$entity", v),
    ))
}

async fn delete_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, membership)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    state.write(|t| -> AppResult<()> {
        visible_au(&state, t, &id)?;
        let scope = format!("/administrativeUnits/{id}");
        let ok = t
            .role_assignments
            .get(&membership)
            .is_some_and(|a| a.directory_scope_id == scope);
        if !ok {
            return Err(AppError::not_found(&membership));
        }
        t.role_assignments.remove(&membership);
        Ok(())
    })?;
    Ok(no_content())
}
