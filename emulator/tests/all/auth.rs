//! Bearer validation on Graph routes and application-permission checks.

#![allow(clippy::unwrap_used)]

use entra_emulator::Options;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn missing_malformed_and_forged_tokens_are_401() {
    let h = start().await;
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
    let msg = assert_graph_error(r, 401, "InvalidAuthenticationToken").await;
    assert_eq!(msg, "Access token is empty.");

    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 401, "InvalidAuthenticationToken").await;

    // Same claims, wrong signature.
    let mut parts: Vec<&str> = h.token.split('.').collect();
    parts[2] = "AAAA";
    let forged = parts.join(".");
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(forged)
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 401, "InvalidAuthenticationToken").await;
}

#[tokio::test]
async fn expired_token_is_401() {
    let h = start_with(Options {
        token_lifetime_secs: 0,
        ..Options::default()
    })
    .await;
    let r = h.get(AUS).await;
    let msg = assert_graph_error(r, 401, "InvalidAuthenticationToken").await;
    assert!(msg.contains("expired"), "{msg}");
}

#[tokio::test]
async fn tokens_from_another_emulator_are_rejected() {
    let a = start().await;
    let b = start().await;
    let r = a
        .client
        .get(format!("{}{AUS}", a.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 401, "InvalidAuthenticationToken").await;
}

#[tokio::test]
async fn missing_permissions_are_403() {
    let h = start().await;
    let tok = h.noperm_token().await;
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let msg = assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    assert_eq!(msg, "Insufficient privileges to complete the operation.");

    let reader = h.reader_token().await;
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = h
        .client
        .post(format!("{}{AUS}", h.url))
        .bearer_auth(&reader)
        .json(&json!({"displayName": "nope"}))
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;

    let least = h.least_token().await;
    let r = h
        .client
        .post(format!("{}{AUS}", h.url))
        .bearer_auth(&least)
        .json(&json!({"displayName": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}
