//! The plan bookkeeping every resource gets for free: defaults, semantic equality,
//! unknown computed values, kept state and requires-replace.

use super::schema::{Block, Nesting};
use super::value::{AttributePath, Value};

/// The framework's part of a planned change, before the resource's own adjustments.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedChange {
    /// The planned new state; null for a destroy.
    pub planned: Value,
    /// The attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
}

/// Plans a change from Terraform's proposal following the protocol's rules:
/// 1. a null proposal is a destroy and plans null;
/// 2. defaults fill attributes the configuration leaves null;
/// 3. configured values equal in meaning to the prior value keep the prior text;
/// 4. on create, or when anything changed, computed attributes left null in the
///    configuration become unknown, unless marked to keep their prior value;
/// 5. changed attributes marked `requires_replace` are listed.
pub fn plan_change(
    block: &Block,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> PlannedChange {
    if proposed.is_null() {
        return PlannedChange {
            planned: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let mut planned = proposed.clone();
    apply_defaults_and_equality(block, prior, config, &mut planned);
    if prior.is_null() || planned != *prior {
        mark_computed_unknown(block, prior, config, &mut planned);
    }
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        collect_replacements(
            block,
            prior,
            &planned,
            &AttributePath::default(),
            &mut requires_replace,
        );
    }
    PlannedChange {
        planned,
        requires_replace,
    }
}

fn apply_defaults_and_equality(block: &Block, prior: &Value, config: &Value, planned: &mut Value) {
    for a in &block.attributes {
        let configured = config.get(a.name);
        if configured.is_null() {
            if let Some(default) = &a.default {
                planned.set(a.name, default.clone());
            }
            continue;
        }
        if let Some(eq) = a.semantic_equality {
            let before = prior.get(a.name);
            if configured.is_wholly_known() && !before.is_null() && eq(before, configured) {
                planned.set(a.name, before.clone());
            }
        }
    }
    each_single_block(block, prior, config, planned, apply_defaults_and_equality);
}

fn mark_computed_unknown(block: &Block, prior: &Value, config: &Value, planned: &mut Value) {
    for a in &block.attributes {
        if !a.is_computed() || a.default.is_some() || !config.get(a.name).is_null() {
            continue;
        }
        let before = prior.get(a.name);
        if a.use_state_for_unknown && !before.is_null() {
            planned.set(a.name, before.clone());
        } else {
            planned.set(a.name, Value::Unknown);
        }
    }
    each_single_block(block, prior, config, planned, mark_computed_unknown);
}

/// Applies `step` to every present single nested block (e.g. `timeouts`).
fn each_single_block(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    step: fn(&Block, &Value, &Value, &mut Value),
) {
    for nested in block.blocks.iter().filter(|b| b.nesting == Nesting::Single) {
        let mut inner = planned.get(nested.name).clone();
        if inner.is_null() || inner.is_unknown() {
            continue;
        }
        step(
            &nested.block,
            prior.get(nested.name),
            config.get(nested.name),
            &mut inner,
        );
        planned.set(nested.name, inner);
    }
}

fn collect_replacements(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for a in &block.attributes {
        if !a.requires_replace {
            continue;
        }
        let after = planned.get(a.name);
        if after.is_unknown() || after != prior.get(a.name) {
            out.push(path.clone().attr(a.name));
        }
    }
    for nested in &block.blocks {
        if nested.nesting == Nesting::Single {
            let next = path.clone().attr(nested.name);
            collect_replacements(
                &nested.block,
                prior.get(nested.name),
                planned.get(nested.name),
                &next,
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;

    fn block() -> Block {
        Block::new("test")
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("Id."),
            )
            .attribute(Attribute::string("name").required().describe("Name."))
            .attribute(
                Attribute::string("etag")
                    .computed()
                    .describe("Changes on every write."),
            )
            .attribute(
                Attribute::string("kind")
                    .default(Value::string("Assigned"))
                    .describe("Kind."),
            )
            .attribute(
                Attribute::bool("locked")
                    .requires_replace()
                    .describe("Locked."),
            )
            .attribute(
                Attribute::string("rule")
                    .semantic_equality(|a, b| {
                        a.as_str().map(str::to_lowercase) == b.as_str().map(str::to_lowercase)
                    })
                    .describe("Rule."),
            )
    }

    fn config(name: &str, locked: bool, rule: &str) -> Value {
        Value::object([
            ("id", Value::Null),
            ("name", Value::string(name)),
            ("etag", Value::Null),
            ("kind", Value::Null),
            ("locked", Value::Bool(locked)),
            ("rule", Value::string(rule)),
        ])
    }

    fn state(name: &str, locked: bool, rule: &str) -> Value {
        Value::object([
            ("id", Value::string("42")),
            ("name", Value::string(name)),
            ("etag", Value::string("e1")),
            ("kind", Value::string("Assigned")),
            ("locked", Value::Bool(locked)),
            ("rule", Value::string(rule)),
        ])
    }

    #[test]
    fn create_marks_computed_unknown_and_applies_defaults() {
        let cfg = config("a", false, "x");
        let out = plan_change(&block(), &Value::Null, &cfg, &cfg);
        assert!(out.planned.get("id").is_unknown());
        assert!(out.planned.get("etag").is_unknown());
        assert_eq!(out.planned.get("kind").as_str(), Some("Assigned"));
        assert!(
            out.requires_replace.is_empty(),
            "replacement is meaningless on create"
        );
    }

    #[test]
    fn no_change_plans_exactly_the_prior_state() {
        let prior = state("a", false, "x");
        // Terraform's proposal copies prior computed values over null config.
        let proposed = prior.clone();
        let out = plan_change(&block(), &prior, &proposed, &config("a", false, "x"));
        assert_eq!(out.planned, prior);
        assert!(out.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_stable_ids_and_unknowns_the_rest() {
        let prior = state("a", false, "x");
        let mut proposed = prior.clone();
        proposed.set("name", Value::string("b"));
        let out = plan_change(&block(), &prior, &proposed, &config("b", false, "x"));
        assert_eq!(out.planned.get("id").as_str(), Some("42"));
        assert!(out.planned.get("etag").is_unknown());
        assert_eq!(out.planned.get("name").as_str(), Some("b"));
    }

    #[test]
    fn requires_replace_lists_only_changed_attributes() {
        let prior = state("a", false, "x");
        let mut proposed = prior.clone();
        proposed.set("locked", Value::Bool(true));
        let out = plan_change(&block(), &prior, &proposed, &config("a", true, "x"));
        assert_eq!(out.requires_replace, vec![AttributePath::root("locked")]);
    }

    #[test]
    fn cosmetic_difference_plans_no_change() {
        let prior = state("a", false, "User.Department");
        let mut proposed = prior.clone();
        proposed.set("rule", Value::string("user.department"));
        let out = plan_change(
            &block(),
            &prior,
            &proposed,
            &config("a", false, "user.department"),
        );
        assert_eq!(out.planned, prior);
    }

    #[test]
    fn destroy_plans_null() {
        let out = plan_change(
            &block(),
            &state("a", false, "x"),
            &Value::Null,
            &Value::Null,
        );
        assert!(out.planned.is_null());
    }
}
