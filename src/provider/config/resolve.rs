//! The resolver: reads each setting from the provider block or its environment
//! variables, remembering where each came from, and picks one authentication method.

use provider_framework::{Diagnostic, Diagnostics, Value};

use super::cloud::Cloud;
use super::settings::{AuthMethod, Env, Settings};
use super::sources::*;

/// Reads settings, collecting every problem and where each value came from.
pub(super) struct Resolver<'a> {
    pub(super) config: &'a Value,
    pub(super) env: &'a dyn Env,
    pub(super) diags: Diagnostics,
    pub(super) origins: std::cell::RefCell<std::collections::BTreeMap<&'static str, String>>,
}

/// Resolves settings from a fully known provider configuration.
pub fn resolve(config: &Value, env: &dyn Env) -> Result<Settings, Diagnostics> {
    let mut r = Resolver {
        config,
        env,
        diags: Diagnostics::new(),
        origins: Default::default(),
    };
    let cloud = r.cloud();
    let graph_endpoint = r.endpoint(&GRAPH_ENDPOINT, cloud.graph_endpoint());
    let login_endpoint = r.endpoint(&LOGIN_ENDPOINT, cloud.login_endpoint());
    let tenant = r.lookup(&TENANT_ID);
    if let Some(t) = &tenant
        && !is_tenant(&t.value)
    {
        r.diags.push(Diagnostic::attribute_error(
            "tenant_id",
            "Invalid tenant ID",
            format!(
                "{:?} (from {}) is neither a directory id (GUID) nor a domain name such as \
                 contoso.onmicrosoft.com.",
                t.value, t.origin
            ),
        ));
    }
    let client = r.lookup(&CLIENT_ID);
    let method = r.method(cloud, tenant.is_some(), client.as_ref());
    let Resolver { diags, origins, .. } = r;
    diags.into_result()?;
    let method = method.ok_or_else(|| {
        Diagnostics::from(Diagnostic::error("No authentication method", METHODS_HELP))
    })?;
    Ok(Settings {
        method,
        tenant_id: tenant.map(|t| t.value),
        client_id: client.map(|c| c.value),
        cloud,
        graph_endpoint,
        login_endpoint,
        origins: origins.into_inner(),
    })
}

impl Resolver<'_> {
    pub(super) fn lookup(&self, source: &Source) -> Option<Found> {
        let found = if let Some(v) = self
            .config
            .get(source.attribute)
            .as_str()
            .filter(|v| !v.trim().is_empty())
        {
            Some(Found {
                value: v.trim().to_owned(),
                origin: Origin::Block(source.attribute),
                attribute: source.attribute,
            })
        } else {
            source.env.iter().find_map(|var| {
                self.env.var(var).map(|v| Found {
                    value: v.trim().to_owned(),
                    origin: Origin::Env(var),
                    attribute: source.attribute,
                })
            })
        };
        if let Some(f) = &found {
            let origin = match f.origin {
                Origin::Block(attribute) => format!("\"{attribute}\" in the provider block"),
                Origin::Env(var) => format!("the {var} environment variable"),
            };
            self.origins.borrow_mut().insert(source.attribute, origin);
        }
        found
    }

    /// A boolean setting and whether it was set explicitly.
    pub(super) fn flag(&mut self, source: &Source, default: bool) -> (bool, bool) {
        if let Some(b) = self.config.get(source.attribute).as_bool() {
            return (b, true);
        }
        let Some(found) = self.lookup(source) else {
            return (default, false);
        };
        match found.value.to_ascii_lowercase().as_str() {
            "true" | "1" | "t" | "yes" => (true, true),
            "false" | "0" | "f" | "no" => (false, true),
            _ => {
                self.error(
                    source.attribute,
                    format!("Invalid {}", found.origin),
                    format!("{} is {:?}; use true or false.", found.origin, found.value),
                );
                (default, false)
            }
        }
    }

    pub(super) fn error(
        &mut self,
        attribute: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::attribute_error(attribute, summary, detail));
    }

    pub(super) fn cloud(&mut self) -> Cloud {
        let Some(found) = self.lookup(&ENVIRONMENT) else {
            return Cloud::Global;
        };
        Cloud::parse(&found.value).unwrap_or_else(|| {
            self.error(
                "environment",
                "Invalid environment",
                format!(
                    "{:?} (from {}) is not a cloud; use {}.",
                    found.value,
                    found.origin,
                    Cloud::NAMES
                ),
            );
            Cloud::Global
        })
    }

    /// An endpoint override: https anywhere, plain http only on loopback.
    pub(super) fn endpoint(&mut self, source: &Source, default: &str) -> String {
        let Some(found) = self.lookup(source) else {
            return default.to_owned();
        };
        self.check_url(&found, false);
        found.value.trim_end_matches('/').to_owned()
    }

    pub(super) fn check_url(&mut self, found: &Found, imds: bool) {
        let raw = &found.value;
        let problem = match url::Url::parse(raw) {
            Err(e) => Some(format!("{raw:?} is not a URL: {e}.")),
            Ok(u) if u.scheme() == "https" => None,
            Ok(u) if u.scheme() == "http" && (is_loopback(&u) || (imds && is_imds(&u))) => None,
            Ok(u) if u.scheme() == "http" => Some(format!(
                "{raw:?} uses plain http on a non-loopback host; use https (plain http is accepted only for \
                 127.0.0.1, ::1 or localhost, e.g. the entra-emulator{}).",
                if imds {
                    ", and for IMDS at 169.254.169.254"
                } else {
                    ""
                }
            )),
            Ok(u) => Some(format!("{raw:?} has scheme {:?}; use https.", u.scheme())),
        };
        if let Some(detail) = problem {
            self.error(
                found.attribute,
                format!("Invalid {}", found.attribute),
                format!("{detail} (set by {})", found.origin),
            );
        }
    }

    pub(super) fn require(&mut self, present: bool, source: &Source, what: &str, kind: Kind) {
        if !present {
            self.error(
                source.attribute,
                format!("Missing {what}"),
                format!(
                    "Authenticating with {} needs the {what}. Set {}.",
                    kind.label(),
                    source.how_to_set()
                ),
            );
        }
    }

    /// Exactly one of two alternative settings, e.g. a secret or a secret file.
    pub(super) fn one_of(&mut self, a: Option<Found>, b: Option<Found>) -> Option<Found> {
        match (a, b) {
            (Some(a), Some(b)) => {
                self.error(
                    b.attribute,
                    format!("Conflicting {} and {}", a.attribute, b.attribute),
                    format!(
                        "{} and {} are both set; they are alternatives, set only one (remove the argument or \
                         unset the environment variable).",
                        a.origin, b.origin
                    ),
                );
                None
            }
            (a, b) => a.or(b),
        }
    }

    pub(super) fn method(
        &mut self,
        cloud: Cloud,
        has_tenant: bool,
        client: Option<&Found>,
    ) -> Option<AuthMethod> {
        let secret = self.lookup(&CLIENT_SECRET);
        let secret_file = self.lookup(&CLIENT_SECRET_FILE_PATH);
        let certificate = self.lookup(&CLIENT_CERTIFICATE);
        let certificate_path = self.lookup(&CLIENT_CERTIFICATE_PATH);
        let (use_oidc, _) = self.flag(&USE_OIDC, false);
        let (use_msi, _) = self.flag(&USE_MSI, false);
        let mut chosen: Vec<(Kind, Origin, &'static str)> = Vec::new();
        if let Some(f) = secret.as_ref().or(secret_file.as_ref()) {
            chosen.push((Kind::Secret, f.origin, f.attribute));
        }
        if let Some(f) = certificate.as_ref().or(certificate_path.as_ref()) {
            chosen.push((Kind::Certificate, f.origin, f.attribute));
        }
        if use_oidc {
            chosen.push((Kind::Oidc, self.origin_of(&USE_OIDC), "use_oidc"));
        }
        if use_msi {
            chosen.push((Kind::Msi, self.origin_of(&USE_MSI), "use_msi"));
        }
        if chosen.len() > 1 {
            let listed: Vec<String> = chosen
                .iter()
                .map(|(k, o, _)| format!("{o} selects {}", k.label()))
                .collect();
            let at = chosen
                .iter()
                .find(|(_, o, _)| matches!(o, Origin::Block(_)))
                .unwrap_or(&chosen[1])
                .2;
            self.error(
                at,
                "Conflicting authentication methods",
                format!(
                    "Exactly one authentication method may be configured, but {}. Remove all but one (delete the \
                     argument or unset the environment variable).",
                    listed.join(" and ")
                ),
            );
            return None;
        }
        let kind = chosen.first().map(|c| c.0);
        if let Some(kind @ (Kind::Secret | Kind::Certificate | Kind::Oidc)) = kind {
            self.require(has_tenant, &TENANT_ID, "tenant ID", kind);
            self.require(client.is_some(), &CLIENT_ID, "client ID", kind);
        }
        match kind {
            Some(Kind::Secret) => self.secret(secret, secret_file),
            Some(Kind::Certificate) => self.certificate(certificate, certificate_path),
            Some(Kind::Oidc) => self.oidc(cloud),
            Some(Kind::Msi) => self.msi(),
            None => self.cli(client),
        }
    }

    /// Where a flag that is on came from (a block value wins over the environment).
    pub(super) fn origin_of(&self, source: &Source) -> Origin {
        if !self.config.get(source.attribute).is_null() {
            return Origin::Block(source.attribute);
        }
        self.lookup(source)
            .map_or(Origin::Block(source.attribute), |f| f.origin)
    }
}

pub(super) fn is_tenant(s: &str) -> bool {
    crate::ids::is_guid(s)
        || (s.contains('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

pub(super) fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The instance metadata service's fixed link-local address.
pub(super) fn is_imds(u: &url::Url) -> bool {
    u.host() == Some(url::Host::Ipv4(std::net::Ipv4Addr::new(169, 254, 169, 254)))
}
