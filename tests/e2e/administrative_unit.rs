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
    assert_eq!(ws.planned_actions("entra_administrative_unit.test"), ["update"]);
    ws.apply();
    assert_eq!(ws.state_values("entra_administrative_unit.test")["id"], json!(id));
    let (_, au) = tenant.get(&format!("/directory/administrativeUnits/{id}"));
    assert_eq!(au["description"], json!("second"));
    ws.assert_plan_empty();

    // Import into a fresh state, with our id form and with azuread's.
    for import_id in [id.clone(), format!("/directory/administrativeUnits/{id}")] {
        let other = tenant.workspace();
        other.write(&config(&name, "second"));
        other.ok(&["import", "-input=false", "-no-color", "entra_administrative_unit.test", &import_id]);
        let imported = other.state_values("entra_administrative_unit.test");
        assert_eq!(imported["id"], json!(id));
        assert_eq!(imported["display_name"], json!(name));
        assert_eq!(imported["description"], json!("second"));
        other.assert_plan_empty();
    }

    // Deleted out of band: the plan re-creates it.
    let (status, _) = tenant.graph(Method::DELETE, &format!("/directory/administrativeUnits/{id}"), None);
    assert_eq!(status, 204);
    assert_eq!(ws.planned_actions("entra_administrative_unit.test"), ["create"]);
    ws.apply();
    let recreated = ws.state_values("entra_administrative_unit.test")["id"].as_str().unwrap().to_owned();
    assert_ne!(recreated, id);
    assert_eq!(tenant.administrative_unit_names().iter().filter(|n| **n == name).count(), 1);

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
    let id = ws.state_values("entra_administrative_unit.test")["id"].as_str().unwrap().to_owned();
    let (status, _) = tenant.graph(
        Method::PATCH,
        &format!("/directory/administrativeUnits/{id}"),
        Some(json!({"description": "changed by hand"})),
    );
    assert_eq!(status, 204);
    assert_eq!(ws.planned_actions("entra_administrative_unit.test"), ["update"]);
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
    assert!(out.contains("display_name"), "the error points at the attribute:\n{out}");
    assert_eq!(tenant.stats()["total"], json!(0), "nothing reached Graph");
}

#[test]
fn importing_a_malformed_id_says_what_is_expected() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&config("x", "y"));
    let run = ws.run(&["import", "-input=false", "-no-color", "entra_administrative_unit.test", "not-a-guid"]);
    assert_ne!(run.status, 0);
    assert!(run.output().contains("expected an object id"), "{}", run.output());
}
