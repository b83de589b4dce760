//! The vocabulary the syntax tree and the property catalogue share: the kind of object a
//! rule selects, the value type of a property, and one catalogue entry.
//!
//! Both `ast` (a property node points at its catalogue entry) and `properties` (the
//! catalogue resolves names into property nodes) build on this module, so neither has to
//! import the other's home.

/// The kind of object a rule selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// `user.*` properties.
    User,
    /// `device.*` properties (also written without the prefix).
    Device,
}

impl Subject {
    /// The property prefix without the dot: `user` or `device`.
    pub fn prefix(self) -> &'static str {
        match self {
            Subject::User => "user",
            Subject::Device => "device",
        }
    }
}

/// The value type of a property, which decides the operators it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyType {
    /// Single string.
    String,
    /// `true`/`false`.
    Bool,
    /// Date-time (`-le`/`-ge` allowed).
    DateTime,
    /// Multi-valued strings, tested with `-any`/`-all (_ ...)`.
    StringCollection,
    /// `assignedPlans`, tested with `-any`/`-all (assignedPlan.* ...)`.
    AssignedPlans,
    /// `memberOf`, tested with `-any (group.objectId -in [...])`.
    MemberOf,
}

impl PropertyType {
    /// Whether the property is multi-valued (needs `-any`/`-all`).
    pub fn is_collection(self) -> bool {
        matches!(
            self,
            PropertyType::StringCollection | PropertyType::AssignedPlans | PropertyType::MemberOf
        )
    }
}

/// One catalogued property.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PropertyDef {
    /// User or device.
    pub subject: Subject,
    /// Canonical name without prefix, e.g. `department`.
    pub name: &'static str,
    /// Value type.
    pub ty: PropertyType,
    /// Graph JSON path, dot-separated.
    pub graph_path: &'static str,
}

impl PropertyDef {
    /// The top-level Graph JSON property (for `$select`).
    pub fn graph_property(&self) -> &'static str {
        match self.graph_path.split_once('.') {
            Some((top, _)) => top,
            None => self.graph_path,
        }
    }
}
