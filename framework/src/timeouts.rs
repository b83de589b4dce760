//! The `timeouts { create = "10m" … }` block: how long each operation of a resource
//! may take, retries and waits included.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::diag::{Diagnostic, Diagnostics};
use super::model::Maybe;
use super::schema::{Attribute, Block, Nesting, Validator};
use super::value::{AttributePath, Value};

/// The block's name in a resource schema.
pub const BLOCK_NAME: &str = "timeouts";

/// The operations a `timeouts` block can bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Create.
    Create,
    /// Read (refresh, and the reads of plan-time checks).
    Read,
    /// Update in place.
    Update,
    /// Delete.
    Delete,
}

impl Op {
    const ALL: [Op; 4] = [Op::Create, Op::Read, Op::Update, Op::Delete];

    fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Read => "read",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// The block's value in a model (`timeouts: Option<Timeouts>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeouts {
    /// Time limit for create.
    pub create: Maybe<String>,
    /// Time limit for read.
    pub read: Maybe<String>,
    /// Time limit for update.
    pub update: Maybe<String>,
    /// Time limit for delete.
    pub delete: Maybe<String>,
}

impl Timeouts {
    /// The limit for `op` in `block` (absent, unknown or invalid: `default`).
    pub fn limit(block: Option<&Timeouts>, op: Op, default: Duration) -> Duration {
        block
            .and_then(|t| {
                match op {
                    Op::Create => &t.create,
                    Op::Read => &t.read,
                    Op::Update => &t.update,
                    Op::Delete => &t.delete,
                }
                .as_deref()
            })
            .and_then(parse_duration)
            .unwrap_or(default)
    }
}

/// The block, for a schema: `(name, nesting, block)`; `default` is named in the
/// descriptions.
pub fn block(default: &str) -> (&'static str, Nesting, Block) {
    let mut block =
        Block::new("How long each operation may take, retries and replication waits included.");
    for op in Op::ALL {
        block = block.attribute(
            Attribute::string(op.name())
                .validate(DurationString)
                .describe(format!(
                    "Time limit for {}, e.g. `30s`, `5m` or `1h` (default `{default}`).",
                    op.name()
                )),
        );
    }
    (BLOCK_NAME, Nesting::Single, block)
}

/// Parses Go-style durations such as `90s`, `5m`, `1h30m`, `500ms`.
pub fn parse_duration(text: &str) -> Option<Duration> {
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
pub struct DurationString;

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
                    format!(
                        "{path} must be a positive duration such as \"30s\", \"5m\" or \"1h30m\"; got {s:?}."
                    ),
                )
                .at(path.clone()),
            );
        }
    }
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

    #[test]
    fn limits_come_from_the_block_or_the_default() {
        let five = Duration::from_secs(300);
        assert_eq!(Timeouts::limit(None, Op::Create, five), five);
        let block = Timeouts {
            create: Maybe::Known("10s".into()),
            read: Maybe::Unknown,
            ..Timeouts::default()
        };
        assert_eq!(
            Timeouts::limit(Some(&block), Op::Create, five),
            Duration::from_secs(10)
        );
        assert_eq!(Timeouts::limit(Some(&block), Op::Read, five), five);
    }
}
