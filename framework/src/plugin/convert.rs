//! Conversions between the generated tfplugin6 messages and framework types.

use crate::codec::{decode_json, decode_msgpack, encode_msgpack};
use crate::diag::Severity;
use crate::proto::tfplugin6 as pb;
use crate::schema::{Attribute, Block, Mode, Nesting};
use crate::value::PathStep;
use crate::{AttributePath, Diagnostic, Diagnostics, Schema, Type, Value};

/// Decodes a request's DynamicValue (msgpack, or JSON as a fallback); absent means null.
pub(crate) fn decode(dv: Option<pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let result = if dv.msgpack.is_empty() && !dv.json.is_empty() {
        serde_json::from_slice::<serde_json::Value>(&dv.json)
            .map_err(|e| e.to_string())
            .and_then(|j| decode_json(&j, ty).map_err(|e| e.to_string()))
    } else {
        decode_msgpack(&dv.msgpack, ty).map_err(|e| e.to_string())
    };
    result.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The provider could not decode a value sent by Terraform: {e}"),
        )
        .into()
    })
}

/// Encodes a response value as msgpack.
pub(crate) fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid value",
                format!("This is a bug in the provider; please report it: {e}"),
            )
            .into()
        })
}

/// Framework diagnostics as protocol diagnostics, always with a severity.
pub(crate) fn diagnostics(diags: Diagnostics) -> Vec<pb::Diagnostic> {
    diags.0.into_iter().map(diagnostic).collect()
}

fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.map(|p| attribute_path(&p)),
    }
}

/// A framework path as a protocol path.
pub(crate) fn attribute_path(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .0
            .iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                    PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// A framework schema as a protocol schema.
pub(crate) fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(&schema.block)),
    }
}

fn block(b: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nested| pb::schema::NestedBlock {
                type_name: nested.name.to_owned(),
                block: Some(block(&nested.block)),
                nesting: match nested.nesting {
                    Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                    Nesting::List => pb::schema::nested_block::NestingMode::List,
                } as i32,
                min_items: 0,
                max_items: 0,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: false,
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: a.name.to_owned(),
        r#type: a.ty.to_json_bytes(),
        nested_type: None,
        description: a.full_description(),
        required: a.mode == Mode::Required,
        optional: matches!(a.mode, Mode::Optional | Mode::OptionalComputed),
        computed: a.is_computed(),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: false,
        write_only: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_flags_follow_the_mode() {
        let a = attribute(&Attribute::string("x").optional_computed().describe("X."));
        assert!(a.optional && a.computed && !a.required);
        assert_eq!(a.r#type, b"\"string\"");
        let r = attribute(&Attribute::string("y").required().sensitive().describe("Y."));
        assert!(r.required && !r.optional && !r.computed && r.sensitive);
    }

    #[test]
    fn absent_dynamic_values_are_null_and_errors_are_diagnostics() {
        assert!(decode(None, &Type::String).unwrap().is_null());
        let bad = pb::DynamicValue {
            msgpack: vec![0xa1, b'x'],
            json: vec![],
        };
        let err = decode(Some(bad), &Type::Bool).unwrap_err();
        assert!(err.0[0].detail.contains("expected"), "{err}");
        let json = pb::DynamicValue {
            msgpack: vec![],
            json: br#""hi""#.to_vec(),
        };
        assert_eq!(
            decode(Some(json), &Type::String).unwrap().as_str(),
            Some("hi")
        );
    }

    #[test]
    fn every_diagnostic_has_a_severity() {
        let out = diagnostics(Diagnostic::warning("w", "d").into());
        assert_eq!(out[0].severity, pb::diagnostic::Severity::Warning as i32);
    }
}
