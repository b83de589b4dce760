//! Reading what `export` writes: the units, their assigned members and the role
//! assignments at their scope, in paged listings sent in `$batch` requests.

use std::collections::HashMap;

use provider_framework::Diagnostics;

use crate::graph::consistency::{PENDING_PREFIX, is_pending_name};
use crate::graph::models::{AdministrativeUnit, RoleAssignment};
use crate::graph::role_catalog;
use crate::graph::{Call, GraphClient};
use crate::support::data_source_error;

/// Units per round of listings, between progress lines.
const UNITS_PER_ROUND: usize = 200;

/// One unit and what hangs off it.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The unit.
    pub au: AdministrativeUnit,
    /// Its members (id, type), or `None` when they are not exported: a dynamic
    /// unit, or one whose members could not be listed (see `note`).
    pub members: Option<Vec<(String, Option<String>)>>,
    /// Role assignments at its scope.
    pub assignments: Vec<RoleAssignment>,
    /// Why members are missing, when they are.
    pub note: Option<String>,
}

impl Unit {
    /// The unit's object id.
    pub fn id(&self) -> &str {
        self.au.id.as_deref().unwrap_or_default()
    }
}

/// What the tenant holds.
#[derive(Debug, Clone, Default)]
pub struct Tenant {
    /// The units, sorted by display name then id.
    pub units: Vec<Unit>,
    /// Role definition id (lower case) → display name.
    pub role_names: HashMap<String, String>,
}

/// Reads the units whose name starts with `prefix` (all when `None`) and what hangs
/// off them, reporting progress through `progress`.
pub async fn read(
    graph: &GraphClient,
    call: &Call,
    prefix: Option<&str>,
    progress: &dyn Fn(String),
) -> Result<Tenant, Diagnostics> {
    let aus = graph
        .list_administrative_units(call, prefix)
        .await
        .map_err(|e| {
            data_source_error(
                "entra_administrative_units",
                "Listing administrative units",
                &e,
            )
        })?;
    // A temporary name belongs to a create in progress or interrupted: whoever made
    // it finishes or removes it, so it is not adopted.
    let (pending, mut aus): (Vec<_>, Vec<_>) = aus
        .into_iter()
        .partition(|au| is_pending_name(&au.display_name));
    if !pending.is_empty() {
        let ids: Vec<&str> = pending.iter().filter_map(|au| au.id.as_deref()).collect();
        progress(format!(
            "left out {} unit(s) with the temporary name {PENDING_PREFIX}… (a create in progress, or \
             one interrupted: delete them if no run is making them): {}",
            ids.len(),
            ids.join(", ")
        ));
    }
    aus.sort_by(|a, b| {
        (a.display_name.to_lowercase(), &a.id).cmp(&(b.display_name.to_lowercase(), &b.id))
    });
    progress(format!("{} administrative units", aus.len()));
    let mut units: Vec<Unit> = aus
        .into_iter()
        .map(|au| Unit {
            members: None,
            assignments: Vec::new(),
            note: (au.kind() == "Dynamic")
                .then(|| "dynamic membership: its rule decides the members".to_owned()),
            au,
        })
        .collect();
    read_members(graph, call, &mut units, progress).await?;
    read_assignments(graph, call, &mut units, progress).await?;
    let role_names = role_names(graph, call).await;
    Ok(Tenant { units, role_names })
}

async fn read_members(
    graph: &GraphClient,
    call: &Call,
    units: &mut [Unit],
    progress: &dyn Fn(String),
) -> Result<(), Diagnostics> {
    let assigned: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].au.kind() != "Dynamic")
        .collect();
    let mut done = 0;
    for round in assigned.chunks(UNITS_PER_ROUND) {
        let ids: Vec<String> = round.iter().map(|&i| units[i].id().to_owned()).collect();
        let listings = graph.members_of_units(call, &ids).await;
        for (&i, listing) in round.iter().zip(listings) {
            match listing {
                Ok(members) => {
                    units[i].members = Some(
                        members
                            .into_iter()
                            .map(|m| {
                                let kind = m.kind().map(ToOwned::to_owned);
                                (m.id, kind)
                            })
                            .collect(),
                    );
                }
                Err(e) if e.status() == Some(403) => {
                    units[i].note = Some(format!(
                        "members not exported: Graph refused to list them ({e}); units with hidden \
                         membership need Member.Read.Hidden"
                    ));
                }
                Err(e) => {
                    return Err(data_source_error(
                        "entra_au_members",
                        format!(
                            "Listing the members of administrative unit {}",
                            units[i].id()
                        ),
                        &e,
                    ));
                }
            }
        }
        done += round.len();
        progress(format!(
            "members of {done}/{} assigned units",
            assigned.len()
        ));
    }
    Ok(())
}

async fn read_assignments(
    graph: &GraphClient,
    call: &Call,
    units: &mut [Unit],
    progress: &dyn Fn(String),
) -> Result<(), Diagnostics> {
    let total = units.len();
    let mut done = 0;
    for round in units.chunks_mut(UNITS_PER_ROUND) {
        let ids: Vec<String> = round.iter().map(|u| u.id().to_owned()).collect();
        let listings = graph.role_assignments_of_units(call, &ids).await;
        for (unit, listing) in round.iter_mut().zip(listings) {
            let mut found = listing.map_err(|e| {
                data_source_error(
                    "entra_au_scoped_role_assignments",
                    format!(
                        "Listing the role assignments of administrative unit {}",
                        unit.id()
                    ),
                    &e,
                )
            })?;
            found.sort_by(|a, b| {
                (&a.role_definition_id, &a.principal_id, &a.id).cmp(&(
                    &b.role_definition_id,
                    &b.principal_id,
                    &b.id,
                ))
            });
            unit.assignments = found;
        }
        done += round.len();
        progress(format!("role assignments of {done}/{total} units"));
    }
    Ok(())
}

/// Role names for comments: every definition Graph lists, or the built-in catalogue
/// when it cannot list them.
async fn role_names(graph: &GraphClient, call: &Call) -> HashMap<String, String> {
    match graph.list_role_definitions(call, None).await {
        Ok(definitions) => definitions
            .into_iter()
            .map(|d| (d.id.to_ascii_lowercase(), d.display_name))
            .collect(),
        Err(_) => role_catalog::AU_SCOPABLE_BUILT_IN_ROLES
            .iter()
            .map(|(id, name)| (id.to_ascii_lowercase(), (*name).to_owned()))
            .collect(),
    }
}
