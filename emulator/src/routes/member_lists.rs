//! Member collections shared by AU and group members: typed items (only `@odata.type`
//! and `id` when the caller cannot read that type), `$ref` lists, casts and counts.

use serde_json::{Value, json};

use super::common::Ctx;
use super::objects::{can_read, typed_json};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::filter::{Filter, Target};
use crate::odata;
use crate::store::{DirObject, ObjectKind};
use crate::view::View;

/// A member as the caller may see it: full, or only `@odata.type` and `id` when the
/// caller cannot read that object type (Graph's limited-information behaviour).
pub fn member_json(
    view: &View<'_>,
    caller: &Caller,
    obj: &DirObject,
    query: &odata::Query,
) -> Value {
    let mut v = typed_json(obj, query);
    if !can_read(view, caller, obj.kind)
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

/// The type named by a cast segment (`microsoft.graph.user`, `graph.user`, `user`).
pub fn cast_of(segment: &str) -> AppResult<ObjectKind> {
    ObjectKind::from_cast(segment).ok_or_else(|| {
        AppError::odata_bad_request(format!("Resource not found for the segment '{segment}'."))
    })
}

fn member_filter(ctx: &Ctx, cast: Option<ObjectKind>, advanced: bool) -> AppResult<Option<Filter>> {
    ctx.query
        .filter
        .as_deref()
        .map(|f| Filter::new(f, Target::Members(cast), advanced))
        .transpose()
}

/// The filter of a member listing, after the query checks Graph applies to it.
pub fn list_filter(ctx: &Ctx, cast: Option<ObjectKind>) -> AppResult<Option<Filter>> {
    ctx.check_search()?;
    if let Some(k) = cast {
        ctx.query.check_select(k)?;
    }
    member_filter(ctx, cast, ctx.advanced())
}

/// A page of members (of type `cast`, when given) as a typed collection.
pub fn members_page(
    ctx: &Ctx,
    view: &View<'_>,
    members: Vec<&DirObject>,
    cast: Option<ObjectKind>,
    filter: Option<&Filter>,
) -> AppResult<Value> {
    let members = members
        .into_iter()
        .filter(|o| cast.is_none_or(|k| o.kind == k));
    let page = odata::page(members, &ctx.query, filter)?;
    let frag = cast.map_or_else(
        || "directoryObjects".to_owned(),
        |k| format!("{}s", k.type_name()),
    );
    Ok(ctx.page_collection(&frag, &page, |o| {
        member_json(view, &ctx.caller, o, &ctx.query)
    }))
}

/// A page of members as `@odata.id` references.
pub fn refs_page(ctx: &Ctx, members: Vec<&DirObject>, filter: Option<&Filter>) -> AppResult<Value> {
    let page = odata::page(members.into_iter(), &ctx.query, filter)?;
    Ok(ctx.page_collection(
        "Collection($ref)",
        &page,
        |o| json!({"@odata.id": ctx.url(&format!("directoryObjects/{}", o.id))}),
    ))
}

/// The checks and filters of a `/$count` of members.
pub struct CountQuery {
    filter: Option<Filter>,
    search: Option<odata::Search>,
    cast: Option<ObjectKind>,
}

impl CountQuery {
    /// Parses the query of a member `$count` (needs `ConsistencyLevel: eventual`).
    pub fn new(ctx: &Ctx, cast: Option<ObjectKind>) -> AppResult<Self> {
        ctx.check_count_segment()?;
        Ok(Self {
            filter: member_filter(ctx, cast, true)?,
            search: ctx
                .query
                .search
                .as_deref()
                .map(odata::parse_search)
                .transpose()?,
            cast,
        })
    }

    /// How many of `members` match.
    pub fn count(&self, members: Vec<&DirObject>) -> usize {
        members
            .into_iter()
            .filter(|o| self.cast.is_none_or(|k| o.kind == k))
            .filter(|o| self.filter.as_ref().is_none_or(|f| f.matches(o)))
            .filter(|o| self.search.as_ref().is_none_or(|s| s.matches(o)))
            .count()
    }
}

/// One member with `@odata.context`.
pub fn member_entity(ctx: &Ctx, view: &View<'_>, obj: &DirObject) -> Value {
    let mut v = member_json(view, &ctx.caller, obj, &ctx.query);
    if let Value::Object(m) = &mut v {
        m.insert(
            "@odata.context".into(),
            Value::String(ctx.context("directoryObjects/$entity")),
        );
    }
    v
}

/// The `$ref` of one member.
pub fn member_ref(ctx: &Ctx, member_id: &str) -> Value {
    json!({"@odata.context": ctx.context("$ref"), "@odata.id": ctx.url(&format!("directoryObjects/{member_id}"))})
}
