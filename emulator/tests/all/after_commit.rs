//! Faults after commit: a write is stored, then the client gets a 5xx or a dropped
//! connection (inside and outside `$batch`); reads are never affected.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::{au_id, user_id};
use serde_json::{Value, json};

use crate::common::*;

async fn faults(h: &Harness) -> Value {
    h.client
        .get(format!("{}/_emulator/faults", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn au_names(h: &Harness) -> Vec<String> {
    let v: Value = h
        .strong_get(&format!("{AUS}?$top=999"))
        .await
        .json()
        .await
        .unwrap();
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["displayName"].as_str().unwrap().to_owned())
        .collect()
}

async fn stats(h: &Harness) -> Value {
    h.client
        .get(format!("{}/_emulator/stats", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn commit_error_stores_the_write_then_answers_503() {
    let h = start().await;
    let cfg = h
        .set_faults(json!({"commit_error_next": 1, "retry_after": "2"}))
        .await;
    assert_eq!(cfg["commit_error_next"], 1);
    // Reads are never faulted after commit.
    assert_eq!(h.get(AUS).await.status(), 200);
    assert_eq!(faults(&h).await["commit_error_next"], 1);
    let r = h.post(AUS, json!({"displayName": "Ambiguous"})).await;
    assert_eq!(r.headers()["retry-after"], "2");
    assert_graph_error(r, 503, "serviceNotAvailable").await;
    assert_eq!(faults(&h).await["commit_error_next"], 0);
    assert!(au_names(&h).await.contains(&"Ambiguous".to_owned()));
    assert_eq!(stats(&h).await["statuses"]["503"], 1);
}

#[tokio::test]
async fn commit_drop_stores_the_write_and_a_retried_add_already_exists() {
    let h = start().await;
    h.set_faults(json!({"commit_drop_next": 1})).await;
    let path = format!("{AUS}/{}/members/$ref", au_id(1));
    let sent = async {
        let r = h
            .req(reqwest::Method::POST, &path)
            .json(&user_ref(&user_id(7)))
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(sent.is_err(), "expected a transport error, got {sent:?}");
    let retried = h.post(&path, user_ref(&user_id(7))).await;
    let msg = assert_graph_error(retried, 400, "Request_BadRequest").await;
    assert_eq!(
        msg,
        "One or more added object references already exist for the following modified properties: 'members'."
    );
    assert!(
        h.ids(&format!("{AUS}/{}/members?$top=999", au_id(1)))
            .await
            .contains(&user_id(7))
    );
}

#[tokio::test]
async fn failed_writes_are_not_faulted_after_commit() {
    let h = start().await;
    h.set_faults(json!({"commit_error_next": 1})).await;
    let r = h.post(AUS, json!({"displayName": ""})).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    assert_eq!(faults(&h).await["commit_error_next"], 1);
    let r = h
        .post(
            "/v1.0/directoryObjects/getByIds",
            json!({"ids": [user_id(1)]}),
        )
        .await;
    assert_eq!(r.status(), 200, "getByIds is a read");
}

#[tokio::test]
async fn batch_item_error_is_committed_and_answered_with_the_5xx() {
    let h = start().await;
    h.set_faults(json!({"commit_error_next": 1})).await;
    let body = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/directory/administrativeUnits",
         "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Batch A"}},
        {"id": "2", "method": "POST", "url": "/directory/administrativeUnits",
         "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Batch B"}}]});
    let r = h.post("/v1.0/$batch", body).await;
    assert_eq!(r.status(), 200, "the envelope itself is never faulted");
    let v: Value = r.json().await.unwrap();
    let statuses: Vec<u64> = v["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 201]);
    assert!(v["responses"][0]["headers"]["Retry-After"].is_string());
    let names = au_names(&h).await;
    assert!(names.contains(&"Batch A".to_owned()) && names.contains(&"Batch B".to_owned()));
}

#[tokio::test]
async fn batch_item_drop_drops_the_whole_batch_after_every_item_ran() {
    let h = start().await;
    h.set_faults(json!({"commit_drop_next": 1})).await;
    let body = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/directory/administrativeUnits",
         "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Dropped A"}},
        {"id": "2", "method": "POST", "url": "/directory/administrativeUnits",
         "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Dropped B"}}]});
    let sent = async {
        let r = h
            .req(reqwest::Method::POST, "/v1.0/$batch")
            .json(&body)
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(sent.is_err(), "expected a transport error, got {sent:?}");
    let names = au_names(&h).await;
    assert!(names.contains(&"Dropped A".to_owned()) && names.contains(&"Dropped B".to_owned()));
}

#[tokio::test]
async fn commit_rates_are_validated_and_deterministic() {
    let h = start().await;
    let r = h
        .client
        .post(format!("{}/_emulator/faults", h.url))
        .json(&json!({"commit_error_rate": 1.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    h.set_faults(json!({"commit_error_rate": 1.0, "error_status": 500}))
        .await;
    let r = h
        .patch(
            &format!("{AUS}/{}", au_id(1)),
            json!({"description": "stored"}),
        )
        .await;
    assert_graph_error(r, 500, "generalException").await;
    let v: Value = h
        .strong_get(&format!("{AUS}/{}", au_id(1)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["description"], "stored");
}
