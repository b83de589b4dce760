//! Resolution of every argument, variable and method, and their error messages.

use std::path::Path;

use super::methods::AZ;
use super::*;
use crate::graph::auth::IMDS_ENDPOINT;
use crate::graph::auth::testing::{pkcs12, rsa_cert};
use crate::graph::auth::{FederatedTokenSource, ManagedIdentityEndpoint};
use provider_framework::AttributePath;
use provider_framework::{Diagnostics, Value};
use std::collections::HashMap;

struct MapEnv(HashMap<String, String>);

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|v| !v.trim().is_empty()).cloned()
    }
}

fn env(pairs: &[(&str, &str)]) -> MapEnv {
    MapEnv(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// A provider block: string values, except `true`/`false` which become bools.
fn block(pairs: &[(&str, &str)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| {
        let value = match *v {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            s => Value::string(s),
        };
        (*k, value)
    }))
}

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const APP: (&str, &str) = ("ARM_CLIENT_ID", "22222222-2222-2222-2222-222222222222");
const TEN: (&str, &str) = ("ARM_TENANT_ID", TENANT);
const NO_AZ: (&str, &str) = ("PATH", "/nonexistent");

/// Files the table refers to: `{dir}` in values is replaced by their folder.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = tempfile::tempdir().unwrap();
        let (cert_pem, key_pem, der) = rsa_cert();
        std::fs::write(dir.path().join("cert.pem"), format!("{cert_pem}{key_pem}")).unwrap();
        std::fs::write(
            dir.path().join("cert.pfx"),
            pkcs12(der, key_pem, "pfx-pass"),
        )
        .unwrap();
        std::fs::write(dir.path().join("secret.txt"), "file-secret\n").unwrap();
        std::fs::write(dir.path().join("empty.txt"), "\n").unwrap();
        std::fs::write(dir.path().join("oidc.jwt"), "ext.jwt.sig").unwrap();
        let az = dir.path().join("bin").join(AZ);
        std::fs::create_dir_all(az.parent().unwrap()).unwrap();
        std::fs::write(&az, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::PermissionsExt::set_mode(
            &mut std::fs::metadata(&az).unwrap().permissions(),
            0o755,
        );
        #[cfg(unix)]
        std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        Files { dir }
    }

    fn fill(&self, s: &str) -> String {
        s.replace("{dir}", self.dir.path().to_str().unwrap())
    }

    fn resolve(
        &self,
        config: &[(&str, &str)],
        vars: &[(&str, &str)],
    ) -> Result<Settings, Diagnostics> {
        let config: Vec<(String, String)> = config
            .iter()
            .map(|(k, v)| ((*k).to_owned(), self.fill(v)))
            .collect();
        let config: Vec<(&str, &str)> = config
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), self.fill(v)))
            .collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        resolve(&block(&config), &env(&vars))
    }
}

struct Bad {
    config: &'static [(&'static str, &'static str)],
    env: &'static [(&'static str, &'static str)],
    summary: &'static str,
    attribute: &'static str,
    detail: &'static [&'static str],
}

const BAD: &[Bad] = &[
    Bad {
        config: &[("use_cli", "false")],
        env: &[TEN],
        summary: "No authentication method configured",
        attribute: "use_cli",
        detail: &[
            "use_cli is false",
            "ARM_CLIENT_SECRET",
            "ARM_CLIENT_CERTIFICATE_PATH",
            "ARM_USE_OIDC",
            "ARM_USE_MSI",
        ],
    },
    Bad {
        config: &[],
        env: &[NO_AZ],
        summary: "No authentication method configured",
        attribute: "use_cli",
        detail: &["not on PATH", "az login"],
    },
    Bad {
        config: &[],
        env: &[TEN, APP, NO_AZ],
        summary: "Missing client secret or other credential for the client ID",
        attribute: "client_secret",
        detail: &[
            "ARM_CLIENT_ID names an app registration",
            "ARM_CLIENT_SECRET",
            "use_cli = true",
        ],
    },
    Bad {
        config: &[],
        env: &[APP, ("ARM_CLIENT_SECRET", "s")],
        summary: "Missing tenant ID",
        attribute: "tenant_id",
        detail: &[
            "a client secret needs the tenant ID",
            "\"tenant_id\"",
            "ARM_TENANT_ID",
        ],
    },
    Bad {
        config: &[("client_certificate_path", "{dir}/cert.pem")],
        env: &[APP],
        summary: "Missing tenant ID",
        attribute: "tenant_id",
        detail: &["a client certificate needs the tenant ID", "ARM_TENANT_ID"],
    },
    Bad {
        config: &[("use_oidc", "true"), ("oidc_token", "x")],
        env: &[TEN],
        summary: "Missing client ID",
        attribute: "client_id",
        detail: &["OIDC", "ARM_CLIENT_ID"],
    },
    Bad {
        config: &[("client_certificate_path", "{dir}/cert.pem")],
        env: &[TEN, APP, ("ARM_CLIENT_SECRET", "s")],
        summary: "Conflicting authentication methods",
        attribute: "client_certificate_path",
        detail: &[
            "ARM_CLIENT_SECRET selects a client secret",
            "\"client_certificate_path\" selects a client certificate",
        ],
    },
    Bad {
        config: &[],
        env: &[
            TEN,
            APP,
            ("ARM_CLIENT_SECRET", "s"),
            ("ARM_USE_MSI", "true"),
        ],
        summary: "Conflicting authentication methods",
        attribute: "use_msi",
        detail: &["ARM_USE_MSI selects a managed identity"],
    },
    Bad {
        config: &[("use_oidc", "true"), ("oidc_token", "x")],
        env: &[
            TEN,
            APP,
            ("ARM_USE_OIDC", "false"),
            ("ARM_CLIENT_CERTIFICATE", "AAAA"),
        ],
        summary: "Conflicting authentication methods",
        attribute: "use_oidc",
        detail: &[
            "ARM_CLIENT_CERTIFICATE selects a client certificate",
            "\"use_oidc\" selects OIDC",
        ],
    },
    Bad {
        config: &[
            ("client_secret", "s"),
            ("client_secret_file_path", "{dir}/secret.txt"),
        ],
        env: &[TEN, APP],
        summary: "Conflicting client_secret and client_secret_file_path",
        attribute: "client_secret_file_path",
        detail: &["set only one"],
    },
    Bad {
        config: &[("client_certificate_path", "{dir}/cert.pem")],
        env: &[TEN, APP, ("ARM_CLIENT_CERTIFICATE", "AAAA")],
        summary: "Conflicting client_certificate and client_certificate_path",
        attribute: "client_certificate_path",
        detail: &["ARM_CLIENT_CERTIFICATE and \"client_certificate_path\" are both set"],
    },
    Bad {
        config: &[("use_oidc", "true")],
        env: &[TEN, APP],
        summary: "Missing OIDC token",
        attribute: "use_oidc",
        detail: &[
            "ARM_OIDC_TOKEN",
            "ARM_OIDC_TOKEN_FILE_PATH",
            "id-token: write",
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        ],
    },
    Bad {
        config: &[
            ("use_oidc", "true"),
            ("oidc_token_file_path", "{dir}/oidc.jwt"),
        ],
        env: &[TEN, APP, ("ARM_OIDC_TOKEN", "x")],
        summary: "Conflicting oidc_token and oidc_token_file_path",
        attribute: "oidc_token_file_path",
        detail: &["ARM_OIDC_TOKEN and \"oidc_token_file_path\" are both set"],
    },
    Bad {
        config: &[],
        env: &[
            TEN,
            APP,
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_REQUEST_URL", "https://idp.example.com/t"),
        ],
        summary: "Missing OIDC request token",
        attribute: "oidc_request_token",
        detail: &[
            "ARM_OIDC_REQUEST_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "SYSTEM_ACCESSTOKEN",
        ],
    },
    Bad {
        config: &[
            ("use_oidc", "true"),
            ("ado_pipeline_service_connection_id", "sc"),
        ],
        env: &[TEN, APP, ("SYSTEM_ACCESSTOKEN", "x")],
        summary: "Missing OIDC request URL",
        attribute: "oidc_request_url",
        detail: &["Azure DevOps", "SYSTEM_OIDCREQUESTURI"],
    },
    Bad {
        config: &[("use_oidc", "true")],
        env: &[
            TEN,
            APP,
            (
                "SYSTEM_OIDCREQUESTURI",
                "https://dev.azure.com/o/p/oidctoken",
            ),
            ("SYSTEM_ACCESSTOKEN", "x"),
        ],
        summary: "Missing Azure DevOps service connection ID",
        attribute: "ado_pipeline_service_connection_id",
        detail: &[
            "SYSTEM_OIDCREQUESTURI",
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        ],
    },
    Bad {
        config: &[
            ("use_oidc", "true"),
            ("oidc_request_url", "http://idp.example.com/t"),
            ("oidc_request_token", "x"),
        ],
        env: &[TEN, APP],
        summary: "Invalid oidc_request_url",
        attribute: "oidc_request_url",
        detail: &["loopback"],
    },
    Bad {
        config: &[("oidc_token", "x")],
        env: &[TEN, APP],
        summary: "use_oidc is not enabled",
        attribute: "use_oidc",
        detail: &["\"oidc_token\" is set", "ARM_USE_OIDC=true"],
    },
    Bad {
        config: &[],
        env: &[("ARM_MSI_ENDPOINT", "http://127.0.0.1:1/token")],
        summary: "use_msi is not enabled",
        attribute: "use_msi",
        detail: &["ARM_MSI_ENDPOINT is set", "ARM_USE_MSI=true"],
    },
    Bad {
        config: &[("client_certificate_password", "pw")],
        env: &[TEN, APP],
        summary: "Missing client certificate",
        attribute: "client_certificate",
        detail: &[
            "\"client_certificate_password\" is set",
            "ARM_CLIENT_CERTIFICATE_PATH",
        ],
    },
    Bad {
        config: &[],
        env: &[
            TEN,
            APP,
            ("ARM_USE_OIDC", "maybe"),
            ("ARM_CLIENT_SECRET", "s"),
        ],
        summary: "Invalid ARM_USE_OIDC",
        attribute: "use_oidc",
        detail: &["true or false"],
    },
    Bad {
        config: &[("environment", "mars")],
        env: &[TEN, APP, ("ARM_CLIENT_SECRET", "s")],
        summary: "Invalid environment",
        attribute: "environment",
        detail: &["global, usgovernment, dod or china"],
    },
    Bad {
        config: &[
            ("use_msi", "true"),
            ("msi_endpoint", "http://10.0.0.1/token"),
        ],
        env: &[],
        summary: "Invalid msi_endpoint",
        attribute: "msi_endpoint",
        detail: &["169.254.169.254", "loopback"],
    },
    Bad {
        config: &[("client_secret_file_path", "{dir}/missing.txt")],
        env: &[TEN, APP],
        summary: "Unreadable client secret file",
        attribute: "client_secret_file_path",
        detail: &["missing.txt", "\"client_secret_file_path\""],
    },
    Bad {
        config: &[],
        env: &[TEN, APP, ("ARM_CLIENT_SECRET_FILE_PATH", "{dir}/empty.txt")],
        summary: "Empty client secret file",
        attribute: "client_secret_file_path",
        detail: &["ARM_CLIENT_SECRET_FILE_PATH"],
    },
    Bad {
        config: &[
            ("use_oidc", "true"),
            ("oidc_token_file_path", "{dir}/missing.jwt"),
        ],
        env: &[TEN, APP],
        summary: "Unreadable OIDC token file",
        attribute: "oidc_token_file_path",
        detail: &["missing.jwt"],
    },
    Bad {
        config: &[("client_certificate", "not base64!")],
        env: &[TEN, APP],
        summary: "Invalid client certificate",
        attribute: "client_certificate",
        detail: &["base64-encoded PKCS#12"],
    },
    Bad {
        config: &[("client_certificate_path", "{dir}/secret.txt")],
        env: &[TEN, APP],
        summary: "Invalid client certificate",
        attribute: "client_certificate_path",
        detail: &["not a PKCS#12"],
    },
    Bad {
        config: &[("client_certificate_path", "{dir}/cert.pfx")],
        env: &[TEN, APP, ("ARM_CLIENT_CERTIFICATE_PASSWORD", "wrong")],
        summary: "Wrong client certificate password",
        attribute: "client_certificate_password",
        detail: &["could not be opened with the password from ARM_CLIENT_CERTIFICATE_PASSWORD"],
    },
    Bad {
        config: &[("client_certificate_path", "{dir}/cert.pfx")],
        env: &[TEN, APP],
        summary: "Wrong client certificate password",
        attribute: "client_certificate_password",
        detail: &["needs a password", "ARM_CLIENT_CERTIFICATE_PASSWORD"],
    },
    Bad {
        config: &[("tenant_id", "not a tenant")],
        env: &[APP, ("ARM_CLIENT_SECRET", "s")],
        summary: "Invalid tenant ID",
        attribute: "tenant_id",
        detail: &["GUID"],
    },
    Bad {
        config: &[("graph_endpoint", "http://graph.example.com")],
        env: &[TEN, APP, ("ARM_CLIENT_SECRET", "s")],
        summary: "Invalid graph_endpoint",
        attribute: "graph_endpoint",
        detail: &["loopback", "set by \"graph_endpoint\""],
    },
];

#[test]
fn misconfigurations_name_the_argument_and_the_variable() {
    let files = Files::new();
    for (i, case) in BAD.iter().enumerate() {
        let err = files
            .resolve(case.config, case.env)
            .expect_err(&format!("case {i} ({}) resolved", case.summary));
        let d = err
            .0
            .iter()
            .find(|d| d.summary == case.summary)
            .unwrap_or_else(|| panic!("case {i}: no {:?} among {:#?}", case.summary, err.0));
        assert_eq!(
            d.attribute,
            Some(AttributePath::root(case.attribute)),
            "case {i}: {d}"
        );
        for part in case.detail {
            assert!(
                d.detail.contains(part),
                "case {i}: {part:?} not in {:?}",
                d.detail
            );
        }
        assert!(
            !d.detail.contains("pfx-pass") && !d.detail.contains("file-secret"),
            "case {i} leaks: {d}"
        );
    }
}

struct Good {
    config: &'static [(&'static str, &'static str)],
    env: &'static [(&'static str, &'static str)],
    /// Checks the method; also gets the folder of the test files.
    check: fn(&AuthMethod, &str),
    describe: &'static [&'static str],
}

fn imds(url: &'static str) -> fn(&AuthMethod, &str) {
    match url {
        "default" => |m, _| {
            assert!(
                matches!(m, AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::Imds { url }) if url == IMDS_ENDPOINT)
            )
        },
        _ => |m, _| {
            assert!(
                matches!(m, AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::Imds { url }) if url == "http://169.254.169.254/metadata/identity/oauth2/token?x=1")
            )
        },
    }
}

const GOOD: &[Good] = &[
    Good {
        config: &[],
        env: &[TEN, APP, ("ARM_CLIENT_SECRET", "env-secret")],
        check: |m, _| {
            assert!(matches!(m, AuthMethod::ClientSecret(s) if s.expose() == "env-secret"))
        },
        describe: &[
            "client secret for app 22222222-2222-2222-2222-222222222222 in tenant 1111",
            "global cloud",
        ],
    },
    Good {
        config: &[("client_secret_file_path", "{dir}/secret.txt")],
        env: &[TEN, APP],
        check: |m, _| {
            assert!(matches!(m, AuthMethod::ClientSecret(s) if s.expose() == "file-secret"))
        },
        describe: &["client secret"],
    },
    Good {
        config: &[("client_certificate_path", "{dir}/cert.pem")],
        env: &[TEN, APP, ("ARM_USE_CLI", "false")],
        check: |m, _| assert!(matches!(m, AuthMethod::ClientCertificate(_))),
        describe: &["client certificate (x5t#S256 "],
    },
    Good {
        config: &[
            ("client_certificate_path", "{dir}/cert.pfx"),
            ("client_certificate_password", "pfx-pass"),
        ],
        env: &[TEN, APP],
        check: |m, _| assert!(matches!(m, AuthMethod::ClientCertificate(_))),
        describe: &["client certificate"],
    },
    Good {
        config: &[("use_oidc", "true"), ("oidc_token", "ext.jwt.sig")],
        env: &[
            TEN,
            APP,
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh.example/t"),
        ],
        check: |m, _| {
            assert!(
                matches!(m, AuthMethod::Oidc(FederatedTokenSource::Token(t)) if t.expose() == "ext.jwt.sig")
            )
        },
        describe: &["OIDC token from a configured OIDC token"],
    },
    Good {
        config: &[],
        env: &[
            TEN,
            APP,
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN_FILE_PATH", "{dir}/oidc.jwt"),
        ],
        check: |m, dir| {
            assert!(
                matches!(m, AuthMethod::Oidc(FederatedTokenSource::File(p)) if *p == Path::new(dir).join("oidc.jwt"))
            )
        },
        describe: &["OIDC token from the OIDC token file"],
    },
    Good {
        config: &[("use_oidc", "true"), ("environment", "usgovernment")],
        env: &[
            TEN,
            APP,
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "https://gh.example/t?api-version=2.0",
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
        ],
        check: |m, _| {
            assert!(
                matches!(m, AuthMethod::Oidc(FederatedTokenSource::GitHubActions { audience, request_url, .. })
                if audience == "api://AzureADTokenExchangeUSGov" && request_url == "https://gh.example/t?api-version=2.0")
            )
        },
        describe: &[
            "GitHub Actions token request URL https://gh.example/t ",
            "usgovernment cloud",
        ],
    },
    Good {
        config: &[
            ("use_oidc", "true"),
            ("oidc_request_url", "http://127.0.0.1:9/t"),
            ("oidc_request_token", "rt"),
        ],
        env: &[
            TEN,
            APP,
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh.example/t"),
        ],
        check: |m, _| {
            assert!(
                matches!(m, AuthMethod::Oidc(FederatedTokenSource::GitHubActions { request_url, .. }) if request_url == "http://127.0.0.1:9/t")
            )
        },
        describe: &["127.0.0.1:9"],
    },
    Good {
        config: &[("use_oidc", "true"), ("environment", "china")],
        env: &[
            TEN,
            APP,
            ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "sc-1"),
            (
                "SYSTEM_OIDCREQUESTURI",
                "https://dev.azure.com/o/p/oidctoken",
            ),
            ("SYSTEM_ACCESSTOKEN", "ado-system-token"),
        ],
        check: |m, _| {
            assert!(
                matches!(m, AuthMethod::Oidc(FederatedTokenSource::AzureDevOps { service_connection_id, request_url, .. })
                if service_connection_id == "sc-1" && request_url == "https://dev.azure.com/o/p/oidctoken")
            )
        },
        describe: &["Azure DevOps service connection sc-1", "china cloud"],
    },
    Good {
        config: &[("use_msi", "true")],
        env: &[("ARM_CLIENT_SECRET", "")],
        check: |m, _| imds("default")(m, ""),
        describe: &["system-assigned managed identity via IMDS at http://169.254.169.254/"],
    },
    Good {
        config: &[
            ("use_msi", "true"),
            (
                "msi_endpoint",
                "http://169.254.169.254/metadata/identity/oauth2/token?x=1",
            ),
        ],
        env: &[APP],
        check: |m, _| imds("explicit")(m, ""),
        describe: &["user-assigned managed identity 22222222-2222-2222-2222-222222222222"],
    },
    Good {
        config: &[],
        env: &[
            ("ARM_USE_MSI", "1"),
            ("IDENTITY_ENDPOINT", "http://localhost:41741/msi/token"),
            ("IDENTITY_HEADER", "app-service-header"),
        ],
        check: |m, _| {
            assert!(
                matches!(m, AuthMethod::ManagedIdentity(ManagedIdentityEndpoint::AppService { url, header })
                if url == "http://localhost:41741/msi/token" && header.expose() == "app-service-header")
            )
        },
        describe: &["App Service identity endpoint http://localhost:41741/msi/token"],
    },
    Good {
        config: &[],
        env: &[TEN, ("PATH", "/nonexistent:{dir}/bin")],
        check: |m, dir| {
            assert!(
                matches!(m, AuthMethod::AzureCli(p) if *p == Path::new(dir).join("bin").join(AZ))
            )
        },
        describe: &["Azure CLI (", "in tenant 1111"],
    },
    Good {
        config: &[("use_cli", "true")],
        env: &[APP, ("PATH", "{dir}/bin")],
        check: |m, _| assert!(matches!(m, AuthMethod::AzureCli(_))),
        describe: &["in its default tenant"],
    },
];

#[test]
fn each_method_is_selected_explicitly() {
    let files = Files::new();
    let dir = files.dir.path().to_str().unwrap().to_owned();
    for (i, case) in GOOD.iter().enumerate() {
        let s = files
            .resolve(case.config, case.env)
            .unwrap_or_else(|e| panic!("case {i}: {e:#?}"));
        (case.check)(&s.method, &dir);
        let described = s.describe();
        for part in case.describe {
            assert!(
                described.contains(part),
                "case {i}: {part:?} not in {described:?}"
            );
        }
        let shown = format!("{described} {s:?}");
        for secret in [
            "env-secret",
            "file-secret",
            "pfx-pass",
            "ext.jwt.sig",
            "gh-request-token",
            "ado-system-token",
            "app-service-header",
            "PRIVATE KEY",
        ] {
            assert!(!shown.contains(secret), "case {i} shows {secret}: {shown}");
        }
        assert!(credential(&s, reqwest::Client::new()).is_ok());
    }
}

#[test]
fn clouds_set_endpoints_and_overrides_win() {
    let files = Files::new();
    let secret = [TEN, APP, ("ARM_CLIENT_SECRET", "s")];
    let s = files.resolve(&[], &secret).unwrap();
    assert_eq!(
        (
            s.cloud,
            s.graph_endpoint.as_str(),
            s.login_endpoint.as_str()
        ),
        (
            Cloud::Global,
            DEFAULT_GRAPH_ENDPOINT,
            DEFAULT_LOGIN_ENDPOINT
        )
    );
    for (name, cloud, graph, login) in [
        (
            "public",
            Cloud::Global,
            "https://graph.microsoft.com",
            "https://login.microsoftonline.com",
        ),
        (
            "usgovernment",
            Cloud::UsGovernment,
            "https://graph.microsoft.us",
            "https://login.microsoftonline.us",
        ),
        (
            "USGovernmentL5",
            Cloud::UsGovernmentDod,
            "https://dod-graph.microsoft.us",
            "https://login.microsoftonline.us",
        ),
        (
            "china",
            Cloud::China,
            "https://microsoftgraph.chinacloudapi.cn",
            "https://login.partner.microsoftonline.cn",
        ),
    ] {
        let mut vars = secret.to_vec();
        vars.push(("ARM_ENVIRONMENT", name));
        let s = files.resolve(&[], &vars).unwrap();
        assert_eq!(
            (
                s.cloud,
                s.graph_endpoint.as_str(),
                s.login_endpoint.as_str()
            ),
            (cloud, graph, login),
            "{name}"
        );
    }
    let s = files
        .resolve(
            &[
                ("environment", "china"),
                ("graph_endpoint", "http://127.0.0.1:8080/"),
            ],
            &[
                TEN,
                APP,
                ("ARM_CLIENT_SECRET", "s"),
                ("ENTRA_LOGIN_ENDPOINT", "https://login.example.com"),
            ],
        )
        .unwrap();
    assert_eq!(s.graph_endpoint, "http://127.0.0.1:8080");
    assert_eq!(s.login_endpoint, "https://login.example.com");
    assert_eq!(
        s.cloud.token_exchange_audience(),
        "api://AzureADTokenExchangeChina"
    );
}

#[test]
fn block_values_win_over_environment() {
    let files = Files::new();
    let s = files
        .resolve(
            &[
                ("tenant_id", TENANT),
                ("client_id", "app"),
                ("client_secret", "block"),
            ],
            &[
                ("ARM_TENANT_ID", "other.example.com"),
                ("ARM_CLIENT_SECRET", "env"),
            ],
        )
        .unwrap();
    assert_eq!(s.tenant_id.as_deref(), Some(TENANT));
    assert!(matches!(s.method, AuthMethod::ClientSecret(ref x) if x.expose() == "block"));
    // ARM_OIDC_REQUEST_URL wins over GitHub's variable.
    let s = files
        .resolve(
            &[("use_oidc", "true")],
            &[
                TEN,
                APP,
                ("ARM_OIDC_REQUEST_URL", "https://a.example/t"),
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://b.example/t"),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "x"),
            ],
        )
        .unwrap();
    assert!(
        matches!(s.method, AuthMethod::Oidc(FederatedTokenSource::GitHubActions { ref request_url, .. }) if request_url == "https://a.example/t")
    );
}

#[test]
fn plain_http_is_only_accepted_on_loopback() {
    let files = Files::new();
    for ok in [
        "http://127.0.0.1:8080",
        "http://localhost:1/",
        "http://[::1]:9",
        "https://graph.example.com",
    ] {
        assert!(
            files
                .resolve(
                    &[],
                    &[
                        TEN,
                        APP,
                        ("ARM_CLIENT_SECRET", "s"),
                        ("ENTRA_GRAPH_ENDPOINT", ok)
                    ]
                )
                .is_ok(),
            "{ok}"
        );
    }
    for bad in ["http://169.254.169.254", "ftp://x"] {
        assert!(
            files
                .resolve(
                    &[("login_endpoint", bad)],
                    &[TEN, APP, ("ARM_CLIENT_SECRET", "s")]
                )
                .is_err(),
            "{bad}"
        );
    }
}
