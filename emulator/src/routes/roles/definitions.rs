//! `roleManagement/directory/roleDefinitions`: built-in and custom role definitions.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::common::{collection_response, with_context};
use crate::AppState;
use crate::auth::perms;
use crate::directory::Directory;
use crate::error::{AppError, AppResult};
use crate::routes::common::{Ctx, json, json_object, no_content};
use crate::store::model::CustomRole;
use crate::store::roles::definition_json;
use crate::store::roles_catalog::{self, BUILTIN_ROLES};

pub(super) async fn list_definitions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let items = state.view(ctx.read, |v| {
        BUILTIN_ROLES
            .iter()
            .filter_map(|r| definition_json(r.id, None))
            .chain(
                v.custom_roles()
                    .into_iter()
                    .filter_map(|c| definition_json(&c.id, Some(c))),
            )
            .collect()
    });
    collection_response(&ctx, "roleManagement/directory/roleDefinitions", items)
}

pub(super) async fn get_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_READ)?;
    let v = state
        .view(ctx.read, |v| definition_json(&id, v.custom_role(&id)))
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

pub(super) async fn create_definition(
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
    let v = state.write(|d| -> AppResult<Value> {
        let t = &mut d.tenant;
        let dup = t.custom_roles.values().any(|r| r.display_name.eq_ignore_ascii_case(&name))
            || BUILTIN_ROLES.iter().any(|r| r.name.eq_ignore_ascii_case(&name));
        if dup {
            return Err(AppError::bad_request(
                "A conflicting object with one or more of the specified property values is present in the directory.",
            ));
        }
        t.put_custom_role(CustomRole {
            id: id.clone(),
            display_name: name,
            description: body.get("description").and_then(Value::as_str).map(str::to_owned),
            is_enabled: body.get("isEnabled").and_then(Value::as_bool).unwrap_or(true),
            allowed_resource_actions: actions,
            template_id: body.get("templateId").and_then(Value::as_str).map(str::to_owned),
        });
        definition_json(&id, t.custom_roles.get(&id))
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

/// A custom role a write addresses: at the primary and the serving replica, else 404.
fn addressed_custom_role(d: &Directory, ctx: &Ctx, id: &str) -> AppResult<()> {
    if roles_catalog::builtin(id).is_some() {
        return Err(builtin_immutable());
    }
    if d.view(ctx.read).custom_role(id).is_none() || !d.tenant.custom_roles.contains_key(id) {
        return Err(AppError::not_found(id));
    }
    Ok(())
}

pub(super) async fn update_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    let body = json_object(&body)?;
    let actions = actions_from(&body)?;
    state.write(|d| -> AppResult<()> {
        addressed_custom_role(d, &ctx, &id)?;
        if let Some(n) = body.get("displayName").and_then(Value::as_str) {
            let t = &d.tenant;
            let taken = t
                .custom_roles
                .values()
                .any(|r| r.id != id && r.display_name.eq_ignore_ascii_case(n))
                || BUILTIN_ROLES.iter().any(|r| r.name.eq_ignore_ascii_case(n));
            if taken {
                return Err(AppError::bad_request(
                    "A conflicting object with one or more of the specified property values is present in the directory.",
                ));
            }
        }
        let role = d
            .tenant
            .edit_custom_role(&id)
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

pub(super) async fn delete_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::ROLE_WRITE)?;
    state.write(|d| -> AppResult<()> {
        addressed_custom_role(d, &ctx, &id)?;
        let t = &mut d.tenant;
        if t.role_assignments.values().any(|a| a.role_definition_id == id) {
            return Err(AppError::bad_request(
                "The role definition cannot be deleted because it is assigned to one or more principals.",
            ));
        }
        t.remove_custom_role(&id).ok_or_else(|| AppError::not_found(&id))?;
        Ok(())
    })?;
    Ok(no_content())
}
