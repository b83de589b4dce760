#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod ast;
mod error;
mod eval;
mod lexer;
mod normal;
mod parser;
mod properties;
mod rule;
mod suggest;
mod time;
mod validate;
mod vocabulary;

pub use ast::{
    CollectionTest, Comparison, Expr, Operator, PlanField, Property, Quantifier, Span, Spanned,
    Value,
};
pub use error::{ErrorKind, RuleError};
pub use eval::{EvalContext, evaluate};
pub use normal::{normalize, same_rule};
pub use parser::{MAX_DEPTH, parse};
pub use properties::{known_properties, lookup};
pub use rule::Rule;
pub use suggest::closest;
pub use time::{DateTime, IsoDuration};
pub use validate::{
    MAX_MEMBER_OF_GROUPS, MAX_RULE_CHARS, parse_for_administrative_unit,
    validate_for_administrative_unit,
};
pub use vocabulary::{PropertyDef, PropertyType, Subject};
