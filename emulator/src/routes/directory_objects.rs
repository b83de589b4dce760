//! Users, groups, devices, service principals, applications, `directoryObjects`,
//! `memberOf`, and the recycle bin (`/directory/deletedItems`).
//!
//! Reads are served by the request's replica; PATCH/DELETE/restore check the addressed
//! object there first (404 while it has not arrived), then act on the primary.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value};

use super::administrative_units::sorted;
use super::{Ctx, count_text, json, json_object, no_content};
use crate::AppState;
use crate::auth::{Caller, perms};
use crate::dynamic;
use crate::error::{AppError, AppResult};
use crate::filter::{Filter, Target};
use crate::odata;
use crate::store::model::DirObject;
use crate::store::{ObjectKind, Tenant, defaults, schema};
use crate::view::View;

/// Permission sets (read, create, update/delete) for a kind.
pub fn perms_for(
    kind: ObjectKind,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match kind {
        ObjectKind::User => (perms::USER_READ, perms::USER_WRITE, perms::USER_WRITE),
        ObjectKind::Group => (perms::GROUP_READ, perms::GROUP_CREATE, perms::GROUP_WRITE),
        ObjectKind::Device => (perms::DEVICE_READ, perms::DEVICE_WRITE, perms::DEVICE_WRITE),
        ObjectKind::AdministrativeUnit => (perms::AU_READ, perms::AU_WRITE, perms::AU_WRITE),
        ObjectKind::ServicePrincipal | ObjectKind::Application => (
            perms::APP_READ,
            &["Application.ReadWrite.All"],
            &["Application.ReadWrite.All"],
        ),
        ObjectKind::DirectoryRole => (perms::ROLE_READ, perms::ROLE_WRITE, perms::ROLE_WRITE),
    }
}

/// Collection segment for a kind (`users`, `groups`, ...).
pub fn segment(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::User => "users",
        ObjectKind::Group => "groups",
        ObjectKind::Device => "devices",
        ObjectKind::AdministrativeUnit => "administrativeUnits",
        ObjectKind::ServicePrincipal => "servicePrincipals",
        ObjectKind::Application => "applications",
        ObjectKind::DirectoryRole => "directoryRoles",
    }
}

/// Registers the routes for `version`.
pub fn routes(mut r: Router<AppState>, version: &str) -> Router<AppState> {
    for kind in [ObjectKind::User, ObjectKind::Group, ObjectKind::Device] {
        let base = format!("/{version}/{}", segment(kind));
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
        let base = format!("/{version}/{}", segment(kind));
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

/// Renders an object with `@odata.type` (polymorphic collections).
pub fn typed_json(obj: &DirObject, query: &odata::Query) -> Value {
    let mut m = Map::new();
    m.insert("@odata.type".into(), Value::String(obj.kind.odata_type()));
    m.extend(odata::render_object(obj, query));
    Value::Object(m)
}

fn filter_for(ctx: &Ctx, kind: ObjectKind, advanced: bool) -> AppResult<Option<Filter>> {
    ctx.query
        .filter
        .as_deref()
        .map(|f| Filter::new(f, Target::Collection(kind), advanced))
        .transpose()
}

async fn list(State(state): State<AppState>, ctx: Ctx, kind: ObjectKind) -> AppResult<Response> {
    ctx.caller.require(perms_for(kind).0)?;
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
        Ok(ctx.page_collection(segment(kind), &page, |o| {
            Value::Object(odata::render_object(o, &ctx.query))
        }))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn count(State(state): State<AppState>, ctx: Ctx, kind: ObjectKind) -> AppResult<Response> {
    ctx.caller.require(perms_for(kind).0)?;
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
        Value::String(ctx.context(&format!("{}/$entity", segment(obj.kind)))),
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
    ctx.caller.require(perms_for(kind).0)?;
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

/// Kind-specific validation for create and update (`existing` = stored object on PATCH).
pub fn check_kind_rules(
    t: &Tenant,
    kind: ObjectKind,
    props: &Map<String, Value>,
    existing: Option<&DirObject>,
) -> AppResult<()> {
    let self_id = existing.map(|o| o.id.as_str());
    let clash = |prop: &str| -> AppResult<()> {
        if let Some(v) = props.get(prop).and_then(Value::as_str) {
            let taken = t.list(kind).any(|o| {
                Some(o.id.as_str()) != self_id
                    && o.str_prop(prop).is_some_and(|x| x.eq_ignore_ascii_case(v))
            });
            if taken {
                return Err(AppError::bad_request(format!(
                    "Another object with the same value for property {prop} already exists."
                )));
            }
        }
        Ok(())
    };
    match kind {
        ObjectKind::User => {
            if let Some(upn) = props.get("userPrincipalName").and_then(Value::as_str) {
                let domain_ok = upn.split_once('@').is_some_and(|(user, domain)| {
                    !user.is_empty() && t.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
                });
                if !domain_ok {
                    return Err(AppError::bad_request(
                        "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
                    ));
                }
            }
            clash("userPrincipalName")?;
            if let Some(p) = props.get("passwordProfile") {
                let pw = p
                    .get("password")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if existing.is_none() && pw.chars().count() < 8 {
                    return Err(AppError::bad_request(
                        "The specified password does not comply with password complexity requirements. Please provide a different password.",
                    ));
                }
            }
        }
        ObjectKind::Group => {
            if let Some(nick) = props.get("mailNickname").and_then(Value::as_str) {
                let ok = !nick.is_empty()
                    && nick.len() <= 64
                    && nick
                        .chars()
                        .all(|c| c.is_ascii() && !"@()\\[]\";:<>, ".contains(c));
                if !ok {
                    return Err(AppError::invalid_value("mailNickname", "Group"));
                }
            }
            if props.get("isAssignableToRole").and_then(Value::as_bool) == Some(true) {
                let security = props
                    .get("securityEnabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !security {
                    return Err(AppError::bad_request(
                        "IsAssignableToRole can only be set to true for security-enabled groups.",
                    ));
                }
            }
        }
        ObjectKind::Device => clash("deviceId")?,
        _ => {}
    }
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
    kind: ObjectKind,
) -> AppResult<Response> {
    ctx.caller.require(perms_for(kind).1)?;
    let body = json_object(&body)?;
    let obj = create_object(&state, kind, &body)?;
    // The creating request is answered from the primary, like Graph's create response.
    let value = state.read(|t| t.get(&obj).map(|o| entity(&ctx, o)));
    Ok(json(StatusCode::CREATED, value.unwrap_or(Value::Null)))
}

/// Validates `body` and creates an object of `kind`; returns its id.
pub fn create_object(
    state: &AppState,
    kind: ObjectKind,
    body: &Map<String, Value>,
) -> AppResult<String> {
    let mut props = schema::check_body(kind, body, true)?;
    if kind == ObjectKind::Group
        && let Some(rule) = props.get("membershipRule").and_then(Value::as_str)
    {
        dynamic::validate_rule_syntax(rule)?;
    }
    let id = uuid::Uuid::new_v4().to_string();
    state.write(|d| -> AppResult<()> {
        let t = &mut d.tenant;
        check_kind_rules(t, kind, &props, None)?;
        let domain = t.domains.first().cloned().unwrap_or_default();
        defaults::fill(kind, &mut props, &domain);
        t.insert(DirObject::new(id.clone(), kind, props));
        Ok(())
    })?;
    Ok(id)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
    kind: ObjectKind,
) -> AppResult<Response> {
    ctx.caller.require(perms_for(kind).2)?;
    let body = json_object(&body)?;
    let props = schema::check_body(kind, &body, false)?;
    state.write(|d| -> AppResult<()> {
        let existing = d.addressed(ctx.read, &id, kind)?;
        let t = &mut d.tenant;
        check_member_management(t, &ctx.caller, &existing)?;
        check_kind_rules(t, kind, &props, Some(&existing))?;
        let obj = t.edit_kind(&id, kind)?;
        obj.props.extend(props);
        obj.modified_ms = crate::store::model::now_ms();
        Ok(())
    })?;
    Ok(no_content())
}

/// Restricted-management AUs: tenant-level permissions (application permissions and
/// tenant-scoped roles) cannot modify their member objects; only a role assigned at
/// that AU's scope can (reference §1.2).
pub fn check_member_management(t: &Tenant, caller: &Caller, obj: &DirObject) -> AppResult<()> {
    for au in t.aus_of(&obj.id) {
        if !au.bool_prop("isMemberManagementRestricted") {
            continue;
        }
        let scope = format!("/administrativeUnits/{}", au.id);
        let scoped = t
            .role_assignments
            .values()
            .any(|a| a.principal_id == caller.object_id && a.directory_scope_id == scope);
        if !scoped {
            return Err(AppError::forbidden());
        }
    }
    Ok(())
}

/// Deletes an object as Graph does: users and Microsoft 365 groups go to the recycle
/// bin, security groups and devices are removed permanently.
pub fn delete_object(t: &mut Tenant, id: &str) -> AppResult<()> {
    let obj = t.get(id).ok_or_else(|| AppError::not_found(id))?;
    let soft = match obj.kind {
        ObjectKind::User | ObjectKind::AdministrativeUnit | ObjectKind::Application => true,
        ObjectKind::Group => obj
            .props
            .get("groupTypes")
            .and_then(Value::as_array)
            .is_some_and(|g| g.iter().any(|x| x.as_str() == Some("Unified"))),
        _ => false,
    };
    if soft {
        t.soft_delete(id)?;
    } else {
        t.hard_delete(id);
    }
    Ok(())
}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    kind: ObjectKind,
) -> AppResult<Response> {
    ctx.caller.require(perms_for(kind).2)?;
    state.write(|d| -> AppResult<()> {
        let existing = d.addressed(ctx.read, &id, kind)?;
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
    ctx.caller.require(perms_for(kind).0)?;
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
fn addressed_deleted(
    d: &crate::directory::Directory,
    ctx: &Ctx,
    id: &str,
) -> AppResult<ObjectKind> {
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

/// Whether the caller may read objects of `kind`.
pub fn can_read(caller: &Caller, kind: ObjectKind) -> bool {
    caller.has_any(perms_for(kind).0)
}

async fn directory_object(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let obj = v.get(&id).ok_or_else(|| AppError::not_found(&id))?;
        if !can_read(&ctx.caller, obj.kind) {
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
            .filter_map(|id| v.get(&super::normalize_id(id)))
            .filter(|o| types.as_ref().is_none_or(|ty| ty.contains(&o.kind)))
            .filter(|o| can_read(&ctx.caller, o.kind))
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
