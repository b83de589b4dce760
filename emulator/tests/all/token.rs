//! Token endpoint: client credentials with a secret, and the AADSTS error shapes.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use entra_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_DOMAIN, DEMO_TENANT_ID};
use serde_json::Value;

use crate::common::*;

fn form<'a>(secret: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", secret),
        ("scope", scope),
    ]
}

async fn assert_aadsts(resp: reqwest::Response, status: u16, error: &str, code: u64) -> Value {
    assert_eq!(resp.status(), status);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], error, "{v}");
    assert_eq!(v["error_codes"][0], code);
    let desc = v["error_description"].as_str().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
    for k in ["timestamp", "trace_id", "correlation_id"] {
        assert!(v[k].is_string(), "{k} missing in {v}");
    }
    v
}

#[tokio::test]
async fn secret_grant_issues_a_jwt_with_claims() {
    let h = start().await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &form(DEMO_CLIENT_SECRET, "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["ext_expires_in"], 3599);
    let c = claims(v["access_token"].as_str().unwrap());
    assert_eq!(c["tid"], DEMO_TENANT_ID);
    assert_eq!(c["appid"], DEMO_CLIENT_ID);
    assert_eq!(c["oid"], entra_emulator::store::demo::DEMO_SP_ID);
    assert_eq!(c["aud"], "https://graph.microsoft.com");
    assert!(c["iss"].as_str().unwrap().contains(DEMO_TENANT_ID));
    let roles: Vec<&str> = c["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(roles.contains(&"AdministrativeUnit.ReadWrite.All"));
    assert!(roles.contains(&"Member.Read.Hidden"));
    let (iat, nbf, exp) = (
        c["iat"].as_i64().unwrap(),
        c["nbf"].as_i64().unwrap(),
        c["exp"].as_i64().unwrap(),
    );
    assert!(nbf <= iat + 1 && exp - iat == 3599);
}

#[tokio::test]
async fn tenant_domain_basic_auth_and_own_url_scope_work() {
    let h = start().await;
    let resp = h
        .token_response(
            DEMO_DOMAIN,
            &form(DEMO_CLIENT_SECRET, "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_eq!(resp.status(), 200);

    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"));
    let resp = h
        .client
        .post(format!("{}/{DEMO_TENANT_ID}/oauth2/v2.0/token", h.url))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let scope = format!("{}/.default", h.url);
    let resp = h
        .token_response(DEMO_TENANT_ID, &form(DEMO_CLIENT_SECRET, &scope))
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let tok = v["access_token"].as_str().unwrap();
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn bad_secret_is_invalid_client_401() {
    let h = start().await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &form("wrong", "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_aadsts(resp, 401, "invalid_client", 7_000_215).await;
}

#[tokio::test]
async fn unknown_app_is_unauthorized_client_400() {
    let h = start().await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "11111111-1111-4111-8111-111111111111"),
                ("client_secret", "x"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    let v = assert_aadsts(resp, 400, "unauthorized_client", 700_016).await;
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .contains("11111111-1111-4111-8111-111111111111")
    );
}

#[tokio::test]
async fn scope_errors() {
    let h = start().await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &form(DEMO_CLIENT_SECRET, "https://example.com/.default"),
        )
        .await;
    assert_aadsts(resp, 400, "invalid_scope", 70011).await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &form(DEMO_CLIENT_SECRET, "https://graph.microsoft.com/User.Read"),
        )
        .await;
    assert_aadsts(resp, 400, "invalid_scope", 1_002_012).await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
            ],
        )
        .await;
    assert_aadsts(resp, 400, "invalid_request", 900_144).await;
}

#[tokio::test]
async fn request_shape_errors() {
    let h = start().await;
    let resp = h
        .token_response(
            "not-a-tenant.example",
            &form(DEMO_CLIENT_SECRET, "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_aadsts(resp, 400, "invalid_request", 90002).await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
            ],
        )
        .await;
    assert_aadsts(resp, 400, "invalid_request", 900_144).await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &[
                ("grant_type", "password"),
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
            ],
        )
        .await;
    assert_aadsts(resp, 400, "unsupported_grant_type", 70003).await;
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", DEMO_CLIENT_ID),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_aadsts(resp, 401, "invalid_client", 7_000_218).await;
}

#[tokio::test]
async fn oidc_discovery_and_reserved_scopes() {
    let h = start().await;
    let r = h
        .client
        .get(format!(
            "{}/{DEMO_DOMAIN}/v2.0/.well-known/openid-configuration",
            h.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["token_endpoint"],
        format!("{}/{DEMO_TENANT_ID}/oauth2/v2.0/token", h.url)
    );
    let resp = h
        .token_response(
            DEMO_TENANT_ID,
            &form(
                DEMO_CLIENT_SECRET,
                "https://graph.microsoft.com/.default offline_access openid profile",
            ),
        )
        .await;
    assert_eq!(resp.status(), 200);
}
