//! Every example under `examples/` is formatted, valid, applies cleanly against the
//! emulator, re-plans empty and destroys: no example in the docs can rot.

use serde_json::json;

use crate::helpers::Tenant;

fn apply_example(tenant: &Tenant, example: &str) -> crate::helpers::Workspace {
    let ws = tenant.workspace();
    ws.use_example(example);
    ws.ok(&["fmt", "-check", "-diff"]);
    ws.ok(&["validate", "-no-color"]);
    ws.apply();
    ws.assert_plan_empty();
    ws
}

/// The AU names the tenant gained since `before`.
fn added_names(tenant: &Tenant, before: &[String]) -> Vec<String> {
    tenant
        .administrative_unit_names()
        .into_iter()
        .filter(|n| !before.contains(n))
        .collect()
}

#[test]
fn quickstart_example_applies() {
    let tenant = Tenant::start();
    let before = tenant.administrative_unit_names();
    let ws = apply_example(&tenant, "examples/quickstart");
    assert_eq!(
        added_names(&tenant, &before),
        vec!["St. Mary's Hospital".to_owned()]
    );
    ws.destroy();
    assert!(added_names(&tenant, &before).is_empty());
}

#[test]
fn finance_helpdesk_example_applies() {
    let tenant = Tenant::start();
    let ws = apply_example(&tenant, "examples/finance-helpdesk");
    let au = ws.state_values("entra_administrative_unit.finance");
    assert_eq!(au["membership_type"], json!("Dynamic"));
    let assignment = ws.state_values("entra_au_scoped_role_assignment.finance_helpdesk");
    assert_eq!(
        assignment["role_display_name"],
        json!("Helpdesk Administrator")
    );
    let out = ws.ok(&["output", "-json", "finance_users"]);
    let previewed: u64 = out.stdout.trim().parse().expect("count");
    let (_, members) = tenant.get(&format!(
        "/directory/administrativeUnits/{}/members",
        au["id"].as_str().unwrap()
    ));
    assert_eq!(
        members["value"].as_array().unwrap().len() as u64,
        previewed,
        "the preview predicted the members"
    );
    ws.destroy();
}

#[test]
fn hospitals_example_applies() {
    let tenant = Tenant::start();
    let before = tenant.administrative_unit_names();
    let ws = apply_example(&tenant, "examples/hospitals");
    assert_eq!(
        added_names(&tenant, &before),
        vec![
            "Riverside General".to_owned(),
            "St. Mary's Hospital".to_owned()
        ]
    );
    let au = ws.state_values("entra_administrative_unit.hospital[\"st-marys\"]")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, members) = tenant.get(&format!("/directory/administrativeUnits/{au}/members"));
    assert_eq!(members["value"].as_array().unwrap().len(), 2);
    ws.destroy();
    assert!(added_names(&tenant, &before).is_empty());
}

/// A Graph call as the integration's service principal (an app with no Graph
/// application permission of its own): the status it gets.
fn as_integration(
    tenant: &Tenant,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let http = reqwest::blocking::Client::new();
    let tenant_id = tenant
        .env()
        .into_iter()
        .find(|(k, _)| k == "ARM_TENANT_ID")
        .map(|(_, v)| v)
        .unwrap();
    let url = tenant.emulator.url();
    let token: serde_json::Value = http
        .post(format!("{url}/{tenant_id}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", entra_emulator::store::demo::NOPERM_CLIENT_ID),
            (
                "client_secret",
                entra_emulator::store::demo::NOPERM_CLIENT_SECRET,
            ),
            ("scope", &format!("{url}/.default")),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut req = http
        .request(method, format!("{url}/v1.0{path}"))
        .bearer_auth(token["access_token"].as_str().unwrap());
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

fn security_group(name: &str) -> serde_json::Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "displayName": name,
        "mailEnabled": false,
        "mailNickname": name,
        "securityEnabled": true,
    })
}

#[test]
fn integration_principal_acts_only_inside_its_unit() {
    use reqwest::Method;
    let tenant = Tenant::start();
    let ws = apply_example(&tenant, "examples/integration-custom-role");
    let unit = ws.ok(&["output", "-raw", "administrative_unit_id"]).stdout;
    let unit = unit.trim();
    let assignment = ws.state_values("entra_au_scoped_role_assignment.integration");
    assert_eq!(
        assignment["role_display_name"],
        json!("HR Integration Group Provisioner")
    );
    // The assignment acts once Entra has replicated it.
    tenant.settle();

    // Inside its unit: create a security group, manage its members, read users.
    let (status, made) = as_integration(
        &tenant,
        Method::POST,
        &format!("/directory/administrativeUnits/{unit}/members"),
        Some(security_group("hr-sync-engineering")),
    );
    assert_eq!(status, 201, "creates a group inside its unit: {made}");
    let group = made["id"].as_str().unwrap().to_owned();
    tenant.settle();
    let member = crate::au_member::user(3);
    let reference =
        json!({"@odata.id": format!("{}/v1.0/directoryObjects/{member}", tenant.emulator.url())});
    let (status, body) = as_integration(
        &tenant,
        Method::POST,
        &format!("/groups/{group}/members/$ref"),
        Some(reference.clone()),
    );
    assert_eq!(status, 204, "adds a member to its group: {body}");
    tenant.settle();
    let (status, members) = as_integration(
        &tenant,
        Method::GET,
        &format!("/groups/{group}/members"),
        None,
    );
    assert_eq!(status, 200, "{members}");
    assert!(members.to_string().contains(&member), "{members}");
    let (status, users) = as_integration(&tenant, Method::GET, "/users?$top=5", None);
    assert_eq!(status, 200, "reads users: {users}");
    let (status, body) = as_integration(
        &tenant,
        Method::DELETE,
        &format!("/groups/{group}/members/{member}/$ref"),
        None,
    );
    assert_eq!(status, 204, "removes a member of its group: {body}");

    // Outside its unit: refused.
    let (status, body) = as_integration(
        &tenant,
        Method::POST,
        "/groups",
        Some(security_group("hr-sync-tenant-wide")),
    );
    assert_eq!(status, 403, "no tenant-wide group creation: {body}");
    let (status, other) = tenant.graph(
        Method::POST,
        "/directory/administrativeUnits",
        Some(json!({"displayName": "Another unit"})),
    );
    assert_eq!(status, 201, "{other}");
    let (status, body) = as_integration(
        &tenant,
        Method::POST,
        &format!(
            "/directory/administrativeUnits/{}/members",
            other["id"].as_str().unwrap()
        ),
        Some(security_group("hr-sync-elsewhere")),
    );
    assert_eq!(status, 403, "no group creation in another unit: {body}");
    let (status, body) = as_integration(
        &tenant,
        Method::POST,
        &format!("/groups/{}/members/$ref", crate::au_member::group(1)),
        Some(reference),
    );
    assert_eq!(status, 403, "no change to a group outside its unit: {body}");

    // The group it made is Terraform's to leave alone; destroy removes what Terraform made.
    let (status, _) = tenant.graph(Method::DELETE, &format!("/groups/{group}"), None);
    assert_eq!(status, 204);
    ws.destroy();
}

#[test]
fn terraform_test_example_passes_against_the_emulator() {
    let tenant = Tenant::start();
    let before = tenant.administrative_unit_names();
    let ws = tenant.workspace();
    ws.use_example("examples/terraform-test");
    let tests = ws.config_dir().join("tests");
    std::fs::create_dir_all(&tests).expect("tests dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/terraform-test/tests/unit_with_members.tftest.hcl");
    std::fs::copy(&source, tests.join("unit_with_members.tftest.hcl")).expect("copy the test file");
    ws.ok(&["fmt", "-check", "-recursive", "-diff"]);
    let run = ws.ok(&["test", "-no-color"]);
    let out = run.output();
    assert!(out.contains("Success! 3 passed, 0 failed."), "{out}");
    assert!(
        added_names(&tenant, &before).is_empty(),
        "terraform test destroys what it made"
    );
}
