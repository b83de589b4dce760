//! Reusable attribute validators.

use super::diag::{Diagnostic, Diagnostics};
use super::schema::Validator;
use super::value::{AttributePath, Value};

/// The string must not be empty or only white space.
#[derive(Debug, Clone, Copy)]
pub struct NotBlank;

impl Validator for NotBlank {
    fn description(&self) -> String {
        "must not be empty".to_owned()
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if value.as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.push(
                Diagnostic::error("Invalid value", format!("{path} must not be empty."))
                    .at(path.clone()),
            );
        }
    }
}

/// The string must be at most this many characters long.
#[derive(Debug, Clone, Copy)]
pub struct MaxLength(pub usize);

impl Validator for MaxLength {
    fn description(&self) -> String {
        format!("must be at most {} characters", self.0)
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            let len = s.chars().count();
            if len > self.0 {
                diags.push(
                    Diagnostic::error(
                        "Value too long",
                        format!(
                            "{path} must be at most {} characters; it has {len}.",
                            self.0
                        ),
                    )
                    .at(path.clone()),
                );
            }
        }
    }
}

/// The string must be one of these values (compared exactly).
#[derive(Debug, Clone, Copy)]
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn description(&self) -> String {
        format!("must be one of {}", quoted_list(self.0))
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let Some(s) = value.as_str().filter(|s| !self.0.contains(s)) else {
            return;
        };
        let detail = match self.0.iter().find(|v| v.eq_ignore_ascii_case(s)) {
            Some(right) => format!("{path} is case-sensitive: write {right:?}, not {s:?}."),
            None => format!("{path} must be one of {}; got {s:?}.", quoted_list(self.0)),
        };
        diags.push(Diagnostic::error("Invalid value", detail).at(path.clone()));
    }
}

impl OneOf {
    /// Whether `value` is absent or one of the values (so checks that depend on it
    /// may run without repeating the attribute's own error).
    pub fn accepts(&self, value: Option<&str>) -> bool {
        value.is_none_or(|s| self.0.contains(&s))
    }
}

/// The string must not contain control characters (NUL, tabs, line breaks…), which
/// Entra refuses or stores invisibly.
#[derive(Debug, Clone, Copy)]
pub struct NoControlCharacters;

impl Validator for NoControlCharacters {
    fn description(&self) -> String {
        "must not contain control characters".to_owned()
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some((at, c)) = value
            .as_str()
            .and_then(|s| s.chars().enumerate().find(|(_, c)| c.is_control()))
        {
            diags.push(
                Diagnostic::error(
                    "Invalid character",
                    format!(
                        "{path} must not contain control characters; character {} is U+{:04X}.",
                        at + 1,
                        u32::from(c)
                    ),
                )
                .at(path.clone()),
            );
        }
    }
}

/// The string must be a GUID such as an Entra object id.
#[derive(Debug, Clone, Copy)]
pub struct IsUuid;

impl Validator for IsUuid {
    fn description(&self) -> String {
        "must be a UUID".to_owned()
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && uuid::Uuid::try_parse(s).is_err()
        {
            diags.push(
                    Diagnostic::error(
                        "Invalid object id",
                        format!("{path} must be a UUID such as 00000000-0000-0000-0000-000000000000; got {s:?}."),
                    )
                    .at(path.clone()),
                );
        }
    }
}

/// Each element of a list or set must pass the inner validator (unknown elements
/// are checked at apply).
#[derive(Debug, Clone, Copy)]
pub struct Each<V>(pub V);

impl<V: Validator> Validator for Each<V> {
    fn description(&self) -> String {
        format!("each element {}", self.0.description())
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Value::List(items) = value {
            for item in items.iter().filter(|i| !i.is_unknown() && !i.is_null()) {
                self.0.validate(item, path, diags);
            }
        }
    }
}

/// A list must not name the same string twice (compared case-insensitively, as
/// object ids are).
#[derive(Debug, Clone, Copy)]
pub struct Distinct;

impl Validator for Distinct {
    fn description(&self) -> String {
        "must not contain the same value twice".to_owned()
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let Value::List(items) = value else { return };
        let mut seen = std::collections::HashSet::new();
        let mut twice = std::collections::BTreeSet::new();
        for s in items.iter().filter_map(Value::as_str) {
            if !seen.insert(s.to_lowercase()) {
                twice.insert(s);
            }
        }
        if !twice.is_empty() {
            let named: Vec<String> = twice.iter().map(|s| format!("{s:?}")).collect();
            diags.push(
                Diagnostic::error(
                    "Duplicate value",
                    format!("{path} names {} more than once.", named.join(", ")),
                )
                .at(path.clone()),
            );
        }
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(v: &dyn Validator, value: &str) -> Diagnostics {
        let mut diags = Diagnostics::new();
        v.validate(&Value::string(value), &AttributePath::root("a"), &mut diags);
        diags
    }

    #[test]
    fn validators_accept_good_values_and_attribute_bad_ones() {
        assert!(check(&NotBlank, "x").is_empty());
        assert!(check(&NotBlank, "  ").has_error());
        assert!(check(&MaxLength(3), "abc").is_empty());
        assert!(
            check(&MaxLength(3), "abcd").0[0]
                .detail
                .contains("it has 4")
        );
        assert!(check(&OneOf(&["On", "Paused"]), "On").is_empty());
        let d = check(&OneOf(&["On", "Paused"]), "on");
        assert_eq!(d.0[0].attribute, Some(AttributePath::root("a")));
        assert!(d.0[0].detail.contains("write \"On\""), "{}", d.0[0].detail);
        assert!(check(&NoControlCharacters, "Finance – Zürich").is_empty());
        let d = check(&NoControlCharacters, "Fin\0ance");
        assert!(
            d.0[0].detail.contains("character 4 is U+0000"),
            "{}",
            d.0[0].detail
        );
        assert!(check(&IsUuid, "5d107bba-d8e2-4e13-b6ae-884be90e5d1a").is_empty());
        assert!(check(&IsUuid, "nope").has_error());
        let mut diags = Diagnostics::new();
        let ids = Value::List(vec![
            Value::string("5d107bba-d8e2-4e13-b6ae-884be90e5d1a"),
            Value::Unknown,
            Value::string("nope"),
        ]);
        Each(IsUuid).validate(&ids, &AttributePath::root("ids"), &mut diags);
        Distinct.validate(&ids, &AttributePath::root("ids"), &mut diags);
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        assert!(
            diags.0[0].detail.contains("\"nope\""),
            "{}",
            diags.0[0].detail
        );
    }
}
