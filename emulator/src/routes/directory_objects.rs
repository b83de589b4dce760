//! Users, groups, devices, service principals, applications, `directoryObjects`,
//! `memberOf`, and the recycle bin (`/directory/deletedItems`).
//!
//! Reads are served by the request's replica; PATCH/DELETE/restore check the addressed
//! object there first (404 while it has not arrived), then act on the primary. Users,
//! groups and devices accept directory roles as well as application permissions
//! (`crate::authz`): reads need `{type}/standard/read` (or `memberOf/read`) at any
//! scope, `POST` needs `{type}/create` at `/`, PATCH `basic/update` (a group's rule
//! properties `dynamicMembershipRule/update`) and DELETE `delete` at a scope covering
//! the object.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value};

use super::common::{Ctx, count_text, json, json_object, no_content, sorted};
use super::objects::{
    can_read, check_kind_rules, check_member_management, create_object, delete_object, perms_for,
    require_read, typed_json,
};
use crate::AppState;
use crate::auth::perms;
use crate::authz::{self, Need, ObjectWrite, update_tasks};
use crate::directory::Directory;
use crate::error::{AppError, AppResult};
use crate::filter::{Filter, Target};
use crate::odata;
use crate::store::model::{DirObject, normalize_id, now_ms};
use crate::store::{ObjectKind, schema};
use crate::view::View;

/// Registers the routes for `version`.
pub fn routes(mut r: Router<AppState>, version: &str) -> Router<AppState> {
    for kind in [ObjectKind::User, ObjectKind::Group, ObjectKind::Device] {
        let base = format!("/{version}/{}", kind.collection());
        r = r
            .route(
                &base,
                get(move |s: State<AppState>, c: Ctx| list(s, c, kind))
                    .post(move |s: State<AppState>, c: Ctx, b: Bytes| create(s, c, b, kind)),
            )
            .route(
                &format!("{base}/$count"),
                get(move |s: State<AppState>, c: Ctx| count(s, c, kind)),
            )
            .route(
                &format!("{base}/{{id}}"),
                get(move |s: State<AppState>, c: Ctx, p: Path<String>| get_one(s, c, p, kind))
                    .patch(
                        move |s: State<AppState>, c: Ctx, p: Path<String>, b: Bytes| {
                            update(s, c, p, b, kind)
                        },
                    )
                    .delete(move |s: State<AppState>, c: Ctx, p: Path<String>| {
                        delete(s, c, p, kind)
                    }),
            )
            .route(
                &format!("{base}/{{id}}/memberOf"),
                get(move |s: State<AppState>, c: Ctx, p: Path<String>| {
                    member_of(s, c, p, kind, None)
                }),
            )
            .route(
                &format!("{base}/{{id}}/memberOf/{{cast}}"),
                get(
                    move |s: State<AppState>, c: Ctx, p: Path<(String, String)>| {
                        member_of_cast(s, c, p, kind)
                    },
                ),
            );
    }
    for kind in [ObjectKind::ServicePrincipal, ObjectKind::Application] {
        let base = format!("/{version}/{}", kind.collection());
        r = r
            .route(
                &base,
                get(move |s: State<AppState>, c: Ctx| list(s, c, kind)),
            )
            .route(
                &format!("{base}/{{id}}"),
                get(move |s: State<AppState>, c: Ctx, p: Path<String>| get_one(s, c, p, kind)),
            );
    }
    let deleted = format!("/{version}/directory/deletedItems");
    r.route(&deleted, get(deleted_list_all))
        .route(
            &format!("{deleted}/{{id}}"),
            get(deleted_get).delete(deleted_purge),
        )
        .route(&format!("{deleted}/{{id}}/restore"), post(deleted_restore))
        .route(
            &format!("/{version}/directoryObjects/{{id}}"),
            get(directory_object),
        )
        .route(
            &format!("/{version}/directoryObjects/getByIds"),
            post(get_by_ids),
        )
        .route(&format!("/{version}/organization"), get(organization))
}

fn filter_for(ctx: &Ctx, kind: ObjectKind, advanced: bool) -> AppResult<Option<Filter>> {
    ctx.query
        .filter
        .as_deref()
        .map(|f| Filter::new(f, Target::Collection(kind), advanced))
        .transpose()
}

async fn list(State(state): State<AppState>, ctx: Ctx, kind: ObjectKind) -> AppResult<Response> {
    require_read(&state, ctx.read, &ctx.caller, kind, "standard/read")?;
    ctx.query.check_select(kind)?;
    ctx.check_search()?;
    if ctx.query.orderby.is_some() && ctx.query.filter.is_some() && !ctx.advanced() {
        return Err(AppError::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    let filter = filter_for(&ctx, kind, ctx.advanced())?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let objs = sorted(v.list(kind), &ctx);
        let page = odata::page(objs.into_iter(), &ctx.query, filter.as_ref())?;
        Ok(ctx.page_collection(kind.collection(), &page, |o| {
            Value::Object(odata::render_object(o, &ctx.query))
        }))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn count(State(state): State<AppState>, ctx: Ctx, kind: ObjectKind) -> AppResult<Response> {
    require_read(&state, ctx.read, &ctx.caller, kind, "standard/read")?;
    ctx.check_count_segment()?;
    let filter = filter_for(&ctx, kind, true)?;
    let search = ctx
        .query
        .search
        .as_deref()
        .map(odata::parse_search)
        .transpose()?;
    let n = state.view(ctx.read, |v| {
        v.list(kind)
            .into_iter()
            .filter(|o| filter.as_ref().is_none_or(|f| f.matches(o)))
            .filter(|o| search.as_ref().is_none_or(|s| s.matches(o)))
            .count()
    });
    Ok(count_text(n))
}

fn entity(ctx: &Ctx, obj: &DirObject) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        Value::String(ctx.context(&format!("{}/$entity", obj.kind.collection()))),
    );
    m.extend(odata::render_object(obj, &ctx.query));
    Value::Object(m)
}

async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    kind: ObjectKind,
) -> AppResult<Response> {
    require_read(&state, ctx.read, &ctx.caller, kind, "standard/read")?;
    ctx.query.check_select(kind)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let obj = match kind {
            // Users may also be addressed by userPrincipalName.
            ObjectKind::User if uuid::Uuid::parse_str(&id).is_err() => v
                .list(kind)
                .into_iter()
                .find(|u| {
                    u.str_prop("userPrincipalName")
                        .is_some_and(|upn| upn.eq_ignore_ascii_case(&id))
                })
                .ok_or_else(|| AppError::not_found(&id))?,
            _ => v.get_kind(&id, kind)?,
        };
        Ok(entity(&ctx, obj))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
    kind: ObjectKind,
) -> AppResult<Response> {
    let perms = perms_for(kind).1;
    let grant = state.view(ctx.read, |v| {
        authz::grant(v, &ctx.caller, perms, &Need::new(kind, "create"))
    })?;
    let body = json_object(&body)?;
    let need = Need::on(kind, &body, "create");
    state.view(ctx.read, |v| grant.check(v, &need, authz::Target::Tenant))?;
    let obj = create_object(&state, kind, &body)?;
    // The creating request is answered from the primary, like Graph's create response.
    let value = state.read(|t| t.get(&obj).map(|o| entity(&ctx, o)));
    Ok(json(StatusCode::CREATED, value.unwrap_or(Value::Null)))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
    kind: ObjectKind,
) -> AppResult<Response> {
    let body = json_object(&body)?;
    let tasks = update_tasks(kind, &body);
    let write = state.view(ctx.read, |v| {
        ObjectWrite::gate(v, &ctx.caller, perms_for(kind).2, kind, &tasks)
    })?;
    let props = schema::check_body(kind, &body, false)?;
    state.write(|d| -> AppResult<()> {
        let existing = d.addressed(ctx.read, &id, kind)?;
        write.check(&d.view(ctx.read), &existing)?;
        let t = &mut d.tenant;
        check_member_management(t, &ctx.caller, &existing)?;
        check_kind_rules(t, kind, &props, Some(&existing))?;
        let obj = t.edit_kind(&id, kind)?;
        obj.props.extend(props);
        obj.modified_ms = now_ms();
        Ok(())
    })?;
    Ok(no_content())
}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    kind: ObjectKind,
) -> AppResult<Response> {
    let write = state.view(ctx.read, |v| {
        ObjectWrite::gate(v, &ctx.caller, perms_for(kind).2, kind, &["delete"])
    })?;
    state.write(|d| -> AppResult<()> {
        let existing = d.addressed(ctx.read, &id, kind)?;
        write.check(&d.view(ctx.read), &existing)?;
        check_member_management(&d.tenant, &ctx.caller, &existing)?;
        delete_object(&mut d.tenant, &id)
    })?;
    Ok(no_content())
}

async fn member_of(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    kind: ObjectKind,
    cast: Option<ObjectKind>,
) -> AppResult<Response> {
    require_read(&state, ctx.read, &ctx.caller, kind, "memberOf/read")?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        v.get_kind(&id, kind)?;
        let page = odata::page(
            containers_of(v, &id)
                .into_iter()
                .filter(|a| cast.is_none_or(|c| c == a.kind)),
            &ctx.query,
            None,
        )?;
        Ok(ctx.page_collection("directoryObjects", &page, |o| typed_json(o, &ctx.query)))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn member_of_cast(
    state: State<AppState>,
    ctx: Ctx,
    Path((id, cast)): Path<(String, String)>,
    kind: ObjectKind,
) -> AppResult<Response> {
    let c = ObjectKind::from_cast(&cast).ok_or_else(|| {
        AppError::odata_bad_request(format!("Resource not found for the segment '{cast}'."))
    })?;
    member_of(state, ctx, Path(id), kind, Some(c)).await
}

/// The groups and AUs `id` is a direct member of, in id order (`memberOf`).
fn containers_of<'a>(v: &View<'a>, id: &str) -> Vec<&'a DirObject> {
    let mut all = v.groups_of(id);
    all.extend(v.aus_of(id));
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

fn deleted_kind_perms(kind: ObjectKind) -> (&'static [&'static str], &'static [&'static str]) {
    let (read, _, write) = perms_for(kind);
    (read, write)
}

/// `GET /directory/deletedItems` without a type cast: Graph refuses it (observed:
/// `Request_UnsupportedQuery`, msgraph-sdk-powershell#832); the hint is the emulator's.
async fn deleted_list_all(ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::DIRECTORY_READ)?;
    Err(AppError::unsupported_query(
        "Searches against this resource are not supported. Only specific instances can be queried. List deleted items with a type cast such as /directory/deletedItems/microsoft.graph.administrativeUnit.",
    ))
}

fn deleted_list(state: &AppState, ctx: &Ctx, kind: ObjectKind) -> AppResult<Response> {
    ctx.caller.require(deleted_kind_perms(kind).0)?;
    let filter = filter_for(ctx, kind, ctx.advanced())?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let page = odata::page(
            v.deleted_list(Some(kind)).into_iter(),
            &ctx.query,
            filter.as_ref(),
        )?;
        let frag = format!(
            "directory/deletedItems/microsoft.graph.{}",
            kind.type_name()
        );
        Ok(ctx.page_collection(&frag, &page, |o| typed_json(o, &ctx.query)))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn deleted_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if let Some(kind) = ObjectKind::from_cast(&id) {
        return deleted_list(&state, &ctx, kind);
    }
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let obj = v.deleted(&id).ok_or_else(|| AppError::not_found(&id))?;
        ctx.caller.require(deleted_kind_perms(obj.kind).0)?;
        let mut value = typed_json(obj, &ctx.query);
        if let Value::Object(m) = &mut value {
            m.insert(
                "@odata.context".into(),
                Value::String(ctx.context("directory/deletedItems/$entity")),
            );
        }
        Ok(value)
    })?;
    Ok(json(StatusCode::OK, body))
}

/// A recycle-bin item a write addresses: in the bin at the primary and at the serving
/// replica, else 404. Returns its kind.
fn addressed_deleted(d: &Directory, ctx: &Ctx, id: &str) -> AppResult<ObjectKind> {
    d.view(ctx.read)
        .deleted(id)
        .ok_or_else(|| AppError::not_found(id))?;
    Ok(d.tenant
        .deleted
        .get(id)
        .ok_or_else(|| AppError::not_found(id))?
        .kind)
}

async fn deleted_restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let body = state.write(|d| -> AppResult<Value> {
        let kind = addressed_deleted(d, &ctx, &id)?;
        ctx.caller.require(deleted_kind_perms(kind).1)?;
        let t = &mut d.tenant;
        if kind == ObjectKind::User {
            let upn = t.deleted.get(&id).and_then(|o| o.str_prop("userPrincipalName")).map(str::to_owned);
            if let Some(upn) = upn {
                let taken = t.list(ObjectKind::User).any(|u| {
                    u.str_prop("userPrincipalName").is_some_and(|x| x.eq_ignore_ascii_case(&upn))
                });
                if taken {
                    return Err(AppError::bad_request(
                        "Another object with the same value for property userPrincipalName already exists.",
                    ));
                }
            }
        }
        let obj = t.restore(&id)?;
        let mut v = typed_json(&obj, &ctx.query);
        if let Value::Object(m) = &mut v {
            m.insert("@odata.context".into(), Value::String(ctx.context("directoryObjects/$entity")));
        }
        Ok(v)
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn deleted_purge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    state.write(|d| -> AppResult<()> {
        let kind = addressed_deleted(d, &ctx, &id)?;
        ctx.caller.require(deleted_kind_perms(kind).1)?;
        d.tenant.hard_delete(&id);
        Ok(())
    })?;
    Ok(no_content())
}

async fn directory_object(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let obj = v.get(&id).ok_or_else(|| AppError::not_found(&id))?;
        if !can_read(v, &ctx.caller, obj.kind) {
            return Err(AppError::forbidden());
        }
        let mut value = typed_json(obj, &ctx.query);
        if let Value::Object(m) = &mut value {
            m.insert(
                "@odata.context".into(),
                Value::String(ctx.context("directoryObjects/$entity")),
            );
        }
        Ok(value)
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn get_by_ids(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let body = json_object(&body)?;
    let ids: Vec<String> = body
        .get("ids")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::invalid_value("ids", "DirectoryObject"))?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let types: Option<Vec<ObjectKind>> = body.get("types").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .filter_map(ObjectKind::from_cast)
            .collect()
    });
    if ids.len() > 1000 {
        return Err(AppError::bad_request(
            "The number of ids must not exceed 1000.",
        ));
    }
    let value = state.view(ctx.read, |v| {
        ids.iter()
            .filter_map(|id| v.get(&normalize_id(id)))
            .filter(|o| types.as_ref().is_none_or(|ty| ty.contains(&o.kind)))
            .filter(|o| can_read(v, &ctx.caller, o.kind))
            .map(|o| typed_json(o, &ctx.query))
            .collect()
    });
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("directoryObjects"), value, None, None),
    ))
}

async fn organization(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(&[
        "Organization.Read.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "User.Read.All",
    ])?;
    let org = state.read(|t| {
        serde_json::json!({
            "id": t.tenant_id,
            "deletedDateTime": null,
            "displayName": t.display_name,
            "verifiedDomains": t.domains.iter().enumerate().map(|(i, d)| serde_json::json!({
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": i == 0,
                "isInitial": i == 0,
                "name": d,
                "type": "Managed",
            })).collect::<Vec<_>>(),
        })
    });
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("organization"), vec![org], None, None),
    ))
}
