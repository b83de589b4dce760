//! Roles: `directoryRoleTemplates`, `directoryRoles` (+ activation), unified RBAC
//! (`roleManagement/directory/roleDefinitions|roleAssignments`) and AU
//! `scopedRoleMembers`. Both assignment views read the same stored assignments.
//!
//! Reads are served by the request's replica. Writes check the objects they address
//! (404) and reference (400 "Not a valid reference update.") at that replica first.

mod assignments;
mod definitions;
mod directory_roles;
mod scoped;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value};

pub use directory_roles::get_by_template;

use super::administrative_units::prefixes;
use super::{Ctx, json};
use crate::AppState;
use crate::error::AppResult;
use crate::filter::Filter;
use crate::odata;
use crate::store::ObjectKind;
use crate::store::model::DirObject;
use assignments::{delete_assignment, get_assignment, list_assignments, post_assignment};
use definitions::{
    create_definition, delete_definition, get_definition, list_definitions, update_definition,
};
use directory_roles::{
    activate, get_role, get_template, list_roles, list_templates, role_members,
    role_scoped_members, scoped_role_member_of,
};
use scoped::{add_scoped, delete_scoped, get_scoped, list_scoped};

const AU: ObjectKind = ObjectKind::AdministrativeUnit;

/// Registers the role routes for `version`.
pub fn routes(mut r: Router<AppState>, version: &str) -> Router<AppState> {
    let v = format!("/{version}");
    r = r
        .route(&format!("{v}/directoryRoleTemplates"), get(list_templates))
        .route(
            &format!("{v}/directoryRoleTemplates/{{id}}"),
            get(get_template),
        )
        .route(
            &format!("{v}/directoryRoles"),
            get(list_roles).post(activate),
        )
        .route(&format!("{v}/directoryRoles/{{id}}"), get(get_role))
        .route(
            &format!("{v}/directoryRoles/{{id}}/members"),
            get(role_members),
        )
        .route(
            &format!("{v}/directoryRoles/{{id}}/scopedMembers"),
            get(role_scoped_members),
        )
        .route(
            &format!("{v}/users/{{id}}/scopedRoleMemberOf"),
            get(scoped_role_member_of),
        );
    let rm = format!("{v}/roleManagement/directory");
    r = r
        .route(
            &format!("{rm}/roleDefinitions"),
            get(list_definitions).post(create_definition),
        )
        .route(
            &format!("{rm}/roleDefinitions/{{id}}"),
            get(get_definition)
                .patch(update_definition)
                .delete(delete_definition),
        )
        .route(
            &format!("{rm}/roleAssignments"),
            get(list_assignments).post(post_assignment),
        )
        .route(
            &format!("{rm}/roleAssignments/{{id}}"),
            get(get_assignment).delete(delete_assignment),
        );
    for p in prefixes(version) {
        let s = format!("{p}/{{id}}/scopedRoleMembers");
        r = r.route(&s, get(list_scoped).post(add_scoped)).route(
            &format!("{s}/{{membership}}"),
            get(get_scoped).delete(delete_scoped),
        );
    }
    r
}

fn with_context(ctx: &Ctx, fragment: &str, v: Value) -> Value {
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

fn lenient_filter(ctx: &Ctx) -> AppResult<Option<Filter>> {
    ctx.query.filter.as_deref().map(Filter::lenient).transpose()
}

fn collection_response(
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
