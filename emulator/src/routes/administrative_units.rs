//! `/directory/administrativeUnits` CRUD, `$count`, and AU property rules.
//!
//! v1.0 serves AUs only below `/directory`; beta also at `/administrativeUnits`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get};
use serde_json::{Map, Value};

use super::common::{Ctx, count_text, json, json_object, no_content, prefixes, sorted};
use super::objects::typed_json;
use super::references::add_reference;
use crate::AppState;
use crate::auth::perms;
use crate::directory::Directory;
use crate::dynamic;
use crate::error::{AppError, AppResult};
use crate::filter::{Filter, Target};
use crate::odata;
use crate::store::model::{DirObject, now_ms};
use crate::store::{ObjectKind, schema};
use crate::view::View;

const KIND: ObjectKind = ObjectKind::AdministrativeUnit;
/// Maximum display name length.
pub const MAX_DISPLAY_NAME: usize = 256;

/// Graph v1.0's answer below `/administrativeUnits`: an unknown segment.
async fn not_in_v1() -> AppError {
    AppError::odata_bad_request("Resource not found for the segment 'administrativeUnits'.")
}

/// Registers the AU routes for `version`.
pub fn routes(mut r: Router<AppState>, version: &str) -> Router<AppState> {
    if version == "v1.0" {
        r = r
            .route("/v1.0/administrativeUnits", any(not_in_v1))
            .route("/v1.0/administrativeUnits/{*rest}", any(not_in_v1));
    }
    for p in prefixes(version) {
        r = r
            .route(&p, get(list).post(create))
            .route(&format!("{p}/$count"), get(count))
            .route(&format!("{p}/delta"), get(delta))
            .route(
                &format!("{p}/{{id}}"),
                get(get_one).patch(update).delete(delete),
            );
    }
    r
}

fn filter_for(ctx: &Ctx) -> AppResult<Option<Filter>> {
    ctx.query
        .filter
        .as_deref()
        .map(|f| Filter::new(f, Target::Collection(KIND), ctx.advanced()))
        .transpose()
}

fn check_orderby(ctx: &Ctx) -> AppResult<()> {
    if ctx.query.orderby.is_some() && !ctx.advanced() {
        return Err(AppError::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    Ok(())
}

/// The `@odata.context` fragment of the AU collection: `directory/administrativeUnits`
/// on v1.0 (and on beta's `/directory` path), `administrativeUnits` on beta's own path.
pub fn collection_fragment(ctx: &Ctx) -> &'static str {
    if ctx.version == "v1.0" || ctx.path.contains("/directory/") {
        "directory/administrativeUnits"
    } else {
        "administrativeUnits"
    }
}

/// Renders an AU with `@odata.context` for a single-entity response.
pub fn entity_json(ctx: &Ctx, obj: &DirObject) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        Value::String(ctx.context(&format!("{}/$entity", collection_fragment(ctx)))),
    );
    m.extend(odata::render_object(obj, &ctx.query));
    Value::Object(m)
}

/// Maximum number of members returned by `$expand=members` (Graph caps expansions at 20).
const EXPAND_LIMIT: usize = 20;

/// Whether `$expand=members` was asked for; 400 for anything else.
fn wants_members(ctx: &Ctx) -> AppResult<bool> {
    let Some(expand) = &ctx.query.expand else {
        return Ok(false);
    };
    for item in expand.split(',') {
        let name = item.split('(').next().unwrap_or_default().trim();
        if !name.eq_ignore_ascii_case("members") {
            return Err(AppError::odata_bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.administrativeUnit'."
            )));
        }
    }
    Ok(true)
}

/// Adds `members` (up to 20, typed) to a rendered AU when the caller may read them.
fn add_expanded(v: &View<'_>, ctx: &Ctx, au: &DirObject, value: &mut Value) {
    let hidden = au.str_prop("visibility") == Some("HiddenMembership");
    if hidden && !ctx.caller.has_any(perms::MEMBER_HIDDEN) {
        return;
    }
    let members: Vec<Value> = v
        .members(&au.id)
        .into_iter()
        .take(EXPAND_LIMIT)
        .map(|o| typed_json(o, &odata::Query::default()))
        .collect();
    if let Value::Object(m) = value {
        m.insert("members".into(), Value::Array(members));
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::AU_READ)?;
    ctx.query.check_select(KIND)?;
    ctx.check_search()?;
    check_orderby(&ctx)?;
    let expand = wants_members(&ctx)?;
    let filter = filter_for(&ctx)?;
    let body = state.view(ctx.read, |v| -> AppResult<Value> {
        let objs = sorted(v.list(KIND), &ctx);
        let page = odata::page(objs.into_iter(), &ctx.query, filter.as_ref())?;
        Ok(ctx.page_collection(collection_fragment(&ctx), &page, |o| {
            let mut item = Value::Object(odata::render_object(o, &ctx.query));
            if expand {
                add_expanded(v, &ctx, o, &mut item);
            }
            item
        }))
    })?;
    Ok(json(StatusCode::OK, body))
}

async fn count(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::AU_READ)?;
    ctx.check_count_segment()?;
    // `/$count` implies the count, so only the header is needed for advanced filters.
    let filter = ctx
        .query
        .filter
        .as_deref()
        .map(|f| Filter::new(f, Target::Collection(KIND), ctx.eventual))
        .transpose()?;
    let search = ctx
        .query
        .search
        .as_deref()
        .map(odata::parse_search)
        .transpose()?;
    let n = state.view(ctx.read, |v| {
        v.list(KIND)
            .into_iter()
            .filter(|o| filter.as_ref().is_none_or(|f| f.matches(o)))
            .filter(|o| search.as_ref().is_none_or(|s| s.matches(o)))
            .count()
    });
    Ok(count_text(n))
}

async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::AU_READ)?;
    ctx.query.check_select(KIND)?;
    let expand = wants_members(&ctx)?;
    let body = state.view(ctx.read, |v| {
        v.get_kind(&id, KIND).map(|au| {
            let mut value = entity_json(&ctx, au);
            if expand {
                add_expanded(v, &ctx, au, &mut value);
            }
            value
        })
    })?;
    Ok(json(StatusCode::OK, body))
}

fn canonical(value: &Value, allowed: &[&str], prop: &str) -> AppResult<Value> {
    match value {
        Value::Null => Ok(Value::Null),
        Value::String(s) => allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(s))
            .map(|a| Value::String((*a).to_owned()))
            .ok_or_else(|| AppError::invalid_value(prop, KIND.resource_name())),
        _ => Err(AppError::invalid_value(prop, KIND.resource_name())),
    }
}

/// Validates and canonicalizes AU properties in `props` (a create or PATCH body).
fn normalize(props: &mut Map<String, Value>, creating: bool) -> AppResult<()> {
    if let Some(v) = props.get("displayName") {
        let ok = v
            .as_str()
            .is_some_and(|s| !s.trim().is_empty() && s.chars().count() <= MAX_DISPLAY_NAME);
        if !ok {
            return Err(AppError::invalid_value("displayName", KIND.resource_name()));
        }
    } else if creating {
        return Err(AppError::invalid_value("displayName", KIND.resource_name()));
    }
    if let Some(v) = props.get("visibility") {
        let c = canonical(v, &["Public", "HiddenMembership"], "visibility")?;
        props.insert("visibility".into(), c);
    }
    if let Some(v) = props.get("membershipType") {
        let c = canonical(v, &["Dynamic", "Assigned"], "membershipType")?;
        props.insert("membershipType".into(), c);
    }
    if let Some(v) = props.get("membershipRuleProcessingState") {
        let c = canonical(v, &["On", "Paused"], "membershipRuleProcessingState")?;
        props.insert("membershipRuleProcessingState".into(), c);
    }
    Ok(())
}

/// Checks the combined (stored + new) dynamic-membership settings.
fn check_dynamic(au: &Map<String, Value>) -> AppResult<()> {
    let dynamic = au.get("membershipType").and_then(Value::as_str) == Some("Dynamic");
    let rule = au.get("membershipRule").and_then(Value::as_str);
    match (dynamic, rule) {
        (true, None) => Err(AppError::bad_request(
            "The membershipRule property is required when membershipType is Dynamic.",
        )),
        (true, Some(r)) => dynamic::validate_rule(r),
        (false, Some(r)) => dynamic::validate_rule_syntax(r),
        (false, None) => Ok(()),
    }
}

/// `members@odata.bind` URLs in a create or PATCH body (the generated SDK models
/// expose it on AUs; Graph's docs show only one-by-one `$ref` adds, so this is lenient).
fn member_binds(body: &Map<String, Value>) -> AppResult<Vec<String>> {
    for key in body.keys() {
        if key.ends_with("@odata.bind") && key != "members@odata.bind" {
            return Err(AppError::bad_request(format!(
                "Property '{key}' does not exist as a declared property or extension property."
            )));
        }
    }
    match body.get("members@odata.bind") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    AppError::invalid_value("members@odata.bind", KIND.resource_name())
                })
            })
            .collect(),
        Some(_) => Err(AppError::invalid_value(
            "members@odata.bind",
            KIND.resource_name(),
        )),
    }
}

fn bind_members(d: &mut Directory, ctx: &Ctx, au_id: &str, urls: &[String]) -> AppResult<()> {
    let au = d.tenant.get_kind(au_id, KIND)?.clone();
    for url in urls {
        add_reference(d, ctx, &au, url)?;
    }
    Ok(())
}

async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    let body = json_object(&body)?;
    let mut props = schema::check_body(KIND, &body, true)?;
    normalize(&mut props, true)?;
    if props.get("membershipType").and_then(Value::as_str) == Some("Dynamic")
        && props
            .get("membershipRuleProcessingState")
            .is_none_or(Value::is_null)
    {
        props.insert("membershipRuleProcessingState".into(), "On".into());
    }
    check_dynamic(&props)?;
    let binds = member_binds(&body)?;
    let id = uuid::Uuid::new_v4().to_string();
    let obj = DirObject::new(id.clone(), KIND, props);
    let value = state.write(|d| -> AppResult<Option<Value>> {
        d.tenant.insert(obj);
        if let Err(e) = bind_members(d, &ctx, &id, &binds) {
            d.tenant.hard_delete(&id);
            return Err(e);
        }
        Ok(d.tenant.get(&id).map(|o| entity_json(&ctx, o)))
    })?;
    Ok(json(StatusCode::CREATED, value.unwrap_or(Value::Null)))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    let mut body = json_object(&body)?;
    state.write(|d| -> AppResult<()> {
        let au = d.addressed(ctx.read, &id, KIND)?;
        // isMemberManagementRestricted is immutable: re-sending the stored value is
        // accepted, any change is rejected as a read-only property.
        if let Some(v) = body.get("isMemberManagementRestricted")
            && (v.is_null() || v.is_boolean())
            && v.as_bool().unwrap_or(false) == au.bool_prop("isMemberManagementRestricted")
        {
            body.remove("isMemberManagementRestricted");
        }
        let mut props = schema::check_body(KIND, &body, false)?;
        normalize(&mut props, false)?;
        let was_hidden = au.str_prop("visibility") == Some("HiddenMembership");
        if props.get("visibility").and_then(Value::as_str) == Some("HiddenMembership")
            && !was_hidden
        {
            return Err(AppError::bad_request(
                "HiddenMembership can only be set during administrative unit creation.",
            ));
        }
        let mut merged = au.props.clone();
        merged.extend(props.clone());
        check_dynamic(&merged)?;
        let binds = member_binds(&body)?;
        if !binds.is_empty() && dynamic::is_dynamic(&au) {
            return Err(AppError::bad_request(
                "Members of an administrative unit with dynamic membership cannot be added or removed manually.",
            ));
        }
        bind_members(d, &ctx, &id, &binds)?;
        let obj = d.tenant.edit_kind(&id, KIND)?;
        obj.props = merged;
        obj.modified_ms = now_ms();
        Ok(())
    })?;
    Ok(no_content())
}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::AU_WRITE)?;
    state.write(|d| -> AppResult<()> {
        d.addressed(ctx.read, &id, KIND)?;
        d.tenant.soft_delete(&id)?;
        Ok(())
    })?;
    Ok(no_content())
}

fn encode_delta(ms: u64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("emu-delta:{ms}"))
}

fn decode_delta(token: &str) -> AppResult<u64> {
    use base64::Engine;
    if token.eq_ignore_ascii_case("latest") {
        return Ok(u64::MAX);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("emu-delta:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::bad_request("Invalid delta token."))
}

/// `GET .../administrativeUnits/delta`: every AU first, then (with `$deltatoken`) the
/// AUs changed since, and deleted ones as `@removed`. `$deltatoken=latest` skips the
/// initial round.
async fn delta(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::AU_READ)?;
    let raw_token = ctx
        .query
        .raw
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("$deltatoken"))
        .map(|(_, v)| v.clone());
    let since = raw_token.as_deref().map(decode_delta).transpose()?;
    let now = now_ms();
    let body = state.read(|t| -> AppResult<Value> {
        let changed = |o: &&DirObject| since.is_none_or(|s| s != u64::MAX && o.modified_ms >= s);
        let live: Vec<&DirObject> = t.list(KIND).filter(changed).collect();
        let page = odata::page(live.into_iter(), &ctx.query, None)?;
        let mut value: Vec<Value> = page
            .items
            .iter()
            .map(|o| Value::Object(odata::render_object(o, &ctx.query)))
            .collect();
        let mut m = Map::new();
        m.insert(
            "@odata.context".into(),
            Value::String(ctx.context(collection_fragment(&ctx))),
        );
        if let Some(next) = page.next_after {
            m.insert(
                "@odata.nextLink".into(),
                Value::String(ctx.next_link(&next)),
            );
        } else {
            if since.is_some() {
                value.extend(
                    t.deleted
                        .values()
                        .filter(|o| o.kind == KIND)
                        .filter(|o| since.is_some_and(|s| s != u64::MAX && o.modified_ms >= s))
                        .map(
                            |o| serde_json::json!({"id": o.id, "@removed": {"reason": "changed"}}),
                        ),
                );
            }
            let link = format!("{}{}?$deltatoken={}", ctx.base, ctx.path, encode_delta(now));
            m.insert("@odata.deltaLink".into(), Value::String(link));
        }
        m.insert("value".into(), Value::Array(value));
        Ok(Value::Object(m))
    })?;
    Ok(json(StatusCode::OK, body))
}
