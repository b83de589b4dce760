//! Load benchmark (prints figures, asserts nothing):
//! generates a 50,000-user seed file, starts the emulator from it, then pages through
//! an administrative unit with 1,000 members and through all users.
//!
//! Run: `cargo run --release -p entra-emulator --example bench_load`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Instant;

use entra_emulator::store::seed::{Seed, SeedApp, SeedTenant};
use entra_emulator::{Emulator, Options};
use serde_json::{Map, Value, json};

const USERS: usize = 50_000;
const AU_MEMBERS: usize = 1_000;
const TENANT: &str = "be7c0000-0000-4000-8000-000000000000";
const CLIENT: &str = "be7c0000-0000-4000-8000-00000000a001";
const SECRET: &str = "bench~secret";

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn seed() -> Seed {
    let departments = ["Sales", "Marketing", "Engineering", "Finance", "Support"];
    let users = (0..USERS)
        .map(|i| {
            obj(json!({
                "id": format!("be7c0000-0000-4000-8001-{i:012}"),
                "accountEnabled": true,
                "displayName": format!("Bench User {i}"),
                "mailNickname": format!("bench{i}"),
                "userPrincipalName": format!("bench{i}@bench.onmicrosoft.com"),
                "department": departments[i % departments.len()],
                "country": if i % 2 == 0 { "United States" } else { "Germany" },
                "jobTitle": "Tester",
            }))
        })
        .collect();
    let members: Vec<String> = (0..AU_MEMBERS)
        .map(|i| format!("be7c0000-0000-4000-8001-{:012}", i * 7))
        .collect();
    Seed {
        tenant: SeedTenant {
            id: TENANT.into(),
            display_name: Some("Bench".into()),
            domains: vec!["bench.onmicrosoft.com".into()],
        },
        apps: vec![SeedApp {
            app_id: CLIENT.into(),
            display_name: "bench".into(),
            object_id: None,
            service_principal_id: None,
            secrets: vec![SECRET.into()],
            certificates: Vec::new(),
            federated_credentials: Vec::new(),
            permissions: vec![
                "AdministrativeUnit.ReadWrite.All".into(),
                "Directory.Read.All".into(),
            ],
        }],
        managed_identities: Vec::new(),
        users,
        groups: Vec::new(),
        devices: Vec::new(),
        administrative_units: vec![obj(json!({
            "id": "be7c0000-0000-4000-8004-000000000001",
            "displayName": "Big AU",
            "members": members,
        }))],
        custom_roles: Vec::new(),
        activated_roles: Vec::new(),
        role_assignments: Vec::new(),
    }
}

async fn page_all(client: &reqwest::Client, token: &str, first: String) -> (usize, usize) {
    let mut url = first;
    let (mut items, mut pages) = (0, 0);
    loop {
        let v: Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        items += v["value"].as_array().map_or(0, Vec::len);
        match v["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_owned(),
            None => return (items, pages),
        }
    }
}

#[tokio::main]
async fn main() {
    println!("rss at start: {:.1} MiB", rss_mib());
    let t = Instant::now();
    let seed = seed();
    let path =
        std::env::temp_dir().join(format!("entra-emulator-bench-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(&seed).unwrap()).unwrap();
    drop(seed);
    let size = std::fs::metadata(&path)
        .map(|m| m.len())
        .unwrap_or_default();
    println!(
        "generated seed: {USERS} users, {:.1} MiB, {:.0} ms",
        size as f64 / 1_048_576.0,
        t.elapsed().as_secs_f64() * 1000.0
    );

    let t = Instant::now();
    let emu = Emulator::start(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Options {
            seed: Some(path.clone()),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    println!(
        "loaded seed and started: {:.0} ms, rss {:.1} MiB",
        t.elapsed().as_secs_f64() * 1000.0,
        rss_mib()
    );

    let client = reqwest::Client::new();
    let body = format!(
        "grant_type=client_credentials&client_id={CLIENT}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
        SECRET.replace('~', "%7E")
    );
    let tok: Value = client
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", emu.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tok["access_token"].as_str().unwrap().to_owned();

    let au = "be7c0000-0000-4000-8004-000000000001";
    for top in [100, 999] {
        let t = Instant::now();
        let (items, pages) = page_all(
            &client,
            &token,
            format!(
                "{}/v1.0/directory/administrativeUnits/{au}/members?$top={top}",
                emu.url()
            ),
        )
        .await;
        println!(
            "paged AU members ($top={top}): {items} items in {pages} pages, {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    let t = Instant::now();
    let (items, pages) = page_all(
        &client,
        &token,
        format!("{}/v1.0/users?$top=999", emu.url()),
    )
    .await;
    println!(
        "paged all users ($top=999): {items} items in {pages} pages, {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = 200;
    for i in 0..n {
        let r = client
            .get(format!(
                "{}/v1.0/users/be7c0000-0000-4000-8001-{:012}",
                emu.url(),
                i * 31
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    println!(
        "{n} GET /users/{{id}}: {:.2} ms each",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    );
    println!("rss at end: {:.1} MiB", rss_mib());
    emu.shutdown().await;
    let _ = std::fs::remove_file(path);
}
