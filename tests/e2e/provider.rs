//! Provider-level behaviour through real Terraform: schema, configuration errors, logs.

use serde_json::Value as Json;

use crate::helpers::{Tenant, suffix};

#[test]
fn schema_describes_every_attribute() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write("");
    let run = ws.ok(&["providers", "schema", "-json"]);
    let schema: Json = serde_json::from_str(&run.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/entra-au/entra"];
    let au = &provider["resource_schemas"]["entra_administrative_unit"]["block"];
    let attributes = au["attributes"].as_object().expect("attributes");
    for name in ["id", "display_name", "description"] {
        assert!(attributes.contains_key(name), "missing {name}");
    }
    for (kind, schemas) in [
        ("resource", &provider["resource_schemas"]),
        ("data source", &provider["data_source_schemas"]),
    ] {
        for (type_name, s) in schemas.as_object().into_iter().flatten() {
            for (attr, def) in s["block"]["attributes"].as_object().into_iter().flatten() {
                let description = def["description"].as_str().unwrap_or_default();
                assert!(
                    !description.trim().is_empty(),
                    "{kind} {type_name}.{attr} has no description"
                );
            }
        }
    }
    let secret = &provider["provider"]["block"]["attributes"]["client_secret"];
    assert_eq!(secret["sensitive"], Json::Bool(true));
}

#[test]
fn plain_http_to_a_remote_host_is_refused_at_plan() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(r#"resource "entra_administrative_unit" "x" { display_name = "x" }"#);
    let run = ws.run_with_env(
        &["plan", "-input=false", "-no-color"],
        &[("ENTRA_GRAPH_ENDPOINT", "http://graph.example.com")],
    );
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Invalid graph_endpoint"), "{out}");
    assert!(out.contains("loopback"), "{out}");
}

#[test]
fn missing_credentials_name_the_variable_to_set() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(r#"resource "entra_administrative_unit" "x" { display_name = "x" }"#);
    let run = ws.run_with_env(
        &["plan", "-input=false", "-no-color"],
        &[("ARM_CLIENT_SECRET", "")],
    );
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("Missing client secret"), "{out}");
    assert!(out.contains("ARM_CLIENT_SECRET"), "{out}");
}

#[test]
fn a_wrong_secret_reports_the_token_endpoint_answer() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    ws.write(r#"resource "entra_administrative_unit" "x" { display_name = "x" }"#);
    let run = ws.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("ARM_CLIENT_SECRET", "wrong-secret-value")],
    );
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(out.contains("invalid_client"), "{out}");
    assert!(
        !out.contains("wrong-secret-value"),
        "the secret must not be echoed:\n{out}"
    );
}

#[test]
fn debug_logs_show_provider_lines_without_secrets() {
    let tenant = Tenant::start();
    let secret = tenant
        .env()
        .into_iter()
        .find(|(k, _)| k == "ARM_CLIENT_SECRET")
        .map(|(_, v)| v)
        .expect("secret");
    let ws = tenant.workspace();
    let name = format!("acctest-au-{}", suffix());
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"x\" {{ display_name = \"{name}\" }}"
    ));
    let log_path = ws.path().join("terraform.log");
    let log = log_path.to_str().expect("utf-8 path");
    let run = ws.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "TRACE"), ("TF_LOG_PATH", log)],
    );
    assert_eq!(run.status, 0, "{}", run.output());
    let logs = std::fs::read_to_string(&log_path).expect("log file");
    assert!(
        logs.contains("provider.terraform-provider-entra"),
        "provider lines are re-logged by Terraform"
    );
    assert!(logs.contains("graph request"), "Graph requests are logged");
    assert!(logs.contains("provider configured"));
    assert!(
        logs.contains("tls=true"),
        "Terraform talked to the provider over AutoMTLS"
    );
    assert!(
        !logs.contains(&secret),
        "the client secret leaked into the log"
    );
    assert!(
        !logs.contains("Bearer ey"),
        "an access token leaked into the log"
    );
    let token = tenant.token();
    assert!(
        !logs.contains(&token[..40.min(token.len())]),
        "an access token leaked into the log"
    );
    assert!(
        !ws.state_file().contains(&secret),
        "the client secret leaked into the state"
    );
    ws.destroy();
}

#[test]
fn wrong_credentials_fail_a_plan_with_nothing_to_read_naming_the_setting() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    // A new unit: planning it reads nothing from Graph.
    ws.write(r#"resource "entra_administrative_unit" "x" { display_name = "x" }"#);
    let plan =
        |extra: &[(&str, &str)]| ws.run_with_env(&["plan", "-input=false", "-no-color"], extra);
    for (env, value, setting) in [
        (
            "ARM_TENANT_ID",
            "0badc0de-0000-4000-8000-000000000000",
            "tenant_id",
        ),
        (
            "ARM_CLIENT_ID",
            "0badc0de-0000-4000-8000-00000000a999",
            "client_id",
        ),
        ("ARM_CLIENT_SECRET", "not-the-secret", "client_secret"),
    ] {
        let run = plan(&[(env, value)]);
        assert_ne!(run.status, 0, "{env}: {}", run.output());
        let out = run.output();
        assert!(out.contains(&format!("check {setting}")), "{env}: {out}");
        assert!(
            out.contains(&format!("the {env} environment variable")),
            "{env}: {out}"
        );
        assert!(
            !out.contains("not-the-secret"),
            "the secret is never echoed: {out}"
        );
    }

    // With good credentials: one token request serves the whole plan.
    let before = token_requests(&tenant);
    let run = plan(&[]);
    assert_eq!(run.status, 0, "{}", run.output());
    assert_eq!(token_requests(&tenant) - before, 1);
}

fn token_requests(tenant: &Tenant) -> u64 {
    tenant.stats()["routes"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(route, _)| route.contains("/oauth2/"))
        .map(|(_, n)| n.as_u64().unwrap_or(0))
        .sum()
}

#[test]
fn insufficient_privileges_name_the_permission_each_type_needs() {
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    // The demo tenant's app with no Graph permission at all.
    let no_permissions = [
        ("ARM_CLIENT_ID", "c0ffee00-0000-4000-8000-00000000a004"),
        ("ARM_CLIENT_SECRET", "noperm~Secret.NotForProduction-0004"),
    ];
    for (hcl, permission) in [
        (
            r#"data "entra_group" "g" { display_name = "Helpdesk" }"#,
            "Group.Read.All",
        ),
        (
            r#"data "entra_user" "u" { user_principal_name = "nobody@contoso-demo.onmicrosoft.com" }"#,
            "User.Read.All",
        ),
        (
            r#"data "entra_administrative_units" "all" {}"#,
            "AdministrativeUnit.Read.All",
        ),
        (
            r#"resource "entra_administrative_unit" "x" { display_name = "x" }"#,
            "AdministrativeUnit.ReadWrite.All",
        ),
    ] {
        ws.write(hcl);
        let run = ws.run_with_env(
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            &no_permissions,
        );
        assert_ne!(run.status, 0, "{hcl}");
        let out = run.output();
        assert!(out.contains("403"), "{hcl}: {out}");
        assert!(
            out.contains(&format!(
                "needs the Microsoft Graph application permission {permission}"
            )),
            "{hcl}: {out}"
        );
    }
}
