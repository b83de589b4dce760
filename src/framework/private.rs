//! The framework's own private state: bytes Terraform stores next to a resource's
//! state and hands back on every later call, unseen by users. The framework records
//! when this provider created the object, so a read can tell replication lag of a
//! new object from its deletion.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Private state for an object created now.
pub fn created_now() -> Vec<u8> {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    serde_json::json!({ "created_unix_ms": ms as u64 })
        .to_string()
        .into_bytes()
}

/// How long ago the provider created the object, when the private state says so.
pub fn created_ago(private: &[u8]) -> Option<Duration> {
    let json: serde_json::Value = serde_json::from_slice(private).ok()?;
    let created = UNIX_EPOCH + Duration::from_millis(json.get("created_unix_ms")?.as_u64()?);
    Some(
        SystemTime::now()
            .duration_since(created)
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_time_round_trips_and_foreign_bytes_are_ignored() {
        let age = created_ago(&created_now()).unwrap();
        assert!(age < Duration::from_secs(5), "{age:?}");
        assert_eq!(created_ago(b""), None);
        assert_eq!(created_ago(b"{\"other\":1}"), None);
        assert_eq!(created_ago(b"\x00binary"), None);
    }
}
