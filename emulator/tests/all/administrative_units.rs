//! Administrative unit CRUD: statuses, shapes, validation and errors.

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn create_returns_201_with_full_object() {
    let h = start().await;
    let r = h
        .post(AUS, json!({"displayName": "Seattle District", "description": "d", "isMemberManagementRestricted": true}))
        .await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().contains_key("request-id"));
    let v: Value = r.json().await.unwrap();
    // Deliberate change: v1.0 contexts name the canonical `directory/administrativeUnits`.
    assert!(
        v["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#directory/administrativeUnits/$entity")
    );
    assert!(uuid::Uuid::parse_str(v["id"].as_str().unwrap()).is_ok());
    assert_eq!(v["deletedDateTime"], Value::Null);
    assert!(v.as_object().unwrap().contains_key("deletedDateTime"));
    assert_eq!(v["displayName"], "Seattle District");
    assert_eq!(v["description"], "d");
    assert_eq!(v["isMemberManagementRestricted"], true);
    for k in [
        "visibility",
        "membershipRule",
        "membershipType",
        "membershipRuleProcessingState",
    ] {
        assert!(v.as_object().unwrap().contains_key(k), "{k}");
        assert_eq!(v[k], Value::Null);
    }
}

#[tokio::test]
async fn get_patch_delete_roundtrip() {
    let h = start().await;
    let id = h.create_au(json!({"displayName": "A"})).await;
    let path = format!("{AUS}/{id}");
    let v = h.get_json(&path).await;
    assert_eq!(v["displayName"], "A");

    let r = h
        .patch(
            &path,
            json!({"displayName": "B", "description": "new", "visibility": "public"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
    let v = h.get_json(&path).await;
    assert_eq!(v["displayName"], "B");
    assert_eq!(v["description"], "new");
    assert_eq!(v["visibility"], "Public");

    let r = h.delete(&path).await;
    assert_eq!(r.status(), 204);
    let r = h.get(&path).await;
    let msg = assert_graph_error(r, 404, "Request_ResourceNotFound").await;
    assert_eq!(
        msg,
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        )
    );
    let r = h.delete(&path).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;
    let r = h.patch(&path, json!({"displayName": "C"})).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;
}

#[tokio::test]
async fn list_includes_created_and_seeded() {
    let h = start().await;
    let id = h.create_au(json!({"displayName": "Listed"})).await;
    let v = h.get_json(AUS).await;
    assert!(v["@odata.context"].as_str().unwrap().contains("$metadata#"));
    let ids: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&id.as_str()));
    assert!(ids.contains(&"c0ffee00-0000-4000-8004-000000000001"));
}

#[tokio::test]
async fn validation_errors_are_400() {
    let h = start().await;
    let cases = [
        json!({}),
        json!({"displayName": ""}),
        json!({"displayName": "x".repeat(257)}),
        json!({"displayName": 5}),
        json!({"displayName": "x", "bogus": 1}),
        json!({"displayName": "x", "id": "abc"}),
        json!({"displayName": "x", "visibility": "Secret"}),
        json!({"displayName": "x", "membershipType": "sometimes"}),
        json!({"displayName": "x", "membershipRuleProcessingState": "Off"}),
        json!({"displayName": "x", "isMemberManagementRestricted": "yes"}),
    ];
    for body in cases {
        let r = h.post(AUS, body.clone()).await;
        let status = r.status();
        assert_eq!(status, 400, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "Request_BadRequest", "{body}: {v}");
    }
    // 256 characters is fine.
    let r = h.post(AUS, json!({"displayName": "y".repeat(256)})).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn malformed_json_is_400() {
    let h = start().await;
    let r = h
        .req(reqwest::Method::POST, AUS)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, "BadRequest").await;
}

#[tokio::test]
async fn membership_type_is_case_insensitive_and_capitalized() {
    let h = start().await;
    let r = h
        .post(
            AUS,
            json!({"displayName": "x", "membershipType": "assigned"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["membershipType"], "Assigned");
}

#[tokio::test]
async fn restricted_flag_is_immutable_and_hidden_only_at_creation() {
    let h = start().await;
    let id = h
        .create_au(json!({"displayName": "R", "isMemberManagementRestricted": true}))
        .await;
    let path = format!("{AUS}/{id}");
    let r = h
        .patch(&path, json!({"isMemberManagementRestricted": false}))
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    // Re-sending the same value is accepted.
    let r = h
        .patch(
            &path,
            json!({"isMemberManagementRestricted": true, "displayName": "R2"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = h
        .patch(&path, json!({"visibility": "HiddenMembership"}))
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let hidden = h
        .create_au(json!({"displayName": "H", "visibility": "hiddenmembership"}))
        .await;
    let v = h.get_json(&format!("{AUS}/{hidden}")).await;
    assert_eq!(v["visibility"], "HiddenMembership");
}

#[tokio::test]
async fn client_request_id_is_echoed() {
    let h = start().await;
    let r = h
        .req(
            reqwest::Method::GET,
            &format!("{AUS}/00000000-0000-4000-8000-000000000999"),
        )
        .header("client-request-id", "my-correlation-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["client-request-id"], "my-correlation-1");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["error"]["innerError"]["client-request-id"],
        "my-correlation-1"
    );
}

#[tokio::test]
async fn beta_paths_work_and_v1_has_no_top_level_set() {
    let h = start().await;
    let id = h.create_au(json!({"displayName": "B"})).await;
    for p in [
        format!("/beta/administrativeUnits/{id}"),
        format!("/beta/directory/administrativeUnits/{id}"),
    ] {
        let v = h.get_json(&p).await;
        assert_eq!(v["id"], id.as_str());
    }
    // Deliberate change: v1.0 has no top-level `administrativeUnits` entity set, so
    // Graph answers it like any unknown segment.
    for p in [
        "/v1.0/administrativeUnits".to_owned(),
        format!("/v1.0/administrativeUnits/{id}"),
        format!("/v1.0/administrativeUnits/{id}/members"),
    ] {
        let msg = assert_graph_error(h.get(&p).await, 400, "BadRequest").await;
        assert_eq!(
            msg,
            "Resource not found for the segment 'administrativeUnits'."
        );
    }
    let r = h
        .post("/v1.0/administrativeUnits", json!({"displayName": "x"}))
        .await;
    assert_graph_error(r, 400, "BadRequest").await;
}

#[tokio::test]
async fn unknown_segment_and_method_errors() {
    let h = start().await;
    let r = h.get("/v1.0/directory/nothingHere").await;
    assert_eq!(r.status(), 400);
    let r = h
        .req(reqwest::Method::PUT, AUS)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
}
