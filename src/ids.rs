//! Typed resource ids: what import accepts and what state stores.

use std::fmt;
use std::str::FromStr;

/// An administrative unit's object id. Import accepts the bare GUID or the
/// `azuread` provider's form `/directory/administrativeUnits/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministrativeUnitId(pub String);

/// An id that is not in any accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a valid {kind} id; expected {expected}")]
pub struct IdError {
    /// What was given.
    pub input: String,
    /// What kind of id.
    pub kind: &'static str,
    /// The accepted forms.
    pub expected: &'static str,
}

const AZUREAD_AU_PREFIX: &str = "/directory/administrativeUnits/";

/// Whether `s` is a GUID in its usual hyphenated form.
pub fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

impl FromStr for AdministrativeUnitId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let guid = trimmed.strip_prefix(AZUREAD_AU_PREFIX).unwrap_or(trimmed);
        if is_guid(guid) {
            Ok(AdministrativeUnitId(guid.to_ascii_lowercase()))
        } else {
            Err(IdError {
                input: s.to_owned(),
                kind: "administrative unit",
                expected: "an object id such as 5d107bba-d8e2-4e13-b6ae-884be90e5d1a, or /directory/administrativeUnits/{id}",
            })
        }
    }
}

impl fmt::Display for AdministrativeUnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrative_unit_ids_accept_our_form_and_azuread_form() {
        let id = "5D107BBA-d8e2-4e13-b6ae-884be90e5d1a";
        let ours: AdministrativeUnitId = id.parse().unwrap();
        assert_eq!(ours.to_string(), "5d107bba-d8e2-4e13-b6ae-884be90e5d1a");
        let theirs: AdministrativeUnitId = format!("/directory/administrativeUnits/{id}").parse().unwrap();
        assert_eq!(ours, theirs);
        let err = "not-an-id".parse::<AdministrativeUnitId>().unwrap_err();
        assert!(err.to_string().contains("expected an object id"), "{err}");
        assert!("/directory/administrativeUnits/".parse::<AdministrativeUnitId>().is_err());
    }
}
