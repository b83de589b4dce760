//! `/directory/administrativeUnits/{id}/members`: list, refs, casts, `$count`, get one,
//! add (`$ref`), remove (`{id}/$ref` and `$ref?$id=`), delete object, create group.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::administrative_units::{prefixes, visible_au};
use super::directory_objects::{can_read, create_object, delete_object, perms_for, typed_json};
use super::{Ctx, count_text, json, json_object, no_content};
use crate::AppState;
use crate::auth::{Caller, perms};
use crate::dynamic;
use crate::error::{AppError, AppResult};
use crate::filter::{Filter, Target};
use crate::odata;
use crate::store::model::DirObject;
use crate::store::roles_catalog;
use crate::store::{ObjectKind, Tenant};

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

/// A member as the caller may see it: full, or only `@odata.type` and `id` when the
/// caller cannot read that object type (Graph's limited-information behaviour).
fn member_json(caller: &Caller, obj: &DirObject, query: &odata::Query) -> Value {
    let mut v = typed_json(obj, query);
    if !can_read(caller, obj.kind)
        && let Value::Object(m) = &mut v
    {
        for (k, val) in m.iter_mut() {
            if k != "@odata.type" && k != "id" {
                *val = Value::Null;
            }
        }
    }
    v
}

fn member_filter(ctx: &Ctx, cast: Option<ObjectKind>, advanced: bool) -> AppResult<Option<Filter>> {
    ctx.query
        .filter
        .as_deref()
        .map(|f| Filter::new(f, Target::Members(cast), advanced))
        .transpose()
}

fn list_members(
    state: &AppState,
    ctx: &Ctx,
    au_id: &str,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    ctx.check_search()?;
    if let Some(k) = cast {
        ctx.query.check_select(k)?;
    }
    let filter = member_filter(ctx, cast, ctx.advanced())?;
    let body = state.read(|t| -> AppResult<Value> {
        let au = visible_au(state, t, au_id)?;
        check_read(&ctx.caller, au)?;
        let members: Vec<&DirObject> = t
            .members(au_id)
            .into_iter()
            .filter(|o| cast.is_none_or(|k| o.kind == k))
            .collect();
        let page = odata::page(members.into_iter(), &ctx.query, filter.as_ref())?;
        let frag = cast.map_or_else(
            || "directoryObjects".to_owned(),
            |k| format!("{}s", k.type_name()),
        );
        Ok(ctx.page_collection(&frag, &page, |o| member_json(&ctx.caller, o, &ctx.query)))
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
    let filter = member_filter(&ctx, None, ctx.advanced())?;
    let body = state.read(|t| -> AppResult<Value> {
        let au = visible_au(&state, t, &id)?;
        check_read(&ctx.caller, au)?;
        let page = odata::page(t.members(&id).into_iter(), &ctx.query, filter.as_ref())?;
        Ok(ctx.page_collection(
            "Collection($ref)",
            &page,
            |o| json!({"@odata.id": ctx.url(&format!("directoryObjects/{}", o.id))}),
        ))
    })?;
    Ok(json(StatusCode::OK, body))
}

fn count_members(
    state: &AppState,
    ctx: &Ctx,
    au_id: &str,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    ctx.check_count_segment()?;
    let filter = member_filter(ctx, cast, true)?;
    let search = ctx
        .query
        .search
        .as_deref()
        .map(odata::parse_search)
        .transpose()?;
    let n = state.read(|t| -> AppResult<usize> {
        let au = visible_au(state, t, au_id)?;
        check_read(&ctx.caller, au)?;
        Ok(t.members(au_id)
            .into_iter()
            .filter(|o| cast.is_none_or(|k| o.kind == k))
            .filter(|o| filter.as_ref().is_none_or(|f| f.matches(o)))
            .filter(|o| search.as_ref().is_none_or(|s| s.matches(o)))
            .count())
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

fn cast_of(segment: &str) -> AppResult<ObjectKind> {
    ObjectKind::from_cast(segment).ok_or_else(|| {
        AppError::odata_bad_request(format!("Resource not found for the segment '{segment}'."))
    })
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
    let body = state.read(|t| -> AppResult<Value> {
        let au = visible_au(&state, t, &id)?;
        check_read(&ctx.caller, au)?;
        if !t.is_member(&id, &member) {
            return Err(AppError::not_found(&member));
        }
        let obj = t.get(&member).ok_or_else(|| AppError::not_found(&member))?;
        let mut v = member_json(&ctx.caller, obj, &ctx.query);
        if let Value::Object(m) = &mut v {
            m.insert(
                "@odata.context".into(),
                Value::String(ctx.context("directoryObjects/$entity")),
            );
        }
        Ok(v)
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn get_ref(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Response> {
    state.read(|t| -> AppResult<()> {
        let au = visible_au(&state, t, &id)?;
        check_read(&ctx.caller, au)?;
        if !t.is_member(&id, &member) {
            return Err(AppError::not_found(&member));
        }
        Ok(())
    })?;
    Ok(json(
        StatusCode::OK,
        json!({"@odata.context": ctx.context("$ref"), "@odata.id": ctx.url(&format!("directoryObjects/{member}"))}),
    ))
}

/// Resolves an `@odata.id` URL (`.../directoryObjects/{id}`, `/users/{id|upn}`,
/// `/groups/{id}`, `/devices/{id}`) to an object id.
pub fn resolve_ref(t: &Tenant, url: &str) -> AppResult<String> {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let found = segs.iter().enumerate().rev().find_map(|(i, s)| {
        let kind = match s.to_ascii_lowercase().as_str() {
            "directoryobjects" => None,
            "users" => Some(ObjectKind::User),
            "groups" => Some(ObjectKind::Group),
            "devices" => Some(ObjectKind::Device),
            _ => return None,
        };
        segs.get(i + 1).map(|id| (kind, *id))
    });
    let Some((kind, raw_id)) = found else {
        return Err(AppError::bad_request(format!(
            "Invalid object identifier '{url}'."
        )));
    };
    let id = super::normalize_id(&percent_encoding::percent_decode_str(raw_id).decode_utf8_lossy());
    let obj = match kind {
        Some(ObjectKind::User) if uuid::Uuid::parse_str(&id).is_err() => t
            .list(ObjectKind::User)
            .find(|u| {
                u.str_prop("userPrincipalName")
                    .is_some_and(|upn| upn.eq_ignore_ascii_case(&id))
            })
            .ok_or_else(|| AppError::not_found(&id))?,
        _ => t.get(&id).ok_or_else(|| AppError::not_found(&id))?,
    };
    if kind.is_some_and(|k| k != obj.kind) {
        return Err(AppError::not_found(&id));
    }
    Ok(obj.id.clone())
}

fn dynamic_error() -> AppError {
    // Graph only documents that manual changes are disabled for dynamic AUs; the
    // status and text here are the emulator's choice (unconfirmed).
    AppError::bad_request(
        "Members of an administrative unit with dynamic membership cannot be added or removed manually.",
    )
}

fn lag_error() -> AppError {
    AppError::bad_request("Not a valid reference update.")
}

/// Checks shared by every member write: AU exists (404), replication (400), dynamic (400).
fn writable_au<'a>(state: &AppState, t: &'a Tenant, id: &str) -> AppResult<&'a DirObject> {
    let au = t.get_kind(id, ObjectKind::AdministrativeUnit)?;
    if state.faults().lagging(au.created_ms) {
        return Err(lag_error());
    }
    if dynamic::is_dynamic(au) {
        return Err(dynamic_error());
    }
    Ok(au)
}

/// Restricted-management AUs accept security groups only (not mail-enabled, not
/// Microsoft 365).
fn check_restricted_group(au: &DirObject, member: &DirObject) -> AppResult<()> {
    if !au.bool_prop("isMemberManagementRestricted") || member.kind != ObjectKind::Group {
        return Ok(());
    }
    let unified = member
        .props
        .get("groupTypes")
        .and_then(Value::as_array)
        .is_some_and(|g| g.iter().any(|x| x.as_str() == Some("Unified")));
    if unified || member.bool_prop("mailEnabled") || !member.bool_prop("securityEnabled") {
        return Err(AppError::bad_request(
            "Only security groups that are not mail-enabled can be added to a restricted management administrative unit.",
        ));
    }
    Ok(())
}

async fn add_ref(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    let body = json_object(&body)?;
    let url = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            AppError::bad_request("The request body must contain a valid '@odata.id' reference.")
        })?
        .to_owned();
    state.write(|t| -> AppResult<()> {
        let au = writable_au(&state, t, &id)?.clone();
        let member_id = resolve_ref(t, &url)?;
        let member = t
            .get(&member_id)
            .cloned()
            .ok_or_else(|| AppError::not_found(&member_id))?;
        if state.faults().lagging(member.created_ms) {
            return Err(lag_error());
        }
        check_restricted_group(&au, &member)?;
        t.add_member(&id, &member_id)
    })?;
    Ok(no_content())
}

fn remove(state: &AppState, ctx: &Ctx, au_id: &str, member_id: &str) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    state.write(|t| -> AppResult<()> {
        writable_au(state, t, au_id)?;
        t.remove_member(au_id, member_id)
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
    state.write(|t| -> AppResult<()> {
        visible_au(&state, t, &id)?;
        if !t.is_member(&id, &member) {
            return Err(AppError::not_found(&id));
        }
        let obj = t
            .get(&member)
            .cloned()
            .ok_or_else(|| AppError::not_found(&member))?;
        ctx.caller.require(perms_for(obj.kind).2)?;
        super::directory_objects::check_member_management(t, &ctx.caller, &obj)?;
        delete_object(t, &member)
    })?;
    Ok(no_content())
}

/// Whether the caller's service principal holds one of `roles` at `/` or at the AU.
pub fn has_role_at(t: &Tenant, caller: &Caller, roles: &[&str], au_id: &str) -> bool {
    let au_scope = format!("/administrativeUnits/{au_id}");
    t.role_assignments.values().any(|a| {
        a.principal_id == caller.object_id
            && (a.directory_scope_id == "/" || a.directory_scope_id == au_scope)
            && roles
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&a.role_definition_id))
    })
}

const GROUPS_ADMIN: &str = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

/// `POST .../members` with a group body: creates the group inside the AU (201).
async fn create_group(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let mut body: Map<String, Value> = json_object(&body)?;
    let kind = body
        .get("@odata.type")
        .and_then(Value::as_str)
        .and_then(ObjectKind::from_odata_type);
    match kind {
        Some(ObjectKind::Group) => {}
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "Creating a {} inside an administrative unit is not supported; only groups can be created with POST .../members.",
                other.type_name()
            )));
        }
        None => {
            return Err(AppError::bad_request(
                "The '@odata.type' property is required and must be '#microsoft.graph.group' to create a group in an administrative unit.",
            ));
        }
    }
    ctx.caller.require(perms::GROUP_CREATE)?;
    ctx.caller.require(perms::AU_READ)?;
    state.read(|t| -> AppResult<()> {
        let au = visible_au(&state, t, &id)?;
        if dynamic::is_dynamic(au) {
            return Err(dynamic_error());
        }
        let directory_write = ctx.caller.has_any(&["Directory.ReadWrite.All"]);
        let admin_role = has_role_at(t, &ctx.caller, &[GROUPS_ADMIN, USER_ADMIN], &id)
            || has_role_at(t, &ctx.caller, &[roles_catalog::GLOBAL_ADMIN], &id);
        if !directory_write && !admin_role {
            return Err(AppError::forbidden());
        }
        Ok(())
    })?;
    body.remove("@odata.type");
    let group_id = create_object(&state, ObjectKind::Group, &body)?;
    let value = state.write(|t| -> AppResult<Value> {
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
            state.write(|t| t.hard_delete(&group_id));
            Err(e)
        }
    }
}
