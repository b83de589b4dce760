//! Exact encoding of [`Value`]s in Terraform's wire formats: MessagePack for
//! `DynamicValue`, and the JSON of state files for `UpgradeResourceState`.

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use super::types::Type;
use super::value::{Number, Value};

/// A value that does not fit its type, or bytes that are not a value.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not MessagePack.
    #[error("malformed MessagePack: {0}")]
    Malformed(String),
    /// The encoded value does not have the expected type.
    #[error("{path}: expected {expected}, found {found}")]
    Mismatch {
        /// Where in the value.
        path: String,
        /// What the schema wanted.
        expected: String,
        /// What was there.
        found: String,
    },
    /// An object without one of its attributes, or with an extra one.
    #[error("{path}: {message}")]
    Shape {
        /// Where in the value.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Decodes MessagePack bytes as a value of type `ty`. Empty bytes mean null.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut reader = bytes;
    let mp =
        rmpv::decode::read_value(&mut reader).map_err(|e| CodecError::Malformed(e.to_string()))?;
    from_mp(mp, ty, &mut Vec::new())
}

/// Encodes a value of type `ty` as MessagePack.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mp = to_mp(value, ty, &mut Vec::new())?;
    let mut out = Vec::with_capacity(64);
    rmpv::encode::write_value(&mut out, &mp).map_err(|e| CodecError::Malformed(e.to_string()))?;
    Ok(out)
}

/// The canonical unknown: `fixext1`, extension type 0, payload 0.
fn unknown_mp() -> Mp {
    Mp::Ext(0, vec![0])
}

fn path_text(path: &[String]) -> String {
    if path.is_empty() {
        "value".to_owned()
    } else {
        path.join(".")
    }
}

fn kind_of(mp: &Mp) -> &'static str {
    match mp {
        Mp::Nil => "null",
        Mp::Boolean(_) => "bool",
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "number",
        Mp::String(_) => "string",
        Mp::Binary(_) => "binary",
        Mp::Array(_) => "array",
        Mp::Map(_) => "map",
        Mp::Ext(..) => "unknown",
    }
}

fn mismatch(path: &[String], expected: &Type, found: &Mp) -> CodecError {
    CodecError::Mismatch {
        path: path_text(path),
        expected: expected.to_string(),
        found: kind_of(found).to_owned(),
    }
}

fn from_mp(mp: Mp, ty: &Type, path: &mut Vec<String>) -> Result<Value, CodecError> {
    // Any extension is an unknown (code 12 carries refinements, which we drop).
    if let Mp::Ext(..) = mp {
        return Ok(Value::Unknown);
    }
    if let Type::Dynamic = ty {
        return dynamic_from_mp(mp, path);
    }
    if let Mp::Nil = mp {
        return Ok(Value::Null);
    }
    match (ty, mp) {
        (Type::String, Mp::String(s)) => s
            .into_str()
            .map(Value::String)
            .ok_or_else(|| CodecError::Malformed(format!("{}: invalid UTF-8", path_text(path)))),
        (Type::Bool, Mp::Boolean(b)) => Ok(Value::Bool(b)),
        (Type::Number, Mp::Integer(i)) => Ok(Value::Number(match i.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::UInt(i.as_u64().unwrap_or_default()),
        })),
        (Type::Number, Mp::F32(f)) => Ok(Value::Number(Number::Float(f64::from(f)))),
        (Type::Number, Mp::F64(f)) => Ok(Value::Number(Number::Float(f))),
        (Type::Number, Mp::String(s)) => {
            let text = s.into_str().unwrap_or_default();
            if text.trim().parse::<f64>().is_ok() {
                Ok(Value::Number(Number::Decimal(text)))
            } else {
                Err(CodecError::Malformed(format!(
                    "{}: {text:?} is not a number",
                    path_text(path)
                )))
            }
        }
        (Type::List(elem) | Type::Set(elem), Mp::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                path.push(i.to_string());
                out.push(from_mp(item, elem, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (Type::Tuple(elems), Mp::Array(items)) => {
            if items.len() != elems.len() {
                return Err(CodecError::Shape {
                    path: path_text(path),
                    message: format!("a tuple of {} elements is required", elems.len()),
                });
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, elem)) in items.into_iter().zip(elems).enumerate() {
                path.push(i.to_string());
                out.push(from_mp(item, elem, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (Type::Map(elem), Mp::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = key_string(k, path)?;
                path.push(key.clone());
                out.insert(key, from_mp(v, elem, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), Mp::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = key_string(k, path)?;
                let Some(attr_ty) = attrs.get(&key) else {
                    return Err(CodecError::Shape {
                        path: path_text(path),
                        message: format!("unsupported attribute {key:?}"),
                    });
                };
                path.push(key.clone());
                out.insert(key, from_mp(v, attr_ty, path)?);
                path.pop();
            }
            if out.len() != attrs.len() {
                return Err(CodecError::Shape {
                    path: path_text(path),
                    message: format!(
                        "an object with {} attributes is required ({} given)",
                        attrs.len(),
                        out.len()
                    ),
                });
            }
            Ok(Value::Map(out))
        }
        (ty, other) => Err(mismatch(path, ty, &other)),
    }
}

fn key_string(key: Mp, path: &[String]) -> Result<String, CodecError> {
    match key {
        Mp::String(s) => s.into_str().ok_or_else(|| {
            CodecError::Malformed(format!("{}: invalid UTF-8 key", path_text(path)))
        }),
        other => Err(CodecError::Mismatch {
            path: path_text(path),
            expected: "string key".to_owned(),
            found: kind_of(&other).to_owned(),
        }),
    }
}

/// A dynamic value is `[type JSON as bin, value]`, or a bare nil for a typeless null.
fn dynamic_from_mp(mp: Mp, path: &mut Vec<String>) -> Result<Value, CodecError> {
    match mp {
        Mp::Nil => Ok(Value::Null),
        Mp::Array(mut parts) if parts.len() == 2 => {
            let value = parts.pop().unwrap_or(Mp::Nil);
            let type_json = match parts.pop() {
                Some(Mp::Binary(b)) => b,
                Some(Mp::String(s)) => s.into_bytes(),
                _ => {
                    return Err(CodecError::Malformed(format!(
                        "{}: dynamic value without a type",
                        path_text(path)
                    )));
                }
            };
            let json: serde_json::Value = serde_json::from_slice(&type_json)
                .map_err(|e| CodecError::Malformed(e.to_string()))?;
            let ty = Type::from_json(&json).map_err(|e| CodecError::Malformed(e.to_string()))?;
            let inner = from_mp(value, &ty, path)?;
            match inner {
                Value::Null | Value::Unknown => Ok(inner),
                known => Ok(Value::Dynamic(ty, Box::new(known))),
            }
        }
        other => Err(mismatch(path, &Type::Dynamic, &other)),
    }
}

fn to_mp(value: &Value, ty: &Type, path: &mut Vec<String>) -> Result<Mp, CodecError> {
    let wrong = |path: &[String], found: &str| CodecError::Mismatch {
        path: path_text(path),
        expected: ty.to_string(),
        found: found.to_owned(),
    };
    match (ty, value) {
        (_, Value::Unknown) => Ok(unknown_mp()),
        (_, Value::Null) => Ok(Mp::Nil),
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => Ok(Mp::Array(vec![
            Mp::Binary(inner_ty.to_json_bytes()),
            to_mp(inner, inner_ty, path)?,
        ])),
        (Type::Dynamic, other) => Err(wrong(path, &format!("untyped {other}"))),
        (Type::String, Value::String(s)) => Ok(Mp::from(s.as_str())),
        (Type::Bool, Value::Bool(b)) => Ok(Mp::Boolean(*b)),
        (Type::Number, Value::Number(n)) => Ok(match n {
            Number::Int(i) => Mp::from(*i),
            Number::UInt(u) => Mp::from(*u),
            Number::Float(f) => Mp::F64(*f),
            Number::Decimal(s) => Mp::from(s.as_str()),
        }),
        (Type::List(elem) | Type::Set(elem), Value::List(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                out.push(to_mp(item, elem, path)?);
                path.pop();
            }
            Ok(Mp::Array(out))
        }
        (Type::Tuple(elems), Value::List(items)) if elems.len() == items.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                path.push(i.to_string());
                out.push(to_mp(item, elem, path)?);
                path.pop();
            }
            Ok(Mp::Array(out))
        }
        (Type::Map(elem), Value::Map(entries)) => {
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                path.push(k.clone());
                out.push((Mp::from(k.as_str()), to_mp(v, elem, path)?));
                path.pop();
            }
            Ok(Mp::Map(out))
        }
        (Type::Object(attrs), Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::Shape {
                    path: path_text(path),
                    message: format!("unsupported attribute {extra:?}"),
                });
            }
            // Every attribute of the type is written; absent ones as null.
            let mut out = Vec::with_capacity(attrs.len());
            for (name, attr_ty) in attrs {
                path.push(name.clone());
                let v = entries.get(name).unwrap_or(&Value::Null);
                out.push((Mp::from(name.as_str()), to_mp(v, attr_ty, path)?));
                path.pop();
            }
            Ok(Mp::Map(out))
        }
        (_, other) => Err(wrong(path, &other.to_string())),
    }
}

/// Decodes the attribute JSON of a state file (`RawState.json`) as type `ty`.
/// Missing object attributes become null, as the protocol requires.
pub fn decode_json(json: &serde_json::Value, ty: &Type) -> Result<Value, CodecError> {
    from_json(json, ty, &mut Vec::new())
}

fn from_json(
    json: &serde_json::Value,
    ty: &Type,
    path: &mut Vec<String>,
) -> Result<Value, CodecError> {
    use serde_json::Value as J;
    let wrong = |path: &[String], found: &J| CodecError::Mismatch {
        path: path_text(path),
        expected: ty.to_string(),
        found: found.to_string(),
    };
    match (ty, json) {
        (_, J::Null) => Ok(Value::Null),
        (Type::Dynamic, J::Object(parts)) => {
            let (Some(value), Some(type_json)) = (parts.get("value"), parts.get("type")) else {
                return Err(wrong(path, json));
            };
            let inner_ty =
                Type::from_json(type_json).map_err(|e| CodecError::Malformed(e.to_string()))?;
            let inner = from_json(value, &inner_ty, path)?;
            Ok(if inner.is_null() {
                inner
            } else {
                Value::Dynamic(inner_ty, Box::new(inner))
            })
        }
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Number, J::Number(n)) => Ok(Value::Number(if let Some(i) = n.as_i64() {
            Number::Int(i)
        } else if let Some(u) = n.as_u64() {
            Number::UInt(u)
        } else {
            Number::Decimal(n.to_string())
        })),
        (Type::List(elem) | Type::Set(elem), J::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                out.push(from_json(item, elem, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (Type::Tuple(elems), J::Array(items)) if items.len() == elems.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                path.push(i.to_string());
                out.push(from_json(item, elem, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (Type::Map(elem), J::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                path.push(k.clone());
                out.insert(k.clone(), from_json(v, elem, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), J::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                path.push(name.clone());
                let v = match entries.get(name) {
                    Some(j) => from_json(j, attr_ty, path)?,
                    None => Value::Null,
                };
                out.insert(name.clone(), v);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (_, other) => Err(wrong(path, other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_ty() -> Type {
        Type::Object(BTreeMap::from([
            ("id".to_owned(), Type::String),
            ("n".to_owned(), Type::Number),
            ("tags".to_owned(), Type::set(Type::String)),
        ]))
    }

    #[test]
    fn unknown_encodes_as_canonical_fixext() {
        assert_eq!(
            encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
            [0xd4, 0, 0]
        );
    }

    #[test]
    fn null_is_a_single_nil_and_empty_bytes_decode_as_null() {
        assert_eq!(encode_msgpack(&Value::Null, &obj_ty()).unwrap(), [0xc0]);
        assert!(decode_msgpack(&[], &obj_ty()).unwrap().is_null());
        assert!(decode_msgpack(&[0xc0], &obj_ty()).unwrap().is_null());
    }

    #[test]
    fn refined_unknowns_of_any_extension_code_decode_as_unknown() {
        // ext 12 with a refinement map {1: false} ("definitely not null").
        let refined = [0xd5, 0x0c, 0x81, 0x01, 0xc2];
        assert!(
            decode_msgpack(&refined, &Type::String)
                .unwrap()
                .is_unknown()
        );
        assert!(
            decode_msgpack(&[0xd4, 0x05, 0x00], &Type::Number)
                .unwrap()
                .is_unknown()
        );
    }

    #[test]
    fn numbers_keep_their_wire_form() {
        // "0.1" arrives as a string from Terraform.
        let v = decode_msgpack(&[0xa3, b'0', b'.', b'1'], &Type::Number).unwrap();
        assert!(matches!(&v, Value::Number(Number::Decimal(s)) if s == "0.1"));
        assert_eq!(
            encode_msgpack(&v, &Type::Number).unwrap(),
            [0xa3, b'0', b'.', b'1']
        );
        let big = Value::Number(Number::UInt(u64::MAX));
        let bytes = encode_msgpack(&big, &Type::Number).unwrap();
        assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap(), big);
        let float = decode_msgpack(&[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], &Type::Number).unwrap();
        assert_eq!(float, Value::Number(Number::Decimal("1.5".into())));
        assert!(decode_msgpack(&[0xa3, b'a', b'b', b'c'], &Type::Number).is_err());
    }

    #[test]
    fn objects_round_trip_with_every_attribute_present() {
        let v = Value::object([
            ("id", Value::Unknown),
            ("n", Value::Number(Number::Int(-3))),
            (
                "tags",
                Value::List(vec![Value::string("a"), Value::string("b")]),
            ),
        ]);
        let bytes = encode_msgpack(&v, &obj_ty()).unwrap();
        assert_eq!(decode_msgpack(&bytes, &obj_ty()).unwrap(), v);
        // A missing attribute is written as null rather than left out.
        let partial = Value::object([("id", Value::string("x"))]);
        let decoded = decode_msgpack(&encode_msgpack(&partial, &obj_ty()).unwrap(), &obj_ty());
        assert!(decoded.unwrap().get("tags").is_null());
    }

    #[test]
    fn object_shape_errors_name_the_problem() {
        let ty = obj_ty();
        let extra = Value::object([("nope", Value::Null)]);
        let err = encode_msgpack(&extra, &ty).unwrap_err().to_string();
        assert!(err.contains("unsupported attribute \"nope\""), "{err}");
        // {"id": nil} is missing two attributes.
        let short = [0x81, 0xa2, b'i', b'd', 0xc0];
        let err = decode_msgpack(&short, &ty).unwrap_err().to_string();
        assert!(err.contains("3 attributes is required (1 given)"), "{err}");
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::Dynamic(
            Type::list(Type::String),
            Box::new(Value::List(vec![Value::string("x")])),
        );
        let bytes = encode_msgpack(&v, &Type::Dynamic).unwrap();
        assert_eq!(bytes[0], 0x92, "two-element array wrapper");
        assert_eq!(bytes[1], 0xc4, "type JSON as bin");
        assert_eq!(decode_msgpack(&bytes, &Type::Dynamic).unwrap(), v);
        assert!(decode_msgpack(&[0xc0], &Type::Dynamic).unwrap().is_null());
        assert!(
            decode_msgpack(&[0xd4, 0, 0], &Type::Dynamic)
                .unwrap()
                .is_unknown()
        );
    }

    #[test]
    fn state_json_fills_missing_attributes_with_null() {
        let json = serde_json::json!({"id": "abc", "n": 12345678901234567890u64});
        let v = decode_json(&json, &obj_ty()).unwrap();
        assert_eq!(v.get("id").as_str(), Some("abc"));
        assert!(v.get("tags").is_null());
        assert_eq!(
            v.get("n"),
            &Value::Number(Number::UInt(12_345_678_901_234_567_890))
        );
        let dynamic = serde_json::json!({"value": ["a"], "type": ["list", "string"]});
        let d = decode_json(&dynamic, &Type::Dynamic).unwrap();
        assert!(matches!(d, Value::Dynamic(Type::List(_), _)));
    }
}
