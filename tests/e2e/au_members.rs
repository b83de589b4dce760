//! `entra_au_members` (the whole member list of a unit) through real Terraform,
//! under replication lag.

use reqwest::Method;
use serde_json::json;

use crate::au_member::{device, group, user};
use crate::helpers::{Tenant, Workspace, suffix};

/// A unit made by another tool (settled), with `members` in it.
fn existing_unit(tenant: &Tenant, extra: &str, members: &[String]) -> String {
    let (status, made) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(
            json!({"displayName": format!("acctest-list-{}", suffix())})
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    if !extra.is_empty() {
                        o.extend(
                            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(
                                extra,
                            )
                            .unwrap(),
                        );
                    }
                    serde_json::Value::Object(o)
                })
                .unwrap(),
        ),
    );
    assert_eq!(status, 201, "{made}");
    let au = made["id"].as_str().unwrap().to_owned();
    for member in members {
        add_by_hand(tenant, &au, member);
    }
    au
}

fn add_by_hand(tenant: &Tenant, au: &str, member: &str) {
    let body =
        json!({"@odata.id": format!("{}/v1.0/directoryObjects/{member}", tenant.emulator.url())});
    let (status, answer) = tenant.graph(
        Method::POST,
        &format!("/directory/administrativeUnits/{au}/members/$ref"),
        Some(body),
    );
    assert_eq!(status, 204, "{answer}");
}

/// The unit's members as the tenant holds them (not a lagging replica), sorted.
fn members_in_tenant(tenant: &Tenant, au: &str) -> Vec<String> {
    let (status, body) = tenant.get(&format!(
        "/directory/administrativeUnits/{au}/members?$select=id&$top=999"
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

fn list_config(au: &str, members: &[String], timeouts: &str) -> String {
    let ids = members
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "resource \"entra_au_members\" \"all\" {{\n  administrative_unit_id = \"{au}\"\n  member_ids             = [{ids}]\n{timeouts}}}\n"
    )
}

fn state_member_ids(ws: &Workspace) -> Vec<String> {
    let mut ids: Vec<String> = ws.state_values("entra_au_members.all")["member_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn a_member_list_is_applied_kept_authoritative_changed_and_destroyed() {
    let tenant = Tenant::start();
    let au = existing_unit(&tenant, "", &[]);
    let ws = tenant.workspace();
    let first = vec![user(1), group(2), device(1)];
    ws.write(&list_config(&au, &first, ""));
    ws.apply();
    assert_eq!(members_in_tenant(&tenant, &au), sorted(first.clone()));
    let state = ws.state_values("entra_au_members.all");
    assert_eq!(state["id"], json!(au));
    assert_eq!(state["member_types"][user(1)], json!("user"));
    assert_eq!(state["member_types"][group(2)], json!("group"));
    assert_eq!(state["member_types"][device(1)], json!("device"));
    ws.assert_plan_empty();

    // Someone adds a member by hand: the list is authoritative, so apply removes it.
    add_by_hand(&tenant, &au, &user(5));
    assert_eq!(ws.planned_actions("entra_au_members.all"), ["update"]);
    ws.apply();
    assert_eq!(members_in_tenant(&tenant, &au), sorted(first.clone()));

    // One member swapped for another, in one update.
    let second = vec![user(1), group(2), user(3)];
    ws.write(&list_config(&au, &second, ""));
    assert_eq!(ws.planned_actions("entra_au_members.all"), ["update"]);
    ws.apply();
    assert_eq!(members_in_tenant(&tenant, &au), sorted(second.clone()));
    assert_eq!(state_member_ids(&ws), sorted(second));
    ws.assert_plan_empty();

    // Destroy empties the unit and leaves the unit itself.
    ws.destroy();
    assert!(members_in_tenant(&tenant, &au).is_empty());
    let (status, _) = tenant.get(&format!("/directory/administrativeUnits/{au}"));
    assert_eq!(status, 200);
}

#[test]
fn members_already_in_a_unit_are_never_removed_without_an_import_showing_it() {
    let tenant = Tenant::start();
    let before = vec![user(6), user(7), group(3)];
    let au = existing_unit(&tenant, "", &before);
    let ws = tenant.workspace();
    let wanted = vec![user(6), user(8)];
    ws.write(&list_config(&au, &wanted, ""));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0, "{}", run.output());
    let out = run.output();
    for fragment in [
        "has members this list does not name",
        &user(7),
        &group(3),
        &format!("terraform import entra_au_members.<name> {au}"),
    ] {
        assert!(out.contains(fragment), "missing {fragment:?} in:\n{out}");
    }
    assert_eq!(members_in_tenant(&tenant, &au), sorted(before.clone()));

    // Imported, the plan shows the change against today's members; apply makes it.
    let mut hcl = list_config(&au, &wanted, "");
    hcl.push_str(&format!(
        "\nimport {{\n  to = entra_au_members.all\n  id = \"{au}\"\n}}\n"
    ));
    ws.write(&hcl);
    let plan = ws.plan_json();
    let change = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "entra_au_members.all")
        .unwrap()
        .clone();
    assert_eq!(change["change"]["actions"], json!(["update"]), "{change}");
    let mut imported: Vec<String> = change["change"]["before"]["member_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    imported.sort();
    assert_eq!(imported, sorted(before), "import adopts today's members");
    ws.apply();
    assert_eq!(members_in_tenant(&tenant, &au), sorted(wanted));
    ws.assert_plan_empty();
}

#[test]
fn dynamic_units_are_refused_at_plan_and_import() {
    let tenant = Tenant::start();
    let au = existing_unit(
        &tenant,
        r#"{"membershipType": "Dynamic", "membershipRule": "user.department -eq \"Sales\"", "membershipRuleProcessingState": "On"}"#,
        &[],
    );
    let ws = tenant.workspace();
    ws.write(&list_config(&au, &[user(1)], ""));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output()
            .contains("Administrative unit has dynamic membership"),
        "{}",
        run.output()
    );
    ws.write("resource \"entra_au_members\" \"all\" {\n  administrative_unit_id = \"00000000-0000-0000-0000-000000000000\"\n  member_ids             = []\n}\n");
    let run = ws.run(&[
        "import",
        "-input=false",
        "-no-color",
        "entra_au_members.all",
        &au,
    ]);
    assert_ne!(run.status, 0);
    assert!(
        run.output()
            .contains("Cannot import the members of a dynamic unit"),
        "{}",
        run.output()
    );
}

#[test]
fn a_unit_managed_both_ways_is_warned_about_at_plan() {
    let tenant = Tenant::start();
    let au = existing_unit(&tenant, "", &[]);
    let ws = tenant.workspace();
    let mut hcl = list_config(&au, &[user(1)], "");
    hcl.push_str(&format!(
        "\nresource \"entra_au_member\" \"one\" {{\n  administrative_unit_id = \"{au}\"\n  member_id              = \"{}\"\n}}\n",
        user(2)
    ));
    ws.write(&hcl);
    let run = ws.ok(&["plan", "-input=false", "-no-color"]);
    let out = run.output();
    assert!(out.contains("Members managed two ways"), "{out}");
    assert_eq!(out.matches("Members managed two ways").count(), 1, "{out}");
}

#[test]
fn members_that_cannot_be_added_are_named_and_the_rest_kept_in_state() {
    let tenant = Tenant::start();
    let au = existing_unit(&tenant, "", &[]);
    let ws = tenant.workspace();
    // An object that does not exist: Graph refuses the reference until the timeout
    // (it might be one another tool created moments ago).
    let gone = "0badc0de-0000-4000-8000-00000000beef".to_owned();
    let timeouts = "  timeouts {\n    create = \"8s\"\n    update = \"8s\"\n  }\n";

    // Create: the members added are recorded, tainted, with how to continue.
    ws.write(&list_config(&au, &[user(1), gone.clone()], timeouts));
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0, "{}", run.output());
    let out = run.output();
    for fragment in ["Adding 1 member(s)", gone.as_str(), "terraform untaint"] {
        assert!(out.contains(fragment), "missing {fragment:?} in:\n{out}");
    }
    assert_eq!(members_in_tenant(&tenant, &au), vec![user(1)]);
    assert_eq!(state_member_ids(&ws), vec![user(1)]);
    ws.ok(&["untaint", "-no-color", "entra_au_members.all"]);

    // Update: the same, and untainted; the next apply continues from there.
    ws.write(&list_config(
        &au,
        &[user(1), user(2), gone.clone()],
        timeouts,
    ));
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0, "{}", run.output());
    assert!(run.output().contains(&gone), "{}", run.output());
    assert_eq!(state_member_ids(&ws), sorted(vec![user(1), user(2)]));
    assert_eq!(
        members_in_tenant(&tenant, &au),
        sorted(vec![user(1), user(2)])
    );
    ws.write(&list_config(&au, &[user(1), user(2), user(3)], timeouts));
    assert_eq!(ws.planned_actions("entra_au_members.all"), ["update"]);
    ws.apply();
    assert_eq!(
        members_in_tenant(&tenant, &au),
        sorted(vec![user(1), user(2), user(3)])
    );
    ws.assert_plan_empty();
}

#[test]
fn the_order_of_member_ids_does_not_matter_and_duplicates_are_refused() {
    let tenant = Tenant::start();
    let au = existing_unit(&tenant, "", &[]);
    let ws = tenant.workspace();
    ws.write(&list_config(&au, &[user(1), user(2), group(1)], ""));
    ws.apply();
    ws.write(&list_config(
        &au,
        &[group(1), user(2).to_uppercase(), user(1)],
        "",
    ));
    ws.assert_plan_empty();
    ws.write(&list_config(&au, &[user(1), user(2), user(1)], ""));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.status, 0);
    assert!(
        run.output()
            .contains(&format!("names \"{}\" more than once", user(1))),
        "{}",
        run.output()
    );
}

#[test]
fn a_list_with_ids_known_only_at_apply_plans_and_applies() {
    let tenant = Tenant::start();
    let au = existing_unit(&tenant, "", &[]);
    let ws = tenant.workspace();
    ws.write(&format!(
        "resource \"terraform_data\" \"later\" {{\n  input = \"{}\"\n}}\n\nresource \"entra_au_members\" \"all\" {{\n  administrative_unit_id = \"{au}\"\n  member_ids             = [\"{}\", terraform_data.later.output]\n}}\n",
        user(2),
        user(1)
    ));
    ws.apply();
    assert_eq!(
        members_in_tenant(&tenant, &au),
        sorted(vec![user(1), user(2)])
    );
    ws.assert_plan_empty();
}
