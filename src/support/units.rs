//! Plan-time checks of the unit a member or role assignment refers to, and telling
//! the Graph client which objects this provider changed moments ago.

use provider_framework::private::LastTouch;
use provider_framework::{Diagnostic, Diagnostics};

use crate::graph::administrative_units::Presence;
use crate::graph::{Call, GraphClient};

/// The plan-time check of the unit a member or role assignment refers to: a unit in
/// the recycle bin or that does not exist fails the plan on `administrative_unit_id`.
/// Returns what was found, or `None` when Graph could not tell (no permission, an
/// outage: apply then reports Graph's own answer).
pub async fn planned_unit(
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
pub fn note_recent(graph: &GraphClient, touched: Option<LastTouch>, ids: &[&str]) {
    if let Some(LastTouch::Changed(ago)) = touched {
        for id in ids {
            graph.note_changed(id, ago);
        }
    }
}
