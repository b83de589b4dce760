//! Declarative schemas: attributes with descriptions, validators and plan behaviour.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::diag::{Diagnostic, Diagnostics};
use super::types::Type;
use super::value::{AttributePath, Value};

/// Who sets an attribute: the user, the provider, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The user must set it.
    Required,
    /// The user may set it; null otherwise.
    Optional,
    /// Only the provider sets it.
    Computed,
    /// The user may set it; otherwise the provider does.
    OptionalComputed,
}

/// A check of one configured value, run at validation time on known, non-null values.
pub trait Validator: Send + Sync {
    /// What the validator requires, lowercase with no trailing period, for docs.
    fn description(&self) -> String;
    /// Adds a diagnostic at `path` when `value` is not acceptable.
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics);
}

/// Decides whether two values mean the same thing, e.g. two spellings of one rule.
pub type SemanticEquality = fn(&Value, &Value) -> bool;

/// One attribute of a schema block.
#[derive(Clone)]
pub struct Attribute {
    /// The attribute name, `[a-z0-9_]`.
    pub name: &'static str,
    /// Its value type.
    pub ty: Type,
    /// Markdown description shown in docs and editors. Mandatory.
    pub description: String,
    /// Who sets it.
    pub mode: Mode,
    /// Hidden from plan output and logs by Terraform.
    pub sensitive: bool,
    /// A change to this attribute destroys and re-creates the resource.
    pub requires_replace: bool,
    /// On update, keep the prior computed value instead of planning it unknown.
    pub use_state_for_unknown: bool,
    /// Planned when the configuration leaves the attribute null (optional+computed).
    pub default: Option<Value>,
    /// When set, a configured value equal in meaning to the prior one plans no change.
    pub semantic_equality: Option<SemanticEquality>,
    /// Checks run on the configured value.
    pub validators: Vec<Arc<dyn Validator>>,
}

impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Attribute {
    /// A new optional attribute of type `ty`.
    pub fn new(name: &'static str, ty: Type) -> Attribute {
        Attribute {
            name,
            ty,
            description: String::new(),
            mode: Mode::Optional,
            sensitive: false,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
            semantic_equality: None,
            validators: Vec::new(),
        }
    }

    /// A new optional string attribute.
    pub fn string(name: &'static str) -> Attribute {
        Attribute::new(name, Type::String)
    }

    /// A new optional bool attribute.
    pub fn bool(name: &'static str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    /// The description as Terraform shows it: the text, and whether a change forces
    /// replacement (so every page and editor says so in the same words).
    pub fn full_description(&self) -> String {
        if self.requires_replace {
            format!(
                "{} Changing it forces replacement.",
                self.description.trim_end()
            )
        } else {
            self.description.clone()
        }
    }

    /// Sets the description.
    pub fn describe(mut self, description: impl Into<String>) -> Attribute {
        self.description = description.into();
        self
    }

    /// The user must set it.
    pub fn required(mut self) -> Attribute {
        self.mode = Mode::Required;
        self
    }

    /// Only the provider sets it.
    pub fn computed(mut self) -> Attribute {
        self.mode = Mode::Computed;
        self
    }

    /// The user may set it, otherwise the provider does.
    pub fn optional_computed(mut self) -> Attribute {
        self.mode = Mode::OptionalComputed;
        self
    }

    /// Marks the value sensitive.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// A change forces replacement.
    pub fn requires_replace(mut self) -> Attribute {
        self.requires_replace = true;
        self
    }

    /// Keeps the prior computed value on update.
    pub fn use_state_for_unknown(mut self) -> Attribute {
        self.use_state_for_unknown = true;
        self
    }

    /// Plans `value` when unset; makes the attribute optional+computed.
    pub fn default(mut self, value: Value) -> Attribute {
        self.default = Some(value);
        self.mode = Mode::OptionalComputed;
        self
    }

    /// Treats configured values that `eq` says are equal to the prior value as unchanged.
    pub fn semantic_equality(mut self, eq: SemanticEquality) -> Attribute {
        self.semantic_equality = Some(eq);
        self
    }

    /// Adds a validator.
    pub fn validate(mut self, validator: impl Validator + 'static) -> Attribute {
        self.validators.push(Arc::new(validator));
        self
    }

    /// Whether the user may set this attribute.
    pub fn is_configurable(&self) -> bool {
        self.mode != Mode::Computed
    }

    /// Whether the provider may set this attribute.
    pub fn is_computed(&self) -> bool {
        matches!(self.mode, Mode::Computed | Mode::OptionalComputed)
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; null when absent.
    Single,
    /// A list of blocks.
    List,
}

/// A nested block type such as `timeouts { ... }`.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// The block type name.
    pub name: &'static str,
    /// How it repeats.
    pub nesting: Nesting,
    /// Its content.
    pub block: Block,
}

/// A set of attributes and nested blocks.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Markdown description.
    pub description: String,
    /// Attributes, in declaration order.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    /// A block with a description.
    pub fn new(description: impl Into<String>) -> Block {
        Block {
            description: description.into(),
            ..Block::default()
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: Attribute) -> Block {
        self.attributes.push(attribute);
        self
    }

    /// Adds a nested block type.
    pub fn block(mut self, name: &'static str, nesting: Nesting, block: Block) -> Block {
        self.blocks.push(NestedBlock {
            name,
            nesting,
            block,
        });
        self
    }

    /// The attribute called `name`.
    pub fn find(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type a value of this block has.
    pub fn ty(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.to_owned(), a.ty.clone()))
            .collect();
        for nested in &self.blocks {
            let inner = nested.block.ty();
            let ty = match nested.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
            };
            attrs.insert(nested.name.to_owned(), ty);
        }
        Type::Object(attrs)
    }

    /// Checks the schema itself the way Terraform will: every attribute described,
    /// valid names, no duplicates.
    pub fn check(&self, path: &str) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.attributes {
            if a.name.is_empty()
                || !a
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(format!("{path}: invalid attribute name {:?}", a.name));
            }
            if !seen.insert(a.name) {
                return Err(format!("{path}: duplicate attribute {:?}", a.name));
            }
            if path.split('.').count() == 1 && RESERVED_NAMES.contains(&a.name) {
                return Err(format!(
                    "{path}.{}: reserved by Terraform's configuration language",
                    a.name
                ));
            }
            if a.description.trim().is_empty() {
                return Err(format!("{path}.{}: missing description", a.name));
            }
        }
        for b in &self.blocks {
            if !seen.insert(b.name) {
                return Err(format!("{path}: duplicate name {:?}", b.name));
            }
            b.block.check(&format!("{path}.{}", b.name))?;
        }
        Ok(())
    }

    /// Runs the validators and required checks over a configuration value.
    /// Unknown values are skipped: they are checked again once known.
    pub fn validate_config(&self, config: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if !matches!(config, Value::Map(_)) {
            return;
        }
        for a in &self.attributes {
            let value = config.get(a.name);
            let attr_path = path.clone().attr(a.name);
            if value.is_unknown() {
                continue;
            }
            if a.mode == Mode::Computed && !value.is_null() {
                diags.push(
                    Diagnostic::error(
                        "Invalid configuration",
                        format!(
                            "\"{}\" is set by the provider and cannot be configured.",
                            a.name
                        ),
                    )
                    .at(attr_path),
                );
                continue;
            }
            if value.is_null() {
                continue;
            }
            for v in &a.validators {
                v.validate(value, &attr_path, diags);
            }
        }
        for b in &self.blocks {
            let value = config.get(b.name);
            let block_path = path.clone().attr(b.name);
            match (b.nesting, value) {
                (Nesting::Single, v) => b.block.validate_config(v, &block_path, diags),
                (Nesting::List, Value::List(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let mut item_path = block_path.clone();
                        item_path.0.push(super::value::PathStep::Index(i as i64));
                        b.block.validate_config(item, &item_path, diags);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Top-level names Terraform's configuration language reserves in resource blocks.
const RESERVED_NAMES: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

/// A versioned schema for a provider, resource or data source.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// The state schema version; bump it with an upgrade step.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// A version-0 schema with `block`.
    pub fn new(block: Block) -> Schema {
        Schema { version: 0, block }
    }

    /// The implied object type.
    pub fn ty(&self) -> Type {
        self.block.ty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_type_includes_nested_blocks() {
        let block = Block::new("x")
            .attribute(Attribute::string("a").describe("A."))
            .block(
                "timeouts",
                Nesting::Single,
                Block::new("t").attribute(Attribute::string("create").describe("C.")),
            );
        let ty = block.ty();
        assert_eq!(
            ty.to_string(),
            r#"["object",{"a":"string","timeouts":["object",{"create":"string"}]}]"#
        );
        assert!(block.check("r").is_ok());
    }

    #[test]
    fn schema_check_demands_descriptions() {
        let block = Block::new("x").attribute(Attribute::string("a"));
        assert_eq!(block.check("r").unwrap_err(), "r.a: missing description");
    }

    #[test]
    fn schema_check_refuses_reserved_names() {
        let block = Block::new("x").attribute(Attribute::string("count").describe("C."));
        assert!(block.check("r").unwrap_err().contains("reserved"));
    }

    #[test]
    fn configuring_a_computed_attribute_is_an_error_on_that_attribute() {
        let block = Block::new("x").attribute(Attribute::string("id").computed().describe("Id."));
        let mut diags = Diagnostics::new();
        let config = Value::object([("id", Value::string("x"))]);
        block.validate_config(&config, &AttributePath::default(), &mut diags);
        assert!(diags.has_error());
        assert_eq!(diags.0[0].attribute, Some(AttributePath::root("id")));
    }
}
