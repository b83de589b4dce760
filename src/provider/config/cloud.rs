//! The Microsoft clouds and their endpoints.

/// The public cloud's Graph endpoint.
pub const DEFAULT_GRAPH_ENDPOINT: &str = "https://graph.microsoft.com";
/// The public cloud's login endpoint.
pub const DEFAULT_LOGIN_ENDPOINT: &str = "https://login.microsoftonline.com";

/// A Microsoft cloud (`environment`): its login and Graph hosts and token-exchange audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// The global (public) cloud.
    Global,
    /// US Government L4 (GCC High).
    UsGovernment,
    /// US Government L5 (DoD).
    UsGovernmentDod,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    pub(super) const NAMES: &'static str = "global, usgovernment, dod or china";

    pub(super) fn parse(name: &str) -> Option<Cloud> {
        match name.trim().to_ascii_lowercase().as_str() {
            "global" | "public" => Some(Cloud::Global),
            "usgovernment" | "usgovernmentl4" => Some(Cloud::UsGovernment),
            "dod" | "usgovernmentl5" => Some(Cloud::UsGovernmentDod),
            "china" => Some(Cloud::China),
            _ => None,
        }
    }

    /// The `environment` value naming this cloud.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovernment => "usgovernment",
            Cloud::UsGovernmentDod => "dod",
            Cloud::China => "china",
        }
    }

    /// The Entra login endpoint.
    pub fn login_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => DEFAULT_LOGIN_ENDPOINT,
            Cloud::UsGovernment | Cloud::UsGovernmentDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }

    /// The Microsoft Graph endpoint.
    pub fn graph_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => DEFAULT_GRAPH_ENDPOINT,
            Cloud::UsGovernment => "https://graph.microsoft.us",
            Cloud::UsGovernmentDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The audience of external tokens for workload identity federation.
    pub fn token_exchange_audience(self) -> &'static str {
        match self {
            Cloud::Global => "api://AzureADTokenExchange",
            Cloud::UsGovernment | Cloud::UsGovernmentDod => "api://AzureADTokenExchangeUSGov",
            Cloud::China => "api://AzureADTokenExchangeChina",
        }
    }
}
