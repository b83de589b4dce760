//! Canonical printing of rules.
//!
//! Style: canonical property casing with `user.`/`device.` prefixes, hyphenated
//! lower-camel operators, double-quoted strings with `` `" `` escapes (strings that
//! contain a backtick are single-quoted instead, so they always re-parse), lists as
//! `["a","b"]`. A lone condition is printed bare; every operand of `-and`, `-or` and
//! `-not` is parenthesised, as Graph does. Inside `-any`/`-all` bodies comparisons
//! stay bare and only nested `-and`/`-or` groups get parentheses.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{CollectionTest, Comparison, Expr, Operator, Property, Quantifier, Value};
use crate::error::RuleError;
use crate::parser::parse;
use crate::rule::Rule;

/// Parses `text` and prints its normal form. Does not validate.
pub fn normalize(text: &str) -> Result<String, RuleError> {
    Ok(parse(text)?.to_string())
}

/// Whether two rule texts differ only cosmetically.
///
/// Both must parse to equal trees; if either does not parse, the trimmed texts are
/// compared instead.
pub fn same_rule(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

impl Display for Rule {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, &self.expr().node, false)
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self, false)
    }
}

impl Display for Property {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Property::Known(d) => write!(f, "{}.{}", d.subject.prefix(), d.name),
            Property::Extension(name) => write!(f, "user.{name}"),
            Property::Element => f.write_str("_"),
            Property::AssignedPlan(field) => write!(f, "assignedPlan.{}", field.name()),
            Property::GroupObjectId => f.write_str("group.objectId"),
            Property::Unknown(text) => f.write_str(text),
        }
    }
}

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "-{}", self.word())
    }
}

impl Display for Quantifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "-{}", self.word())
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write_quoted(f, s),
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::DateTime(t) => write!(f, "{t}"),
            Value::Now(None) => f.write_str("system.now"),
            Value::Now(Some(d)) => write!(f, "system.now -plus {d}"),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{}", item.node)?;
                }
                f.write_char(']')
            }
        }
    }
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.property.node, self.operator.node, self.value.node
        )
    }
}

impl Display for CollectionTest {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (", self.property.node, self.quantifier.node)?;
        write_expr(f, &self.condition.node, true)?;
        f.write_char(')')
    }
}

/// Writes a string literal in the canonical quoting.
pub(crate) fn write_quoted(f: &mut impl Write, s: &str) -> fmt::Result {
    if s.contains('`') {
        f.write_char('\'')?;
        f.write_str(&s.replace('\'', "''"))?;
        f.write_char('\'')
    } else {
        f.write_char('"')?;
        f.write_str(&s.replace('"', "`\""))?;
        f.write_char('"')
    }
}

/// Writes `e` where it needs no surrounding parentheses.
fn write_expr(f: &mut Formatter<'_>, e: &Expr, in_body: bool) -> fmt::Result {
    match e {
        Expr::Or(items) => write_chain(f, items, " -or ", in_body),
        Expr::And(items) => write_chain(f, items, " -and ", in_body),
        Expr::Not(inner) => {
            f.write_str("-not ")?;
            write_operand(f, &inner.node, in_body)
        }
        Expr::Comparison(c) => write!(f, "{c}"),
        Expr::Collection(c) => write!(f, "{c}"),
        Expr::DirectReports(id) => {
            f.write_str("Direct Reports for ")?;
            write_quoted(f, &id.node)
        }
    }
}

fn write_chain(
    f: &mut Formatter<'_>,
    items: &[crate::ast::Spanned<Expr>],
    sep: &str,
    in_body: bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write_operand(f, &item.node, in_body)?;
    }
    Ok(())
}

/// Writes an operand of `-and`/`-or`/`-not`.
fn write_operand(f: &mut Formatter<'_>, e: &Expr, in_body: bool) -> fmt::Result {
    let bare = match e {
        Expr::Not(_) => true,
        Expr::Or(_) | Expr::And(_) => false,
        Expr::Comparison(_) | Expr::Collection(_) | Expr::DirectReports(_) => in_body,
    };
    if bare {
        return write_expr(f, e, in_body);
    }
    f.write_char('(')?;
    write_expr(f, e, in_body)?;
    f.write_char(')')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize(s).unwrap()
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(
            n("user.department -eq 'Sales'"),
            "user.department -eq \"Sales\""
        );
        assert_eq!(
            n("(user.Department EQ \"Sales\")"),
            "user.department -eq \"Sales\""
        );
        assert_eq!(
            n(
                "user.country -eq \"US\" -and (user.department -eq \"Marketing\" -or user.department -eq \"Sales\")"
            ),
            "(user.country -eq \"US\") -and ((user.department -eq \"Marketing\") -or (user.department -eq \"Sales\"))"
        );
        assert_eq!(
            n("(user.department -eq \"Sales\") -and -not (user.jobTitle -startsWith \"SDE\")"),
            "(user.department -eq \"Sales\") -and -not (user.jobTitle -startsWith \"SDE\")"
        );
        assert_eq!(
            n(
                "user.assignedPlans -any (assignedPlan.servicePlanId -eq \"x\" -and (assignedPlan.service -eq 'a' or assignedPlan.service -eq 'b'))"
            ),
            "user.assignedPlans -any (assignedPlan.servicePlanId -eq \"x\" -and (assignedPlan.service -eq \"a\" -or assignedPlan.service -eq \"b\"))"
        );
        assert_eq!(
            n("deviceOSType -eq 'Windows'"),
            "device.deviceOSType -eq \"Windows\""
        );
        assert_eq!(
            n("user.employeehiredate -ge system.now -plus p1d"),
            "user.employeeHireDate -ge system.now -plus P1D"
        );
        assert_eq!(
            n("user.department -in ['a', \"b\"]"),
            "user.department -in [\"a\",\"b\"]"
        );
    }

    #[test]
    fn quoting_roundtrips() {
        assert_eq!(
            n("user.city -eq 'say \"hi\"'"),
            "user.city -eq \"say `\"hi`\"\""
        );
        assert_eq!(
            n("user.city -eq \"tick` it's\""),
            "user.city -eq 'tick` it''s'"
        );
        for s in [
            "user.city -eq 'say \"hi\"'",
            "user.city -eq \"a`b`\"\"",
            "user.city -eq 'a`'",
        ] {
            let once = n(s);
            assert_eq!(n(&once), once);
            assert!(same_rule(s, &once));
        }
    }

    #[test]
    fn same_rule_tells_cosmetic_from_real() {
        assert!(same_rule(
            "user.department -eq 'Sales'",
            "(user.Department -eq \"Sales\")"
        ));
        assert!(same_rule("a -and b -and", "a -and b -and"));
        assert!(!same_rule(
            "user.department -eq 'Sales'",
            "user.department -eq 'Sales2'"
        ));
        assert!(!same_rule(
            "user.department -eq 'Sales'",
            "user.department -ne 'Sales'"
        ));
    }
}
