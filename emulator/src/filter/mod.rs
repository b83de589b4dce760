//! OData `$filter`: parser, evaluator, and Graph's per-property support rules
//! (default vs advanced query parameters; reference §2.6).

mod ast;
mod parser;

use serde_json::Value;

pub use ast::{Expr, Lit, Op};
pub use parser::{MAX_FILTER_DEPTH, parse};

use crate::error::{AppError, AppResult};
use crate::store::{DirObject, ObjectKind, schema};

/// A parsed, support-checked filter.
#[derive(Debug, Clone)]
pub struct Filter {
    expr: Expr,
}

/// Where a filter is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A top-level collection of `kind`.
    Collection(ObjectKind),
    /// An AU's `members` (mixed kinds); `Some(kind)` after a type cast.
    Members(Option<ObjectKind>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Support {
    Default,
    Advanced,
    Unsupported,
}

fn unsupported(prop: &str, resource: &str) -> AppError {
    AppError::unsupported_query(format!(
        "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."
    ))
}

fn needs_advanced(op: &str) -> AppError {
    AppError::unsupported_query(format!(
        "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
    ))
}

const ENDSWITH_PROPS: &[&str] = &["mail", "otherMails", "userPrincipalName", "proxyAddresses"];

/// Graph's support for `op` on `prop` of an AU (reference §2.6 table).
fn au_support(prop: &str, op: &str, null: bool) -> Support {
    use Support::{Advanced, Default, Unsupported};
    // `ne` (and `not`) work wherever `eq` does, but only with advanced parameters.
    if op == "ne" {
        return match au_support(prop, "eq", null) {
            Unsupported => Unsupported,
            _ => Advanced,
        };
    }
    match (prop, op) {
        ("id", "eq" | "in") => Default,
        ("displayName", "eq" | "in") if null => Advanced,
        ("displayName", "eq" | "in" | "startsWith") => Default,
        ("displayName", "ge" | "le") => Advanced,
        ("description", "eq" | "in" | "startsWith") => Advanced,
        ("isMemberManagementRestricted", "eq" | "in") if !null => Default,
        ("membershipRule", "eq" | "in" | "startsWith") if !null => Default,
        ("membershipRuleProcessingState", "eq" | "in") if !null => Default,
        _ => Unsupported,
    }
}

fn generic_support(kind: ObjectKind, prop: &str, op: &str, null: bool) -> Support {
    use Support::{Advanced, Default, Unsupported};
    let root = prop.split('/').next().unwrap_or(prop);
    if root != "id" && schema::find(kind, root).is_none() {
        return Unsupported;
    }
    match op {
        "endsWith" if ENDSWITH_PROPS.contains(&root) => Advanced,
        "endsWith" | "contains" => Unsupported,
        _ if null => Advanced,
        "eq" | "in" | "startsWith" | "any" => Default,
        _ => Advanced,
    }
}

impl Filter {
    /// Parses `text` and checks it against Graph's rules for `target`.
    /// `advanced` = `ConsistencyLevel: eventual` plus `$count=true`.
    pub fn new(text: &str, target: Target, advanced: bool) -> AppResult<Filter> {
        let expr = parse(text)?;
        check(&expr, target, advanced, false)?;
        Ok(Filter { expr })
    }

    /// Parses `text` without Graph's per-property support checks (role resources).
    pub fn lenient(text: &str) -> AppResult<Filter> {
        Ok(Filter { expr: parse(text)? })
    }

    /// Whether `obj` satisfies the filter.
    pub fn matches(&self, obj: &DirObject) -> bool {
        eval(&self.expr, obj, None)
    }

    /// Whether the filter has a clause on property `prop` (case-insensitive).
    pub fn mentions(&self, prop: &str) -> bool {
        mentions(&self.expr, prop)
    }
}

fn mentions(e: &Expr, prop: &str) -> bool {
    match e {
        Expr::And(items) | Expr::Or(items) => items.iter().any(|i| mentions(i, prop)),
        Expr::Not(inner) => mentions(inner, prop),
        Expr::Cmp(path, _, _) | Expr::In(path, _) | Expr::Func(_, path, _) => {
            path.eq_ignore_ascii_case(prop)
        }
        Expr::Any(path, _, body) => path.eq_ignore_ascii_case(prop) || mentions(body, prop),
    }
}

fn check(e: &Expr, target: Target, advanced: bool, in_lambda: bool) -> AppResult<()> {
    let leaf = |prop: &str, op: &str, null: bool| -> AppResult<()> {
        let (support, resource) = match target {
            Target::Collection(ObjectKind::AdministrativeUnit) => {
                (au_support(prop, op, null), "AdministrativeUnit")
            }
            Target::Collection(k) => (generic_support(k, prop, op, null), k.resource_name()),
            Target::Members(cast) => {
                // Member filters: `id eq/in` works by default; anything else on the
                // members relationship needs advanced parameters (reference §2.6).
                let kind = cast.unwrap_or(ObjectKind::User);
                let base = if prop == "id" && matches!(op, "eq" | "in") && !null {
                    Support::Default
                } else {
                    match cast {
                        Some(k) => generic_support(k, prop, op, null).max(Support::Advanced),
                        None if matches!(prop, "id" | "displayName" | "description") => {
                            Support::Advanced
                        }
                        None => generic_support(kind, prop, op, null).max(Support::Advanced),
                    }
                };
                (base, "DirectoryObject")
            }
        };
        match support {
            Support::Default => Ok(()),
            Support::Advanced if advanced => Ok(()),
            Support::Advanced => Err(needs_advanced(op)),
            Support::Unsupported => Err(unsupported(prop, resource)),
        }
    };
    match e {
        Expr::And(items) | Expr::Or(items) => items
            .iter()
            .try_for_each(|i| check(i, target, advanced, in_lambda)),
        Expr::Not(inner) => {
            if !advanced {
                return Err(needs_advanced("not"));
            }
            check(inner, target, advanced, in_lambda)
        }
        Expr::Cmp(path, op, lit) => {
            if in_lambda {
                return Ok(());
            }
            if *op == Op::Ne && !advanced {
                return Err(needs_advanced("ne"));
            }
            leaf(path, op.name(), *lit == Lit::Null)
        }
        Expr::In(path, _) => {
            if in_lambda {
                return Ok(());
            }
            leaf(path, "in", false)
        }
        Expr::Func(name, path, _) => {
            if in_lambda {
                return Ok(());
            }
            leaf(path, name, false)
        }
        Expr::Any(path, _, body) => {
            leaf(path, "any", false)?;
            check(body, target, advanced, true)
        }
    }
}

fn lookup<'a>(obj: &'a DirObject, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('/');
    let first = parts.next()?;
    let mut cur = obj.props.get(first)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    Some(cur)
}

fn value_of(obj: &DirObject, path: &str, var: Option<(&str, &Value)>) -> Value {
    if let Some((name, v)) = var {
        if path == name {
            return v.clone();
        }
        if let Some(rest) = path.strip_prefix(name).and_then(|r| r.strip_prefix('/')) {
            return v.get(rest).cloned().unwrap_or(Value::Null);
        }
    }
    if path == "id" {
        return Value::String(obj.id.clone());
    }
    lookup(obj, path).cloned().unwrap_or(Value::Null)
}

fn cmp_values(v: &Value, op: Op, lit: &Lit) -> bool {
    use std::cmp::Ordering;
    let ord = match (v, lit) {
        (Value::Null, Lit::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Lit::Null) => None,
        (Value::String(a), Lit::Str(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        (Value::Number(a), Lit::Num(b)) => a.as_f64().and_then(|a| a.partial_cmp(b)),
        _ => None,
    };
    match op {
        Op::Eq => ord == Some(Ordering::Equal),
        Op::Ne => ord != Some(Ordering::Equal),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Lt => ord == Some(Ordering::Less),
    }
}

fn eval(e: &Expr, obj: &DirObject, var: Option<(&str, &Value)>) -> bool {
    match e {
        Expr::And(items) => items.iter().all(|i| eval(i, obj, var)),
        Expr::Or(items) => items.iter().any(|i| eval(i, obj, var)),
        Expr::Not(a) => !eval(a, obj, var),
        Expr::Cmp(path, op, lit) => cmp_values(&value_of(obj, path, var), *op, lit),
        Expr::In(path, lits) => {
            let v = value_of(obj, path, var);
            lits.iter().any(|l| cmp_values(&v, Op::Eq, l))
        }
        Expr::Func(name, path, text) => {
            let v = value_of(obj, path, var);
            let Some(s) = v.as_str() else { return false };
            let (s, t) = (s.to_lowercase(), text.to_lowercase());
            match name.as_str() {
                "startsWith" => s.starts_with(&t),
                "endsWith" => s.ends_with(&t),
                _ => s.contains(&t),
            }
        }
        Expr::Any(path, name, body) => match value_of(obj, path, var) {
            Value::Array(items) => items
                .iter()
                .any(|item| eval(body, obj, Some((name.as_str(), item)))),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(props: Value) -> DirObject {
        DirObject::new(
            "c0ffee00-0000-4000-8000-000000000123".into(),
            ObjectKind::User,
            props.as_object().cloned().unwrap_or_default(),
        )
    }

    fn matches(text: &str, props: Value) -> bool {
        Filter::lenient(text).unwrap().matches(&obj(props))
    }

    #[test]
    fn evaluates_operators_case_insensitively() {
        let u = json!({"displayName": "Adele Vance", "department": "Sales", "accountEnabled": true,
            "proxyAddresses": ["SMTP:adele@contoso.com"], "onPremisesExtensionAttributes": {"extensionAttribute1": "FTE"}});
        assert!(matches("displayName eq 'adele vance'", u.clone()));
        assert!(matches(
            "startsWith(displayName,'Ad') and department in ('Sales','HR')",
            u.clone()
        ));
        assert!(matches(
            "not (department eq 'HR') or accountEnabled eq false",
            u.clone()
        ));
        assert!(matches(
            "proxyAddresses/any(p:startsWith(p,'smtp:'))",
            u.clone()
        ));
        assert!(matches(
            "onPremisesExtensionAttributes/extensionAttribute1 eq 'FTE'",
            u.clone()
        ));
        assert!(matches(
            "id eq 'c0ffee00-0000-4000-8000-000000000123'",
            u.clone()
        ));
        assert!(matches("jobTitle eq null", u.clone()));
        assert!(!matches("department ne 'Sales'", u));
    }

    #[test]
    fn applies_the_au_support_table() {
        let au = Target::Collection(ObjectKind::AdministrativeUnit);
        assert!(Filter::new("displayName eq 'x'", au, false).is_ok());
        assert!(Filter::new("description eq 'x'", au, false).is_err());
        assert!(Filter::new("description eq 'x'", au, true).is_ok());
        assert!(Filter::new("displayName eq null", au, false).is_err());
        assert!(Filter::new("visibility eq 'Public'", au, true).is_err());
        assert!(Filter::new("membershipRuleProcessingState eq 'On'", au, false).is_ok());
    }
}
