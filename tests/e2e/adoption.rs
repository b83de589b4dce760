//! Adopting an existing tenant: `terraform-provider-entra export` writes a
//! configuration that plans only imports and then nothing; and the list-driven
//! `for_each` import over `entra_administrative_units` plans clean.

use std::process::Command;

use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::au_member::{device, group, user};
use crate::helpers::{Tenant, Workspace, suffix};

const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
/// The demo tenant's custom, AU-scopable role.
const INTEGRATION_GROUP_MANAGER: &str = "c0ffee00-0000-4000-8004-000000000001";

/// Creates a unit as another tool would have, long ago (settled).
fn unit(tenant: &Tenant, body: Json) -> String {
    let (status, made) = tenant.graph(Method::POST, "/directory/administrativeUnits", Some(body));
    assert_eq!(status, 201, "{made}");
    made["id"].as_str().unwrap().to_owned()
}

fn add(tenant: &Tenant, au: &str, member: &str) {
    let body =
        json!({"@odata.id": format!("{}/v1.0/directoryObjects/{member}", tenant.emulator.url())});
    let (status, answer) = tenant.graph(
        Method::POST,
        &format!("/directory/administrativeUnits/{au}/members/$ref"),
        Some(body),
    );
    assert_eq!(status, 204, "{answer}");
}

fn grant(tenant: &Tenant, au: &str, role: &str, principal: &str) {
    let (status, answer) = tenant.graph(
        Method::POST,
        "/roleManagement/directory/roleAssignments",
        Some(json!({"roleDefinitionId": role, "principalId": principal, "directoryScopeId": format!("/administrativeUnits/{au}")})),
    );
    assert_eq!(status, 201, "{answer}");
}

/// A tenant of every kind of unit under `prefix`: assigned (users, groups, devices),
/// hidden, dynamic and paused, restricted, two with the same name, and one whose
/// name needs escaping; built-in and custom roles at unit scope.
fn seed(tenant: &Tenant, prefix: &str) {
    let alpha = unit(
        tenant,
        json!({"displayName": format!("{prefix} Alpha"), "description": "Users, groups and devices"}),
    );
    for member in [user(1), group(2), device(1)] {
        add(tenant, &alpha, &member);
    }
    grant(tenant, &alpha, HELPDESK_ADMINISTRATOR, &user(30));
    grant(tenant, &alpha, HELPDESK_ADMINISTRATOR, &user(31));
    let bravo = unit(
        tenant,
        json!({"displayName": format!("{prefix} Bravo"), "visibility": "HiddenMembership"}),
    );
    add(tenant, &bravo, &user(2));
    unit(
        tenant,
        json!({"displayName": format!("{prefix} Charlie"), "membershipType": "Dynamic",
               "membershipRule": "user.department -eq \"Sales\"", "membershipRuleProcessingState": "Paused"}),
    );
    let delta = unit(
        tenant,
        json!({"displayName": format!("{prefix} Delta"), "isMemberManagementRestricted": true}),
    );
    grant(tenant, &delta, INTEGRATION_GROUP_MANAGER, &user(32));
    for _ in 0..2 {
        let echo = unit(tenant, json!({"displayName": format!("{prefix} Echo")}));
        add(tenant, &echo, &user(3));
    }
    unit(
        tenant,
        json!({"displayName": format!("{prefix} Zürich \"HQ\" ${{x}} 100%{{y}}")}),
    );
}

/// Runs `terraform-provider-entra export ARGS` with the tenant's credentials.
fn export(tenant: &Tenant, args: &[&str], extra: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-entra"));
    cmd.arg("export").args(args).env_clear();
    for (k, v) in tenant.env() {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().expect("run export")
}

fn exported(tenant: &Tenant, ws: &Workspace, prefix: &str, members: &str) -> String {
    let out = ws.config_dir();
    let run = export(
        tenant,
        &[
            "--out",
            out.to_str().unwrap(),
            "--display-name-prefix",
            prefix,
            "--members",
            members,
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "export failed:\n{stderr}");
    stderr
}

fn plan_summary(ws: &Workspace) -> String {
    let run = ws.ok(&["plan", "-input=false", "-no-color"]);
    run.stdout
        .lines()
        .find(|l| l.starts_with("Plan:") || l.starts_with("No changes"))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn an_exported_tenant_plans_only_imports_then_nothing() {
    let tenant = Tenant::start();
    let prefix = format!("acctest-export-{}", suffix());
    seed(&tenant, &prefix);
    let ws = tenant.workspace();
    let stderr = exported(&tenant, &ws, &prefix, "list");
    assert!(
        stderr.contains("export: 7 administrative units"),
        "{stderr}"
    );
    assert!(
        stderr.contains("7 units, 6 memberships, 3 role assignments"),
        "{stderr}"
    );
    ws.ok(&["fmt", "-check", "-diff", "-no-color"]);
    ws.ok(&["validate", "-no-color"]);
    // 7 units, 4 member lists (Alpha, Bravo, two Echo), 3 role assignments.
    assert_eq!(
        plan_summary(&ws),
        "Plan: 14 to import, 0 to add, 0 to change, 0 to destroy."
    );
    let units = std::fs::read_to_string(ws.config_dir().join("administrative_units.tf")).unwrap();
    for expected in [
        "resource \"entra_administrative_unit\" \"acctest_export_",
        "_echo_2\" {",
        "membership_rule_processing_state = \"Paused\"",
        "hidden_membership_enabled = true",
        "restricted_management_enabled = true",
        "Zürich \\\"HQ\\\" $${x} 100%%{y}",
        "# Members not exported: dynamic membership",
    ] {
        assert!(
            units.contains(expected),
            "missing {expected:?} in:\n{units}"
        );
    }
    let roles = std::fs::read_to_string(ws.config_dir().join("role_assignments.tf")).unwrap();
    assert!(roles.contains("# Helpdesk Administrator at"), "{roles}");
    assert!(roles.contains("# Integration Group Manager at"), "{roles}");
    assert!(roles.contains("_helpdesk_administrator_2\" {"), "{roles}");
    assert!(
        roles.contains("administrative_unit_id = entra_administrative_unit."),
        "{roles}"
    );
    ws.apply();
    ws.assert_plan_empty();

    // The same tenant exported again writes the same configuration.
    let again = tenant.workspace();
    exported(&tenant, &again, &prefix, "list");
    for file in [
        "main.tf",
        "administrative_units.tf",
        "members.tf",
        "role_assignments.tf",
    ] {
        assert_eq!(
            std::fs::read_to_string(ws.config_dir().join(file)).unwrap(),
            std::fs::read_to_string(again.config_dir().join(file)).unwrap(),
            "{file} is stable"
        );
    }
}

#[test]
fn memberships_exported_one_by_one_plan_only_imports_then_nothing() {
    let tenant = Tenant::start();
    let prefix = format!("acctest-export-each-{}", suffix());
    let au = unit(&tenant, json!({"displayName": format!("{prefix} Foxtrot")}));
    for member in [user(4), group(3)] {
        add(&tenant, &au, &member);
    }
    let ws = tenant.workspace();
    exported(&tenant, &ws, &prefix, "each");
    ws.ok(&["fmt", "-check", "-diff", "-no-color"]);
    assert_eq!(
        plan_summary(&ws),
        "Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."
    );
    ws.apply();
    ws.assert_plan_empty();
    let state = ws.ok(&["state", "list"]).stdout;
    assert!(state.contains(&format!("[\"{}\"]", user(4))), "{state}");
}

#[test]
fn export_leaves_out_units_still_under_a_temporary_name() {
    let tenant = Tenant::start();
    let prefix = format!("acctest-export-pending-{}", suffix());
    unit(&tenant, json!({"displayName": format!("{prefix} Golf")}));
    // What an interrupted create of some other run leaves behind.
    let stray = unit(
        &tenant,
        json!({"displayName": "terraform-entra-pending-0123456789abcdef0123456789abcdef"}),
    );
    let dir = tempfile::tempdir().unwrap();
    let run = export(&tenant, &["--out", dir.path().to_str().unwrap()], &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("left out 1 unit(s) with the temporary name") && stderr.contains(&stray),
        "{stderr}"
    );
    let units = std::fs::read_to_string(dir.path().join("administrative_units.tf")).unwrap();
    assert!(units.contains(&format!("{prefix} Golf")), "{units}");
    assert!(!units.contains("terraform-entra-pending"), "{units}");
    assert!(!units.contains(&stray), "{units}");
}

#[test]
fn export_explains_bad_credentials_and_missing_permissions_like_the_provider() {
    let tenant = Tenant::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = export(&tenant, &["--out", out], &[("ARM_CLIENT_SECRET", "wrong")]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("ARM_CLIENT_SECRET"), "{stderr}");
    assert!(
        !stderr.contains("wrong"),
        "the secret is never shown: {stderr}"
    );

    let run = export(
        &tenant,
        &["--out", out],
        &[
            ("ARM_CLIENT_ID", "c0ffee00-0000-4000-8000-00000000a004"),
            ("ARM_CLIENT_SECRET", "noperm~Secret.NotForProduction-0004"),
        ],
    );
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("Listing administrative units"), "{stderr}");
    assert!(stderr.contains("AdministrativeUnit.Read.All"), "{stderr}");

    let run = export(&tenant, &["--help"], &[]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains("--display-name-prefix"));
    let run = export(&tenant, &[], &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--out DIR is required"));
}

#[test]
fn units_listed_by_the_data_source_import_with_for_each_and_plan_clean() {
    let tenant = Tenant::start();
    let prefix = format!("acctest-list-import-{}", suffix());
    seed(&tenant, &prefix);
    let ws = tenant.workspace();
    ws.write(&format!(
        r#"data "entra_administrative_units" "existing" {{
  display_name_prefix = "{prefix}"
}}

locals {{
  units = {{ for u in data.entra_administrative_units.existing.administrative_units : u.id => u }}
}}

import {{
  for_each = local.units
  to       = entra_administrative_unit.adopted[each.key]
  id       = each.key
}}

resource "entra_administrative_unit" "adopted" {{
  for_each                         = local.units
  display_name                     = each.value.display_name
  description                      = each.value.description
  membership_type                  = each.value.membership_type
  membership_rule                  = each.value.membership_rule
  membership_rule_processing_state = each.value.membership_rule_processing_state
  hidden_membership_enabled        = each.value.hidden_membership_enabled
  restricted_management_enabled    = each.value.restricted_management_enabled
}}
"#
    ));
    assert_eq!(
        plan_summary(&ws),
        "Plan: 7 to import, 0 to add, 0 to change, 0 to destroy."
    );
    ws.apply();
    ws.assert_plan_empty();
}
