//! Dynamic administrative-unit membership, computed with the `entra-rules` crate.
//!
//! Members of a dynamic AU are re-evaluated when its rule or processing state changes
//! and whenever a user or device changes. While `membershipRuleProcessingState` is
//! `Paused` the member list is frozen.

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

fn matches(rule: &Rule, obj: &DirObject, ctx: &EvalContext) -> bool {
    obj.kind == kind_of(rule.subject())
        && entra_rules::evaluate(rule, &Value::Object(obj.full_json()), ctx)
}

/// Recomputes one dynamic AU's members (no-op for assigned or paused AUs).
pub fn recompute_au(t: &mut Tenant, au_id: &str) {
    let Some(au) = t.get(au_id) else { return };
    if !is_active(au) {
        return;
    }
    let Some(rule) = au
        .str_prop("membershipRule")
        .and_then(|r| entra_rules::parse_for_administrative_unit(r).ok())
    else {
        return;
    };
    let ctx = EvalContext::system_now();
    let members: BTreeSet<String> = t
        .list(kind_of(rule.subject()))
        .filter(|o| matches(&rule, o, &ctx))
        .map(|o| o.id.clone())
        .collect();
    t.au_members.insert(au_id.to_owned(), members);
}

/// Recomputes every active dynamic AU.
pub fn recompute_all(t: &mut Tenant) {
    let ids: Vec<String> = t
        .list(ObjectKind::AdministrativeUnit)
        .filter(|a| is_active(a))
        .map(|a| a.id.clone())
        .collect();
    for id in ids {
        recompute_au(t, &id);
    }
}

/// Re-evaluates one user or device against every active dynamic AU.
pub fn object_changed(t: &mut Tenant, object_id: &str) {
    let Some(obj) = t.get(object_id).cloned() else {
        return;
    };
    if !matches!(obj.kind, ObjectKind::User | ObjectKind::Device) {
        return;
    }
    let ctx = EvalContext::system_now();
    let aus: Vec<(String, bool)> = t
        .list(ObjectKind::AdministrativeUnit)
        .filter(|a| is_active(a))
        .filter_map(|a| {
            let rule =
                entra_rules::parse_for_administrative_unit(a.str_prop("membershipRule")?).ok()?;
            Some((a.id.clone(), matches(&rule, &obj, &ctx)))
        })
        .collect();
    for (au, member) in aus {
        let set = t.au_members.entry(au).or_default();
        if member {
            set.insert(object_id.to_owned());
        } else {
            set.remove(object_id);
        }
    }
}
