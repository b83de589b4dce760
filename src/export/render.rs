//! The configuration `export` writes: files of resources and import blocks that read
//! as if a person wrote them.

use super::args::MemberStyle;
use super::hcl::{BlockWriter, quote, string_list};
use super::names::{Names, slug};
use super::tenant::{Tenant, Unit};
use crate::provider::VERSION;

/// One file to write: its name and its text.
pub type File = (&'static str, String);

/// What was written, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Units.
    pub units: usize,
    /// Memberships.
    pub memberships: usize,
    /// Role assignments.
    pub assignments: usize,
    /// Import blocks.
    pub imports: usize,
}

/// The files for `tenant`, with memberships written in `style`.
pub fn files(tenant: &Tenant, style: MemberStyle) -> (Vec<File>, Counts) {
    let mut counts = Counts::default();
    let mut names = Names::default();
    let unit_names: Vec<String> = tenant
        .units
        .iter()
        .map(|u| names.unique(&slug(&u.au.display_name, "unit")))
        .collect();
    let mut units = header("One entra_administrative_unit per unit, each with its import block.");
    let mut members = header(match style {
        MemberStyle::List => {
            "Each assigned unit's members as one entra_au_members: the whole list, authoritative."
        }
        MemberStyle::Each => {
            "Each assigned unit's members as entra_au_member resources, one per member."
        }
    });
    let mut roles = header("Roles granted at each unit's scope, each with its import block.");
    let mut role_resource_names = Names::default();
    for (unit, name) in tenant.units.iter().zip(&unit_names) {
        units.push_str(&unit_blocks(unit, name));
        counts.units += 1;
        counts.imports += 1;
        if let Some(text) = member_blocks(unit, name, style, &mut counts) {
            members.push_str(&text);
        }
        for assignment in &unit.assignments {
            let role_name = tenant
                .role_names
                .get(&assignment.role_definition_id.to_ascii_lowercase())
                .cloned()
                .unwrap_or_else(|| format!("role {}", assignment.role_definition_id));
            let resource =
                role_resource_names.unique(&format!("{name}_{}", slug(&role_name, "role")));
            let comment = format!(
                "# {role_name} at {}, for principal {}\n",
                unit.au.display_name.replace('\n', " "),
                assignment.principal_id
            );
            let block =
                BlockWriter::new("resource", &["entra_au_scoped_role_assignment", &resource])
                    .attribute(
                        "administrative_unit_id",
                        format!("entra_administrative_unit.{name}.id"),
                    )
                    .string("role_definition_id", &assignment.role_definition_id)
                    .string("principal_id", &assignment.principal_id);
            roles.push_str(&format!(
                "\n{comment}{}\n{}",
                block.render(0),
                import(
                    &format!("entra_au_scoped_role_assignment.{resource}"),
                    assignment.id.as_deref().unwrap_or_default()
                )
            ));
            counts.assignments += 1;
            counts.imports += 1;
        }
    }
    let files = vec![
        ("main.tf", main_tf(style)),
        ("administrative_units.tf", units),
        ("members.tf", members),
        ("role_assignments.tf", roles),
    ];
    (files, counts)
}

fn header(what: &str) -> String {
    format!("# Written by `terraform-provider-entra export`. {what}\n")
}

fn main_tf(style: MemberStyle) -> String {
    // Import blocks need Terraform 1.5; with for_each, 1.7.
    let terraform_version = match style {
        MemberStyle::List => ">= 1.5",
        MemberStyle::Each => ">= 1.7",
    };
    let provider = BlockWriter::new("entra =", &[])
        .string("source", "entra-au/entra")
        .string("version", &format!(">= {VERSION}"))
        .render(0);
    let terraform = BlockWriter::new("terraform", &[])
        .string("required_version", terraform_version)
        .raw(&format!(
            "required_providers {{\n{}}}",
            indent(&provider, 2)
        ))
        .render(0);
    format!(
        "{}\n{terraform}\n# Credentials come from the environment (ARM_* variables), as for any pipeline.\nprovider \"entra\" {{}}\n",
        header("The provider it needs.")
    )
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

fn import(to: &str, id: &str) -> String {
    BlockWriter::new("import", &[])
        .attribute("to", to)
        .string("id", id)
        .render(0)
}

fn unit_blocks(unit: &Unit, name: &str) -> String {
    let au = &unit.au;
    let mut block = BlockWriter::new("resource", &["entra_administrative_unit", name])
        .string("display_name", &au.display_name);
    if let Some(description) = &au.description {
        block = block.string("description", description);
    }
    if au.kind() == "Dynamic" {
        block = block.string("membership_type", "Dynamic");
        if let Some(rule) = au.effective_rule() {
            block = block.string("membership_rule", &rule);
        }
        if let Some(state) = au.effective_processing_state().filter(|s| s != "On") {
            block = block.string("membership_rule_processing_state", &state);
        }
    }
    if au.hidden_membership() {
        block = block.attribute("hidden_membership_enabled", "true");
    }
    if au.restricted_management() {
        block = block.attribute("restricted_management_enabled", "true");
    }
    let mut text = format!("\n# {}\n", au.display_name.replace('\n', " "));
    if let Some(note) = &unit.note {
        text.push_str(&format!("# Members not exported: {note}.\n"));
    }
    text.push_str(&block.render(0));
    text.push('\n');
    text.push_str(&import(
        &format!("entra_administrative_unit.{name}"),
        unit.id(),
    ));
    text
}

fn member_blocks(
    unit: &Unit,
    name: &str,
    style: MemberStyle,
    counts: &mut Counts,
) -> Option<String> {
    let members = unit.members.as_ref().filter(|m| !m.is_empty())?;
    let mut sorted: Vec<(String, Option<String>)> = members.clone();
    sorted.sort();
    counts.memberships += sorted.len();
    let au = unit.id();
    let text = match style {
        MemberStyle::List => {
            counts.imports += 1;
            let block = BlockWriter::new("resource", &["entra_au_members", name])
                .attribute(
                    "administrative_unit_id",
                    format!("entra_administrative_unit.{name}.id"),
                )
                .attribute("member_ids", string_list(&sorted));
            format!(
                "\n# The members of {}\n{}\n{}",
                unit.au.display_name.replace('\n', " "),
                block.render(0),
                import(&format!("entra_au_members.{name}"), au)
            )
        }
        MemberStyle::Each => {
            counts.imports += sorted.len();
            let local = format!("{name}_members");
            let locals = BlockWriter::new("locals", &[])
                .attribute(&local, string_list(&sorted))
                .render(0);
            let resource = BlockWriter::new("resource", &["entra_au_member", name])
                .attribute("for_each", format!("toset(local.{local})"))
                .attribute(
                    "administrative_unit_id",
                    format!("entra_administrative_unit.{name}.id"),
                )
                .attribute("member_id", "each.value");
            let imports = BlockWriter::new("import", &[])
                .attribute("for_each", format!("toset(local.{local})"))
                .attribute("to", format!("entra_au_member.{name}[each.value]"))
                .attribute(
                    "id",
                    quote(&format!("{au}/members/${{each.value}}")).replace("$${", "${"),
                );
            format!(
                "\n# The members of {}\n{locals}\n{}\n{}",
                unit.au.display_name.replace('\n', " "),
                resource.render(0),
                imports.render(0)
            )
        }
    };
    Some(text)
}
