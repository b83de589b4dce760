//! Dynamic administrative-unit membership, computed with the `entra-rules` crate.
//!
//! Evaluation is asynchronous, as in Entra: a change of an AU's rule, type or
//! processing state, of a user or device, or of a group membership schedules an
//! evaluation (see [`queue`]) that runs after `dynamic_processing_delay_ms`, never
//! inside the write itself. While `membershipRuleProcessingState` is `Paused` the member
//! list is frozen. `memberOf` rules read the object's direct group memberships.

pub mod queue;

use std::collections::BTreeSet;

use entra_rules::{EvalContext, Rule, RuleError, Subject};
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::store::{DirObject, ObjectKind, Tenant};

/// Maximum length of a membership rule.
pub const MAX_RULE_LEN: usize = entra_rules::MAX_RULE_CHARS;

fn rule_error(errors: &[RuleError]) -> AppError {
    let detail = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    // The exact Graph text for invalid AU rules is unconfirmed; this follows the
    // portal's "Dynamic membership rule validation error" prefix.
    AppError::bad_request(format!(
        "Dynamic membership rule validation error: {detail}"
    ))
}

/// Parses and validates a rule for an administrative unit.
pub fn parse_rule(rule: &str) -> AppResult<Rule> {
    entra_rules::parse_for_administrative_unit(rule).map_err(|e| rule_error(&e))
}

/// Validates the rule of a dynamic administrative unit.
pub fn validate_rule(rule: &str) -> AppResult<()> {
    parse_rule(rule).map(|_| ())
}

/// Validates a rule stored on an assigned AU (validated the same way, not evaluated).
pub fn validate_rule_syntax(rule: &str) -> AppResult<()> {
    if rule.chars().count() > MAX_RULE_LEN {
        return Err(AppError::bad_request(format!(
            "Dynamic membership rule validation error: the rule is longer than {MAX_RULE_LEN} characters."
        )));
    }
    Ok(())
}

/// Whether the AU is dynamic.
pub fn is_dynamic(au: &DirObject) -> bool {
    au.str_prop("membershipType") == Some("Dynamic")
}

/// Whether the AU is dynamic and processing is on.
fn is_active(au: &DirObject) -> bool {
    is_dynamic(au) && au.str_prop("membershipRuleProcessingState") != Some("Paused")
}

fn kind_of(subject: Subject) -> ObjectKind {
    match subject {
        Subject::User => ObjectKind::User,
        Subject::Device => ObjectKind::Device,
    }
}

/// The object as the rule evaluator reads it, with `memberOf` = its direct groups.
fn subject_json(t: &Tenant, obj: &DirObject) -> Value {
    let mut m = obj.full_json();
    let groups = t
        .groups_of(&obj.id)
        .into_iter()
        .map(|g| Value::String(g.id.clone()))
        .collect();
    m.insert("memberOf".into(), Value::Array(groups));
    Value::Object(m)
}

fn matches(t: &Tenant, rule: &Rule, obj: &DirObject, ctx: &EvalContext) -> bool {
    obj.kind == kind_of(rule.subject()) && entra_rules::evaluate(rule, &subject_json(t, obj), ctx)
}

fn active_rule(au: &DirObject) -> Option<Rule> {
    if !is_active(au) {
        return None;
    }
    entra_rules::parse_for_administrative_unit(au.str_prop("membershipRule")?).ok()
}

/// Recomputes one dynamic AU's members (no-op for assigned or paused AUs). Each link
/// added or removed is a change like any other.
pub fn evaluate_au(t: &mut Tenant, au_id: &str) {
    let Some(rule) = t.get(au_id).and_then(active_rule) else {
        return;
    };
    let ctx = EvalContext::system_now();
    let wanted: BTreeSet<String> = t
        .list(kind_of(rule.subject()))
        .filter(|o| matches(t, &rule, o, &ctx))
        .map(|o| o.id.clone())
        .collect();
    let current = t.au_members.get(au_id).cloned().unwrap_or_default();
    for gone in current.difference(&wanted) {
        t.set_au_link(au_id, gone, false);
    }
    for new in wanted.difference(&current) {
        t.set_au_link(au_id, new, true);
    }
}

/// Recomputes every active dynamic AU.
pub fn evaluate_all(t: &mut Tenant) {
    let ids: Vec<String> = t
        .list(ObjectKind::AdministrativeUnit)
        .filter(|a| is_active(a))
        .map(|a| a.id.clone())
        .collect();
    for id in ids {
        evaluate_au(t, &id);
    }
}

/// Re-evaluates one live user or device against every active dynamic AU.
pub fn evaluate_object(t: &mut Tenant, object_id: &str) {
    let Some(obj) = t.get(object_id) else {
        return;
    };
    if !matches!(obj.kind, ObjectKind::User | ObjectKind::Device) {
        return;
    }
    let ctx = EvalContext::system_now();
    let verdicts: Vec<(String, bool)> = t
        .list(ObjectKind::AdministrativeUnit)
        .filter_map(|a| {
            let rule = active_rule(a)?;
            Some((a.id.clone(), matches(t, &rule, obj, &ctx)))
        })
        .collect();
    for (au, member) in verdicts {
        if t.has_au_link(&au, object_id) != member {
            t.set_au_link(&au, object_id, member);
        }
    }
}
