//! Pending dynamic-membership evaluations, scheduled from the changes of each write and
//! run when due (at the start of a later request, or on `POST /_emulator/settle`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::store::{ChangeSet, DirObject, ObjState, ObjectKind, Tenant};

/// AU evaluations and object re-evaluations, each with the time it is due.
#[derive(Debug, Clone, Default)]
pub struct DynamicQueue {
    aus: BTreeMap<String, u64>,
    objects: BTreeMap<String, u64>,
}

const RULE_PROPS: [&str; 3] = [
    "membershipType",
    "membershipRule",
    "membershipRuleProcessingState",
];

fn object_of(state: &ObjState) -> Option<&DirObject> {
    state.live().or_else(|| state.deleted())
}

fn rule_settings(state: &ObjState) -> Option<Vec<Option<&Value>>> {
    let o = state.live()?;
    Some(RULE_PROPS.iter().map(|p| o.props.get(*p)).collect())
}

fn schedule_at(map: &mut BTreeMap<String, u64>, id: &str, due_ms: u64) {
    let due = map.entry(id.to_owned()).or_insert(due_ms);
    *due = (*due).min(due_ms);
}

impl DynamicQueue {
    /// Schedules the evaluations that the changes of one write call for.
    pub fn schedule(&mut self, changes: &ChangeSet, t: &Tenant, due_ms: u64) {
        for d in &changes.objects {
            let Some(obj) = object_of(&d.after).or_else(|| object_of(&d.before)) else {
                continue;
            };
            match obj.kind {
                ObjectKind::AdministrativeUnit
                    if rule_settings(&d.before) != rule_settings(&d.after) =>
                {
                    schedule_at(&mut self.aus, &d.key, due_ms);
                }
                ObjectKind::User | ObjectKind::Device => {
                    schedule_at(&mut self.objects, &d.key, due_ms);
                }
                ObjectKind::Group if d.before.live().is_some() != d.after.live().is_some() => {
                    // The group's members gain or lose it in their memberOf.
                    for m in t.group_members.get(&d.key).into_iter().flatten() {
                        schedule_at(&mut self.objects, m, due_ms);
                    }
                }
                _ => {}
            }
        }
        for d in &changes.group_links {
            schedule_at(&mut self.objects, &d.key.1, due_ms);
        }
    }

    /// Whether an evaluation is due at `now_ms`.
    pub fn is_due(&self, now_ms: u64) -> bool {
        self.aus
            .values()
            .chain(self.objects.values())
            .any(|due| *due <= now_ms)
    }

    /// Runs the evaluations due at `now_ms` (every pending one with `None`).
    pub fn run(&mut self, t: &mut Tenant, now_ms: Option<u64>) {
        let due = |d: &u64| now_ms.is_none_or(|now| *d <= now);
        let aus: Vec<String> = self
            .aus
            .iter()
            .filter(|(_, d)| due(d))
            .map(|(id, _)| id.clone())
            .collect();
        let objects: Vec<String> = self
            .objects
            .iter()
            .filter(|(_, d)| due(d))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &aus {
            self.aus.remove(id);
            super::evaluate_au(t, id);
        }
        for id in &objects {
            self.objects.remove(id);
            super::evaluate_object(t, id);
        }
    }
}
