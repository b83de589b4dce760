//! The parsed [`Rule`] and queries over it.

use crate::ast::{Expr, Property, Spanned};
use crate::vocabulary::Subject;

/// A parsed rule: the expression tree plus the text it came from.
///
/// Equality compares only the trees, so cosmetic differences (spacing, quote style,
/// redundant parentheses, property-name case, hyphen-less operators) compare equal.
#[derive(Debug, Clone)]
pub struct Rule {
    expr: Spanned<Expr>,
    source: String,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl Eq for Rule {}

impl Rule {
    pub(crate) fn new(expr: Spanned<Expr>, source: String) -> Self {
        Self { expr, source }
    }

    /// Builds a rule from a tree made in code; its source is empty and spans are unused.
    pub fn from_expr(expr: Expr) -> Self {
        Self::new(Spanned::bare(expr), String::new())
    }

    /// The root expression.
    pub fn expr(&self) -> &Spanned<Expr> {
        &self.expr
    }

    /// The text the rule was parsed from (empty for [`Rule::from_expr`]).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the rule selects users or devices.
    ///
    /// Taken from the first user or device property (outside `-any`/`-all` bodies);
    /// `Direct Reports` selects users. Rules with no such property (only unknown or
    /// `group.*` names) report [`Subject::User`]; validate first to rule those out.
    pub fn subject(&self) -> Subject {
        first_subject(&self.expr.node).unwrap_or(Subject::User)
    }

    /// The top-level Graph JSON properties the evaluator reads, sorted and deduplicated,
    /// suitable for `$select`.
    ///
    /// Exceptions: `memberOf` (a navigation property: list the object's groups) and
    /// `managerId` for `Direct Reports` (expand `manager` and copy its `id`) cannot be
    /// selected directly.
    pub fn graph_properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        collect_graph(&self.expr.node, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn property_subject(p: &Property) -> Option<Subject> {
    match p {
        Property::Known(d) => Some(d.subject),
        Property::Extension(_) => Some(Subject::User),
        _ => None,
    }
}

fn first_subject(e: &Expr) -> Option<Subject> {
    match e {
        Expr::Or(items) | Expr::And(items) => items.iter().find_map(|i| first_subject(&i.node)),
        Expr::Not(inner) => first_subject(&inner.node),
        Expr::Comparison(c) => property_subject(&c.property.node),
        Expr::Collection(c) => property_subject(&c.property.node),
        Expr::DirectReports(_) => Some(Subject::User),
    }
}

fn collect_graph<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
    let mut add = |p: &'a Property| match p {
        Property::Known(d) => out.push(d.graph_property()),
        Property::Extension(name) => out.push(name),
        _ => {}
    };
    match e {
        Expr::Or(items) | Expr::And(items) => {
            items.iter().for_each(|i| collect_graph(&i.node, out))
        }
        Expr::Not(inner) => collect_graph(&inner.node, out),
        Expr::Comparison(c) => add(&c.property.node),
        Expr::Collection(c) => {
            add(&c.property.node);
            collect_graph(&c.condition.node, out);
        }
        Expr::DirectReports(_) => {
            out.push("id");
            out.push("managerId");
        }
    }
}
