//! Data sources through real Terraform.

use serde_json::{Value as Json, json};

use crate::au_member::user;
use crate::helpers::{Tenant, Workspace};

fn outputs(ws: &Workspace) -> Json {
    serde_json::from_str(&ws.ok(&["output", "-json"]).stdout).expect("outputs")
}

#[test]
fn lookups_by_each_key() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(&format!(
        r#"resource "entra_administrative_unit" "a" {{
  display_name = "Lookup Alpha"
  description  = "first"
}}

resource "entra_administrative_unit" "b" {{
  display_name = "Lookup Beta"
}}

data "entra_administrative_unit" "by_name" {{
  display_name = entra_administrative_unit.a.display_name
}}

data "entra_administrative_unit" "by_id" {{
  id = entra_administrative_unit.b.id
}}

data "entra_administrative_units" "lookups" {{
  display_name_prefix = "lookup"
  depends_on          = [entra_administrative_unit.a, entra_administrative_unit.b]
}}

data "entra_role_definition" "helpdesk" {{
  display_name = "Helpdesk Administrator"
}}

data "entra_role_definition" "global" {{
  id = "62e90394-69f5-4237-9190-012177145e10"
}}

data "entra_user" "by_upn" {{
  user_principal_name = "adelevance@contoso-demo.onmicrosoft.com"
}}

data "entra_user" "by_id" {{
  id = "{}"
}}

data "entra_group" "helpdesk" {{
  display_name = "Helpdesk Operators"
}}

output "by_name" {{ value = data.entra_administrative_unit.by_name }}
output "by_id" {{ value = data.entra_administrative_unit.by_id }}
output "lookups" {{ value = data.entra_administrative_units.lookups.administrative_units[*].display_name }}
output "helpdesk" {{ value = data.entra_role_definition.helpdesk }}
output "global" {{ value = data.entra_role_definition.global }}
output "adele" {{ value = data.entra_user.by_upn }}
output "alex" {{ value = data.entra_user.by_id }}
output "group" {{ value = data.entra_group.helpdesk }}
"#,
        user(2)
    ));
    ws.apply();
    let out = outputs(&ws);
    assert_eq!(out["by_name"]["value"]["description"], json!("first"));
    assert_eq!(out["by_id"]["value"]["display_name"], json!("Lookup Beta"));
    assert_eq!(
        out["lookups"]["value"],
        json!(["Lookup Alpha", "Lookup Beta"])
    );
    assert_eq!(out["helpdesk"]["value"]["au_scopable"], json!(true));
    assert_eq!(
        out["helpdesk"]["value"]["id"],
        json!("729827e3-9c14-49f7-bb1b-9608f156bbb8")
    );
    assert_eq!(out["global"]["value"]["au_scopable"], json!(false));
    assert_eq!(out["adele"]["value"]["id"], json!(user(1)));
    assert_eq!(out["alex"]["value"]["display_name"], json!("Alex Wilber"));
    assert_eq!(out["group"]["value"]["is_assignable_to_role"], json!(true));
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn lookups_need_exactly_one_key_and_report_misses() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(
        r#"data "entra_administrative_unit" "both" {
  id           = "5d107bba-d8e2-4e13-b6ae-884be90e5d1a"
  display_name = "x"
}
"#,
    );
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output()
            .contains("Set exactly one of \"id\" or \"display_name\""),
        "{}",
        run.output()
    );

    ws.write(
        "data \"entra_administrative_unit\" \"missing\" {\n  display_name = \"No Such Unit\"\n}\n",
    );
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output()
            .contains("No administrative unit is named \"No Such Unit\""),
        "{}",
        run.output()
    );
}

#[test]
fn rule_preview_selects_what_the_rule_says_and_rejects_bad_rules() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(
        r#"data "entra_membership_rule_preview" "engineers_in_germany" {
  rule = "(user.department -eq \"Engineering\") -and (user.country -eq \"Germany\")"
}

output "preview" { value = data.entra_membership_rule_preview.engineers_in_germany }
"#,
    );
    ws.apply();
    let preview = &outputs(&ws)["preview"]["value"];
    assert_eq!(preview["subject"], json!("user"));
    let ids = preview["object_ids"].as_array().unwrap();
    assert_eq!(preview["match_count"], json!(ids.len()));
    let (_, all) = tenant.get("/users?$select=id,department,country&$top=999");
    let expected = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["department"] == json!("Engineering") && u["country"] == json!("Germany"))
        .count();
    assert_eq!(ids.len(), expected, "{preview}");

    ws.write("data \"entra_membership_rule_preview\" \"bad\" {\n  rule = \"user.department -equals \\\"Sales\\\"\"\n}\n");
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output().contains("did you mean \"-eq\""),
        "{}",
        run.output()
    );
}
