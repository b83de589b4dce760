//! Resolves the provider block and the `ARM_*` / `ENTRA_*` environment into settings,
//! with errors that name the missing argument and the variable that supplies it.

use std::sync::Arc;

use crate::framework::{Attribute, Diagnostic, Diagnostics, Value};
use crate::graph::auth::{ClientSecretCredential, Secret, TokenCredential};

/// The public cloud's Graph endpoint.
pub const DEFAULT_GRAPH_ENDPOINT: &str = "https://graph.microsoft.com";
/// The public cloud's login endpoint.
pub const DEFAULT_LOGIN_ENDPOINT: &str = "https://login.microsoftonline.com";

/// Where configuration values come from besides the provider block.
pub trait Env {
    /// The variable's value, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

/// Resolved provider settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Directory (tenant) id.
    pub tenant_id: String,
    /// Application (client) id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret,
    /// Graph base URL without version, e.g. `https://graph.microsoft.com`.
    pub graph_endpoint: String,
    /// Login base URL, e.g. `https://login.microsoftonline.com`.
    pub login_endpoint: String,
}

/// The provider block's attributes.
pub fn schema_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("tenant_id").describe(
            "The directory (tenant) ID or a verified domain of the tenant. Can also be set with the \
             `ARM_TENANT_ID` environment variable.",
        ),
        Attribute::string("client_id").describe(
            "The application (client) ID of the app registration to authenticate as. Can also be set \
             with the `ARM_CLIENT_ID` environment variable.",
        ),
        Attribute::string("client_secret").sensitive().describe(
            "A client secret of the app registration. Can also be set with the `ARM_CLIENT_SECRET` \
             environment variable.",
        ),
        Attribute::string("graph_endpoint").describe(
            "Overrides the Microsoft Graph endpoint (default `https://graph.microsoft.com`), e.g. to use \
             the entra-emulator. Plain `http://` is accepted only for loopback hosts. Can also be set \
             with the `ENTRA_GRAPH_ENDPOINT` environment variable.",
        ),
        Attribute::string("login_endpoint").describe(
            "Overrides the Microsoft Entra login endpoint (default `https://login.microsoftonline.com`). \
             Plain `http://` is accepted only for loopback hosts. Can also be set with the \
             `ENTRA_LOGIN_ENDPOINT` environment variable.",
        ),
    ]
}

/// The token credential the settings select.
pub fn credential(settings: &Settings, http: reqwest::Client) -> Result<Arc<dyn TokenCredential>, Diagnostics> {
    Ok(Arc::new(ClientSecretCredential::new(
        http,
        &settings.login_endpoint,
        &settings.tenant_id,
        &settings.client_id,
        settings.client_secret.clone(),
    )))
}

impl Settings {
    /// The authentication method and identity, for logs (never a secret).
    pub fn describe(&self) -> String {
        format!("client secret for app {} in tenant {}", self.client_id, self.tenant_id)
    }
}

/// One configurable setting: its argument and environment variable.
struct Source {
    attribute: &'static str,
    env: &'static str,
}

const TENANT_ID: Source = Source { attribute: "tenant_id", env: "ARM_TENANT_ID" };
const CLIENT_ID: Source = Source { attribute: "client_id", env: "ARM_CLIENT_ID" };
const CLIENT_SECRET: Source = Source { attribute: "client_secret", env: "ARM_CLIENT_SECRET" };
const GRAPH_ENDPOINT: Source = Source { attribute: "graph_endpoint", env: "ENTRA_GRAPH_ENDPOINT" };
const LOGIN_ENDPOINT: Source = Source { attribute: "login_endpoint", env: "ENTRA_LOGIN_ENDPOINT" };

fn lookup(config: &Value, env: &dyn Env, source: &Source) -> Option<String> {
    config
        .get(source.attribute)
        .as_str()
        .map(ToOwned::to_owned)
        .filter(|v| !v.trim().is_empty())
        .or_else(|| env.var(source.env))
}

fn require(config: &Value, env: &dyn Env, source: &Source, what: &str, diags: &mut Diagnostics) -> String {
    lookup(config, env, source).unwrap_or_else(|| {
        diags.push(Diagnostic::attribute_error(
            source.attribute,
            format!("Missing {what}"),
            format!(
                "The entra provider needs the {what} to authenticate with a client secret. \
                 Set \"{}\" in the provider block or the {} environment variable.",
                source.attribute, source.env
            ),
        ));
        String::new()
    })
}

/// Resolves settings from a fully known provider configuration.
pub fn resolve(config: &Value, env: &dyn Env) -> Result<Settings, Diagnostics> {
    let mut diags = Diagnostics::new();
    let tenant_id = require(config, env, &TENANT_ID, "tenant ID", &mut diags);
    let client_id = require(config, env, &CLIENT_ID, "client ID", &mut diags);
    let client_secret = Secret::new(require(config, env, &CLIENT_SECRET, "client secret", &mut diags));
    let graph_endpoint = endpoint(config, env, &GRAPH_ENDPOINT, DEFAULT_GRAPH_ENDPOINT, &mut diags);
    let login_endpoint = endpoint(config, env, &LOGIN_ENDPOINT, DEFAULT_LOGIN_ENDPOINT, &mut diags);
    if !tenant_id.is_empty() && !is_tenant(&tenant_id) {
        diags.push(Diagnostic::attribute_error(
            "tenant_id",
            "Invalid tenant ID",
            format!("{tenant_id:?} is neither a directory id (GUID) nor a domain name such as contoso.onmicrosoft.com."),
        ));
    }
    diags.into_result()?;
    Ok(Settings {
        tenant_id,
        client_id,
        client_secret,
        graph_endpoint,
        login_endpoint,
    })
}

fn is_tenant(s: &str) -> bool {
    crate::ids::is_guid(s)
        || (s.contains('.') && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

/// An endpoint override: https anywhere, plain http only on loopback.
fn endpoint(config: &Value, env: &dyn Env, source: &Source, default: &str, diags: &mut Diagnostics) -> String {
    let Some(raw) = lookup(config, env, source) else {
        return default.to_owned();
    };
    let problem = match url::Url::parse(raw.trim()) {
        Err(e) => Some(format!("{raw:?} is not a URL: {e}.")),
        Ok(u) if u.scheme() == "https" => None,
        Ok(u) if u.scheme() == "http" && is_loopback(&u) => None,
        Ok(u) if u.scheme() == "http" => Some(format!(
            "{raw:?} uses plain http on a non-loopback host; use https (plain http is accepted only for \
             127.0.0.1, ::1 or localhost, e.g. the entra-emulator)."
        )),
        Ok(u) => Some(format!("{raw:?} has scheme {:?}; use https.", u.scheme())),
    };
    if let Some(detail) = problem {
        diags.push(Diagnostic::attribute_error(
            source.attribute,
            format!("Invalid {}", source.attribute),
            format!("{detail} (set by \"{}\" or {})", source.attribute, source.env),
        ));
    }
    raw.trim().trim_end_matches('/').to_owned()
}

fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct MapEnv(HashMap<&'static str, &'static str>);

    impl Env for MapEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
    }

    fn env(pairs: &[(&'static str, &'static str)]) -> MapEnv {
        MapEnv(pairs.iter().copied().collect())
    }

    const TENANT: &str = "11111111-1111-1111-1111-111111111111";

    #[test]
    fn block_values_win_over_environment_and_defaults_apply() {
        let config = Value::object([("tenant_id", Value::string(TENANT)), ("client_id", Value::string("app"))]);
        let e = env(&[("ARM_TENANT_ID", "other.example.com"), ("ARM_CLIENT_SECRET", "s3cret")]);
        let s = resolve(&config, &e).unwrap();
        assert_eq!(s.tenant_id, TENANT);
        assert_eq!(s.client_secret.expose(), "s3cret");
        assert_eq!(s.graph_endpoint, DEFAULT_GRAPH_ENDPOINT);
        assert_eq!(s.login_endpoint, DEFAULT_LOGIN_ENDPOINT);
    }

    #[test]
    fn missing_settings_name_the_argument_and_the_variable() {
        let err = resolve(&Value::object::<&str>([]), &env(&[])).unwrap_err();
        let details: Vec<_> = err.0.iter().map(|d| d.detail.clone()).collect();
        assert_eq!(err.0.len(), 3, "{details:?}");
        assert!(details[0].contains("\"tenant_id\"") && details[0].contains("ARM_TENANT_ID"));
        assert!(details[2].contains("ARM_CLIENT_SECRET"));
    }

    #[test]
    fn plain_http_is_only_accepted_on_loopback() {
        let base = [("ARM_TENANT_ID", TENANT), ("ARM_CLIENT_ID", "a"), ("ARM_CLIENT_SECRET", "s")];
        for ok in ["http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9", "https://graph.example.com"] {
            let mut pairs = base.to_vec();
            pairs.push(("ENTRA_GRAPH_ENDPOINT", ok));
            assert!(resolve(&Value::object::<&str>([]), &env(&pairs)).is_ok(), "{ok}");
        }
        let config = Value::object([("graph_endpoint", Value::string("http://graph.example.com"))]);
        let err = resolve(&config, &env(&base)).unwrap_err();
        assert_eq!(err.0[0].attribute, Some(crate::framework::AttributePath::root("graph_endpoint")));
        assert!(err.0[0].detail.contains("loopback"));
    }

    #[test]
    fn secrets_do_not_appear_in_settings_debug_output() {
        let s = resolve(
            &Value::object::<&str>([]),
            &env(&[("ARM_TENANT_ID", TENANT), ("ARM_CLIENT_ID", "a"), ("ARM_CLIENT_SECRET", "topsecret")]),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("topsecret"));
    }
}
