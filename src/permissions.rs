//! The Microsoft Graph application permissions each resource and data source needs:
//! one table, which both the "insufficient privileges" hints and the docs' "API
//! Permissions" sections are made from.

/// What one Terraform type needs.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// The resource or data source, e.g. `entra_group`.
    pub type_name: &'static str,
    /// Least-privileged application permissions; all are needed.
    pub required: &'static [&'static str],
    /// Higher-privileged permissions that work instead.
    pub alternatives: &'static [&'static str],
    /// Permissions needed in some cases: (permission, what for).
    pub conditional: &'static [(&'static str, &'static str)],
    /// Permissions that are not needed but improve something: (permission, what it does).
    pub optional: &'static [(&'static str, &'static str)],
}

const HIDDEN: (&str, &str) = (
    "Member.Read.Hidden",
    "to read the members of units with hidden membership",
);

/// Every type the provider serves.
pub const TABLE: &[Needs] = &[
    Needs {
        type_name: "entra_administrative_unit",
        required: &["AdministrativeUnit.ReadWrite.All"],
        alternatives: &[],
        conditional: &[],
        optional: &[],
    },
    Needs {
        type_name: "entra_au_member",
        required: &["AdministrativeUnit.ReadWrite.All"],
        alternatives: &[],
        conditional: &[HIDDEN],
        optional: &[(
            "Directory.Read.All",
            "lets member types be learnt in one lookup per batch of adds instead of one read per member",
        )],
    },
    Needs {
        type_name: "entra_au_members",
        required: &["AdministrativeUnit.ReadWrite.All"],
        alternatives: &[],
        conditional: &[HIDDEN],
        optional: &[(
            "Directory.Read.All",
            "lets member types be learnt with one lookup per 1,000 members instead of one read per member",
        )],
    },
    Needs {
        type_name: "entra_au_scoped_role_assignment",
        required: &["RoleManagement.ReadWrite.Directory"],
        alternatives: &[],
        conditional: &[],
        optional: &[(
            "Group.Read.All",
            "lets plan refuse a group principal that is not role-assignable",
        )],
    },
    Needs {
        type_name: "entra_custom_role",
        required: &["RoleManagement.ReadWrite.Directory"],
        alternatives: &[],
        conditional: &[],
        optional: &[(
            "Organization.Read.All",
            "lets plan warn when the tenant has no Entra ID P1 or P2 licence (custom roles need P1)",
        )],
    },
    Needs {
        type_name: "entra_administrative_units",
        required: &["AdministrativeUnit.Read.All"],
        alternatives: &["AdministrativeUnit.ReadWrite.All", "Directory.Read.All"],
        conditional: &[],
        optional: &[],
    },
    Needs {
        type_name: "entra_au_scoped_role_assignments",
        required: &["RoleManagement.Read.Directory"],
        alternatives: &["RoleManagement.ReadWrite.Directory", "Directory.Read.All"],
        conditional: &[],
        optional: &[],
    },
    Needs {
        type_name: "entra_group",
        required: &["Group.Read.All"],
        alternatives: &["Directory.Read.All"],
        conditional: &[],
        optional: &[],
    },
    Needs {
        type_name: "entra_user",
        required: &["User.Read.All"],
        alternatives: &["Directory.Read.All"],
        conditional: &[],
        optional: &[],
    },
    Needs {
        type_name: "entra_role_definition",
        required: &["RoleManagement.Read.Directory"],
        alternatives: &["RoleManagement.ReadWrite.Directory", "Directory.Read.All"],
        conditional: &[],
        optional: &[],
    },
    Needs {
        type_name: "entra_membership_rule_preview",
        required: &["User.Read.All"],
        alternatives: &["Directory.Read.All"],
        conditional: &[(
            "Device.Read.All",
            "for device rules (instead of User.Read.All)",
        )],
        optional: &[],
    },
];

/// The data source `entra_administrative_unit` shares its name with the resource.
pub const ADMINISTRATIVE_UNIT_DATA_SOURCE: Needs = Needs {
    type_name: "entra_administrative_unit",
    required: &["AdministrativeUnit.Read.All"],
    alternatives: &["AdministrativeUnit.ReadWrite.All", "Directory.Read.All"],
    conditional: &[HIDDEN],
    optional: &[],
};

/// What `type_name` needs; the data source of the same name as a resource is
/// asked for with `data_source = true`.
pub fn needs(type_name: &str, data_source: bool) -> Option<Needs> {
    if data_source && type_name == ADMINISTRATIVE_UNIT_DATA_SOURCE.type_name {
        return Some(ADMINISTRATIVE_UNIT_DATA_SOURCE);
    }
    TABLE.iter().find(|n| n.type_name == type_name).copied()
}

fn code_list(items: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|p| format!("`{p}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

impl Needs {
    /// The hint added to a 403 answer.
    pub fn hint(&self) -> String {
        let plain =
            |items: &[&str], conjunction: &str| code_list(items, conjunction).replace('`', "");
        let mut text = format!(
            "{} needs the Microsoft Graph application permission {} with admin consent",
            self.type_name,
            plain(self.required, "and")
        );
        if !self.alternatives.is_empty() {
            text.push_str(&format!(" (or {})", plain(self.alternatives, "or")));
        }
        text.push('.');
        for (permission, purpose) in self.conditional {
            text.push_str(&format!(" Also {permission}, {purpose}."));
        }
        text
    }

    /// The docs' "API Permissions" paragraph (Markdown).
    pub fn markdown(&self) -> String {
        let mut text = format!(
            "{} (Microsoft Graph application permission{}, with admin consent).",
            code_list(self.required, "and"),
            if self.required.len() > 1 { "s" } else { "" }
        );
        if !self.alternatives.is_empty() {
            text.push_str(&format!(
                " Higher-privileged permissions that also work: {}.",
                code_list(self.alternatives, "or")
            ));
        }
        for (permission, purpose) in self.conditional {
            text.push_str(&format!("\n\nAlso `{permission}`, {purpose}."));
        }
        for (permission, effect) in self.optional {
            text.push_str(&format!("\n\nOptional: `{permission}` {effect}."));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_entry_and_hints_name_the_permission() {
        let group = needs("entra_group", true).unwrap();
        assert!(group.hint().contains("Group.Read.All"), "{}", group.hint());
        assert!(
            needs("entra_user", true)
                .unwrap()
                .hint()
                .contains("User.Read.All")
        );
        assert_eq!(
            needs("entra_administrative_unit", true).unwrap().required,
            &["AdministrativeUnit.Read.All"]
        );
        assert_eq!(
            needs("entra_administrative_unit", false).unwrap().required,
            &["AdministrativeUnit.ReadWrite.All"]
        );
        let mut names: Vec<_> = TABLE.iter().map(|n| n.type_name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLE.len(), "one entry per type");
    }
}
