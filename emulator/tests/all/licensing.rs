//! `GET /subscribedSkus`: Entra ID P1 by default, no premium plan with `no_premium`
//! (`--no-premium`), and the application permission it needs.

#![allow(clippy::unwrap_used)]

use entra_emulator::Options;
use entra_emulator::store::licensing::{ENTRA_ID_P1_PLAN, ENTRA_ID_P1_SKU, ENTRA_ID_P2_PLAN};
use reqwest::Client;
use serde_json::Value;

use crate::common::*;
use crate::emulator_admin::Binary;

const SKUS: &str = "/v1.0/subscribedSkus";

/// Every service plan id in a `subscribedSkus` response.
fn plan_ids(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["servicePlans"].as_array().unwrap().clone())
        .map(|p| p["servicePlanId"].as_str().unwrap().to_owned())
        .collect()
}

fn has_premium(body: &Value) -> bool {
    plan_ids(body)
        .iter()
        .any(|p| p == ENTRA_ID_P1_PLAN || p == ENTRA_ID_P2_PLAN)
}

#[tokio::test]
async fn default_tenant_has_entra_id_p1() {
    let h = start().await;
    let v = h.get_json(SKUS).await;
    assert!(
        v["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#subscribedSkus")
    );
    let p1 = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skuPartNumber"] == "AAD_PREMIUM")
        .unwrap()
        .clone();
    assert_eq!(p1["skuId"], ENTRA_ID_P1_SKU);
    assert_eq!(p1["capabilityStatus"], "Enabled");
    assert_eq!(p1["appliesTo"], "User");
    assert_eq!(p1["accountId"], h.tenant);
    assert_eq!(p1["id"], format!("{}_{ENTRA_ID_P1_SKU}", h.tenant));
    assert_eq!(p1["prepaidUnits"]["enabled"], 25);
    let plan = p1["servicePlans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["servicePlanId"] == ENTRA_ID_P1_PLAN)
        .unwrap();
    assert_eq!(plan["servicePlanName"], "AAD_PREMIUM");
    assert_eq!(plan["provisioningStatus"], "Success");
    assert_eq!(plan["appliesTo"], "User");

    let one = h
        .get_json(&format!("{SKUS}/{}", p1["id"].as_str().unwrap()))
        .await;
    assert_eq!(one["skuPartNumber"], "AAD_PREMIUM");
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("subscribedSkus/$entity")
    );
    let r = h.get(&format!("{SKUS}/{}_nope", h.tenant)).await;
    assert_graph_error(r, 404, "Request_ResourceNotFound").await;

    let sel = h.get_json(&format!("{SKUS}?$select=skuPartNumber")).await;
    let keys: Vec<&String> = sel["value"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "skuPartNumber"]);
}

#[tokio::test]
async fn no_premium_tenant_has_no_p1_or_p2_plan() {
    let h = start_with(Options {
        no_premium: true,
        ..Options::default()
    })
    .await;
    let v = h.get_json(SKUS).await;
    assert!(!has_premium(&v), "{v}");
    let parts: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["skuPartNumber"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["EXCHANGESTANDARD"]);
}

#[tokio::test]
async fn subscribed_skus_need_an_organization_or_directory_permission() {
    let h = start().await;
    for token in [h.noperm_token().await, h.reader_token().await] {
        let r = h
            .client
            .get(format!("{}{SKUS}", h.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_graph_error(r, 403, "Authorization_RequestDenied").await;
    }
    // The full demo app reads them through Directory.Read.All.
    assert_eq!(h.get(SKUS).await.status(), 200);
}

/// Reads `subscribedSkus` from a binary started with `args`.
async fn binary_skus(args: &[&str]) -> Value {
    let mut bin = Binary::start(args);
    let env: Vec<(String, String)> = bin
        .env_lines()
        .into_iter()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let var = |k: &str| env.iter().find(|(n, _)| n == k).unwrap().1.clone();
    let url = var("ENTRA_EMULATOR_URL");
    let client = Client::new();
    let form = form_body(&[
        ("grant_type", "client_credentials"),
        ("client_id", &var("ARM_CLIENT_ID")),
        ("client_secret", &var("ARM_CLIENT_SECRET")),
        ("scope", "https://graph.microsoft.com/.default"),
    ]);
    let token: Value = client
        .post(format!("{url}/{}/oauth2/v2.0/token", var("ARM_TENANT_ID")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = client
        .get(format!("{url}{SKUS}"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn cli_no_premium_flag_drops_the_premium_sku() {
    assert!(has_premium(&binary_skus(&[]).await));
    assert!(!has_premium(&binary_skus(&["--no-premium"]).await));
}
