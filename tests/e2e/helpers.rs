//! The end-to-end harness: an in-process entra-emulator on a random loopback port, a
//! temporary Terraform working directory, and the real `terraform` CLI running the
//! freshly built provider through `dev_overrides` (no `terraform init`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use entra_emulator::{BackgroundEmulator, FaultConfig, Options};
use serde_json::Value as Json;

/// The suite's default consistency: a realistic, randomised replication lag.
pub(crate) fn realistic_lag() -> FaultConfig {
    FaultConfig {
        replication_lag_min_ms: Some(1_000),
        replication_lag_ms: 3_000,
        replicas: 3,
        dynamic_processing_delay_ms: 2_000,
        ..FaultConfig::default()
    }
}

/// The Terraform binary; fails the test (never skips) when it is missing.
/// The Terraform CLI's version, e.g. `1.11.4`, for benchmark headers.
pub(crate) fn terraform_version() -> String {
    let out = std::process::Command::new(terraform_binary())
        .arg("version")
        .output()
        .expect("terraform version");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("Terraform ")
        .trim_start_matches('v')
        .to_owned()
}

pub(crate) fn terraform_binary() -> PathBuf {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        if let Some(p) = std::env::var_os("TF_ACC_TERRAFORM_PATH") {
            return Some(PathBuf::from(p));
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|d| d.join("terraform"))
            .find(|p| p.is_file())
    });
    found.clone().unwrap_or_else(|| {
        panic!(
            "terraform is not installed or not on PATH: the end-to-end tests drive the real Terraform CLI. \
             Install Terraform 1.5 or newer (or set TF_ACC_TERRAFORM_PATH) and run the tests again."
        )
    })
}

/// One emulator, shared by the workspaces a test creates.
pub(crate) struct Tenant {
    pub(crate) emulator: BackgroundEmulator,
    http: reqwest::blocking::Client,
    /// The fault settings the tenant started with (the suite's replication lag).
    base_faults: Json,
}

impl Tenant {
    /// A fresh emulator with the built-in demo tenant, replicating like Entra does:
    /// every change reaches each of three read replicas after its own 1 to 3 seconds,
    /// and dynamic membership is evaluated 2 seconds after a change. Every test runs
    /// under this lag unless it says otherwise.
    pub(crate) fn start() -> Tenant {
        Tenant::with_options(Options {
            faults: realistic_lag(),
            ..Options::default()
        })
    }

    /// A fresh emulator without replication lag, for tests that count requests (lag
    /// adds the re-reads it asks for).
    pub(crate) fn without_lag() -> Tenant {
        Tenant::with_options(Options::default())
    }

    /// A fresh emulator with `options`.
    pub(crate) fn with_options(options: Options) -> Tenant {
        let base_faults = serde_json::to_value(&options.faults).expect("faults json");
        let emulator = BackgroundEmulator::start(options).expect("start the emulator");
        Tenant {
            emulator,
            http: reqwest::blocking::Client::new(),
            base_faults,
        }
    }

    /// The emulator's `KEY=VALUE` environment.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        self.emulator.env()
    }

    fn env_value(&self, key: &str) -> String {
        self.env()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("emulator env has no {key}"))
    }

    /// A Graph token for the demo app, as a user's script would get one.
    pub(crate) fn token(&self) -> String {
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            self.emulator.url(),
            self.env_value("ARM_TENANT_ID")
        );
        let scope = format!("{}/.default", self.emulator.url());
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", self.env_value("ARM_CLIENT_ID")),
            ("client_secret", self.env_value("ARM_CLIENT_SECRET")),
            ("scope", scope),
        ];
        let resp: Json = self
            .http
            .post(url)
            .form(&form)
            .send()
            .expect("token request")
            .json()
            .expect("token json");
        resp["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A Graph request against the emulator, as another tool would have made it long
    /// ago: a write is settled (replicated everywhere) before this returns. Returns the
    /// status and JSON body (null when empty).
    pub(crate) fn graph(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Json>,
    ) -> (u16, Json) {
        let writes = method != reqwest::Method::GET;
        let answer = self.graph_fresh(method, path, body);
        if writes {
            self.settle();
        }
        answer
    }

    /// A Graph request made just now: a write is subject to replication lag like the
    /// provider's own. Reads see the truth (`x-emulator-consistency: strong`), and
    /// injected throttling and server errors are retried, so a test's own checks see
    /// the tenant rather than the faults it set up for the provider.
    pub(crate) fn graph_fresh(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Json>,
    ) -> (u16, Json) {
        let url = format!("{}/v1.0{path}", self.emulator.url());
        let token = self.token();
        for _ in 0..50 {
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&token)
                .header("x-emulator-consistency", "strong");
            if let Some(body) = &body {
                req = req.json(body);
            }
            let Ok(resp) = req.send() else {
                continue;
            };
            let status = resp.status().as_u16();
            if matches!(status, 429 | 500 | 502 | 503 | 504) {
                std::thread::sleep(std::time::Duration::from_millis(50));
                continue;
            }
            let text = resp.text().unwrap_or_default();
            return (status, serde_json::from_str(&text).unwrap_or(Json::Null));
        }
        panic!("{method} {path}: the emulator kept failing");
    }

    /// Grants the built-in role `template` to `principal` at unit `au` the way azuread
    /// does (activating the directory role, then `scopedRoleMembers`): returns the
    /// scoped role membership and the directory role's object id.
    pub(crate) fn add_scoped_role_member(
        &self,
        au: &str,
        template: &str,
        principal: &str,
    ) -> (Json, String) {
        let (status, activated) = self.graph(
            reqwest::Method::POST,
            "/directoryRoles",
            Some(serde_json::json!({"roleTemplateId": template})),
        );
        assert!(
            status == 201 || status == 400,
            "activate: {status} {activated}"
        );
        let (_, roles) = self.get("/directoryRoles");
        let role = roles["value"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|r| r["roleTemplateId"] == serde_json::json!(template))
            })
            .and_then(|r| r["id"].as_str())
            .expect("the activated directory role")
            .to_owned();
        let (status, membership) = self.graph(
            reqwest::Method::POST,
            &format!("/directory/administrativeUnits/{au}/scopedRoleMembers"),
            Some(serde_json::json!({"roleId": role, "roleMemberInfo": {"id": principal}})),
        );
        assert_eq!(status, 201, "{membership}");
        (membership, role)
    }

    /// `GET` a Graph path (strongly consistent), returning status and body.
    pub(crate) fn get(&self, path: &str) -> (u16, Json) {
        self.graph(reqwest::Method::GET, path, None)
    }

    /// The display names of every administrative unit in the tenant.
    pub(crate) fn administrative_unit_names(&self) -> Vec<String> {
        let (status, body) = self.get("/directory/administrativeUnits?$top=999");
        assert_eq!(status, 200, "{body}");
        let mut names: Vec<String> = body["value"]
            .as_array()
            .expect("value array")
            .iter()
            .map(|au| au["displayName"].as_str().unwrap_or_default().to_owned())
            .collect();
        names.sort();
        names
    }

    /// Replaces the emulator's fault settings with `faults` (a JSON object of
    /// `FaultConfig` fields) on top of the suite's default consistency settings.
    pub(crate) fn set_faults(&self, faults: Json) {
        let mut config = self.base_faults.clone();
        for (k, v) in faults.as_object().expect("faults object") {
            config[k] = v.clone();
        }
        let resp = self
            .http
            .post(format!("{}/_emulator/faults", self.emulator.url()))
            .json(&config)
            .send()
            .expect("faults");
        assert!(resp.status().is_success(), "{}", resp.status());
    }

    /// Lets every change reach every replica, as if the replication window had passed
    /// (`POST /_emulator/settle`).
    pub(crate) fn settle(&self) {
        let resp = self
            .http
            .post(format!("{}/_emulator/settle", self.emulator.url()))
            .send()
            .expect("settle");
        assert!(resp.status().is_success(), "{}", resp.status());
    }

    /// `GET /_emulator/stats`.
    pub(crate) fn stats(&self) -> Json {
        self.http
            .get(format!("{}/_emulator/stats", self.emulator.url()))
            .send()
            .expect("stats")
            .json()
            .expect("stats json")
    }

    /// Creates `n` users through Graph `$batch` requests and returns their ids.
    pub(crate) fn create_users(&self, n: usize) -> Vec<String> {
        let token = self.token();
        let run = suffix();
        let mut ids = Vec::with_capacity(n);
        for chunk in (0..n).collect::<Vec<_>>().chunks(20) {
            let requests: Vec<Json> = chunk
                .iter()
                .map(|i| {
                    serde_json::json!({
                        "id": i.to_string(), "method": "POST", "url": "/users",
                        "headers": {"Content-Type": "application/json"},
                        "body": {"accountEnabled": true, "displayName": format!("Generated User {i}"),
                                 "mailNickname": format!("gen{run}{i}"),
                                 "userPrincipalName": format!("gen{run}{i}@contoso-demo.onmicrosoft.com"),
                                 "passwordProfile": {"password": "Generated-Password-1!"}}
                    })
                })
                .collect();
            let resp: Json = self
                .http
                .post(format!("{}/v1.0/$batch", self.emulator.url()))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "requests": requests }))
                .send()
                .expect("batch")
                .json()
                .expect("batch json");
            for r in resp["responses"].as_array().expect("responses") {
                assert_eq!(r["status"], serde_json::json!(201), "creating a user: {r}");
                ids.push(r["body"]["id"].as_str().expect("id").to_owned());
            }
        }
        ids
    }

    /// A new Terraform working directory using this tenant.
    pub(crate) fn workspace(&self) -> Workspace {
        Workspace::new(self.env())
    }
}

/// A Terraform working directory wired to the freshly built provider.
pub(crate) struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// What a Terraform command did.
pub(crate) struct Run {
    pub(crate) status: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn from(output: Output) -> Run {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Everything the command printed, with runs of white space folded to one space
    /// (Terraform wraps diagnostics at the terminal width).
    pub(crate) fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Workspace {
    fn new(env: Vec<(String, String)>) -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).expect("plugins dir");
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_terraform-provider-entra"),
            plugins.join("terraform-provider-entra"),
        )
        .expect("link provider");
        let rc = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"entra-au/entra\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            plugins.display()
        );
        std::fs::write(dir.path().join("terraformrc"), rc).expect("cli config");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        Workspace { dir, env }
    }

    /// The directory holding the configuration and state.
    pub(crate) fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// Replaces the configuration with `hcl` (a provider block is added).
    pub(crate) fn write(&self, hcl: &str) {
        let full = format!(
            "terraform {{\n  required_providers {{\n    entra = {{ source = \"entra-au/entra\" }}\n  }}\n}}\n\nprovider \"entra\" {{}}\n\n{hcl}"
        );
        std::fs::write(self.config_dir().join("main.tf"), full).expect("write main.tf");
    }

    /// Copies an example directory (relative to the repository root) as the configuration.
    pub(crate) fn use_example(&self, example: &str) {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
        for entry in std::fs::read_dir(&source).expect("example dir") {
            let entry = entry.expect("entry");
            if entry.path().extension().is_some_and(|e| e == "tf") {
                std::fs::copy(entry.path(), self.config_dir().join(entry.file_name()))
                    .expect("copy example");
            }
        }
    }

    /// Runs terraform with `args`, extra environment `extra`, in a clean environment.
    pub(crate) fn run_with_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        Run::from(self.command(args, extra).output().expect("run terraform"))
    }

    /// Starts terraform with `args` in a process group of its own (as a CI runner or
    /// `timeout` starts a job), with its output captured.
    pub(crate) fn spawn(&self, args: &[&str]) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        self.command(args, &[])
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start terraform")
    }

    fn command(&self, args: &[&str], extra: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(terraform_binary());
        cmd.current_dir(self.config_dir()).args(args).env_clear();
        for key in ["PATH", "HOME", "TMPDIR", "LANG"] {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        cmd.env("TF_CLI_CONFIG_FILE", self.dir.path().join("terraformrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs terraform with `args`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs terraform and fails the test when it fails.
    pub(crate) fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.status,
            0,
            "terraform {args:?} failed:\n{}",
            run.output()
        );
        run
    }

    /// `terraform apply -auto-approve`, which must succeed.
    pub(crate) fn apply(&self) -> Run {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform destroy -auto-approve`, which must succeed.
    pub(crate) fn destroy(&self) -> Run {
        self.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// Asserts that a refreshing plan proposes no change.
    pub(crate) fn assert_plan_empty(&self) {
        let run = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(
            run.status,
            0,
            "expected an empty plan, got exit {}:\n{}",
            run.status,
            run.output()
        );
    }

    /// Plans to a file and returns `terraform show -json` of the plan.
    pub(crate) fn plan_json(&self) -> Json {
        let run = self.run(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
        assert_eq!(run.status, 0, "plan failed:\n{}", run.output());
        let show = self.ok(&["show", "-json", "tfplan"]);
        serde_json::from_str(&show.stdout).expect("plan json")
    }

    /// The actions planned for resource `address`, e.g. `["create"]`.
    pub(crate) fn planned_actions(&self, address: &str) -> Vec<String> {
        let plan = self.plan_json();
        plan["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|rc| rc["address"] == address)
            .map(|rc| {
                rc["change"]["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(ToOwned::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The attribute values of resource `address` in state.
    pub(crate) fn state_values(&self, address: &str) -> Json {
        let show = self.ok(&["show", "-json"]);
        let state: Json = serde_json::from_str(&show.stdout).expect("state json");
        state["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
            .unwrap_or(Json::Null)
    }

    /// The raw state file.
    pub(crate) fn state_file(&self) -> String {
        std::fs::read_to_string(self.config_dir().join("terraform.tfstate")).unwrap_or_default()
    }

    /// The path of the workspace's directory.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A unique suffix for names, so reruns against a persistent tenant never collide.
pub(crate) fn suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}
