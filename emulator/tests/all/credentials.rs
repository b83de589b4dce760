//! Certificate and federated client assertions, and the managed identity endpoints.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entra_emulator::assertion::thumbprints;
use entra_emulator::store::demo::{DEMO_MI_CLIENT_ID, demo_seed};
use entra_emulator::store::model::FederatedCredential;
use entra_emulator::{DEMO_CLIENT_ID, DEMO_TENANT_ID, Options};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::common::*;

const APP_CERT: &str = include_str!("../fixtures/app-cert.pem");
const APP_KEY: &str = include_str!("../fixtures/app-key.pem");
const IDP_KEY: &str = include_str!("../fixtures/idp-key.pem");
const IDP_JWKS: &str = include_str!("../fixtures/idp-jwks.json");
const GH_ISSUER: &str = "https://token.actions.githubusercontent.com";
const GH_SUBJECT: &str = "repo:entra-au/terraform-provider-entra:ref:refs/heads/main";

fn options() -> Options {
    let mut seed = demo_seed();
    let app = seed
        .apps
        .iter_mut()
        .find(|a| a.app_id == DEMO_CLIENT_ID)
        .unwrap();
    app.certificates.push(APP_CERT.to_owned());
    app.federated_credentials.push(FederatedCredential {
        issuer: GH_ISSUER.into(),
        subject: GH_SUBJECT.into(),
        audiences: vec!["api://AzureADTokenExchange".into()],
        jwks: Some(serde_json::from_str(IDP_JWKS).unwrap()),
    });
    Options {
        seed_data: Some(seed),
        ..Options::default()
    }
}

fn sign(key_pem: &str, header: &Value, claims: &Value, pss: bool) -> String {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(key_pem).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = if pss {
        rsa::pss::BlindedSigningKey::<Sha256>::new(key)
            .sign_with_rng(&mut rand::thread_rng(), input.as_bytes())
            .to_vec()
    } else {
        rsa::pkcs1v15::SigningKey::<Sha256>::new(key)
            .sign(input.as_bytes())
            .to_vec()
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn app_claims(aud: &str) -> Value {
    let now = chrono_now();
    json!({"aud": aud, "iss": DEMO_CLIENT_ID, "sub": DEMO_CLIENT_ID, "jti": uuid::Uuid::new_v4().to_string(), "nbf": now, "iat": now, "exp": now + 600})
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn assertion_token(h: &Harness, assertion: &str) -> reqwest::Response {
    h.token_response(
        DEMO_TENANT_ID,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await
}

#[tokio::test]
async fn certificate_assertions_rs256_and_ps256() {
    let h = start_with(options()).await;
    let (x5t, x5t256) = thumbprints(APP_CERT).unwrap();
    let aud = format!("https://login.microsoftonline.com/{DEMO_TENANT_ID}/oauth2/v2.0/token");
    let rs = sign(
        APP_KEY,
        &json!({"alg": "RS256", "typ": "JWT", "x5t": x5t}),
        &app_claims(&aud),
        false,
    );
    let r = assertion_token(&h, &rs).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(claims(v["access_token"].as_str().unwrap())["appidacr"], "2");

    let own_aud = format!("{}/{DEMO_TENANT_ID}/oauth2/v2.0/token", h.url);
    let ps = sign(
        APP_KEY,
        &json!({"alg": "PS256", "typ": "JWT", "x5t#S256": x5t256}),
        &app_claims(&own_aud),
        true,
    );
    assert_eq!(assertion_token(&h, &ps).await.status(), 200);

    // Signed by another key, same thumbprint.
    let forged = sign(
        IDP_KEY,
        &json!({"alg": "RS256", "x5t": x5t}),
        &app_claims(&aud),
        false,
    );
    let r = assertion_token(&h, &forged).await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");

    // Unknown thumbprint.
    let unknown = sign(
        APP_KEY,
        &json!({"alg": "RS256", "x5t": "AAAA"}),
        &app_claims(&aud),
        false,
    );
    assert_eq!(assertion_token(&h, &unknown).await.status(), 401);

    // Expired.
    let mut old = app_claims(&aud);
    old["exp"] = json!(chrono_now() - 3600);
    old["nbf"] = json!(chrono_now() - 4000);
    let expired = sign(APP_KEY, &json!({"alg": "RS256", "x5t": x5t}), &old, false);
    let r = assertion_token(&h, &expired).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error_codes"][0], 700_024);
}

#[tokio::test]
async fn federated_assertions_match_issuer_subject_audience() {
    let h = start_with(options()).await;
    let now = chrono_now();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "emulator-test-idp-1"});
    let good = json!({"iss": GH_ISSUER, "sub": GH_SUBJECT, "aud": "api://AzureADTokenExchange", "nbf": now, "iat": now, "exp": now + 300});
    let r = assertion_token(&h, &sign(IDP_KEY, &header, &good, false)).await;
    assert_eq!(r.status(), 200);

    let mut wrong_sub = good.clone();
    wrong_sub["sub"] = json!("repo:someone/else:ref:refs/heads/main");
    let v: Value = assertion_token(&h, &sign(IDP_KEY, &header, &wrong_sub, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["error_codes"][0], 700_213);

    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("api://Other");
    let v: Value = assertion_token(&h, &sign(IDP_KEY, &header, &wrong_aud, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["error_codes"][0], 700_212);

    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("https://evil.example");
    let v: Value = assertion_token(&h, &sign(IDP_KEY, &header, &wrong_iss, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["error_codes"][0], 700_211);

    let r = assertion_token(&h, &sign(APP_KEY, &header, &good, false)).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn managed_identity_endpoints() {
    let h = start().await;
    let url = format!(
        "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com/",
        h.url
    );
    let r = h.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = h
        .client
        .get(&url)
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["expires_in"].is_string());
    assert!(v["expires_on"].is_string());
    assert_eq!(v["token_type"], "Bearer");
    let tok = v["access_token"].as_str().unwrap();
    assert_eq!(claims(tok)["appid"], DEMO_MI_CLIENT_ID);
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let r = h
        .client
        .get(format!(
            "{url}&client_id=00000000-0000-4000-8000-000000000000"
        ))
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let app_service = format!(
        "{}/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com",
        h.url
    );
    let r = h.client.get(&app_service).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = h
        .client
        .get(&app_service)
        .header(
            "X-IDENTITY-HEADER",
            entra_emulator::routes::token::IDENTITY_HEADER,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["expires_on"].is_string());
}
