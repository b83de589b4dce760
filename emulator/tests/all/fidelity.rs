//! Answers an independent Graph client found differing from Graph: recycle-bin casts,
//! `@odata.context`, HiddenMembership text, hostile filters and rules, oversized
//! bodies, and the scope-only role filter knob.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::{au_id, user_id};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

const ASSIGNMENTS: &str = "/v1.0/roleManagement/directory/roleAssignments";

#[tokio::test]
async fn deleted_items_need_a_type_cast() {
    let h = start().await;
    let msg = assert_graph_error(
        h.get("/v1.0/directory/deletedItems").await,
        400,
        "Request_UnsupportedQuery",
    )
    .await;
    assert!(msg.contains("microsoft.graph.administrativeUnit"), "{msg}");
    let au = h.create_au(json!({"displayName": "Binned"})).await;
    assert_eq!(h.delete(&format!("{AUS}/{au}")).await.status(), 204);
    for cast in [
        "microsoft.graph.administrativeUnit",
        "graph.administrativeUnit",
        "microsoft.graph.user",
        "microsoft.graph.group",
        "microsoft.graph.device",
    ] {
        let r = h.get(&format!("/v1.0/directory/deletedItems/{cast}")).await;
        assert_eq!(r.status(), 200, "{cast}");
    }
    let ids = h
        .ids("/v1.0/directory/deletedItems/microsoft.graph.administrativeUnit")
        .await;
    assert_eq!(ids, std::slice::from_ref(&au));
    let item = format!("/v1.0/directory/deletedItems/{au}");
    assert_eq!(h.get(&item).await.status(), 200);
    let r = h.post(&format!("{item}/restore"), json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(h.delete(&format!("{AUS}/{au}")).await.status(), 204);
    assert_eq!(h.delete(&item).await.status(), 204);
    assert_eq!(h.get(&item).await.status(), 404);
}

#[tokio::test]
async fn v1_contexts_name_the_directory_collection() {
    let h = start().await;
    let list = h.get_json(AUS).await;
    assert!(
        list["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#directory/administrativeUnits")
    );
    let one = h.get_json(&format!("{AUS}/{}", au_id(1))).await;
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#directory/administrativeUnits/$entity")
    );
    let beta = h
        .get_json(&format!("/beta/administrativeUnits/{}", au_id(1)))
        .await;
    assert!(
        beta["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/beta/$metadata#administrativeUnits/$entity")
    );
}

#[tokio::test]
async fn hidden_membership_after_creation_uses_graphs_text() {
    let h = start().await;
    let r = h
        .patch(
            &format!("{AUS}/{}", au_id(1)),
            json!({"visibility": "HiddenMembership"}),
        )
        .await;
    let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
    assert_eq!(
        msg,
        "HiddenMembership can only be set during administrative unit creation."
    );
}

#[tokio::test]
async fn deeply_nested_filters_are_refused_without_crashing() {
    let h = start().await;
    for n in [2_000, 8_000] {
        for filter in [
            format!("{}displayName eq 'x'{}", "(".repeat(n), ")".repeat(n)),
            format!("{}displayName eq 'x'", "not ".repeat(n)),
        ] {
            let r = h
                .req(
                    reqwest::Method::GET,
                    &format!("/v1.0/users?$count=true&$filter={filter}"),
                )
                .header("ConsistencyLevel", "eventual")
                .send()
                .await
                .unwrap();
            let msg = assert_graph_error(r, 400, "BadRequest").await;
            assert!(msg.contains("recursion limit"), "{msg}");
        }
    }
    // 100,000 parentheses exceed the longest URI the HTTP stack accepts (64 KiB; reqwest
    // refuses to build it, so it goes over a raw socket): the request is refused before
    // routing, and the server keeps serving.
    let huge = format!(
        "{}displayName%20eq%20'x'{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let status = raw_get_status(&h.url, &format!("/v1.0/users?$filter={huge}")).await;
    assert!(status.starts_with("HTTP/1.1 4"), "{status}");
    assert_eq!(h.get(AUS).await.status(), 200);
    let ok = format!("{}displayName eq 'x'{}", "(".repeat(50), ")".repeat(50));
    assert_eq!(
        h.get(&format!("/v1.0/users?$filter={ok}")).await.status(),
        200
    );
}

#[tokio::test]
async fn deeply_nested_membership_rules_are_refused() {
    let h = start().await;
    for n in [2_000, 100_000] {
        let rule = format!("{}user.city -eq \"x\"{}", "(".repeat(n), ")".repeat(n));
        let r = h
            .post(
                AUS,
                json!({"displayName": "deep", "membershipType": "Dynamic", "membershipRule": rule}),
            )
            .await;
        let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
        assert!(
            msg.starts_with("Dynamic membership rule validation error"),
            "{msg}"
        );
    }
    assert_eq!(h.get(AUS).await.status(), 200);
}

#[tokio::test]
async fn oversized_bodies_get_a_graph_json_error() {
    let h = start().await;
    let big = json!({"displayName": "x", "description": "d".repeat(5 * 1024 * 1024)});
    let r = h.post(AUS, big).await;
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "RequestEntityTooLarge");
    assert!(v["error"]["innerError"]["request-id"].is_string());
    // Without a declared length, the limit is found while reading.
    let req = axum::http::Request::post(AUS)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", h.token))
        .body(axum::body::Body::new(Chunks(5)))
        .unwrap();
    let resp = entra_emulator::app(h.emu.state().clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"]["code"], "RequestEntityTooLarge");
    // Malformed JSON keeps Graph's JSON error.
    let r = h
        .req(reqwest::Method::POST, AUS)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, "BadRequest").await;
}

/// The status line the server answers to a raw `GET path`.
async fn raw_get_status(url: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // The server may answer and close before reading everything.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A body of N one-megabyte chunks whose length is not known up front.
struct Chunks(usize);

impl http_body::Body for Chunks {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(None);
        }
        self.0 -= 1;
        let chunk = axum::body::Bytes::from(vec![b' '; 1024 * 1024]);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }
}

#[tokio::test]
async fn scope_only_role_filters_can_be_refused() {
    let h = start().await;
    // Unit 2: the demo tenant has no assignments at its scope.
    let scope = format!("/administrativeUnits/{}", au_id(2));
    let r = h
        .post(
            ASSIGNMENTS,
            json!({"roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                   "principalId": user_id(8), "directoryScopeId": scope}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let scope_only = format!("{ASSIGNMENTS}?$filter=directoryScopeId eq '{scope}'");
    assert_eq!(h.ids(&scope_only).await.len(), 1, "accepted by default");
    h.set_faults(json!({"refuse_scope_only_role_filter": true}))
        .await;
    let msg = assert_graph_error(h.get(&scope_only).await, 400, "Request_BadRequest").await;
    assert!(msg.contains("principalId or roleDefinitionId"), "{msg}");
    for combined in [
        format!(
            "{ASSIGNMENTS}?$filter=roleDefinitionId eq '729827e3-9c14-49f7-bb1b-9608f156bbb8' and directoryScopeId eq '{scope}'"
        ),
        format!(
            "{ASSIGNMENTS}?$filter=principalId eq '{}' and directoryScopeId eq '{scope}'",
            user_id(8)
        ),
    ] {
        assert_eq!(h.ids(&combined).await.len(), 1, "{combined}");
    }
    let none = format!(
        "{ASSIGNMENTS}?$filter=principalId eq '{}' and directoryScopeId eq '/'",
        user_id(8)
    );
    assert!(h.ids(&none).await.is_empty());
}
