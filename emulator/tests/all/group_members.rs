//! Group membership: `$ref` add/remove, listings, permissions, `memberOf`, seeds,
//! `memberOf` dynamic rules and replication lag of group links.

#![allow(clippy::unwrap_used)]

use entra_emulator::store::demo::{self, device_id, group_id, user_id};
use entra_emulator::{Options, Seed};
use serde_json::{Value, json};

use crate::common::*;

fn members(g: &str) -> String {
    format!("/v1.0/groups/{g}/members")
}

async fn add(h: &Harness, g: &str, url: String) -> reqwest::Response {
    h.post(&format!("{}/$ref", members(g)), json!({"@odata.id": url}))
        .await
}

#[tokio::test]
async fn add_list_count_and_remove_group_members() {
    let h = start().await;
    let g = group_id(5);
    for url in [
        format!("https://graph.microsoft.com/v1.0/users/{}", user_id(1)),
        format!(
            "https://graph.microsoft.com/v1.0/directoryObjects/{}",
            group_id(1)
        ),
        format!("https://graph.microsoft.com/v1.0/devices/{}", device_id(1)),
        format!(
            "https://graph.microsoft.com/v1.0/servicePrincipals/{}",
            demo::DEMO_SP_ID
        ),
    ] {
        assert_eq!(add(&h, &g, url).await.status(), 204);
    }
    let v = h.get_json(&members(&g)).await;
    assert!(
        v["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#directoryObjects")
    );
    let types: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(types.len(), 4);
    for t in ["user", "group", "device", "servicePrincipal"] {
        assert!(
            types.contains(&format!("#microsoft.graph.{t}").as_str()),
            "{t}"
        );
    }
    let users = h
        .get_json(&format!(
            "{}/microsoft.graph.user?$select=displayName",
            members(&g)
        ))
        .await;
    assert_eq!(users["value"].as_array().unwrap().len(), 1);
    assert_eq!(users["value"][0]["displayName"], "Adele Vance");
    let paged = h.get_json(&format!("{}?$top=2", members(&g))).await;
    assert!(paged["@odata.nextLink"].is_string());
    let refs = h.get_json(&format!("{}/$ref", members(&g))).await;
    assert!(
        refs["value"][0]["@odata.id"]
            .as_str()
            .unwrap()
            .contains("/directoryObjects/")
    );
    let count = h
        .req(reqwest::Method::GET, &format!("{}/$count", members(&g)))
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(count.text().await.unwrap(), "4");

    let dup = add(
        &h,
        &g,
        format!("https://graph.microsoft.com/v1.0/users/{}", user_id(1)),
    )
    .await;
    let msg = assert_graph_error(dup, 400, "Request_BadRequest").await;
    assert_eq!(
        msg,
        "One or more added object references already exist for the following modified properties: 'members'."
    );
    let path = format!("{}/{}/$ref", members(&g), user_id(1));
    assert_eq!(h.delete(&path).await.status(), 204);
    let msg = assert_graph_error(h.delete(&path).await, 404, "Request_ResourceNotFound").await;
    assert!(msg.contains(&g));
    let missing = add(
        &h,
        &g,
        format!(
            "https://graph.microsoft.com/v1.0/users/{}",
            uuid::Uuid::new_v4()
        ),
    )
    .await;
    assert_graph_error(missing, 404, "Request_ResourceNotFound").await;
}

#[tokio::test]
async fn group_member_permissions() {
    let h = start().await;
    let g = group_id(2);
    // AdministrativeUnit.* and RoleManagement.* do not cover group members.
    let least = h.least_token().await;
    let r = h
        .client
        .get(format!("{}{}", h.url, members(&g)))
        .bearer_auth(&least)
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    let r = h
        .client
        .post(format!("{}{}/$ref", h.url, members(&g)))
        .bearer_auth(&least)
        .json(&user_ref(&user_id(3)))
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    // Group.ReadWrite.All (full demo app) may read and write.
    assert_eq!(
        add(&h, &g, format!("/users/{}", user_id(3))).await.status(),
        204
    );
}

#[tokio::test]
async fn member_of_lists_groups_and_administrative_units() {
    let h = start().await;
    let u = user_id(1);
    assert_eq!(
        add(&h, &group_id(3), format!("/users/{u}")).await.status(),
        204
    );
    let all = h.get_json(&format!("/v1.0/users/{u}/memberOf")).await;
    let types: Vec<&str> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"#microsoft.graph.group"));
    assert!(types.contains(&"#microsoft.graph.administrativeUnit"));
    let groups = h
        .ids(&format!("/v1.0/users/{u}/memberOf/microsoft.graph.group"))
        .await;
    assert_eq!(groups, [group_id(3)]);
}

#[tokio::test]
async fn seed_files_may_list_group_members() {
    let mut seed: Seed = demo::demo_seed();
    seed.groups[0].insert("members".into(), json!([user_id(2), device_id(2)]));
    let h = start_with(Options {
        seed_data: Some(seed),
        ..Options::default()
    })
    .await;
    let ids = h.ids(&members(&group_id(1))).await;
    assert_eq!(ids, [user_id(2), device_id(2)]);
}

#[tokio::test]
async fn member_of_rules_follow_direct_group_membership() {
    let h = start().await;
    let g = group_id(4);
    let rule = format!("user.memberOf -any (group.objectId -in ['{g}'])");
    let au = h
        .create_au(json!({"displayName": "Helpdesk people", "membershipType": "Dynamic", "membershipRule": rule}))
        .await;
    let au_members = format!("{AUS}/{au}/members");
    assert!(h.ids(&au_members).await.is_empty());
    assert_eq!(
        add(&h, &g, format!("/users/{}", user_id(9))).await.status(),
        204
    );
    assert_eq!(h.ids(&au_members).await, [user_id(9)]);
    let path = format!("{}/{}/$ref", members(&g), user_id(9));
    assert_eq!(h.delete(&path).await.status(), 204);
    assert!(h.ids(&au_members).await.is_empty());
}

#[tokio::test]
async fn group_links_lag_like_au_links() {
    let h = start_with(lagging(60_000, 60_000, 3)).await;
    let g = group_id(5);
    assert_eq!(
        add(&h, &g, format!("/users/{}", user_id(6))).await.status(),
        204
    );
    assert!(h.ids(&members(&g)).await.is_empty());
    let strong: Value = h.strong_get(&members(&g)).await.json().await.unwrap();
    assert_eq!(strong["value"].as_array().unwrap().len(), 1);
    let fresh = h.create_user("grpfresh").await;
    let r = add(&h, &g, format!("/users/{fresh}")).await;
    assert_eq!(
        assert_graph_error(r, 400, "Request_BadRequest").await,
        "Not a valid reference update."
    );
    h.settle().await;
    assert_eq!(h.ids(&members(&g)).await, [user_id(6)]);
}
