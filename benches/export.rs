//! `make bench` (third part): `terraform-provider-entra export` of a large tenant.
//! Seeds `BENCH_EXPORT_UNITS` units (default 1,000) with `BENCH_EXPORT_MEMBERS`
//! members each (default 20: 20,000 memberships) and one scoped role assignment per
//! ten units, then times the export and counts its Graph requests, with
//! `BENCH_LATENCY_MS` (default 40) added to every request. Then plans the exported
//! configuration with the real Terraform CLI (imports only).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/e2e/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::process::Command;
use std::time::Instant;

use helpers::Tenant;
use serde_json::{Value as Json, json};

const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let units = env_number("BENCH_EXPORT_UNITS", 1000);
    let per_unit = env_number("BENCH_EXPORT_MEMBERS", 20);
    let latency = env_number("BENCH_LATENCY_MS", 40);
    let tenant = Tenant::without_lag();
    let seeded = Instant::now();
    // Entra allows an object in at most 30 units: spread memberships over enough users.
    let users = tenant.create_users((units * per_unit).div_ceil(25).max(per_unit * 4).max(20));
    let ids = seed(&tenant, units, per_unit, &users);
    tenant.settle();
    eprintln!(
        "seeded {} units and {} memberships in {:.0} s",
        ids.len(),
        ids.len() * per_unit,
        seeded.elapsed().as_secs_f64()
    );
    tenant.set_faults(json!({"latency_ms": latency}));

    let ws = tenant.workspace();
    let before = requests(&tenant);
    let started = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-entra"));
    cmd.arg("export")
        .args(["--out", ws.config_dir().to_str().unwrap()])
        .env_clear();
    for (k, v) in tenant.env() {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let export_seconds = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export_requests = requests(&tenant) - before;

    let started = Instant::now();
    let plan = ws.ok(&["plan", "-input=false", "-no-color", "-parallelism=20"]);
    let plan_seconds = started.elapsed().as_secs_f64();
    let summary = plan
        .stdout
        .lines()
        .find(|l| l.starts_with("Plan:"))
        .unwrap_or_default()
        .to_owned();

    println!("# Benchmark: export of a large tenant\n");
    println!(
        "{units} units, {} memberships, {} role assignments; emulator adding {latency} ms per Graph request; release build.\n",
        units * per_unit,
        units.div_ceil(10)
    );
    println!("| step | wall (s) | Graph requests (tokens included) | result |");
    println!("|---|---:|---:|---|");
    println!(
        "| `terraform-provider-entra export` | {export_seconds:.1} | {export_requests} | {} |",
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .find(|l| l.contains("wrote"))
            .unwrap_or_default()
            .trim_start_matches("export: ")
    );
    println!("| `terraform plan` of the export | {plan_seconds:.1} | | {summary} |");
}

/// Creates `units` units of `per_unit` members each (drawn from `users`), and a
/// Helpdesk Administrator at every tenth, through `$batch` requests.
fn seed(tenant: &Tenant, units: usize, per_unit: usize, users: &[String]) -> Vec<String> {
    let created = batch(
        tenant,
        (0..units)
            .map(|i| {
                json!({"method": "POST", "url": "/directory/administrativeUnits",
                       "body": {"displayName": format!("Region {i:04}")}})
            })
            .collect(),
    );
    let ids: Vec<String> = created
        .iter()
        .map(|r| r["body"]["id"].as_str().unwrap().to_owned())
        .collect();
    let base = tenant.emulator.url();
    let mut writes = Vec::new();
    for (i, au) in ids.iter().enumerate() {
        for k in 0..per_unit {
            let member = &users[(i * per_unit + k) % users.len()];
            writes.push(json!({"method": "POST", "url": format!("/directory/administrativeUnits/{au}/members/$ref"),
                               "body": {"@odata.id": format!("{base}/v1.0/directoryObjects/{member}")}}));
        }
        if i % 10 == 0 {
            writes.push(json!({"method": "POST", "url": "/roleManagement/directory/roleAssignments",
                               "body": {"roleDefinitionId": HELPDESK_ADMINISTRATOR, "principalId": users[i % users.len()],
                                        "directoryScopeId": format!("/administrativeUnits/{au}")}}));
        }
    }
    batch(tenant, writes);
    ids
}

/// Sends `items` as `$batch` requests of 20 and returns their answers in order.
fn batch(tenant: &Tenant, items: Vec<Json>) -> Vec<Json> {
    let token = tenant.token();
    let http = reqwest::blocking::Client::new();
    let mut answers = Vec::new();
    for chunk in items.chunks(20) {
        let requests: Vec<Json> = chunk
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut item = item.clone();
                item["id"] = json!((i + 1).to_string());
                item["headers"] = json!({"Content-Type": "application/json"});
                item
            })
            .collect();
        let resp: Json = http
            .post(format!("{}/v1.0/$batch", tenant.emulator.url()))
            .bearer_auth(&token)
            .json(&json!({ "requests": requests }))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let mut responses = resp["responses"].as_array().unwrap().clone();
        responses.sort_by_key(|r| r["id"].as_str().unwrap().parse::<usize>().unwrap());
        for r in &responses {
            assert!(
                r["status"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s)),
                "{r}"
            );
        }
        answers.extend(responses);
    }
    answers
}

/// HTTP requests so far (`$batch` items not counted, tokens counted).
fn requests(tenant: &Tenant) -> u64 {
    tenant.stats()["routes"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(r, _)| !r.starts_with("BATCH "))
        .map(|(_, n)| n.as_u64().unwrap_or(0))
        .sum()
}
