//! What the role route files share: the AU kind, `@odata.context` wrapping, and paged
//! collections of role resources (which are not directory objects).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::error::AppResult;
use crate::filter::Filter;
use crate::odata;
use crate::routes::common::{Ctx, json};
use crate::store::ObjectKind;
use crate::store::model::DirObject;

/// The kind of the scope of scoped role members.
pub(super) const AU: ObjectKind = ObjectKind::AdministrativeUnit;

/// `v` with `@odata.context` for `fragment` first.
pub(super) fn with_context(ctx: &Ctx, fragment: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        Value::String(ctx.context(fragment)),
    );
    if let Value::Object(o) = v {
        m.extend(o);
    }
    Value::Object(m)
}

/// Filters, `$select`s and pages plain JSON items (role resources are not directory
/// objects, so `$filter` is applied leniently).
fn page_values(
    ctx: &Ctx,
    items: Vec<Map<String, Value>>,
) -> AppResult<(Vec<Value>, usize, Option<String>)> {
    let filter = lenient_filter(ctx)?;
    let mut wrapped: Vec<DirObject> = items
        .into_iter()
        .map(|mut m| {
            let id = m
                .remove("id")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            DirObject {
                id,
                kind: ObjectKind::DirectoryRole,
                props: m,
                created_ms: 0,
                modified_ms: 0,
                deleted_date_time: None,
            }
        })
        .collect();
    wrapped.sort_by(|a, b| a.id.cmp(&b.id));
    let page = odata::page(wrapped.iter(), &ctx.query, filter.as_ref())?;
    let select = ctx.query.select_list().filter(|s| !s.is_empty());
    let value = page
        .items
        .iter()
        .map(|o| {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(o.id.clone()));
            m.extend(o.props.clone());
            if let Some(sel) = &select {
                m.retain(|k, _| sel.iter().any(|s| s == k));
            }
            Value::Object(m)
        })
        .collect();
    Ok((value, page.total, page.next_after))
}

/// The request's `$filter`, parsed without Graph's per-property support rules.
pub(super) fn lenient_filter(ctx: &Ctx) -> AppResult<Option<Filter>> {
    ctx.query.filter.as_deref().map(Filter::lenient).transpose()
}

/// A page of role resources as an OData collection answer.
pub(super) fn collection_response(
    ctx: &Ctx,
    fragment: &str,
    items: Vec<Map<String, Value>>,
) -> AppResult<Response> {
    let (value, total, next) = page_values(ctx, items)?;
    Ok(json(
        StatusCode::OK,
        odata::collection(
            ctx.context(fragment),
            value,
            ctx.count_value(total),
            next.map(|n| ctx.next_link(&n)),
        ),
    ))
}
