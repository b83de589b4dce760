//! `entra_au_member` through real Terraform.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Tenant, suffix};

/// Demo tenant objects (see entra-emulator's built-in tenant).
pub(crate) fn user(n: usize) -> String {
    format!("c0ffee00-0000-4000-8001-{n:012}")
}
pub(crate) fn group(n: usize) -> String {
    format!("c0ffee00-0000-4000-8002-{n:012}")
}
pub(crate) fn device(n: usize) -> String {
    format!("c0ffee00-0000-4000-8003-{n:012}")
}

fn config(name: &str, members: &[(&str, String)]) -> String {
    let mut hcl = format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name = \"{name}\"\n}}\n"
    );
    for (label, id) in members {
        hcl.push_str(&format!(
            "\nresource \"entra_au_member\" \"{label}\" {{\n  administrative_unit_id = entra_administrative_unit.au.id\n  member_id              = \"{id}\"\n}}\n"
        ));
    }
    hcl
}

fn member_ids(tenant: &Tenant, au: &str) -> Vec<String> {
    let (status, body) = tenant.get(&format!(
        "/directory/administrativeUnits/{au}/members?$select=id"
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

#[test]
fn members_of_each_kind_are_added_typed_and_removed() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&config(
        &name,
        &[("u", user(1)), ("g", group(2)), ("d", device(1))],
    ));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut expected = vec![user(1), group(2), device(1)];
    expected.sort();
    assert_eq!(member_ids(&tenant, &au), expected);
    for (label, kind, id) in [
        ("u", "user", user(1)),
        ("g", "group", group(2)),
        ("d", "device", device(1)),
    ] {
        let state = ws.state_values(&format!("entra_au_member.{label}"));
        assert_eq!(state["member_type"], json!(kind));
        assert_eq!(state["id"], json!(format!("{au}/members/{id}")));
    }
    ws.assert_plan_empty();

    // Changing the member replaces the membership.
    ws.write(&config(
        &name,
        &[("u", user(2)), ("g", group(2)), ("d", device(1))],
    ));
    assert_eq!(
        ws.planned_actions("entra_au_member.u"),
        ["delete", "create"]
    );
    ws.apply();
    assert!(member_ids(&tenant, &au).contains(&user(2)));
    assert!(!member_ids(&tenant, &au).contains(&user(1)));
    ws.assert_plan_empty();

    ws.destroy();
    let (status, _) = tenant.get(&format!("/directory/administrativeUnits/{au}"));
    assert_eq!(status, 404);
}

#[test]
fn drift_is_detected_but_foreign_members_are_left_alone() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&config(
        &format!("acctest-au-{}", suffix()),
        &[("u", user(3))],
    ));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone adds another member by hand: this resource manages one membership only.
    let body = json!({"@odata.id": format!("{}/v1.0/directoryObjects/{}", tenant.emulator.url(), user(4))});
    let (status, _) = tenant.graph(
        Method::POST,
        &format!("/directory/administrativeUnits/{au}/members/$ref"),
        Some(body),
    );
    assert_eq!(status, 204);
    ws.assert_plan_empty();

    // Our membership removed by hand: planned for re-creation, and restored.
    let (status, _) = tenant.graph(
        Method::DELETE,
        &format!(
            "/directory/administrativeUnits/{au}/members/{}/$ref",
            user(3)
        ),
        None,
    );
    assert_eq!(status, 204);
    assert_eq!(ws.planned_actions("entra_au_member.u"), ["create"]);
    ws.apply();
    assert_eq!(member_ids(&tenant, &au), vec![user(3), user(4)]);
    ws.destroy();
    assert!(
        tenant
            .get(&format!("/directory/administrativeUnits/{au}"))
            .0
            == 404
    );
}

#[test]
fn an_existing_membership_must_be_imported_and_both_id_forms_import() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&config(&name, &[]));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"@odata.id": format!("{}/v1.0/directoryObjects/{}", tenant.emulator.url(), user(5))});
    let (status, _) = tenant.graph(
        Method::POST,
        &format!("/directory/administrativeUnits/{au}/members/$ref"),
        Some(body),
    );
    assert_eq!(status, 204);

    ws.write(&config(&name, &[("u", user(5))]));
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Membership already exists"), "{out}");
    assert!(
        out.contains(&format!(
            "terraform import entra_au_member.<name> {au}/members/{}",
            user(5)
        )),
        "{out}"
    );

    // terraform import with our id form.
    ws.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "entra_au_member.u",
        &format!("{au}/members/{}", user(5)),
    ]);
    assert_eq!(
        ws.state_values("entra_au_member.u")["member_type"],
        json!("user")
    );
    ws.assert_plan_empty();

    // An import block with the azuread id form, in a fresh state.
    let other = tenant.workspace();
    let import_block = format!(
        "import {{\n  to = entra_au_member.u\n  id = \"/directory/administrativeUnits/{au}/members/{}\"\n}}\n\nresource \"entra_au_member\" \"u\" {{\n  administrative_unit_id = \"{au}\"\n  member_id              = \"{}\"\n}}\n",
        user(5),
        user(5)
    );
    other.write(&import_block);
    let plan = other.plan_json();
    let change = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "entra_au_member.u")
        .unwrap()
        .clone();
    assert_eq!(change["change"]["actions"], json!(["no-op"]), "{change}");
    assert!(change["change"]["importing"].is_object(), "{change}");
    other.apply();
    assert_eq!(
        other.state_values("entra_au_member.u")["id"],
        json!(format!("{au}/members/{}", user(5)))
    );
    ws.destroy();
}

#[test]
fn members_of_a_dynamic_unit_are_refused_at_plan() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name    = \"acctest-dyn-{}\"\n  membership_type = \"Dynamic\"\n  membership_rule = \"user.department -eq \\\"Finance\\\"\"\n}}\n",
        suffix()
    ));
    ws.apply();
    let au = ws.state_values("entra_administrative_unit.au")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"au\" {{\n  display_name    = \"x\"\n  membership_type = \"Dynamic\"\n  membership_rule = \"user.department -eq \\\"Finance\\\"\"\n}}\n\nresource \"entra_au_member\" \"m\" {{\n  administrative_unit_id = \"{au}\"\n  member_id              = \"{}\"\n}}\n",
        user(1)
    ));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(
        out.contains("Administrative unit has dynamic membership"),
        "{out}"
    );
    assert!(out.contains("administrative_unit_id"), "{out}");
}

#[test]
fn malformed_ids_fail_at_plan_on_the_attribute() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write("resource \"entra_au_member\" \"m\" {\n  administrative_unit_id = \"not-a-guid\"\n  member_id              = \"also-bad\"\n}\n");
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Invalid object id"), "{out}");
    assert!(
        out.contains("administrative_unit_id") && out.contains("member_id"),
        "{out}"
    );
    let run = ws.run(&[
        "import",
        "-input=false",
        "-no-color",
        "entra_au_member.m",
        "nonsense",
    ]);
    assert!(
        run.output()
            .contains("{administrative_unit_id}/members/{member_id}"),
        "{}",
        run.output()
    );
}
