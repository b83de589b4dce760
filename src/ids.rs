//! Typed resource ids: what import accepts and what state stores.

use std::fmt;
use std::str::FromStr;

/// An administrative unit's object id. Import accepts the bare GUID or the
/// `azuread` provider's form `/directory/administrativeUnits/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministrativeUnitId(pub String);

/// An id that is not in any accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a valid {kind} id; expected {expected}")]
pub struct IdError {
    /// What was given.
    pub input: String,
    /// What kind of id.
    pub kind: &'static str,
    /// The accepted forms.
    pub expected: &'static str,
}

const AZUREAD_AU_PREFIX: &str = "/directory/administrativeUnits/";

/// Whether `s` is a GUID in its usual hyphenated form.
pub fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

impl FromStr for AdministrativeUnitId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let guid = trimmed.strip_prefix(AZUREAD_AU_PREFIX).unwrap_or(trimmed);
        if is_guid(guid) {
            Ok(AdministrativeUnitId(guid.to_ascii_lowercase()))
        } else {
            Err(IdError {
                input: s.to_owned(),
                kind: "administrative unit",
                expected: "an object id such as 5d107bba-d8e2-4e13-b6ae-884be90e5d1a, or /directory/administrativeUnits/{id}",
            })
        }
    }
}

impl fmt::Display for AdministrativeUnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One membership: `{au_id}/members/{member_id}`. Import also accepts the
/// `azuread` form `/directory/administrativeUnits/{au}/members/{member}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuMemberId {
    /// The administrative unit.
    pub administrative_unit_id: String,
    /// The member object.
    pub member_id: String,
}

impl FromStr for AuMemberId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let rest = trimmed.strip_prefix(AZUREAD_AU_PREFIX).unwrap_or(trimmed);
        let parsed = rest.split_once("/members/").and_then(|(au, member)| {
            (is_guid(au) && is_guid(member)).then(|| AuMemberId {
                administrative_unit_id: au.to_ascii_lowercase(),
                member_id: member.to_ascii_lowercase(),
            })
        });
        parsed.ok_or_else(|| IdError {
            input: s.to_owned(),
            kind: "administrative unit member",
            expected: "{administrative_unit_id}/members/{member_id}, or /directory/administrativeUnits/{au}/members/{member}",
        })
    }
}

impl fmt::Display for AuMemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/members/{}",
            self.administrative_unit_id, self.member_id
        )
    }
}

/// How a scoped role assignment can be named on import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopedRoleAssignmentImportId {
    /// A `roleManagement/directory/roleAssignments` id (what state stores).
    RoleAssignment(String),
    /// A scoped role membership, as `azuread` and `scopedRoleMembers` name it:
    /// `/directory/administrativeUnits/{au}/scopedRoleMembers/{id}` or `{au}/scopedRoleMembers/{id}`.
    ScopedRoleMember {
        /// The administrative unit.
        administrative_unit_id: String,
        /// The scoped role membership id.
        membership_id: String,
    },
}

impl FromStr for ScopedRoleAssignmentImportId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let rest = trimmed.strip_prefix(AZUREAD_AU_PREFIX).unwrap_or(trimmed);
        if let Some((au, membership)) = rest.split_once("/scopedRoleMembers/") {
            if is_guid(au) && !membership.is_empty() && !membership.contains('/') {
                return Ok(ScopedRoleAssignmentImportId::ScopedRoleMember {
                    administrative_unit_id: au.to_ascii_lowercase(),
                    membership_id: membership.to_owned(),
                });
            }
        } else if !trimmed.is_empty()
            && !trimmed.contains('/')
            && trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        {
            return Ok(ScopedRoleAssignmentImportId::RoleAssignment(
                trimmed.to_owned(),
            ));
        }
        Err(IdError {
            input: s.to_owned(),
            kind: "scoped role assignment",
            expected: "a role assignment id, or /directory/administrativeUnits/{au}/scopedRoleMembers/{id}",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrative_unit_ids_accept_our_form_and_azuread_form() {
        let id = "5D107BBA-d8e2-4e13-b6ae-884be90e5d1a";
        let ours: AdministrativeUnitId = id.parse().unwrap();
        assert_eq!(ours.to_string(), "5d107bba-d8e2-4e13-b6ae-884be90e5d1a");
        let theirs: AdministrativeUnitId = format!("/directory/administrativeUnits/{id}")
            .parse()
            .unwrap();
        assert_eq!(ours, theirs);
        let err = "not-an-id".parse::<AdministrativeUnitId>().unwrap_err();
        assert!(err.to_string().contains("expected an object id"), "{err}");
        assert!(
            "/directory/administrativeUnits/"
                .parse::<AdministrativeUnitId>()
                .is_err()
        );
    }

    #[test]
    fn member_ids_round_trip_and_accept_the_azuread_form() {
        let au = "5d107bba-d8e2-4e13-b6ae-884be90e5d1a";
        let m = "f8ca5a85-489a-49a0-b555-0a6d81e56f0d";
        let ours: AuMemberId = format!("{au}/members/{m}").parse().unwrap();
        assert_eq!(ours.to_string(), format!("{au}/members/{m}"));
        let theirs: AuMemberId = format!("/directory/administrativeUnits/{au}/members/{m}")
            .parse()
            .unwrap();
        assert_eq!(ours, theirs);
        for bad in [
            au.to_owned(),
            format!("{au}/members/"),
            format!("{au}/owners/{m}"),
            format!("x/members/{m}"),
        ] {
            assert!(bad.parse::<AuMemberId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn scoped_role_import_ids_take_both_forms() {
        let au = "5d107bba-d8e2-4e13-b6ae-884be90e5d1a";
        assert_eq!(
            "kl2Jm9Msx0-1"
                .parse::<ScopedRoleAssignmentImportId>()
                .unwrap(),
            ScopedRoleAssignmentImportId::RoleAssignment("kl2Jm9Msx0-1".into())
        );
        let srm: ScopedRoleAssignmentImportId =
            format!("/directory/administrativeUnits/{au}/scopedRoleMembers/abc")
                .parse()
                .unwrap();
        assert_eq!(
            srm,
            ScopedRoleAssignmentImportId::ScopedRoleMember {
                administrative_unit_id: au.into(),
                membership_id: "abc".into()
            }
        );
        assert!("a/b".parse::<ScopedRoleAssignmentImportId>().is_err());
        assert!("".parse::<ScopedRoleAssignmentImportId>().is_err());
    }
}
