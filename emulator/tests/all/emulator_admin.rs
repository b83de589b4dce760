//! `/_emulator/*`, the in-process router, the background runner and the binary.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use entra_emulator::{AppState, BackgroundEmulator, DEMO_TENANT_ID, Options};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

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
    // Drop joins the server thread, so the port is closed once it returns.
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

/// A started `entra-emulator` process, killed on drop if a test fails midway.
pub(crate) struct Binary {
    child: Child,
    lines: std::io::Lines<BufReader<ChildStdout>>,
}

impl Binary {
    pub(crate) fn start(args: &[&str]) -> Binary {
        let mut child = Command::new(env!("CARGO_BIN_EXE_entra-emulator"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        Binary {
            child,
            lines: BufReader::new(stdout).lines(),
        }
    }

    /// The six `KEY=VALUE` lines (blocks until printed).
    pub(crate) fn env_lines(&mut self) -> Vec<String> {
        (0..6)
            .map(|_| self.lines.next().unwrap().unwrap())
            .collect()
    }

    /// The next stdout line (blocks until printed).
    pub(crate) fn next_line(&mut self) -> String {
        self.lines.next().unwrap().unwrap()
    }

    /// Polls for the exit status for up to `limit`.
    pub(crate) fn wait_for_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    pub(crate) fn terminate(&self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn binary_prints_env_then_stops_on_sigterm() {
    let mut bin = Binary::start(&[]);
    let lines = bin.env_lines();
    let first = &lines[0];
    assert!(
        first.starts_with("ENTRA_EMULATOR_URL=http://127.0.0.1:"),
        "{first}"
    );
    let url = first.trim_start_matches("ENTRA_EMULATOR_URL=");
    assert!(lines[1].starts_with("ARM_TENANT_ID="));
    assert!(lines[2].starts_with("ARM_CLIENT_ID="));
    assert!(lines[3].starts_with("ARM_CLIENT_SECRET="));
    assert_eq!(lines[4], format!("ENTRA_GRAPH_ENDPOINT={url}"));
    assert_eq!(lines[5], format!("ENTRA_LOGIN_ENDPOINT={url}"));
    // The handlers are installed before the first line is printed, so a SIGTERM sent
    // at once must end in a clean exit.
    bin.terminate();
    let status = bin.wait_for_exit(Duration::from_secs(20));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

#[test]
fn binary_stops_cleanly_on_sigterm_right_after_start_repeatedly() {
    for _ in 0..5 {
        let mut bin = Binary::start(&[]);
        let first = bin.lines.next().unwrap().unwrap();
        assert!(first.starts_with("ENTRA_EMULATOR_URL="), "{first}");
        bin.terminate();
        let status = bin.wait_for_exit(Duration::from_secs(20));
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
    }
}

fn binary_faults(args: &[&str]) -> Value {
    let mut bin = Binary::start(args);
    let url = bin.env_lines()[0]
        .trim_start_matches("ENTRA_EMULATOR_URL=")
        .to_owned();
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /_emulator/faults HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    bin.terminate();
    assert!(bin.wait_for_exit(Duration::from_secs(20)).is_some());
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    serde_json::from_str(body).unwrap()
}

#[test]
fn binary_defaults_to_a_realistic_lag() {
    let f = binary_faults(&[]);
    assert_eq!(f["replication_lag_min_ms"], 500);
    assert_eq!(f["replication_lag_ms"], 3000);
    assert_eq!(f["replicas"], 3);
    assert_eq!(f["dynamic_processing_delay_ms"], 2000);
    let fixed = binary_faults(&["--replication-lag-ms", "8000"]);
    assert_eq!(fixed["replication_lag_ms"], 8000);
    assert_eq!(fixed["replication_lag_min_ms"], Value::Null);
    let off = binary_faults(&["--replication-lag-ms", "0", "--commit-error-next", "2"]);
    assert_eq!(off["replication_lag_ms"], 0);
    assert_eq!(off["commit_error_next"], 2);
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
    for documented in [
        "--replication-lag-ms",
        "--replication-lag-min-ms",
        "--replicas",
        "--dynamic-processing-delay-ms",
        "--commit-error-rate",
        "--commit-drop-next",
        "--refuse-scope-only-role-filter",
        "x-emulator-consistency: strong",
        "/_emulator/settle",
        "--tls",
        "--tls-ca-file",
        "SSL_CERT_FILE",
        "X-Forwarded-Host",
    ] {
        assert!(text.contains(documented), "{documented}");
    }
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
