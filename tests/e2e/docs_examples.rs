//! The per-type examples the docs pages show (examples/provider, examples/resources/<type>,
//! examples/data-sources/<type>): each is formatted, valid and applies against the
//! emulator; every import.sh command imports; every resource and data source has a page
//! that embeds its example.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::helpers::{Tenant, Workspace};

/// The ids the import.sh files use as placeholders.
const EXAMPLE_AU: &str = "5d107bba-d8e2-4e13-b6ae-884be90e5d1a";
const EXAMPLE_MEMBER: &str = "f8ca5a85-489a-49a0-b555-0a6d81e56f0d";
const EXAMPLE_ASSIGNMENT: &str = "lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1";
const EXAMPLE_SCOPED_ROLE_MEMBER: &str =
    "zTVcE8KFQ0W4bI9tvt6kz-5AOA62QHJLgnvAbh9Z0r7uQTWi6U_yTLYoEC66749-U";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A workspace with the provider block (main.tf) plus the example's `.tf` file, applied.
fn apply_example(tenant: &Tenant, dir: &str, file: &str) -> Workspace {
    let ws = tenant.workspace();
    ws.write("");
    ws.use_example(dir);
    ws.ok(&["fmt", "-check", "-diff", file]);
    ws.ok(&["validate", "-no-color"]);
    ws.apply();
    ws.assert_plan_empty();
    ws
}

fn output(ws: &Workspace, name: &str) -> Json {
    let run = ws.ok(&["output", "-json", name]);
    serde_json::from_str(&run.stdout).expect("output json")
}

fn id_of(ws: &Workspace, address: &str) -> String {
    ws.state_values(address)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{address} has no id in state"))
        .to_owned()
}

/// Runs each `terraform import ADDRESS ID` line of `import_sh`, with the placeholder ids
/// replaced, after `terraform state rm ADDRESS`, then the same as the page's `import`
/// block; the plan must stay empty after each. Returns how many.
fn import_as_documented(ws: &Workspace, import_sh: &str, ids: &[(&str, String)]) -> usize {
    let mut imported = 0;
    for line in read(import_sh)
        .lines()
        .filter(|l| l.starts_with("terraform import "))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [_, _, address, example_id] = words[..] else {
            panic!("{import_sh}: expected `terraform import ADDRESS ID`, got {line:?}");
        };
        let id = ids
            .iter()
            .fold(example_id.to_owned(), |id, (from, to)| id.replace(from, to));
        assert_ne!(id, example_id, "{import_sh}: no placeholder id in {line:?}");
        ws.ok(&["state", "rm", address]);
        ws.ok(&["import", "-input=false", "-no-color", address, &id]);
        ws.assert_plan_empty();
        ws.ok(&["state", "rm", address]);
        let block = ws.config_dir().join("import.tf");
        std::fs::write(
            &block,
            format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"),
        )
        .expect("write the import block");
        let applied = ws.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert!(
            applied
                .stdout
                .contains("1 imported, 0 added, 0 changed, 0 destroyed"),
            "{}",
            applied.output()
        );
        std::fs::remove_file(&block).expect("remove the import block");
        ws.assert_plan_empty();
        imported += 1;
    }
    imported
}

fn administrative_unit_names(tenant: &Tenant) -> BTreeSet<String> {
    tenant.administrative_unit_names().into_iter().collect()
}

#[test]
fn provider_example_is_valid_and_plans() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.use_example("examples/provider");
    ws.ok(&["fmt", "-check", "-diff", "provider.tf"]);
    ws.ok(&["validate", "-no-color"]);
    ws.assert_plan_empty();
}

#[test]
fn administrative_unit_example_applies_and_imports() {
    let tenant = Tenant::start();
    let before = administrative_unit_names(&tenant);
    let ws = apply_example(
        &tenant,
        "examples/resources/entra_administrative_unit",
        "resource.tf",
    );
    let added: Vec<String> = administrative_unit_names(&tenant)
        .difference(&before)
        .cloned()
        .collect();
    assert_eq!(added, ["Executives", "Finance", "St. Mary's Hospital"]);
    let executives = ws.state_values("entra_administrative_unit.executives");
    assert_eq!(executives["restricted_management_enabled"], json!(true));
    assert_eq!(executives["hidden_membership_enabled"], json!(true));
    let finance = ws.state_values("entra_administrative_unit.finance");
    assert_eq!(finance["membership_rule_processing_state"], json!("On"));

    let au = id_of(&ws, "entra_administrative_unit.hospital");
    let imported = import_as_documented(
        &ws,
        "examples/resources/entra_administrative_unit/import.sh",
        &[(EXAMPLE_AU, au)],
    );
    assert_eq!(imported, 2, "both id forms");
    ws.destroy();
    assert_eq!(administrative_unit_names(&tenant), before);
}

#[test]
fn au_member_example_applies_and_imports() {
    let tenant = Tenant::start();
    let ws = apply_example(&tenant, "examples/resources/entra_au_member", "resource.tf");
    assert_eq!(
        ws.state_values("entra_au_member.alex")["member_type"],
        json!("user")
    );
    assert_eq!(
        ws.state_values("entra_au_member.sales")["member_type"],
        json!("group")
    );
    let au = id_of(&ws, "entra_administrative_unit.hospital");
    let (status, members) = tenant.get(&format!("/directory/administrativeUnits/{au}/members"));
    assert_eq!(status, 200, "{members}");
    assert_eq!(members["value"].as_array().map(Vec::len), Some(2));

    let member = ws.state_values("entra_au_member.alex")["member_id"]
        .as_str()
        .expect("member_id")
        .to_owned();
    let imported = import_as_documented(
        &ws,
        "examples/resources/entra_au_member/import.sh",
        &[(EXAMPLE_AU, au), (EXAMPLE_MEMBER, member)],
    );
    assert_eq!(imported, 2, "both id forms");
    ws.destroy();
}

#[test]
fn au_members_example_applies_and_imports() {
    let tenant = Tenant::start();
    let ws = apply_example(
        &tenant,
        "examples/resources/entra_au_members",
        "resource.tf",
    );
    let au = id_of(&ws, "entra_administrative_unit.finance");
    let types = output(&ws, "member_types");
    let types = types.as_object().expect("member_types map");
    assert!(!types.is_empty(), "Finance has enabled users");
    assert!(types.values().all(|t| t == "user"), "{types:?}");
    tenant.settle();
    let (status, members) = tenant.get(&format!(
        "/directory/administrativeUnits/{au}/members?$select=id"
    ));
    assert_eq!(status, 200, "{members}");
    assert_eq!(members["value"].as_array().map(Vec::len), Some(types.len()));
    let imported = import_as_documented(
        &ws,
        "examples/resources/entra_au_members/import.sh",
        &[(EXAMPLE_AU, au)],
    );
    assert_eq!(imported, 1);
    ws.destroy();
}

#[test]
fn custom_role_example_applies_and_imports() {
    let tenant = Tenant::start();
    let ws = apply_example(
        &tenant,
        "examples/resources/entra_custom_role",
        "resource.tf",
    );
    let role = id_of(&ws, "entra_custom_role.group_provisioner");
    let assignment = ws.state_values("entra_au_scoped_role_assignment.integration");
    assert_eq!(assignment["role_definition_id"], json!(role));
    let imported = import_as_documented(
        &ws,
        "examples/resources/entra_custom_role/import.sh",
        &[("3f6c9a2e-7d4b-4c1a-9e8f-2b5d6a7c8e90", role)],
    );
    assert_eq!(imported, 1);
    ws.destroy();
}

#[test]
fn au_scoped_role_assignment_example_applies_and_imports() {
    let tenant = Tenant::start();
    let ws = apply_example(
        &tenant,
        "examples/resources/entra_au_scoped_role_assignment",
        "resource.tf",
    );
    let assignment = ws.state_values("entra_au_scoped_role_assignment.helpdesk");
    assert_eq!(
        assignment["role_display_name"],
        json!("Helpdesk Administrator")
    );
    assert_eq!(assignment["principal_type"], json!("group"));

    let au = id_of(&ws, "entra_administrative_unit.hospital");
    let (status, scoped) = tenant.graph(
        Method::GET,
        &format!("/directory/administrativeUnits/{au}/scopedRoleMembers"),
        None,
    );
    assert_eq!(status, 200, "{scoped}");
    let scoped_member = scoped["value"][0]["id"]
        .as_str()
        .expect("a scoped role member")
        .to_owned();
    let imported = import_as_documented(
        &ws,
        "examples/resources/entra_au_scoped_role_assignment/import.sh",
        &[
            (
                EXAMPLE_ASSIGNMENT,
                id_of(&ws, "entra_au_scoped_role_assignment.helpdesk"),
            ),
            (EXAMPLE_AU, au),
            (EXAMPLE_SCOPED_ROLE_MEMBER, scoped_member),
        ],
    );
    assert_eq!(imported, 2, "both id forms");
    ws.destroy();
}

/// Applies a data source example and returns its output `name`.
fn data_source_output(data_source: &str, name: &str) -> Json {
    let tenant = Tenant::start();
    let ws = apply_example(
        &tenant,
        &format!("examples/data-sources/{data_source}"),
        "data-source.tf",
    );
    output(&ws, name)
}

#[test]
fn administrative_unit_data_source_example_reads() {
    assert_eq!(
        data_source_output("entra_administrative_unit", "seattle_office_id"),
        json!("c0ffee00-0000-4000-8004-000000000001")
    );
}

#[test]
fn administrative_units_data_source_example_lists() {
    assert_eq!(
        data_source_output("entra_administrative_units", "seattle_unit_names"),
        json!(["Seattle Office"])
    );
}

#[test]
fn au_scoped_role_assignments_data_source_example_lists() {
    assert_eq!(
        data_source_output("entra_au_scoped_role_assignments", "seattle_roles"),
        json!(["Helpdesk Administrator: group c0ffee00-0000-4000-8002-000000000004"])
    );
}

#[test]
fn role_definition_data_source_example_reads() {
    assert_eq!(
        data_source_output("entra_role_definition", "helpdesk_administrator"),
        json!({"id": "729827e3-9c14-49f7-bb1b-9608f156bbb8", "au_scopable": true})
    );
}

#[test]
fn user_data_source_example_reads() {
    let adele = data_source_output("entra_user", "adele");
    assert_eq!(adele["id"], json!("c0ffee00-0000-4000-8001-000000000001"));
    assert!(adele["department"].is_string(), "{adele}");
}

#[test]
fn group_data_source_example_reads() {
    assert_eq!(
        data_source_output("entra_group", "helpdesk_group"),
        json!({"id": "c0ffee00-0000-4000-8002-000000000004", "is_assignable_to_role": true})
    );
}

#[test]
fn membership_rule_preview_data_source_example_previews() {
    let preview = data_source_output("entra_membership_rule_preview", "finance_preview");
    assert_eq!(preview["subject"], json!("user"));
    let names = preview["names"].as_array().expect("names");
    assert!(!names.is_empty(), "{preview}");
    assert_eq!(preview["count"], json!(names.len()));
}

#[test]
fn every_resource_and_data_source_has_a_page_embedding_its_example() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write("");
    let schema: Json =
        serde_json::from_str(&ws.ok(&["providers", "schema", "-json"]).stdout).expect("schema");
    let provider = &schema["provider_schemas"]["registry.terraform.io/entra-au/entra"];
    let index = read("docs/index.md");
    assert!(index.contains(read("examples/provider/provider.tf").trim_end()));
    for (key, docs_dir, examples_dir, files) in [
        (
            "resource_schemas",
            "resources",
            "examples/resources",
            &["resource.tf", "import.sh"][..],
        ),
        (
            "data_source_schemas",
            "data-sources",
            "examples/data-sources",
            &["data-source.tf"][..],
        ),
    ] {
        let types: BTreeSet<String> = provider[key]
            .as_object()
            .expect(key)
            .keys()
            .cloned()
            .collect();
        assert!(!types.is_empty(), "{key}");
        let example_dirs: BTreeSet<String> = std::fs::read_dir(repo(examples_dir))
            .expect(examples_dir)
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            example_dirs, types,
            "{examples_dir} has one directory per type"
        );
        for type_name in &types {
            let short = type_name.strip_prefix("entra_").expect("entra_ prefix");
            let page = read(&format!("docs/{docs_dir}/{short}.md"));
            for file in files {
                let example = read(&format!("{examples_dir}/{type_name}/{file}"));
                assert!(
                    page.contains(example.trim_end()),
                    "docs/{docs_dir}/{short}.md does not show {examples_dir}/{type_name}/{file}"
                );
            }
            let attributes = provider[key][type_name]["block"]["attributes"]
                .as_object()
                .expect("attributes");
            for name in attributes.keys() {
                assert!(
                    page.contains(&format!("- `{name}` (")),
                    "docs/{docs_dir}/{short}.md does not document `{name}`"
                );
            }
        }
    }
}

#[test]
fn the_terraform_version_the_docs_say_is_tested_is_the_one_tested() {
    let version = crate::helpers::terraform_version();
    let index = read("docs/index.md");
    assert!(
        index.contains(&format!("**{version}**")),
        "docs/index.md must name the Terraform version this suite runs ({version}) as tested"
    );
}
