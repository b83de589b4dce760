//! Roles: templates, activation, role definitions, role assignments and AU-scoped
//! role members (two views of the same assignments).

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::user_id;
use serde_json::{Value, json};

use crate::common::*;

const PRINTER_ADMIN: &str = "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const RA: &str = "/v1.0/roleManagement/directory/roleAssignments";

#[tokio::test]
async fn templates_and_definitions_list_builtins() {
    let h = start().await;
    let v = h.get_json("/v1.0/directoryRoleTemplates").await;
    assert!(
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == PRINTER_ADMIN)
    );
    let d = h
        .get_json(&format!(
            "/v1.0/roleManagement/directory/roleDefinitions/{USER_ADMIN}"
        ))
        .await;
    assert_eq!(d["displayName"], "User Administrator");
    assert_eq!(d["isBuiltIn"], true);
    assert!(d["rolePermissions"][0]["allowedResourceActions"].is_array());
    let f = h.get_json("/v1.0/roleManagement/directory/roleDefinitions?$filter=displayName eq 'Groups Administrator'").await;
    assert_eq!(f["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn activation_and_scoped_role_members() {
    let h = start().await;
    let roles = h
        .get_json(&format!(
            "/v1.0/directoryRoles?$filter=roleTemplateId eq '{PRINTER_ADMIN}'"
        ))
        .await;
    assert!(roles["value"].as_array().unwrap().is_empty());
    let r = h
        .post(
            "/v1.0/directoryRoles",
            json!({"roleTemplateId": PRINTER_ADMIN}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let role: Value = r.json().await.unwrap();
    let role_id = role["id"].as_str().unwrap().to_owned();
    assert_eq!(role["roleTemplateId"], PRINTER_ADMIN);
    let r = h
        .post(
            "/v1.0/directoryRoles",
            json!({"roleTemplateId": PRINTER_ADMIN}),
        )
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;

    let au = h.create_au(json!({"displayName": "Scoped"})).await;
    let srm = format!("{AUS}/{au}/scopedRoleMembers");
    let u = user_id(4);
    let r = h
        .post(
            &srm,
            json!({"roleId": role_id, "roleMemberInfo": {"id": u}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["administrativeUnitId"], au.as_str());
    assert_eq!(m["roleId"], role_id.as_str());
    assert_eq!(m["roleMemberInfo"]["id"], u.as_str());
    assert!(m["roleMemberInfo"]["displayName"].is_string());
    let mid = m["id"].as_str().unwrap().to_owned();

    // Same assignment through unified RBAC.
    let ra = h
        .get_json(&format!(
            "{RA}?$filter=directoryScopeId eq '/administrativeUnits/{au}'"
        ))
        .await;
    let items = ra["value"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["roleDefinitionId"], PRINTER_ADMIN);
    assert_eq!(items[0]["principalId"], u.as_str());
    assert_eq!(items[0]["id"], mid.as_str());

    let one = h.get_json(&format!("{srm}/{mid}")).await;
    assert_eq!(one["id"], mid.as_str());
    assert_eq!(h.delete(&format!("{srm}/{mid}")).await.status(), 204);
    assert_eq!(h.get(&format!("{RA}/{mid}")).await.status(), 404);
    let r = h.delete(&format!("{srm}/{mid}")).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;
}

#[tokio::test]
async fn role_assignments_at_au_scope() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "RBAC"})).await;
    let scope = format!("/administrativeUnits/{au}");
    let u = user_id(9);
    let r = h.post(RA, json!({"@odata.type": "#microsoft.graph.unifiedRoleAssignment", "roleDefinitionId": USER_ADMIN, "principalId": u, "directoryScopeId": scope})).await;
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    let id = a["id"].as_str().unwrap().to_owned();
    assert!(id.ends_with("-1"));
    assert_eq!(a["directoryScopeId"], scope.as_str());
    assert_eq!(
        h.get_json(&format!("{RA}/{id}")).await["principalId"],
        u.as_str()
    );

    // Shows up as a scoped role member too.
    let srm = h.get_json(&format!("{AUS}/{au}/scopedRoleMembers")).await;
    assert_eq!(srm["value"].as_array().unwrap().len(), 1);

    let r = h
        .post(
            RA,
            json!({"roleDefinitionId": USER_ADMIN, "principalId": u, "directoryScopeId": scope}),
        )
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;

    let r = h
        .post(
            RA,
            json!({"roleDefinitionId": GLOBAL_ADMIN, "principalId": u, "directoryScopeId": scope}),
        )
        .await;
    let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
    assert_eq!(
        msg,
        "The given built-in role is not supported to be assigned to a single resource scope."
    );

    let r = h.post(RA, json!({"roleDefinitionId": USER_ADMIN, "principalId": "00000000-0000-4000-8000-00000000dead", "directoryScopeId": "/"})).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;
    let r = h.post(RA, json!({"roleDefinitionId": "00000000-0000-4000-8000-00000000beef", "principalId": u, "directoryScopeId": "/"})).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;

    let by_principal = h
        .get_json(&format!("{RA}?$filter=principalId eq '{u}'"))
        .await;
    assert_eq!(by_principal["value"].as_array().unwrap().len(), 1);
    assert_eq!(h.delete(&format!("{RA}/{id}")).await.status(), 204);
}

#[tokio::test]
async fn custom_roles_can_be_created_and_scoped() {
    let h = start().await;
    let body = json!({"displayName": "AU Helpdesk", "description": "reset names", "isEnabled": true,
        "rolePermissions": [{"allowedResourceActions": ["microsoft.directory/users/basic/update"]}]});
    let r = h
        .post("/v1.0/roleManagement/directory/roleDefinitions", body)
        .await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["isBuiltIn"], false);
    let role = d["id"].as_str().unwrap();
    let au = h.create_au(json!({"displayName": "C"})).await;
    let r = h.post(RA, json!({"roleDefinitionId": role, "principalId": user_id(3), "directoryScopeId": format!("/administrativeUnits/{au}")})).await;
    assert_eq!(r.status(), 201);
    let r = h
        .delete(&format!(
            "/v1.0/roleManagement/directory/roleDefinitions/{USER_ADMIN}"
        ))
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn role_writes_need_role_management_permission() {
    let h = start().await;
    let reader = h.reader_token().await;
    let r = h
        .client
        .post(format!("{}/v1.0/directoryRoles", h.url))
        .bearer_auth(&reader)
        .json(&json!({"roleTemplateId": PRINTER_ADMIN}))
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    let r = h
        .client
        .get(format!("{}{RA}", h.url))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
