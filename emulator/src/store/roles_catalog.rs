//! Built-in Entra roles with their real template ids.

/// A built-in role.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinRole {
    /// Template id (also the built-in roleDefinition id).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Whether it can be assigned at administrative-unit scope.
    pub au_scopable: bool,
    /// A representative subset of allowed resource actions; the emulator enforces them
    /// for principals holding the role (`crate::authz`).
    pub actions: &'static [&'static str],
}

const fn r(
    id: &'static str,
    name: &'static str,
    description: &'static str,
    au_scopable: bool,
    actions: &'static [&'static str],
) -> BuiltinRole {
    BuiltinRole {
        id,
        name,
        description,
        au_scopable,
        actions,
    }
}

/// Every built-in role the emulator knows.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    r(
        "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d",
        "Attribute Assignment Administrator",
        "Assign custom security attribute keys and values to supported Microsoft Entra objects.",
        true,
        &["microsoft.directory/attributeSets/allProperties/read"],
    ),
    r(
        "ffd52fa5-98dc-465c-991d-fc073eb59f8f",
        "Attribute Assignment Reader",
        "Read custom security attribute keys and values for supported Microsoft Entra objects.",
        true,
        &["microsoft.directory/attributeSets/allProperties/read"],
    ),
    r(
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
        "Can access to view, set and reset authentication method information for any non-admin user.",
        true,
        &[
            "microsoft.directory/users/authenticationMethods/create",
            "microsoft.directory/users/authenticationMethods/delete",
            "microsoft.directory/users/authenticationMethods/standard/restrictedRead",
            "microsoft.directory/users/password/update",
        ],
    ),
    r(
        "7698a772-787b-4ac8-901f-60d6b08affd2",
        "Cloud Device Administrator",
        "Limited access to manage devices in Microsoft Entra ID.",
        true,
        &[
            "microsoft.directory/devices/delete",
            "microsoft.directory/devices/disable",
            "microsoft.directory/devices/enable",
        ],
    ),
    r(
        "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        "Groups Administrator",
        "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
        true,
        &[
            "microsoft.directory/groups/assignLicense",
            "microsoft.directory/groups/create",
            "microsoft.directory/groups/delete",
            "microsoft.directory/groups/hiddenMembers/read",
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
            "microsoft.directory/groups/restore",
            "microsoft.directory/groups/basic/update",
            "microsoft.directory/groups/dynamicMembershipRule/update",
        ],
    ),
    r(
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
        "Can reset passwords for non-administrators and Helpdesk Administrators.",
        true,
        &[
            "microsoft.directory/users/invalidateAllRefreshTokens",
            "microsoft.directory/users/password/update",
        ],
    ),
    r(
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "License Administrator",
        "Can manage product licenses on users and groups.",
        true,
        &[
            "microsoft.directory/users/assignLicense",
            "microsoft.directory/groups/assignLicense",
        ],
    ),
    r(
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
        "Can reset passwords for non-administrators and Password Administrators.",
        true,
        &["microsoft.directory/users/password/update"],
    ),
    r(
        "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f",
        "Printer Administrator",
        "Can manage all aspects of printers and printer connectors.",
        true,
        &["microsoft.azure.print/allEntities/allProperties/allTasks"],
    ),
    r(
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
        "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
        true,
        &[
            "microsoft.directory/users/authenticationMethods/create",
            "microsoft.directory/users/password/update",
        ],
    ),
    r(
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
        "Can manage all aspects of the SharePoint service.",
        true,
        &["microsoft.directory/groups.unified/basic/update"],
    ),
    r(
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
        "Can manage the Microsoft Teams service.",
        true,
        &["microsoft.directory/groups.unified/members/update"],
    ),
    r(
        "3d762c5a-1b6c-493f-843e-55a3b42923d4",
        "Teams Devices Administrator",
        "Can perform management related tasks on Teams certified devices.",
        true,
        &["microsoft.teams/devices/standard/read"],
    ),
    r(
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "User Administrator",
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        true,
        &[
            "microsoft.directory/users/create",
            "microsoft.directory/users/delete",
            "microsoft.directory/users/basic/update",
            "microsoft.directory/users/password/update",
            "microsoft.directory/groups/create",
            "microsoft.directory/groups/delete",
            "microsoft.directory/groups/hiddenMembers/read",
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
            "microsoft.directory/groups/restore",
            "microsoft.directory/groups/basic/update",
        ],
    ),
    r(
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
        "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        false,
        &["microsoft.directory/allEntities/allProperties/allTasks"],
    ),
    r(
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
        "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        false,
        &[
            "microsoft.directory/administrativeUnits/allProperties/allTasks",
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/roleDefinitions/allProperties/allTasks",
        ],
    ),
    r(
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        "Directory Readers",
        "Can read basic directory information. Commonly used to grant directory read access to applications and guests.",
        false,
        &[
            "microsoft.directory/administrativeUnits/standard/read",
            "microsoft.directory/devices/standard/read",
            "microsoft.directory/users/standard/read",
            "microsoft.directory/users/memberOf/read",
            "microsoft.directory/groups/standard/read",
            "microsoft.directory/groups/members/read",
            "microsoft.directory/groups/memberOf/read",
        ],
    ),
    r(
        "9360feb5-f418-4baa-8175-e2a00bac4301",
        "Directory Writers",
        "Can read and write basic directory information. For granting access to applications, not intended for users.",
        false,
        &[
            "microsoft.directory/groups/create",
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/basic/update",
            "microsoft.directory/users/basic/update",
        ],
    ),
    r(
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "Global Reader",
        "Can read everything that a Global Administrator can, but not update anything.",
        false,
        &[
            "microsoft.directory/administrativeUnits/standard/read",
            "microsoft.directory/devices/allProperties/read",
            "microsoft.directory/groups/allProperties/read",
            "microsoft.directory/users/allProperties/read",
        ],
    ),
    r(
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
        "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
        false,
        &["microsoft.directory/policies/standard/read"],
    ),
    r(
        "5d6b6bb7-de71-4623-b4af-96380a352509",
        "Security Reader",
        "Can read security information and reports in Microsoft Entra ID and Office 365.",
        false,
        &["microsoft.directory/policies/standard/read"],
    ),
    r(
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
        "Can manage all aspects of the Exchange product.",
        false,
        &["microsoft.directory/groups.unified/create"],
    ),
    r(
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps.",
        false,
        &["microsoft.directory/applications/create"],
    ),
    r(
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        false,
        &["microsoft.directory/applications/create"],
    ),
    r(
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
        "Can manage all aspects of the Intune product.",
        false,
        &["microsoft.directory/devices/basic/update"],
    ),
    r(
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
        "Can perform common billing related tasks like updating payment information.",
        false,
        &["microsoft.directory/organization/basic/update"],
    ),
    r(
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
        "Can manage Conditional Access capabilities.",
        false,
        &["microsoft.directory/conditionalAccessPolicies/create"],
    ),
];

/// Finds a built-in role by template id (case-insensitive).
pub fn builtin(id: &str) -> Option<&'static BuiltinRole> {
    BUILTIN_ROLES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Template id of Global Administrator (active by default).
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Helpdesk Administrator.
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

/// Whether a custom role may be assigned at AU scope: only user, group and device
/// permissions take effect there.
pub fn custom_au_scopable(actions: &[String]) -> bool {
    // Every action must act on users, groups or devices: one that cannot take effect
    // at a unit's scope makes the whole role unassignable there (portal behaviour;
    // the exact Graph answer for mixed roles is unconfirmed).
    !actions.is_empty()
        && actions.iter().all(|a| {
            let a = a.to_ascii_lowercase();
            a.starts_with("microsoft.directory/users/")
                || a.starts_with("microsoft.directory/groups")
                || a.starts_with("microsoft.directory/devices/")
        })
}
