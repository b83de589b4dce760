//! A replicated directory, the way a real tenant behaves: objects made by other tools
//! moments ago, writes that succeed although the answer is an error, memberships and
//! assignments that existed before, and signals from CI runners.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::au_member::user;
use crate::helpers::{Run, Tenant, Workspace, suffix};

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

fn unit_id(ws: &Workspace, address: &str) -> String {
    ws.state_values(address)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{address} has an id in state"))
        .to_owned()
}

fn members_of(tenant: &Tenant, au: &str) -> Vec<String> {
    let (status, body) = tenant.get(&format!(
        "/directory/administrativeUnits/{au}/members?$select=id&$top=999"
    ));
    assert_eq!(status, 200, "{body}");
    let mut ids: Vec<String> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// A unit applied, then five member adds in flight while Graph answers 503 to
/// everything: terraform is running `apply tfplan` when this returns.
fn apply_stuck_on_a_graph_outage(tenant: &Tenant) -> (Workspace, String, std::process::Child) {
    let ws = tenant.workspace();
    let name = format!("acctest-sigterm-{}", suffix());
    let unit = format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name = \"{name}\"\n}}\n"
    );
    ws.write(&unit);
    ws.apply();
    let au = unit_id(&ws, "entra_administrative_unit.au");
    let mut hcl = unit.clone();
    for i in 0..5 {
        hcl.push_str(&format!(
            "\nresource \"entra_au_member\" \"m{i}\" {{\n  administrative_unit_id = entra_administrative_unit.au.id\n  member_id = \"{}\"\n}}\n",
            user(20 + i)
        ));
    }
    ws.write(&hcl);
    ws.ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    tenant.set_faults(json!({"error_rate": 1.0, "retry_after": "0.2"}));
    let mut child = ws.spawn(&["apply", "-input=false", "-no-color", "tfplan"]);
    let adds_seen = || {
        tenant.stats()["routes"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(route, _)| route.contains("/members"))
            .map(|(_, n)| n.as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    let waiting_since = Instant::now();
    while adds_seen() == 0 {
        if waiting_since.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the apply never reached the member adds");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    (ws, au, child)
}

/// Sends SIGTERM to `pid`'s process group, or to `pid` alone.
fn terminate(pid: u32, whole_group: bool) {
    use nix::sys::signal::{Signal, kill, killpg};
    let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).expect("pid"));
    if whole_group {
        assert_eq!(
            nix::unistd::getpgid(Some(pid)).expect("process group"),
            pid,
            "terraform leads a process group of its own, apart from the test's"
        );
        killpg(pid, Signal::SIGTERM).expect("signal the group");
    } else {
        kill(pid, Signal::SIGTERM).expect("signal the process");
    }
}

/// The provider process terraform started.
fn provider_pid(terraform: u32) -> u32 {
    let parent = terraform.to_string();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
            let (head, tail) = stat.rsplit_once(')').unwrap_or_default();
            head.contains("terraform-pro")
                && tail.split_whitespace().nth(1) == Some(parent.as_str())
        })
        .expect("terraform started the provider")
}

/// Waits for terraform to end after a signal: how long it took, and what it said.
fn wait_after_signal(mut child: std::process::Child) -> (Duration, Run) {
    let signalled = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let run = Run::from(child.wait_with_output().expect("output"));
            return (signalled.elapsed(), run);
        }
        if signalled.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("terraform did not end within 90 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// After the interruption the state is consistent: the unit is still recorded, no
/// member is half-recorded, and once Graph is back the configuration applies cleanly.
fn assert_state_consistent_and_recoverable(tenant: &Tenant, ws: &Workspace, au: &str) {
    tenant.set_faults(json!({}));
    assert_eq!(unit_id(ws, "entra_administrative_unit.au"), au);
    ws.apply();
    ws.assert_plan_empty();
    let mut expected: Vec<String> = (0..5).map(|i| user(20 + i)).collect();
    expected.sort();
    assert_eq!(members_of(tenant, au), expected);
    ws.destroy();
}

#[test]
fn sigterm_to_the_process_group_ends_the_apply_within_seconds_with_state_saved() {
    let tenant = Tenant::start();
    let (ws, au, child) = apply_stuck_on_a_graph_outage(&tenant);
    // What `timeout` and CI runners do: SIGTERM to the whole process group.
    terminate(child.id(), true);
    let (took, run) = wait_after_signal(child);
    println!("apply ended {took:?} after SIGTERM");
    assert!(
        took < Duration::from_secs(20),
        "the apply should end within seconds of SIGTERM, took {took:?}:\n{}",
        run.output()
    );
    assert_ne!(run.status, 0, "an interrupted apply reports failure");
    assert!(
        !run.output().contains("plugin did not respond"),
        "the provider kept answering Terraform:\n{}",
        run.output()
    );
    assert_state_consistent_and_recoverable(&tenant, &ws, &au);
}

#[test]
fn sigterm_reaching_the_provider_first_cancels_its_work_and_it_keeps_answering() {
    // The race inside a group signal, made certain: the provider is signalled and
    // Terraform is not. The provider cancels its retries at once and keeps serving,
    // so Terraform records the failures and ends on its own.
    let tenant = Tenant::start();
    let (ws, au, child) = apply_stuck_on_a_graph_outage(&tenant);
    terminate(provider_pid(child.id()), false);
    let (took, run) = wait_after_signal(child);
    println!("apply ended {took:?} after SIGTERM to the provider");
    assert!(
        took < Duration::from_secs(20),
        "cancelled adds should end the apply within seconds, took {took:?}:\n{}",
        run.output()
    );
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("cancelled"), "{out}");
    assert!(!out.contains("plugin did not respond"), "{out}");
    assert_state_consistent_and_recoverable(&tenant, &ws, &au);
}

#[test]
fn a_principal_another_tool_created_a_second_ago_is_added_and_granted_under_an_8_s_lag() {
    let tenant = Tenant::start();
    tenant.set_faults(json!({"replication_lag_ms": 8000, "replication_lag_min_ms": 8000}));
    // Created by a script just before the pipeline's apply: invisible for 8 s.
    let run = suffix();
    let (status, created) = tenant.graph_fresh(
        Method::POST,
        "/users",
        Some(json!({
            "accountEnabled": true, "displayName": format!("New Hire {run}"),
            "mailNickname": format!("hire{run}"),
            "userPrincipalName": format!("hire{run}@contoso-demo.onmicrosoft.com"),
            "passwordProfile": {"password": "Generated-Password-1!"}
        })),
    );
    assert_eq!(status, 201, "{created}");
    let principal = created["id"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_secs(1));

    let ws = tenant.workspace();
    ws.write(&format!(
        r#"resource "entra_administrative_unit" "au" {{
  display_name = "acctest-lag-{run}"
}}

resource "entra_au_member" "hire" {{
  administrative_unit_id = entra_administrative_unit.au.id
  member_id              = "{principal}"
}}

resource "entra_au_scoped_role_assignment" "admin" {{
  administrative_unit_id = entra_administrative_unit.au.id
  role_definition_id     = "{USER_ADMINISTRATOR}"
  principal_id           = "{principal}"
}}
"#
    ));
    let applied = ws.apply();
    assert!(!applied.output().contains("Error"), "{}", applied.output());
    ws.assert_plan_empty();
    let au = unit_id(&ws, "entra_administrative_unit.au");
    assert_eq!(members_of(&tenant, &au), vec![principal.clone()]);
    assert_eq!(
        ws.state_values("entra_au_member.hire")["member_type"],
        json!("user")
    );
    let assignment = ws.state_values("entra_au_scoped_role_assignment.admin");
    assert_eq!(assignment["principal_id"], json!(principal));
    let (status, _) = tenant.get(&format!(
        "/roleManagement/directory/roleAssignments/{}",
        assignment["id"].as_str().unwrap()
    ));
    assert_eq!(status, 200);
    ws.destroy();
}

#[test]
fn units_sharing_a_name_each_keep_their_own_unit_under_after_commit_failures() {
    let tenant = Tenant::start();
    let name = format!("acctest-site-{}", suffix());
    let ws = tenant.workspace();
    ws.write(&format!(
        r#"resource "entra_administrative_unit" "north" {{
  display_name = "{name}"
}}

resource "entra_administrative_unit" "south" {{
  display_name = "{name}"
}}

resource "entra_au_member" "north_staff" {{
  administrative_unit_id = entra_administrative_unit.north.id
  member_id              = "{}"
}}

resource "entra_au_member" "south_staff" {{
  administrative_unit_id = entra_administrative_unit.south.id
  member_id              = "{}"
}}
"#,
        user(30),
        user(31)
    ));
    // Half of all writes are carried out but answered with a 503.
    tenant.set_faults(json!({"commit_error_rate": 0.5, "retry_after": "0.1", "fault_seed": 7}));
    ws.apply();
    ws.assert_plan_empty();
    tenant.set_faults(json!({}));
    let north = unit_id(&ws, "entra_administrative_unit.north");
    let south = unit_id(&ws, "entra_administrative_unit.south");
    assert_ne!(north, south, "each resource has a unit of its own");
    let (status, listed) = tenant.get(&format!(
        "/directory/administrativeUnits?$filter=displayName eq '{name}'&$top=999"
    ));
    assert_eq!(status, 200, "{listed}");
    let mut named: Vec<String> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    named.sort();
    let mut ours = vec![north.clone(), south.clone()];
    ours.sort();
    assert_eq!(named, ours, "exactly the two units carry the name");
    assert_eq!(members_of(&tenant, &north), vec![user(30)]);
    assert_eq!(members_of(&tenant, &south), vec![user(31)]);
    let commit_errors = tenant.stats()["statuses"]["503"].as_u64().unwrap_or(0);
    assert!(commit_errors > 0, "writes failed after commit");
    ws.destroy();
}

/// A unit made outside Terraform, with `member` in it, settled (old news everywhere).
fn foreign_unit_with_member(tenant: &Tenant, member: &str) -> String {
    let (status, unit) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": format!("acctest-foreign-{}", suffix())})),
    );
    assert_eq!(status, 201, "{unit}");
    let au = unit["id"].as_str().unwrap().to_owned();
    add_member_by_hand(tenant, &au, member);
    au
}

fn add_member_by_hand(tenant: &Tenant, au: &str, member: &str) {
    let reference = format!("{}/v1.0/directoryObjects/{member}", tenant.emulator.url());
    let (status, body) = tenant.graph(
        Method::POST,
        &format!("/directory/administrativeUnits/{au}/members/$ref"),
        Some(json!({ "@odata.id": reference })),
    );
    assert_eq!(status, 204, "{body}");
    tenant.settle();
}

#[test]
fn a_membership_that_existed_before_is_never_adopted_after_a_transient_error() {
    let tenant = Tenant::start();
    let member = user(32);
    let au = foreign_unit_with_member(&tenant, &member);
    let ws = tenant.workspace();
    ws.write(&format!(
        r#"resource "entra_au_member" "m" {{
  administrative_unit_id = "{au}"
  member_id              = "{member}"
}}
"#
    ));
    // Without faults: refused at plan, with the import hint.
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(plan.status, 0);
    let import_hint = format!("terraform import entra_au_member.<name> {au}/members/{member}");
    assert!(plan.output().contains(&import_hint), "{}", plan.output());

    // Planned while absent, made by someone else before the apply, and the apply's
    // first Graph request fails with a transient 503: still refused, never adopted.
    let (status, _) = tenant.graph(
        Method::DELETE,
        &format!("/directory/administrativeUnits/{au}/members/{member}/$ref"),
        None,
    );
    assert_eq!(status, 204);
    tenant.settle();
    ws.ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    add_member_by_hand(&tenant, &au, &member);
    tenant.set_faults(json!({"error_next": 1, "retry_after": "0.1"}));
    let apply = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert_ne!(apply.status, 0, "{}", apply.output());
    assert!(
        apply.output().contains("Membership already exists"),
        "{}",
        apply.output()
    );
    assert!(apply.output().contains(&import_hint), "{}", apply.output());
    assert!(ws.state_values("entra_au_member.m").is_null());

    tenant.set_faults(json!({}));
    ws.destroy();
    assert_eq!(
        members_of(&tenant, &au),
        vec![member],
        "the foreign membership survives"
    );
}

#[test]
fn a_role_assignment_that_existed_before_is_never_adopted_after_a_transient_error() {
    let tenant = Tenant::start();
    let (status, unit) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": format!("acctest-foreign-{}", suffix())})),
    );
    assert_eq!(status, 201, "{unit}");
    let au = unit["id"].as_str().unwrap().to_owned();
    let principal = user(33);
    let assign_by_hand = || {
        let (status, made) = tenant.graph(
            Method::POST,
            "/roleManagement/directory/roleAssignments",
            Some(
                json!({"roleDefinitionId": USER_ADMINISTRATOR, "principalId": principal,
                        "directoryScopeId": format!("/administrativeUnits/{au}")}),
            ),
        );
        assert_eq!(status, 201, "{made}");
        tenant.settle();
        made["id"].as_str().unwrap().to_owned()
    };
    let ws = tenant.workspace();
    ws.write(&format!(
        r#"resource "entra_au_scoped_role_assignment" "a" {{
  administrative_unit_id = "{au}"
  role_definition_id     = "{USER_ADMINISTRATOR}"
  principal_id           = "{principal}"
}}
"#
    ));
    ws.ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    let existing = assign_by_hand();
    let import_hint = format!("terraform import entra_au_scoped_role_assignment.<name> {existing}");
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(plan.status, 0);
    assert!(plan.output().contains(&import_hint), "{}", plan.output());

    tenant.set_faults(json!({"error_next": 1, "retry_after": "0.1"}));
    let apply = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert_ne!(apply.status, 0, "{}", apply.output());
    assert!(apply.output().contains(&import_hint), "{}", apply.output());
    tenant.set_faults(json!({}));
    ws.destroy();
    let (status, _) = tenant.get(&format!(
        "/roleManagement/directory/roleAssignments/{existing}"
    ));
    assert_eq!(status, 200, "the foreign assignment survives");
}

#[test]
fn every_wait_ends_at_the_configured_timeouts_while_graph_is_down() {
    let tenant = Tenant::start();
    let member = user(34);
    let au = foreign_unit_with_member(&tenant, &user(35));
    let ws = tenant.workspace();
    ws.write(&format!(
        r#"resource "entra_au_member" "m" {{
  administrative_unit_id = "{au}"
  member_id              = "{member}"
  timeouts {{
    read   = "3s"
    create = "3s"
  }}
}}
"#
    ));
    tenant.set_faults(json!({"error_rate": 1.0, "retry_after": "0.2"}));
    let started = Instant::now();
    let apply = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let took = started.elapsed();
    println!("apply against a Graph outage ended after {took:?}");
    assert_ne!(apply.status, 0);
    assert!(
        apply.output().contains("within the operation's timeout"),
        "{}",
        apply.output()
    );
    // Three-second timeouts bound the plan's checks and the add (the default is 5 minutes).
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn role_assignments_refresh_and_import_when_graph_refuses_a_scope_only_filter() {
    let tenant = Tenant::start();
    // Older Graph documentation requires principalId or roleDefinitionId in the filter.
    tenant.set_faults(json!({"refuse_scope_only_role_filter": true}));
    let ws = tenant.workspace();
    let name = format!("acctest-filter-{}", suffix());
    ws.write(&format!(
        r#"resource "entra_administrative_unit" "au" {{
  display_name = "{name}"
}}

resource "entra_au_scoped_role_assignment" "a" {{
  administrative_unit_id = entra_administrative_unit.au.id
  role_definition_id     = "{USER_ADMINISTRATOR}"
  principal_id           = "{}"
}}
"#,
        user(36)
    ));
    ws.apply();
    ws.assert_plan_empty();
    let au = unit_id(&ws, "entra_administrative_unit.au");

    // A scoped role membership made by another tool imports by its azuread-style id,
    // which needs the unit's assignments listed.
    let (srm, _) = tenant.add_scoped_role_member(&au, USER_ADMINISTRATOR, &user(37));
    let other = tenant.workspace();
    other.write(&format!(
        "import {{\n  to = entra_au_scoped_role_assignment.b\n  id = \"/directory/administrativeUnits/{au}/scopedRoleMembers/{}\"\n}}\n\nresource \"entra_au_scoped_role_assignment\" \"b\" {{\n  administrative_unit_id = \"{au}\"\n  role_definition_id     = \"{USER_ADMINISTRATOR}\"\n  principal_id           = \"{}\"\n}}\n",
        srm["id"].as_str().unwrap(),
        user(37)
    ));
    other.apply();
    other.assert_plan_empty();
    let statuses = tenant.stats()["statuses"].clone();
    assert!(
        statuses["400"].as_u64().unwrap_or(0) > 0,
        "Graph refused the scope-only filter at least once: {statuses}"
    );
    ws.destroy();
}
