//! Operator and value checks for a single comparison.

use super::{Scope, Validator};
use crate::ast::{Comparison, Operator, Value};
use crate::error::ErrorKind;
use crate::time::DateTime;
use crate::vocabulary::PropertyType;

impl Validator<'_> {
    pub(super) fn comparison(&mut self, c: &Comparison, scope: Scope) {
        let Some(ty) = self.property(&c.property, scope) else {
            return;
        };
        let op = c.operator.node;
        let op_span = c.operator.span;
        let name = c.property.node.to_string();
        // A string operator straight on a string collection tests its elements (any
        // element for -eq/-startsWith/…, none for -ne/-notStartsWith/…), as Microsoft's
        // own examples do: user.otherMails -startsWith "alias@domain".
        let ty = match ty {
            PropertyType::StringCollection if !matches!(op, Operator::Le | Operator::Ge) => {
                PropertyType::String
            }
            other => other,
        };
        if ty.is_collection() {
            let example = match ty {
                PropertyType::AssignedPlans => {
                    format!("{name} -any (assignedPlan.capabilityStatus -eq \"Enabled\")")
                }
                PropertyType::MemberOf => {
                    format!("{name} -any (group.objectId -in [\"<groupId>\"])")
                }
                _ => format!("{name} -any (_ -contains \"x\")"),
            };
            self.push(
                ErrorKind::OperatorNotAllowed,
                op_span,
                format!("\"{name}\" is multi-valued; test it with -any or -all, e.g. {example}"),
            );
            return;
        }
        if scope == Scope::Groups && op != Operator::In {
            self.push(
                ErrorKind::OperatorNotAllowed,
                op_span,
                "memberOf rules must use group.objectId -in [...]",
            )
            .suggestion = Some("-in".to_owned());
            return;
        }
        if matches!(op, Operator::Le | Operator::Ge) && ty != PropertyType::DateTime {
            self.push(
                ErrorKind::OperatorNotAllowed,
                op_span,
                format!("{op} can only compare dates (user.employeeHireDate), not \"{name}\""),
            );
            return;
        }
        if ty == PropertyType::Bool && !matches!(op, Operator::Eq | Operator::Ne) {
            self.push(
                ErrorKind::OperatorNotAllowed,
                op_span,
                format!("\"{name}\" is true or false; use -eq or -ne"),
            )
            .suggestion = Some("-eq".to_owned());
            return;
        }
        if ty == PropertyType::DateTime
            && !matches!(
                op,
                Operator::Eq | Operator::Ne | Operator::Le | Operator::Ge
            )
        {
            self.push(
                ErrorKind::OperatorNotAllowed,
                op_span,
                format!("\"{name}\" is a date; use -eq, -ne, -le or -ge"),
            );
            return;
        }
        self.value(c, ty);
    }

    /// Checks the value against the operator and property type.
    fn value(&mut self, c: &Comparison, ty: PropertyType) {
        let op = c.operator.node;
        let value = &c.value;
        let name = c.property.node.to_string();
        match &value.node {
            Value::Null => {
                if !matches!(op, Operator::Eq | Operator::Ne) {
                    self.push(
                        ErrorKind::InvalidValue,
                        value.span,
                        format!("null can only be used with -eq or -ne, not {op}"),
                    );
                }
                return;
            }
            Value::Array(items) => {
                if !matches!(op, Operator::In | Operator::NotIn) {
                    self.push(
                        ErrorKind::InvalidValue,
                        value.span,
                        format!("a list can only be used with -in or -notIn, not {op}"),
                    )
                    .suggestion = Some("-in".to_owned());
                    return;
                }
                if items.is_empty() {
                    self.push(
                        ErrorKind::InvalidValue,
                        value.span,
                        format!("{op} needs at least one value in the list"),
                    );
                }
                for item in items {
                    if !matches!(item.node, Value::String(_) | Value::Number(_)) {
                        self.push(
                            ErrorKind::InvalidValue,
                            item.span,
                            format!(
                                "list items must be quoted strings or numbers, not {}",
                                item.node
                            ),
                        );
                    }
                }
                return;
            }
            _ => {}
        }
        if matches!(op, Operator::In | Operator::NotIn) {
            self.push(
                ErrorKind::InvalidValue,
                value.span,
                format!("{op} needs a list such as [\"a\",\"b\"]"),
            )
            .suggestion = Some(format!("[{}]", value.node));
            return;
        }
        match ty {
            PropertyType::Bool => {
                let ok = match &value.node {
                    Value::Bool(_) => true,
                    Value::String(s) => {
                        s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
                    }
                    _ => false,
                };
                if !ok {
                    self.push(
                        ErrorKind::InvalidValue,
                        value.span,
                        format!("\"{name}\" can only be compared with true or false"),
                    );
                }
            }
            PropertyType::DateTime => {
                let ok = match &value.node {
                    Value::DateTime(_) | Value::Now(_) => true,
                    Value::String(s) => DateTime::parse(s).is_some(),
                    _ => false,
                };
                if !ok {
                    self.push(
                        ErrorKind::InvalidValue,
                        value.span,
                        format!("\"{name}\" needs a date such as 2020-06-10T18:13:20Z or system.now -plus P1D"),
                    );
                }
            }
            _ => self.string_value(c),
        }
    }

    fn string_value(&mut self, c: &Comparison) {
        let op = c.operator.node;
        let value = &c.value;
        match (&value.node, op) {
            (Value::String(pattern), Operator::Match | Operator::NotMatch) => {
                if let Err(e) = regex::RegexBuilder::new(pattern)
                    .case_insensitive(true)
                    .build()
                {
                    self.push(
                        ErrorKind::InvalidRegex,
                        value.span,
                        format!("invalid regular expression: {}", regex_reason(&e)),
                    );
                }
            }
            (Value::String(_), _) => {}
            (Value::Number(_), Operator::Eq | Operator::Ne) => {}
            (Value::DateTime(_) | Value::Now(_), _) => {
                self.push(
                    ErrorKind::InvalidValue,
                    value.span,
                    "dates can only be compared with user.employeeHireDate",
                );
            }
            (other, _) => {
                let quoted = other.to_string();
                self.push(
                    ErrorKind::InvalidValue,
                    value.span,
                    format!("{op} needs a quoted string, found {quoted}"),
                )
                .suggestion = Some(format!("\"{quoted}\""));
            }
        }
    }
}

/// The last line of a regex error, which carries the reason.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&text)
        .trim();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}
