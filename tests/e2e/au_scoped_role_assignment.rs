//! `entra_au_scoped_role_assignment` through real Terraform.

use reqwest::Method;
use serde_json::json;

use crate::au_member::{group, user};
use crate::helpers::{Tenant, Workspace, suffix};

const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

fn config(au_name: &str, role: &str, principal: &str) -> String {
    format!(
        r#"resource "entra_administrative_unit" "au" {{
  display_name = "{au_name}"
}}

resource "entra_au_scoped_role_assignment" "a" {{
  administrative_unit_id = entra_administrative_unit.au.id
  role_definition_id     = "{role}"
  principal_id           = "{principal}"
}}
"#
    )
}

/// Creates a custom role through Graph, as an administrator would in the portal.
fn custom_role(tenant: &Tenant, name: &str, actions: &[&str]) -> String {
    let (status, body) = tenant.graph(
        Method::POST,
        "/roleManagement/directory/roleDefinitions",
        Some(json!({
            "displayName": name,
            "description": "created by a test",
            "isEnabled": true,
            "rolePermissions": [{"allowedResourceActions": actions}],
        })),
    );
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn assignments_at(tenant: &Tenant, au: &str) -> Vec<serde_json::Value> {
    let filter = format!("directoryScopeId eq '/administrativeUnits/{au}'");
    let (status, body) = tenant.get(&format!(
        "/roleManagement/directory/roleAssignments?$filter={}",
        urlencode(&filter)
    ));
    assert_eq!(status, 200, "{body}");
    body["value"].as_array().unwrap().clone()
}

fn urlencode(s: &str) -> String {
    s.replace(' ', "%20")
        .replace('\'', "%27")
        .replace('/', "%2F")
}

fn assignment(ws: &Workspace) -> serde_json::Value {
    ws.state_values("entra_au_scoped_role_assignment.a")
}

#[test]
fn built_in_role_for_a_user_then_a_role_assignable_group() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&config(&name, HELPDESK_ADMINISTRATOR, &user(7)));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let state = assignment(&ws);
    assert_eq!(state["role_display_name"], json!("Helpdesk Administrator"));
    assert_eq!(state["principal_type"], json!("user"));
    let at_scope = assignments_at(&tenant, &au);
    assert_eq!(at_scope.len(), 1);
    assert_eq!(at_scope[0]["id"], state["id"]);
    assert_eq!(
        at_scope[0]["roleDefinitionId"],
        json!(HELPDESK_ADMINISTRATOR)
    );
    // The same assignment is visible through the AU's scopedRoleMembers view.
    let (status, scoped) = tenant.get(&format!(
        "/directory/administrativeUnits/{au}/scopedRoleMembers"
    ));
    assert_eq!(status, 200);
    assert_eq!(scoped["value"][0]["roleMemberInfo"]["id"], json!(user(7)));
    ws.assert_plan_empty();

    // A new principal replaces the assignment.
    ws.write(&config(&name, HELPDESK_ADMINISTRATOR, &group(4)));
    assert_eq!(
        ws.planned_actions("entra_au_scoped_role_assignment.a"),
        ["delete", "create"]
    );
    ws.apply();
    assert_eq!(assignment(&ws)["principal_type"], json!("group"));
    assert_eq!(assignments_at(&tenant, &au).len(), 1);
    ws.assert_plan_empty();
    ws.destroy();
    assert!(assignments_at(&tenant, &au).is_empty());
}

#[test]
fn custom_roles_with_directory_permissions_can_be_scoped() {
    let tenant = Tenant::start();
    let role_name = format!("Group Manager {}", suffix());
    let role = custom_role(
        &tenant,
        &role_name,
        &[
            "microsoft.directory/groups/create",
            "microsoft.directory/groups/members/update",
        ],
    );
    let ws = tenant.workspace();
    ws.write(&config(
        &format!("acctest-au-{}", suffix()),
        &role,
        &user(8),
    ));
    ws.apply();
    assert_eq!(assignment(&ws)["role_display_name"], json!(role_name));
    assert_eq!(assignment(&ws)["role_definition_id"], json!(role));
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn roles_that_cannot_be_scoped_fail_at_plan() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&config("x", GLOBAL_ADMINISTRATOR, &user(1)));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(
        out.contains("Role cannot be scoped to an administrative unit"),
        "{out}"
    );
    assert!(out.contains("Global Administrator"), "{out}");
    assert!(
        out.contains("Helpdesk Administrator (729827e3"),
        "lists the roles that can: {out}"
    );

    let apps_only = custom_role(
        &tenant,
        "App Registrar",
        &["microsoft.directory/applications/create"],
    );
    let ws2 = tenant.workspace();
    ws2.write(&config("y", &apps_only, &user(1)));
    let run = ws2.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(
        out.contains("cannot take effect at administrative unit scope: microsoft.directory/applications/create"),
        "{out}"
    );
    assert!(out.contains("role_definition_id"), "{out}");
    assert_eq!(
        tenant
            .administrative_unit_names()
            .iter()
            .filter(|n| *n == "x" || *n == "y")
            .count(),
        0
    );
}

#[test]
fn import_by_assignment_id_and_by_scoped_role_member_and_recreate_after_deletion() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&config(&name, USER_ADMINISTRATOR, &user(9)));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = assignment(&ws)["id"].as_str().unwrap().to_owned();

    // Import by role assignment id into a fresh state.
    let other = tenant.workspace();
    other.write(
        &config(&name, USER_ADMINISTRATOR, &user(9))
            .replace("entra_administrative_unit.au.id", &format!("\"{au}\"")),
    );
    other.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "entra_administrative_unit.au",
        &au,
    ]);
    other.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "entra_au_scoped_role_assignment.a",
        &id,
    ]);
    assert_eq!(assignment(&other)["principal_id"], json!(user(9)));
    other.assert_plan_empty();

    // A scoped role membership made by another tool imports by its azuread-style id.
    let (srm, _) = tenant.add_scoped_role_member(&au, HELPDESK_ADMINISTRATOR, &user(10));
    let srm_id = srm["id"].as_str().unwrap();
    let third = tenant.workspace();
    third.write(&format!(
        "import {{\n  to = entra_au_scoped_role_assignment.b\n  id = \"/directory/administrativeUnits/{au}/scopedRoleMembers/{srm_id}\"\n}}\n\nresource \"entra_au_scoped_role_assignment\" \"b\" {{\n  administrative_unit_id = \"{au}\"\n  role_definition_id     = \"{HELPDESK_ADMINISTRATOR}\"\n  principal_id           = \"{}\"\n}}\n",
        user(10)
    ));
    third.apply();
    assert_eq!(
        third.state_values("entra_au_scoped_role_assignment.b")["role_display_name"],
        json!("Helpdesk Administrator")
    );
    third.assert_plan_empty();

    // Deleted out of band: planned for re-creation.
    let (status, _) = tenant.graph(
        Method::DELETE,
        &format!("/roleManagement/directory/roleAssignments/{id}"),
        None,
    );
    assert_eq!(status, 204);
    assert_eq!(
        ws.planned_actions("entra_au_scoped_role_assignment.a"),
        ["create"]
    );
    ws.apply();
    ws.assert_plan_empty();
}

#[test]
fn an_existing_assignment_must_be_imported() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name = \"{name}\"\n}}\n"
    ));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, made) = tenant.graph(
        Method::POST,
        "/roleManagement/directory/roleAssignments",
        Some(
            json!({"roleDefinitionId": HELPDESK_ADMINISTRATOR, "principalId": user(15),
                    "directoryScopeId": format!("/administrativeUnits/{au}")}),
        ),
    );
    assert_eq!(status, 201, "{made}");
    ws.write(&config(&name, HELPDESK_ADMINISTRATOR, &user(15)));
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Role assignment already exists"), "{out}");
    let id = made["id"].as_str().unwrap();
    assert!(
        out.contains(&format!(
            "terraform import entra_au_scoped_role_assignment.<name> {id}"
        )),
        "{out}"
    );
    assert_eq!(
        assignments_at(&tenant, &au).len(),
        1,
        "nothing was duplicated"
    );
}
