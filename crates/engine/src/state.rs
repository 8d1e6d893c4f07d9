//! Small per-plugin state: the [`StateStore`] port, an in-memory implementation, and the
//! per-call view that buffers a plugin's writes until its call returns `ok`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use crate::bindings::host::StateError;

/// The longest state key a plugin may use, in bytes.
pub const MAX_STATE_KEY_BYTES: usize = 256;

/// One write a plugin made during a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateWrite {
    /// Set `key` to `value`.
    Set {
        /// The key.
        key: String,
        /// The value.
        value: Vec<u8>,
    },
    /// Remove `key`.
    Delete {
        /// The key.
        key: String,
    },
}

/// The state store could not serve a request: it is unreachable or throttled (`retryable`),
/// or it refuses the request (a value or a transaction too large for it ...), which trying
/// again will not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state store {}: {reason}", if *.retryable { "unavailable" } else { "refused the request" })]
pub struct StateStoreError {
    /// What went wrong.
    pub reason: String,
    /// Whether trying again may succeed.
    pub retryable: bool,
}

impl StateStoreError {
    /// The store cannot serve now (unreachable, throttled, timed out).
    pub fn unavailable(reason: impl Into<String>) -> StateStoreError {
        StateStoreError {
            reason: reason.into(),
            retryable: true,
        }
    }

    /// The store refuses the request; trying again will not help.
    pub fn refused(reason: impl Into<String>) -> StateStoreError {
        StateStoreError {
            reason: reason.into(),
            retryable: false,
        }
    }
}

/// Where plugins' state lives: one namespace per plugin name. Implemented by
/// [`MemoryStore`] here and by adapters for durable stores (DynamoDB) elsewhere.
///
/// Limits (key length, value size, key count) are enforced by the engine before writes reach
/// the store; an adapter need not repeat them.
pub trait StateStore: Send + Sync {
    /// The value of `key` in `plugin`'s namespace.
    fn get(&self, plugin: &str, key: &str) -> Result<Option<Vec<u8>>, StateStoreError>;

    /// How many keys `plugin` holds.
    fn key_count(&self, plugin: &str) -> Result<usize, StateStoreError>;

    /// Applies `writes`, in order, all or none.
    fn apply(&self, plugin: &str, writes: &[StateWrite]) -> Result<(), StateStoreError>;
}

/// A [`StateStore`] in process memory: for tests and local runs. State is lost when the
/// process ends.
#[derive(Debug, Default)]
pub struct MemoryStore {
    plugins: Mutex<HashMap<String, BTreeMap<String, Vec<u8>>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Every key and value `plugin` holds, sorted by key.
    pub fn snapshot(&self, plugin: &str) -> BTreeMap<String, Vec<u8>> {
        let plugins = self.plugins.lock().unwrap_or_else(PoisonError::into_inner);
        plugins.get(plugin).cloned().unwrap_or_default()
    }
}

impl StateStore for MemoryStore {
    fn get(&self, plugin: &str, key: &str) -> Result<Option<Vec<u8>>, StateStoreError> {
        let plugins = self.plugins.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(plugins.get(plugin).and_then(|m| m.get(key)).cloned())
    }

    fn key_count(&self, plugin: &str) -> Result<usize, StateStoreError> {
        let plugins = self.plugins.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(plugins.get(plugin).map_or(0, BTreeMap::len))
    }

    fn apply(&self, plugin: &str, writes: &[StateWrite]) -> Result<(), StateStoreError> {
        // One lock for the whole batch: readers see all of it or none of it.
        let mut plugins = self.plugins.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = plugins.entry(plugin.to_owned()).or_default();
        for write in writes {
            match write {
                StateWrite::Set { key, value } => {
                    entries.insert(key.clone(), value.clone());
                }
                StateWrite::Delete { key } => {
                    entries.remove(key);
                }
            }
        }
        if entries.is_empty() {
            plugins.remove(plugin);
        }
        Ok(())
    }
}

/// Limits on one plugin's state, from its manifest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StateLimits {
    pub(crate) max_keys: usize,
    pub(crate) max_value_bytes: usize,
}

/// One call's view of a plugin's state: reads go through the buffered writes to the store;
/// writes are buffered and handed back by [`StateView::into_writes`] for the host to apply
/// only if the call returned `ok`.
pub(crate) struct StateView {
    store: Arc<dyn StateStore>,
    plugin: Arc<str>,
    limits: StateLimits,
    /// What this call wrote, by key: `Some` set, `None` deleted.
    overlay: BTreeMap<String, Option<Vec<u8>>>,
    /// The writes in call order, compacted to the last one per key by `into_writes`.
    writes: Vec<StateWrite>,
    /// Keys this call added (positive) or removed (negative) relative to the store.
    key_delta: isize,
    /// The store's key count, read once on the first write that adds a key.
    base_count: Option<usize>,
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl StateView {
    pub(crate) fn new(
        store: Arc<dyn StateStore>,
        plugin: Arc<str>,
        limits: StateLimits,
    ) -> StateView {
        StateView {
            store,
            plugin,
            limits,
            overlay: BTreeMap::new(),
            writes: Vec::new(),
            key_delta: 0,
            base_count: None,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StateStoreError> {
        match self.overlay.get(key) {
            Some(buffered) => Ok(buffered.clone()),
            None if key.len() > MAX_STATE_KEY_BYTES => Ok(None),
            None => self.store.get(&self.plugin, key),
        }
    }

    fn exists(&self, key: &str) -> Result<bool, StateStoreError> {
        match self.overlay.get(key) {
            Some(buffered) => Ok(buffered.is_some()),
            None => Ok(self.store.get(&self.plugin, key)?.is_some()),
        }
    }

    pub(crate) fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StateError> {
        if key.len() > MAX_STATE_KEY_BYTES {
            return Err(StateError::KeyTooLong(clamp_u32(MAX_STATE_KEY_BYTES)));
        }
        if value.len() > self.limits.max_value_bytes {
            return Err(StateError::ValueTooLarge(clamp_u32(
                self.limits.max_value_bytes,
            )));
        }
        let unavailable = |e: StateStoreError| StateError::Unavailable(e.reason);
        if !self.exists(&key).map_err(unavailable)? {
            let base = match self.base_count {
                Some(n) => n,
                None => {
                    let n = self.store.key_count(&self.plugin).map_err(unavailable)?;
                    *self.base_count.insert(n)
                }
            };
            let after = base.saturating_add_signed(self.key_delta + 1);
            if after > self.limits.max_keys {
                return Err(StateError::TooManyKeys(clamp_u32(self.limits.max_keys)));
            }
            self.key_delta += 1;
        }
        self.overlay.insert(key.clone(), Some(value.clone()));
        self.writes.push(StateWrite::Set { key, value });
        Ok(())
    }

    pub(crate) fn delete(&mut self, key: String) -> Result<(), StateStoreError> {
        if key.len() > MAX_STATE_KEY_BYTES {
            // Such a key can never have been stored.
            return Ok(());
        }
        if self.exists(&key)? {
            self.key_delta -= 1;
        }
        self.overlay.insert(key.clone(), None);
        self.writes.push(StateWrite::Delete { key });
        Ok(())
    }

    /// The writes to apply: the last one per key, in the order keys were last written.
    pub(crate) fn into_writes(self) -> Vec<StateWrite> {
        let mut seen = std::collections::HashSet::new();
        let mut last: Vec<StateWrite> = self
            .writes
            .into_iter()
            .rev()
            .filter(|w| {
                let key = match w {
                    StateWrite::Set { key, .. } | StateWrite::Delete { key } => key,
                };
                seen.insert(key.clone())
            })
            .collect();
        last.reverse();
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: StateLimits = StateLimits {
        max_keys: 2,
        max_value_bytes: 8,
    };

    #[test]
    fn reads_see_buffered_writes_and_nothing_reaches_the_store_until_applied() {
        let store = Arc::new(MemoryStore::new());
        let mut view = StateView::new(store.clone(), "p".into(), LIMITS);
        view.set("a".into(), b"1".to_vec()).unwrap();
        assert_eq!(view.get("a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(store.get("p", "a").unwrap(), None);
        view.delete("a".into()).unwrap();
        assert_eq!(view.get("a").unwrap(), None);
        view.set("a".into(), b"2".to_vec()).unwrap();
        let writes = view.into_writes();
        assert_eq!(
            writes,
            vec![StateWrite::Set {
                key: "a".into(),
                value: b"2".to_vec()
            }]
        );
        store.apply("p", &writes).unwrap();
        assert_eq!(store.get("p", "a").unwrap(), Some(b"2".to_vec()));
        assert_eq!(store.get("other", "a").unwrap(), None);
    }

    #[test]
    fn limits_give_the_wit_errors() {
        let store = Arc::new(MemoryStore::new());
        store
            .apply(
                "p",
                &[StateWrite::Set {
                    key: "old".into(),
                    value: vec![],
                }],
            )
            .unwrap();
        let mut view = StateView::new(store, "p".into(), LIMITS);
        assert_eq!(
            view.set("k".repeat(257), vec![]),
            Err(StateError::KeyTooLong(256))
        );
        assert_eq!(
            view.set("k".into(), vec![0; 9]),
            Err(StateError::ValueTooLarge(8))
        );
        view.set("new".into(), vec![]).unwrap();
        assert_eq!(
            view.set("third".into(), vec![]),
            Err(StateError::TooManyKeys(2))
        );
        // Overwriting a key adds none; deleting one makes room.
        view.set("old".into(), vec![1]).unwrap();
        view.delete("old".into()).unwrap();
        view.set("third".into(), vec![]).unwrap();
    }
}
