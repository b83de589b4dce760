//! Smaller Graph behaviours: binds, $expand, $orderby paging, alternate keys, headers,
//! the v1 token endpoint and scopedRoleMemberOf.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::user_id;
use entra_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn members_bind_on_create_and_expand() {
    let h = start().await;
    let binds: Vec<String> = (1..=3)
        .map(|i| {
            format!(
                "https://graph.microsoft.com/v1.0/directoryObjects/{}",
                user_id(i)
            )
        })
        .collect();
    let r = h
        .post(
            AUS,
            json!({"displayName": "Bound", "members@odata.bind": binds}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = h.get_json(&format!("{AUS}/{id}?$expand=members")).await;
    assert_eq!(v["members"].as_array().unwrap().len(), 3);
    assert_eq!(v["members"][0]["@odata.type"], "#microsoft.graph.user");
    let r = h.get(&format!("{AUS}/{id}?$expand=owners")).await;
    assert_graph_error(r, 400, "BadRequest").await;
    let r = h.post(AUS, json!({"displayName": "Bad bind", "members@odata.bind": ["https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-4000-8000-0000000000aa"]})).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;
}

#[tokio::test]
async fn orderby_pages_in_sorted_order() {
    let h = start().await;
    let mut url = format!(
        "{}/v1.0/users?$orderby=displayName desc&$count=true&$top=7",
        h.url
    );
    let mut names = Vec::new();
    loop {
        let v: Value = h
            .client
            .get(&url)
            .bearer_auth(&h.token)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        names.extend(
            v["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["displayName"].as_str().unwrap().to_lowercase()),
        );
        match v["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_owned(),
            None => break,
        }
    }
    assert_eq!(names.len(), 48);
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn directory_role_alternate_key_and_graph_headers() {
    let h = start().await;
    let r = h
        .get("/v1.0/directoryRoles(roleTemplateId='62e90394-69f5-4237-9190-012177145e10')")
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(r.headers()["odata-version"], "4.0");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["displayName"], "Global Administrator");
    let r = h
        .get("/v1.0/directoryRoles(roleTemplateId='644ef478-e28f-4e28-b9dc-3fdde9aa0b1f')")
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn v1_token_endpoint_uses_resource() {
    let h = start().await;
    let r = h
        .client
        .post(format!("{}/{DEMO_TENANT_ID}/oauth2/token", h.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("resource", "https://graph.microsoft.com/"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], "3599");
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(v["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn scoped_role_member_of_lists_user_assignments() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "S"})).await;
    let u = user_id(12);
    let r = h
        .post("/v1.0/roleManagement/directory/roleAssignments", json!({"roleDefinitionId": "966707d0-3269-4727-9be2-8c3a10f19b9d", "principalId": u, "directoryScopeId": format!("/administrativeUnits/{au}")}))
        .await;
    assert_eq!(r.status(), 201);
    let v = h
        .get_json(&format!("/v1.0/users/{u}/scopedRoleMemberOf"))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    assert_eq!(v["value"][0]["administrativeUnitId"], au.as_str());
}

#[tokio::test]
async fn ids_are_case_insensitive() {
    let h = start().await;
    let id = h.create_au(json!({"displayName": "Case"})).await;
    let upper = id.to_uppercase();
    assert_eq!(
        h.get_json(&format!("{AUS}/{upper}")).await["id"],
        id.as_str()
    );
    let u = user_id(13).to_uppercase();
    let r = h
        .post(
            &format!("{AUS}/{upper}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{u}")}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        h.delete(&format!("{AUS}/{upper}/members/{u}/$ref"))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn delta_reports_changes_and_removals() {
    let h = start().await;
    let first = h.get_json(&format!("{AUS}/delta")).await;
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let link = first["@odata.deltaLink"].as_str().unwrap().to_owned();
    assert!(link.contains("$deltatoken="));
    // No wait: the token marks the time of the first round, and a later change (even in
    // the same millisecond) is reported.
    let created = h.create_au(json!({"displayName": "After"})).await;
    assert_eq!(
        h.delete(&format!("{AUS}/c0ffee00-0000-4000-8004-000000000002"))
            .await
            .status(),
        204
    );
    let v: Value = h
        .client
        .get(&link)
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = v["value"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["id"] == created.as_str() && i["displayName"] == "After")
    );
    assert!(
        items
            .iter()
            .any(|i| i["id"] == "c0ffee00-0000-4000-8004-000000000002"
                && i["@removed"]["reason"] == "changed")
    );
    assert!(
        !items
            .iter()
            .any(|i| i["id"] == "c0ffee00-0000-4000-8004-000000000001")
    );
    let latest = h.get_json(&format!("{AUS}/delta?$deltatoken=latest")).await;
    assert!(latest["value"].as_array().unwrap().is_empty());
    assert!(latest["@odata.deltaLink"].is_string());
}
