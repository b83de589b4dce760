//! Terraform's type system (cty types) and their compact JSON form used in schemas.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::json;

/// A Terraform value type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// A UTF-8 string.
    String,
    /// An arbitrary-precision number.
    Number,
    /// A boolean.
    Bool,
    /// Any type, decided by the value (`"dynamic"`).
    Dynamic,
    /// An ordered collection of one element type.
    List(Box<Type>),
    /// An unordered collection of unique elements of one type.
    Set(Box<Type>),
    /// String keys to values of one type.
    Map(Box<Type>),
    /// Named attributes, each with its own type.
    Object(BTreeMap<String, Type>),
    /// A fixed sequence of element types.
    Tuple(Vec<Type>),
}

/// A type JSON document that does not describe a Terraform type.
#[derive(Debug, thiserror::Error)]
#[error("invalid type description: {0}")]
pub struct TypeError(String);

impl Type {
    /// A list of `element`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// A set of `element`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// A map of `element`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// The compact JSON form Terraform expects in `Schema.Attribute.type`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", attrs])
            }
            Type::Tuple(elems) => {
                json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()])
            }
        }
    }

    /// The JSON bytes of [`Type::to_json`].
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses the compact JSON form.
    pub fn from_json(value: &serde_json::Value) -> Result<Type, TypeError> {
        use serde_json::Value as J;
        let bad = || TypeError(value.to_string());
        match value {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            J::Array(parts) if parts.len() == 2 => {
                let kind = parts[0].as_str().ok_or_else(bad)?;
                let arg = &parts[1];
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "object" => {
                        let attrs = arg.as_object().ok_or_else(bad)?;
                        let mut out = BTreeMap::new();
                        for (k, t) in attrs {
                            out.insert(k.clone(), Type::from_json(t)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = arg.as_array().ok_or_else(bad)?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_types_are_quoted_json_strings() {
        assert_eq!(Type::String.to_json_bytes(), b"\"string\"");
        assert_eq!(Type::Bool.to_json_bytes(), b"\"bool\"");
    }

    #[test]
    fn nested_types_round_trip_through_json() {
        let ty = Type::Object(BTreeMap::from([
            ("a".to_owned(), Type::list(Type::String)),
            ("b".to_owned(), Type::map(Type::set(Type::Number))),
            ("c".to_owned(), Type::Tuple(vec![Type::Bool, Type::Dynamic])),
        ]));
        let json = ty.to_json();
        assert_eq!(
            json.to_string(),
            r#"["object",{"a":["list","string"],"b":["map",["set","number"]],"c":["tuple",["bool","dynamic"]]}]"#
        );
        assert_eq!(Type::from_json(&json).unwrap(), ty);
    }

    #[test]
    fn unknown_type_names_are_rejected() {
        assert!(Type::from_json(&json!("float")).is_err());
        assert!(Type::from_json(&json!(["list"])).is_err());
    }
}
