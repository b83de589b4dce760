//! Users, groups and devices CRUD, the recycle bin, and directoryObjects.

#![allow(clippy::unwrap_used)]

use entra_emulator::DEMO_DOMAIN;
use serde_json::{Value, json};

use crate::common::*;

fn new_user(nick: &str) -> Value {
    json!({"accountEnabled": true, "displayName": nick, "mailNickname": nick,
        "userPrincipalName": format!("{nick}@{DEMO_DOMAIN}"),
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d"}})
}

#[tokio::test]
async fn user_crud_and_recycle_bin() {
    let h = start().await;
    let r = h.post("/v1.0/users", new_user("newbie")).await;
    assert_eq!(r.status(), 201);
    let u: Value = r.json().await.unwrap();
    assert!(u.get("passwordProfile").is_none());
    assert_eq!(u["userPrincipalName"], format!("newbie@{DEMO_DOMAIN}"));
    let id = u["id"].as_str().unwrap().to_owned();
    let got = h
        .get_json(&format!("/v1.0/users/{id}?$select=displayName,department"))
        .await;
    assert_eq!(got["displayName"], "newbie");
    assert_eq!(got["department"], Value::Null);
    assert!(got.get("userPrincipalName").is_none());
    let by_upn = h
        .get_json(&format!("/v1.0/users/newbie@{DEMO_DOMAIN}"))
        .await;
    assert_eq!(by_upn["id"], id.as_str());

    assert_eq!(
        h.patch(&format!("/v1.0/users/{id}"), json!({"department": "Sales"}))
            .await
            .status(),
        204
    );
    let r = h.post("/v1.0/users", new_user("newbie")).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let mut bad = new_user("elsewhere");
    bad["userPrincipalName"] = json!("elsewhere@example.com");
    let r = h.post("/v1.0/users", bad).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;

    assert_eq!(h.delete(&format!("/v1.0/users/{id}")).await.status(), 204);
    assert_eq!(h.get(&format!("/v1.0/users/{id}")).await.status(), 404);
    let bin = h
        .get_json("/v1.0/directory/deletedItems/microsoft.graph.user")
        .await;
    assert!(
        bin["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.as_str())
    );
    let r = h
        .post(
            &format!("/v1.0/directory/deletedItems/{id}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(h.get(&format!("/v1.0/users/{id}")).await.status(), 200);
}

#[tokio::test]
async fn au_soft_delete_restore_keeps_members() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "Bin"})).await;
    let u = entra_emulator::store::demo::user_id(6);
    h.post(
        &format!("{AUS}/{au}/members/$ref"),
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{u}")}),
    )
    .await;
    assert_eq!(h.delete(&format!("{AUS}/{au}")).await.status(), 204);
    let bin = h
        .get_json("/v1.0/directory/deletedItems/microsoft.graph.administrativeUnit")
        .await;
    let item = bin["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == au.as_str())
        .cloned()
        .unwrap();
    assert_eq!(item["@odata.type"], "#microsoft.graph.administrativeUnit");
    assert!(item["deletedDateTime"].is_string());
    let one = h
        .get_json(&format!("/v1.0/directory/deletedItems/{au}"))
        .await;
    assert_eq!(one["displayName"], "Bin");
    assert_eq!(
        h.post(
            &format!("/v1.0/directory/deletedItems/{au}/restore"),
            json!({})
        )
        .await
        .status(),
        200
    );
    let v = h.get_json(&format!("{AUS}/{au}/members")).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    assert_eq!(h.delete(&format!("{AUS}/{au}")).await.status(), 204);
    assert_eq!(
        h.delete(&format!("/v1.0/directory/deletedItems/{au}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        h.get(&format!("/v1.0/directory/deletedItems/{au}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn groups_and_devices_crud() {
    let h = start().await;
    let r = h.post("/v1.0/groups", json!({"displayName": "Ops", "mailEnabled": false, "mailNickname": "ops", "securityEnabled": true, "isAssignableToRole": true})).await;
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.unwrap();
    assert_eq!(g["isAssignableToRole"], true);
    assert!(g["groupTypes"].is_array());
    let gid = g["id"].as_str().unwrap();
    let r = h
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"isAssignableToRole": false}),
        )
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let r = h.post("/v1.0/groups", json!({"displayName": "x"})).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    assert_eq!(h.delete(&format!("/v1.0/groups/{gid}")).await.status(), 204);
    // Security groups are deleted permanently.
    assert_eq!(
        h.get(&format!("/v1.0/directory/deletedItems/{gid}"))
            .await
            .status(),
        404
    );

    let r = h.post("/v1.0/devices", json!({"accountEnabled": true, "alternativeSecurityIds": [{"type": 2, "key": "YWJj"}],
        "deviceId": "4c299165-6e8f-4b45-a5ba-c5d250a707ff", "displayName": "Test device", "operatingSystem": "linux", "operatingSystemVersion": "1"})).await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    let did = d["id"].as_str().unwrap();
    assert_eq!(
        h.get_json(&format!("/v1.0/devices/{did}")).await["displayName"],
        "Test device"
    );
    assert_eq!(
        h.delete(&format!("/v1.0/devices/{did}")).await.status(),
        204
    );
}

#[tokio::test]
async fn users_list_pages_with_next_link() {
    let h = start().await;
    let v = h.get_json("/v1.0/users?$top=20").await;
    assert_eq!(v["value"].as_array().unwrap().len(), 20);
    let next = v["@odata.nextLink"].as_str().unwrap();
    assert!(next.contains("$skiptoken="));
    assert!(next.contains("top=20"));
    let v2: Value = h
        .client
        .get(next)
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v2["value"].as_array().unwrap().len(), 20);
    assert_ne!(v["value"][0]["id"], v2["value"][0]["id"]);
    let r = h.get("/v1.0/users?$top=1000").await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let r = h.get("/v1.0/users?$top=0").await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn directory_objects_and_member_of() {
    let h = start().await;
    let u = entra_emulator::store::demo::user_id(1);
    let v = h.get_json(&format!("/v1.0/directoryObjects/{u}")).await;
    assert_eq!(v["@odata.type"], "#microsoft.graph.user");
    let m = h
        .get_json(&format!(
            "/v1.0/users/{u}/memberOf/microsoft.graph.administrativeUnit"
        ))
        .await;
    assert_eq!(m["value"][0]["id"], "c0ffee00-0000-4000-8004-000000000001");
    let r = h
        .post(
            "/v1.0/directoryObjects/getByIds",
            json!({"ids": [u, "c0ffee00-0000-4000-8004-000000000001"]}),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
}
