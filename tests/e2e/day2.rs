//! Day 2: the ordinary changes users make after the first apply, and the plan-time
//! checks that stop an apply from failing half-way.

use reqwest::Method;
use serde_json::json;

use crate::au_member::{group, user};
use crate::helpers::{Tenant, Workspace, suffix};

const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

fn unit(name: &str, membership: &str) -> String {
    format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name = \"{name}\"\n{membership}}}\n"
    )
}

const DYNAMIC: &str =
    "  membership_type = \"Dynamic\"\n  membership_rule = \"user.department -eq \\\"Sales\\\"\"\n";

fn members(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "\nresource \"entra_au_member\" \"m{i}\" {{\n  administrative_unit_id = entra_administrative_unit.au.id\n  member_id              = \"{}\"\n}}\n",
                user(40 + i)
            )
        })
        .collect()
}

fn plan_fails(ws: &Workspace, fragments: &[&str]) -> String {
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0, "the plan should fail:\n{}", run.output());
    let out = run.output();
    for fragment in fragments {
        assert!(out.contains(fragment), "missing {fragment:?} in:\n{out}");
    }
    out
}

fn unit_id(ws: &Workspace) -> String {
    ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .expect("unit id")
        .to_owned()
}

#[test]
fn switching_to_dynamic_fails_at_plan_while_members_remain_and_applies_once_they_go() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-switch-{}", suffix());
    ws.write(&format!("{}{}", unit(&name, ""), members(2)));
    ws.apply();

    // Switched while the member resources stay: refused at plan, on the members.
    ws.write(&format!("{}{}", unit(&name, DYNAMIC), members(2)));
    plan_fails(
        &ws,
        &[
            "Administrative unit becomes dynamic",
            "with entra_au_member.m0",
            "with entra_au_member.m1",
        ],
    );

    // Switched and the members removed in the same change: applies cleanly.
    ws.write(&unit(&name, DYNAMIC));
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        ws.state_values("entra_administrative_unit.au")["membership_type"],
        json!("Dynamic")
    );

    // Back to assigned: Entra keeps the members the rule chose; nothing else changes.
    ws.write(&unit(&name, ""));
    ws.apply();
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn members_of_a_unit_created_dynamic_in_the_same_plan_fail_at_plan_and_destroy_still_works() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-newdyn-{}", suffix());
    ws.write(&format!("{}{}", unit(&name, DYNAMIC), members(1)));
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output()
            .contains("Administrative unit has dynamic membership"),
        "{}",
        run.output()
    );
    assert!(
        !tenant.administrative_unit_names().contains(&name),
        "nothing was created"
    );

    // The unit alone applies; with the member back in the configuration, destroy is
    // not blocked by the member that never existed.
    ws.write(&unit(&name, DYNAMIC));
    ws.apply();
    ws.write(&format!("{}{}", unit(&name, DYNAMIC), members(1)));
    ws.destroy();
    assert!(!tenant.administrative_unit_names().contains(&name));
}

#[test]
fn importing_a_member_of_a_dynamic_unit_is_refused() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-impdyn-{}", suffix());
    ws.write(&unit(&name, DYNAMIC));
    ws.apply();
    let au = unit_id(&ws);
    ws.write(&format!(
        "{}\nimport {{\n  to = entra_au_member.m\n  id = \"{au}/members/{}\"\n}}\n\nresource \"entra_au_member\" \"m\" {{\n  administrative_unit_id = entra_administrative_unit.au.id\n  member_id              = \"{}\"\n}}\n",
        unit(&name, DYNAMIC),
        user(1),
        user(1)
    ));
    plan_fails(&ws, &["Cannot import a member of a dynamic unit", &au]);
    ws.write(&unit(&name, DYNAMIC));
    ws.destroy();
}

#[test]
fn a_dynamic_unit_paused_outside_terraform_is_switched_back_on() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&unit(&format!("acctest-paused-{}", suffix()), DYNAMIC));
    ws.apply();
    let au = unit_id(&ws);
    let (status, _) = tenant.graph(
        Method::PATCH,
        &format!("/directory/administrativeUnits/{au}"),
        Some(json!({"membershipRuleProcessingState": "Paused"})),
    );
    assert_eq!(status, 204);
    tenant.settle();
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.au"),
        ["update"]
    );
    ws.apply();
    let (_, unit) = tenant.get(&format!("/directory/administrativeUnits/{au}"));
    assert_eq!(unit["membershipRuleProcessingState"], json!("On"));
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn prevent_duplicate_names_does_not_block_the_units_own_replacement() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-replace-{}", suffix());
    let hcl = |hidden: bool| {
        format!(
            "resource \"entra_administrative_unit\" \"au\" {{\n  display_name              = \"{name}\"\n  prevent_duplicate_names   = true\n  hidden_membership_enabled = {hidden}\n}}\n"
        )
    };
    ws.write(&hcl(false));
    ws.apply();
    let old = unit_id(&ws);
    ws.write(&hcl(true));
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.au"),
        ["delete", "create"]
    );
    ws.apply();
    assert_ne!(unit_id(&ws), old, "a replacement is a new object");
    let (status, _) = tenant.get(&format!("/directory/administrativeUnits/{old}"));
    assert_eq!(status, 404);
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn cheap_certain_checks_fail_at_plan_on_the_attribute() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();

    // A unit that does not exist, and one in the recycle bin.
    let missing = "0badc0de-0000-4000-8000-0000000000aa";
    ws.write(&format!(
        "resource \"entra_au_member\" \"m\" {{\n  administrative_unit_id = \"{missing}\"\n  member_id              = \"{}\"\n}}\n",
        user(1)
    ));
    plan_fails(&ws, &["Administrative unit not found", missing]);
    let (status, made) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": format!("acctest-binned-{}", suffix())})),
    );
    assert_eq!(status, 201);
    let binned = made["id"].as_str().unwrap().to_owned();
    let (status, _) = tenant.graph(
        Method::DELETE,
        &format!("/directory/administrativeUnits/{binned}"),
        None,
    );
    assert_eq!(status, 204);
    tenant.settle();
    ws.write(&format!(
        "resource \"entra_au_scoped_role_assignment\" \"a\" {{\n  administrative_unit_id = \"{binned}\"\n  role_definition_id     = \"{HELPDESK_ADMINISTRATOR}\"\n  principal_id           = \"{}\"\n}}\n",
        user(2)
    ));
    plan_fails(&ws, &["Administrative unit not found", "recycle bin"]);

    // A misspelt membership type: one diagnostic, with the right spelling.
    ws.write("resource \"entra_administrative_unit\" \"au\" {\n  display_name    = \"x\"\n  membership_type = \"dynamic\"\n  membership_rule = \"user.department -eq \\\"Sales\\\"\"\n}\n");
    let out = plan_fails(&ws, &["write \"Dynamic\""]);
    assert_eq!(out.matches("Error:").count(), 1, "{out}");

    // Control characters in a name or description.
    ws.write("resource \"entra_administrative_unit\" \"au\" {\n  display_name = \"Fin\\u0000ance\"\n  description  = \"two\\nlines\"\n}\n");
    let out = plan_fails(
        &ws,
        &["must not contain control characters", "U+0000", "U+000A"],
    );
    assert!(
        out.contains("display_name") && out.contains("description"),
        "{out}"
    );

    // A misspelt role name.
    ws.write(
        "data \"entra_role_definition\" \"r\" {\n  display_name = \"Helpdesk Adminstrator\"\n}\n",
    );
    plan_fails(
        &ws,
        &["Role not found", "Did you mean \"Helpdesk Administrator\"?"],
    );

    // A group that cannot hold a role.
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name = \"acctest-grp-{}\"\n}}\n\nresource \"entra_au_scoped_role_assignment\" \"a\" {{\n  administrative_unit_id = entra_administrative_unit.au.id\n  role_definition_id     = \"{HELPDESK_ADMINISTRATOR}\"\n  principal_id           = \"{}\"\n}}\n",
        suffix(),
        group(1)
    ));
    plan_fails(
        &ws,
        &[
            "Group cannot hold a directory role",
            "isAssignableToRole",
            "principal_id",
        ],
    );
}

#[test]
fn microsofts_own_rule_examples_on_string_collections_plan_and_apply() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&unit(
        &format!("acctest-mail-{}", suffix()),
        "  membership_type = \"Dynamic\"\n  membership_rule = \"user.proxyAddresses -notEndsWith \\\"@outlook.com\\\"\"\n",
    ));
    ws.apply();
    ws.assert_plan_empty();
    ws.write("resource \"entra_administrative_unit\" \"d\" {\n  display_name    = \"x\"\n  membership_type = \"Dynamic\"\n  membership_rule = \"device.operatingSystem -eq \\\"Windows\\\"\"\n}\n");
    plan_fails(&ws, &["device.deviceOSType"]);
    ws.write("");
    ws.destroy();
}
