//! `make bench` (second part): one unit's members as one `entra_au_members` list,
//! side by side with the same members as N `entra_au_member` resources and with N
//! `terraform_data` resources of the same `for_each` shape (Terraform's own floor for
//! N resources). Apply from empty and a no-change plan for each; for the list also a
//! change of one member and destroy. Prints wall time, Graph requests and the
//! provider's peak memory as a Markdown table.
//!
//! Sizes: `BENCH_LIST_SIZES=1000,10000` (default). `BENCH_LIST_PER_RESOURCE_MAX`
//! skips the two per-resource shapes above that size (Terraform's walk of 10,000
//! resources takes many minutes). `BENCH_LATENCY_MS` (default 40)
//! is added to every Graph request, as a network to Microsoft would. No replication
//! lag: these are the request budgets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/e2e/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::collections::BTreeMap;
use std::time::Instant;

use helpers::{Tenant, Workspace};
use serde_json::json;

const PARALLELISM: &str = "-parallelism=20";

const LIST_HCL: &str = r#"variable "members" {
  type = list(string)
}

variable "unit" {
  type = string
}

resource "entra_au_members" "all" {
  administrative_unit_id = var.unit
  member_ids             = var.members
}
"#;

const PER_MEMBER_HCL: &str = r#"variable "members" {
  type = list(string)
}

variable "unit" {
  type = string
}

resource "entra_au_member" "m" {
  for_each               = toset(var.members)
  administrative_unit_id = var.unit
  member_id              = each.value
}
"#;

const TERRAFORM_DATA_HCL: &str = r#"variable "members" {
  type = list(string)
}

variable "unit" {
  type = string
}

resource "terraform_data" "m" {
  for_each = toset(var.members)
  input    = each.value
}
"#;

/// One measured Terraform command.
struct Step {
    seconds: f64,
    requests: u64,
    peak_kib: u64,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_LIST_SIZES")
        .unwrap_or_else(|_| "1000,10000".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let latency: u64 = std::env::var("BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let per_resource_max: usize = std::env::var("BENCH_LIST_PER_RESOURCE_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    println!("# Benchmark: a unit's whole member list\n");
    println!(
        "Terraform {}; {PARALLELISM}; emulator in-process adding {latency} ms per Graph request; release build.\n",
        helpers::terraform_version()
    );
    println!(
        "| N | shape | step | wall (s) | vs `terraform_data` | Graph requests | provider peak RSS (MiB) |"
    );
    println!("|---:|---|---|---:|---:|---:|---:|");
    for n in sizes {
        let tenant = Tenant::without_lag();
        let members = tenant.create_users(n);
        tenant.settle();
        tenant.set_faults(json!({"latency_ms": latency}));
        let per_resource = n <= per_resource_max;
        let floor = per_resource.then(|| measure(&tenant, TERRAFORM_DATA_HCL, &members, false));
        let row = |shape: &str, step: &str, s: &Step, floor: Option<&Step>| {
            let ratio = floor.map_or("n/a".to_owned(), |f| {
                format!("{:.2}x", s.seconds / f.seconds)
            });
            println!(
                "| {n} | {shape} | {step} | {:.2} | {ratio} | {} | {:.1} |",
                s.seconds,
                s.requests,
                s.peak_kib as f64 / 1024.0
            );
        };
        let floor_apply = floor.as_ref().map(|f| &f.0);
        let floor_plan = floor.as_ref().map(|f| &f.1);
        if let Some((apply, plan, ..)) = &floor {
            row("N `terraform_data`", "apply", apply, floor_apply);
            row("N `terraform_data`", "no-change plan", plan, floor_plan);
        }
        let list = measure(&tenant, LIST_HCL, &members, true);
        row("1 `entra_au_members`", "apply", &list.0, floor_apply);
        row(
            "1 `entra_au_members`",
            "no-change plan",
            &list.1,
            floor_plan,
        );
        if let Some(change) = &list.2 {
            row(
                "1 `entra_au_members`",
                "change one member",
                change,
                floor_plan,
            );
        }
        if let Some(destroy) = &list.3 {
            row("1 `entra_au_members`", "destroy", destroy, floor_apply);
        }
        if per_resource {
            let per_member = measure(&tenant, PER_MEMBER_HCL, &members, false);
            row("N `entra_au_member`", "apply", &per_member.0, floor_apply);
            row(
                "N `entra_au_member`",
                "no-change plan",
                &per_member.1,
                floor_plan,
            );
        }
    }
}

type Measured = (Step, Step, Option<Step>, Option<Step>);

/// Applies `hcl` for `members` in a new unit, then plans with no change; with
/// `more`, also changes one member and destroys.
fn measure(tenant: &Tenant, hcl: &str, members: &[String], more: bool) -> Measured {
    let (status, made) = tenant.graph(
        reqwest::Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": format!("bench-list-{}", helpers::suffix())})),
    );
    assert_eq!(status, 201, "{made}");
    let au = made["id"].as_str().unwrap().to_owned();
    let ws = tenant.workspace();
    ws.write(hcl);
    write_vars(&ws, &au, members);
    let apply = run(
        tenant,
        &ws,
        &["apply", "-auto-approve", "-input=false", PARALLELISM],
    );
    let plan = run(
        tenant,
        &ws,
        &["plan", "-detailed-exitcode", "-input=false", PARALLELISM],
    );
    if !more {
        return (apply, plan, None, None);
    }
    let mut changed = members.to_vec();
    changed[0] = tenant.create_users(1).remove(0);
    tenant.settle();
    write_vars(&ws, &au, &changed);
    let change = run(
        tenant,
        &ws,
        &["apply", "-auto-approve", "-input=false", PARALLELISM],
    );
    let destroy = run(
        tenant,
        &ws,
        &["destroy", "-auto-approve", "-input=false", PARALLELISM],
    );
    (apply, plan, Some(change), Some(destroy))
}

fn write_vars(ws: &Workspace, au: &str, members: &[String]) {
    std::fs::write(
        ws.config_dir().join("terraform.tfvars.json"),
        json!({ "members": members, "unit": au }).to_string(),
    )
    .expect("tfvars");
}

/// Runs one Terraform command and measures it (token requests included).
fn run(tenant: &Tenant, ws: &Workspace, args: &[&str]) -> Step {
    let log = ws.path().join("provider.log");
    let _ = std::fs::remove_file(&log);
    let before = requests(tenant);
    let started = Instant::now();
    let out = ws.run_with_env(
        args,
        &[
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
    Step {
        seconds,
        requests: requests(tenant) - before,
        peak_kib: peak_rss(&log),
    }
}

/// HTTP requests so far (`$batch` items not counted).
fn requests(tenant: &Tenant) -> u64 {
    let stats = tenant.stats();
    let routes: BTreeMap<String, u64> = stats["routes"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    routes
        .iter()
        .filter(|(r, _)| !r.starts_with("BATCH "))
        .map(|(_, c)| c)
        .sum()
}

fn peak_rss(log: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split("peak_rss_kib=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}
