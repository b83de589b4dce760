//! Logs in hclog's JSON line format on stderr, which Terraform re-logs under
//! `TF_LOG`. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// This crate's own tracing target: always logs at the level Terraform asks for.
const FRAMEWORK_TARGET: &str = "provider_framework";

/// The `@module` of every log line, set once by [`init`].
static MODULE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// The most verbose level Terraform asked for, or `None` for no logs.
pub fn level_from_env() -> Option<Level> {
    let raw = std::env::var("TF_LOG_PROVIDER")
        .or_else(|_| std::env::var("TF_LOG"))
        .unwrap_or_default();
    match raw.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "ERROR" => Some(Level::ERROR),
        "OFF" => None,
        // Unset or unrecognised: warnings and errors only (Terraform hides them unless asked).
        _ => Some(Level::WARN),
    }
}

/// Installs the stderr JSON logger and a panic hook that logs the panic as an error:
/// lines carry `@module` = `module`, and the `targets` (the provider's crates) log at
/// the level Terraform asks for.
pub fn init(module: &'static str, targets: &'static [&'static str]) {
    let _ = MODULE.set(module);
    let layer = HclogLayer {
        max_level: level_from_env(),
        targets,
    };
    // Ignore the error when a subscriber is already installed (tests).
    let _ = tracing_subscriber::registry().with(layer).try_init();
    std::panic::set_hook(Box::new(|info| {
        let mut fields = serde_json::Map::new();
        fields.insert(
            "location".into(),
            info.location().map(ToString::to_string).into(),
        );
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        write_line("error", &format!("provider panicked: {message}"), fields);
    }));
}

struct HclogLayer {
    max_level: Option<Level>,
    targets: &'static [&'static str],
}

impl HclogLayer {
    fn enabled_for(&self, level: &Level, target: &str) -> bool {
        let Some(max) = self.max_level else {
            return false;
        };
        // Dependencies (h2, hyper, rustls) only get to say warnings and errors.
        let ours = target.starts_with(FRAMEWORK_TARGET)
            || self.targets.iter().any(|t| target.starts_with(t));
        let limit = if ours { max } else { max.min(Level::WARN) };
        *level <= limit
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.enabled_for(metadata.level(), metadata.target())
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if !self.enabled_for(meta.level(), meta.target()) {
            return;
        }
        let mut visitor = JsonFields::default();
        event.record(&mut visitor);
        let level = match *meta.level() {
            Level::TRACE => "trace",
            Level::DEBUG => "debug",
            Level::INFO => "info",
            Level::WARN => "warn",
            Level::ERROR => "error",
        };
        write_line(level, &visitor.message, visitor.fields);
    }
}

fn write_line(level: &str, message: &str, mut fields: serde_json::Map<String, serde_json::Value>) {
    fields.insert("@level".into(), level.into());
    fields.insert("@message".into(), message.into());
    let module = MODULE.get().copied().unwrap_or("provider");
    fields.insert("@module".into(), module.into());
    // Go layout 2006-01-02T15:04:05.000000Z07:00: exactly six fractional digits.
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    fields.insert("@timestamp".into(), now.into());
    let mut line = serde_json::Value::Object(fields).to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

#[derive(Default)]
struct JsonFields {
    message: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields.insert(field.name().to_owned(), value.into());
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().to_owned(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().to_owned(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().to_owned(), text.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_capped_at_warn() {
        let layer = HclogLayer {
            max_level: Some(Level::TRACE),
            targets: &["my_provider"],
        };
        assert!(layer.enabled_for(&Level::TRACE, "my_provider::graph"));
        assert!(layer.enabled_for(&Level::TRACE, "provider_framework::server"));
        assert!(!layer.enabled_for(&Level::DEBUG, "h2::codec"));
        assert!(layer.enabled_for(&Level::WARN, "h2::codec"));
        let off = HclogLayer {
            max_level: None,
            targets: &[],
        };
        assert!(!off.enabled_for(&Level::ERROR, "my_provider"));
    }
}
