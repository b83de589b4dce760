//! Graph misbehaving the way it does in production: throttling (with and without
//! `Retry-After`), 503s and replication lag. Apply still succeeds, the re-plan is
//! empty and nothing is created twice.

use serde_json::json;

use crate::au_member::user;
use crate::helpers::{Tenant, suffix};

fn config(prefix: &str) -> String {
    format!(
        r#"resource "entra_administrative_unit" "au" {{
  count        = 5
  display_name = "{prefix}-${{count.index}}"
}}

resource "entra_au_member" "m" {{
  count                  = 5
  administrative_unit_id = entra_administrative_unit.au[count.index].id
  member_id              = "{}"
}}

resource "entra_au_scoped_role_assignment" "helpdesk" {{
  administrative_unit_id = entra_administrative_unit.au[0].id
  role_definition_id     = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
  principal_id           = "{}"
}}
"#,
        user(13),
        user(14)
    )
}

/// Checks the tenant with faults off (the harness's own requests are not retried).
fn assert_each_created_once(tenant: &Tenant, prefix: &str) {
    tenant.set_faults(json!({}));
    let names = tenant.administrative_unit_names();
    for i in 0..5 {
        let name = format!("{prefix}-{i}");
        assert_eq!(
            names.iter().filter(|n| **n == name).count(),
            1,
            "{name} exists exactly once: {names:?}"
        );
    }
}

#[test]
fn apply_survives_throttling_server_errors_and_replication_lag() {
    let tenant = Tenant::start();
    tenant.set_faults(
        json!({"throttle_rate": 0.2, "error_rate": 0.15, "error_status": 503, "retry_after": "0.1",
               "replication_lag_ms": 800, "replication_lag_min_ms": 800, "fault_seed": 11}),
    );
    let ws = tenant.workspace();
    let prefix = format!("acctest-faults-{}", suffix());
    ws.write(&config(&prefix));
    ws.apply();
    ws.assert_plan_empty();
    assert_each_created_once(&tenant, &prefix);
    let statuses = tenant.stats()["statuses"].clone();
    assert!(
        statuses["429"].as_u64().unwrap_or(0) > 0 && statuses["503"].as_u64().unwrap_or(0) > 0,
        "{statuses}"
    );
    ws.destroy();
    assert!(
        tenant
            .administrative_unit_names()
            .iter()
            .all(|n| !n.starts_with(&prefix))
    );
}

#[test]
fn throttling_without_retry_after_backs_off_and_succeeds() {
    let tenant = Tenant::start();
    tenant.set_faults(json!({"throttle_rate": 0.3, "retry_after": "none", "fault_seed": 5}));
    let ws = tenant.workspace();
    let prefix = format!("acctest-backoff-{}", suffix());
    ws.write(&config(&prefix));
    ws.apply();
    ws.assert_plan_empty();
    assert_each_created_once(&tenant, &prefix);
    assert!(tenant.stats()["statuses"]["429"].as_u64().unwrap_or(0) > 0);
}

const SLOW_APPLY: &str = "Graph throttling and replication slowed this apply";

#[test]
fn a_throttled_apply_explains_its_wait_in_one_warning_and_an_ordinary_one_does_not() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let prefix = format!("acctest-calm-{}", suffix());
    ws.write(&config(&prefix));
    let calm = ws.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(!calm.output().contains(SLOW_APPLY), "{}", calm.output());
    ws.destroy();

    // Half the requests are throttled with a 1-second Retry-After.
    tenant.set_faults(json!({"throttle_rate": 0.5, "retry_after": "1", "fault_seed": 3}));
    let prefix = format!("acctest-slow-{}", suffix());
    ws.write(&config(&prefix));
    let slow = ws.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let out = slow.output();
    assert!(out.contains(SLOW_APPLY), "{out}");
    assert!(
        out.contains("Graph throttled") && !out.contains("Graph throttled 0 request"),
        "{out}"
    );
    assert_each_created_once(&tenant, &prefix);
    ws.destroy();
}
