//! Helpers shared by the resources: Graph errors as diagnostics, operation contexts.

use std::time::Duration;

use crate::framework::{Ctx, Diagnostic, Diagnostics};
use crate::graph::{Call, GraphError};
use crate::provider::EntraClient;

/// Default time an operation may take, retries and replication waits included.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A Graph call context for an operation of `ctx` with the default timeout.
pub(crate) fn call(ctx: &Ctx<EntraClient>) -> Call {
    Call::new(DEFAULT_TIMEOUT, ctx.cancel.clone())
}

/// A Graph failure as a diagnostic whose summary says what was being done,
/// e.g. `Creating administrative unit "Finance"`, and whose detail says what Graph answered.
pub(crate) fn graph_error(action: impl Into<String>, err: &GraphError) -> Diagnostics {
    let mut detail = err.to_string();
    if err.status() == Some(403) {
        detail.push_str(
            "\n\nThe service principal lacks a permission. Administrative units need the \
             AdministrativeUnit.ReadWrite.All application permission (with admin consent).",
        );
    }
    Diagnostic::error(action, detail).into()
}
