//! Data source lookups by one of several keys.

use provider_framework::{Diagnostic, Diagnostics};

/// Exactly one of the lookup keys must be set: `keys` pairs each attribute name with
/// whether the configuration sets it (unknown counts as set).
pub fn exactly_one(keys: &[(&str, bool)]) -> Diagnostics {
    let set: Vec<&str> = keys.iter().filter(|(_, s)| *s).map(|(n, _)| *n).collect();
    if set.len() == 1 {
        return Diagnostics::new();
    }
    let list = keys
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let detail = if set.is_empty() {
        format!("Set exactly one of {list}.")
    } else {
        format!("Set exactly one of {list}, not {}.", set.join(" and "))
    };
    let first = set.first().copied().or(keys.first().map(|(n, _)| *n));
    Diagnostic::attribute_error(first.unwrap_or("id"), "Invalid lookup", detail).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_lookup_key() {
        assert!(
            exactly_one(&[("id", true), ("display_name", true)]).0[0]
                .detail
                .contains("not id and display_name")
        );
        assert!(exactly_one(&[("id", false), ("display_name", false)]).has_error());
        assert!(exactly_one(&[("id", true), ("display_name", false)]).is_empty());
    }
}
