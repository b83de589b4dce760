//! The framework's own private state: bytes Terraform stores next to a resource's
//! state and hands back on every later call, unseen by users. The framework records
//! what this provider last did to the object and when, so that a read can tell
//! replication lag (a replica that has not seen the change yet) from drift.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What this provider last did to an object, and how long ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastTouch {
    /// Created or changed it: the state is what the API was told.
    Changed(Duration),
    /// Imported it: the state came from a read.
    Imported(Duration),
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Private state for an object this provider created or changed just now.
pub fn changed_now() -> Vec<u8> {
    serde_json::json!({ "changed_unix_ms": now_ms() })
        .to_string()
        .into_bytes()
}

/// Private state for an object this provider imported just now.
pub fn imported_now() -> Vec<u8> {
    serde_json::json!({ "imported_unix_ms": now_ms() })
        .to_string()
        .into_bytes()
}

/// What the private state says this provider last did to the object.
pub fn last_touch(private: &[u8]) -> Option<LastTouch> {
    let json: serde_json::Value = serde_json::from_slice(private).ok()?;
    let ago = |key: &str| {
        let at = UNIX_EPOCH + Duration::from_millis(json.get(key)?.as_u64()?);
        Some(SystemTime::now().duration_since(at).unwrap_or_default())
    };
    ago("changed_unix_ms")
        .or_else(|| ago("created_unix_ms"))
        .map(LastTouch::Changed)
        .or_else(|| ago("imported_unix_ms").map(LastTouch::Imported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touches_round_trip_and_foreign_bytes_are_ignored() {
        let Some(LastTouch::Changed(age)) = last_touch(&changed_now()) else {
            panic!("a change");
        };
        assert!(age < Duration::from_secs(5), "{age:?}");
        assert!(matches!(
            last_touch(&imported_now()),
            Some(LastTouch::Imported(_))
        ));
        assert!(matches!(
            last_touch(b"{\"created_unix_ms\":1}"),
            Some(LastTouch::Changed(_))
        ));
        assert_eq!(last_touch(b""), None);
        assert_eq!(last_touch(b"{\"other\":1}"), None);
        assert_eq!(last_touch(b"\x00binary"), None);
    }
}
