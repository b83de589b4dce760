//! `make bench`: thousands of `entra_au_member` resources in one administrative unit,
//! applied, refreshed (no-change plan) and destroyed by the real Terraform CLI against
//! the emulator, with coalescing on and off, and with 10% throttling. Prints wall
//! time, Graph requests by route and the provider's peak memory as Markdown tables.
//!
//! Sizes: `BENCH_SIZES=100,1000,5000` (default). The emulator adds
//! `BENCH_LATENCY_MS` (default 40) to every Graph request, as a network to Microsoft
//! would; the in-process emulator otherwise answers in microseconds. Also compares
//! the plugin transport with Terraform's built-in `terraform_data` on a no-change
//! plan of 1,000 resources (no added latency: transport cost only). Request budgets
//! are measured without replication lag; one mode repeats the run under the test
//! suite's lag (1-3 s per change and replica) to show what lag costs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/e2e/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::collections::BTreeMap;
use std::time::Instant;

use helpers::{Tenant, Workspace};
use serde_json::json;

const PARALLELISM: &str = "-parallelism=20";

struct Step {
    seconds: f64,
    requests: u64,
    by_route: BTreeMap<String, u64>,
    peak_kib: u64,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "100,1000,5000".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!("# Benchmark: entra_au_member at scale\n");
    let latency: u64 = std::env::var("BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    println!(
        "Terraform {}; -parallelism=20; emulator in-process adding {latency} ms per Graph request; release build.\n",
        helpers::terraform_version()
    );
    println!(
        "| N | mode | step | wall (s) | Graph requests | provider peak RSS (MiB) | requests by route |"
    );
    println!("|---:|---|---|---:|---:|---:|---|");
    for &n in &sizes {
        for (mode, throttle, lagging) in [
            ("coalesced", 0.0, false),
            ("uncoalesced", 0.0, false),
            ("coalesced, 10% throttled", 0.1, false),
            ("coalesced, replication lag 1-3 s", 0.0, true),
        ] {
            let tenant = Tenant::without_lag();
            let members = tenant.create_users(n);
            set_faults(&tenant, throttle, latency, lagging);
            let ws = tenant.workspace();
            ws.write(MEMBERS_HCL);
            let vars = json!({ "members": members });
            std::fs::write(
                ws.config_dir().join("terraform.tfvars.json"),
                vars.to_string(),
            )
            .expect("tfvars");
            let coalesce = if mode == "uncoalesced" { "off" } else { "on" };
            for (step, args) in [
                (
                    "apply",
                    vec!["apply", "-auto-approve", "-input=false", PARALLELISM],
                ),
                (
                    "no-change plan",
                    vec!["plan", "-detailed-exitcode", "-input=false", PARALLELISM],
                ),
                (
                    "destroy",
                    vec!["destroy", "-auto-approve", "-input=false", PARALLELISM],
                ),
            ] {
                let result = run(&tenant, &ws, &args, coalesce);
                println!(
                    "| {n} | {mode} | {step} | {:.2} | {} | {:.1} | {} |",
                    result.seconds,
                    result.requests,
                    result.peak_kib as f64 / 1024.0,
                    routes(&result.by_route)
                );
            }
        }
    }
    transport_comparison();
}

const MEMBERS_HCL: &str = r#"variable "members" {
  type = list(string)
}

resource "entra_administrative_unit" "bench" {
  display_name = "Benchmark"
}

resource "entra_au_member" "m" {
  count                  = length(var.members)
  administrative_unit_id = entra_administrative_unit.bench.id
  member_id              = var.members[count.index]
}
"#;

/// Runs one Terraform command and measures it.
fn run(tenant: &Tenant, ws: &Workspace, args: &[&str], coalesce: &str) -> Step {
    let log = ws.path().join("provider.log");
    let _ = std::fs::remove_file(&log);
    let before = stats(tenant);
    let started = Instant::now();
    let out = ws.run_with_env(
        args,
        &[
            ("ENTRA_COALESCE", coalesce),
            ("TF_LOG_PROVIDER", "INFO"),
            ("TF_LOG_PATH", log.to_str().expect("utf-8 path")),
        ],
    );
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        out.status == 0,
        "terraform {args:?} failed:\n{}",
        out.output()
    );
    let after = stats(tenant);
    let mut by_route = BTreeMap::new();
    for (route, count) in &after {
        let delta = count - before.get(route).copied().unwrap_or(0);
        if delta > 0 {
            by_route.insert(route.clone(), delta);
        }
    }
    let requests = by_route
        .iter()
        .filter(|(r, _)| !r.starts_with("BATCH "))
        .map(|(_, c)| c)
        .sum();
    Step {
        seconds,
        requests,
        by_route,
        peak_kib: peak_rss(&log),
    }
}

/// Counters by route; `$batch` items, when the emulator reports them, are prefixed `BATCH `.
fn stats(tenant: &Tenant) -> BTreeMap<String, u64> {
    let s = tenant.stats();
    s["routes"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

fn routes(by_route: &BTreeMap<String, u64>) -> String {
    by_route
        .iter()
        .filter(|(r, _)| !r.starts_with("BATCH "))
        .map(|(r, c)| format!("{} {c}", r.replace("/v1.0", "")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The highest peak memory any provider process of the command reported.
fn peak_rss(log: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split("peak_rss_kib=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

/// Throttling and latency, and (when `lagging`) the test suite's replication lag.
fn set_faults(tenant: &Tenant, throttle_rate: f64, latency_ms: u64, lagging: bool) {
    let mut body = json!({"throttle_rate": throttle_rate, "retry_after": "0.2", "latency_ms": latency_ms, "fault_seed": 7});
    if lagging {
        let lag = serde_json::to_value(helpers::realistic_lag()).expect("lag json");
        for key in [
            "replication_lag_ms",
            "replication_lag_min_ms",
            "replicas",
            "dynamic_processing_delay_ms",
        ] {
            body[key] = lag[key].clone();
        }
    }
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/_emulator/faults", tenant.emulator.url()))
        .json(&body)
        .send()
        .expect("faults");
    assert!(
        resp.status().is_success(),
        "setting faults: {}",
        resp.status()
    );
}

/// No-change plans of 1,000 resources: `terraform_data` (in Terraform itself) against
/// `entra_au_member` (our plugin, Graph included).
fn transport_comparison() {
    let tenant = Tenant::without_lag();
    let members = tenant.create_users(1000);
    let ws = tenant.workspace();
    ws.write(MEMBERS_HCL);
    std::fs::write(
        ws.config_dir().join("terraform.tfvars.json"),
        json!({ "members": members }).to_string(),
    )
    .expect("tfvars");
    run(
        &tenant,
        &ws,
        &["apply", "-auto-approve", "-input=false", PARALLELISM],
        "on",
    );
    let ours = best_of(3, || {
        run(
            &tenant,
            &ws,
            &["plan", "-detailed-exitcode", "-input=false"],
            "on",
        )
        .seconds
    });

    let builtin = tenant.workspace();
    builtin
        .write("resource \"terraform_data\" \"d\" {\n  count = 1000\n  input = count.index\n}\n");
    builtin.ok(&["apply", "-auto-approve", "-input=false"]);
    let theirs = best_of(3, || {
        let started = Instant::now();
        builtin.ok(&["plan", "-detailed-exitcode", "-input=false"]);
        started.elapsed().as_secs_f64()
    });
    println!("\n## Transport: no-change plan of 1,000 resources (best of 3)\n");
    println!("| resources | wall (s) | ratio |");
    println!("|---|---:|---:|");
    println!("| 1,000 `terraform_data` (built into Terraform) | {theirs:.2} | 1.00 |");
    println!(
        "| 1,000 `entra_au_member` (this provider, Graph refresh included) | {ours:.2} | {:.2} |",
        ours / theirs
    );
}

fn best_of(n: usize, mut f: impl FnMut() -> f64) -> f64 {
    (0..n).map(|_| f()).fold(f64::INFINITY, f64::min)
}
