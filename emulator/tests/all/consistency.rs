//! The replicated directory: reads served by lagging replicas, writes decided on the
//! primary, reference checks at the serving replica, `settle` and the strong header.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use entra_emulator::store::demo::{au_id, user_id};
use serde_json::{Value, json};

use crate::common::*;

/// A lag no test waits out: only `settle` (or the strong header) gets past it.
const LONG: u64 = 60_000;

const HELPDESK_ADMIN: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

#[tokio::test]
async fn new_au_is_missing_by_id_and_from_lists_until_settled() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    let au = h.create_au(json!({"displayName": "Fresh"})).await;
    let msg = assert_graph_error(
        h.get(&format!("{AUS}/{au}")).await,
        404,
        "Request_ResourceNotFound",
    )
    .await;
    assert!(msg.contains(&au));
    assert!(!h.ids(&format!("{AUS}?$top=999")).await.contains(&au));
    let count = h
        .req(reqwest::Method::GET, &format!("{AUS}/$count"))
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(count.text().await.unwrap(), "2", "only the two seeded AUs");
    // Writes addressing it in the path hit a replica that lacks it, like azuread's
    // retried PATCH on a fresh AU.
    let r = h
        .patch(&format!("{AUS}/{au}"), json!({"displayName": "Renamed"}))
        .await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;
    let r = h
        .post(&format!("{AUS}/{au}/members/$ref"), user_ref(&user_id(1)))
        .await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;

    h.settle().await;
    assert_eq!(h.get(&format!("{AUS}/{au}")).await.status(), 200);
    assert!(h.ids(&format!("{AUS}?$top=999")).await.contains(&au));
}

#[tokio::test]
async fn new_au_appears_once_a_real_short_lag_has_passed() {
    let h = start_with(lagging(300, 300, 3)).await;
    let created = Instant::now();
    let au = h.create_au(json!({"displayName": "Soon"})).await;
    assert_eq!(h.get(&format!("{AUS}/{au}")).await.status(), 404);
    let seen = poll_until(Duration::from_secs(3), || async {
        h.get(&format!("{AUS}/{au}")).await.status() == 200
            && h.ids(&format!("{AUS}?$top=999")).await.contains(&au)
    })
    .await;
    assert!(seen);
    assert!(created.elapsed() >= Duration::from_millis(290));
}

#[tokio::test]
async fn patch_shows_previous_properties_at_a_lagging_replica() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    let path = format!("{AUS}/{}", au_id(1));
    let r = h
        .patch(
            &path,
            json!({"displayName": "Seattle HQ", "description": "new"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let v = h.get_json(&path).await;
    assert_eq!(v["displayName"], "Seattle Office");
    assert_eq!(v["description"], "People and devices in the Seattle office");
    let listed = h
        .get_json(&format!("{AUS}?$filter=displayName eq 'Seattle Office'"))
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let strong: Value = h.strong_get(&path).await.json().await.unwrap();
    assert_eq!(strong["displayName"], "Seattle HQ");
    h.settle().await;
    assert_eq!(h.get_json(&path).await["displayName"], "Seattle HQ");
}

#[tokio::test]
async fn member_changes_lag_behind_in_member_lists() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    let au = au_id(1);
    let members = format!("{AUS}/{au}/members?$top=999");
    assert!(h.ids(&members).await.contains(&user_id(1)));
    let r = h
        .delete(&format!("{AUS}/{au}/members/{}/$ref", user_id(1)))
        .await;
    assert_eq!(r.status(), 204);
    let r = h
        .post(&format!("{AUS}/{au}/members/$ref"), user_ref(&user_id(5)))
        .await;
    assert_eq!(r.status(), 204);
    let seen = h.ids(&members).await;
    assert!(seen.contains(&user_id(1)), "removed member still listed");
    assert!(!seen.contains(&user_id(5)), "added member not listed yet");
    let of = h.ids(&format!("/v1.0/users/{}/memberOf", user_id(1))).await;
    assert!(of.contains(&au));
    // The primary decides writes: the removal is final, the add is a duplicate.
    let r = h
        .post(&format!("{AUS}/{au}/members/$ref"), user_ref(&user_id(5)))
        .await;
    let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
    assert!(msg.starts_with("One or more added object references already exist"));
    h.settle().await;
    let seen = h.ids(&members).await;
    assert!(!seen.contains(&user_id(1)) && seen.contains(&user_id(5)));
}

#[tokio::test]
async fn deleted_au_is_still_served_during_lag() {
    let h = start_with(lagging(LONG, LONG, 1)).await;
    let path = format!("{AUS}/{}", au_id(1));
    assert_eq!(h.delete(&path).await.status(), 204);
    assert_eq!(h.get(&path).await.status(), 200);
    assert!(h.ids(&format!("{AUS}?$top=999")).await.contains(&au_id(1)));
    let r = h
        .get("/v1.0/directory/deletedItems/microsoft.graph.administrativeUnit")
        .await;
    let v: Value = r.json().await.unwrap();
    assert!(v["value"].as_array().unwrap().is_empty());
    assert_eq!(h.strong_get(&path).await.status(), 404);
    h.settle().await;
    assert_eq!(h.get(&path).await.status(), 404);
}

#[tokio::test]
async fn seeded_objects_are_visible_at_start_under_a_large_lag() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    assert_eq!(h.get(&format!("{AUS}/{}", au_id(1))).await.status(), 200);
    assert_eq!(h.ids(&format!("{AUS}?$top=999")).await.len(), 2);
    assert_eq!(
        h.ids(&format!("{AUS}/{}/members?$top=999", au_id(1)))
            .await
            .len(),
        6
    );
    assert_eq!(h.ids("/v1.0/users?$top=999").await.len(), 48);
    let r = h
        .post(
            &format!("{AUS}/{}/members/$ref", au_id(1)),
            user_ref(&user_id(7)),
        )
        .await;
    assert_eq!(
        r.status(),
        204,
        "seeded objects are valid references at once"
    );
}

#[tokio::test]
async fn referencing_a_fresh_user_is_not_a_valid_reference_until_settled() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    let u = h.create_user("fresh1").await;
    let path = format!("{AUS}/{}/members/$ref", au_id(1));
    let add = || h.post(&path, user_ref(&u));
    let msg = assert_graph_error(add().await, 400, "Request_BadRequest").await;
    assert_eq!(msg, "Not a valid reference update.");
    let r = h
        .post(
            AUS,
            json!({"displayName": "Bound", "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/users/{u}")]}),
        )
        .await;
    assert_eq!(
        assert_graph_error(r, 400, "Request_BadRequest").await,
        "Not a valid reference update."
    );
    h.settle().await;
    assert_eq!(add().await.status(), 204);
}

#[tokio::test]
async fn role_assignment_with_a_fresh_principal_or_scope_is_not_a_valid_reference() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    let u = h.create_user("fresh2").await;
    let au = h.create_au(json!({"displayName": "Scope"})).await;
    let assign = |principal: String, au: String| {
        h.post(
            "/v1.0/roleManagement/directory/roleAssignments",
            json!({"roleDefinitionId": HELPDESK_ADMIN, "principalId": principal,
                   "directoryScopeId": format!("/administrativeUnits/{au}")}),
        )
    };
    for (principal, scope) in [(u.clone(), au_id(1)), (user_id(4), au.clone())] {
        let r = assign(principal, scope).await;
        assert_eq!(
            assert_graph_error(r, 400, "Request_BadRequest").await,
            "Not a valid reference update."
        );
    }
    h.settle().await;
    let r = assign(u.clone(), au.clone()).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1.0/roleManagement/directory/roleAssignments/{id}");
    assert_eq!(h.get(&path).await.status(), 404, "new assignment lags");
    let filter =
        format!("/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '{u}'");
    assert!(h.ids(&filter).await.is_empty());
    assert!(
        h.ids(&format!("{AUS}/{au}/scopedRoleMembers"))
            .await
            .is_empty()
    );
    assert_eq!(h.delete(&path).await.status(), 404, "delete addresses it");
    h.settle().await;
    assert_eq!(h.get(&path).await.status(), 200);
    assert_eq!(h.ids(&filter).await, std::slice::from_ref(&id));
    assert_eq!(h.delete(&path).await.status(), 204);
}

#[tokio::test]
async fn strong_consistency_header_reads_the_primary() {
    let h = start_with(lagging(LONG, LONG, 3)).await;
    let au = h.create_au(json!({"displayName": "Truth"})).await;
    let strong: Value = h
        .strong_get(&format!("{AUS}/{au}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(strong["displayName"], "Truth");
    let list: Value = h.strong_get(AUS).await.json().await.unwrap();
    assert!(
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == au)
    );
    // Strong writes check the primary too.
    let r = h
        .req(reqwest::Method::PATCH, &format!("{AUS}/{au}"))
        .header("x-emulator-consistency", "strong")
        .json(&json!({"description": "d"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // Inside a $batch, the envelope's header applies to its items.
    let batch = h
        .req(reqwest::Method::POST, "/v1.0/$batch")
        .header("x-emulator-consistency", "strong")
        .json(&json!({"requests": [
            {"id": "1", "method": "GET", "url": format!("/directory/administrativeUnits/{au}")}]}))
        .send()
        .await
        .unwrap();
    let v: Value = batch.json().await.unwrap();
    assert_eq!(v["responses"][0]["status"], 200);
    assert_eq!(h.get(&format!("{AUS}/{au}")).await.status(), 404);
}

#[tokio::test]
async fn replicas_with_different_lags_flap_between_outcomes() {
    // With seed 17 the first change reaches replicas 0, 1, 2 after 114, 377 and 525 ms.
    let mut options = lagging(100, 700, 3);
    options.faults.fault_seed = 17;
    let h = start_with(options).await;
    let before = Instant::now();
    let au = h.create_au(json!({"displayName": "Flapping"})).await;
    let path = format!("{AUS}/{au}");
    let mut outcomes = Vec::new();
    while before.elapsed() < Duration::from_millis(450) {
        outcomes.push(h.get(&path).await.status().as_u16());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first_hit = outcomes.iter().position(|s| *s == 200);
    assert!(first_hit.is_some(), "{outcomes:?}");
    let after = &outcomes[first_hit.unwrap_or_default()..];
    assert!(
        after.contains(&404),
        "a replica still lacked it after another had it: {outcomes:?}"
    );
    // Past the longest lag every replica has it. Waiting out the real lag window is what
    // this test is about, so it sleeps instead of settling.
    let settled = Duration::from_millis(750);
    tokio::time::sleep(settled.saturating_sub(before.elapsed())).await;
    for _ in 0..6 {
        assert_eq!(h.get(&path).await.status(), 200);
    }
}

#[tokio::test]
async fn lag_settings_are_visible_and_validated() {
    let h = start().await;
    let v: Value = h
        .client
        .get(format!("{}/_emulator/faults", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["replication_lag_ms"], 0);
    assert_eq!(v["replication_lag_min_ms"], Value::Null);
    assert_eq!(v["replicas"], 3);
    assert_eq!(v["dynamic_processing_delay_ms"], 0);
    let r = h
        .client
        .post(format!("{}/_emulator/faults", h.url))
        .json(&json!({"replication_lag_ms": 100, "replication_lag_min_ms": 200}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Turning lag off makes every pending change visible at once.
    h.set_faults(json!({"replication_lag_ms": LONG})).await;
    let au = h.create_au(json!({"displayName": "Pending"})).await;
    assert_eq!(h.get(&format!("{AUS}/{au}")).await.status(), 404);
    h.set_faults(json!({})).await;
    assert_eq!(h.get(&format!("{AUS}/{au}")).await.status(), 200);
}
