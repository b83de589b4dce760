//! OData query options: $filter rules, ConsistencyLevel, $count, $search, $select, $batch.

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use crate::common::*;

async fn eventual(h: &Harness, path: &str) -> reqwest::Response {
    h.req(reqwest::Method::GET, path)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn au_filters_follow_the_support_table() {
    let h = start().await;
    h.create_au(json!({"displayName": "Filter Alpha", "description": "first"}))
        .await;
    h.create_au(json!({"displayName": "Filter Beta", "isMemberManagementRestricted": true}))
        .await;
    let v = h
        .get_json(&format!("{AUS}?$filter=displayName eq 'filter alpha'"))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    let v = h
        .get_json(&format!("{AUS}?$filter=startsWith(displayName,'Filter')"))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
    let v = h
        .get_json(&format!(
            "{AUS}?$filter=isMemberManagementRestricted eq true"
        ))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    let v = h
        .get_json(&format!(
            "{AUS}?$filter=displayName in ('Filter Alpha','Filter Beta')"
        ))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2);

    // Advanced-only without the parameters.
    let r = h
        .get(&format!("{AUS}?$filter=description eq 'first'"))
        .await;
    assert_graph_error(r, 400, "Request_UnsupportedQuery").await;
    let r = h.get(&format!("{AUS}?$filter=displayName ne 'x'")).await;
    let msg = assert_graph_error(r, 400, "Request_UnsupportedQuery").await;
    assert!(
        msg.starts_with(
            "Operator 'ne' is not supported because the required parameters might be missing."
        ),
        "{msg}"
    );
    let r = h
        .get(&format!("{AUS}?$filter=visibility eq 'Public'"))
        .await;
    let msg = assert_graph_error(r, 400, "Request_UnsupportedQuery").await;
    assert_eq!(
        msg,
        "Unsupported or invalid query filter clause specified for property 'visibility' of resource 'AdministrativeUnit'."
    );

    // With ConsistencyLevel + $count=true.
    let r = eventual(
        &h,
        &format!("{AUS}?$filter=description eq 'first'&$count=true"),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["@odata.count"], 1);
    let r = eventual(
        &h,
        &format!("{AUS}?$filter=displayName ne 'Filter Alpha'&$count=true"),
    )
    .await;
    assert_eq!(r.status(), 200);

    // $count=true without the header is ignored.
    let v = h.get_json(&format!("{AUS}?$count=true")).await;
    assert!(v.get("@odata.count").is_none());

    let r = h.get(&format!("{AUS}?$filter=displayName eq")).await;
    assert_graph_error(r, 400, "BadRequest").await;
}

#[tokio::test]
async fn count_search_and_select() {
    let h = start().await;
    let r = h.get(&format!("{AUS}/$count")).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let r = eventual(&h, &format!("{AUS}/$count")).await;
    assert_eq!(r.text().await.unwrap(), "2");

    let r = h
        .get(&format!("{AUS}?$search=\"displayName:Seattle\""))
        .await;
    let msg = assert_graph_error(r, 400, "Request_UnsupportedQuery").await;
    assert!(msg.contains("ConsistencyLevel: eventual"));
    let r = eventual(&h, &format!("{AUS}?$search=\"displayName:Seattle\"")).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["value"].as_array().unwrap().len(), 1);

    let v = h.get_json(&format!("{AUS}?$select=displayName")).await;
    let first = v["value"][0].as_object().unwrap();
    assert_eq!(first.keys().collect::<Vec<_>>(), ["displayName"]);
    let r = h.get(&format!("{AUS}?$select=nope")).await;
    assert_graph_error(r, 400, "BadRequest").await;
}

#[tokio::test]
async fn user_filters() {
    let h = start().await;
    let v = h
        .get_json(
            "/v1.0/users?$filter=department eq 'Sales' and country eq 'United States'&$top=999",
        )
        .await;
    for u in v["value"].as_array().unwrap() {
        assert!(u["id"].is_string());
    }
    let r = eventual(
        &h,
        "/v1.0/users?$filter=endsWith(userPrincipalName,'onmicrosoft.com')&$count=true",
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["@odata.count"], 48);
    let r = h
        .get("/v1.0/users?$filter=endsWith(userPrincipalName,'onmicrosoft.com')")
        .await;
    assert_graph_error(r, 400, "Request_UnsupportedQuery").await;
}

#[tokio::test]
async fn batch_runs_items_with_dependencies() {
    let h = start().await;
    let body = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/directory/administrativeUnits", "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Batched"}},
        {"id": "2", "method": "GET", "url": "/directory/administrativeUnits/00000000-0000-4000-8000-000000000404"},
        {"id": "3", "method": "GET", "url": "/directory/administrativeUnits?$top=1", "dependsOn": ["1"]},
        {"id": "4", "method": "GET", "url": "/directory/administrativeUnits", "dependsOn": ["2"]},
        {"id": "5", "method": "GET", "url": "/directory/administrativeUnits/$count", "headers": {"ConsistencyLevel": "eventual"}},
    ]});
    let r = h.post("/v1.0/$batch", body).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let by_id = |id: &str| {
        v["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id("1")["status"], 201);
    assert_eq!(by_id("1")["body"]["displayName"], "Batched");
    assert_eq!(by_id("2")["status"], 404);
    assert_eq!(
        by_id("2")["body"]["error"]["code"],
        "Request_ResourceNotFound"
    );
    assert_eq!(by_id("3")["status"], 200);
    assert_eq!(by_id("4")["status"], 424);
    assert_eq!(by_id("5")["status"], 200);
}

#[tokio::test]
async fn batch_shape_errors() {
    let h = start().await;
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users"}))
        .collect();
    let r = h.post("/v1.0/$batch", json!({"requests": many})).await;
    assert_eq!(r.status(), 400);
    let r = h.post("/v1.0/$batch", json!({"requests": [
        {"id": "a", "method": "GET", "url": "/users"}, {"id": "A", "method": "GET", "url": "/users"}]})).await;
    assert_eq!(r.status(), 400);
    let r = h
        .post(
            "/v1.0/$batch",
            json!({"requests": [
        {"id": "a", "method": "POST", "url": "/users", "body": {"x": 1}}]}),
        )
        .await;
    assert_eq!(r.status(), 400);
}
