//! The release layout `make release` builds (scripts/release.sh) installs with a real
//! `terraform init` through a filesystem mirror, and the installed provider plans against
//! the emulator. The zips are packed from the binaries this test run already built.

use std::path::PathBuf;

use base64::Engine;
use serde_json::json;

use crate::ci_recipe::release;
use crate::helpers::Tenant;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn sha256(bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// This machine's platform as Terraform names it, e.g. `linux_amd64`.
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The entries of a zip archive (name, Unix mode), read from its central directory.
fn zip_entries(zip: &[u8]) -> Vec<(String, u32)> {
    let end = zip
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("end of central directory record");
    let count = u16_at(zip, end + 10);
    let mut at = u32_at(zip, end + 16) as usize;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02", "central directory entry");
        let name_len = u16_at(zip, at + 28);
        let extra_len = u16_at(zip, at + 30);
        let comment_len = u16_at(zip, at + 32);
        let mode = u32_at(zip, at + 38) >> 16;
        let name = String::from_utf8_lossy(&zip[at + 46..at + 46 + name_len]).into_owned();
        entries.push((name, mode & 0o777));
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

/// Terraform's `h1:` hash of a package holding one file (Go's dirhash.Hash1).
fn h1_of_single_file(name: &str, content: &[u8]) -> String {
    let summary = format!("{}  {name}\n", hex(&sha256(content)));
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(sha256(summary.as_bytes()))
    )
}

#[test]
fn release_layout_installs_through_a_filesystem_mirror_and_plans() {
    let dist = tempfile::tempdir().expect("temp dir");
    release(dist.path());

    // The registry layout: one zip per platform, the manifest, and SHA256SUMS over both.
    let zip_name = format!("terraform-provider-entra_{VERSION}_{}.zip", platform());
    let zip = std::fs::read(dist.path().join(&zip_name)).expect("the zip");
    let binary_name = format!("terraform-provider-entra_v{VERSION}");
    assert_eq!(zip_entries(&zip), vec![(binary_name.clone(), 0o755)]);
    let manifest_name = format!("terraform-provider-entra_{VERSION}_manifest.json");
    let manifest = std::fs::read(dist.path().join(&manifest_name)).expect("the manifest");
    let manifest_json: serde_json::Value =
        serde_json::from_slice(&manifest).expect("manifest is JSON");
    assert_eq!(
        manifest_json,
        json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    let sums = std::fs::read_to_string(
        dist.path()
            .join(format!("terraform-provider-entra_{VERSION}_SHA256SUMS")),
    )
    .expect("SHA256SUMS");
    let zip_sha = hex(&sha256(&zip));
    // The emulator ships beside it: entra-emulator inside, listed in the same SHA256SUMS.
    let emulator_zip_name = format!("entra-emulator_{VERSION}_{}.zip", platform());
    let emulator_zip = std::fs::read(dist.path().join(&emulator_zip_name)).expect("emulator zip");
    assert_eq!(
        zip_entries(&emulator_zip),
        vec![("entra-emulator".to_owned(), 0o755)]
    );
    assert_eq!(
        sums.lines().collect::<Vec<_>>(),
        vec![
            format!("{}  {emulator_zip_name}", hex(&sha256(&emulator_zip))),
            format!("{zip_sha}  {zip_name}"),
            format!("{}  {manifest_name}", hex(&sha256(&manifest))),
        ]
    );

    // The packed mirror layout holds the same zip.
    let mirror = dist.path().join("mirror");
    let mirrored = std::fs::read(
        mirror
            .join("registry.terraform.io/entra-au/entra")
            .join(&zip_name),
    )
    .expect("the zip in the mirror");
    assert_eq!(hex(&sha256(&mirrored)), zip_sha);

    // A real `terraform init` from the mirror only (no dev_overrides, no network).
    let rc: PathBuf = dist.path().join("terraformrc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/entra-au/entra\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .expect("cli config");
    let rc = rc.to_str().expect("utf-8 path");
    let tenant = Tenant::start();
    let ws = tenant.workspace();
    std::fs::write(
        ws.config_dir().join("main.tf"),
        format!(
            r#"terraform {{
  required_providers {{
    entra = {{
      source  = "entra-au/entra"
      version = "{VERSION}"
    }}
  }}
}}

provider "entra" {{}}

data "entra_user" "adele" {{
  user_principal_name = "adelevance@contoso-demo.onmicrosoft.com"
}}

resource "entra_administrative_unit" "release" {{
  display_name = "Installed from a mirror"
}}

output "adele" {{
  value = data.entra_user.adele.display_name
}}
"#
        ),
    )
    .expect("main.tf");
    let init = ws.run_with_env(
        &["init", "-input=false", "-no-color"],
        &[("TF_CLI_CONFIG_FILE", rc)],
    );
    assert_eq!(init.status, 0, "terraform init:\n{}", init.output());
    assert!(
        init.output()
            .contains(&format!("Installed entra-au/entra v{VERSION}")),
        "{}",
        init.output()
    );

    // The lock file pins the packaged binary. Terraform writes `zh:` (zip) hashes only for
    // registry installs, whose SHA256SUMS it trusts; from a mirror it records `h1:`, the
    // hash of the zip's contents, which must be that of the packaged binary.
    let built = std::fs::read(env!("CARGO_BIN_EXE_terraform-provider-entra")).expect("binary");
    let lock = std::fs::read_to_string(ws.config_dir().join(".terraform.lock.hcl"))
        .expect("terraform init wrote .terraform.lock.hcl");
    assert!(
        lock.contains("provider \"registry.terraform.io/entra-au/entra\""),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")),
        "{lock}"
    );
    let h1 = h1_of_single_file(&binary_name, &built);
    assert!(
        lock.contains(&format!("\"{h1}\"")),
        "expected {h1} in:\n{lock}"
    );
    let installed = ws
        .config_dir()
        .join(".terraform/providers/registry.terraform.io/entra-au/entra")
        .join(VERSION)
        .join(platform())
        .join(&binary_name);
    assert_eq!(
        sha256(&std::fs::read(&installed).expect("installed provider")),
        sha256(&built)
    );

    // The installed provider talks to the emulator.
    let plan = ws.run_with_env(
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        &[("TF_CLI_CONFIG_FILE", rc)],
    );
    assert_eq!(plan.status, 2, "expected changes:\n{}", plan.output());
    let out = plan.output();
    assert!(
        out.contains("entra_administrative_unit.release will be created"),
        "{out}"
    );
    assert!(out.contains("adele = \"Adele Vance\""), "{out}");
}
