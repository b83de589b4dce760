//! Request counts for 1,000 memberships in one administrative unit: refresh shares
//! one listing, apply sends `$batch` requests. Counts are asserted (they do not
//! depend on the machine's speed); timings belong to `make bench`. Throttling and
//! ambiguous failures are proven at 200 memberships: the same batches, cheaper.

use std::collections::BTreeMap;

use serde_json::json;

use crate::helpers::{Tenant, Workspace};

const N: usize = 1000;

/// Enough memberships for ten full batches of every kind.
const UNDER_FAULTS: usize = 200;

const HCL: &str = r#"variable "members" {
  type = list(string)
}

resource "entra_administrative_unit" "perf" {
  display_name = "Performance"
}

resource "entra_au_member" "m" {
  count                  = length(var.members)
  administrative_unit_id = entra_administrative_unit.perf.id
  member_id              = var.members[count.index]
}
"#;

/// HTTP requests by route (`$batch` items are reported apart, prefixed `BATCH `).
fn http_requests(tenant: &Tenant) -> BTreeMap<String, u64> {
    tenant.stats()["routes"]
        .as_object()
        .expect("routes")
        .iter()
        .filter(|(route, _)| !route.starts_with("BATCH "))
        .map(|(route, n)| (route.clone(), n.as_u64().unwrap_or(0)))
        .collect()
}

fn delta(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v > 0)
        .collect()
}

fn graph_total(requests: &BTreeMap<String, u64>) -> u64 {
    requests
        .iter()
        .filter(|(route, _)| !route.contains("/oauth2/"))
        .map(|(_, n)| n)
        .sum()
}

fn setup(tenant: &Tenant, n: usize) -> (Workspace, Vec<String>) {
    let members = tenant.create_users(n);
    let ws = tenant.workspace();
    ws.write(HCL);
    std::fs::write(
        ws.config_dir().join("terraform.tfvars.json"),
        json!({ "members": members }).to_string(),
    )
    .unwrap();
    (ws, members)
}

fn assert_tenant_matches_state(tenant: &Tenant, ws: &Workspace, members: &[String]) {
    let au = ws.state_values("entra_administrative_unit.perf")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, listed) = tenant.get(&format!(
        "/directory/administrativeUnits/{au}/members?$select=id&$top=999"
    ));
    assert_eq!(status, 200);
    let mut in_tenant: Vec<String> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let mut next = listed["@odata.nextLink"].as_str().map(ToOwned::to_owned);
    while let Some(link) = next {
        let path = link.split("/v1.0").nth(1).unwrap().to_owned();
        let (_, page) = tenant.get(&path);
        in_tenant.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned()),
        );
        next = page["@odata.nextLink"].as_str().map(ToOwned::to_owned);
    }
    in_tenant.sort();
    let mut expected = members.to_vec();
    expected.sort();
    assert_eq!(
        in_tenant, expected,
        "the tenant holds exactly the memberships in state"
    );
    let show: serde_json::Value = serde_json::from_str(&ws.ok(&["show", "-json"]).stdout).unwrap();
    let in_state = show["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "entra_au_member")
        .count();
    assert_eq!(in_state, members.len());
}

#[test]
fn thousand_memberships_refresh_with_one_listing_and_apply_in_batches() {
    // Request counts are measured without replication lag (lag adds the re-reads it
    // asks for); every other test runs under lag.
    let tenant = Tenant::without_lag();
    let (ws, members) = setup(&tenant, N);

    let before = http_requests(&tenant);
    let run = ws.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=20",
    ]);
    assert_eq!(run.status, 0, "{}", run.output());
    let apply = delta(&before, &http_requests(&tenant));
    let batches = apply.get("POST /v1.0/$batch").copied().unwrap_or(0);
    // A user membership costs one batch item (a typed `/users/` reference proves its
    // type). The target, ⌈N/20⌉ + 10, is met on an idle machine (56 in `make bench`);
    // the extra 10 absorbs the partial batches of a CI machine busy with other tests.
    assert!(
        graph_total(&apply) <= (N as u64).div_ceil(20) + 20,
        "apply used {apply:?}"
    );
    assert!(
        batches >= (N as u64).div_ceil(20),
        "adds travel in batches: {apply:?}"
    );
    assert_tenant_matches_state(&tenant, &ws, &members);

    let before = http_requests(&tenant);
    ws.assert_plan_empty();
    let refresh = delta(&before, &http_requests(&tenant));
    assert!(
        graph_total(&refresh) <= (N as u64).div_ceil(999) + 3,
        "refresh used {refresh:?}"
    );

    let before = http_requests(&tenant);
    ws.ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=20",
    ]);
    let destroy = delta(&before, &http_requests(&tenant));
    // A refresh first (one listing), then one batch item per removal.
    assert!(
        graph_total(&destroy) <= (N as u64).div_ceil(10) + (N as u64).div_ceil(999) + 10,
        "destroy used {destroy:?}"
    );
}

#[test]
fn memberships_survive_throttling_and_ambiguous_failures_without_loss() {
    let tenant = Tenant::start();
    let (ws, members) = setup(&tenant, UNDER_FAULTS);
    // One request in ten throttled; one write in thirty fails with a 504 after
    // Graph made the change, as a gateway timeout does.
    tenant.set_faults(json!({
        "throttle_rate": 0.1,
        "retry_after": "0.05",
        "commit_error_rate": 0.03,
        "error_status": 504,
        "fault_seed": 42
    }));
    let run = ws.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=20",
    ]);
    assert_eq!(run.status, 0, "{}", run.output());
    tenant.settle();
    assert_tenant_matches_state(&tenant, &ws, &members);
    ws.assert_plan_empty();
    let statuses = tenant.stats()["statuses"].clone();
    assert!(
        statuses["429"].as_u64().unwrap_or(0) > 0,
        "throttling happened: {statuses}"
    );
    assert!(
        statuses["504"].as_u64().unwrap_or(0) > 0,
        "ambiguous failures happened: {statuses}"
    );
}

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

/// A unit made by another tool, and a workspace listing `n` new users as its members.
fn list_setup(tenant: &Tenant, n: usize) -> (Workspace, String, Vec<String>) {
    let members = tenant.create_users(n);
    let (status, made) = tenant.graph(
        reqwest::Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": format!("acctest-perf-list-{}", crate::helpers::suffix())})),
    );
    assert_eq!(status, 201, "{made}");
    let au = made["id"].as_str().unwrap().to_owned();
    let ws = tenant.workspace();
    ws.write(LIST_HCL);
    write_list_vars(&ws, &au, &members);
    (ws, au, members)
}

fn write_list_vars(ws: &Workspace, au: &str, members: &[String]) {
    std::fs::write(
        ws.config_dir().join("terraform.tfvars.json"),
        json!({ "members": members, "unit": au }).to_string(),
    )
    .unwrap();
}

/// The unit's members as the tenant holds them, sorted.
fn unit_members(tenant: &Tenant, au: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(format!(
        "/directory/administrativeUnits/{au}/members?$select=id&$top=999"
    ));
    while let Some(path) = next {
        let (status, page) = tenant.get(&path);
        assert_eq!(status, 200, "{page}");
        ids.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned()),
        );
        next = page["@odata.nextLink"]
            .as_str()
            .map(|link| link.split("/v1.0").nth(1).unwrap().to_owned());
    }
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false", "-no-color"];

#[test]
fn a_thousand_member_list_applies_in_batches_and_refreshes_with_one_listing() {
    // Request counts are measured without replication lag, as above.
    let tenant = Tenant::without_lag();
    let (ws, au, mut members) = list_setup(&tenant, N);
    let n = N as u64;

    let before = http_requests(&tenant);
    ws.ok(APPLY);
    let apply = delta(&before, &http_requests(&tenant));
    assert!(
        graph_total(&apply) <= n.div_ceil(20) + 5,
        "apply used {apply:?}"
    );
    assert_eq!(unit_members(&tenant, &au), sorted(members.clone()));

    let before = http_requests(&tenant);
    ws.assert_plan_empty();
    let refresh = delta(&before, &http_requests(&tenant));
    assert!(
        graph_total(&refresh) <= n.div_ceil(999) + 3,
        "refresh used {refresh:?}"
    );

    // One member swapped: the apply itself (plan and change, refresh aside).
    let swapped_in = tenant.create_users(1).remove(0);
    tenant.settle();
    members[0] = swapped_in;
    write_list_vars(&ws, &au, &members);
    let before = http_requests(&tenant);
    ws.ok(&[APPLY, &["-refresh=false"]].concat());
    let change = delta(&before, &http_requests(&tenant));
    assert!(graph_total(&change) <= 3, "a change of one used {change:?}");
    assert_eq!(unit_members(&tenant, &au), sorted(members));

    let before = http_requests(&tenant);
    ws.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    let destroy = delta(&before, &http_requests(&tenant));
    assert!(
        graph_total(&destroy) <= n.div_ceil(999) + n.div_ceil(20) + 5,
        "destroy used {destroy:?}"
    );
    assert!(unit_members(&tenant, &au).is_empty());
}

#[test]
fn a_member_list_survives_throttling_and_ambiguous_failures_without_loss() {
    let tenant = Tenant::start();
    let (ws, au, members) = list_setup(&tenant, UNDER_FAULTS);
    tenant.set_faults(json!({
        "throttle_rate": 0.1,
        "retry_after": "0.05",
        "commit_error_rate": 0.03,
        "error_status": 504,
        "fault_seed": 7
    }));
    let before = http_requests(&tenant);
    ws.ok(APPLY);
    let apply = delta(&before, &http_requests(&tenant));
    tenant.settle();
    assert_eq!(unit_members(&tenant, &au), sorted(members));
    ws.assert_plan_empty();
    let statuses = tenant.stats()["statuses"].clone();
    assert!(
        statuses["429"].as_u64().unwrap_or(0) > 0 && statuses["504"].as_u64().unwrap_or(0) > 0,
        "faults happened: {statuses}"
    );
    // Items Graph refused or did not answer go into later batches, not one by one.
    let singles = apply
        .get("POST /v1.0/directory/administrativeUnits/{id}/members/$ref")
        .copied()
        .unwrap_or(0);
    assert_eq!(singles, 0, "apply used {apply:?}");
    eprintln!("apply under faults: {apply:?}");
}
