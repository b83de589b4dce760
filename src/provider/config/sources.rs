//! Every configurable setting: its provider argument and environment variables.

use std::fmt;

/// One configurable setting: its argument and the environment variables, in order.
pub(super) struct Source {
    pub(super) attribute: &'static str,
    pub(super) env: &'static [&'static str],
}

impl Source {
    /// `"tenant_id" in the provider block or the ARM_TENANT_ID environment variable`.
    pub(super) fn how_to_set(&self) -> String {
        let vars = match self.env {
            [one] => format!("the {one} environment variable"),
            [rest @ .., last] => format!(
                "one of the {} or {last} environment variables",
                rest.join(", ")
            ),
            [] => "nothing else".to_owned(),
        };
        format!("\"{}\" in the provider block or {vars}", self.attribute)
    }
}

pub(super) const TENANT_ID: Source = Source {
    attribute: "tenant_id",
    env: &["ARM_TENANT_ID"],
};
pub(super) const CLIENT_ID: Source = Source {
    attribute: "client_id",
    env: &["ARM_CLIENT_ID"],
};
pub(super) const CLIENT_SECRET: Source = Source {
    attribute: "client_secret",
    env: &["ARM_CLIENT_SECRET"],
};
pub(super) const CLIENT_SECRET_FILE_PATH: Source = Source {
    attribute: "client_secret_file_path",
    env: &["ARM_CLIENT_SECRET_FILE_PATH"],
};
pub(super) const CLIENT_CERTIFICATE: Source = Source {
    attribute: "client_certificate",
    env: &["ARM_CLIENT_CERTIFICATE"],
};
pub(super) const CLIENT_CERTIFICATE_PATH: Source = Source {
    attribute: "client_certificate_path",
    env: &["ARM_CLIENT_CERTIFICATE_PATH"],
};
pub(super) const CLIENT_CERTIFICATE_PASSWORD: Source = Source {
    attribute: "client_certificate_password",
    env: &["ARM_CLIENT_CERTIFICATE_PASSWORD"],
};
pub(super) const USE_OIDC: Source = Source {
    attribute: "use_oidc",
    env: &["ARM_USE_OIDC"],
};
pub(super) const OIDC_TOKEN: Source = Source {
    attribute: "oidc_token",
    env: &["ARM_OIDC_TOKEN"],
};
pub(super) const OIDC_TOKEN_FILE_PATH: Source = Source {
    attribute: "oidc_token_file_path",
    env: &["ARM_OIDC_TOKEN_FILE_PATH"],
};
pub(super) const OIDC_REQUEST_URL: Source = Source {
    attribute: "oidc_request_url",
    env: &[
        "ARM_OIDC_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "SYSTEM_OIDCREQUESTURI",
    ],
};
pub(super) const OIDC_REQUEST_TOKEN: Source = Source {
    attribute: "oidc_request_token",
    env: &[
        "ARM_OIDC_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "SYSTEM_ACCESSTOKEN",
    ],
};
pub(super) const ADO_SERVICE_CONNECTION_ID: Source = Source {
    attribute: "ado_pipeline_service_connection_id",
    env: &[
        "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    ],
};
pub(super) const USE_MSI: Source = Source {
    attribute: "use_msi",
    env: &["ARM_USE_MSI"],
};
pub(super) const MSI_ENDPOINT: Source = Source {
    attribute: "msi_endpoint",
    env: &["ARM_MSI_ENDPOINT"],
};
pub(super) const USE_CLI: Source = Source {
    attribute: "use_cli",
    env: &["ARM_USE_CLI"],
};
pub(super) const ENVIRONMENT: Source = Source {
    attribute: "environment",
    env: &["ARM_ENVIRONMENT"],
};
pub(super) const GRAPH_ENDPOINT: Source = Source {
    attribute: "graph_endpoint",
    env: &["ENTRA_GRAPH_ENDPOINT"],
};
pub(super) const LOGIN_ENDPOINT: Source = Source {
    attribute: "login_endpoint",
    env: &["ENTRA_LOGIN_ENDPOINT"],
};

/// Where a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    Block(&'static str),
    Env(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Block(attribute) => write!(f, "\"{attribute}\""),
            Origin::Env(var) => write!(f, "{var}"),
        }
    }
}

/// A value and where it came from.
pub(super) struct Found {
    pub(super) value: String,
    pub(super) origin: Origin,
    pub(super) attribute: &'static str,
}

/// The authentication methods that can be selected explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Secret,
    Certificate,
    Oidc,
    Msi,
}

impl Kind {
    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::Secret => "a client secret",
            Kind::Certificate => "a client certificate",
            Kind::Oidc => "OIDC (workload identity federation)",
            Kind::Msi => "a managed identity",
        }
    }
}

/// Every way to authenticate, for "nothing configured" errors.
pub(super) const METHODS_HELP: &str = "Configure exactly one of: \"client_secret\" (ARM_CLIENT_SECRET) or \
     \"client_secret_file_path\" (ARM_CLIENT_SECRET_FILE_PATH); \"client_certificate\" (ARM_CLIENT_CERTIFICATE) or \
     \"client_certificate_path\" (ARM_CLIENT_CERTIFICATE_PATH); use_oidc = true (ARM_USE_OIDC) with an OIDC token \
     source; use_msi = true (ARM_USE_MSI) on Azure compute; or sign in with the Azure CLI (`az login`, used when \
     nothing else is configured and use_cli is true).";
