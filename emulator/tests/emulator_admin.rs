//! `/_emulator/*`, the in-process router, the background runner and the binary.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use entra_emulator::{AppState, BackgroundEmulator, DEMO_TENANT_ID, Options};
use serde_json::{Value, json};
use tower::ServiceExt;

#[tokio::test]
async fn stats_count_graph_and_token_requests_by_template() {
    let h = start().await;
    let id = h.create_au(json!({"displayName": "S"})).await;
    for _ in 0..3 {
        h.get(&format!("{AUS}/{id}")).await;
    }
    let s: Value = h
        .client
        .get(format!("{}/_emulator/stats", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["routes"]["POST /v1.0/directory/administrativeUnits"], 1);
    assert_eq!(
        s["routes"]["GET /v1.0/directory/administrativeUnits/{id}"],
        3
    );
    assert_eq!(s["routes"]["POST /{tenant}/oauth2/v2.0/token"], 1);
    assert_eq!(s["total"], 5);
}

#[tokio::test]
async fn reset_restores_seed_and_zeroes_counters() {
    let h = start().await;
    let id = h
        .create_au(json!({"displayName": "gone after reset"}))
        .await;
    let r = h
        .client
        .post(format!("{}/_emulator/reset", h.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let s: Value = h
        .client
        .get(format!("{}/_emulator/stats", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["total"], 0);
    let r = h.get(&format!("{AUS}/{id}")).await;
    assert_eq!(r.status(), 404);
    let r = h
        .get(&format!("{AUS}/c0ffee00-0000-4000-8004-000000000001"))
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn app_router_works_with_oneshot() {
    let state = AppState::demo().unwrap();
    let app = entra_emulator::app(state);
    let req = axum::http::Request::builder()
        .uri("/_emulator/stats")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let req = axum::http::Request::builder()
        .uri(AUS)
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("request-id"));
}

#[test]
fn background_emulator_serves_and_stops_on_drop() {
    let emu = BackgroundEmulator::start(Options::default()).unwrap();
    let env = emu.env();
    assert_eq!(env[0].0, "ENTRA_EMULATOR_URL");
    assert_eq!(env[0].1, emu.url());
    let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ENTRA_EMULATOR_URL",
            "ARM_TENANT_ID",
            "ARM_CLIENT_ID",
            "ARM_CLIENT_SECRET",
            "ENTRA_GRAPH_ENDPOINT",
            "ENTRA_LOGIN_ENDPOINT"
        ]
    );
    assert_eq!(env[1].1, DEMO_TENANT_ID);
    let addr = emu.url().trim_start_matches("http://").to_owned();
    assert!(std::net::TcpStream::connect(&addr).is_ok());
    drop(emu);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

#[test]
fn binary_prints_env_then_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entra-emulator"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("ENTRA_EMULATOR_URL=http://127.0.0.1:")
        .map(|p| p.to_owned());
    assert!(url.is_some(), "{first}");
    let rest: Vec<String> = (0..5).map(|_| lines.next().unwrap().unwrap()).collect();
    assert!(rest[0].starts_with("ARM_TENANT_ID="));
    assert!(rest[1].starts_with("ARM_CLIENT_ID="));
    assert!(rest[2].starts_with("ARM_CLIENT_SECRET="));
    assert_eq!(
        rest[3],
        format!(
            "ENTRA_GRAPH_ENDPOINT={}",
            first.trim_start_matches("ENTRA_EMULATOR_URL=")
        )
    );
    assert_eq!(
        rest[4],
        format!(
            "ENTRA_LOGIN_ENDPOINT={}",
            first.trim_start_matches("ENTRA_EMULATOR_URL=")
        )
    );
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn binary_help_documents_demo_tenant() {
    let out = Command::new(env!("CARGO_BIN_EXE_entra-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(DEMO_TENANT_ID));
    assert!(text.contains(entra_emulator::DEMO_CLIENT_ID));
    assert!(text.contains("--seed"));
}

#[test]
fn binary_refuses_a_corrupt_state_file() {
    let dir = std::env::temp_dir().join(format!("entra-emulator-bin-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    std::fs::write(&file, "{corrupt").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_entra-emulator"))
        .arg("--state")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not a valid emulator state"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{corrupt");
}
