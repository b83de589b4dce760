//! Helpers shared by the resources: Graph errors as diagnostics, operation
//! contexts, the `timeouts` block.

use std::time::Duration;

use crate::framework::private::LastTouch;
use crate::framework::schema::Validator;
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostic, Diagnostics, Nesting, UpdateRequest, Value,
};
use crate::graph::administrative_units::Presence;
use crate::graph::{Call, GraphClient, GraphError};
use crate::provider::EntraClient;

/// Default time an operation may take, retries and replication waits included.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The operations a `timeouts` block can bound.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Create,
    Read,
    Update,
    Delete,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Read => "read",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// A Graph call context for `op`, bounded by the resource's `timeouts` block in `state`.
pub(crate) fn call_for(ctx: &Ctx<EntraClient>, state: &Value, op: Op) -> Call {
    let configured = state
        .get("timeouts")
        .get(op.name())
        .as_str()
        .and_then(parse_duration);
    Call::new(configured.unwrap_or(DEFAULT_TIMEOUT), ctx.cancel.clone())
        .counting(ctx.in_flight.clone())
}

/// A Graph call context with the default timeout.
pub(crate) fn call(ctx: &Ctx<EntraClient>) -> Call {
    Call::new(DEFAULT_TIMEOUT, ctx.cancel.clone()).counting(ctx.in_flight.clone())
}

/// The `timeouts { create = "10m" … }` block.
pub(crate) fn timeouts_block() -> (&'static str, Nesting, Block) {
    let mut block =
        Block::new("How long each operation may take, retries and replication waits included.");
    for op in [Op::Create, Op::Read, Op::Update, Op::Delete] {
        block = block.attribute(
            Attribute::string(op.name())
                .validate(DurationString)
                .describe(format!(
                    "Time limit for {}, e.g. `30s`, `5m` or `1h` (default `5m`).",
                    op.name()
                )),
        );
    }
    ("timeouts", Nesting::Single, block)
}

/// Parses Go-style durations such as `90s`, `5m`, `1h30m`.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut number = String::new();
    let mut seen_unit = false;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            0.001
        } else {
            match c {
                'h' => 3600.0,
                'm' => 60.0,
                's' => 1.0,
                _ => return None,
            }
        };
        let n: f64 = number.parse().ok()?;
        total += n * unit;
        number.clear();
        seen_unit = true;
    }
    (seen_unit && number.is_empty() && total > 0.0).then(|| Duration::from_secs_f64(total))
}

/// A duration string such as `5m`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DurationString;

impl Validator for DurationString {
    fn description(&self) -> String {
        "must be a duration such as `30s`, `5m` or `1h`".to_owned()
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && parse_duration(s).is_none()
        {
            diags.push(
                    Diagnostic::error(
                        "Invalid duration",
                        format!("{path} must be a positive duration such as \"30s\", \"5m\" or \"1h30m\"; got {s:?}."),
                    )
                    .at(path.clone()),
                );
        }
    }
}

/// A Graph failure in resource `type_name` as a diagnostic whose summary says what
/// was being done, e.g. `Creating administrative unit "Finance"`, and whose detail
/// says what Graph answered (and, on 403, which permission the type needs).
pub(crate) fn graph_error(
    type_name: &str,
    action: impl Into<String>,
    err: &GraphError,
) -> Diagnostics {
    error_for(crate::permissions::needs(type_name, false), action, err)
}

/// [`graph_error`] for data source `type_name`.
pub(crate) fn data_source_error(
    type_name: &str,
    action: impl Into<String>,
    err: &GraphError,
) -> Diagnostics {
    error_for(crate::permissions::needs(type_name, true), action, err)
}

fn error_for(
    needs: Option<crate::permissions::Needs>,
    action: impl Into<String>,
    err: &GraphError,
) -> Diagnostics {
    let mut detail = err.to_string();
    if err.status() == Some(403)
        && let Some(needs) = needs
    {
        detail.push_str("\n\nThe service principal lacks a permission: ");
        detail.push_str(&needs.hint());
    }
    Diagnostic::error(action, detail).into()
}

/// The plan-time check of the unit a member or role assignment refers to: a unit in
/// the recycle bin or that does not exist fails the plan on `administrative_unit_id`.
/// Returns what was found, or `None` when Graph could not tell (no permission, an
/// outage: apply then reports Graph's own answer).
pub(crate) async fn planned_unit(
    graph: &GraphClient,
    call: &Call,
    au: &str,
) -> Result<Option<Presence>, Diagnostics> {
    let problem = match graph.administrative_unit_presence(call, au).await {
        Ok(Presence::Deleted) => format!(
            "Administrative unit {au} was deleted (it is in the recycle bin). Restore it, or refer to an \
             existing unit."
        ),
        Ok(Presence::Absent) => format!(
            "No administrative unit has the object ID {au}. Check the ID, or refer to the unit's resource \
             (entra_administrative_unit.<name>.id)."
        ),
        Ok(live) => return Ok(Some(live)),
        Err(_) => return Ok(None),
    };
    Err(Diagnostic::attribute_error(
        "administrative_unit_id",
        "Administrative unit not found",
        problem,
    )
    .into())
}

/// Tells the Graph client that this provider created or changed `ids` when
/// `touched` says, so that a 404 about them within the replication window is waited
/// out (a replica that has not seen them yet) rather than taken for absence.
pub(crate) fn note_recent(graph: &GraphClient, touched: Option<LastTouch>, ids: &[&str]) {
    if let Some(LastTouch::Changed(ago)) = touched {
        for id in ids {
            graph.note_changed(id, ago);
        }
    }
}

/// The update of a resource whose identifying attributes all force replacement:
/// only the `timeouts` block can change, and only in state.
pub(crate) fn timeouts_only_update(req: &UpdateRequest) -> Value {
    let mut next = req.prior.clone();
    next.set("timeouts", req.planned.get("timeouts").clone());
    next
}

/// Parses an import id, or says which forms are accepted.
pub(crate) fn parse_import_id<T>(id: &str) -> Result<T, Diagnostics>
where
    T: std::str::FromStr<Err = crate::ids::IdError>,
{
    id.parse().map_err(|e: crate::ids::IdError| {
        Diagnostic::error("Invalid import id", e.to_string()).into()
    })
}

/// A resource's string attribute, or `None` when null or unknown.
pub(crate) fn string_of(v: &Value, name: &str) -> Option<String> {
    v.get(name).as_str().map(ToOwned::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_terraform_timeouts() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        for bad in ["", "5", "m", "5x", "0s", "-1m"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
