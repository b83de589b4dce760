//! May this caller do that? An app-only caller is allowed by an application permission
//! in its token, or by a directory role assigned to its service principal (directly,
//! or through a role-assignable group it is a direct member of) whose definition allows
//! the action ([`Need`]) at a scope that covers the target ([`Target`]).
//!
//! Role assignments, custom role definitions and AU memberships are read from the
//! replica serving the request: an assignment takes effect once it has replicated there,
//! never before it is visible.
//!
//! Choices where Entra is not documented (unconfirmed):
//! - Reads are not scoped: a read action held at any scope reads every object of that
//!   type ("read rights can't be scoped to an AU", reference §4.1), so [`Target::Anywhere`]
//!   is used for reads.
//! - Entra says a service principal can use an AU-scoped role only when it also has
//!   tenant-wide read rights; the emulator does not require them.
//! - A role allows an app-only call without any application permission.

mod need;

pub use need::{Need, update_tasks};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::store::roles_catalog;
use crate::store::{DirObject, ObjectKind};
use crate::view::View;

/// What a request acts on, for matching an assignment's `directoryScopeId`.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Reads: any scope counts.
    Anywhere,
    /// A tenant-wide create (`POST /groups`): only `/`.
    Tenant,
    /// A create inside this AU: `/` or `/administrativeUnits/{id}`.
    Unit(&'a str),
    /// This existing object: `/`, `/{id}`, or `/administrativeUnits/{au}` when the
    /// object is a member of that AU.
    Object(&'a str),
}

/// Why a caller passed the first check.
#[derive(Debug, Clone)]
pub enum Grant {
    /// An application permission in the token: every target.
    Permission,
    /// The caller's role assignments that may allow the action: (scope, actions).
    Roles(Vec<(String, Vec<String>)>),
}

/// The first check, made before the target is looked up (so a caller with neither
/// permission nor role gets 403 before 404): 403 unless the caller holds one of `perms`
/// or some role that may allow `need` somewhere.
pub fn grant(v: &View<'_>, caller: &Caller, perms: &[&str], need: &Need) -> AppResult<Grant> {
    if caller.has_any(perms) {
        return Ok(Grant::Permission);
    }
    let held = held_roles(v, caller);
    let relevant: Vec<_> = held
        .into_iter()
        .filter(|(_, actions)| actions.iter().any(|a| need.maybe_allowed_by(a)))
        .collect();
    if relevant.is_empty() {
        return Err(AppError::forbidden());
    }
    Ok(Grant::Roles(relevant))
}

impl Grant {
    /// The second check, once the target is known: 403 unless a permission or an
    /// assignment at a covering scope allows `need` on it.
    pub fn check(&self, v: &View<'_>, need: &Need, target: Target<'_>) -> AppResult<()> {
        let allowed = match self {
            Grant::Permission => true,
            Grant::Roles(held) => held.iter().any(|(scope, actions)| {
                scope_covers(v, scope, target) && actions.iter().any(|a| need.allowed_by(a))
            }),
        };
        if allowed {
            Ok(())
        } else {
            tracing::debug!("role check refused {}", need.action());
            Err(AppError::forbidden())
        }
    }
}

/// Both checks at once, for a target already looked up.
pub fn require(
    v: &View<'_>,
    caller: &Caller,
    perms: &[&str],
    need: &Need,
    target: Target<'_>,
) -> AppResult<()> {
    grant(v, caller, perms, need)?.check(v, need, target)
}

/// Whether the caller may read objects of `kind` (`standard/read`, any scope).
pub fn can_read(v: &View<'_>, caller: &Caller, perms: &[&str], kind: ObjectKind) -> bool {
    require(
        v,
        caller,
        perms,
        &Need::new(kind, "standard/read"),
        Target::Anywhere,
    )
    .is_ok()
}

/// A write on one existing object that needs every one of its tasks: [`ObjectWrite::gate`]
/// before the object is looked up, [`ObjectWrite::check`] once it is.
#[derive(Debug, Clone)]
pub struct ObjectWrite {
    kind: ObjectKind,
    checks: Vec<(&'static str, Grant)>,
}

impl ObjectWrite {
    /// 403 unless a permission in `perms` or some role may allow each task on `kind`.
    pub fn gate(
        v: &View<'_>,
        caller: &Caller,
        perms: &[&str],
        kind: ObjectKind,
        tasks: &[&'static str],
    ) -> AppResult<Self> {
        let checks = tasks
            .iter()
            .map(|t| Ok((*t, grant(v, caller, perms, &Need::new(kind, t))?)))
            .collect::<AppResult<_>>()?;
        Ok(Self { kind, checks })
    }

    /// 403 unless each task is allowed on `obj` at a scope covering it.
    pub fn check(&self, v: &View<'_>, obj: &DirObject) -> AppResult<()> {
        for (task, grant) in &self.checks {
            let need = Need::on(self.kind, &obj.props, task);
            grant.check(v, &need, Target::Object(&obj.id))?;
        }
        Ok(())
    }
}

/// The caller's enabled role assignments visible at `v`: (scope, allowed actions).
fn held_roles(v: &View<'_>, caller: &Caller) -> Vec<(String, Vec<String>)> {
    if caller.object_id.is_empty() {
        return Vec::new();
    }
    v.assignments()
        .into_iter()
        .filter(|a| holds(v, caller, &a.principal_id))
        .filter_map(|a| {
            let actions = definition_actions(v, &a.role_definition_id)?;
            Some((a.directory_scope_id.clone(), actions))
        })
        .collect()
}

/// Whether `principal` is the caller, or a role-assignable group it directly belongs to.
fn holds(v: &View<'_>, caller: &Caller, principal: &str) -> bool {
    if principal.eq_ignore_ascii_case(&caller.object_id) {
        return true;
    }
    v.get_kind(principal, ObjectKind::Group)
        .is_ok_and(|g| g.bool_prop("isAssignableToRole"))
        && v.is_group_member(principal, &caller.object_id.to_ascii_lowercase())
}

/// The allowed actions of a built-in or (enabled, replicated) custom role definition.
fn definition_actions(v: &View<'_>, id: &str) -> Option<Vec<String>> {
    if let Some(b) = roles_catalog::builtin(id) {
        return Some(b.actions.iter().map(|a| (*a).to_owned()).collect());
    }
    v.custom_role(id)
        .filter(|c| c.is_enabled)
        .map(|c| c.allowed_resource_actions.clone())
}

/// Whether an assignment at `scope` covers `target`.
fn scope_covers(v: &View<'_>, scope: &str, target: Target<'_>) -> bool {
    if scope == "/" {
        return true;
    }
    let unit = unit_of(scope);
    match target {
        Target::Anywhere => true,
        Target::Tenant => false,
        Target::Unit(au) => unit.is_some_and(|u| u.eq_ignore_ascii_case(au)),
        Target::Object(id) => match unit {
            Some(au) => v.is_member(&au.to_ascii_lowercase(), id),
            None => scope
                .strip_prefix('/')
                .is_some_and(|obj| obj.eq_ignore_ascii_case(id)),
        },
    }
}

/// The AU id of an `/administrativeUnits/{id}` scope.
fn unit_of(scope: &str) -> Option<&str> {
    const PREFIX: &str = "/administrativeunits/";
    let head = scope.get(..PREFIX.len())?;
    head.eq_ignore_ascii_case(PREFIX)
        .then(|| &scope[PREFIX.len()..])
        .filter(|id| !id.is_empty() && !id.contains('/'))
}
