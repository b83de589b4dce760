//! `entra_administrative_unit` through real Terraform.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Tenant, suffix};

fn config(name: &str, description: &str) -> String {
    format!(
        r#"resource "entra_administrative_unit" "test" {{
  display_name = "{name}"
  description  = "{description}"
}}
"#
    )
}

#[test]
fn administrative_unit_lifecycle() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());

    // Create.
    ws.write(&config(&name, "first"));
    ws.apply();
    let state = ws.state_values("entra_administrative_unit.test");
    let id = state["id"].as_str().expect("id in state").to_owned();
    assert_eq!(id.len(), 36, "object id is a GUID: {id}");
    let (status, au) = tenant.get(&format!("/directory/administrativeUnits/{id}"));
    assert_eq!(status, 200);
    assert_eq!(au["displayName"], json!(name));
    assert_eq!(au["description"], json!("first"));
    ws.assert_plan_empty();

    // Update in place: same object, new description.
    ws.write(&config(&name, "second"));
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.test"),
        ["update"]
    );
    ws.apply();
    assert_eq!(
        ws.state_values("entra_administrative_unit.test")["id"],
        json!(id)
    );
    let (_, au) = tenant.get(&format!("/directory/administrativeUnits/{id}"));
    assert_eq!(au["description"], json!("second"));
    ws.assert_plan_empty();

    // Import into a fresh state, with our id form and with azuread's.
    for import_id in [id.clone(), format!("/directory/administrativeUnits/{id}")] {
        let other = tenant.workspace();
        other.write(&config(&name, "second"));
        other.ok(&[
            "import",
            "-input=false",
            "-no-color",
            "entra_administrative_unit.test",
            &import_id,
        ]);
        let imported = other.state_values("entra_administrative_unit.test");
        assert_eq!(imported["id"], json!(id));
        assert_eq!(imported["display_name"], json!(name));
        assert_eq!(imported["description"], json!("second"));
        other.assert_plan_empty();
    }

    // Deleted out of band: the plan re-creates it.
    let (status, _) = tenant.graph(
        Method::DELETE,
        &format!("/directory/administrativeUnits/{id}"),
        None,
    );
    assert_eq!(status, 204);
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.test"),
        ["create"]
    );
    ws.apply();
    let recreated = ws.state_values("entra_administrative_unit.test")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(recreated, id);
    assert_eq!(
        tenant
            .administrative_unit_names()
            .iter()
            .filter(|n| **n == name)
            .count(),
        1
    );

    // Destroy: nothing of ours is left.
    ws.destroy();
    assert!(!tenant.administrative_unit_names().contains(&name));
    let (status, _) = tenant.get(&format!("/directory/administrativeUnits/{recreated}"));
    assert_eq!(status, 404);
}

#[test]
fn a_property_changed_out_of_band_is_planned_back() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&config(&name, "managed"));
    ws.apply();
    let id = ws.state_values("entra_administrative_unit.test")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = tenant.graph(
        Method::PATCH,
        &format!("/directory/administrativeUnits/{id}"),
        Some(json!({"description": "changed by hand"})),
    );
    assert_eq!(status, 204);
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.test"),
        ["update"]
    );
    ws.apply();
    let (_, au) = tenant.get(&format!("/directory/administrativeUnits/{id}"));
    assert_eq!(au["description"], json!("managed"));
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn invalid_display_name_fails_at_plan_on_the_attribute() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let long = "x".repeat(257);
    ws.write(&config(&long, "too long"));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Value too long"), "{out}");
    assert!(
        out.contains("display_name"),
        "the error points at the attribute:\n{out}"
    );
    assert_eq!(tenant.stats()["total"], json!(0), "nothing reached Graph");
}

#[test]
fn importing_a_malformed_id_says_what_is_expected() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&config("x", "y"));
    let run = ws.run(&[
        "import",
        "-input=false",
        "-no-color",
        "entra_administrative_unit.test",
        "not-a-guid",
    ]);
    assert_ne!(run.status, 0);
    assert!(
        run.output().contains("expected an object id"),
        "{}",
        run.output()
    );
}

fn dynamic(name: &str, rule: &str, extra: &str) -> String {
    format!(
        "resource \"entra_administrative_unit\" \"test\" {{\n  display_name    = \"{name}\"\n  membership_type = \"Dynamic\"\n  membership_rule = {rule}\n{extra}}}\n"
    )
}

#[test]
fn dynamic_unit_rule_is_checked_at_plan_and_computes_members() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-dyn-{}", suffix());

    // A misspelled property fails the plan, pointing at the rule and the column.
    ws.write(&dynamic(&name, r#""user.departmnet -eq \"Finance\"""#, ""));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Invalid membership rule"), "{out}");
    assert!(
        out.contains(
            "column 1: unknown property \"user.departmnet\"; did you mean \"user.department\"?"
        ),
        "{out}"
    );
    assert!(out.contains("membership_rule"), "{out}");
    assert_eq!(tenant.stats()["total"], json!(0), "nothing reached Graph");

    // A valid rule plans and applies; Entra computes the members.
    ws.write(&dynamic(&name, r#""user.department -eq \"Finance\"""#, ""));
    ws.apply();
    let state = ws.state_values("entra_administrative_unit.test");
    assert_eq!(state["membership_rule_processing_state"], json!("On"));
    let id = state["id"].as_str().unwrap().to_owned();
    // Entra evaluates the rule some time after the unit is created.
    tenant.settle();
    let (_, members) = tenant.get(&format!("/directory/administrativeUnits/{id}/members"));
    let members = members["value"].as_array().unwrap().clone();
    assert!(!members.is_empty(), "the demo tenant has Finance users");
    for m in &members {
        let (_, user) = tenant.get(&format!(
            "/users/{}?$select=department",
            m["id"].as_str().unwrap()
        ));
        assert_eq!(user["department"], json!("Finance"));
    }
    ws.assert_plan_empty();

    // A cosmetic re-spelling of the same rule plans no change.
    ws.write(&dynamic(&name, r#""(user.Department -eq 'Finance')""#, ""));
    ws.assert_plan_empty();

    // Pausing, then switching to assigned, are updates in place.
    ws.write(&dynamic(
        &name,
        r#""user.department -eq \"Finance\"""#,
        "  membership_rule_processing_state = \"Paused\"\n",
    ));
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.test"),
        ["update"]
    );
    ws.apply();
    ws.assert_plan_empty();
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"test\" {{\n  display_name = \"{name}\"\n}}\n"
    ));
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.test"),
        ["update"]
    );
    ws.apply();
    let (_, au) = tenant.get(&format!("/directory/administrativeUnits/{id}"));
    assert!(
        au["membershipType"]
            .as_str()
            .is_none_or(|t| t.eq_ignore_ascii_case("assigned")),
        "{au}"
    );
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn rules_must_match_the_membership_type() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write("resource \"entra_administrative_unit\" \"a\" {\n  display_name    = \"a\"\n  membership_type = \"Dynamic\"\n}\n\nresource \"entra_administrative_unit\" \"b\" {\n  display_name    = \"b\"\n  membership_rule = \"user.department -eq \\\"Sales\\\"\"\n}\n\nresource \"entra_administrative_unit\" \"c\" {\n  display_name    = \"c\"\n  membership_type = \"Dynamic\"\n  membership_rule = \"(user.department -eq \\\"Sales\\\") -or (device.deviceOSType -eq \\\"Windows\\\")\"\n}\n");
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Missing membership rule"), "{out}");
    assert!(
        out.contains("Membership rule on an assigned administrative unit"),
        "{out}"
    );
    assert!(
        out.contains("Invalid membership rule"),
        "mixing users and devices is refused: {out}"
    );
}

#[test]
fn hidden_and_restricted_units_are_replaced_when_toggled() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    let hcl = |hidden: bool| {
        format!(
            "resource \"entra_administrative_unit\" \"test\" {{\n  display_name                  = \"{name}\"\n  hidden_membership_enabled     = {hidden}\n  restricted_management_enabled = true\n}}\n"
        )
    };
    ws.write(&hcl(true));
    ws.apply();
    let id = ws.state_values("entra_administrative_unit.test")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, au) = tenant.get(&format!("/directory/administrativeUnits/{id}"));
    assert_eq!(au["visibility"], json!("HiddenMembership"));
    assert_eq!(au["isMemberManagementRestricted"], json!(true));
    ws.assert_plan_empty();
    ws.write(&hcl(false));
    assert_eq!(
        ws.planned_actions("entra_administrative_unit.test"),
        ["delete", "create"]
    );
    ws.apply();
    assert_ne!(
        ws.state_values("entra_administrative_unit.test")["id"],
        json!(id)
    );
    ws.destroy();
}

#[test]
fn duplicate_names_are_refused_when_asked_and_timeouts_are_checked() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-dup-{}", suffix());
    let (status, _) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": name})),
    );
    assert_eq!(status, 201);
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"test\" {{\n  display_name            = \"{name}\"\n  prevent_duplicate_names = true\n  timeouts {{\n    create = \"2m\"\n  }}\n}}\n"
    ));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Duplicate administrative unit name"), "{out}");
    assert!(
        out.contains("terraform import entra_administrative_unit."),
        "{out}"
    );

    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"test\" {{\n  display_name = \"{name}-2\"\n  timeouts {{\n    create = \"soon\"\n  }}\n}}\n"
    ));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output().contains("Invalid duration"),
        "{}",
        run.output()
    );
}
