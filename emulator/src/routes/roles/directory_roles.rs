//! `directoryRoleTemplates`, `directoryRoles` (activation, members, scoped members) and
//! `users/{id}/scopedRoleMemberOf`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::common::{collection_response, with_context};
use super::scoped::scoped_json;
use crate::AppState;
use crate::auth::perms;
use crate::error::{AppError, AppResult};
use crate::odata;
use crate::routes::common::{Ctx, json, json_object};
use crate::store::ObjectKind;
use crate::store::model::DirObject;
use crate::store::roles::activate_role;
use crate::store::roles_catalog::{self, BUILTIN_ROLES};
use crate::view::View;

fn template_json(role: &roles_catalog::BuiltinRole) -> Value {
    json!({
        "id": role.id,
        "deletedDateTime": null,
        "description": role.description,
        "displayName": role.name,
    })
}

pub(super) async fn list_templates(ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = BUILTIN_ROLES
        .iter()
        .filter_map(|r| template_json(r).as_object().cloned())
        .collect();
    collection_response(&ctx, "directoryRoleTemplates", items)
}

pub(super) async fn get_template(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
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

pub(super) async fn list_roles(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.view(ctx.read, |v| {
        v.list(ObjectKind::DirectoryRole)
            .into_iter()
            .map(role_json)
            .collect()
    });
    collection_response(&ctx, "directoryRoles", items)
}

pub(super) async fn get_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state.view(ctx.read, |v| {
        v.get_kind(&id, ObjectKind::DirectoryRole)
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
        .view(ctx.read, |v| {
            v.activated_role(template)
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
pub(super) async fn activate(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
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
    let v = state.write(|d| -> AppResult<Value> {
        let t = &mut d.tenant;
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

fn principal_json(v: &View<'_>, id: &str) -> Option<Value> {
    let o = v.get(id)?;
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

pub(super) async fn role_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let value = state.view(ctx.read, |v| -> AppResult<Vec<Value>> {
        let role = v.get_kind(&id, ObjectKind::DirectoryRole)?;
        let template = role.str_prop("roleTemplateId").unwrap_or_default();
        Ok(v.assignments()
            .into_iter()
            .filter(|a| {
                a.directory_scope_id == "/" && a.role_definition_id.eq_ignore_ascii_case(template)
            })
            .filter_map(|a| principal_json(v, &a.principal_id))
            .collect())
    })?;
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("directoryObjects"), value, None, None),
    ))
}

pub(super) async fn role_scoped_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let value = state.view(ctx.read, |v| -> AppResult<Vec<Value>> {
        let role = v.get_kind(&id, ObjectKind::DirectoryRole)?;
        let template = role.str_prop("roleTemplateId").unwrap_or_default();
        Ok(v.assignments()
            .into_iter()
            .filter(|a| a.role_definition_id.eq_ignore_ascii_case(template))
            .filter_map(|a| scoped_json(v, a))
            .collect())
    })?;
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("scopedRoleMemberships"), value, None, None),
    ))
}

pub(super) async fn scoped_role_member_of(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.view(ctx.read, |v| -> AppResult<Vec<Map<String, Value>>> {
        v.get_kind(&id, ObjectKind::User)?;
        Ok(v.assignments()
            .into_iter()
            .filter(|a| a.principal_id == id)
            .filter_map(|a| scoped_json(v, a))
            .filter_map(|x| x.as_object().cloned())
            .collect())
    })?;
    collection_response(&ctx, "scopedRoleMemberships", items)
}
