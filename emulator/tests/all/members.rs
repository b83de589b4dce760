//! AU members: add/remove refs, listing, casts, $count, limits and error texts.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::{device_id, group_id, user_id};
use serde_json::{Value, json};

use crate::common::*;

fn members(au: &str) -> String {
    format!("{AUS}/{au}/members")
}

async fn add(h: &Harness, au: &str, url: String) -> reqwest::Response {
    h.post(&format!("{}/$ref", members(au)), json!({"@odata.id": url}))
        .await
}

#[tokio::test]
async fn add_list_and_remove_members_with_all_ref_forms() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "M"})).await;
    let u = user_id(5);
    let g = group_id(1);
    let d = device_id(3);
    assert_eq!(
        add(
            &h,
            &au,
            format!("https://graph.microsoft.com/v1.0/directoryObjects/{u}")
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        add(
            &h,
            &au,
            format!("https://graph.microsoft.com/v1.0/groups/{g}")
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        add(&h, &au, format!("{}/v1.0/devices/{d}", h.url))
            .await
            .status(),
        204
    );

    let v = h.get_json(&members(&au)).await;
    let items = v["value"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let types: Vec<&str> = items
        .iter()
        .map(|i| i["@odata.type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"#microsoft.graph.user")
            && types.contains(&"#microsoft.graph.group")
            && types.contains(&"#microsoft.graph.device")
    );

    let refs = h.get_json(&format!("{}/$ref", members(&au))).await;
    assert_eq!(refs["value"].as_array().unwrap().len(), 3);
    assert!(
        refs["value"][0]["@odata.id"]
            .as_str()
            .unwrap()
            .contains("/directoryObjects/")
    );

    for cast in ["microsoft.graph.user", "graph.user", "user"] {
        let v = h.get_json(&format!("{}/{cast}", members(&au))).await;
        let items = v["value"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{cast}");
        assert_eq!(items[0]["id"], u.as_str());
    }

    let one = h.get_json(&format!("{}/{u}", members(&au))).await;
    assert_eq!(one["id"], u.as_str());

    assert_eq!(
        h.delete(&format!("{}/{u}/$ref", members(&au)))
            .await
            .status(),
        204
    );
    let r = h
        .delete(&format!(
            "{}/$ref?$id=https://graph.microsoft.com/v1.0/directoryObjects/{g}",
            members(&au)
        ))
        .await;
    assert_eq!(r.status(), 204);
    let v = h.get_json(&members(&au)).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn duplicate_and_missing_errors_match_graph() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "E"})).await;
    let u = user_id(7);
    assert_eq!(
        add(
            &h,
            &au,
            format!("https://graph.microsoft.com/v1.0/directoryObjects/{u}")
        )
        .await
        .status(),
        204
    );
    let r = add(
        &h,
        &au,
        format!("https://graph.microsoft.com/v1.0/directoryObjects/{u}"),
    )
    .await;
    let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
    assert_eq!(
        msg,
        "One or more added object references already exist for the following modified properties: 'members'."
    );

    let ghost = "00000000-0000-4000-8000-0000000000ff";
    let r = add(
        &h,
        &au,
        format!("https://graph.microsoft.com/v1.0/directoryObjects/{ghost}"),
    )
    .await;
    let msg = assert_graph_error(r, 404, "Request_ResourceNotFound").await;
    assert!(msg.contains(ghost));

    let other = user_id(8);
    let r = h.delete(&format!("{}/{other}/$ref", members(&au))).await;
    let msg = assert_graph_error(r, 404, "Request_ResourceNotFound").await;
    assert!(msg.contains(&au), "names the AU: {msg}");

    let r = add(
        &h,
        ghost,
        format!("https://graph.microsoft.com/v1.0/directoryObjects/{u}"),
    )
    .await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;

    // Only users, groups and devices.
    let sp = entra_emulator::store::demo::DEMO_SP_ID;
    let r = add(
        &h,
        &au,
        format!("https://graph.microsoft.com/v1.0/directoryObjects/{sp}"),
    )
    .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
}

#[tokio::test]
async fn an_object_can_be_in_at_most_30_aus() {
    let h = start().await;
    let u = user_id(20);
    for i in 0..30 {
        let au = h.create_au(json!({"displayName": format!("L{i}")})).await;
        assert_eq!(
            add(
                &h,
                &au,
                format!("https://graph.microsoft.com/v1.0/users/{u}")
            )
            .await
            .status(),
            204
        );
    }
    let au = h.create_au(json!({"displayName": "L30"})).await;
    let r = add(
        &h,
        &au,
        format!("https://graph.microsoft.com/v1.0/users/{u}"),
    )
    .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
}

#[tokio::test]
async fn count_needs_consistency_level() {
    let h = start().await;
    let au = "c0ffee00-0000-4000-8004-000000000001";
    let r = h.get(&format!("{}/$count", members(au))).await;
    let msg = assert_graph_error(r, 400, "Request_BadRequest").await;
    assert_eq!(msg, "$count is not currently supported.");
    let r = h
        .req(reqwest::Method::GET, &format!("{}/$count", members(au)))
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(r.text().await.unwrap(), "6");
    let r = h
        .req(
            reqwest::Method::GET,
            &format!("{}/microsoft.graph.user/$count", members(au)),
        )
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "3");
}

#[tokio::test]
async fn member_filter_by_id_works_without_advanced_params() {
    let h = start().await;
    let au = "c0ffee00-0000-4000-8004-000000000001";
    let u = user_id(1);
    let v = h
        .get_json(&format!("{}?$filter=id eq '{u}'", members(au)))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    let r = h
        .get(&format!("{}?$filter=displayName eq 'x'", members(au)))
        .await;
    assert_graph_error(r, 400, "Request_UnsupportedQuery").await;
}

#[tokio::test]
async fn hidden_membership_needs_member_read_hidden() {
    let h = start().await;
    let hidden = "c0ffee00-0000-4000-8004-000000000002";
    assert_eq!(h.get(&members(hidden)).await.status(), 200);
    let least = h.least_token().await;
    let r = h
        .client
        .get(format!("{}{}", h.url, members(hidden)))
        .bearer_auth(&least)
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    // A public AU: the least-privilege app sees members with limited information.
    let public = "c0ffee00-0000-4000-8004-000000000001";
    let r = h
        .client
        .get(format!("{}{}", h.url, members(public)))
        .bearer_auth(&least)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let first = &v["value"][0];
    assert!(first["id"].is_string());
    assert!(first["@odata.type"].is_string());
    assert_eq!(first["displayName"], Value::Null);
}

#[tokio::test]
async fn delete_without_ref_deletes_the_object() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "D"})).await;
    let u = user_id(30);
    add(
        &h,
        &au,
        format!("https://graph.microsoft.com/v1.0/users/{u}"),
    )
    .await;
    let least = h.least_token().await;
    let r = h
        .client
        .delete(format!("{}{}/{u}", h.url, members(&au)))
        .bearer_auth(&least)
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    let r = h.delete(&format!("{}/{u}", members(&au))).await;
    assert_eq!(r.status(), 204);
    assert_eq!(h.get(&format!("/v1.0/users/{u}")).await.status(), 404);
    let deleted = h
        .get_json(&format!("/v1.0/directory/deletedItems/{u}"))
        .await;
    assert_eq!(deleted["@odata.type"], "#microsoft.graph.user");
}

#[tokio::test]
async fn create_group_inside_au() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "G"})).await;
    let body = json!({"@odata.type": "#microsoft.graph.group", "displayName": "In AU", "mailEnabled": false, "mailNickname": "inau", "securityEnabled": true});
    let r = h.post(&members(&au), body).await;
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.unwrap();
    let gid = g["id"].as_str().unwrap();
    let one = h.get_json(&format!("{}/{gid}", members(&au))).await;
    assert_eq!(one["displayName"], "In AU");
    let r = h.post(&members(&au), json!({"displayName": "no type", "mailEnabled": false, "mailNickname": "x", "securityEnabled": true})).await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let least = h.least_token().await;
    let r = h
        .client
        .post(format!("{}{}", h.url, members(&au)))
        .bearer_auth(&least)
        .json(&json!({"@odata.type": "#microsoft.graph.group", "displayName": "x", "mailEnabled": false, "mailNickname": "x2", "securityEnabled": true}))
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
}

#[tokio::test]
async fn restricted_au_rejects_m365_groups_and_protects_members() {
    let h = start().await;
    let au = h
        .create_au(json!({"displayName": "RMAU", "isMemberManagementRestricted": true}))
        .await;
    let r = add(
        &h,
        &au,
        format!("https://graph.microsoft.com/v1.0/groups/{}", group_id(3)),
    )
    .await;
    assert_graph_error(r, 400, "Request_BadRequest").await;
    let u = user_id(11);
    assert_eq!(
        add(
            &h,
            &au,
            format!("https://graph.microsoft.com/v1.0/users/{u}")
        )
        .await
        .status(),
        204
    );
    let r = h
        .patch(&format!("/v1.0/users/{u}"), json!({"jobTitle": "Boss"}))
        .await;
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
}

#[tokio::test]
async fn paging_members_with_top_and_next_link() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "P"})).await;
    for i in 1..=12 {
        add(
            &h,
            &au,
            format!("https://graph.microsoft.com/v1.0/users/{}", user_id(i)),
        )
        .await;
    }
    let mut url = format!("{}{}?$top=5", h.url, members(&au));
    let mut seen = Vec::new();
    loop {
        let v: Value = h
            .client
            .get(&url)
            .bearer_auth(&h.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for i in v["value"].as_array().unwrap() {
            seen.push(i["id"].as_str().unwrap().to_owned());
        }
        match v["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 12);
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), 12);
}
