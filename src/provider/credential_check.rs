//! Proving the credentials when the provider is configured: a wrong tenant, client id
//! or secret then fails `terraform plan` even when the plan has nothing to read (so a CI
//! plan job catches it), and the error names the setting and where its value came
//! from. The token obtained is cached and serves the rest of the run.

use super::config::{AuthMethod, Settings};
use provider_framework::{Diagnostic, Diagnostics};

/// The setting a token endpoint refusal points at, by its `AADSTS` code.
fn blamed_setting(code: u32, method: &AuthMethod) -> Option<&'static str> {
    Some(match code {
        // Tenant not found; invalid tenant identifier.
        90002 | 900023 | 90072 => "tenant_id",
        // Application not found in the directory.
        700016 => "client_id",
        // Invalid, expired or missing client secret.
        7000215 | 7000222 | 7000218 => match method {
            AuthMethod::ClientSecret(_) => "client_secret",
            _ => return None,
        },
        // Certificate assertion not accepted (unknown key, bad signature, expired).
        700027 | 700024 | 700023 | 50012 => match method {
            AuthMethod::ClientCertificate(_) => "client_certificate",
            AuthMethod::Oidc(_) => "use_oidc",
            _ => return None,
        },
        // No federated identity credential matches the presented token.
        70021 | 700211 | 700212 | 700213 => "use_oidc",
        _ => return None,
    })
}

/// The `AADSTSnnnn` code in a token endpoint answer.
fn aadsts_code(message: &str) -> Option<u32> {
    let at = message.find("AADSTS")?;
    let digits: String = message[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What the configured value is, for the message (never a secret).
fn described_value(setting: &str, settings: &Settings) -> String {
    match setting {
        "tenant_id" => settings
            .tenant_id
            .as_deref()
            .map_or_else(String::new, |t| format!(" {t:?}")),
        "client_id" => settings
            .client_id
            .as_deref()
            .map_or_else(String::new, |c| format!(" {c:?}")),
        _ => String::new(),
    }
}

/// The diagnostic for a token request that failed with `failure` at configure time.
pub(super) fn explain(settings: &Settings, failure: &str) -> Diagnostics {
    let summary = "Authentication failed";
    let how = settings.describe();
    let Some(setting) = aadsts_code(failure).and_then(|c| blamed_setting(c, &settings.method))
    else {
        return Diagnostic::error(
            summary,
            format!("Requesting a token ({how}) failed: {failure}"),
        )
        .into();
    };
    // A secret may come from its file instead; name whichever was used.
    let origin = settings
        .origins
        .get(setting)
        .or_else(|| {
            (setting == "client_secret")
                .then(|| settings.origins.get("client_secret_file_path"))
                .flatten()
        })
        .or_else(|| {
            (setting == "client_certificate")
                .then(|| settings.origins.get("client_certificate_path"))
                .flatten()
        })
        .map_or_else(|| "its default".to_owned(), |o| o.clone());
    Diagnostic::attribute_error(
        setting,
        format!("{summary}: check {setting}"),
        format!(
            "The token endpoint refused {setting}{} (set by {origin}) while authenticating with {how}: \
             {failure}",
            described_value(setting, settings)
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::auth::Secret;

    fn settings() -> Settings {
        Settings {
            method: AuthMethod::ClientSecret(Secret::new("s3cr3t-value")),
            tenant_id: Some("contoso.onmicrosoft.com".into()),
            client_id: Some("c0ffee00-0000-4000-8000-00000000a001".into()),
            cloud: super::super::config::Cloud::Global,
            graph_endpoint: "https://graph.microsoft.com".into(),
            login_endpoint: "https://login.microsoftonline.com".into(),
            origins: [
                (
                    "tenant_id",
                    "the ARM_TENANT_ID environment variable".to_owned(),
                ),
                (
                    "client_id",
                    "\"client_id\" in the provider block".to_owned(),
                ),
                (
                    "client_secret",
                    "the ARM_CLIENT_SECRET environment variable".to_owned(),
                ),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn each_refusal_names_the_setting_and_where_it_came_from() {
        for (answer, setting, origin) in [
            (
                "400 invalid_request: AADSTS90002: Tenant 'x' not found.",
                "tenant_id",
                "ARM_TENANT_ID",
            ),
            (
                "400 unauthorized_client: AADSTS700016: Application with identifier 'x' was not found",
                "client_id",
                "\"client_id\" in the provider block",
            ),
            (
                "401 invalid_client: AADSTS7000215: Invalid client secret provided.",
                "client_secret",
                "ARM_CLIENT_SECRET",
            ),
        ] {
            let d = &explain(&settings(), answer).0[0];
            assert_eq!(
                d.attribute.as_ref().map(ToString::to_string).as_deref(),
                Some(setting),
                "{answer}"
            );
            assert!(d.detail.contains(origin), "{}", d.detail);
            assert!(!d.detail.contains("s3cr3t-value"), "{}", d.detail);
        }
        let other = &explain(&settings(), "connection refused").0[0];
        assert!(other.attribute.is_none());
        assert!(other.detail.contains("connection refused"));
    }
}
