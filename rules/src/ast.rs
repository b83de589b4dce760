//! The syntax tree of a dynamic membership rule.
//!
//! Equality on every node ignores spans (see [`Spanned`]), so two rules that differ
//! only in spacing, quoting, parentheses or property-name case compare equal.

use crate::time::{DateTime, IsoDuration};
use crate::vocabulary::PropertyDef;

/// Byte offsets `start..end` into the rule source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Creates a span.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A node with its location. Equality compares only the node, never the span.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it was written (all zero for constructed trees).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a node with a span.
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }

    /// Wraps a node with an empty span, for trees built in code.
    pub fn bare(node: T) -> Self {
        Self::new(node, Span::default())
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Two or more operands joined by `-or` (nested `-or`s are flattened).
    Or(Vec<Spanned<Expr>>),
    /// Two or more operands joined by `-and` (nested `-and`s are flattened).
    And(Vec<Spanned<Expr>>),
    /// `-not` operand.
    Not(Box<Spanned<Expr>>),
    /// `property -op value`.
    Comparison(Comparison),
    /// `property -any (...)` or `property -all (...)`.
    Collection(CollectionTest),
    /// `Direct Reports for "<manager object id>"`.
    DirectReports(Spanned<String>),
}

/// `property -op value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Left-hand side.
    pub property: Spanned<Property>,
    /// The comparison operator.
    pub operator: Spanned<Operator>,
    /// Right-hand side.
    pub value: Spanned<Value>,
}

/// `property -any (condition)` / `property -all (condition)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionTest {
    /// The multi-valued property.
    pub property: Spanned<Property>,
    /// `-any` or `-all`.
    pub quantifier: Spanned<Quantifier>,
    /// The condition applied to each element.
    pub condition: Box<Spanned<Expr>>,
}

/// A property reference as written in a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Property {
    /// A catalogued user or device property.
    Known(&'static PropertyDef),
    /// A user directory-extension attribute: the part after `user.`, e.g.
    /// `extension_b7d8e5fa1b2c4d5e8f9a0b1c2d3e4f5a_costCenter`.
    Extension(String),
    /// `_`, the current element of a string collection inside `-any`/`-all`.
    Element,
    /// `assignedPlan.<field>` inside `user.assignedPlans -any/-all`.
    AssignedPlan(PlanField),
    /// `group.objectId` inside `memberOf -any`.
    GroupObjectId,
    /// Anything else, kept as written so the validator can report it.
    Unknown(String),
}

/// A field of an `assignedPlan` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanField {
    /// `assignedPlan.servicePlanId`.
    ServicePlanId,
    /// `assignedPlan.service`.
    Service,
    /// `assignedPlan.capabilityStatus`.
    CapabilityStatus,
}

impl PlanField {
    /// All fields.
    pub const ALL: [PlanField; 3] = [
        PlanField::ServicePlanId,
        PlanField::Service,
        PlanField::CapabilityStatus,
    ];

    /// The field name, which is also its Graph JSON key.
    pub fn name(self) -> &'static str {
        match self {
            PlanField::ServicePlanId => "servicePlanId",
            PlanField::Service => "service",
            PlanField::CapabilityStatus => "capabilityStatus",
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `-eq`
    Eq,
    /// `-ne`
    Ne,
    /// `-startsWith`
    StartsWith,
    /// `-notStartsWith`
    NotStartsWith,
    /// `-endsWith`
    EndsWith,
    /// `-notEndsWith`
    NotEndsWith,
    /// `-contains` (substring)
    Contains,
    /// `-notContains`
    NotContains,
    /// `-match` (case-insensitive regex)
    Match,
    /// `-notMatch`
    NotMatch,
    /// `-in` (list membership)
    In,
    /// `-notIn`
    NotIn,
    /// `-le` (dates only)
    Le,
    /// `-ge` (dates only)
    Ge,
}

impl Operator {
    /// Every operator, in documentation order.
    pub const ALL: [Operator; 14] = [
        Operator::Eq,
        Operator::Ne,
        Operator::StartsWith,
        Operator::NotStartsWith,
        Operator::EndsWith,
        Operator::NotEndsWith,
        Operator::Contains,
        Operator::NotContains,
        Operator::Match,
        Operator::NotMatch,
        Operator::In,
        Operator::NotIn,
        Operator::Le,
        Operator::Ge,
    ];

    /// Canonical spelling without the hyphen, e.g. `startsWith`.
    pub fn word(self) -> &'static str {
        match self {
            Operator::Eq => "eq",
            Operator::Ne => "ne",
            Operator::StartsWith => "startsWith",
            Operator::NotStartsWith => "notStartsWith",
            Operator::EndsWith => "endsWith",
            Operator::NotEndsWith => "notEndsWith",
            Operator::Contains => "contains",
            Operator::NotContains => "notContains",
            Operator::Match => "match",
            Operator::NotMatch => "notMatch",
            Operator::In => "in",
            Operator::NotIn => "notIn",
            Operator::Le => "le",
            Operator::Ge => "ge",
        }
    }

    /// Looks an operator up by its name without hyphen, ignoring case.
    pub fn from_word(word: &str) -> Option<Operator> {
        Operator::ALL
            .into_iter()
            .find(|op| op.word().eq_ignore_ascii_case(word))
    }
}

/// `-any` or `-all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// At least one element matches.
    Any,
    /// Every element matches.
    All,
}

impl Quantifier {
    /// Canonical spelling without the hyphen.
    pub fn word(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
        }
    }
}

/// A literal on the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A quoted string.
    String(String),
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An unquoted integer.
    Number(i64),
    /// An unquoted date or date-time, e.g. `2020-06-10T18:13:20Z`.
    DateTime(DateTime),
    /// `system.now`, optionally shifted with `-plus <ISO 8601 duration>`.
    Now(Option<IsoDuration>),
    /// `[value, ...]`.
    Array(Vec<Spanned<Value>>),
}
