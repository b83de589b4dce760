//! The CI guide's recipe (docs/guides/emulator-in-ci.md), run the way a user's pipeline
//! runs it: scripts/release.sh packs this run's binaries into release artifacts, a
//! loopback HTTP server stands in for the release's download URL, and
//! examples/ci/emulator-ci.sh, from a repository copied outside this checkout with its
//! own HOME, downloads and checks the zips, starts the emulator from its zip with
//! examples/ci/tenant.json, installs the provider from a filesystem mirror, applies
//! examples/ci/main.tf and re-plans. The test then reads the tenant through Graph.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::Value as Json;

use crate::helpers::terraform_binary;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the stand-in release server serves the artifacts, as GitHub releases do.
const DOWNLOAD_PATH: &str = concat!(
    "/entra-au/terraform-provider-entra/releases/download/v",
    env!("CARGO_PKG_VERSION")
);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `entra-emulator` binary of this build: the emulator is another package of the
/// workspace, so Cargo gives this test no `CARGO_BIN_EXE_entra-emulator`. It is built
/// (a no-op when fresh) next to the provider binary, with the same profile.
pub(crate) fn emulator_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let provider = Path::new(env!("CARGO_BIN_EXE_terraform-provider-entra"));
            let profile_dir = provider.parent().expect("the provider's directory");
            let target_dir = profile_dir.parent().expect("the target directory");
            let profile = profile_dir
                .file_name()
                .and_then(|p| p.to_str())
                .expect("profile directory name");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = Command::new(&cargo);
            cmd.current_dir(repo())
                .args(["build", "--quiet", "-p", "entra-emulator", "--bin", "entra-emulator"])
                .env("CARGO_TARGET_DIR", target_dir);
            match profile {
                "debug" => {}
                "release" => {
                    cmd.arg("--release");
                }
                other => {
                    cmd.args(["--profile", other]);
                }
            }
            let out = cmd.output().unwrap_or_else(|e| {
                panic!("could not run {cargo:?} to build entra-emulator: {e}")
            });
            let binary = profile_dir.join("entra-emulator");
            assert!(
                out.status.success() && binary.is_file(),
                "this test packages the entra-emulator binary, and `cargo build -p entra-emulator --bin entra-emulator` \
                 (target dir {}) failed; build it yourself and run the test again:\n{}",
                target_dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            binary
        })
        .clone()
}

fn output_text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// scripts/release.sh with this build's provider and emulator into `out`.
pub(crate) fn release(out: &Path) {
    let output = Command::new(repo().join("scripts/release.sh"))
        .args([
            "--fast",
            "--binary",
            env!("CARGO_BIN_EXE_terraform-provider-entra"),
        ])
        .arg("--emulator-binary")
        .arg(emulator_binary())
        .arg("--out")
        .arg(out)
        .output()
        .expect("run scripts/release.sh");
    assert!(
        output.status.success(),
        "scripts/release.sh failed:\n{}",
        output_text(&output)
    );
}

/// A file server on 127.0.0.1 answering `GET {prefix}/NAME` with `dir/NAME`, as a
/// release's download URL does; it records the paths asked for.
struct Downloads {
    url: String,
    requested: Arc<Mutex<Vec<String>>>,
}

impl Downloads {
    fn serve(dir: PathBuf, prefix: &'static str) -> Downloads {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the download server");
        let url = format!(
            "http://{}{prefix}",
            listener.local_addr().expect("server address")
        );
        let requested = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requested);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &dir, prefix, &log);
            }
        });
        Downloads { url, requested }
    }

    fn requested(&self) -> Vec<String> {
        self.requested.lock().expect("request log").clone()
    }
}

fn answer(
    mut stream: TcpStream,
    dir: &Path,
    prefix: &str,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    log.lock().expect("request log").push(path.clone());
    let file = path
        .strip_prefix(prefix)
        .and_then(|p| p.strip_prefix('/'))
        .filter(|name| !name.is_empty() && !name.contains('/') && !name.contains(".."))
        .map(|name| dir.join(name));
    let mut body = Vec::new();
    let status = match file.map(std::fs::File::open) {
        Some(Ok(mut f)) => {
            f.read_to_end(&mut body)?;
            "200 OK"
        }
        _ => "404 Not Found",
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// A user's repository outside this checkout: the recipe script, the seed and the
/// configuration, as the guide tells users to lay them out.
fn user_repository(root: &Path) -> PathBuf {
    let checkout = repo().canonicalize().expect("checkout path");
    assert!(
        !root
            .canonicalize()
            .expect("temp path")
            .starts_with(&checkout),
        "the recipe must run outside the checkout ({})",
        checkout.display()
    );
    let user_repo = root.join("repo");
    std::fs::create_dir_all(user_repo.join("ci")).expect("ci dir");
    std::fs::create_dir_all(user_repo.join("infra")).expect("infra dir");
    for (from, to) in [
        ("examples/ci/emulator-ci.sh", "ci/emulator-ci.sh"),
        ("examples/ci/tenant.json", "ci/tenant.json"),
        ("examples/ci/main.tf", "infra/main.tf"),
    ] {
        std::fs::copy(repo().join(from), user_repo.join(to)).expect("copy the recipe files");
    }
    user_repo
}

/// The command both workflows of the CI guide run (its template is the source of the
/// page): the same line in the GitHub Actions `run:` and the Azure DevOps `bash:` step.
fn workflow_command() -> String {
    let template = std::fs::read_to_string(repo().join("templates/guides/emulator-in-ci.md.tmpl"))
        .expect("the CI guide's template");
    let github: Vec<&str> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: bash ci/emulator-ci.sh"))
        .collect();
    let azure: Vec<&str> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- bash: bash ci/emulator-ci.sh"))
        .collect();
    assert_eq!(github.len(), 1, "one GitHub Actions step runs the recipe");
    assert_eq!(
        github, azure,
        "the GitHub Actions and Azure DevOps steps run the same command"
    );
    format!("bash ci/emulator-ci.sh{}", github[0])
}

/// Runs `command` (bash) in `user_repo` as a CI runner would, in a clean environment
/// with its own HOME and `extra` variables; Terraform comes from PATH.
fn run_recipe(user_repo: &Path, home: &Path, command: &str, extra: &[(&str, &str)]) -> Output {
    let terraform = terraform_binary();
    let terraform_dir = terraform.parent().expect("terraform's directory");
    let path = std::env::join_paths(std::iter::once(terraform_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    std::fs::create_dir_all(home).expect("HOME");
    Command::new("bash")
        .current_dir(user_repo)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("TMPDIR", std::env::temp_dir())
        .env("LANG", "C.UTF-8")
        .envs(extra.iter().copied())
        .args(["-c", command])
        .output()
        .expect("run examples/ci/emulator-ci.sh")
}

/// The emulator the recipe left running (`--keep-emulator`), stopped on drop.
struct KeptEmulator {
    pid: Option<i32>,
    env: Vec<(String, String)>,
}

impl KeptEmulator {
    fn find(work: &Path) -> KeptEmulator {
        let pid = std::fs::read_to_string(work.join("emulator.pid"))
            .ok()
            .and_then(|p| p.trim().parse().ok());
        let env = std::fs::read_to_string(work.join("emulator.env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        KeptEmulator { pid, env }
    }

    fn var(&self, key: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("emulator.env has no {key}: {:?}", self.env))
    }

    /// `GET {graph}/v1.0{path}` with a token for the seed's app, read from the primary.
    fn get(&self, path: &str) -> Json {
        let http = reqwest::blocking::Client::new();
        let token: Json = http
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.var("ENTRA_LOGIN_ENDPOINT"),
                self.var("ARM_TENANT_ID")
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.var("ARM_CLIENT_ID")),
                ("client_secret", self.var("ARM_CLIENT_SECRET")),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .expect("token request")
            .json()
            .expect("token json");
        let token = token["access_token"].as_str().expect("access_token");
        let resp = http
            .get(format!("{}/v1.0{path}", self.var("ENTRA_GRAPH_ENDPOINT")))
            .bearer_auth(token)
            .header("x-emulator-consistency", "strong")
            .send()
            .expect("graph request");
        assert_eq!(resp.status().as_u16(), 200, "GET {path}");
        resp.json().expect("graph json")
    }
}

impl Drop for KeptEmulator {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            use nix::sys::signal::{Signal, kill};
            let _ = kill(nix::unistd::Pid::from_raw(pid), Signal::SIGTERM);
        }
    }
}

fn ids(list: &Json, field: &str) -> Vec<String> {
    let mut ids: Vec<String> = list["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|v| {
            field
                .split('.')
                .fold(v, |v, f| &v[f])
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn ci_recipe_installs_release_artifacts_and_applies_against_the_emulator() {
    terraform_binary();
    let scratch = tempfile::tempdir().expect("temp dir");
    let dist = scratch.path().join("dist");
    release(&dist);
    let downloads = Downloads::serve(dist, DOWNLOAD_PATH);
    let user_repo = user_repository(scratch.path());
    let home = scratch.path().join("home");
    // As on GitHub: the work directory defaults to $RUNNER_TEMP/entra-ci.
    let runner_temp = scratch.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).expect("RUNNER_TEMP");
    let work = runner_temp.join("entra-ci");
    let releases = downloads
        .url
        .strip_suffix(&format!("/v{VERSION}"))
        .expect("a release path");

    // The workflows' command, plus --keep-emulator so that the tenant can be read after.
    let command = format!("{} --keep-emulator", workflow_command());
    let run = run_recipe(
        &user_repo,
        &home,
        &command,
        &[
            ("ENTRA_RELEASES", releases),
            ("ENTRA_VERSION", VERSION),
            ("RUNNER_TEMP", runner_temp.to_str().expect("utf-8 path")),
        ],
    );
    let emulator = KeptEmulator::find(&work);
    let out = output_text(&run);
    assert!(run.status.success(), "the recipe failed:\n{out}");

    // It downloaded exactly the SHA256SUMS and this platform's two zips, and checked them.
    let platform = format!(
        "{}_{}",
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        }
    );
    let prefix = DOWNLOAD_PATH;
    assert_eq!(
        downloads.requested(),
        vec![
            format!("{prefix}/terraform-provider-entra_{VERSION}_SHA256SUMS"),
            format!("{prefix}/terraform-provider-entra_{VERSION}_{platform}.zip"),
            format!("{prefix}/entra-emulator_{VERSION}_{platform}.zip"),
        ]
    );
    assert!(
        out.contains(&format!("entra-emulator_{VERSION}_{platform}.zip: OK")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "terraform-provider-entra_{VERSION}_{platform}.zip: OK"
        )),
        "{out}"
    );

    // The provider came from the mirror, and it is this build's binary.
    assert!(
        out.contains(&format!(
            "Installed entra-au/entra v{VERSION} (unauthenticated)"
        )),
        "{out}"
    );
    let installed = user_repo
        .join("infra/.terraform/providers/registry.terraform.io/entra-au/entra")
        .join(VERSION)
        .join(&platform)
        .join(format!("terraform-provider-entra_v{VERSION}"));
    assert_eq!(
        std::fs::read(&installed).expect("the installed provider"),
        std::fs::read(env!("CARGO_BIN_EXE_terraform-provider-entra"))
            .expect("this build's provider"),
        "the installed provider is not this build's binary"
    );
    // Nothing was written to the isolated HOME's Terraform directories.
    assert!(!home.join(".terraform.d/plugins").exists());
    assert!(
        out.contains("emulator-ci: applied, and a second plan is empty"),
        "{out}"
    );

    // The emulator runs from the unpacked zip with the seed's tenant.
    let pid = emulator.pid.expect("emulator.pid (--keep-emulator)");
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("the emulator process");
    assert_eq!(
        exe,
        work.canonicalize()
            .expect("work dir")
            .join("emulator/entra-emulator")
    );
    assert_eq!(
        emulator.var("ARM_TENANT_ID"),
        "c1000000-0000-4000-8000-000000000000"
    );

    // What examples/ci/main.tf asked for is in the tenant.
    let units = emulator.get("/directory/administrativeUnits?$filter=displayName%20eq%20'Sales'");
    let unit_ids = ids(&units, "id");
    assert_eq!(unit_ids.len(), 1, "one Sales unit: {units}");
    let unit = &unit_ids[0];
    assert_eq!(
        units["value"][0]["description"],
        "Users of the Sales department"
    );
    let members = emulator.get(&format!("/directory/administrativeUnits/{unit}/members"));
    assert_eq!(
        ids(&members, "id"),
        vec![
            "c1000000-0000-4000-8001-000000000001",
            "c1000000-0000-4000-8001-000000000002"
        ],
        "{members}"
    );
    let role_members = emulator.get(&format!(
        "/directory/administrativeUnits/{unit}/scopedRoleMembers"
    ));
    assert_eq!(
        ids(&role_members, "roleMemberInfo.id"),
        vec!["c1000000-0000-4000-8002-000000000001"],
        "{role_members}"
    );
    let outputs = Command::new(terraform_binary())
        .current_dir(user_repo.join("infra"))
        .env_clear()
        .env("HOME", &home)
        .env("TF_CLI_CONFIG_FILE", work.join("terraformrc"))
        .args(["output", "-raw", "administrative_unit_id"])
        .output()
        .expect("terraform output");
    assert_eq!(String::from_utf8_lossy(&outputs.stdout), *unit);

    // A second plan, outside the script, is empty too.
    let plan = Command::new(terraform_binary())
        .current_dir(user_repo.join("infra"))
        .env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TF_CLI_CONFIG_FILE", work.join("terraformrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .envs(emulator.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .output()
        .expect("terraform plan");
    assert_eq!(
        plan.status.code(),
        Some(0),
        "expected an empty plan:\n{}",
        output_text(&plan)
    );
}

#[test]
fn ci_recipe_refuses_a_zip_that_does_not_match_sha256sums() {
    terraform_binary();
    let scratch = tempfile::tempdir().expect("temp dir");
    let dist = scratch.path().join("dist");
    release(&dist);
    // A tampered (or truncated) emulator download.
    let platform_zip = std::fs::read_dir(&dist)
        .expect("dist")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("entra-emulator_") && n.ends_with(".zip"))
        })
        .expect("the emulator zip");
    let mut bytes = std::fs::read(&platform_zip).expect("zip");
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&platform_zip, bytes).expect("truncate");
    let user_repo = user_repository(scratch.path());
    let work = scratch.path().join("work");

    // A local directory as the source, which the recipe accepts too.
    let command = format!(
        "bash ci/emulator-ci.sh --seed ci/tenant.json --config infra --work '{}' --keep-emulator '{}' {VERSION}",
        work.display(),
        dist.display()
    );
    let run = run_recipe(&user_repo, &scratch.path().join("home"), &command, &[]);
    let _emulator = KeptEmulator::find(&work);
    let out = output_text(&run);
    assert!(
        !run.status.success(),
        "the recipe accepted a bad zip:\n{out}"
    );
    assert!(
        out.contains("emulator-ci: the downloaded zips do not match terraform-provider-entra_")
            && out.contains("FAILED"),
        "{out}"
    );
    assert!(
        !work.join("emulator.pid").exists(),
        "the emulator was started from a bad zip"
    );
    assert!(!user_repo.join("infra/.terraform").exists());
}
