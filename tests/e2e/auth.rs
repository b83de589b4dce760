//! Authentication methods through real Terraform against the emulator: each method
//! creates an administrative unit (or refreshes one), misconfigurations fail at plan,
//! and no secret, token or assertion reaches the logs or the state.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use entra_emulator::store::model::FederatedCredential;
use entra_emulator::{DEMO_CLIENT_ID, DEMO_TENANT_ID, Options};
use serde_json::json;

use crate::helpers::{Run, Tenant, Workspace, suffix};

const ISSUER: &str = "https://token.actions.githubusercontent.com";
const SUBJECT: &str = "repo:entra-au/platform:environment:production";
const KID: &str = "test-key-1";
const PFX_PASSWORD: &str = "pfx-Pass-9f3c";

/// Test key material: a self-signed certificate for the demo app and an IdP signing key.
struct Keys {
    cert_pem: String,
    key_pem: String,
    pfx_base64: String,
    idp: RsaKeyPair,
    jwks: serde_json::Value,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("rsa key");
        let cert = rcgen::CertificateParams::new(vec!["terraform-e2e".to_owned()])
            .expect("params")
            .self_signed(&key)
            .expect("certificate");
        let chain = p12_keystore::PrivateKeyChain::new(
            vec![7u8],
            p12_keystore::PrivateKey::from_der(&key.serialize_der()).expect("pkcs8"),
            [p12_keystore::Certificate::from_der(cert.der()).expect("der")],
        );
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "terraform-e2e",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        let pfx = store.writer(PFX_PASSWORD).write().expect("pkcs12");

        let idp_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("idp key");
        let idp = RsaKeyPair::from_pkcs8(&idp_key.serialize_der()).expect("idp pkcs8");
        let (n, e) = rsa_public_numbers(idp_key.public_key_raw());
        let jwks = json!({"keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
            "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e),
        }]});
        Keys {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            pfx_base64: STANDARD.encode(pfx),
            idp,
            jwks,
        }
    })
}

/// `n` and `e` of a PKCS#1 `RSAPublicKey` (SEQUENCE { INTEGER n, INTEGER e }).
fn rsa_public_numbers(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn tlv(der: &[u8], pos: usize) -> (usize, usize) {
        let first = der[pos + 1];
        let (len, header) = if first & 0x80 == 0 {
            (first as usize, 2)
        } else {
            let n = (first & 0x7f) as usize;
            (
                der[pos + 2..pos + 2 + n]
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | *b as usize),
                2 + n,
            )
        };
        (pos + header, pos + header + len)
    }
    let (seq, _) = tlv(der, 0);
    let (n_start, n_end) = tlv(der, seq);
    let (e_start, e_end) = tlv(der, n_end);
    let strip = |b: &[u8]| {
        b.iter()
            .skip_while(|x| **x == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    (strip(&der[n_start..n_end]), strip(&der[e_start..e_end]))
}

/// An external IdP token (RS256, signed with the key the seed's JWKS publishes).
fn external_token(subject: &str, audience: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KID});
    let claims = json!({
        "iss": ISSUER, "sub": subject, "aud": audience,
        "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::new_v4().to_string(),
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let idp = &keys().idp;
    let mut sig = vec![0u8; idp.public_modulus_len()];
    idp.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// The demo tenant with the test certificate and a GitHub federated credential
/// registered on the demo app.
fn tenant() -> Tenant {
    let mut seed = entra_emulator::store::demo::demo_seed();
    let app = seed
        .apps
        .iter_mut()
        .find(|a| a.app_id == DEMO_CLIENT_ID)
        .expect("demo app");
    app.certificates.push(keys().cert_pem.clone());
    app.federated_credentials.push(FederatedCredential {
        issuer: ISSUER.to_owned(),
        subject: SUBJECT.to_owned(),
        audiences: vec!["api://AzureADTokenExchange".to_owned()],
        jwks: Some(keys().jwks.clone()),
    });
    Tenant::with_options(Options {
        seed_data: Some(seed),
        ..Options::default()
    })
}

fn emulator_value(tenant: &Tenant, key: &str) -> String {
    tenant
        .env()
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .expect(key)
}

/// A workspace with one administrative unit to create; returns its name.
fn workspace_with_au(tenant: &Tenant) -> (Workspace, String) {
    let ws = tenant.workspace();
    let name = format!("acctest-au-auth-{}", suffix());
    ws.write(&format!(
        "resource \"entra_administrative_unit\" \"x\" {{ display_name = \"{name}\" }}"
    ));
    (ws, name)
}

/// Runs `args` with TRACE logging to a file; returns the run and the log.
fn run_logged(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> (Run, String) {
    let log_path = ws.path().join(format!("terraform-{}.log", suffix()));
    let log = log_path.to_str().expect("utf-8 path").to_owned();
    let mut all: Vec<(&str, &str)> = vec![("TF_LOG", "TRACE"), ("TF_LOG_PATH", &log)];
    all.extend_from_slice(env);
    let run = ws.run_with_env(args, &all);
    let logs = std::fs::read_to_string(&log_path).unwrap_or_default();
    (run, logs)
}

/// `terraform apply` with `env`, which must succeed and create the AU; returns the log.
fn apply_creates(tenant: &Tenant, ws: &Workspace, name: &str, env: &[(&str, &str)]) -> String {
    let (run, logs) = run_logged(
        ws,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        env,
    );
    assert_eq!(run.status, 0, "apply failed:\n{}", run.output());
    assert!(
        tenant
            .administrative_unit_names()
            .contains(&name.to_owned()),
        "{name} was not created"
    );
    logs
}

/// A refreshing plan with `env`, which must succeed with no changes; returns the log.
fn plan_refreshes(ws: &Workspace, env: &[(&str, &str)]) -> String {
    let (run, logs) = run_logged(
        ws,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        env,
    );
    assert_eq!(
        run.status,
        0,
        "plan failed or proposed changes:\n{}",
        run.output()
    );
    logs
}

/// `terraform plan` with `env`, which must fail; returns everything it printed.
fn plan_fails(env: &[(&str, &str)]) -> String {
    let tenant = Tenant::start();
    let (ws, _) = workspace_with_au(&tenant);
    let run = ws.run_with_env(&["plan", "-input=false", "-no-color"], env);
    assert_ne!(run.status, 0, "plan succeeded:\n{}", run.output());
    run.output()
}

fn assert_hidden(what: &str, haystack: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !haystack.contains(secret),
            "{what} contains a secret ({}…)",
            &secret[..secret.len().min(12)]
        );
    }
    assert!(
        !haystack.contains("client_assertion="),
        "{what} contains a client assertion"
    );
    assert!(
        !haystack.contains("Bearer ey"),
        "{what} contains an access token"
    );
}

/// Lines of the PEM body, long enough to be unmistakable.
fn pem_lines(pem: &str) -> Vec<&str> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 40)
        .collect()
}

fn write_file(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write file");
    path
}

#[test]
fn client_secret_file_authenticates() {
    let tenant = Tenant::start();
    let (ws, name) = workspace_with_au(&tenant);
    let secret = emulator_value(&tenant, "ARM_CLIENT_SECRET");
    let file = write_file(ws.path(), "secret.txt", &format!("{secret}\n"));
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_CLIENT_SECRET_FILE_PATH", file.to_str().expect("path")),
        ],
    );
    assert!(
        logs.contains("client secret for app"),
        "the method is logged"
    );
    assert_hidden("the log", &logs, &[&secret]);
}

#[test]
fn client_certificate_authenticates_with_pem_and_pkcs12() {
    let tenant = tenant();
    let (ws, name) = workspace_with_au(&tenant);
    let keys = keys();
    let pem = write_file(
        ws.path(),
        "app.pem",
        &format!("{}{}", keys.cert_pem, keys.key_pem),
    );
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_CLIENT_CERTIFICATE_PATH", pem.to_str().expect("path")),
        ],
    );
    assert!(
        logs.contains("client certificate (x5t#S256"),
        "the method is logged"
    );
    let refresh = plan_refreshes(
        &ws,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_CLIENT_CERTIFICATE", &keys.pfx_base64),
            ("ARM_CLIENT_CERTIFICATE_PASSWORD", PFX_PASSWORD),
        ],
    );
    let mut secrets = pem_lines(&keys.key_pem);
    secrets.push(PFX_PASSWORD);
    secrets.push(&keys.pfx_base64[..60]);
    for (what, text) in [
        ("the apply log", &logs),
        ("the plan log", &refresh),
        ("the state", &ws.state_file()),
    ] {
        assert_hidden(what, text, &secrets);
    }
}

#[test]
fn oidc_token_authenticates() {
    let tenant = tenant();
    let (ws, name) = workspace_with_au(&tenant);
    let token = external_token(SUBJECT, "api://AzureADTokenExchange");
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN", &token),
        ],
    );
    assert!(
        logs.contains("OIDC token from a configured OIDC token"),
        "the method is logged"
    );
    let signature = token.rsplit('.').next().expect("signature");
    for (what, text) in [("the log", &logs), ("the state", &ws.state_file())] {
        assert_hidden(what, text, &[&token, signature]);
    }
}

#[test]
fn oidc_token_file_authenticates() {
    let tenant = tenant();
    let (ws, name) = workspace_with_au(&tenant);
    let file = write_file(
        ws.path(),
        "token.jwt",
        &external_token(SUBJECT, "api://AzureADTokenExchange"),
    );
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN_FILE_PATH", file.to_str().expect("path")),
        ],
    );
    assert!(logs.contains("OIDC token from the OIDC token file"));
}

#[test]
fn an_oidc_token_for_another_subject_is_rejected() {
    let tenant = tenant();
    let (ws, _) = workspace_with_au(&tenant);
    let token = external_token(
        "repo:someone-else/fork:pull_request",
        "api://AzureADTokenExchange",
    );
    let run = ws.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN", &token),
        ],
    );
    assert_ne!(run.status, 0);
    let out = run.output();
    assert!(
        out.contains("No matching federated identity record"),
        "{out}"
    );
    assert!(!out.contains(&token), "the token must not be echoed");
}

/// A GitHub Actions style ID token endpoint on 127.0.0.1: answers `{"value": token}`
/// and records each request's head.
struct IdTokenServer {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl IdTokenServer {
    fn start(token: String) -> IdTokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            while !stopped.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                let Ok((mut socket, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    continue;
                };
                let _ = socket.set_nonblocking(false);
                let _ = socket.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                seen.lock()
                    .expect("lock")
                    .push(String::from_utf8_lossy(&head).into_owned());
                let body = json!({"count": 1, "value": token}).to_string();
                let _ = write!(
                    socket,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        IdTokenServer {
            url,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

impl Drop for IdTokenServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn github_actions_request_url_authenticates() {
    let tenant = tenant();
    let (ws, name) = workspace_with_au(&tenant);
    let token = external_token(SUBJECT, "api://AzureADTokenExchange");
    let idp = IdTokenServer::start(token.clone());
    let request_url = format!("{}/_apis/idtoken?api-version=2.0", idp.url);
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_USE_OIDC", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &request_url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token-5e1f"),
        ],
    );
    assert!(
        logs.contains("GitHub Actions token request URL"),
        "the method is logged"
    );
    let requests = idp.requests();
    assert!(!requests.is_empty(), "the ID token endpoint was not called");
    let first = requests[0].to_ascii_lowercase();
    assert!(first.starts_with("get /_apis/idtoken?"), "{first}");
    assert!(
        first.contains("audience=api%3a%2f%2fazureadtokenexchange"),
        "{first}"
    );
    assert!(first.contains("api-version=2.0"), "{first}");
    assert!(
        first.contains("authorization: bearer gh-request-token-5e1f"),
        "{first}"
    );
    for (what, text) in [("the log", &logs), ("the state", &ws.state_file())] {
        assert_hidden(what, text, &[&token, "gh-request-token-5e1f"]);
    }
}

#[test]
fn managed_identity_authenticates_via_imds_and_app_service() {
    let tenant = tenant();
    let (ws, name) = workspace_with_au(&tenant);
    let imds = format!("{}/metadata/identity/oauth2/token", tenant.emulator.url());
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_CLIENT_ID", ""),
            ("ARM_USE_MSI", "true"),
            ("ARM_MSI_ENDPOINT", &imds),
        ],
    );
    assert!(
        logs.contains("system-assigned managed identity via IMDS"),
        "the method is logged"
    );
    let app_service = format!("{}/msi/token", tenant.emulator.url());
    let logs = plan_refreshes(
        &ws,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_CLIENT_ID", ""),
            ("ARM_USE_MSI", "true"),
            ("IDENTITY_ENDPOINT", &app_service),
            (
                "IDENTITY_HEADER",
                entra_emulator::routes::token::IDENTITY_HEADER,
            ),
        ],
    );
    assert!(
        logs.contains("App Service identity endpoint"),
        "the method is logged"
    );
    assert_hidden(
        "the log",
        &logs,
        &[entra_emulator::routes::token::IDENTITY_HEADER],
    );
}

#[test]
fn azure_cli_on_path_authenticates() {
    use std::os::unix::fs::PermissionsExt;
    let tenant = Tenant::start();
    let (ws, name) = workspace_with_au(&tenant);
    let bin = ws.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let args = ws.path().join("az-args.txt");
    let token = tenant.token();
    let expires_on = chrono::Utc::now().timestamp() + 3600;
    let az = write_file(
        &bin,
        "az",
        &format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\ncat <<'EOF'\n{}\nEOF\n",
            args.display(),
            json!({"accessToken": token, "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": expires_on,
                   "subscription": "00000000-0000-0000-0000-000000000000", "tenant": DEMO_TENANT_ID, "tokenType": "Bearer"})
        ),
    );
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let logs = apply_creates(
        &tenant,
        &ws,
        &name,
        &[
            ("ARM_CLIENT_SECRET", ""),
            ("ARM_CLIENT_ID", ""),
            ("PATH", &path),
        ],
    );
    assert!(logs.contains("Azure CLI ("), "the method is logged");
    let called = std::fs::read_to_string(&args).expect("az was run");
    let expected = format!(
        "account get-access-token --resource {} --tenant {DEMO_TENANT_ID} --output json",
        tenant.emulator.url()
    );
    assert_eq!(called.lines().next(), Some(expected.as_str()));
    assert_hidden("the log", &logs, &[&token[token.len() - 30..]]);
}

#[test]
fn conflicting_methods_fail_at_plan() {
    let out = plan_fails(&[("ARM_CLIENT_CERTIFICATE_PATH", "/tmp/app.pem")]);
    assert!(out.contains("Conflicting authentication methods"), "{out}");
    assert!(
        out.contains("ARM_CLIENT_SECRET selects a client secret"),
        "{out}"
    );
    assert!(
        out.contains("ARM_CLIENT_CERTIFICATE_PATH selects a client certificate"),
        "{out}"
    );
}

#[test]
fn use_oidc_without_a_token_source_fails_at_plan() {
    let out = plan_fails(&[("ARM_CLIENT_SECRET", ""), ("ARM_USE_OIDC", "true")]);
    assert!(out.contains("Missing OIDC token"), "{out}");
    assert!(out.contains("ARM_OIDC_TOKEN"), "{out}");
    assert!(out.contains("ACTIONS_ID_TOKEN_REQUEST_URL"), "{out}");
}

#[test]
fn a_certificate_without_a_tenant_fails_at_plan() {
    let dir = tempfile::tempdir().expect("dir");
    let keys = keys();
    let pem = write_file(
        dir.path(),
        "app.pem",
        &format!("{}{}", keys.cert_pem, keys.key_pem),
    );
    let out = plan_fails(&[
        ("ARM_CLIENT_SECRET", ""),
        ("ARM_TENANT_ID", ""),
        ("ARM_CLIENT_CERTIFICATE_PATH", pem.to_str().expect("path")),
    ]);
    assert!(out.contains("Missing tenant ID"), "{out}");
    assert!(out.contains("ARM_TENANT_ID"), "{out}");
    assert!(out.contains("tenant_id"), "{out}");
}

#[test]
fn no_method_and_no_azure_cli_fails_at_plan() {
    let out = plan_fails(&[
        ("ARM_CLIENT_SECRET", ""),
        ("ARM_CLIENT_ID", ""),
        ("PATH", "/nonexistent"),
    ]);
    assert!(out.contains("No authentication method configured"), "{out}");
    assert!(out.contains("az login"), "{out}");
}
