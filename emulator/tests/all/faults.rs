//! Fault injection: throttling, errors, latency, drops, replication lag, budgets.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use entra_emulator::{FaultConfig, Options};
use serde_json::{Value, json};

use crate::common::*;

async fn set_faults(h: &Harness, body: Value) -> Value {
    let r = h
        .client
        .post(format!("{}/_emulator/faults", h.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn throttle_next_n_with_integer_and_fractional_retry_after() {
    let h = start().await;
    let cfg = set_faults(&h, json!({"throttle_next": 2, "retry_after": "3"})).await;
    assert_eq!(cfg["throttle_next"], 2);
    let r = h.get(AUS).await;
    assert_eq!(r.headers()["retry-after"], "3");
    let msg = assert_graph_error(r, 429, "TooManyRequests").await;
    assert_eq!(msg, "Please retry again later.");
    let r = h.get(AUS).await;
    assert_eq!(r.status(), 429);
    assert_eq!(h.get(AUS).await.status(), 200);

    set_faults(&h, json!({"throttle_next": 1, "retry_after": "2.128"})).await;
    let r = h.get(AUS).await;
    assert_eq!(r.headers()["retry-after"], "2.128");
    set_faults(&h, json!({"throttle_next": 1, "retry_after": "none"})).await;
    let r = h.get(AUS).await;
    assert_eq!(r.status(), 429);
    assert!(!r.headers().contains_key("retry-after"));
    // Token requests are not Graph requests.
    set_faults(&h, json!({"throttle_next": 1})).await;
    h.token_for(
        entra_emulator::DEMO_CLIENT_ID,
        entra_emulator::DEMO_CLIENT_SECRET,
    )
    .await;
    let current: Value = h
        .client
        .get(format!("{}/_emulator/faults", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["throttle_next"], 1);
}

#[tokio::test]
async fn error_next_and_status() {
    let h = start().await;
    set_faults(&h, json!({"error_next": 1, "error_status": 500})).await;
    assert_eq!(h.get(AUS).await.status(), 500);
    set_faults(&h, json!({"error_next": 1})).await;
    let r = h.get(AUS).await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let r = h
        .client
        .post(format!("{}/_emulator/faults", h.url))
        .json(&json!({"throttle_rate": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = h
        .client
        .post(format!("{}/_emulator/faults", h.url))
        .json(&json!({"unknown": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

async fn statuses(options: Options, n: usize) -> Vec<u16> {
    let h = start_with(options).await;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(h.get(AUS).await.status().as_u16());
    }
    out
}

#[tokio::test]
async fn rates_are_deterministic_per_seed() {
    let faults = FaultConfig {
        throttle_rate: 0.3,
        error_rate: 0.2,
        fault_seed: 42,
        ..FaultConfig::default()
    };
    let a = statuses(
        Options {
            faults: faults.clone(),
            ..Options::default()
        },
        40,
    )
    .await;
    let b = statuses(
        Options {
            faults,
            ..Options::default()
        },
        40,
    )
    .await;
    assert_eq!(a, b);
    assert!(
        a.contains(&429) && a.contains(&503) && a.contains(&200),
        "{a:?}"
    );
}

#[tokio::test]
async fn latency_is_added() {
    let h = start_with(Options {
        faults: FaultConfig {
            latency_ms: 150,
            ..FaultConfig::default()
        },
        ..Options::default()
    })
    .await;
    let t = Instant::now();
    h.get(AUS).await;
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn dropped_connections_fail_the_client() {
    let h = start().await;
    set_faults(&h, json!({"drop_next": 1})).await;
    let result = async {
        let r = h.req(reqwest::Method::GET, AUS).send().await?;
        r.bytes().await
    }
    .await;
    assert!(
        result.is_err(),
        "expected a transport error, got {result:?}"
    );
    assert_eq!(h.get(AUS).await.status(), 200);
}

#[tokio::test]
async fn replication_lag_hides_new_objects() {
    let h = start_with(Options {
        faults: FaultConfig {
            replication_lag_ms: 300,
            ..FaultConfig::default()
        },
        ..Options::default()
    })
    .await;
    let au = h.create_au(json!({"displayName": "Young"})).await;
    assert_eq!(h.get(&format!("{AUS}/{au}")).await.status(), 404);
    let u = entra_emulator::store::demo::user_id(1);
    let path = format!("{AUS}/{au}/members/$ref");
    let add = || h.post(&path, user_ref(&u));
    // Deliberate change: a write addressing the young AU in its path answers 404 like a
    // read (a replica does not have it yet); 400 "Not a valid reference update." is for
    // young objects that are referenced (tests/consistency.rs).
    assert_graph_error(add().await, 404, "Request_ResourceNotFound").await;
    let found = poll_until(Duration::from_secs(3), || async {
        h.get(&format!("{AUS}/{au}")).await.status() == 200
    })
    .await;
    assert!(found, "the AU replicated within the lag");
    assert_eq!(add().await.status(), 204);
}

#[tokio::test]
async fn per_app_budget_throttles_like_graph() {
    let h = start_with(Options {
        faults: FaultConfig {
            budget_requests: 3,
            budget_window_ms: 60_000,
            ..FaultConfig::default()
        },
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(h.get(AUS).await.status(), 200);
    }
    let r = h.get(AUS).await;
    assert_eq!(r.status(), 429);
    let ra: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&ra));
    assert!(
        r.headers()["x-ms-throttle-scope"]
            .to_str()
            .unwrap()
            .starts_with("Tenant_Application/")
    );
    // Another app has its own budget.
    let other = h.least_token().await;
    let r = h
        .client
        .get(format!("{}{AUS}", h.url))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn batch_items_are_throttled_individually() {
    let h = start().await;
    set_faults(&h, json!({"throttle_next": 1})).await;
    let body = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/directory/administrativeUnits"},
        {"id": "2", "method": "GET", "url": "/directory/administrativeUnits"}]});
    let r = h.post("/v1.0/$batch", body).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let codes: Vec<u64> = v["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [429, 200]);
    assert_eq!(v["responses"][0]["headers"]["Retry-After"], "1");
}
