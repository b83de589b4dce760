//! Administrative-unit checks on a parsed rule.

mod values;

use crate::ast::{CollectionTest, Expr, Operator, Property, Quantifier, Span, Spanned, Value};
use crate::error::{ErrorKind, RuleError};
use crate::properties::strip_prefix_ci;
use crate::rule::Rule;
use crate::suggest;
use crate::vocabulary::{PropertyType, Subject};

/// Maximum rule length in characters.
pub const MAX_RULE_CHARS: usize = 3072;

/// Maximum number of groups in a `memberOf` rule.
pub const MAX_MEMBER_OF_GROUPS: usize = 50;

/// Checks that `rule` is acceptable as a dynamic administrative-unit membership rule.
///
/// Reports every problem found, ordered by position: length over 3,072 characters,
/// unknown properties, user and device properties mixed, `group.*` subjects, operators
/// or values that do not fit the property type, invalid regexes, `-not` over a null
/// comparison, and `memberOf`/`Direct Reports` combined with other clauses.
pub fn validate_for_administrative_unit(rule: &Rule) -> Result<(), Vec<RuleError>> {
    let mut v = Validator {
        src: rule.source(),
        errors: Vec::new(),
        subject: None,
    };
    v.check_length();
    let root = &rule.expr().node;
    v.walk(rule.expr(), Scope::Top, root_is_standalone(root));
    if v.errors.is_empty() {
        return Ok(());
    }
    v.errors.sort_by_key(|e| (e.span.start, e.span.end));
    v.errors.dedup();
    Err(v.errors)
}

/// Parses and validates in one step.
pub fn parse_for_administrative_unit(text: &str) -> Result<Rule, Vec<RuleError>> {
    let rule = crate::parse(text).map_err(|e| vec![e])?;
    validate_for_administrative_unit(&rule)?;
    Ok(rule)
}

/// Where a condition sits: at the top, or inside `-any`/`-all` over some collection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Top,
    Strings,
    Plans,
    Groups,
}

struct Validator<'a> {
    src: &'a str,
    errors: Vec<RuleError>,
    /// The first subject seen and where.
    subject: Option<(Subject, Span)>,
}

/// Whether the root is a clause that must stand alone (so it is allowed there).
fn root_is_standalone(e: &Expr) -> bool {
    matches!(e, Expr::DirectReports(_))
        || matches!(e, Expr::Collection(c) if is_member_of(&c.property.node))
}

fn is_member_of(p: &Property) -> bool {
    matches!(p, Property::Known(d) if d.ty == PropertyType::MemberOf)
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl Validator<'_> {
    fn push(&mut self, kind: ErrorKind, span: Span, message: impl Into<String>) -> &mut RuleError {
        self.errors
            .push(RuleError::new(kind, self.src, span, message));
        let last = self.errors.len() - 1;
        &mut self.errors[last]
    }

    fn check_length(&mut self) {
        let count = self.src.chars().count();
        if count > MAX_RULE_CHARS {
            let start = self
                .src
                .char_indices()
                .nth(MAX_RULE_CHARS)
                .map_or(self.src.len(), |(i, _)| i);
            self.push(
                ErrorKind::TooLong,
                Span::new(start, self.src.len()),
                format!("the rule is {count} characters long; the maximum is {MAX_RULE_CHARS}"),
            );
        }
    }

    fn walk(&mut self, e: &Spanned<Expr>, scope: Scope, root_ok: bool) {
        match &e.node {
            Expr::Or(items) | Expr::And(items) => {
                for item in items {
                    self.walk(item, scope, false);
                }
            }
            Expr::Not(inner) => {
                if let Expr::Comparison(c) = &inner.node
                    && c.value.node == Value::Null
                {
                    let flipped = match c.operator.node {
                        Operator::Eq => Some(Operator::Ne),
                        Operator::Ne => Some(Operator::Eq),
                        _ => None,
                    };
                    let suggestion = flipped.map(|op| format!("{} {op} null", c.property.node));
                    self.push(
                        ErrorKind::NotWithNull,
                        e.span,
                        "-not cannot be applied to a comparison with null; use -eq null or -ne null instead",
                    )
                    .suggestion = suggestion;
                }
                self.walk(inner, scope, false);
            }
            Expr::Comparison(c) => self.comparison(c, scope),
            Expr::Collection(c) => self.collection(c, e.span, scope, root_ok),
            Expr::DirectReports(id) => {
                if scope != Scope::Top {
                    self.push(
                        ErrorKind::Syntax,
                        e.span,
                        "Direct Reports cannot be used inside -any or -all",
                    );
                } else if !root_ok {
                    self.push(
                        ErrorKind::MustStandAlone,
                        e.span,
                        "Direct Reports cannot be combined with other clauses; it must be the whole rule",
                    );
                }
                if !is_guid(&id.node) {
                    self.push(
                        ErrorKind::InvalidValue,
                        id.span,
                        format!("\"{}\" is not an object ID; Direct Reports needs the manager's object ID (a GUID)", id.node),
                    );
                }
                self.note_subject(Subject::User, e.span);
            }
        }
    }

    /// Records the subject of a top-level property and reports mixing.
    fn note_subject(&mut self, subject: Subject, span: Span) {
        match self.subject {
            None => self.subject = Some((subject, span)),
            Some((first, at)) if first != subject => {
                let col = crate::error::column_of(self.src, at.start);
                self.push(
                    ErrorKind::MixedSubjects,
                    span,
                    format!(
                        "a rule cannot mix user and device properties: this is a {} property but the rule uses {} properties (column {col})",
                        subject.prefix(),
                        first.prefix()
                    ),
                );
            }
            Some(_) => {}
        }
    }

    /// Checks a property reference and returns its type if it is usable in `scope`.
    fn property(&mut self, p: &Spanned<Property>, scope: Scope) -> Option<PropertyType> {
        let text = p.node.to_string();
        match &p.node {
            Property::Known(d) => {
                if scope != Scope::Top {
                    self.inside_body_error(p.span, &text, scope);
                    return None;
                }
                self.note_subject(d.subject, p.span);
                Some(d.ty)
            }
            Property::Extension(_) => {
                if scope != Scope::Top {
                    self.inside_body_error(p.span, &text, scope);
                    return None;
                }
                self.note_subject(Subject::User, p.span);
                Some(PropertyType::String)
            }
            Property::Element => {
                if scope == Scope::Strings {
                    return Some(PropertyType::String);
                }
                if scope != Scope::Top {
                    self.inside_body_error(p.span, &text, scope);
                    return None;
                }
                self.push(
                    ErrorKind::Syntax,
                    p.span,
                    "\"_\" stands for an element of a multi-valued string property and can only be used inside -any or -all, e.g. user.proxyAddresses -any (_ -contains \"x\")",
                );
                None
            }
            Property::AssignedPlan(_) => {
                if scope == Scope::Plans {
                    return Some(PropertyType::String);
                }
                if scope != Scope::Top {
                    self.inside_body_error(p.span, &text, scope);
                    return None;
                }
                self.push(
                    ErrorKind::Syntax,
                    p.span,
                    format!("\"{text}\" can only be used inside user.assignedPlans -any (...) or -all (...)"),
                );
                None
            }
            Property::GroupObjectId => {
                if scope == Scope::Groups {
                    return Some(PropertyType::String);
                }
                if scope != Scope::Top {
                    self.inside_body_error(p.span, &text, scope);
                    return None;
                }
                self.push(
                    ErrorKind::UnsupportedSubject,
                    p.span,
                    "group.objectId can only be used inside user.memberOf -any (group.objectId -in [...])",
                );
                None
            }
            Property::Unknown(raw) => {
                self.unknown_property(raw, p.span);
                None
            }
        }
    }

    fn inside_body_error(&mut self, span: Span, text: &str, scope: Scope) {
        let expected = match scope {
            Scope::Strings => "_",
            Scope::Plans => {
                "assignedPlan.servicePlanId, assignedPlan.service or assignedPlan.capabilityStatus"
            }
            Scope::Groups | Scope::Top => "group.objectId",
        };
        self.push(
            ErrorKind::Syntax,
            span,
            format!("\"{text}\" cannot be used inside -any or -all here; use {expected}"),
        );
    }

    fn unknown_property(&mut self, raw: &str, span: Span) {
        if strip_prefix_ci(raw, "group.").is_some() {
            self.push(
                ErrorKind::UnsupportedSubject,
                span,
                format!("\"{raw}\": administrative unit rules can only use user or device properties, not group properties"),
            );
            return;
        }
        if let Some(name) = strip_prefix_ci(raw, "user.")
            && strip_prefix_ci(name, "extension_").is_some()
        {
            self.push(
                ErrorKind::UnknownProperty,
                span,
                format!("\"{raw}\" is not a valid extension attribute; use user.extension_<appIdWithoutDashes>_<name>"),
            );
            return;
        }
        let suggestion = suggest::property(raw);
        self.push(
            ErrorKind::UnknownProperty,
            span,
            format!("unknown property \"{raw}\""),
        )
        .suggestion = suggestion;
    }

    fn collection(&mut self, c: &CollectionTest, span: Span, scope: Scope, root_ok: bool) {
        let q = c.quantifier.node;
        if scope != Scope::Top {
            self.push(
                ErrorKind::Syntax,
                c.quantifier.span,
                format!("{q} cannot be nested inside another -any or -all"),
            );
            return;
        }
        let name = c.property.node.to_string();
        let Some(ty) = self.property(&c.property, scope) else {
            return;
        };
        let body_scope = match ty {
            PropertyType::StringCollection => Scope::Strings,
            PropertyType::AssignedPlans => Scope::Plans,
            PropertyType::MemberOf => {
                self.member_of(c, span, root_ok);
                return;
            }
            _ => {
                self.push(
                    ErrorKind::OperatorNotAllowed,
                    c.quantifier.span,
                    format!("{q} needs a multi-valued property such as user.proxyAddresses; \"{name}\" has a single value"),
                );
                return;
            }
        };
        self.walk(&c.condition, body_scope, false);
    }

    fn member_of(&mut self, c: &CollectionTest, span: Span, root_ok: bool) {
        if !root_ok {
            self.push(
                ErrorKind::MustStandAlone,
                span,
                "memberOf cannot be combined with other clauses; it must be the whole rule",
            );
        }
        if c.quantifier.node == Quantifier::All {
            self.push(
                ErrorKind::OperatorNotAllowed,
                c.quantifier.span,
                "memberOf supports only -any",
            )
            .suggestion = Some("-any".to_owned());
        }
        let shape_ok = matches!(&c.condition.node, Expr::Comparison(cmp) if cmp.property.node == Property::GroupObjectId);
        if !shape_ok {
            self.push(
                ErrorKind::Syntax,
                c.condition.span,
                format!(
                    "memberOf rules must look like {} -any (group.objectId -in ['<groupId>', ...])",
                    c.property.node
                ),
            );
            return;
        }
        if let Expr::Comparison(cmp) = &c.condition.node
            && let Value::Array(items) = &cmp.value.node
            && items.len() > MAX_MEMBER_OF_GROUPS
        {
            self.push(
                ErrorKind::InvalidValue,
                cmp.value.span,
                format!(
                    "memberOf can reference at most {MAX_MEMBER_OF_GROUPS} groups, found {}",
                    items.len()
                ),
            );
        }
        self.walk(&c.condition, Scope::Groups, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(s: &str) -> Vec<RuleError> {
        parse_for_administrative_unit(s).err().unwrap_or_default()
    }

    #[test]
    fn accepts_documented_rules() {
        for s in [
            "user.department -eq \"Sales\"",
            "user.memberof -any (group.objectId -in ['<groupId1>','<groupId2>'])",
            "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"",
            "user.employeeHireDate -ge system.now -plus p1d",
            "user.accountEnabled -eq true",
        ] {
            assert!(errs(s).is_empty(), "{s}: {:?}", errs(s));
        }
    }

    #[test]
    fn reports_problems_with_columns() {
        let e = errs("(user.department -eq \"Sales\") -or (device.deviceOSType -eq \"Windows\")");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, ErrorKind::MixedSubjects);
        assert_eq!(e[0].column, 36);
        let e = errs("user.departmnet -eq \"x\"");
        assert_eq!(
            e[0].to_string(),
            "column 1: unknown property \"user.departmnet\"; did you mean \"user.department\"?"
        );
        let e = errs("-not (user.mail -eq null)");
        assert_eq!(e[0].kind, ErrorKind::NotWithNull);
        assert_eq!(e[0].suggestion.as_deref(), Some("user.mail -ne null"));
        let e = errs("user.displayName -match \"(\"");
        assert_eq!(e[0].kind, ErrorKind::InvalidRegex);
        assert_eq!(e[0].column, 25);
    }

    #[test]
    fn length_limit_uses_characters() {
        let pad = "é".repeat(MAX_RULE_CHARS);
        let ok = format!("user.city -eq \"{}\"", &pad[..(MAX_RULE_CHARS - 16) * 2]);
        assert_eq!(ok.chars().count(), MAX_RULE_CHARS);
        assert!(errs(&ok).is_empty());
        let long = format!("user.city -eq \"{}\"", &pad[..(MAX_RULE_CHARS - 15) * 2]);
        let e = errs(&long);
        assert_eq!(e[0].kind, ErrorKind::TooLong);
        assert_eq!(e[0].column, MAX_RULE_CHARS + 1);
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"));
        assert!(!is_guid("aaaaaaaa-0000-1111-2222-bbbbbbbbbbbg"));
        assert!(!is_guid("…"));
    }
}
