//! Graph's JSON shapes, as far as this provider reads and writes them.

use serde::{Deserialize, Serialize};

/// `microsoft.graph.administrativeUnit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministrativeUnit {
    /// Object id (server-assigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name, required on create.
    #[serde(default)]
    pub display_name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `HiddenMembership`, or null/`Public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// Restricted management; settable only on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_member_management_restricted: Option<bool>,
    /// `Assigned` or `Dynamic`; null means assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_type: Option<String>,
    /// The dynamic membership rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_rule: Option<String>,
    /// `On` or `Paused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_rule_processing_state: Option<String>,
}
