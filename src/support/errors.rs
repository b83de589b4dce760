//! Graph failures as diagnostics: the summary says what was being done, e.g.
//! `Creating administrative unit "Finance"`, the detail what Graph answered, and a 403
//! names the permission the type needs (from [`crate::permissions`]).

use provider_framework::{Diagnostic, Diagnostics};

use crate::graph::GraphError;
use crate::ids::IdError;
use crate::permissions::{self, Needs};

/// A Graph failure in resource `type_name`.
pub fn graph_error(type_name: &str, action: impl Into<String>, err: &GraphError) -> Diagnostics {
    error_for(permissions::needs(type_name, false), action, err)
}

/// A Graph failure in data source `type_name`.
pub fn data_source_error(
    type_name: &str,
    action: impl Into<String>,
    err: &GraphError,
) -> Diagnostics {
    error_for(permissions::needs(type_name, true), action, err)
}

fn error_for(needs: Option<Needs>, action: impl Into<String>, err: &GraphError) -> Diagnostics {
    let mut detail = err.to_string();
    if err.status() == Some(403)
        && let Some(needs) = needs
    {
        detail.push_str("\n\nThe service principal lacks a permission: ");
        detail.push_str(&needs.hint());
    }
    Diagnostic::error(action, detail).into()
}

/// Parses an import id, or says which forms are accepted.
pub fn parse_import_id<T>(id: &str) -> Result<T, Diagnostics>
where
    T: std::str::FromStr<Err = IdError>,
{
    id.parse()
        .map_err(|e: IdError| Diagnostic::error("Invalid import id", e.to_string()).into())
}
