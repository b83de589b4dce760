//! Access tokens (HS256 JWTs signed with a per-process key), the caller a valid token
//! names, and application-permission checks. The bearer check that ties them to a request
//! is middleware (`routes/middleware.rs`).
//!
//! The signer stays hand-written rather than using `jsonwebtoken`: it is one HMAC-SHA256
//! over `header.claims` with the `hmac` crate. `jsonwebtoken` would bring a crypto backend
//! (its `aws_lc_rs` or `rust_crypto` feature) into the emulator for it, and its claim
//! validation would be switched off anyway, because the bearer check answers Graph's own
//! 401 texts for shape (IDX14100), lifetime, audience and tenant. `assertion.rs` explains
//! the same choice for client assertions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::error::{AppError, AppResult};

/// Resource id of Microsoft Graph.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// App id of Microsoft Graph.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Signs and verifies the emulator's own tokens.
#[derive(Clone)]
pub struct TokenSigner {
    key: [u8; 32],
    kid: String,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// A signer with a fresh random key.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // Fall back to UUID randomness if the OS source is unavailable.
            key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        }
        let kid = URL_SAFE_NO_PAD.encode(&key[..6]);
        Self { key, kid }
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mut m) => {
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Encodes and signs `claims` as a compact JWS.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "HS256", "kid": self.kid});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{h}.{c}");
        let sig = URL_SAFE_NO_PAD.encode(self.mac(input.as_bytes()));
        format!("{input}.{sig}")
    }

    /// Verifies the signature and returns the claims; the error is Graph's 401 message.
    pub fn verify(&self, token: &str) -> Result<Value, &'static str> {
        let parts: Vec<&str> = token.split('.').collect();
        let [h, c, s] = parts.as_slice() else {
            return Err(
                "IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
            );
        };
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "Access token validation failure.")?;
        let mut m = Hmac::<Sha256>::new_from_slice(&self.key)
            .map_err(|_| "Access token validation failure.")?;
        m.update(format!("{h}.{c}").as_bytes());
        m.verify_slice(&sig)
            .map_err(|_| "Access token validation failure.")?;
        let claims = URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .ok_or("Access token validation failure.")?;
        Ok(claims)
    }
}

/// The authenticated caller of a Graph request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Client (app) id.
    pub app_id: String,
    /// Service principal object id.
    pub object_id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Application permissions from the token's `roles` claim.
    pub roles: Vec<String>,
}

impl Caller {
    /// Whether the caller holds any of `perms`.
    pub fn has_any(&self, perms: &[&str]) -> bool {
        self.roles
            .iter()
            .any(|r| perms.iter().any(|p| p.eq_ignore_ascii_case(r)))
    }

    /// 403 unless the caller holds one of `perms`.
    pub fn require(&self, perms: &[&str]) -> AppResult<()> {
        if self.has_any(perms) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }
}

/// Application permission sets per operation (reference §6.1).
pub mod perms {
    /// Read administrative units and their members.
    pub const AU_READ: &[&str] = &[
        "AdministrativeUnit.Read.All",
        "AdministrativeUnit.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Create, update or delete AUs and their member links. Graph documents no higher
    /// permission than AdministrativeUnit.ReadWrite.All (Directory.ReadWrite.All is not
    /// accepted here; unconfirmed against the live service).
    pub const AU_WRITE: &[&str] = &["AdministrativeUnit.ReadWrite.All"];
    /// Read hidden memberships.
    pub const MEMBER_HIDDEN: &[&str] = &["Member.Read.Hidden"];
    /// Read role definitions, assignments and scoped role members.
    pub const ROLE_READ: &[&str] = &[
        "RoleManagement.Read.Directory",
        "RoleManagement.Read.All",
        "RoleManagement.ReadWrite.Directory",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Manage role definitions, assignments, activation and scoped role members.
    pub const ROLE_WRITE: &[&str] = &["RoleManagement.ReadWrite.Directory"];
    /// Read users.
    pub const USER_READ: &[&str] = &[
        "User.Read.All",
        "User.ReadWrite.All",
        "User.ReadBasic.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Write users.
    pub const USER_WRITE: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
    /// Read groups.
    pub const GROUP_READ: &[&str] = &[
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.Read.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Create groups.
    pub const GROUP_CREATE: &[&str] = &[
        "Group.Create",
        "Group.ReadWrite.All",
        "Directory.ReadWrite.All",
    ];
    /// Create a group inside an AU without a directory role: the reference lists
    /// Group.Create or Group.ReadWrite.All plus a role at the AU, or Directory.ReadWrite.All.
    pub const GROUP_CREATE_IN_AU: &[&str] = &["Directory.ReadWrite.All"];
    /// Read the organization's subscribed SKUs.
    pub const SKU_READ: &[&str] = &[
        "Organization.Read.All",
        "Organization.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Write groups.
    pub const GROUP_WRITE: &[&str] = &["Group.ReadWrite.All", "Directory.ReadWrite.All"];
    /// Read group members.
    pub const GROUP_MEMBER_READ: &[&str] = &[
        "GroupMember.Read.All",
        "GroupMember.ReadWrite.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Add or remove group members.
    pub const GROUP_MEMBER_WRITE: &[&str] = &[
        "GroupMember.ReadWrite.All",
        "Group.ReadWrite.All",
        "Directory.ReadWrite.All",
    ];
    /// Read devices.
    pub const DEVICE_READ: &[&str] = &[
        "Device.Read.All",
        "Device.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
    /// Write devices.
    pub const DEVICE_WRITE: &[&str] = &["Device.ReadWrite.All", "Directory.ReadWrite.All"];
    /// Read anything in the directory.
    pub const DIRECTORY_READ: &[&str] = &["Directory.Read.All", "Directory.ReadWrite.All"];
    /// Read applications and service principals.
    pub const APP_READ: &[&str] = &[
        "Application.Read.All",
        "Application.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ];
}

/// Whether a token audience is one the emulator accepts for Graph calls.
pub fn audience_ok(aud: &str, own_urls: &[String]) -> bool {
    let a = aud.trim_end_matches('/');
    a.eq_ignore_ascii_case(GRAPH_RESOURCE)
        || a.eq_ignore_ascii_case(GRAPH_APP_ID)
        || own_urls.iter().any(|u| a.eq_ignore_ascii_case(u))
}
