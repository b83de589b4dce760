//! `roleManagement/directory/roleAssignments`: list (with `$filter`, `$expand=principal`),
//! get, create and delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::common::{collection_response, lenient_filter, with_context};
use crate::AppState;
use crate::auth::perms;
use crate::directory::Directory;
use crate::error::{AppError, AppResult};
use crate::routes::common::{Ctx, json, json_object, no_content};
use crate::store::model::{RoleAssignment, normalize_id};
use crate::store::roles::create_assignment;
use crate::view::View;

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
fn with_principal(v: &View<'_>, a: &RoleAssignment, expand: bool) -> Map<String, Value> {
    let mut out = assignment_json(a);
    if expand {
        let principal = v.get(&a.principal_id).map_or(Value::Null, |o| {
            json!({"@odata.type": o.kind.odata_type(), "id": o.id, "displayName": o.display_name()})
        });
        out.insert("principal".to_owned(), principal);
    }
    out
}

fn expands_principal(ctx: &Ctx) -> bool {
    ctx.query.expand.as_deref().is_some_and(|e| {
        e.split(',')
            .any(|part| part.trim().starts_with("principal"))
    })
}

/// With `refuse_scope_only_role_filter`: 400 for a `directoryScopeId` filter without a
/// `principalId` or `roleDefinitionId` clause, as older Graph docs describe (the text is
/// the emulator's).
fn check_scope_only_filter(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    if !state.faults().refuses_scope_only_role_filter() {
        return Ok(());
    }
    let Some(filter) = lenient_filter(ctx)? else {
        return Ok(());
    };
    if filter.mentions("directoryScopeId")
        && !filter.mentions("principalId")
        && !filter.mentions("roleDefinitionId")
    {
        return Err(AppError::bad_request(
            "Filtering role assignments on directoryScopeId alone is not supported. Add a filter on principalId or roleDefinitionId.",
        ));
    }
    Ok(())
}

pub(super) async fn list_assignments(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    check_scope_only_filter(&state, &ctx)?;
    let expand = expands_principal(&ctx);
    let items = state.view(ctx.read, |v| {
        v.assignments()
            .into_iter()
            .map(|a| with_principal(v, a, expand))
            .collect()
    });
    collection_response(&ctx, "roleManagement/directory/roleAssignments", items)
}

pub(super) async fn get_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let expand = expands_principal(&ctx);
    let v = state
        .view(ctx.read, |v| {
            v.assignment(&id).map(|a| with_principal(v, a, expand))
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

pub(super) async fn post_assignment(
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
    let a = state.write(|d| -> AppResult<RoleAssignment> {
        check_references(d, &ctx, &principal, &scope)?;
        create_assignment(&mut d.tenant, &role, &principal, &scope)
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

/// The principal and the scope object of a new assignment must have reached the
/// serving replica (400 "Not a valid reference update." otherwise). Objects missing at
/// the primary are left to the assignment rules (404).
pub(super) fn check_references(
    d: &Directory,
    ctx: &Ctx,
    principal: &str,
    scope: &str,
) -> AppResult<()> {
    let principal = normalize_id(principal);
    let scope_object = scope
        .strip_prefix("/administrativeUnits/")
        .or_else(|| scope.strip_prefix("/administrativeunits/"))
        .or_else(|| scope.strip_prefix('/'))
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .map(normalize_id);
    for id in std::iter::once(principal).chain(scope_object) {
        if d.tenant.get(&id).is_some() {
            d.referenced(ctx.read, &id)?;
        }
    }
    Ok(())
}

/// A role assignment a write addresses: at the primary and the serving replica, else 404.
pub(super) fn addressed_assignment<'a>(
    d: &'a Directory,
    ctx: &Ctx,
    id: &str,
) -> AppResult<&'a RoleAssignment> {
    d.view(ctx.read)
        .assignment(id)
        .ok_or_else(|| AppError::not_found(id))?;
    d.tenant
        .role_assignments
        .get(id)
        .ok_or_else(|| AppError::not_found(id))
}

pub(super) async fn delete_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    state.write(|d| -> AppResult<()> {
        addressed_assignment(d, &ctx, &id)?;
        d.tenant.remove_assignment(&id);
        Ok(())
    })?;
    Ok(no_content())
}
