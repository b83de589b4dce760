//! Roles: `directoryRoleTemplates`, `directoryRoles` (+ activation), unified RBAC
//! (`roleManagement/directory/roleDefinitions|roleAssignments`) and AU
//! `scopedRoleMembers`. Both assignment views read the same stored assignments.
//!
//! Reads are served by the request's replica. Writes check the objects they address
//! (404) and reference (400 "Not a valid reference update.") at that replica first.

mod assignments;
mod common;
mod definitions;
mod directory_roles;
mod scoped;

use axum::Router;
use axum::routing::get;

pub use directory_roles::get_by_template;

use super::common::prefixes;
use crate::AppState;
use assignments::{delete_assignment, get_assignment, list_assignments, post_assignment};
use definitions::{
    create_definition, delete_definition, get_definition, list_definitions, update_definition,
};
use directory_roles::{
    activate, get_role, get_template, list_roles, list_templates, role_members,
    role_scoped_members, scoped_role_member_of,
};
use scoped::{add_scoped, delete_scoped, get_scoped, list_scoped};

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
