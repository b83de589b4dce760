//! A replicated directory, the way a real tenant behaves: objects made by other tools
//! moments ago, writes that succeed although the answer is an error, memberships and
//! assignments that existed before, and signals from CI runners.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value as Json, json};

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
