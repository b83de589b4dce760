//! `--state FILE`: load at start, save atomically (temp file + rename) after changes.
//! A corrupt or unreadable file stops start-up and is never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use parking_lot::Mutex;

use crate::store::Tenant;

/// Writes the tenant to its state file.
#[derive(Debug)]
pub struct Persister {
    path: PathBuf,
    wanted: AtomicU64,
    written: Mutex<u64>,
}

impl Persister {
    /// Opens `path`: returns the persister and the tenant stored there, if any.
    pub fn open(path: &Path) -> anyhow::Result<(Persister, Option<Tenant>)> {
        let loaded = match std::fs::read(path) {
            Ok(bytes) => Some(serde_json::from_slice::<Tenant>(&bytes).with_context(|| {
                format!(
                    "state file {} is not a valid emulator state (refusing to start; fix or remove it)",
                    path.display()
                )
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot read state file {} (refusing to start)", path.display())
                });
            }
        };
        Ok((
            Persister {
                path: path.to_owned(),
                wanted: AtomicU64::new(0),
                written: Mutex::new(0),
            },
            loaded,
        ))
    }

    /// Records a change and saves the tenant `snapshot` returns.
    pub fn mark_dirty(&self, snapshot: impl FnOnce() -> Tenant) {
        self.wanted.fetch_add(1, Ordering::SeqCst);
        self.flush(snapshot);
    }

    /// Saves the tenant `snapshot` returns if there are unsaved changes. Writers
    /// serialize on a mutex and the snapshot is taken inside it, so the file always ends
    /// with the latest state.
    pub fn flush(&self, snapshot: impl FnOnce() -> Tenant) {
        let mut written = self.written.lock();
        let wanted = self.wanted.load(Ordering::SeqCst);
        if *written >= wanted && wanted != 0 {
            return;
        }
        let snapshot = snapshot();
        match write_atomic(&self.path, &snapshot) {
            Ok(()) => *written = wanted,
            Err(e) => tracing::error!("saving state to {}: {e:#}", self.path.display()),
        }
    }
}

fn write_atomic(path: &Path, tenant: &Tenant) -> anyhow::Result<()> {
    let bytes = serde_json::to_vec(tenant).context("serializing state")?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}
