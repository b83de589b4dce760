//! What the two membership resources (`entra_au_member`, one member; `entra_au_members`,
//! the whole list) check and say alike about their unit: dynamic now, dynamic after
//! this plan, or managed both ways in one configuration.

use provider_framework::{Diagnostic, Diagnostics, Maybe};

use crate::client::EntraClient;
use crate::graph::GraphError;

/// One of the membership resources.
#[derive(Debug, Clone, Copy)]
pub struct MembershipKind {
    /// Its Terraform type name.
    pub type_name: &'static str,
    /// Whether it manages the unit's whole member list.
    pub whole_list: bool,
}

impl MembershipKind {
    /// The plan-time checks that need no Graph read. Returns the unit's id when the
    /// caller should go on checking it, and the diagnostics found so far.
    pub fn first_checks(
        self,
        client: &EntraClient,
        unit: &Maybe<String>,
        creating: bool,
    ) -> (Option<String>, Diagnostics) {
        let Some(au) = unit.known().cloned() else {
            // The unit is new in this plan: if every new unit is dynamic, it is one.
            let dynamic =
                creating && unit.is_unknown() && client.plan_notes.only_new_dynamic_units();
            let diags = if dynamic {
                self.new_dynamic_unit_error()
            } else {
                Diagnostics::new()
            };
            return (None, diags);
        };
        let mut diags = Diagnostics::new();
        if client
            .plan_notes
            .members_managed_both_ways(&au, self.whole_list)
        {
            diags.extend(managed_both_ways_warning(&au));
        }
        if client.plan_notes.becomes_dynamic(&au) {
            diags.extend(self.becomes_dynamic_error(&au));
            return (None, diags);
        }
        (Some(au), diags)
    }

    /// The words used at plan time and when Graph refuses members of a dynamic unit.
    pub fn dynamic_unit_error(self, au: &str) -> Diagnostics {
        let type_name = self.type_name;
        Diagnostic::attribute_error(
            "administrative_unit_id",
            "Administrative unit has dynamic membership",
            format!(
                "Administrative unit {au} computes its members from its membership rule and refuses members \
                 added to it directly. Remove this {type_name}, or set membership_type = \"Assigned\" on the \
                 unit."
            ),
        )
        .into()
    }

    /// The unit is planned to become dynamic.
    fn becomes_dynamic_error(self, au: &str) -> Diagnostics {
        let type_name = self.type_name;
        Diagnostic::attribute_error(
            "administrative_unit_id",
            "Administrative unit becomes dynamic",
            format!(
                "This plan switches administrative unit {au} to membership_type = \"Dynamic\": Entra then \
                 computes its members from the rule and refuses members added to it directly. Remove this \
                 {type_name} (and the unit's other member resources) in the same change, or keep \
                 membership_type = \"Assigned\"."
            ),
        )
        .into()
    }

    /// The unit is created dynamic in this same plan.
    fn new_dynamic_unit_error(self) -> Diagnostics {
        let type_name = self.type_name;
        Diagnostic::attribute_error(
            "administrative_unit_id",
            "Administrative unit has dynamic membership",
            format!(
                "The administrative unit this {type_name} refers to is created in this plan with \
                 membership_type = \"Dynamic\", so Entra computes its members from its rule and refuses \
                 members added to it directly. Remove this {type_name}, or create the unit with \
                 membership_type = \"Assigned\"."
            ),
        )
        .into()
    }
}

/// The warning when one unit's members are managed both ways in one plan.
fn managed_both_ways_warning(au: &str) -> Diagnostics {
    Diagnostic::warning(
        "Members managed two ways",
        format!(
            "Administrative unit {au} has an entra_au_members (the whole member list) and entra_au_member \
             resources (one member each) in this configuration. entra_au_members removes every member it \
             does not list, so the two fight on every apply. Use one or the other for a unit."
        ),
    )
    .into()
}

/// Whether Graph refused a membership change because the unit is dynamic now.
pub fn refused_as_dynamic(err: &GraphError) -> bool {
    err.status() == Some(400)
        && err
            .api()
            .is_some_and(|a| a.message.to_ascii_lowercase().contains("dynamic"))
}
