//! `/groups/{id}/members`: list (typed, paged, `$select`, casts), `$ref` list, `$count`,
//! get one, add (`$ref`) and remove (`{id}/$ref`, `$ref?$id=`) direct members.
//!
//! Like AU members: reads are served by the request's replica; writes check the group
//! (404) and the referenced member (400 "Not a valid reference update.") there first,
//! then are decided on the primary. An application permission or a directory role
//! authorizes the caller (`crate::authz`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use super::common::{Ctx, count_text, json, json_object, no_content};
use super::member_lists::{self, CountQuery, cast_of};
use super::references::{ref_url, resolve_ref};
use crate::AppState;
use crate::auth::perms;
use crate::authz::{self, Need, ObjectWrite, Target};
use crate::directory::Directory;
use crate::error::{AppError, AppResult};
use crate::store::{DirObject, ObjectKind};

const GROUP: ObjectKind = ObjectKind::Group;

/// Registers the group member routes for `version`.
pub fn routes(r: Router<AppState>, version: &str) -> Router<AppState> {
    let m = format!("/{version}/groups/{{id}}/members");
    r.route(&m, get(list))
        .route(
            &format!("{m}/$ref"),
            get(list_refs).post(add_ref).delete(remove_ref_by_query),
        )
        .route(&format!("{m}/$count"), get(count))
        .route(&format!("{m}/{{member}}"), get(get_or_cast))
        .route(
            &format!("{m}/{{member}}/$ref"),
            get(get_ref).delete(remove_ref),
        )
        .route(&format!("{m}/{{member}}/$count"), get(cast_count))
}

/// 403 unless the caller may read group members: GroupMember.Read.All (or a higher
/// permission), or a role allowing `microsoft.directory/groups/members/read` at any
/// scope (reads are not scoped).
fn require_members_read(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    let need = Need::new(GROUP, "members/read");
    state.view(ctx.read, |v| {
        authz::require(
            v,
            &ctx.caller,
            perms::GROUP_MEMBER_READ,
            &need,
            Target::Anywhere,
        )
    })
}

fn list_members(
    state: &AppState,
    ctx: &Ctx,
    group_id: &str,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    require_members_read(state, ctx)?;
    let filter = member_lists::list_filter(ctx, cast)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        v.get_kind(group_id, GROUP)?;
        member_lists::members_page(ctx, v, v.group_members(group_id), cast, filter.as_ref())
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
    require_members_read(&state, &ctx)?;
    let filter = member_lists::list_filter(&ctx, None)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        v.get_kind(&id, GROUP)?;
        member_lists::refs_page(&ctx, v.group_members(&id), filter.as_ref())
    })?;
    Ok(json(StatusCode::OK, body))
}

fn count_members(
    state: &AppState,
    ctx: &Ctx,
    group_id: &str,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    require_members_read(state, ctx)?;
    let query = CountQuery::new(ctx, cast)?;
    let n = state.view(ctx.read, |v| -> AppResult<usize> {
        v.get_kind(group_id, GROUP)?;
        Ok(query.count(v.group_members(group_id)))
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
    require_members_read(&state, &ctx)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        v.get_kind(&id, GROUP)?;
        if !v.is_group_member(&id, &member) {
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
    require_members_read(&state, &ctx)?;
    state.view(ctx.read, |v| -> AppResult<()> {
        v.get_kind(&id, GROUP)?;
        if !v.is_group_member(&id, &member) {
            return Err(AppError::not_found(&member));
        }
        Ok(())
    })?;
    Ok(json(
        StatusCode::OK,
        member_lists::member_ref(&ctx, &member),
    ))
}

/// Whether members come from a membership rule (`groupTypes` has `DynamicMembership`).
fn is_dynamic(group: &DirObject) -> bool {
    group
        .props
        .get("groupTypes")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x.as_str() == Some("DynamicMembership")))
}

/// The group a member write addresses, checked in Graph's order: 403 unless the caller
/// holds GroupMember.ReadWrite.All (or higher) or a role that may allow
/// `microsoft.directory/groups/members/update`; the group there at the primary and the
/// serving replica (404); the role's scope covering the group (403: `/`, the group, or
/// an AU the group is a member of); assigned membership (400; Graph's text is
/// unconfirmed).
fn writable_group(d: &Directory, ctx: &Ctx, id: &str) -> AppResult<()> {
    let v = d.view(ctx.read);
    let write = ObjectWrite::gate(
        &v,
        &ctx.caller,
        perms::GROUP_MEMBER_WRITE,
        GROUP,
        &["members/update"],
    )?;
    let group = d.addressed(ctx.read, id, GROUP)?;
    write.check(&v, &group)?;
    if is_dynamic(&group) {
        return Err(AppError::bad_request(
            "Members of a group with dynamic membership cannot be added or removed manually.",
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
    state.view(ctx.read, |v| {
        let need = Need::new(GROUP, "members/update");
        authz::grant(v, &ctx.caller, perms::GROUP_MEMBER_WRITE, &need)
    })?;
    let url = ref_url(&json_object(&body)?)?;
    state.write(|d| -> AppResult<()> {
        writable_group(d, &ctx, &id)?;
        let member = resolve_ref(&d.tenant, &url)?;
        d.referenced(ctx.read, &member)?;
        d.tenant.add_group_member(&id, &member)
    })?;
    Ok(no_content())
}

fn remove(state: &AppState, ctx: &Ctx, group_id: &str, member_id: &str) -> AppResult<Response> {
    state.write(|d| -> AppResult<()> {
        writable_group(d, ctx, group_id)?;
        d.tenant.remove_group_member(group_id, member_id)
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
    let member = state
        .read(|t| resolve_ref(t, &url))
        .map_err(|_| AppError::not_found(&id))?;
    remove(&state, &ctx, &id, &member)
}
