//! Typed models: a resource or data source declares one struct for its attributes
//! (`#[derive(Serialize, Deserialize)]`, field names = attribute names), and the
//! framework decodes configuration, plans and state into it and encodes it back.
//! A field that can be unknown during plan is a [`Maybe`]; `Option` holds null or a
//! known value; nested blocks are structs, sets and lists are `Vec`s or sets.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};

use super::schema::Schema;
use super::types::Type;
use super::value::{Number, Value};

/// The newtype name that marks a [`Maybe`] to this module's (de)serializer.
const MAYBE: &str = "__terraform_maybe";
/// The unit struct name an unknown [`Maybe`] serializes as.
const UNKNOWN: &str = "__terraform_unknown";

/// A value that may be unknown (during plan), null, or known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Maybe<T> {
    /// Known only after apply.
    Unknown,
    /// Absent.
    #[default]
    Null,
    /// Known.
    Known(T),
}

impl<T> Maybe<T> {
    /// The known value.
    pub fn known(&self) -> Option<&T> {
        match self {
            Maybe::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The known value, taken.
    pub fn into_known(self) -> Option<T> {
        match self {
            Maybe::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Maybe::Unknown)
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Maybe::Null)
    }

    /// Null for `None`, known for `Some`.
    pub fn from_option(value: Option<T>) -> Maybe<T> {
        value.map_or(Maybe::Null, Maybe::Known)
    }
}

impl Maybe<String> {
    /// The known string.
    pub fn as_deref(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(value: T) -> Self {
        Maybe::Known(value)
    }
}

impl<T: Serialize> Serialize for Maybe<T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Unknown => serializer.serialize_unit_struct(UNKNOWN),
            Maybe::Null => serializer.serialize_none(),
            Maybe::Known(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Maybe<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MaybeVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for MaybeVisitor<T> {
            type Value = Maybe<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value, null or unknown")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Maybe::Unknown)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Maybe::Null)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::deserialize(d).map(Maybe::Known)
            }
        }
        deserializer.deserialize_newtype_struct(MAYBE, MaybeVisitor(std::marker::PhantomData))
    }
}

/// A value that does not fit the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(String);

impl de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError(msg.to_string())
    }
}

impl ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError(msg.to_string())
    }
}

/// Decodes a configuration, plan or state into model `M`.
pub fn decode<M: DeserializeOwned>(value: &Value) -> Result<M, ModelError> {
    M::deserialize(ValueDeserializer(value))
}

/// Encodes model `M` as a value.
pub fn encode<M: Serialize>(model: &M) -> Result<Value, ModelError> {
    model.serialize(ValueSerializer)
}

/// The attribute and block names model `M` writes (from its default value), for the
/// unit test that every schema attribute maps to a model field.
pub fn field_names<M: Serialize + Default>() -> Result<Vec<String>, ModelError> {
    match encode(&M::default())? {
        Value::Map(m) => Ok(m.into_keys().collect()),
        other => Err(ModelError(format!(
            "a model encodes as an object, not {other}"
        ))),
    }
}

/// Checks that model `M` has exactly the attributes and blocks of `schema`.
pub fn check_model<M: Serialize + Default>(schema: &Schema) -> Result<(), ModelError> {
    let fields = field_names::<M>()?;
    let Type::Object(attrs) = schema.ty() else {
        return Err(ModelError("a schema is an object".into()));
    };
    let wanted: Vec<String> = attrs.keys().cloned().collect();
    if fields == wanted {
        Ok(())
    } else {
        Err(ModelError(format!(
            "model fields {fields:?} differ from schema attributes {wanted:?}"
        )))
    }
}

struct ValueDeserializer<'a>(&'a Value);

impl<'de> de::Deserializer<'de> for ValueDeserializer<'_> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::Unknown => Err(ModelError(
                "a value is unknown where the model needs it known (use Maybe)".into(),
            )),
            Value::Null => visitor.visit_none(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(Number::Int(i)) => visitor.visit_i64(*i),
            Value::Number(Number::UInt(u)) => visitor.visit_u64(*u),
            Value::Number(Number::Float(f)) => visitor.visit_f64(*f),
            Value::Number(Number::Decimal(d)) => match d.parse::<i64>() {
                Ok(i) => visitor.visit_i64(i),
                Err(_) => visitor.visit_f64(d.parse().map_err(de::Error::custom)?),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::List(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.iter().map(ValueDeserializer),
            )),
            Value::Map(m) => visitor.visit_map(de::value::MapDeserializer::new(
                m.iter().map(|(k, v)| (k.as_str(), ValueDeserializer(v))),
            )),
            Value::Dynamic(_, inner) => ValueDeserializer(inner).deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match (name, self.0) {
            // A model cannot hold a set with some unknown elements: it sees the
            // whole value as unknown (the plan keeps the original, see `erased`).
            (MAYBE, v) if !v.is_wholly_known() => visitor.visit_unit(),
            (MAYBE, Value::Null) => visitor.visit_none(),
            (MAYBE, _) => visitor.visit_some(self),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            other => Err(ModelError(format!(
                "expected a string for an enum, got {other}"
            ))),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, ModelError> for ValueDeserializer<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

struct ValueSerializer;

/// Collects a list.
struct ListSerializer(Vec<Value>);

/// Collects a map or struct.
struct MapSerializer {
    map: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = ListSerializer;
    type SerializeTuple = ListSerializer;
    type SerializeTupleStruct = ListSerializer;
    type SerializeTupleVariant = ser::Impossible<Value, ModelError>;
    type SerializeMap = MapSerializer;
    type SerializeStruct = MapSerializer;
    type SerializeStructVariant = ser::Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ModelError> {
        Ok(Value::Number(Number::Int(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ModelError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        Ok(Value::Number(Number::UInt(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ModelError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        Ok(Value::Number(Number::Float(v)))
    }
    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, ModelError> {
        Err(ModelError("bytes have no Terraform type".into()))
    }
    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Value, ModelError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Value, ModelError> {
        Ok(if name == UNKNOWN {
            Value::Unknown
        } else {
            Value::Null
        })
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, ModelError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value, ModelError> {
        Err(ModelError(format!(
            "enum {name} with data has no Terraform type"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ListSerializer, ModelError> {
        Ok(ListSerializer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<ListSerializer, ModelError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ListSerializer, ModelError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(ModelError(format!(
            "enum {name} with data has no Terraform type"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSerializer, ModelError> {
        Ok(MapSerializer {
            map: BTreeMap::new(),
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<MapSerializer, ModelError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(ModelError(format!(
            "enum {name} with data has no Terraform type"
        )))
    }
}

impl ser::SerializeSeq for ListSerializer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.0.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTuple for ListSerializer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for ListSerializer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for MapSerializer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ModelError> {
        match key.serialize(ValueSerializer)? {
            Value::String(k) => {
                self.key = Some(k);
                Ok(())
            }
            other => Err(ModelError(format!("map keys are strings, not {other}"))),
        }
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ModelError("a map value without a key".into()))?;
        self.map.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Map(self.map))
    }
}

impl ser::SerializeStruct for MapSerializer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ModelError> {
        self.map
            .insert(key.to_owned(), value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Map(self.map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeSet;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Timeouts {
        create: Option<String>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Model {
        id: Maybe<String>,
        name: String,
        description: Option<String>,
        enabled: Maybe<bool>,
        count: Maybe<i64>,
        tags: Maybe<BTreeSet<String>>,
        timeouts: Option<Timeouts>,
    }

    #[test]
    fn models_round_trip_with_unknown_null_and_known_values() {
        let value = Value::object([
            ("id", Value::Unknown),
            ("name", Value::string("n")),
            ("description", Value::Null),
            ("enabled", Value::Bool(true)),
            ("count", Value::Number(Number::Decimal("42".into()))),
            (
                "tags",
                Value::List(vec![Value::string("b"), Value::string("a")]),
            ),
            ("timeouts", Value::object([("create", Value::string("5m"))])),
        ]);
        let model: Model = decode(&value).unwrap();
        assert_eq!(model.id, Maybe::Unknown);
        assert_eq!(model.description, None);
        assert_eq!(model.enabled, Maybe::Known(true));
        assert_eq!(model.count, Maybe::Known(42));
        assert_eq!(model.tags.known().map(BTreeSet::len), Some(2));
        assert_eq!(
            model.timeouts.as_ref().and_then(|t| t.create.as_deref()),
            Some("5m")
        );
        let back = encode(&model).unwrap();
        assert!(back.get("id").is_unknown());
        assert!(back.get("description").is_null());
        assert_eq!(
            back.get("tags"),
            &Value::List(vec![Value::string("a"), Value::string("b")])
        );
        assert_eq!(back.get("count"), value.get("count"));
    }

    #[test]
    fn a_set_with_an_unknown_element_is_unknown_to_the_model() {
        let value = Value::object([
            ("id", Value::Null),
            ("name", Value::string("n")),
            ("description", Value::Null),
            ("enabled", Value::Null),
            ("count", Value::Null),
            (
                "tags",
                Value::List(vec![Value::string("a"), Value::Unknown]),
            ),
            ("timeouts", Value::Null),
        ]);
        let model: Model = decode(&value).unwrap();
        assert_eq!(model.tags, Maybe::Unknown);
    }

    #[test]
    fn unknown_where_a_known_value_is_needed_is_an_error() {
        let value = Value::object([("name", Value::Unknown)]);
        let err = decode::<Model>(&value).unwrap_err();
        assert!(err.to_string().contains("unknown"), "{err}");
        assert_eq!(
            field_names::<Model>().unwrap(),
            [
                "count",
                "description",
                "enabled",
                "id",
                "name",
                "tags",
                "timeouts"
            ]
        );
    }
}
