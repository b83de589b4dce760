//! `/directory/administrativeUnits/{id}/members`: list, refs, casts, `$count`, get one,
//! add (`$ref`), remove (`{id}/$ref` and `$ref?$id=`), delete object, create group.
//!
//! Reads are served by the request's replica. Writes check the addressed AU at that
//! replica (404 while it has not arrived) and the referenced member (400 "Not a valid
//! reference update."), then are decided on the primary.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value};

use super::common::{Ctx, count_text, json, json_object, no_content, prefixes};
use super::member_lists::{self, CountQuery, cast_of};
use super::objects::{
    check_member_management, create_object, delete_object, perms_for, typed_json,
};
use super::references::{add_reference, check_restricted_group, ref_url, resolve_ref};
use crate::AppState;
use crate::auth::{Caller, perms};
use crate::authz::{self, Need, ObjectWrite, Target};
use crate::directory::Directory;
use crate::dynamic;
use crate::error::{AppError, AppResult};
use crate::store::ObjectKind;
use crate::store::model::DirObject;

const AU: ObjectKind = ObjectKind::AdministrativeUnit;

/// Registers the member routes for `version`.
pub fn routes(mut r: Router<AppState>, version: &str) -> Router<AppState> {
    for p in prefixes(version) {
        let m = format!("{p}/{{id}}/members");
        r = r
            .route(&m, get(list).post(create_group))
            .route(
                &format!("{m}/$ref"),
                get(list_refs).post(add_ref).delete(remove_ref_by_query),
            )
            .route(&format!("{m}/$count"), get(count))
            .route(
                &format!("{m}/{{member}}"),
                get(get_or_cast).delete(delete_member_object),
            )
            .route(
                &format!("{m}/{{member}}/$ref"),
                get(get_ref).delete(remove_ref),
            )
            .route(&format!("{m}/{{member}}/$count"), get(cast_count));
    }
    r
}

/// 403 unless the caller may read the members of `au` (hidden membership needs
/// Member.Read.Hidden).
fn check_read(caller: &Caller, au: &DirObject) -> AppResult<()> {
    caller.require(perms::AU_READ)?;
    if au.str_prop("visibility") == Some("HiddenMembership") {
        caller.require(perms::MEMBER_HIDDEN)?;
    }
    Ok(())
}

fn list_members(
    state: &AppState,
    ctx: &Ctx,
    au_id: &str,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    let filter = member_lists::list_filter(ctx, cast)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let au = v.get_kind(au_id, AU)?;
        check_read(&ctx.caller, au)?;
        member_lists::members_page(ctx, v, v.members(au_id), cast, filter.as_ref())
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    list_members(&state, &ctx, &id, None)
}

async fn list_refs(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let filter = member_lists::list_filter(&ctx, None)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let au = v.get_kind(&id, AU)?;
        check_read(&ctx.caller, au)?;
        member_lists::refs_page(&ctx, v.members(&id), filter.as_ref())
    })?;
    Ok(json(StatusCode::OK, body))
}

fn count_members(
    state: &AppState,
    ctx: &Ctx,
    au_id: &str,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    let query = CountQuery::new(ctx, cast)?;
    let n = state.view(ctx.read, |v| -> AppResult<usize> {
        let au = v.get_kind(au_id, AU)?;
        check_read(&ctx.caller, au)?;
        Ok(query.count(v.members(au_id)))
    })?;
    Ok(count_text(n))
}

async fn count(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    count_members(&state, &ctx, &id, None)
}

async fn cast_count(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, segment)): Path<(String, String)>,
) -> AppResult<Response> {
    count_members(&state, &ctx, &id, Some(cast_of(&segment)?))
}

async fn get_or_cast(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Response> {
    if let Some(kind) = ObjectKind::from_cast(&member) {
        return list_members(&state, &ctx, &id, Some(kind));
    }
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let au = v.get_kind(&id, AU)?;
        check_read(&ctx.caller, au)?;
        if !v.is_member(&id, &member) {
            return Err(AppError::not_found(&member));
        }
        let obj = v.get(&member).ok_or_else(|| AppError::not_found(&member))?;
        Ok(member_lists::member_entity(&ctx, v, obj))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn get_ref(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Response> {
    state.view(ctx.read, |v| -> AppResult<()> {
        let au = v.get_kind(&id, AU)?;
        check_read(&ctx.caller, au)?;
        if !v.is_member(&id, &member) {
            return Err(AppError::not_found(&member));
        }
        Ok(())
    })?;
    Ok(json(
        StatusCode::OK,
        member_lists::member_ref(&ctx, &member),
    ))
}

fn dynamic_error() -> AppError {
    // Graph only documents that manual changes are disabled for dynamic AUs; the
    // status and text here are the emulator's choice (unconfirmed).
    AppError::bad_request(
        "Members of an administrative unit with dynamic membership cannot be added or removed manually.",
    )
}

/// Checks shared by every member write: the AU is there at the primary and at the
/// serving replica (404), and its membership is assigned (400).
fn writable_au(d: &Directory, ctx: &Ctx, id: &str) -> AppResult<DirObject> {
    let au = d.addressed(ctx.read, id, AU)?;
    if dynamic::is_dynamic(&au) {
        return Err(dynamic_error());
    }
    Ok(au)
}

async fn add_ref(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    let url = ref_url(&json_object(&body)?)?;
    state.write(|d| -> AppResult<()> {
        let au = writable_au(d, &ctx, &id)?;
        add_reference(d, &ctx, &au, &url)
    })?;
    Ok(no_content())
}

fn remove(state: &AppState, ctx: &Ctx, au_id: &str, member_id: &str) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    state.write(|d| -> AppResult<()> {
        writable_au(d, ctx, au_id)?;
        d.tenant.remove_member(au_id, member_id)
    })?;
    Ok(no_content())
}

async fn remove_ref(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Response> {
    remove(&state, &ctx, &id, &member)
}

async fn remove_ref_by_query(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let url = ctx.query.id.clone().ok_or_else(|| {
        AppError::bad_request("The '$id' query parameter is required to remove a reference.")
    })?;
    let member = state.read(|t| resolve_ref(t, &url)).map_err(|e| {
        if e.status == StatusCode::NOT_FOUND {
            AppError::not_found(&id)
        } else {
            e
        }
    })?;
    remove(&state, &ctx, &id, &member)
}

/// `DELETE .../members/{id}` without `$ref`: deletes the member object itself when the
/// caller may manage it, else 403.
async fn delete_member_object(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Response> {
    state.write(|d| -> AppResult<()> {
        d.addressed(ctx.read, &id, AU)?;
        if !d.view(ctx.read).is_member(&id, &member) || !d.tenant.is_member(&id, &member) {
            return Err(AppError::not_found(&id));
        }
        let obj = d
            .tenant
            .get(&member)
            .cloned()
            .ok_or_else(|| AppError::not_found(&member))?;
        let v = d.view(ctx.read);
        ObjectWrite::gate(
            &v,
            &ctx.caller,
            perms_for(obj.kind).2,
            obj.kind,
            &["delete"],
        )?
        .check(&v, &obj)?;
        let t = &mut d.tenant;
        check_member_management(t, &ctx.caller, &obj)?;
        delete_object(t, &member)
    })?;
    Ok(no_content())
}

/// 400 unless the body asks for a group (`@odata.type` `#microsoft.graph.group`).
fn check_group_body(body: &Map<String, Value>) -> AppResult<()> {
    let kind = body
        .get("@odata.type")
        .and_then(Value::as_str)
        .and_then(ObjectKind::from_odata_type);
    match kind {
        Some(ObjectKind::Group) => Ok(()),
        Some(other) => Err(AppError::bad_request(format!(
            "Creating a {} inside an administrative unit is not supported; only groups can be created with POST .../members.",
            other.type_name()
        ))),
        None => Err(AppError::bad_request(
            "The '@odata.type' property is required and must be '#microsoft.graph.group' to create a group in an administrative unit.",
        )),
    }
}

/// `POST .../members` with a group body: creates the group inside the AU (201). Allowed
/// by Directory.ReadWrite.All, or by a role allowing `microsoft.directory/groups/create`
/// (or the group's subtype, e.g. `groups.security/create`) at `/` or at this AU.
async fn create_group(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let gate = Need::new(ObjectKind::Group, "create");
    state.view(ctx.read, |v| {
        authz::grant(v, &ctx.caller, perms::GROUP_CREATE_IN_AU, &gate)
    })?;
    let mut body: Map<String, Value> = json_object(&body)?;
    check_group_body(&body)?;
    let need = Need::on(ObjectKind::Group, &body, "create");
    state.write(|d| -> AppResult<()> {
        let v = d.view(ctx.read);
        let grant = authz::grant(&v, &ctx.caller, perms::GROUP_CREATE_IN_AU, &need)?;
        writable_au(d, &ctx, &id)?;
        grant.check(&v, &need, Target::Unit(&id))
    })?;
    body.remove("@odata.type");
    let group_id = create_object(&state, ObjectKind::Group, &body)?;
    let value = state.write(|d| -> AppResult<Value> {
        let t = &mut d.tenant;
        let group = t
            .get(&group_id)
            .cloned()
            .ok_or_else(|| AppError::not_found(&group_id))?;
        if let Some(au) = t.get(&id).cloned() {
            check_restricted_group(&au, &group)?;
        }
        t.add_member(&id, &group_id)?;
        let mut v = typed_json(&group, &ctx.query);
        if let Value::Object(m) = &mut v {
            m.insert(
                "@odata.context".into(),
                Value::String(ctx.context("groups/$entity")),
            );
        }
        Ok(v)
    });
    match value {
        Ok(v) => Ok(json(StatusCode::CREATED, v)),
        Err(e) => {
            state.write(|d| d.tenant.hard_delete(&group_id));
            Err(e)
        }
    }
}
