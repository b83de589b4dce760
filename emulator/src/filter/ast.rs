//! The syntax tree of an OData `$filter`, shared by the parser and the evaluator.

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// eq
    Eq,
    /// ne
    Ne,
    /// ge
    Ge,
    /// le
    Le,
    /// gt
    Gt,
    /// lt
    Lt,
}

impl Op {
    /// The operator as written in a filter.
    pub(super) fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Ge => "ge",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Lt => "lt",
        }
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// 'text' (or an unquoted GUID)
    Str(String),
    /// true/false
    Bool(bool),
    /// null
    Null,
    /// number
    Num(f64),
}

/// Parsed filter expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// a and b and ...
    And(Vec<Expr>),
    /// a or b or ...
    Or(Vec<Expr>),
    /// not a
    Not(Box<Expr>),
    /// path op literal
    Cmp(String, Op, Lit),
    /// path in (literals)
    In(String, Vec<Lit>),
    /// startsWith / endsWith / contains (path, text)
    Func(String, String, String),
    /// path/any(var: body)
    Any(String, String, Box<Expr>),
}
