//! `entra_custom_role`: create, update in place, import, plan-time checks of its
//! actions, safe retries after ambiguous failures, and assignment at a unit's scope.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Tenant, Workspace, suffix};

const SIX_ACTIONS: &[&str] = &[
    "microsoft.directory/users/standard/read",
    "microsoft.directory/groups/standard/read",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/members/read",
    "microsoft.directory/groups/memberOf/read",
];

fn role_hcl(name: &str, description: &str, actions: &[&str], enabled: bool) -> String {
    let listed: Vec<String> = actions.iter().map(|a| format!("    \"{a}\",")).collect();
    format!(
        "resource \"entra_custom_role\" \"r\" {{\n  display_name = \"{name}\"\n  description  = \"{description}\"\n  enabled      = {enabled}\n  allowed_resource_actions = [\n{}\n  ]\n}}\n",
        listed.join("\n")
    )
}

/// The role as Graph has it (read strongly, past replication).
fn role_in_graph(tenant: &Tenant, id: &str) -> serde_json::Value {
    let (status, role) = tenant.graph_fresh(
        Method::GET,
        &format!("/roleManagement/directory/roleDefinitions/{id}"),
        None,
    );
    assert_eq!(status, 200, "{role}");
    role
}

fn actions_of(role: &serde_json::Value) -> Vec<String> {
    let mut actions: Vec<String> = role["rolePermissions"][0]["allowedResourceActions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    actions.sort();
    actions
}

fn roles_named(tenant: &Tenant, name: &str) -> usize {
    tenant.settle();
    let (status, listed) = tenant.get(&format!(
        "/roleManagement/directory/roleDefinitions?$filter=displayName eq '{name}'"
    ));
    assert_eq!(status, 200, "{listed}");
    listed["value"].as_array().unwrap().len()
}

#[test]
fn custom_role_creates_updates_in_place_and_imports() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-role-{}", suffix());
    ws.write(&role_hcl(&name, "first", &SIX_ACTIONS[..3], true));
    ws.apply();
    ws.assert_plan_empty();
    let id = ws.state_values("entra_custom_role.r")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let role = role_in_graph(&tenant, &id);
    assert_eq!(role["displayName"], json!(name));
    assert_eq!(role["isBuiltIn"], json!(false));
    let mut expected: Vec<String> = SIX_ACTIONS[..3].iter().map(|a| (*a).to_owned()).collect();
    expected.sort();
    assert_eq!(actions_of(&role), expected);

    // Description, actions and enabled change in place: the id stays.
    ws.write(&role_hcl(&name, "second", SIX_ACTIONS, false));
    assert_eq!(ws.planned_actions("entra_custom_role.r"), vec!["update"]);
    ws.apply();
    ws.assert_plan_empty();
    let role = role_in_graph(&tenant, &id);
    assert_eq!(role["id"], json!(id));
    assert_eq!(role["description"], json!("second"));
    assert_eq!(role["isEnabled"], json!(false));
    assert_eq!(actions_of(&role).len(), 6);

    // Import into a fresh state by the documented id form.
    let fresh = tenant.workspace();
    fresh.write(&role_hcl(&name, "second", SIX_ACTIONS, false));
    fresh.ok(&["import", "-input=false", "entra_custom_role.r", &id]);
    fresh.assert_plan_empty();
    ws.destroy();
    assert_eq!(roles_named(&tenant, &name), 0, "destroy deletes the role");
}

#[test]
fn misspelt_and_malformed_actions_fail_at_plan_on_the_attribute() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-role-{}", suffix());
    ws.write(&role_hcl(
        &name,
        "typo",
        &["microsoft.directory/groups/member/update", "groups.create"],
        true,
    ));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(
        out.contains("Did you mean \"microsoft.directory/groups/members/update\"?"),
        "{out}"
    );
    assert!(out.contains("Invalid directory action"), "{out}");
    assert!(out.contains("allowed_resource_actions"), "{out}");
    assert_eq!(roles_named(&tenant, &name), 0, "nothing was created");
}

#[test]
fn an_action_outside_unit_scope_warns_and_its_role_is_refused_at_unit_scope() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-role-{}", suffix());
    let role = role_hcl(
        &name,
        "mixed",
        &[
            "microsoft.directory/groups/members/update",
            "microsoft.directory/applications/create",
        ],
        true,
    );
    ws.write(&role);
    let run = ws.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        run.output()
            .contains("Action has no effect at administrative unit scope"),
        "{}",
        run.output()
    );
    let unit = format!("acctest-scope-{}", suffix());
    let with_assignment = format!(
        "{role}\nresource \"entra_administrative_unit\" \"u\" {{\n  display_name = \"{unit}\"\n}}\n\nresource \"entra_au_scoped_role_assignment\" \"a\" {{\n  administrative_unit_id = entra_administrative_unit.u.id\n  role_definition_id     = entra_custom_role.r.id\n  principal_id           = \"{}\"\n}}\n",
        crate::au_member::user(8)
    );
    let refused = |out: &str| {
        out.contains("Role cannot be scoped to an administrative unit")
            && out.contains("cannot take effect at administrative unit scope")
            && out.contains("microsoft.directory/applications/create")
    };
    // The role exists: refused at plan.
    ws.write(&with_assignment);
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(refused(&run.output()), "{}", run.output());

    // Role and assignment in one plan: the role's id is unknown at plan, so Graph
    // refuses at apply, and the error says why in the same words.
    ws.write(&role);
    ws.destroy();
    ws.write(&with_assignment);
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(refused(&run.output()), "{}", run.output());
    ws.destroy();
}

#[test]
fn a_create_answered_with_an_error_after_it_happened_leaves_exactly_one_role() {
    let tenant = Tenant::start();
    let ws: Workspace = tenant.workspace();
    let name = format!("acctest-role-{}", suffix());
    ws.write(&role_hcl(&name, "retried", &SIX_ACTIONS[..2], true));
    // Every other write is carried out but answered with a 503.
    tenant.set_faults(json!({"commit_error_rate": 0.5, "retry_after": "0.1", "fault_seed": 11}));
    ws.apply();
    tenant.set_faults(json!({}));
    ws.assert_plan_empty();
    assert_eq!(roles_named(&tenant, &name), 1, "one role carries the name");
    let commit_errors = tenant.stats()["statuses"]["503"].as_u64().unwrap_or(0);
    assert!(commit_errors > 0, "writes failed after commit");
    tenant.settle();
    let (_, listed) = tenant.get(
        "/roleManagement/directory/roleDefinitions?$filter=startswith(displayName,'terraform-entra-pending-')",
    );
    assert_eq!(
        listed["value"].as_array().map(Vec::len),
        Some(0),
        "no temporary role is left behind: {listed}"
    );
    ws.destroy();
}

/// A dynamic unit, a custom role and a scoped assignment: everything that needs P1.
fn premium_features(name: &str) -> String {
    format!(
        r#"resource "entra_administrative_unit" "dynamic" {{
  display_name    = "{name}-dynamic"
  membership_type = "Dynamic"
  membership_rule = "user.department -eq \"Sales\""
}}

resource "entra_custom_role" "r" {{
  display_name             = "{name}-role"
  allowed_resource_actions = ["microsoft.directory/groups/members/update"]
}}

resource "entra_au_scoped_role_assignment" "a" {{
  administrative_unit_id = entra_administrative_unit.dynamic.id
  role_definition_id     = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
  principal_id           = "{}"
}}
"#,
        crate::au_member::user(9)
    )
}

const NO_P1: &str = "Microsoft Entra ID P1 licence not found";

#[test]
fn a_tenant_without_p1_gets_a_warning_on_each_premium_feature_and_others_do_not() {
    let name = format!("acctest-p1-{}", suffix());
    let unlicensed = Tenant::with_options(entra_emulator::Options {
        faults: crate::helpers::realistic_lag(),
        no_premium: true,
        ..entra_emulator::Options::default()
    });
    let ws = unlicensed.workspace();
    ws.write(&premium_features(&name));
    let out = ws.ok(&["plan", "-json", "-input=false"]).stdout;
    let mut warned: Vec<String> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["diagnostic"]["summary"] == json!(NO_P1))
        .map(|m| {
            m["diagnostic"]["address"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    warned.sort();
    assert_eq!(
        warned,
        vec![
            "entra_administrative_unit.dynamic",
            "entra_au_scoped_role_assignment.a",
            "entra_custom_role.r"
        ],
        "one warning per resource:\n{out}"
    );
    assert!(
        out.contains("the membership rule is never evaluated"),
        "{out}"
    );
    // Without Organization.Read.All the SKUs cannot be read: no warning, no failure.
    let least = [
        ("ARM_CLIENT_ID", crate::least_privilege::LEAST_CLIENT_ID),
        (
            "ARM_CLIENT_SECRET",
            crate::least_privilege::LEAST_CLIENT_SECRET,
        ),
    ];
    let run = ws.run_with_env(&["plan", "-input=false", "-no-color"], &least);
    assert_eq!(run.status, 0, "{}", run.output());
    assert!(!run.output().contains(NO_P1), "{}", run.output());
    let subscribed_sku_reads = unlicensed.stats()["routes"]["GET /v1.0/subscribedSkus"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(
        subscribed_sku_reads,
        2,
        "one read per run (two runs): {}",
        unlicensed.stats()
    );

    let licensed = Tenant::start();
    let ws = licensed.workspace();
    ws.write(&premium_features(&name));
    let out = ws.ok(&["plan", "-input=false", "-no-color"]).output();
    assert!(!out.contains(NO_P1), "{out}");
}
