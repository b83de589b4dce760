//! Dynamic administrative-unit membership.
//!
//! Rule parsing and evaluation belong to the `entra-rules` crate; until its API exists
//! the emulator rejects dynamic AUs with a clear 400 (see [`validate_rule`]).

use crate::error::{AppError, AppResult};
use crate::store::Tenant;

/// Maximum length of a membership rule.
pub const MAX_RULE_LEN: usize = 3072;

fn check_len(rule: &str) -> AppResult<()> {
    if rule.chars().count() > MAX_RULE_LEN {
        return Err(AppError::bad_request(format!(
            "Dynamic membership rule validation error: the rule exceeds the maximum length of {MAX_RULE_LEN} characters."
        )));
    }
    Ok(())
}

/// Validates the rule of a dynamic administrative unit.
pub fn validate_rule(rule: &str) -> AppResult<()> {
    check_len(rule)?;
    Err(AppError::bad_request(
        "Dynamic membership administrative units are not supported by this emulator build (the rule engine is unavailable).",
    ))
}

/// Validates a rule stored on an assigned AU (not evaluated).
pub fn validate_rule_syntax(rule: &str) -> AppResult<()> {
    check_len(rule)
}

/// Recomputes one dynamic AU's members (no-op for assigned or paused AUs).
pub fn recompute_au(_t: &mut Tenant, _au_id: &str) {}

/// Recomputes membership of every dynamic AU whose processing state is `On`.
pub fn recompute_all(_t: &mut Tenant) {}
