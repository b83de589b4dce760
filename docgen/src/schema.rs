//! Gets the provider schema the way Terraform sees it: `terraform providers schema -json`
//! in a scratch directory whose CLI configuration points `dev_overrides` at the built
//! provider binary (no `terraform init`, no network).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value as Json;

/// The Terraform CLI: `TF_ACC_TERRAFORM_PATH`, else `terraform` on `PATH`.
fn terraform() -> PathBuf {
    std::env::var_os("TF_ACC_TERRAFORM_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("terraform"))
}

/// The schema JSON of the provider binary at `provider`.
pub(crate) fn from_provider(provider: &Path) -> Result<Json> {
    let provider = provider
        .canonicalize()
        .with_context(|| format!("provider binary {}", provider.display()))?;
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let plugins = scratch.path().join("plugins");
    let config = scratch.path().join("config");
    std::fs::create_dir_all(&plugins)?;
    std::fs::create_dir_all(&config)?;
    std::os::unix::fs::symlink(&provider, plugins.join("terraform-provider-entra"))
        .context("linking the provider binary")?;
    let rc = scratch.path().join("terraformrc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"entra-au/entra\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            plugins.display()
        ),
    )?;
    std::fs::write(
        config.join("main.tf"),
        "terraform {\n  required_providers {\n    entra = { source = \"entra-au/entra\" }\n  }\n}\n",
    )?;
    let output = Command::new(terraform())
        .args(["providers", "schema", "-json"])
        .current_dir(&config)
        .env("TF_CLI_CONFIG_FILE", &rc)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .context(
            "running terraform (install Terraform 1.5 or newer, or set TF_ACC_TERRAFORM_PATH)",
        )?;
    if !output.status.success() {
        bail!(
            "terraform providers schema -json failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_slice(&output.stdout).context("parsing the schema JSON")
}
