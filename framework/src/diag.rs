//! Diagnostics: errors and warnings shown to the user, optionally attached to an attribute.

use std::fmt;

use super::value::AttributePath;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The operation failed.
    Error,
    /// The operation went on; the user should know.
    Warning,
}

/// One message for the user: a short summary, a detail, and where in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A one-line summary.
    pub summary: String,
    /// The full explanation.
    pub detail: String,
    /// The attribute the problem is about, so Terraform can underline it.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    /// An error not tied to an attribute.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// A warning not tied to an attribute.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// This diagnostic attached to `path`.
    pub fn at(mut self, path: AttributePath) -> Diagnostic {
        self.attribute = Some(path);
        self
    }

    /// An error attached to the top-level attribute `name`.
    pub fn attribute_error(
        name: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(summary, detail).at(AttributePath::root(name))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some(path) => write!(f, "{}: {} ({path})", self.summary, self.detail),
            None => write!(f, "{}: {}", self.summary, self.detail),
        }
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds every diagnostic of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any diagnostic is an error.
    pub fn has_error(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether there are no diagnostics.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same diagnostics with every error made a warning, `why` added to its detail.
    pub fn into_warnings(self, why: &str) -> Diagnostics {
        Diagnostics(
            self.0
                .into_iter()
                .map(|mut d| {
                    if d.severity == Severity::Error {
                        d.severity = Severity::Warning;
                        d.detail = format!("{} ({why})", d.detail);
                    }
                    d
                })
                .collect(),
        )
    }

    /// `Err(self)` when there is an error, else `Ok(())`.
    pub fn into_result(self) -> Result<(), Diagnostics> {
        if self.has_error() { Err(self) } else { Ok(()) }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_alone_are_not_errors() {
        let mut diags = Diagnostics::new();
        diags.push(Diagnostic::warning("careful", "x"));
        assert!(!diags.has_error());
        assert!(diags.clone().into_result().is_ok());
        diags.push(Diagnostic::attribute_error("display_name", "bad", "y"));
        assert!(diags.has_error());
        assert_eq!(
            diags.0[1]
                .attribute
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("display_name")
        );
    }
}
