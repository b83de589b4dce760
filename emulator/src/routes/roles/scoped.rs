//! AU `scopedRoleMembers`: the AU-scoped view of role assignments.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::assignments::{addressed_assignment, check_references};
use super::common::{AU, collection_response, with_context};
use crate::AppState;
use crate::auth::perms;
use crate::error::{AppError, AppResult};
use crate::replication::ReadAt;
use crate::routes::common::{Ctx, json, json_object, no_content};
use crate::store::ObjectKind;
use crate::store::model::RoleAssignment;
use crate::store::roles::create_assignment;
use crate::view::View;

/// The scopedRoleMembership view of an AU-scoped assignment (None for other scopes
/// or when the role has no activated directoryRole).
pub(super) fn scoped_json(v: &View<'_>, a: &RoleAssignment) -> Option<Value> {
    let au = a.directory_scope_id.strip_prefix("/administrativeUnits/")?;
    let role = v.activated_role(&a.role_definition_id)?;
    let p = v.get(&a.principal_id)?;
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

pub(super) async fn list_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.view(ctx.read, |v| -> AppResult<Vec<Map<String, Value>>> {
        v.get_kind(&id, AU)?;
        let scope = format!("/administrativeUnits/{id}");
        Ok(v.assignments()
            .into_iter()
            .filter(|a| a.directory_scope_id == scope)
            .filter_map(|a| scoped_json(v, a))
            .filter_map(|x| x.as_object().cloned())
            .collect())
    })?;
    collection_response(&ctx, "scopedRoleMemberships", items)
}

pub(super) async fn get_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, membership)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state.view(ctx.read, |v| -> AppResult<Value> {
        v.get_kind(&id, AU)?;
        let a = v
            .assignment(&membership)
            .filter(|a| a.directory_scope_id == format!("/administrativeUnits/{id}"))
            .ok_or_else(|| AppError::not_found(&membership))?;
        scoped_json(v, a).ok_or_else(|| AppError::not_found(&membership))
    })?;
    Ok(json(
        StatusCode::OK,
        with_context(&ctx, "scopedRoleMemberships/$entity", v),
    ))
}

pub(super) async fn add_scoped(
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
    let v = state.write(|d| -> AppResult<Value> {
        d.addressed(ctx.read, &id, AU)?;
        // roleId must be an activated directoryRole object id (a template id is not
        // accepted here; Graph's behaviour for template ids is unconfirmed).
        let role = d
            .tenant
            .get_kind(&role_id, ObjectKind::DirectoryRole)
            .map_err(|_| AppError::not_found(&role_id))?;
        let template = role
            .str_prop("roleTemplateId")
            .unwrap_or_default()
            .to_owned();
        check_references(d, &ctx, &principal, "/")?;
        let a = create_assignment(
            &mut d.tenant,
            &template,
            &principal,
            &format!("/administrativeUnits/{id}"),
        )?;
        scoped_json(&d.view(ReadAt::Primary), &a).ok_or_else(|| AppError::not_found(&a.id))
    })?;
    Ok(json(
        StatusCode::CREATED,
        with_context(&ctx, "scopedRoleMemberships/$entity", v),
    ))
}

pub(super) async fn delete_scoped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, membership)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    state.write(|d| -> AppResult<()> {
        d.addressed(ctx.read, &id, AU)?;
        let scope = format!("/administrativeUnits/{id}");
        let a = addressed_assignment(d, &ctx, &membership)
            .map_err(|_| AppError::not_found(&membership))?;
        if a.directory_scope_id != scope {
            return Err(AppError::not_found(&membership));
        }
        d.tenant.remove_assignment(&membership);
        Ok(())
    })?;
    Ok(no_content())
}
