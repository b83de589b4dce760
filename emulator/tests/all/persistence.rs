//! Seed files, `--state` persistence, and concurrent writers.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use entra_emulator::{AppState, Options, Seed};
use serde_json::{Value, json};

use crate::common::*;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("entra-emulator-{name}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn state_survives_restart() {
    let dir = temp_dir("state");
    let file = dir.join("tenant.json");
    let opts = || Options {
        state_file: Some(file.clone()),
        ..Options::default()
    };
    let h = start_with(opts()).await;
    let au = h.create_au(json!({"displayName": "Persisted"})).await;
    h.emu.shutdown().await;
    assert!(file.exists());
    let h2 = start_with(opts()).await;
    let v = h2.get_json(&format!("{AUS}/{au}")).await;
    assert_eq!(v["displayName"], "Persisted");
    // No temp files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "tenant.json")
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn corrupt_state_stops_startup_and_is_not_overwritten() {
    let dir = temp_dir("corrupt");
    let file = dir.join("tenant.json");
    std::fs::write(&file, "{ this is not json").unwrap();
    let err = AppState::new(&Options {
        state_file: Some(file.clone()),
        ..Options::default()
    })
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("not a valid emulator state"),
        "{err:#}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{ this is not json"
    );
}

#[tokio::test]
async fn example_seed_file_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/seed.json");
    let seed = Seed::from_file(&path).unwrap();
    let tenant_id = seed.tenant.id.clone();
    let h = start_with(Options {
        seed: Some(path),
        ..Options::default()
    })
    .await;
    let env = h.emu.env();
    assert_eq!(env[1].1, tenant_id);
    let client_id = env[2].1.clone();
    let secret = env[3].1.clone();
    let tok = h.token_for(&client_id, &secret).await;
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(!v["value"].as_array().unwrap().is_empty());
}

#[test]
fn bad_seed_is_rejected_with_a_clear_message() {
    let dir = temp_dir("seed");
    let file = dir.join("seed.json");
    std::fs::write(&file, r#"{"tenant":{"id":"c0ffee00-0000-4000-8000-000000000000","domains":["x.onmicrosoft.com"]},"users":[{"displayName":"a","shoeSize":44}]}"#).unwrap();
    let err = AppState::new(&Options {
        seed: Some(file),
        ..Options::default()
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("shoeSize"), "{err:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writers_lose_no_updates() {
    let h = start().await;
    let au = h.create_au(json!({"displayName": "Busy"})).await;
    let mut tasks = Vec::new();
    for i in 1..=24 {
        let client = h.client.clone();
        let url = format!("{}{AUS}/{au}/members/$ref", h.url);
        let token = h.token.clone();
        let user = entra_emulator::store::demo::user_id(i);
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(
                    &json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{user}")}),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut created = Vec::new();
    for i in 0..16 {
        let client = h.client.clone();
        let url = format!("{}{AUS}", h.url);
        let token = h.token.clone();
        created.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"displayName": format!("P{i}")}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 204);
    }
    for t in created {
        assert_eq!(t.await.unwrap(), 201);
    }
    let v = h.get_json(&format!("{AUS}/{au}/members?$top=999")).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 24);
    let all = h.get_json(&format!("{AUS}?$top=999")).await;
    assert_eq!(all["value"].as_array().unwrap().len(), 2 + 1 + 16);
}
