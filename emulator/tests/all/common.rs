//! Shared helpers for the emulator's HTTP tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::SocketAddr;

use entra_emulator::store::demo;
use entra_emulator::{Emulator, Options};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;

pub const AUS: &str = "/v1.0/directory/administrativeUnits";

/// A running emulator plus an HTTP client and a token for the full demo app.
pub struct Harness {
    pub emu: Emulator,
    pub url: String,
    pub client: Client,
    pub token: String,
    pub tenant: String,
}

pub async fn start() -> Harness {
    start_with(Options::default()).await
}

pub async fn start_with(options: Options) -> Harness {
    let emu = Emulator::start(SocketAddr::from(([127, 0, 0, 1], 0)), options)
        .await
        .unwrap();
    harness(emu, Client::new()).await
}

async fn harness(emu: Emulator, client: Client) -> Harness {
    let url = emu.url();
    let env = emu.env();
    let mut h = Harness {
        emu,
        url,
        client,
        token: String::new(),
        tenant: env[1].1.clone(),
    };
    h.token = h.token_for(&env[2].1, &env[3].1).await;
    h
}

/// An HTTPS emulator (`Options::tls` forced on) and a client that trusts only its CA.
pub async fn start_tls_with(options: Options) -> Harness {
    let options = Options {
        tls: true,
        ..options
    };
    let emu = Emulator::start(SocketAddr::from(([127, 0, 0, 1], 0)), options)
        .await
        .unwrap();
    let client = trusting(emu.ca().unwrap().pem());
    harness(emu, client).await
}

/// A client whose only root is the CA in `pem` (no platform roots, no insecure mode).
pub fn trusting(pem: &str) -> Client {
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    Client::builder().tls_certs_only([ca]).build().unwrap()
}

impl Harness {
    pub async fn token_response(&self, tenant: &str, form: &[(&str, &str)]) -> Response {
        let body = form_body(form);
        self.client
            .post(format!("{}/{tenant}/oauth2/v2.0/token", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn token_for(&self, client_id: &str, secret: &str) -> String {
        let resp = self
            .token_response(
                &self.tenant,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn least_token(&self) -> String {
        self.token_for(demo::LEAST_CLIENT_ID, demo::LEAST_CLIENT_SECRET)
            .await
    }

    pub async fn reader_token(&self) -> String {
        self.token_for(demo::READER_CLIENT_ID, demo::READER_CLIENT_SECRET)
            .await
    }

    pub async fn noperm_token(&self) -> String {
        self.token_for(demo::NOPERM_CLIENT_ID, demo::NOPERM_CLIENT_SECRET)
            .await
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.req(Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.req(Method::PATCH, path)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.req(Method::DELETE, path).send().await.unwrap()
    }

    /// Creates an AU and returns its id.
    pub async fn create_au(&self, body: Value) -> String {
        let r = self.post(AUS, body).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        v["id"].as_str().unwrap().to_owned()
    }
}

pub fn form_body(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Asserts a Graph error envelope with `status` and `code`; returns the message.
pub async fn assert_graph_error(resp: Response, status: u16, code: &str) -> String {
    assert_eq!(resp.status(), status);
    assert!(resp.headers().contains_key("request-id"));
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], code, "body: {v}");
    let inner = &v["error"]["innerError"];
    assert!(inner["request-id"].is_string());
    assert!(inner["date"].is_string());
    assert!(inner["client-request-id"].is_string());
    v["error"]["message"].as_str().unwrap().to_owned()
}

/// Decodes a JWT's claims without verifying.
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Polls `check` every 20 ms until it holds or `limit` passes; true when it held.
pub async fn poll_until<F, Fut>(limit: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Options with the given replication window (ms), replicas and fault seed.
pub fn lagging(min_ms: u64, max_ms: u64, replicas: u32) -> Options {
    Options {
        faults: entra_emulator::FaultConfig {
            replication_lag_min_ms: Some(min_ms),
            replication_lag_ms: max_ms,
            replicas,
            ..entra_emulator::FaultConfig::default()
        },
        ..Options::default()
    }
}

impl Harness {
    /// `POST /_emulator/settle`: every pending change and evaluation lands.
    pub async fn settle(&self) {
        let r = self
            .client
            .post(format!("{}/_emulator/settle", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }

    /// `POST /_emulator/faults`; returns the new settings.
    pub async fn set_faults(&self, body: Value) -> Value {
        let r = self
            .client
            .post(format!("{}/_emulator/faults", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// A GET that reads the primary (`x-emulator-consistency: strong`).
    pub async fn strong_get(&self, path: &str) -> Response {
        self.req(Method::GET, path)
            .header("x-emulator-consistency", "strong")
            .send()
            .await
            .unwrap()
    }

    /// Ids in the `value` of a collection response read at `path`.
    pub async fn ids(&self, path: &str) -> Vec<String> {
        let v = self.get_json(path).await;
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Creates a user and returns its id.
    pub async fn create_user(&self, nick: &str) -> String {
        let r = self
            .post(
                "/v1.0/users",
                serde_json::json!({
                    "accountEnabled": true, "displayName": nick, "mailNickname": nick,
                    "userPrincipalName": format!("{nick}@contoso-demo.onmicrosoft.com"),
                    "passwordProfile": {"password": "Passw0rd-Long!"}
                }),
            )
            .await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        v["id"].as_str().unwrap().to_owned()
    }
}

/// An `@odata.id` body for a user.
pub fn user_ref(id: &str) -> Value {
    serde_json::json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{id}")})
}
