//! Migrating from hashicorp/azuread with `moved` blocks (Terraform 1.8+): a stand-in
//! azuread provider, built from this repository's framework and installed through a
//! filesystem mirror as hashicorp/azuread 2.53.1 or 3.0.0, writes azuread-shaped
//! state; `moved` blocks then bring each object to this provider and the plan is
//! empty.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::json;

use crate::au_member::user;
use crate::helpers::{Tenant, Workspace, suffix};

const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

/// What the tenant holds for the migration, made as azuread would have made it.
struct Objects {
    unit_name: String,
    unit: String,
    directory_role: String,
    stand_in_ids: BTreeMap<String, String>,
}

fn seed(tenant: &Tenant) -> Objects {
    let unit_name = format!("acctest-move-{}", suffix());
    let (status, made) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": unit_name})),
    );
    assert_eq!(status, 201, "{made}");
    let unit = made["id"].as_str().unwrap().to_owned();
    let body = json!({"@odata.id": format!("{}/v1.0/directoryObjects/{}", tenant.emulator.url(), user(5))});
    let (status, _) = tenant.graph(
        Method::POST,
        &format!("/directory/administrativeUnits/{unit}/members/$ref"),
        Some(body),
    );
    assert_eq!(status, 204);
    // azuread's role member refers to the activated directory role object.
    let (srm, directory_role) =
        tenant.add_scoped_role_member(&unit, HELPDESK_ADMINISTRATOR, &user(6));
    let scope = format!("/administrativeUnits/{unit}");
    let (status, assignment) = tenant.graph(
        Method::POST,
        "/roleManagement/directory/roleAssignments",
        Some(json!({"roleDefinitionId": HELPDESK_ADMINISTRATOR, "principalId": user(7), "directoryScopeId": scope})),
    );
    assert_eq!(status, 201, "{assignment}");
    let stand_in_ids = BTreeMap::from([
        (format!("unit:{unit_name}"), unit.clone()),
        (
            format!("role_member:{unit}/{directory_role}/{}", user(6)),
            srm["id"].as_str().unwrap().to_owned(),
        ),
        (
            format!("assignment:{HELPDESK_ADMINISTRATOR}/{}/{scope}", user(7)),
            assignment["id"].as_str().unwrap().to_owned(),
        ),
    ]);
    Objects {
        unit_name,
        unit,
        directory_role,
        stand_in_ids,
    }
}

/// Installs the stand-in as hashicorp/azuread `version` in a filesystem mirror next
/// to the workspace, keeping the dev override for this provider.
fn install_stand_in(ws: &Workspace, version: &str) {
    let root = ws.config_dir().parent().unwrap().to_path_buf();
    let platform = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-entra"));
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let dir = root
        .join("mirror/registry.terraform.io/hashicorp/azuread")
        .join(version)
        .join(format!("{}_{arch}", std::env::consts::OS));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_azuread-stand-in"),
        dir.join(format!("terraform-provider-azuread_v{version}")),
    )
    .unwrap();
    let plugins = root.join("plugins");
    assert!(platform.exists());
    let rc = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"entra-au/entra\" = \"{}\"\n  }}\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/hashicorp/azuread\"]\n  }}\n}}\n",
        plugins.display(),
        root.join("mirror").display()
    );
    std::fs::write(root.join("terraformrc"), rc).unwrap();
}

/// The `terraform` block: azuread alone before the move (so `init` installs it from
/// the mirror), and this provider beside it (a dev override, no `init`) after.
fn providers(version: &str, with_entra: bool) -> String {
    let entra = if with_entra {
        "    entra = {\n      source = \"entra-au/entra\"\n    }\n"
    } else {
        ""
    };
    let configure = if with_entra {
        "\nprovider \"entra\" {}\n"
    } else {
        ""
    };
    format!(
        "terraform {{\n  required_providers {{\n    azuread = {{\n      source  = \"hashicorp/azuread\"\n      version = \"{version}\"\n    }}\n{entra}  }}\n}}\n\nprovider \"azuread\" {{}}\n{configure}"
    )
}

fn azuread_config(version: &str, o: &Objects) -> String {
    format!(
        r#"{}
resource "azuread_administrative_unit" "hospital" {{
  display_name = "{}"
}}

resource "azuread_administrative_unit_member" "alex" {{
  administrative_unit_object_id = "{unit}"
  member_object_id              = "{}"
}}

resource "azuread_administrative_unit_role_member" "helpdesk" {{
  administrative_unit_object_id = "{unit}"
  role_object_id                = "{}"
  member_object_id              = "{}"
}}

resource "azuread_directory_role_assignment" "scoped" {{
  role_id             = "{HELPDESK_ADMINISTRATOR}"
  principal_object_id = "{}"
  directory_scope_id  = "/administrativeUnits/{unit}"
}}
"#,
        providers(version, false),
        o.unit_name,
        user(5),
        o.directory_role,
        user(6),
        user(7),
        unit = o.unit,
    )
}

fn entra_config(version: &str, o: &Objects) -> String {
    let mut hcl = format!(
        r#"{}
resource "entra_administrative_unit" "hospital" {{
  display_name = "{}"
}}

resource "entra_au_member" "alex" {{
  administrative_unit_id = entra_administrative_unit.hospital.id
  member_id              = "{}"
}}

resource "entra_au_scoped_role_assignment" "helpdesk" {{
  administrative_unit_id = entra_administrative_unit.hospital.id
  role_definition_id     = "{HELPDESK_ADMINISTRATOR}"
  principal_id           = "{}"
}}

resource "entra_au_scoped_role_assignment" "scoped" {{
  administrative_unit_id = entra_administrative_unit.hospital.id
  role_definition_id     = "{HELPDESK_ADMINISTRATOR}"
  principal_id           = "{}"
}}
"#,
        providers(version, true),
        o.unit_name,
        user(5),
        user(6),
        user(7),
    );
    for (from, to) in [
        (
            "azuread_administrative_unit.hospital",
            "entra_administrative_unit.hospital",
        ),
        (
            "azuread_administrative_unit_member.alex",
            "entra_au_member.alex",
        ),
        (
            "azuread_administrative_unit_role_member.helpdesk",
            "entra_au_scoped_role_assignment.helpdesk",
        ),
        (
            "azuread_directory_role_assignment.scoped",
            "entra_au_scoped_role_assignment.scoped",
        ),
    ] {
        hcl.push_str(&format!("\nmoved {{\n  from = {from}\n  to   = {to}\n}}\n"));
    }
    hcl
}

fn migrate_from(version: &str) {
    let tenant = Tenant::start();
    let objects = seed(&tenant);
    let ws = tenant.workspace();
    install_stand_in(&ws, version);
    let ids = serde_json::to_string(&objects.stand_in_ids).unwrap();
    let env = [("AZUREAD_STAND_IN_IDS", ids.as_str())];
    let main = ws.config_dir().join("main.tf");
    std::fs::write(&main, azuread_config(version, &objects)).unwrap();
    let run = ws.run_with_env(&["init", "-input=false", "-no-color"], &env);
    assert_eq!(run.status, 0, "{}", run.output());
    let run = ws.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &env,
    );
    assert_eq!(run.status, 0, "{}", run.output());
    let state = ws.state_file();
    assert!(
        state.contains("\"type\": \"azuread_administrative_unit_role_member\""),
        "{state}"
    );

    std::fs::write(&main, entra_config(version, &objects)).unwrap();
    // Terraform moves state offline; without a refresh the role member's
    // assignment is not found yet, and the plan says so instead of replacing it.
    let run = ws.run_with_env(
        &["plan", "-refresh=false", "-input=false", "-no-color"],
        &env,
    );
    assert_ne!(run.status, 0);
    assert!(
        run.output().contains("Moved state not read yet"),
        "{}",
        run.output()
    );
    let run = ws.run_with_env(&["plan", "-input=false", "-no-color"], &env);
    assert_eq!(run.status, 0, "{}", run.output());
    let out = run.output();
    assert!(
        out.contains("Plan: 0 to add, 0 to change, 0 to destroy") || out.contains("No changes"),
        "the moved objects plan no change:\n{out}"
    );
    assert!(
        out.contains("has moved to entra_au_scoped_role_assignment.helpdesk"),
        "{out}"
    );
    let run = ws.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &env,
    );
    assert_eq!(run.status, 0, "{}", run.output());
    let run = ws.run_with_env(
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        &env,
    );
    assert_eq!(run.status, 0, "the next plan is empty:\n{}", run.output());
    let listed = ws.run_with_env(&["state", "list"], &env).stdout;
    assert!(!listed.contains("azuread_"), "{listed}");
    assert_eq!(
        ws.state_values("entra_au_member.alex")["member_type"],
        json!("user")
    );
}

#[test]
fn azuread_2_resources_move_with_moved_blocks_and_plan_empty() {
    migrate_from("2.53.1");
}

#[test]
fn azuread_3_resources_move_with_moved_blocks_and_plan_empty() {
    migrate_from("3.0.0");
}
