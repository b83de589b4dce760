//! Directory roles held by a service principal authorize its app-only calls, at the
//! assignment's scope. The principal is the demo app with no Graph permission
//! (`NOPERM_CLIENT_ID`, service principal `NOPERM_SP_ID`); roles are assigned to it with
//! the full demo app's token.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::{NOPERM_SP_ID, group_id, user_id};
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::common::*;

const GROUPS_ADMIN: &str = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
/// Demo group 4, "Helpdesk Operators", is role-assignable.
const ROLE_ASSIGNABLE_GROUP: usize = 4;

/// The six actions of a least-privilege group manager.
const SIX_ACTIONS: [&str; 6] = [
    "microsoft.directory/users/standard/read",
    "microsoft.directory/groups/standard/read",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/members/read",
    "microsoft.directory/groups/memberOf/read",
];

fn members(au: &str) -> String {
    format!("{AUS}/{au}/members")
}

fn security_group(nick: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.group", "displayName": nick, "mailEnabled": false,
           "mailNickname": nick, "securityEnabled": true})
}

/// The role-holding principal: the permission-less demo app's token.
struct Principal {
    token: String,
}

impl Principal {
    async fn new(h: &Harness) -> Principal {
        let token = h.noperm_token().await;
        assert!(claims(&token)["roles"].as_array().unwrap().is_empty());
        assert_eq!(claims(&token)["oid"], NOPERM_SP_ID);
        Principal { token }
    }

    async fn send(&self, h: &Harness, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut r = h
            .client
            .request(method, format!("{}{path}", h.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap()
    }

    async fn get(&self, h: &Harness, path: &str) -> Response {
        self.send(h, Method::GET, path, None).await
    }

    async fn post(&self, h: &Harness, path: &str, body: Value) -> Response {
        self.send(h, Method::POST, path, Some(body)).await
    }

    async fn delete(&self, h: &Harness, path: &str) -> Response {
        self.send(h, Method::DELETE, path, None).await
    }

    /// Creates a security group inside `au`; returns its id.
    async fn create_in(&self, h: &Harness, au: &str, nick: &str) -> String {
        let r = self.post(h, &members(au), security_group(nick)).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        v["id"].as_str().unwrap().to_owned()
    }
}

async fn assert_denied(r: Response) {
    let msg = assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    assert_eq!(msg, "Insufficient privileges to complete the operation.");
}

async fn custom_role(h: &Harness, name: &str, actions: &[&str]) -> String {
    let r = h
        .post(
            "/v1.0/roleManagement/directory/roleDefinitions",
            json!({"displayName": name, "isEnabled": true,
                   "rolePermissions": [{"allowedResourceActions": actions}]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["id"].as_str().unwrap().to_owned()
}

async fn assign(h: &Harness, role: &str, principal: &str, scope: &str) {
    let r = h
        .post(
            "/v1.0/roleManagement/directory/roleAssignments",
            json!({"roleDefinitionId": role, "principalId": principal, "directoryScopeId": scope}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

fn unit(au: &str) -> String {
    format!("/administrativeUnits/{au}")
}

/// A security group created tenant-wide by the full demo app (in no AU), with one member.
async fn outside_group(h: &Harness, nick: &str, member: &str) -> String {
    let r = h
        .post(
            "/v1.0/groups",
            json!({"displayName": nick, "mailEnabled": false, "mailNickname": nick, "securityEnabled": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = h
        .post(&format!("/v1.0/groups/{id}/members/$ref"), user_ref(member))
        .await;
    assert_eq!(r.status(), 204);
    id
}

#[tokio::test]
async fn six_action_custom_role_at_a_unit_manages_groups_inside_it_only() {
    let h = start().await;
    let a = h.create_au(json!({"displayName": "Unit A"})).await;
    let b = h.create_au(json!({"displayName": "Unit B"})).await;
    let sp = Principal::new(&h).await;
    let outside = outside_group(&h, "outside", &user_id(7)).await;

    // Without a role the permission-less principal can do none of it.
    assert_denied(sp.post(&h, &members(&a), security_group("early")).await).await;
    assert_denied(sp.get(&h, "/v1.0/users").await).await;

    let role = custom_role(&h, "AU group manager", &SIX_ACTIONS).await;
    assign(&h, &role, NOPERM_SP_ID, &unit(&a)).await;

    // Create a security group inside A.
    let inside = sp.create_in(&h, &a, "inside").await;
    assert!(h.ids(&members(&a)).await.contains(&inside));
    // Read users: the list, one user, and (reads are not scoped) users outside A.
    let r = sp.get(&h, "/v1.0/users?$top=5").await;
    assert_eq!(r.status(), 200);
    let r = sp.get(&h, &format!("/v1.0/users/{}", user_id(5))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], user_id(5));
    // Add and remove members of the group in A; read them with full properties.
    let path = format!("/v1.0/groups/{inside}/members");
    let r = sp
        .post(&h, &format!("{path}/$ref"), user_ref(&user_id(5)))
        .await;
    assert_eq!(r.status(), 204);
    let listed: Value = sp.get(&h, &path).await.json().await.unwrap();
    assert_eq!(listed["value"][0]["id"], user_id(5));
    assert!(listed["value"][0]["displayName"].is_string(), "{listed}");
    let r = sp.delete(&h, &format!("{path}/{}/$ref", user_id(5))).await;
    assert_eq!(r.status(), 204);
    assert!(h.ids(&path).await.is_empty());
    // Read the group and what it belongs to; no basic/update, so no PATCH.
    assert_eq!(
        sp.get(&h, &format!("/v1.0/groups/{inside}")).await.status(),
        200
    );
    let r = sp.get(&h, &format!("/v1.0/groups/{inside}/memberOf")).await;
    assert_eq!(r.status(), 200);
    let r = sp
        .send(
            &h,
            Method::PATCH,
            &format!("/v1.0/groups/{inside}"),
            Some(json!({"displayName": "renamed"})),
        )
        .await;
    assert_denied(r).await;

    // Refused: tenant-wide create, create in B, member changes of a group outside A.
    let tenant_wide = json!({"displayName": "tw", "mailEnabled": false, "mailNickname": "tw", "securityEnabled": true});
    assert_denied(sp.post(&h, "/v1.0/groups", tenant_wide).await).await;
    assert_denied(sp.post(&h, &members(&b), security_group("in-b")).await).await;
    let out = format!("/v1.0/groups/{outside}/members");
    assert_denied(
        sp.post(&h, &format!("{out}/$ref"), user_ref(&user_id(8)))
            .await,
    )
    .await;
    assert_denied(sp.delete(&h, &format!("{out}/{}/$ref", user_id(7))).await).await;
    // Seattle Office's Sales Team is in another unit.
    let sales = format!("/v1.0/groups/{}/members/$ref", group_id(2));
    assert_denied(sp.post(&h, &sales, user_ref(&user_id(8))).await).await;
    assert_eq!(h.ids(&out).await, vec![user_id(7)]);
    // AU writes still need the application permission.
    assert_denied(
        sp.post(&h, &format!("{}/$ref", members(&a)), user_ref(&user_id(9)))
            .await,
    )
    .await;
}

#[tokio::test]
async fn a_group_joins_the_unit_scope_when_added_to_it() {
    let h = start().await;
    let a = h.create_au(json!({"displayName": "Unit A"})).await;
    let sp = Principal::new(&h).await;
    let role = custom_role(&h, "AU group manager", &SIX_ACTIONS).await;
    assign(&h, &role, NOPERM_SP_ID, &unit(&a)).await;
    let g = outside_group(&h, "later", &user_id(7)).await;
    let path = format!("/v1.0/groups/{g}/members/$ref");
    assert_denied(sp.post(&h, &path, user_ref(&user_id(8))).await).await;
    let r = h
        .post(
            &format!("{}/$ref", members(&a)),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/groups/{g}")}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        sp.post(&h, &path, user_ref(&user_id(8))).await.status(),
        204
    );
    // A disabled custom role grants nothing.
    let r = h
        .patch(
            &format!("/v1.0/roleManagement/directory/roleDefinitions/{role}"),
            json!({"isEnabled": false}),
        )
        .await;
    assert!(r.status().is_success());
    assert_denied(sp.post(&h, &path, user_ref(&user_id(9))).await).await;
}

#[tokio::test]
async fn builtin_groups_admin_at_a_unit_creates_there_but_not_tenant_wide() {
    let h = start().await;
    let a = h.create_au(json!({"displayName": "Unit A"})).await;
    let b = h.create_au(json!({"displayName": "Unit B"})).await;
    let sp = Principal::new(&h).await;
    assign(&h, GROUPS_ADMIN, NOPERM_SP_ID, &unit(&a)).await;

    let g = sp.create_in(&h, &a, "ga-inside").await;
    let r = sp
        .send(
            &h,
            Method::PATCH,
            &format!("/v1.0/groups/{g}"),
            Some(json!({"description": "managed in A"})),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = sp
        .post(
            &h,
            &format!("/v1.0/groups/{g}/members/$ref"),
            user_ref(&user_id(3)),
        )
        .await;
    assert_eq!(r.status(), 204);
    // Groups Administrator has no read action: reads stay refused.
    assert_denied(sp.get(&h, &format!("/v1.0/groups/{g}")).await).await;

    let tenant_wide = json!({"displayName": "tw", "mailEnabled": false, "mailNickname": "tw", "securityEnabled": true});
    assert_denied(sp.post(&h, "/v1.0/groups", tenant_wide.clone()).await).await;
    assert_denied(sp.post(&h, &members(&b), security_group("ga-b")).await).await;

    // The same kind of power at tenant scope does allow a tenant-wide create.
    assign(&h, USER_ADMIN, NOPERM_SP_ID, "/").await;
    assert_eq!(sp.post(&h, "/v1.0/groups", tenant_wide).await.status(), 201);
    assert_eq!(
        sp.post(&h, &members(&b), security_group("ua-b"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn roles_reach_members_of_role_assignable_groups_but_not_those_groups() {
    let h = start().await;
    let a = h.create_au(json!({"displayName": "Unit A"})).await;
    let sp = Principal::new(&h).await;
    let helpdesk = group_id(ROLE_ASSIGNABLE_GROUP);
    // The service principal joins the role-assignable group, which gets the role.
    let r = h
        .post(
            &format!("/v1.0/groups/{helpdesk}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/servicePrincipals/{NOPERM_SP_ID}")}),
        )
        .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    assign(&h, GROUPS_ADMIN, &helpdesk, "/").await;
    sp.create_in(&h, &a, "via-group").await;
    // Group writes never reach role-assignable groups (Global Administrator only).
    let r = sp
        .post(
            &h,
            &format!("/v1.0/groups/{helpdesk}/members/$ref"),
            user_ref(&user_id(4)),
        )
        .await;
    assert_denied(r).await;
}

#[tokio::test]
async fn a_role_assignment_acts_only_once_it_has_replicated() {
    let h = start_with(lagging(2_000, 2_000, 1)).await;
    let a = h.create_au(json!({"displayName": "Unit A"})).await;
    h.settle().await;
    let sp = Principal::new(&h).await;
    assign(&h, GROUPS_ADMIN, NOPERM_SP_ID, &unit(&a)).await;
    // The replica serving the next request has not received the assignment yet.
    assert_denied(sp.post(&h, &members(&a), security_group("too-early")).await).await;
    h.settle().await;
    sp.create_in(&h, &a, "in-time").await;
}
