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

/// What a PATCH of an administrative unit changes; `Some(None)` clears a property.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministrativeUnitPatch {
    /// New display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New description, or `Some(None)` to clear it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    /// `Assigned` or `Dynamic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_type: Option<String>,
    /// New rule, or `Some(None)` to clear it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_rule: Option<Option<String>>,
    /// `On` or `Paused`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_rule_processing_state: Option<String>,
}

impl AdministrativeUnitPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == AdministrativeUnitPatch::default()
    }
}

impl AdministrativeUnit {
    /// `Assigned` or `Dynamic` (Graph's null means assigned).
    pub fn kind(&self) -> &str {
        match self.membership_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("dynamic") => "Dynamic",
            _ => "Assigned",
        }
    }

    /// Whether only members can list the members (visibility `HiddenMembership`).
    pub fn hidden_membership(&self) -> bool {
        self.visibility.as_deref() == Some("HiddenMembership")
    }

    /// Whether this is a restricted management unit (null means no).
    pub fn restricted_management(&self) -> bool {
        self.is_member_management_restricted == Some(true)
    }

    /// The rule in effect: only a dynamic unit's (a rule left on an assigned unit does
    /// nothing).
    pub fn effective_rule(&self) -> Option<String> {
        self.membership_rule
            .clone()
            .filter(|_| self.kind() == "Dynamic")
    }

    /// The processing state of a dynamic unit (Graph's null means `On`); none for an
    /// assigned unit.
    pub fn effective_processing_state(&self) -> Option<String> {
        (self.kind() == "Dynamic").then(|| {
            self.membership_rule_processing_state
                .clone()
                .unwrap_or_else(|| "On".to_owned())
        })
    }

    /// The PATCH that turns `self` into `wanted`, with only what Graph lets change
    /// after creation (visibility and restricted management are set at creation).
    pub fn patch_to(&self, wanted: &AdministrativeUnit) -> AdministrativeUnitPatch {
        let changed = |a: &Option<String>, b: &Option<String>| (a != b).then(|| b.clone());
        AdministrativeUnitPatch {
            display_name: (self.display_name != wanted.display_name)
                .then(|| wanted.display_name.clone()),
            description: changed(&self.description, &wanted.description),
            membership_type: (self.kind() != wanted.kind()).then(|| wanted.kind().to_owned()),
            membership_rule: changed(&self.membership_rule, &wanted.membership_rule),
            membership_rule_processing_state: wanted
                .membership_rule_processing_state
                .clone()
                .filter(|s| Some(s) != self.membership_rule_processing_state.as_ref()),
        }
    }
}

/// One page of a collection.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page's URL, absent on the last page.
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// Any directory object, with its type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DirectoryObject {
    /// Object id.
    pub id: String,
    /// E.g. `#microsoft.graph.user`.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// Display name, when selected.
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
}

impl DirectoryObject {
    /// The short type name: `user`, `group`, `device`, `servicePrincipal`, …
    pub fn kind(&self) -> Option<&str> {
        self.odata_type
            .as_deref()
            .map(|t| t.trim_start_matches("#microsoft.graph."))
    }
}

/// `microsoft.graph.unifiedRoleAssignment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// Opaque assignment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The role definition (built-in template id or custom definition id).
    pub role_definition_id: String,
    /// The principal holding the role.
    pub principal_id: String,
    /// `/` or `/administrativeUnits/{id}`.
    pub directory_scope_id: String,
    /// The principal, when expanded.
    #[serde(default, skip_serializing)]
    pub principal: Option<DirectoryObject>,
}

/// A permission set of a role definition.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolePermission {
    /// Allowed actions, e.g. `microsoft.directory/users/basic/update`.
    #[serde(default)]
    pub allowed_resource_actions: Vec<String>,
}

/// `microsoft.graph.unifiedRoleDefinition`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    /// Definition id (the template id for built-in roles).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Built-in or custom.
    #[serde(default)]
    pub is_built_in: bool,
    /// The template id.
    #[serde(default)]
    pub template_id: Option<String>,
    /// Permissions.
    #[serde(default)]
    pub role_permissions: Vec<RolePermission>,
    /// Whether the role can be assigned (custom roles may be disabled).
    #[serde(default)]
    pub is_enabled: Option<bool>,
}

impl RoleDefinition {
    /// Every allowed action, in Graph's order.
    pub fn allowed_actions(&self) -> impl Iterator<Item = &String> {
        self.role_permissions
            .iter()
            .flat_map(|p| &p.allowed_resource_actions)
    }
}

/// The body of a custom role's create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRoleBody {
    /// Display name.
    pub display_name: String,
    /// Description (`null` clears it).
    pub description: Option<String>,
    /// Whether the role can be assigned.
    pub is_enabled: bool,
    /// One permission set with the allowed actions.
    pub role_permissions: Vec<RolePermission>,
}

/// `microsoft.graph.scopedRoleMembership`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopedRoleMembership {
    /// Opaque id.
    pub id: String,
    /// The AU.
    #[serde(default)]
    pub administrative_unit_id: String,
    /// The activated directoryRole's object id.
    #[serde(default)]
    pub role_id: String,
    /// The member.
    pub role_member_info: Identity,
}

/// `microsoft.graph.identity`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// Object id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `microsoft.graph.directoryRole` (an activated built-in role).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    /// Object id.
    pub id: String,
    /// The template id.
    #[serde(default)]
    pub role_template_id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
}
