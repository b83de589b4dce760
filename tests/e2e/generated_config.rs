//! `terraform plan -generate-config-out` on import blocks writes configuration that
//! then plans with no changes, for every resource.

use serde_json::json;

use crate::au_member::user;
use crate::helpers::{Tenant, suffix};

#[test]
fn generated_configuration_plans_no_changes() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-gen-{}", suffix());
    ws.write(&format!(
        r#"resource "entra_administrative_unit" "au" {{
  display_name    = "{name}"
  description     = "made elsewhere"
  membership_type = "Dynamic"
  membership_rule = "user.department -eq \"Legal\""
}}

resource "entra_administrative_unit" "assigned" {{
  display_name = "{name}-assigned"
}}

resource "entra_au_member" "m" {{
  administrative_unit_id = entra_administrative_unit.assigned.id
  member_id              = "{}"
}}

resource "entra_au_scoped_role_assignment" "a" {{
  administrative_unit_id = entra_administrative_unit.assigned.id
  role_definition_id     = "fe930be7-5e62-47db-91af-98c3a49a38b1"
  principal_id           = "{}"
}}
"#,
        user(16),
        user(17)
    ));
    ws.apply();
    let id = |addr: &str| ws.state_values(addr)["id"].as_str().unwrap().to_owned();
    let (au, assigned, member, assignment) = (
        id("entra_administrative_unit.au"),
        id("entra_administrative_unit.assigned"),
        id("entra_au_member.m"),
        id("entra_au_scoped_role_assignment.a"),
    );

    // A second team adopts everything with import blocks and generated configuration.
    let other = tenant.workspace();
    other.write(&format!(
        "import {{\n  to = entra_administrative_unit.au\n  id = \"/directory/administrativeUnits/{au}\"\n}}\n\n\
         import {{\n  to = entra_administrative_unit.assigned\n  id = \"{assigned}\"\n}}\n\n\
         import {{\n  to = entra_au_member.m\n  id = \"{member}\"\n}}\n\n\
         import {{\n  to = entra_au_scoped_role_assignment.a\n  id = \"{assignment}\"\n}}\n"
    ));
    let run = other.run(&[
        "plan",
        "-generate-config-out=generated.tf",
        "-input=false",
        "-no-color",
    ]);
    assert_eq!(run.status, 0, "{}", run.output());
    let generated =
        std::fs::read_to_string(other.config_dir().join("generated.tf")).expect("generated.tf");
    assert!(generated.contains("membership_rule"), "{generated}");
    let plan = other.plan_json();
    for change in plan["resource_changes"].as_array().unwrap() {
        assert_eq!(
            change["change"]["actions"],
            json!(["no-op"]),
            "{}: {change}",
            change["address"]
        );
        assert!(change["change"]["importing"].is_object(), "{change}");
    }
    other.apply();
    other.assert_plan_empty();
    assert_eq!(
        other.state_values("entra_au_member.m")["member_type"],
        json!("user")
    );
}
