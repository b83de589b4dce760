//! Which directory roles can be assigned at administrative-unit scope.

use super::models::RoleDefinition;

/// Built-in roles Graph accepts at AU scope: (template id, display name).
pub const AU_SCOPABLE_BUILT_IN_ROLES: &[(&str, &str)] = &[
    (
        "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d",
        "Attribute Assignment Administrator",
    ),
    (
        "ffd52fa5-98dc-465c-991d-fc073eb59f8f",
        "Attribute Assignment Reader",
    ),
    (
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    (
        "7698a772-787b-4ac8-901f-60d6b08affd2",
        "Cloud Device Administrator",
    ),
    (
        "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        "Groups Administrator",
    ),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "License Administrator",
    ),
    (
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
    (
        "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f",
        "Printer Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
    ),
    (
        "3d762c5a-1b6c-493f-843e-55a3b42923d4",
        "Teams Devices Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
];

/// Well-known built-in roles that cannot be scoped to an AU: (template id, display name).
pub const TENANT_ONLY_BUILT_IN_ROLES: &[(&str, &str)] = &[
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers"),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
    ),
    (
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
    ),
];

/// Whether a built-in role (by template id) can be assigned at AU scope.
pub fn is_au_scopable_built_in(template_id: &str) -> bool {
    AU_SCOPABLE_BUILT_IN_ROLES
        .iter()
        .any(|(id, _)| id.eq_ignore_ascii_case(template_id))
}

/// The name of a known tenant-only built-in role.
pub fn tenant_only_built_in(template_id: &str) -> Option<&'static str> {
    TENANT_ONLY_BUILT_IN_ROLES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(template_id))
        .map(|(_, name)| *name)
}

/// Whether a custom role permission acts on users, groups or devices, which is what
/// makes a custom role assignable at AU scope.
pub fn is_au_scopable_permission(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    [
        "microsoft.directory/users/",
        "microsoft.directory/groups/",
        "microsoft.directory/groups.",
        "microsoft.directory/devices/",
        "microsoft.directory/bitlockerkeys/",
    ]
    .iter()
    .any(|prefix| action.starts_with(prefix))
}

/// Why a role definition cannot be granted at AU scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unscopable {
    /// A built-in role Graph accepts only tenant-wide.
    TenantWideBuiltIn,
    /// A custom role with no permissions at all.
    NoPermissions,
    /// A custom role with actions that cannot take effect at a unit's scope (on
    /// objects other than users, groups and devices).
    ActionsOutsideUnitScope(Vec<String>),
}

/// Why `definition` cannot be granted at AU scope, if it cannot.
pub fn unscopable(definition: &RoleDefinition) -> Option<Unscopable> {
    if definition.is_built_in {
        let template = definition.template_id.as_deref().unwrap_or(&definition.id);
        return (!is_au_scopable_built_in(template)).then_some(Unscopable::TenantWideBuiltIn);
    }
    let actions: Vec<&String> = definition.allowed_actions().collect();
    if actions.is_empty() {
        return Some(Unscopable::NoPermissions);
    }
    let outside: Vec<String> = actions
        .into_iter()
        .filter(|a| !is_au_scopable_permission(a))
        .cloned()
        .collect();
    (!outside.is_empty()).then_some(Unscopable::ActionsOutsideUnitScope(outside))
}

/// A sentence listing the AU-scopable built-in roles, for error messages.
pub fn scopable_roles_sentence() -> String {
    AU_SCOPABLE_BUILT_IN_ROLES
        .iter()
        .map(|(id, name)| format!("{name} ({id})"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopability_follows_the_published_lists() {
        assert!(is_au_scopable_built_in(
            "FE930BE7-5e62-47db-91af-98c3a49a38b1"
        ));
        assert!(!is_au_scopable_built_in(
            "62e90394-69f5-4237-9190-012177145e10"
        ));
        assert_eq!(
            tenant_only_built_in("62e90394-69f5-4237-9190-012177145e10"),
            Some("Global Administrator")
        );
        assert!(is_au_scopable_permission(
            "microsoft.directory/users/basic/update"
        ));
        assert!(is_au_scopable_permission(
            "microsoft.directory/groups.security/members/update"
        ));
        assert!(!is_au_scopable_permission(
            "microsoft.directory/applications/create"
        ));
        assert!(
            scopable_roles_sentence()
                .contains("Helpdesk Administrator (729827e3-9c14-49f7-bb1b-9608f156bbb8)")
        );
    }
}
