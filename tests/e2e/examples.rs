//! Every example under `examples/` is formatted, valid, applies cleanly against the
//! emulator, re-plans empty and destroys: no example in the docs can rot.

use serde_json::json;

use crate::helpers::Tenant;

fn apply_example(tenant: &Tenant, example: &str) -> crate::helpers::Workspace {
    let ws = tenant.workspace();
    ws.use_example(example);
    ws.ok(&["fmt", "-check", "-diff"]);
    ws.ok(&["validate", "-no-color"]);
    ws.apply();
    ws.assert_plan_empty();
    ws
}

/// The AU names the tenant gained since `before`.
fn added_names(tenant: &Tenant, before: &[String]) -> Vec<String> {
    tenant
        .administrative_unit_names()
        .into_iter()
        .filter(|n| !before.contains(n))
        .collect()
}

#[test]
fn quickstart_example_applies() {
    let tenant = Tenant::start();
    let before = tenant.administrative_unit_names();
    let ws = apply_example(&tenant, "examples/quickstart");
    assert_eq!(
        added_names(&tenant, &before),
        vec!["St. Mary's Hospital".to_owned()]
    );
    ws.destroy();
    assert!(added_names(&tenant, &before).is_empty());
}

#[test]
fn finance_helpdesk_example_applies() {
    let tenant = Tenant::start();
    let ws = apply_example(&tenant, "examples/finance-helpdesk");
    let au = ws.state_values("entra_administrative_unit.finance");
    assert_eq!(au["membership_type"], json!("Dynamic"));
    let assignment = ws.state_values("entra_au_scoped_role_assignment.finance_helpdesk");
    assert_eq!(
        assignment["role_display_name"],
        json!("Helpdesk Administrator")
    );
    let out = ws.ok(&["output", "-json", "finance_users"]);
    let previewed: u64 = out.stdout.trim().parse().expect("count");
    let (_, members) = tenant.get(&format!(
        "/directory/administrativeUnits/{}/members",
        au["id"].as_str().unwrap()
    ));
    assert_eq!(
        members["value"].as_array().unwrap().len() as u64,
        previewed,
        "the preview predicted the members"
    );
    ws.destroy();
}

#[test]
fn hospitals_example_applies() {
    let tenant = Tenant::start();
    let before = tenant.administrative_unit_names();
    let ws = apply_example(&tenant, "examples/hospitals");
    assert_eq!(
        added_names(&tenant, &before),
        vec![
            "Riverside General".to_owned(),
            "St. Mary's Hospital".to_owned()
        ]
    );
    let au = ws.state_values("entra_administrative_unit.hospital[\"st-marys\"]")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, members) = tenant.get(&format!("/directory/administrativeUnits/{au}/members"));
    assert_eq!(members["value"].as_array().unwrap().len(), 2);
    ws.destroy();
    assert!(added_names(&tenant, &before).is_empty());
}

#[test]
fn integration_custom_role_example_applies() {
    let tenant = Tenant::start();
    let ws = apply_example(&tenant, "examples/integration-custom-role");
    assert_eq!(
        ws.ok(&["output", "-json", "custom_role_is_au_scopable"])
            .stdout
            .trim(),
        "true"
    );
    let assignment = ws.state_values("entra_au_scoped_role_assignment.integration");
    assert_eq!(
        assignment["role_display_name"],
        json!("Integration Group Manager")
    );
    ws.destroy();
}
