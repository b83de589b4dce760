//! Three-state Terraform values: known, null or unknown, at every level of nesting.

use std::collections::BTreeMap;
use std::fmt;

use super::types::Type;

/// A Terraform value. The schema type, not the value, decides between list, set and
/// tuple (all [`Value::List`]) and between map and object (both [`Value::Map`]).
#[derive(Debug, Clone)]
pub enum Value {
    /// Not known until apply. Refinements received from Terraform are dropped, which
    /// the protocol allows.
    Unknown,
    /// Absent.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, kept in the form it arrived in.
    Number(Number),
    /// A string.
    String(String),
    /// A list, set or tuple.
    List(Vec<Value>),
    /// A map or object.
    Map(BTreeMap<String, Value>),
    /// A known value of an attribute whose schema type is `dynamic`, with its concrete type.
    Dynamic(Type, Box<Value>),
}

/// The null value, for returning references to absent attributes.
pub static NULL: Value = Value::Null;

/// A number in the representation it was received in, so configured values
/// round-trip exactly (Terraform compares numbers with 512-bit precision).
#[derive(Debug, Clone)]
pub enum Number {
    /// A signed integer.
    Int(i64),
    /// An unsigned integer beyond `i64`.
    UInt(u64),
    /// A binary floating-point number.
    Float(f64),
    /// A decimal string, as Terraform sends numbers that fit neither of the above.
    Decimal(String),
}

impl Number {
    /// The decimal text used to compare numbers: integers exactly, floats by their
    /// shortest round-trip form, decimal strings without redundant zeros.
    pub fn canonical(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::UInt(u) => u.to_string(),
            Number::Float(f) => trim_decimal(&format!("{f}")),
            Number::Decimal(s) if s.contains(['e', 'E']) => s
                .parse::<f64>()
                .map_or_else(|_| s.clone(), |f| format!("{f}")),
            Number::Decimal(s) => trim_decimal(s),
        }
    }
}

fn trim_decimal(text: &str) -> String {
    if text.contains('.') && !text.contains(['e', 'E']) {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        trimmed.to_owned()
    } else {
        text.to_owned()
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Unknown, Value::Unknown) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl Value {
    /// A known string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A known string, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// A known bool, or null for `None`.
    pub fn opt_bool(b: Option<bool>) -> Value {
        b.map_or(Value::Null, Value::Bool)
    }

    /// An object from attribute name and value pairs.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Whether this value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this value itself is unknown (not looking inside collections).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether this value contains no unknown anywhere.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(items) => items.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// The string, when this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, when this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The attributes, when this is a known object or map.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The attribute `name` of an object; null when this is not a known object or
    /// has no such attribute.
    pub fn get(&self, name: &str) -> &Value {
        match self {
            Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Sets the attribute `name` of an object; does nothing on other values.
    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Map(m) = self {
            m.insert(name.to_owned(), value);
        }
    }

    /// The value at `path`, or null where the path leads nowhere.
    pub fn at(&self, path: &AttributePath) -> &Value {
        let mut current = self;
        for step in &path.0 {
            current = match (step, current) {
                (PathStep::Attribute(name), Value::Map(m)) => m.get(name).unwrap_or(&NULL),
                (PathStep::Key(key), Value::Map(m)) => m.get(key).unwrap_or(&NULL),
                (PathStep::Index(i), Value::List(items)) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .unwrap_or(&NULL),
                _ => &NULL,
            };
        }
        current
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unknown => f.write_str("(known after apply)"),
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&n.canonical()),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Dynamic(_, v) => write!(f, "{v}"),
        }
    }
}

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathStep {
    /// An attribute or nested block name.
    Attribute(String),
    /// A map key.
    Key(String),
    /// A list or tuple index.
    Index(i64),
}

/// The location of a value inside a resource, for diagnostics and `requires_replace`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    /// The path to a top-level attribute.
    pub fn root(name: &str) -> AttributePath {
        AttributePath(vec![PathStep::Attribute(name.to_owned())])
    }

    /// This path extended by an attribute step.
    pub fn attr(mut self, name: &str) -> AttributePath {
        self.0.push(PathStep::Attribute(name.to_owned()));
        self
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_not_representation() {
        assert_eq!(Number::Int(10), Number::Float(10.0));
        assert_eq!(Number::Float(0.1), Number::Decimal("0.1".into()));
        assert_eq!(
            Number::Decimal("1.50".into()),
            Number::Decimal("1.5".into())
        );
        assert_ne!(Number::Int(1), Number::Float(1.5));
        assert_eq!(
            Number::UInt(12_345_678_901_234_567_890),
            Number::Decimal("12345678901234567890".into())
        );
    }

    #[test]
    fn get_returns_null_for_missing_attributes() {
        let v = Value::object([("a", Value::string("x"))]);
        assert_eq!(v.get("a").as_str(), Some("x"));
        assert!(v.get("b").is_null());
        assert!(Value::Unknown.get("a").is_null());
    }

    #[test]
    fn wholly_known_looks_inside_collections() {
        let v = Value::object([("a", Value::List(vec![Value::Unknown]))]);
        assert!(!v.is_wholly_known());
        assert!(Value::object([("a", Value::Null)]).is_wholly_known());
    }

    #[test]
    fn paths_print_like_terraform_addresses() {
        let p = AttributePath(vec![
            PathStep::Attribute("timeouts".into()),
            PathStep::Attribute("create".into()),
        ]);
        assert_eq!(p.to_string(), "timeouts.create");
        let v = Value::object([("timeouts", Value::object([("create", Value::string("5m"))]))]);
        assert_eq!(v.at(&p).as_str(), Some("5m"));
    }
}
