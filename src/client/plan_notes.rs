//! What one provider process learns while planning some resources, for the checks of
//! others in the same plan: Terraform plans a unit before the members that refer to
//! it, and a replacement first with its prior state, then as a new object.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

/// Facts about the units planned so far in this process.
#[derive(Debug, Default)]
pub struct PlanNotes {
    /// Units being replaced: lower-cased display name → their current ids.
    replaced: Mutex<HashMap<String, HashSet<String>>>,
    /// Existing assigned units this plan switches to dynamic membership.
    dynamic: Mutex<HashSet<String>>,
    /// New units (id not known yet) planned so far: (dynamic, assigned).
    new_units: Mutex<(usize, usize)>,
    /// How each unit's members are managed in this plan.
    member_management: Mutex<HashMap<String, Management>>,
}

/// Which resources manage one unit's members in a plan.
#[derive(Debug, Default, Clone, Copy)]
struct Management {
    /// An authoritative `entra_au_members`.
    whole_list: bool,
    /// One or more `entra_au_member`.
    one_by_one: bool,
    /// The conflict was reported already.
    reported: bool,
}

impl PlanNotes {
    /// Records that the unit `id`, now named `name`, is planned for replacement.
    pub fn replacing(&self, name: &str, id: &str) {
        self.replaced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_lowercase())
            .or_default()
            .insert(id.to_ascii_lowercase());
    }

    /// Whether `id` is the unit named `name` that this plan replaces.
    pub fn is_replaced(&self, name: &str, id: &str) -> bool {
        self.replaced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&name.to_lowercase())
            .is_some_and(|ids| ids.contains(&id.to_ascii_lowercase()))
    }

    /// Records whether this plan switches the existing unit `id` to dynamic.
    pub fn planned_type(&self, id: &str, dynamic: bool) {
        let mut set = self.dynamic.lock().unwrap_or_else(PoisonError::into_inner);
        if dynamic {
            set.insert(id.to_ascii_lowercase());
        } else {
            set.remove(&id.to_ascii_lowercase());
        }
    }

    /// Whether this plan switches the existing unit `id` to dynamic.
    pub fn becomes_dynamic(&self, id: &str) -> bool {
        self.dynamic
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&id.to_ascii_lowercase())
    }

    /// Records a new unit planned (its id is unknown until apply).
    pub fn new_unit(&self, dynamic: bool) {
        let mut counts = self
            .new_units
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if dynamic {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }

    /// Whether every new unit planned so far is dynamic (and there is one): a member
    /// whose unit id is not known yet can then only belong to a dynamic unit, as far
    /// as this provider can tell.
    pub fn only_new_dynamic_units(&self) -> bool {
        let (dynamic, assigned) = *self
            .new_units
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        dynamic > 0 && assigned == 0
    }
}

impl PlanNotes {
    /// Records that unit `id`'s members are managed as a whole list (`whole_list`) or
    /// one by one. True once, for the first plan that finds both in this plan.
    pub fn members_managed_both_ways(&self, id: &str, whole_list: bool) -> bool {
        let mut map = self
            .member_management
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let m = map.entry(id.to_ascii_lowercase()).or_default();
        if whole_list {
            m.whole_list = true;
        } else {
            m.one_by_one = true;
        }
        let conflict = m.whole_list && m.one_by_one && !m.reported;
        m.reported |= conflict;
        conflict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_answer_for_what_was_recorded() {
        let notes = PlanNotes::default();
        notes.replacing("Finance", "ABC");
        assert!(notes.is_replaced("finance", "abc"));
        assert!(!notes.is_replaced("finance", "def"));
        notes.planned_type("u1", true);
        assert!(notes.becomes_dynamic("U1"));
        notes.planned_type("u1", false);
        assert!(!notes.becomes_dynamic("u1"));
        assert!(!notes.only_new_dynamic_units());
        notes.new_unit(true);
        assert!(notes.only_new_dynamic_units());
        notes.new_unit(false);
        assert!(!notes.only_new_dynamic_units());
        assert!(!notes.members_managed_both_ways("u2", false));
        assert!(!notes.members_managed_both_ways("u2", false));
        assert!(notes.members_managed_both_ways("U2", true));
        assert!(
            !notes.members_managed_both_ways("u2", false),
            "reported once"
        );
    }
}
