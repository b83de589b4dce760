//! The Azure CLI's signed-in account: `az account get-access-token`.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use super::secret::Secret;
use super::token::{
    AccessToken, AuthError, DEFAULT_LIFETIME, TokenCredential, resource_of, until_epoch,
};

/// How long `az` may take before it is given up on.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `az account get-access-token --resource … [--tenant …] --output json`.
#[derive(Debug, Clone)]
pub struct AzureCliCredential {
    program: PathBuf,
    tenant_id: Option<String>,
    timeout: Duration,
}

impl AzureCliCredential {
    /// A credential running `program` (the `az` executable), optionally for `tenant_id`.
    pub fn new(program: PathBuf, tenant_id: Option<String>) -> AzureCliCredential {
        AzureCliCredential {
            program,
            tenant_id,
            timeout: TIMEOUT,
        }
    }

    /// The same credential giving up on `az` after `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> AzureCliCredential {
        self.timeout = timeout;
        self
    }
}

#[async_trait]
impl TokenCredential for AzureCliCredential {
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let mut command = tokio::process::Command::new(&self.program);
        command.args([
            "account",
            "get-access-token",
            "--resource",
            resource_of(scope),
        ]);
        if let Some(tenant) = &self.tenant_id {
            command.args(["--tenant", tenant]);
        }
        command
            .args(["--output", "json"])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let output = match tokio::time::timeout(self.timeout, command.output()).await {
            Err(_) => {
                return Err(AuthError(format!(
                    "the Azure CLI did not answer within {}s (az account get-access-token)",
                    self.timeout.as_secs()
                )));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AuthError(format!(
                    "the Azure CLI ({}) was not found: install it and run `az login`, or configure another \
                     authentication method",
                    self.program.display()
                )));
            }
            Ok(Err(e)) => {
                return Err(AuthError(format!(
                    "running the Azure CLI ({}): {e}",
                    self.program.display()
                )));
            }
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            return Err(AuthError(describe_cli_failure(&String::from_utf8_lossy(
                &output.stderr,
            ))));
        }
        parse_cli_token(&output.stdout)
    }
}

fn describe_cli_failure(stderr: &str) -> String {
    let said: String = stderr.trim().chars().take(500).collect();
    let lower = said.to_ascii_lowercase();
    if lower.contains("az login")
        || lower.contains("not logged in")
        || lower.contains("aadsts700082")
    {
        format!(
            "the Azure CLI is not logged in or its session expired: run `az login` and try again (az said: {said})"
        )
    } else {
        format!("`az account get-access-token` failed: {said}")
    }
}

/// Reads `accessToken` and `expires_on` (Unix time; newer CLIs) or `expiresOn` (local time).
fn parse_cli_token(stdout: &[u8]) -> Result<AccessToken, AuthError> {
    let json: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| {
        AuthError(format!(
            "the Azure CLI printed something other than token JSON: {e}"
        ))
    })?;
    let token = json
        .get("accessToken")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AuthError("the Azure CLI's answer has no accessToken".to_owned()))?;
    let epoch = json
        .get("expires_on")
        .and_then(|e| {
            e.as_i64()
                .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
        })
        .or_else(|| {
            let local = json.get("expiresOn")?.as_str()?;
            let naive =
                chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S%.f").ok()?;
            Some(
                naive
                    .and_local_timezone(chrono::Local)
                    .earliest()?
                    .timestamp(),
            )
        });
    let lifetime = epoch.map_or(DEFAULT_LIFETIME, until_epoch);
    Ok(AccessToken::new(Secret::new(token), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::Instant;

    /// A script standing in for `az` (a new file each time: rewriting one that was just
    /// run can fail with "text file busy").
    fn fake_az(dir: &std::path::Path, name: &str, script: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[tokio::test]
    async fn runs_az_with_resource_tenant_and_json_output() {
        let dir = tempfile::tempdir().unwrap();
        let args = dir.path().join("args");
        let on = crate::graph::auth::token::unix_now() + 3000;
        let az = fake_az(
            dir.path(),
            "az",
            &format!(
                "echo \"$@\" > {}\necho '{{\"accessToken\":\"cli-token\",\"expiresOn\":\"2000-01-01 00:00:00.000000\",\"expires_on\":{on},\"tokenType\":\"Bearer\"}}'",
                args.display()
            ),
        );
        let cred = AzureCliCredential::new(az, Some("t1".to_owned()));
        let token = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap();
        assert_eq!(token.token.expose(), "cli-token");
        assert!(token.expires_at > Instant::now() + Duration::from_secs(2900));
        assert_eq!(
            std::fs::read_to_string(&args).unwrap().trim(),
            "account get-access-token --resource https://graph.microsoft.com --tenant t1 --output json"
        );
    }

    #[test]
    fn older_clis_give_a_local_expires_on() {
        let later = chrono::Local::now() + chrono::Duration::minutes(30);
        let json = format!(
            r#"{{"accessToken":"t","expiresOn":"{}"}}"#,
            later.format("%Y-%m-%d %H:%M:%S%.6f")
        );
        let token = parse_cli_token(json.as_bytes()).unwrap();
        assert!(token.expires_at > Instant::now() + Duration::from_secs(1700));
        assert!(
            parse_cli_token(b"{}")
                .unwrap_err()
                .0
                .contains("accessToken")
        );
        assert!(parse_cli_token(b"oops").is_err());
    }

    #[tokio::test]
    async fn missing_cli_not_logged_in_and_hangs_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let missing = AzureCliCredential::new(dir.path().join("nope"), None);
        let err = missing
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(
            err.0.contains("was not found") && err.0.contains("az login"),
            "{err}"
        );
        let az = fake_az(
            dir.path(),
            "az-logged-out",
            "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1",
        );
        let err = AzureCliCredential::new(az, None)
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(
            err.0.contains("not logged in") && err.0.contains("Please run 'az login'"),
            "{err}"
        );
        let slow = fake_az(dir.path(), "az-slow", "sleep 5");
        let err = AzureCliCredential::new(slow, None)
            .with_timeout(Duration::from_millis(200))
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(err.0.contains("did not answer"), "{err}");
    }
}
