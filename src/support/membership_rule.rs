//! Dynamic membership rules as Terraform diagnostics: the error, its column, a
//! suggestion, and the rule with the offending text underlined.

use entra_rules::RuleError;

use provider_framework::{AttributePath, Diagnostic, Diagnostics, Value};

/// Checks a rule for use in an administrative unit; errors are attached to `path`.
pub fn validate(text: &str, path: &AttributePath) -> Diagnostics {
    match entra_rules::parse_for_administrative_unit(text) {
        Ok(_) => Diagnostics::new(),
        Err(errors) => Diagnostics(
            errors
                .iter()
                .map(|e| {
                    Diagnostic::error("Invalid membership rule", describe(text, e)).at(path.clone())
                })
                .collect(),
        ),
    }
}

/// Whether two rule texts mean the same rule (Graph may re-format a rule).
pub fn same_rule(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => entra_rules::same_rule(a, b),
        _ => false,
    }
}

/// `column 6: unknown property …` followed by the rule with a caret line under the error.
fn describe(text: &str, error: &RuleError) -> String {
    let mut detail = error.to_string();
    if text.chars().count() <= 300 && !text.contains('\n') {
        let start = text
            .get(..error.span.start.min(text.len()))
            .map_or(0, |s| s.chars().count());
        let width = text
            .get(error.span.start.min(text.len())..error.span.end.min(text.len()))
            .map_or(1, |s| s.chars().count().max(1));
        detail.push_str(&format!(
            "\n\n  {text}\n  {}{}",
            " ".repeat(start),
            "^".repeat(width)
        ));
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelled_property_points_at_the_column_with_a_suggestion() {
        let diags = validate(
            "user.departmnet -eq \"Sales\"",
            &AttributePath::root("membership_rule"),
        );
        let d = &diags.0[0];
        assert_eq!(d.attribute, Some(AttributePath::root("membership_rule")));
        assert!(d.detail.starts_with("column 1:"), "{}", d.detail);
        assert!(
            d.detail.contains("did you mean \"user.department\""),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("\n  ^^^^^^^^^^^^^^^"), "{}", d.detail);
    }

    #[test]
    fn valid_rules_pass_and_cosmetic_variants_are_equal() {
        assert!(validate("(user.department -eq \"Sales\")", &AttributePath::root("r")).is_empty());
        assert!(same_rule(
            &Value::string("user.department -eq 'Sales'"),
            &Value::string("(user.Department -eq \"Sales\")")
        ));
        assert!(!same_rule(
            &Value::string("user.department -eq \"Sales\""),
            &Value::string("user.department -eq \"HR\"")
        ));
    }
}
