//! Directory actions (`microsoft.directory/{resource}/{task}`) and how a role's
//! `allowedResourceActions` entry satisfies one.
//!
//! Matching is case-insensitive and the namespace must be equal. A held action allows a
//! needed one when its resource is the needed resource (or one of the target's
//! subtypes, such as `groups.security` for a security group) or `allEntities`, and its
//! task covers the needed task:
//!
//! | held task | covers |
//! |---|---|
//! | the same task | itself |
//! | `allProperties/allTasks` | every task |
//! | `allProperties/read` | every `…/read` task |
//! | `allProperties/update` | every `…/update` task (`members/update` included) |
//! | `standard/read` | `standard/read`, `basic/read` |
//!
//! Write tasks on a role-assignable group are reserved to
//! `microsoft.directory/allEntities/allProperties/allTasks` (Global Administrator):
//! Entra excludes role-assignable groups from every group write permission of custom
//! roles and of the group admin roles (reference §4.3).

use serde_json::{Map, Value};

use crate::store::ObjectKind;

/// The namespace of Entra directory actions.
const NAMESPACE: &str = "microsoft.directory";
/// Global Administrator's action: everything, everywhere.
const ALL_ENTITIES: &str = "allEntities";

/// What a request needs from a role: a task on a resource family, and the resource
/// names that count for the target.
#[derive(Debug, Clone)]
pub struct Need {
    family: &'static str,
    resources: Vec<String>,
    task: String,
    privileged_target: bool,
}

fn group_types(props: &Map<String, Value>) -> impl Iterator<Item = &str> {
    props
        .get("groupTypes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

impl Need {
    /// `task` on any object of `kind` (collections, reads).
    pub fn new(kind: ObjectKind, task: &str) -> Self {
        let family = kind.collection();
        Self {
            family,
            resources: vec![family.to_owned()],
            task: task.to_owned(),
            privileged_target: false,
        }
    }

    /// `task` on one object of `kind` with these properties (stored, or a create body):
    /// groups also accept their subtype resources (`groups.security`,
    /// `groups.unified`, and `….assignedMembership` when not dynamic).
    pub fn on(kind: ObjectKind, props: &Map<String, Value>, task: &str) -> Self {
        let mut need = Self::new(kind, task);
        if kind != ObjectKind::Group {
            return need;
        }
        let unified = group_types(props).any(|t| t.eq_ignore_ascii_case("Unified"));
        let dynamic = group_types(props).any(|t| t.eq_ignore_ascii_case("DynamicMembership"));
        let security = props.get("securityEnabled").and_then(Value::as_bool) == Some(true);
        let subtype = if unified {
            Some("groups.unified")
        } else if security {
            Some("groups.security")
        } else {
            None
        };
        if let Some(s) = subtype {
            need.resources.push(s.to_owned());
            if !dynamic {
                need.resources.push(format!("{s}.assignedMembership"));
            }
        }
        need.privileged_target =
            props.get("isAssignableToRole").and_then(Value::as_bool) == Some(true);
        need
    }

    fn is_read(&self) -> bool {
        self.task.to_ascii_lowercase().ends_with("/read")
    }

    /// The needed action in Entra's spelling (for messages and logs).
    pub fn action(&self) -> String {
        format!("{NAMESPACE}/{}/{}", self.family, self.task)
    }

    /// Whether `held` allows this need on the target.
    pub fn allowed_by(&self, held: &str) -> bool {
        let Some((resource, task)) = split(held) else {
            return false;
        };
        if self.privileged_target && !self.is_read() {
            return resource.eq_ignore_ascii_case(ALL_ENTITIES)
                && task.eq_ignore_ascii_case("allProperties/allTasks");
        }
        let resource_ok = resource.eq_ignore_ascii_case(ALL_ENTITIES)
            || self
                .resources
                .iter()
                .any(|r| r.eq_ignore_ascii_case(resource));
        resource_ok && covers(task, &self.task)
    }

    /// Whether `held` could allow this need on some target of the family (any subtype,
    /// any group): the check made before the target is looked up.
    pub fn maybe_allowed_by(&self, held: &str) -> bool {
        let Some((resource, task)) = split(held) else {
            return false;
        };
        let r = resource.to_ascii_lowercase();
        let f = self.family.to_ascii_lowercase();
        let resource_ok =
            r == ALL_ENTITIES.to_ascii_lowercase() || r == f || r.starts_with(&format!("{f}."));
        resource_ok && covers(task, &self.task)
    }
}

/// The tasks a PATCH with these properties needs: `dynamicMembershipRule/update` for a
/// group's rule properties, `basic/update` for anything else.
pub fn update_tasks(kind: ObjectKind, body: &Map<String, Value>) -> Vec<&'static str> {
    const RULE: [&str; 2] = ["membershipRule", "membershipRuleProcessingState"];
    let rule = kind == ObjectKind::Group && body.keys().any(|k| RULE.contains(&k.as_str()));
    let basic = body
        .keys()
        .any(|k| kind != ObjectKind::Group || !RULE.contains(&k.as_str()));
    let mut tasks = Vec::new();
    if basic || !rule {
        tasks.push("basic/update");
    }
    if rule {
        tasks.push("dynamicMembershipRule/update");
    }
    tasks
}

/// `(resource, task)` of a `microsoft.directory/...` action.
fn split(action: &str) -> Option<(&str, &str)> {
    let (ns, rest) = action.split_once('/')?;
    if !ns.eq_ignore_ascii_case(NAMESPACE) {
        return None;
    }
    let (resource, task) = rest.split_once('/')?;
    (!resource.is_empty() && !task.is_empty()).then_some((resource, task))
}

/// Whether the held task covers the needed one (table in the module docs).
fn covers(held: &str, needed: &str) -> bool {
    let held = held.to_ascii_lowercase();
    let needed = needed.to_ascii_lowercase();
    held == needed
        || held == "allproperties/alltasks"
        || (held == "allproperties/read" && needed.ends_with("/read"))
        || (held == "allproperties/update" && needed.ends_with("/update"))
        || (held == "standard/read" && needed == "basic/read")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn exact_and_containment() {
        let n = Need::new(ObjectKind::User, "standard/read");
        assert!(n.allowed_by("microsoft.directory/users/standard/read"));
        assert!(n.allowed_by("Microsoft.Directory/Users/Standard/Read"));
        assert!(n.allowed_by("microsoft.directory/users/allProperties/read"));
        assert!(n.allowed_by("microsoft.directory/users/allProperties/allTasks"));
        assert!(n.allowed_by("microsoft.directory/allEntities/allProperties/allTasks"));
        assert!(!n.allowed_by("microsoft.directory/users/basic/read"));
        assert!(!n.allowed_by("microsoft.directory/groups/standard/read"));
        assert!(!n.allowed_by("microsoft.azure.print/users/standard/read"));
        assert!(
            Need::new(ObjectKind::User, "basic/read")
                .allowed_by("microsoft.directory/users/standard/read")
        );
        let m = Need::new(ObjectKind::Group, "members/update");
        assert!(m.allowed_by("microsoft.directory/groups/allProperties/update"));
        assert!(!m.allowed_by("microsoft.directory/groups/allProperties/read"));
        assert!(!m.allowed_by("microsoft.directory/groups/create"));
    }

    #[test]
    fn group_subtypes() {
        let security = props(json!({"securityEnabled": true, "groupTypes": []}));
        let n = Need::on(ObjectKind::Group, &security, "create");
        assert!(n.allowed_by("microsoft.directory/groups.security/create"));
        assert!(n.allowed_by("microsoft.directory/groups.security.assignedMembership/create"));
        assert!(!n.allowed_by("microsoft.directory/groups.unified/create"));
        let unified = props(json!({"securityEnabled": false, "groupTypes": ["Unified"]}));
        let n = Need::on(ObjectKind::Group, &unified, "members/update");
        assert!(n.allowed_by("microsoft.directory/groups.unified/members/update"));
        assert!(!n.allowed_by("microsoft.directory/groups.security/members/update"));
        let base = Need::new(ObjectKind::Group, "members/update");
        assert!(base.maybe_allowed_by("microsoft.directory/groups.unified/members/update"));
        assert!(!base.maybe_allowed_by("microsoft.directory/groupsx/members/update"));
    }

    #[test]
    fn role_assignable_groups_need_global_admin_to_write() {
        let p = props(json!({"securityEnabled": true, "isAssignableToRole": true}));
        let write = Need::on(ObjectKind::Group, &p, "members/update");
        assert!(!write.allowed_by("microsoft.directory/groups/members/update"));
        assert!(write.allowed_by("microsoft.directory/allEntities/allProperties/allTasks"));
        let read = Need::on(ObjectKind::Group, &p, "members/read");
        assert!(read.allowed_by("microsoft.directory/groups/members/read"));
    }
}
