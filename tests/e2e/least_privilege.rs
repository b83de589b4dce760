//! The provider works for a service principal holding only
//! AdministrativeUnit.ReadWrite.All and RoleManagement.ReadWrite.Directory: every
//! resource type applies, re-plans empty and destroys.

use serde_json::json;

use crate::au_member::{group, user};
use crate::helpers::{Tenant, suffix};

/// The emulator's built-in least-privilege app registration.
pub(crate) const LEAST_CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000a002";
pub(crate) const LEAST_CLIENT_SECRET: &str = "least~Secret.NotForProduction-0002";

#[test]
fn every_resource_works_with_least_privilege() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    let name = format!("acctest-least-{}", suffix());
    ws.write(&format!(
        r#"resource "entra_administrative_unit" "au" {{
  display_name = "{name}"
}}

resource "entra_administrative_unit" "dynamic" {{
  display_name    = "{name}-dynamic"
  membership_type = "Dynamic"
  membership_rule = "user.department -eq \"Sales\""
}}

resource "entra_au_member" "user" {{
  administrative_unit_id = entra_administrative_unit.au.id
  member_id              = "{}"
}}

resource "entra_au_member" "group" {{
  administrative_unit_id = entra_administrative_unit.au.id
  member_id              = "{}"
}}

resource "entra_administrative_unit" "listed" {{
  display_name = "{name}-listed"
}}

resource "entra_au_members" "listed" {{
  administrative_unit_id = entra_administrative_unit.listed.id
  member_ids             = ["{}", "{}"]
}}

resource "entra_au_scoped_role_assignment" "helpdesk" {{
  administrative_unit_id = entra_administrative_unit.au.id
  role_definition_id     = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
  principal_id           = "{}"
}}

resource "entra_custom_role" "members" {{
  display_name             = "{name}-role"
  allowed_resource_actions = ["microsoft.directory/groups/members/update"]
}}

resource "entra_au_scoped_role_assignment" "custom" {{
  administrative_unit_id = entra_administrative_unit.au.id
  role_definition_id     = entra_custom_role.members.id
  principal_id           = "{}"
}}
"#,
        user(11),
        group(1),
        user(13),
        group(2),
        user(12),
        user(14)
    ));
    let least = [
        ("ARM_CLIENT_ID", LEAST_CLIENT_ID),
        ("ARM_CLIENT_SECRET", LEAST_CLIENT_SECRET),
    ];
    for args in [
        &["apply", "-auto-approve", "-input=false", "-no-color"][..],
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"][..],
    ] {
        let run = ws.run_with_env(args, &least);
        assert_eq!(
            run.status,
            0,
            "terraform {args:?} as the least-privilege app:\n{}",
            run.output()
        );
    }
    assert_eq!(
        ws.state_values("entra_au_member.user")["member_type"],
        json!("user")
    );
    assert_eq!(
        ws.state_values("entra_au_member.group")["member_type"],
        json!("group")
    );
    // Without Directory.Read.All the list learns types from the unit instead.
    let listed = ws.state_values("entra_au_members.listed");
    assert_eq!(listed["member_types"][user(13)], json!("user"));
    assert_eq!(listed["member_types"][group(2)], json!("group"));
    let run = ws.run_with_env(
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
        &least,
    );
    assert_eq!(run.status, 0, "{}", run.output());
}

#[test]
fn a_missing_permission_is_explained() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(
        "resource \"entra_administrative_unit\" \"au\" {\n  display_name = \"no-permission\"\n}\n",
    );
    let run = ws.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[
            ("ARM_CLIENT_ID", "c0ffee00-0000-4000-8000-00000000a004"),
            ("ARM_CLIENT_SECRET", "noperm~Secret.NotForProduction-0004"),
        ],
    );
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(
        out.contains("Creating administrative unit \"no-permission\""),
        "{out}"
    );
    assert!(out.contains("403 Authorization_RequestDenied"), "{out}");
    assert!(out.contains("AdministrativeUnit.ReadWrite.All"), "{out}");
}
