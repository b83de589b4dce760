//! Dynamic administrative units: rule validation, evaluation, pause, manual changes.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::user_id;
use serde_json::{Value, json};

use crate::common::*;

async fn member_ids(h: &Harness, au: &str) -> Vec<String> {
    let v = h.get_json(&format!("{AUS}/{au}/members?$top=999")).await;
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn dynamic_au_computes_and_tracks_members() {
    let h = start().await;
    let r = h
        .post(AUS, json!({"displayName": "Sales (dynamic)", "membershipType": "dynamic", "membershipRule": "(user.department -eq \"Sales\")"}))
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["membershipType"], "Dynamic");
    assert_eq!(v["membershipRuleProcessingState"], "On");
    let au = v["id"].as_str().unwrap().to_owned();
    let before = member_ids(&h, &au).await;
    assert_eq!(before.len(), 6, "48 users over 8 departments");

    // A user moving into Sales joins; moving out leaves.
    let u = user_id(2);
    assert!(!before.contains(&u));
    assert_eq!(
        h.patch(&format!("/v1.0/users/{u}"), json!({"department": "Sales"}))
            .await
            .status(),
        204
    );
    assert!(member_ids(&h, &au).await.contains(&u));

    // Paused freezes membership.
    assert_eq!(
        h.patch(
            &format!("{AUS}/{au}"),
            json!({"membershipRuleProcessingState": "Paused"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        h.patch(&format!("/v1.0/users/{u}"), json!({"department": "Legal"}))
            .await
            .status(),
        204
    );
    assert!(member_ids(&h, &au).await.contains(&u));
    assert_eq!(
        h.patch(
            &format!("{AUS}/{au}"),
            json!({"membershipRuleProcessingState": "On"})
        )
        .await
        .status(),
        204
    );
    assert!(!member_ids(&h, &au).await.contains(&u));

    // Rule change re-evaluates.
    assert_eq!(
        h.patch(
            &format!("{AUS}/{au}"),
            json!({"membershipRule": "user.department -eq \"Legal\""})
        )
        .await
        .status(),
        204
    );
    assert!(member_ids(&h, &au).await.contains(&u));

    // Manual changes are refused.
    let r = h
        .post(
            &format!("{AUS}/{au}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{}", user_id(1))}),
        )
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let r = h.delete(&format!("{AUS}/{au}/members/{u}/$ref")).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;

    // Switching to assigned keeps members and allows manual changes.
    let kept = member_ids(&h, &au).await;
    assert_eq!(
        h.patch(
            &format!("{AUS}/{au}"),
            json!({"membershipType": "Assigned"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(member_ids(&h, &au).await, kept);
    assert_eq!(
        h.delete(&format!("{AUS}/{au}/members/{u}/$ref"))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn device_rules_select_devices() {
    let h = start().await;
    let au = h
        .create_au(json!({"displayName": "Windows", "membershipType": "Dynamic", "membershipRule": "(device.deviceOSType -eq \"Windows\")"}))
        .await;
    let ids = member_ids(&h, &au).await;
    assert_eq!(ids.len(), 4);
}

#[tokio::test]
async fn invalid_rules_are_400() {
    let h = start().await;
    for rule in [
        "(user.department -eq \"Sales\") -or (device.deviceOSType -eq \"Windows\")",
        "user.department -eq \"Sales",
        "group.displayName -eq \"x\"",
        "user.nope -eq 1",
    ] {
        let r = h
            .post(
                AUS,
                json!({"displayName": "bad", "membershipType": "Dynamic", "membershipRule": rule}),
            )
            .await;
        let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
        assert!(
            msg.starts_with("Dynamic membership rule validation error"),
            "{rule}: {msg}"
        );
    }
    let long = format!("user.department -eq \"{}\"", "x".repeat(3100));
    let r = h
        .post(
            AUS,
            json!({"displayName": "long", "membershipType": "Dynamic", "membershipRule": long}),
        )
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let r = h
        .post(
            AUS,
            json!({"displayName": "no rule", "membershipType": "Dynamic"}),
        )
        .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
}

fn delayed(delay_ms: u64) -> entra_emulator::Options {
    entra_emulator::Options {
        faults: entra_emulator::FaultConfig {
            dynamic_processing_delay_ms: delay_ms,
            ..entra_emulator::FaultConfig::default()
        },
        ..entra_emulator::Options::default()
    }
}

const SALES_RULE: &str = "(user.department -eq \"Sales\")";

#[tokio::test]
async fn dynamic_members_appear_only_after_the_processing_delay() {
    let h = start_with(delayed(60_000)).await;
    let au = h
        .create_au(json!({"displayName": "Sales", "membershipType": "Dynamic", "membershipRule": SALES_RULE}))
        .await;
    assert!(
        member_ids(&h, &au).await.is_empty(),
        "never inside the write"
    );
    h.settle().await;
    assert_eq!(member_ids(&h, &au).await.len(), 6);
    let u = user_id(2);
    let r = h
        .patch(&format!("/v1.0/users/{u}"), json!({"department": "Sales"}))
        .await;
    assert_eq!(r.status(), 204);
    assert!(!member_ids(&h, &au).await.contains(&u));
    h.settle().await;
    assert!(member_ids(&h, &au).await.contains(&u));
}

#[tokio::test]
async fn dynamic_evaluation_runs_after_a_real_short_delay() {
    let h = start_with(delayed(300)).await;
    let started = std::time::Instant::now();
    let au = h
        .create_au(json!({"displayName": "Sales", "membershipType": "Dynamic", "membershipRule": SALES_RULE}))
        .await;
    assert!(member_ids(&h, &au).await.is_empty());
    let done = poll_until(std::time::Duration::from_secs(3), || async {
        member_ids(&h, &au).await.len() == 6
    })
    .await;
    assert!(done);
    assert!(started.elapsed() >= std::time::Duration::from_millis(290));
}

#[tokio::test]
async fn evaluated_member_links_go_through_replication_lag() {
    let h = start_with(lagging(60_000, 60_000, 3)).await;
    let au = h
        .create_au(json!({"displayName": "Sales", "membershipType": "Dynamic", "membershipRule": SALES_RULE}))
        .await;
    h.settle().await;
    assert_eq!(member_ids(&h, &au).await.len(), 6);
    let u = user_id(2);
    let r = h
        .patch(&format!("/v1.0/users/{u}"), json!({"department": "Sales"}))
        .await;
    assert_eq!(r.status(), 204);
    // The next request runs the evaluation on the primary; its link still replicates.
    assert!(!member_ids(&h, &au).await.contains(&u));
    let strong: Value = h
        .strong_get(&format!("{AUS}/{au}/members?$top=999"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        strong["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == u.as_str())
    );
    h.settle().await;
    assert!(member_ids(&h, &au).await.contains(&u));
}
