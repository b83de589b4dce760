//! One key's recent history: the value before the oldest change still replicating, then
//! every newer change, oldest first.

/// A change's identity and time: its sequence number and when the primary applied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Global change counter (1, 2, ...).
    pub seq: u64,
    /// When the primary applied the change (ms on the emulator's monotonic clock).
    pub at_ms: u64,
}

/// A key's value before its pending changes, and those changes.
#[derive(Debug, Clone)]
pub struct Timeline<T> {
    base: T,
    versions: Vec<(Stamp, T)>,
}

impl<T> Timeline<T> {
    /// A history whose settled value is `base`.
    pub fn new(base: T) -> Self {
        Self {
            base,
            versions: Vec::new(),
        }
    }

    /// Appends a change.
    pub fn push(&mut self, stamp: Stamp, value: T) {
        self.versions.push((stamp, value));
    }

    /// The newest value whose change `arrived` says has reached the reader, else the
    /// value before every pending change.
    pub fn resolve(&self, arrived: impl Fn(Stamp) -> bool) -> &T {
        self.versions
            .iter()
            .rev()
            .find(|(stamp, _)| arrived(*stamp))
            .map_or(&self.base, |(_, v)| v)
    }

    /// Folds every change up to `seq` into the base. True when nothing is pending.
    pub fn settle_through(&mut self, seq: u64) -> bool {
        let done = self
            .versions
            .iter()
            .take_while(|(s, _)| s.seq <= seq)
            .count();
        if let Some((_, value)) = self.versions.drain(..done).last() {
            self.base = value;
        }
        self.versions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(seq: u64) -> Stamp {
        Stamp { seq, at_ms: seq }
    }

    #[test]
    fn resolves_the_newest_arrived_change() {
        let mut t = Timeline::new("old");
        t.push(stamp(1), "middle");
        t.push(stamp(2), "new");
        assert_eq!(*t.resolve(|_| false), "old");
        assert_eq!(*t.resolve(|s| s.seq == 1), "middle");
        assert_eq!(*t.resolve(|s| s.seq == 2), "new");
        assert!(!t.settle_through(1));
        assert_eq!(*t.resolve(|_| false), "middle");
        assert!(t.settle_through(2));
        assert_eq!(*t.resolve(|_| false), "new");
    }
}
