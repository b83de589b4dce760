//! The HTTPS listener (`Options::tls`): its generated CA, the token endpoint and paging
//! over TLS, the CA on the background harness, and the binary's `--tls`.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use entra_emulator::store::demo::demo_seed;
use entra_emulator::{BackgroundEmulator, Options};
use serde_json::{Map, Value, json};

use crate::common::*;
use crate::emulator_admin::Binary;

const BIG_AU: &str = "5eed0000-0000-4000-8004-000000000001";

fn member_id(i: usize) -> String {
    format!("5eed0000-0000-4000-8001-{i:012}")
}

/// The demo tenant plus an AU with `n` seeded users.
fn big_unit(n: usize) -> Options {
    let mut seed = demo_seed();
    for i in 1..=n {
        let user = json!({
            "id": member_id(i), "accountEnabled": true, "displayName": format!("Paged {i}"),
            "mailNickname": format!("paged{i}"),
            "userPrincipalName": format!("paged{i}@contoso-demo.onmicrosoft.com"),
        });
        seed.users.push(as_map(user));
    }
    let members: Vec<String> = (1..=n).map(member_id).collect();
    seed.administrative_units.push(as_map(
        json!({"id": BIG_AU, "displayName": "Paged over TLS", "members": members}),
    ));
    Options {
        seed_data: Some(seed),
        ..Options::default()
    }
}

fn as_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn https_pages_250_members_by_following_next_links_as_given() {
    let h = start_tls_with(big_unit(250)).await;
    assert!(h.url.starts_with("https://127.0.0.1:"), "{}", h.url);
    let mut url = format!("{}{AUS}/{BIG_AU}/members", h.url);
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = h
            .client
            .get(&url)
            .bearer_auth(&h.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "GET {url}");
        let v: Value = r.json().await.unwrap();
        pages += 1;
        for m in v["value"].as_array().unwrap() {
            seen.push(m["id"].as_str().unwrap().to_owned());
        }
        match v["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&format!("{}/v1.0/", h.url)), "{next}");
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (1..=250).map(member_id).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn https_token_discovery_and_entities_use_https_links() {
    let h = start_tls_with(Options::default()).await;
    let v = h
        .client
        .get(format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            h.url, h.tenant
        ))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        v["token_endpoint"],
        format!("{}/{}/oauth2/v2.0/token", h.url, h.tenant)
    );
    let au = h.create_au(json!({"displayName": "Over TLS"})).await;
    let v = h.get_json(&format!("{AUS}/{au}")).await;
    let context = v["@odata.context"].as_str().unwrap();
    assert!(
        context.starts_with(&format!("{}/v1.0/$metadata#", h.url)),
        "{context}"
    );
    // A token for the emulator's own https URL is accepted as well.
    let scoped = h
        .token_response(
            &h.tenant,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", entra_emulator::DEMO_CLIENT_ID),
                ("client_secret", entra_emulator::DEMO_CLIENT_SECRET),
                ("scope", &format!("{}/.default", h.url)),
            ],
        )
        .await;
    assert_eq!(scoped.status(), 200);
    let token = scoped.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = h
        .client
        .get(format!("{}{AUS}/{au}", h.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn background_emulator_exposes_a_ca_that_clients_can_trust() {
    let emu = BackgroundEmulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    assert!(emu.url().starts_with("https://127.0.0.1:"));
    let ca = emu.ca().unwrap();
    let path = ca.path().to_owned();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ca.pem());
    let env = emu.env();
    let cert_file = env.iter().find(|(k, _)| k == "SSL_CERT_FILE").unwrap();
    assert_eq!(cert_file.1, path.to_string_lossy());
    let graph = env
        .iter()
        .find(|(k, _)| k == "ENTRA_GRAPH_ENDPOINT")
        .unwrap();
    assert_eq!(graph.1, emu.url());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let health = format!("{}/_emulator/health", emu.url());
    let status = rt.block_on(async {
        trusting(ca.pem())
            .get(&health)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    // Without the CA the certificate is refused: the listener really is verified TLS.
    let other = foreign_ca();
    let refused = rt.block_on(async { trusting(&other).get(&health).send().await });
    assert!(refused.is_err());
    drop(emu);
    assert!(!path.exists(), "the generated CA file is removed on drop");
}

/// The CA of another emulator (trusting it must not be enough).
fn foreign_ca() -> String {
    let other = BackgroundEmulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    other.ca().unwrap().pem().to_owned()
}

#[test]
fn binary_tls_prints_https_urls_and_the_ca_file() {
    let mut bin = Binary::start(&["--tls"]);
    let mut lines = bin.env_lines();
    lines.push(bin.next_line());
    let url = lines[0]
        .trim_start_matches("ENTRA_EMULATOR_URL=")
        .to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(lines[4], format!("ENTRA_GRAPH_ENDPOINT={url}"));
    assert_eq!(lines[5], format!("ENTRA_LOGIN_ENDPOINT={url}"));
    let path = lines[6].strip_prefix("SSL_CERT_FILE=").unwrap().to_owned();
    let pem = std::fs::read_to_string(&path).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let client = trusting(&pem);
        client
            .get(format!("{url}/_emulator/health"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    bin.terminate();
    assert!(
        bin.wait_for_exit(Duration::from_secs(20))
            .is_some_and(|s| s.success())
    );
    assert!(!std::path::Path::new(&path).exists());
}
