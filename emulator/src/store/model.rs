//! Directory object model shared by the tenant, seed and state files.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kinds of directory object the emulator keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKind {
    /// `microsoft.graph.user`
    User,
    /// `microsoft.graph.group`
    Group,
    /// `microsoft.graph.device`
    Device,
    /// `microsoft.graph.administrativeUnit`
    AdministrativeUnit,
    /// `microsoft.graph.servicePrincipal`
    ServicePrincipal,
    /// `microsoft.graph.application`
    Application,
    /// `microsoft.graph.directoryRole`
    DirectoryRole,
}

impl ObjectKind {
    /// The OData type name without namespace, e.g. `user`.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Device => "device",
            Self::AdministrativeUnit => "administrativeUnit",
            Self::ServicePrincipal => "servicePrincipal",
            Self::Application => "application",
            Self::DirectoryRole => "directoryRole",
        }
    }

    /// The collection Graph serves the kind under, also the family in directory
    /// action names (`users`, `groups`, ...).
    pub fn collection(self) -> &'static str {
        match self {
            Self::User => "users",
            Self::Group => "groups",
            Self::Device => "devices",
            Self::AdministrativeUnit => "administrativeUnits",
            Self::ServicePrincipal => "servicePrincipals",
            Self::Application => "applications",
            Self::DirectoryRole => "directoryRoles",
        }
    }

    /// `#microsoft.graph.<type>`.
    pub fn odata_type(self) -> String {
        format!("#microsoft.graph.{}", self.type_name())
    }

    /// The resource name Graph uses in validation messages, e.g. `User`.
    pub fn resource_name(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
            Self::Device => "Device",
            Self::AdministrativeUnit => "AdministrativeUnit",
            Self::ServicePrincipal => "ServicePrincipal",
            Self::Application => "Application",
            Self::DirectoryRole => "DirectoryRole",
        }
    }

    /// Parses a type-cast segment in any of Graph's spellings:
    /// `microsoft.graph.user`, `graph.user` or `user`.
    pub fn from_cast(segment: &str) -> Option<Self> {
        let name = segment
            .strip_prefix("microsoft.graph.")
            .or_else(|| segment.strip_prefix("graph."))
            .unwrap_or(segment);
        [
            Self::User,
            Self::Group,
            Self::Device,
            Self::AdministrativeUnit,
            Self::ServicePrincipal,
            Self::Application,
            Self::DirectoryRole,
        ]
        .into_iter()
        .find(|k| k.type_name().eq_ignore_ascii_case(name))
    }

    /// Parses `#microsoft.graph.user` / `microsoft.graph.user`.
    pub fn from_odata_type(value: &str) -> Option<Self> {
        let v = value.trim_start_matches('#');
        if v.starts_with("microsoft.graph.") {
            Self::from_cast(v)
        } else {
            None
        }
    }

    /// Whether objects of this kind can be members of an administrative unit.
    pub fn is_au_member_kind(self) -> bool {
        matches!(self, Self::User | Self::Group | Self::Device)
    }
}

/// One directory object: id, kind, and its Graph properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirObject {
    /// Object id (GUID).
    pub id: String,
    /// Object kind.
    pub kind: ObjectKind,
    /// Graph properties other than `id` and `deletedDateTime`.
    #[serde(default)]
    pub props: Map<String, Value>,
    /// Creation time in milliseconds since the Unix epoch (0 when unknown or seeded).
    #[serde(default)]
    pub created_ms: u64,
    /// Last change (properties, members, deletion) in ms since the epoch (drives delta).
    #[serde(default)]
    pub modified_ms: u64,
    /// Set when soft-deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date_time: Option<String>,
}

impl DirObject {
    /// A new object with the given properties.
    pub fn new(id: String, kind: ObjectKind, props: Map<String, Value>) -> Self {
        let now = now_ms();
        Self {
            id,
            kind,
            props,
            created_ms: now,
            modified_ms: now,
            deleted_date_time: None,
        }
    }

    /// A string property.
    pub fn str_prop(&self, name: &str) -> Option<&str> {
        self.props.get(name).and_then(Value::as_str)
    }

    /// A boolean property (null and missing are `false`).
    pub fn bool_prop(&self, name: &str) -> bool {
        self.props
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// Display name, or empty.
    pub fn display_name(&self) -> &str {
        self.str_prop("displayName").unwrap_or_default()
    }

    /// The full property map including `id` and `deletedDateTime`.
    pub fn full_json(&self) -> Map<String, Value> {
        let mut m = self.props.clone();
        m.insert("id".into(), Value::String(self.id.clone()));
        m.insert(
            "deletedDateTime".into(),
            self.deleted_date_time
                .clone()
                .map_or(Value::Null, Value::String),
        );
        m
    }
}

/// A client application that can obtain tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRegistration {
    /// Application (client) id.
    pub app_id: String,
    /// Display name.
    pub display_name: String,
    /// Object id of the application object.
    pub object_id: String,
    /// Object id of the service principal in this tenant.
    pub service_principal_id: String,
    /// Accepted client secrets.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Registered certificates (PEM or base64 DER).
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Federated identity credentials.
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredential>,
    /// Microsoft Graph application permissions (app role values).
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A federated identity credential on an app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedCredential {
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `sub`.
    pub subject: String,
    /// Accepted `aud` values.
    #[serde(default = "default_fic_audiences")]
    pub audiences: Vec<String>,
    /// JWKS file (path) or inline JWKS used to verify the assertion signature.
    #[serde(default)]
    pub jwks: Option<Value>,
}

fn default_fic_audiences() -> Vec<String> {
    vec!["api://AzureADTokenExchange".into()]
}

/// A managed identity (IMDS / App Service token endpoint).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentity {
    /// Client id of the identity.
    pub client_id: String,
    /// Object id (service principal) of the identity.
    pub object_id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Graph application permissions.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Whether this is the system-assigned identity (used when no id is given).
    #[serde(default)]
    pub system_assigned: bool,
}

/// A custom role definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRole {
    /// Definition id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether enabled.
    #[serde(default = "yes")]
    pub is_enabled: bool,
    /// Allowed resource actions.
    #[serde(default)]
    pub allowed_resource_actions: Vec<String>,
    /// Template id (defaults to the id).
    #[serde(default)]
    pub template_id: Option<String>,
}

fn yes() -> bool {
    true
}

/// A unified role assignment (also surfaced as scopedRoleMembers).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// Opaque id.
    pub id: String,
    /// Role definition (template id for built-ins).
    pub role_definition_id: String,
    /// Principal object id.
    pub principal_id: String,
    /// `/` or `/administrativeUnits/{id}` or `/{objectId}`.
    pub directory_scope_id: String,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default()
}

/// ISO-8601 UTC timestamp as Graph writes it (`2024-01-02T03:04:05Z`).
pub fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Lowercases `s` when it is a GUID (Graph object ids are case-insensitive).
pub fn normalize_id(s: &str) -> String {
    if uuid::Uuid::parse_str(s).is_ok() {
        s.to_ascii_lowercase()
    } else {
        s.to_owned()
    }
}

/// A stable GUID derived from `parts` (SHA-256, RFC 4122 variant, version 4 bits).
pub fn derived_guid(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}
