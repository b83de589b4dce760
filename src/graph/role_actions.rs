//! The directory actions a custom role can grant, and how an action is checked.
//!
//! The catalogue holds the `microsoft.directory` actions Microsoft documents for
//! custom roles on users, groups, devices, applications and service principals. It
//! serves "did you mean" for a misspelt action; an action it does not hold but that
//! has the right shape is passed to Graph, which has the final word.

use super::role_catalog::is_au_scopable_permission;

/// Known custom-role actions.
pub const DIRECTORY_ACTIONS: &[&str] = &[
    // Users.
    "microsoft.directory/users/standard/read",
    "microsoft.directory/users/basic/update",
    "microsoft.directory/users/create",
    "microsoft.directory/users/delete",
    "microsoft.directory/users/disable",
    "microsoft.directory/users/enable",
    "microsoft.directory/users/restore",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/manager/update",
    "microsoft.directory/users/photo/update",
    "microsoft.directory/users/sponsors/update",
    "microsoft.directory/users/usageLocation/update",
    "microsoft.directory/users/userPrincipalName/update",
    "microsoft.directory/users/memberOf/read",
    "microsoft.directory/users/ownedDevices/read",
    "microsoft.directory/users/registeredDevices/read",
    "microsoft.directory/users/directReports/read",
    "microsoft.directory/users/manager/read",
    "microsoft.directory/users/appRoleAssignments/read",
    "microsoft.directory/users/appRoleAssignments/update",
    "microsoft.directory/users/password/update",
    "microsoft.directory/users/authenticationMethods/standard/read",
    "microsoft.directory/users/authenticationMethods/basic/update",
    "microsoft.directory/users/authenticationMethods/create",
    "microsoft.directory/users/authenticationMethods/delete",
    // Groups.
    "microsoft.directory/groups/standard/read",
    "microsoft.directory/groups/basic/update",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/delete",
    "microsoft.directory/groups/restore",
    "microsoft.directory/groups/members/read",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/memberOf/read",
    "microsoft.directory/groups/owners/read",
    "microsoft.directory/groups/owners/update",
    "microsoft.directory/groups/settings/read",
    "microsoft.directory/groups/settings/update",
    "microsoft.directory/groups/hiddenMembers/read",
    "microsoft.directory/groups/classification/update",
    "microsoft.directory/groups/dynamicMembershipRule/update",
    "microsoft.directory/groups/visibility/update",
    "microsoft.directory/groups/appRoleAssignments/read",
    "microsoft.directory/groups/appRoleAssignments/update",
    "microsoft.directory/groups/groupType/update",
    "microsoft.directory/groups.security/create",
    "microsoft.directory/groups.security/delete",
    "microsoft.directory/groups.security/basic/update",
    "microsoft.directory/groups.security/members/update",
    "microsoft.directory/groups.security/owners/update",
    "microsoft.directory/groups.unified/create",
    "microsoft.directory/groups.unified/delete",
    "microsoft.directory/groups.unified/basic/update",
    "microsoft.directory/groups.unified/members/update",
    "microsoft.directory/groups.unified/owners/update",
    // Devices.
    "microsoft.directory/devices/standard/read",
    "microsoft.directory/devices/basic/update",
    "microsoft.directory/devices/delete",
    "microsoft.directory/devices/disable",
    "microsoft.directory/devices/enable",
    "microsoft.directory/devices/memberOf/read",
    "microsoft.directory/devices/registeredOwners/read",
    "microsoft.directory/devices/registeredOwners/update",
    "microsoft.directory/devices/registeredUsers/read",
    "microsoft.directory/devices/registeredUsers/update",
    "microsoft.directory/devices/extensionAttributeSet1/update",
    "microsoft.directory/devices/extensionAttributeSet2/update",
    "microsoft.directory/devices/extensionAttributeSet3/update",
    "microsoft.directory/bitlockerKeys/key/read",
    // Applications (tenant-wide only).
    "microsoft.directory/applications/create",
    "microsoft.directory/applications/delete",
    "microsoft.directory/applications/standard/read",
    "microsoft.directory/applications/allProperties/read",
    "microsoft.directory/applications/basic/update",
    "microsoft.directory/applications/credentials/update",
    "microsoft.directory/applications/owners/update",
    "microsoft.directory/applications/permissions/update",
    "microsoft.directory/applications/authentication/update",
    "microsoft.directory/applications/audience/update",
    "microsoft.directory/applications/policies/update",
    "microsoft.directory/applications/tag/update",
    // Service principals (tenant-wide only).
    "microsoft.directory/servicePrincipals/standard/read",
    "microsoft.directory/servicePrincipals/allProperties/read",
    "microsoft.directory/servicePrincipals/create",
    "microsoft.directory/servicePrincipals/delete",
    "microsoft.directory/servicePrincipals/disable",
    "microsoft.directory/servicePrincipals/enable",
    "microsoft.directory/servicePrincipals/basic/update",
    "microsoft.directory/servicePrincipals/credentials/update",
    "microsoft.directory/servicePrincipals/owners/update",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
    "microsoft.directory/servicePrincipals/policies/update",
    "microsoft.directory/servicePrincipals/tag/update",
];

/// What is wrong with one action of a custom role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionProblem {
    /// Not of the form `microsoft.directory/<entity>/[<property set>/]<verb>`.
    Malformed,
    /// Not a known action, but close to this one.
    Misspelt(&'static str),
}

/// Checks an action's shape, and whether it looks like a misspelt known action.
pub fn check_action(action: &str) -> Option<ActionProblem> {
    if DIRECTORY_ACTIONS.contains(&action) {
        return None;
    }
    if let Some(known) = DIRECTORY_ACTIONS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(action))
    {
        return Some(ActionProblem::Misspelt(known));
    }
    if !well_formed(action) {
        return Some(
            closest(action)
                .map(ActionProblem::Misspelt)
                .unwrap_or(ActionProblem::Malformed),
        );
    }
    closest(action).map(ActionProblem::Misspelt)
}

/// Whether the action can take effect when the role is assigned at a unit's scope.
pub fn takes_effect_at_unit_scope(action: &str) -> bool {
    is_au_scopable_permission(action)
}

fn closest(action: &str) -> Option<&'static str> {
    let near = entra_rules::closest(action, DIRECTORY_ACTIONS.iter().copied())?;
    DIRECTORY_ACTIONS.iter().copied().find(|a| *a == near)
}

fn well_formed(action: &str) -> bool {
    let Some(rest) = action.strip_prefix("microsoft.directory/") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    (2..=4).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_actions_pass_and_near_misses_get_the_right_spelling() {
        assert_eq!(check_action("microsoft.directory/groups/create"), None);
        assert_eq!(
            check_action("microsoft.directory/groups/member/update"),
            Some(ActionProblem::Misspelt(
                "microsoft.directory/groups/members/update"
            ))
        );
        assert_eq!(
            check_action("microsoft.directory/Users/Standard/Read"),
            Some(ActionProblem::Misspelt(
                "microsoft.directory/users/standard/read"
            ))
        );
        assert_eq!(
            check_action("microsoft.directroy/groups/create"),
            Some(ActionProblem::Misspelt("microsoft.directory/groups/create"))
        );
    }

    #[test]
    fn shapes_are_checked_and_unknown_well_formed_actions_pass() {
        assert_eq!(
            check_action("groups.create"),
            Some(ActionProblem::Malformed)
        );
        assert_eq!(
            check_action("microsoft.directory/groups//update"),
            Some(ActionProblem::Malformed)
        );
        assert_eq!(
            check_action("microsoft.directory/contacts/standard/read"),
            None
        );
    }

    #[test]
    fn only_user_group_and_device_actions_take_effect_at_unit_scope() {
        assert!(takes_effect_at_unit_scope(
            "microsoft.directory/groups/members/update"
        ));
        assert!(!takes_effect_at_unit_scope(
            "microsoft.directory/applications/create"
        ));
    }
}
