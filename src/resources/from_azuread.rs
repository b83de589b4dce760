//! `moved` blocks from the hashicorp/azuread provider: which azuread resource types
//! each of ours takes over, and the import id each one's state (2.x or 3.x) gives.
//! The move then works like an import: [`Resource::import`] and a read.
//!
//! [`Resource::import`]: provider_framework::Resource::import

use provider_framework::{Diagnostic, Diagnostics, MoveSource};

const AZUREAD: &str = "hashicorp/azuread";
const AU_PREFIX: &str = "/directory/administrativeUnits/";
const ROLE_ASSIGNMENT_PREFIX: &str = "/roleManagement/directory/roleAssignments/";

/// The import id for `entra_administrative_unit` from an `azuread_administrative_unit`
/// (2.x id: the object id; 3.x: `/directory/administrativeUnits/{id}`).
pub fn administrative_unit(from: &MoveSource) -> Option<Result<String, Diagnostics>> {
    if !from.is(AZUREAD, "azuread_administrative_unit") {
        return None;
    }
    Some(
        from.string("object_id")
            .filter(|id| !id.is_empty())
            .or_else(|| from.string("id"))
            .map(ToOwned::to_owned)
            .ok_or_else(|| missing(from, "object_id")),
    )
}

/// The import id for `entra_au_member` from an `azuread_administrative_unit_member`.
pub fn au_member(from: &MoveSource) -> Option<Result<String, Diagnostics>> {
    if !from.is(AZUREAD, "azuread_administrative_unit_member") {
        return None;
    }
    let au = from.string("administrative_unit_object_id");
    let member = from.string("member_object_id");
    Some(match (au, member) {
        (Some(au), Some(member)) => Ok(format!("{au}/members/{member}")),
        (None, _) => Err(missing(from, "administrative_unit_object_id")),
        (_, None) => Err(missing(from, "member_object_id")),
    })
}

/// The import id for `entra_au_scoped_role_assignment` from an
/// `azuread_administrative_unit_role_member` (2.x id `{au}/roleMember/{id}`, 3.x
/// `/directory/administrativeUnits/{au}/scopedRoleMembers/{id}`), or from an
/// `azuread_directory_role_assignment` at a unit's scope (2.x id: the assignment id;
/// 3.x: `/roleManagement/directory/roleAssignments/{id}`).
pub fn scoped_role_assignment(from: &MoveSource) -> Option<Result<String, Diagnostics>> {
    if from.is(AZUREAD, "azuread_administrative_unit_role_member") {
        let id = from.string("id").unwrap_or_default();
        let rest = id.strip_prefix(AU_PREFIX).unwrap_or(id);
        let parsed = rest
            .split_once("/roleMember/")
            .or_else(|| rest.split_once("/scopedRoleMembers/"));
        return Some(match parsed {
            Some((au, membership)) => Ok(format!("{AU_PREFIX}{au}/scopedRoleMembers/{membership}")),
            None => Err(Diagnostic::error(
                "Unrecognised azuread state",
                format!(
                    "The azuread_administrative_unit_role_member id {id:?} is in neither the 2.x form \
                     {{unit}}/roleMember/{{id}} nor the 3.x form {AU_PREFIX}{{unit}}/scopedRoleMembers/{{id}}."
                ),
            )
            .into()),
        });
    }
    if from.is(AZUREAD, "azuread_directory_role_assignment") {
        let scope = from
            .string("directory_scope_id")
            .filter(|s| !s.is_empty())
            .map(ToOwned::to_owned)
            .or_else(|| {
                from.string("directory_scope_object_id")
                    .filter(|s| !s.is_empty())
                    .map(|au| format!("/administrativeUnits/{au}"))
            })
            .unwrap_or_else(|| "/".to_owned());
        if !scope.starts_with("/administrativeUnits/") {
            return Some(Err(Diagnostic::error(
                "Not an administrative unit scope",
                format!(
                    "This azuread_directory_role_assignment has directory_scope_id {scope:?}; only assignments at \
                     an administrative unit's scope (/administrativeUnits/{{id}}) can move to \
                     entra_au_scoped_role_assignment. Keep the others in azuread."
                ),
            )
            .into()));
        }
        let id = from.string("id").unwrap_or_default();
        return Some(Ok(id
            .strip_prefix(ROLE_ASSIGNMENT_PREFIX)
            .unwrap_or(id)
            .to_owned()));
    }
    None
}

fn missing(from: &MoveSource, attribute: &str) -> Diagnostics {
    Diagnostic::error(
        "Unrecognised azuread state",
        format!("The {} being moved has no {attribute}.", from.type_name),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(type_name: &str, version: i64, state: serde_json::Value) -> MoveSource {
        MoveSource {
            provider: "registry.terraform.io/hashicorp/azuread".into(),
            type_name: type_name.into(),
            schema_version: version,
            state,
        }
    }

    const AU: &str = "5d107bba-d8e2-4e13-b6ae-884be90e5d1a";
    const MEMBER: &str = "f8ca5a85-489a-49a0-b555-0a6d81e56f0d";

    #[test]
    fn both_azuread_generations_give_the_import_id() {
        for (version, id) in [(0, AU.to_owned()), (1, format!("{AU_PREFIX}{AU}"))] {
            let from = source(
                "azuread_administrative_unit",
                version,
                json!({"id": id, "object_id": AU}),
            );
            assert_eq!(administrative_unit(&from).unwrap().unwrap(), AU);
        }
        for (version, id) in [
            (0, format!("{AU}/member/{MEMBER}")),
            (1, format!("{AU_PREFIX}{AU}/members/{MEMBER}")),
        ] {
            let from = source(
                "azuread_administrative_unit_member",
                version,
                json!({"id": id, "administrative_unit_object_id": AU, "member_object_id": MEMBER}),
            );
            assert_eq!(
                au_member(&from).unwrap().unwrap(),
                format!("{AU}/members/{MEMBER}")
            );
        }
        for (version, id) in [
            (0, format!("{AU}/roleMember/abc-1")),
            (1, format!("{AU_PREFIX}{AU}/scopedRoleMembers/abc-1")),
        ] {
            let from = source(
                "azuread_administrative_unit_role_member",
                version,
                json!({"id": id}),
            );
            assert_eq!(
                scoped_role_assignment(&from).unwrap().unwrap(),
                format!("{AU_PREFIX}{AU}/scopedRoleMembers/abc-1")
            );
        }
        for (version, id, scope) in [
            (
                0,
                "xyz-1".to_owned(),
                json!({"directory_scope_object_id": AU}),
            ),
            (
                1,
                format!("{ROLE_ASSIGNMENT_PREFIX}xyz-1"),
                json!({"directory_scope_id": format!("/administrativeUnits/{AU}")}),
            ),
        ] {
            let mut state = scope;
            state["id"] = json!(id);
            let from = source("azuread_directory_role_assignment", version, state);
            assert_eq!(scoped_role_assignment(&from).unwrap().unwrap(), "xyz-1");
        }
    }

    #[test]
    fn other_sources_are_not_taken_and_tenant_wide_assignments_are_refused() {
        let mut from = source("azuread_group", 1, json!({"id": AU}));
        assert!(administrative_unit(&from).is_none());
        from.type_name = "azuread_administrative_unit".into();
        from.provider = "registry.terraform.io/someone/azuread-fork".into();
        assert!(administrative_unit(&from).is_none());
        let tenant_wide = source(
            "azuread_directory_role_assignment",
            1,
            json!({"id": "x", "directory_scope_id": "/"}),
        );
        let err = scoped_role_assignment(&tenant_wide).unwrap().unwrap_err();
        assert!(err.0[0].detail.contains("only assignments at"), "{err:?}");
    }
}
