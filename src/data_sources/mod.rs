//! The provider's data sources, one file per Terraform type.

pub mod administrative_unit;
pub mod administrative_units;
pub mod group;
pub mod membership_rule_preview;
pub mod role_definition;
pub mod user;

use std::sync::Arc;

use crate::framework::{DataSource, Diagnostic, Diagnostics, Value};
use crate::provider::EntraClient;

/// Every data source type.
pub fn all() -> Vec<Arc<dyn DataSource<EntraClient>>> {
    vec![
        Arc::new(administrative_unit::AdministrativeUnitDataSource),
        Arc::new(administrative_units::AdministrativeUnitsDataSource),
        Arc::new(group::GroupDataSource),
        Arc::new(membership_rule_preview::MembershipRulePreviewDataSource),
        Arc::new(role_definition::RoleDefinitionDataSource),
        Arc::new(user::UserDataSource),
    ]
}

/// Exactly one of `names` must be set (unknown counts as set).
pub(crate) fn exactly_one(config: &Value, names: &[&str]) -> Diagnostics {
    let set: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !config.get(n).is_null())
        .collect();
    if set.len() == 1 {
        return Diagnostics::new();
    }
    let list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let detail = if set.is_empty() {
        format!("Set exactly one of {list}.")
    } else {
        format!("Set exactly one of {list}, not {}.", set.join(" and "))
    };
    let mut diags = Diagnostics::new();
    diags.push(Diagnostic::attribute_error(
        set.first().copied().unwrap_or(names[0]),
        "Invalid lookup",
        detail,
    ));
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_lookup_key() {
        let both = Value::object([
            ("id", Value::string("a")),
            ("display_name", Value::string("b")),
        ]);
        assert!(
            exactly_one(&both, &["id", "display_name"]).0[0]
                .detail
                .contains("not id and display_name")
        );
        assert!(exactly_one(&Value::object::<&str>([]), &["id", "display_name"]).has_error());
        assert!(
            exactly_one(
                &Value::object([("id", Value::Unknown)]),
                &["id", "display_name"]
            )
            .is_empty()
        );
    }
}
