//! What the host offers a plugin: logging, its own configuration, small per-plugin state.
//!
//! Outside a wasm host (native unit tests) these functions are not available: calling one
//! panics. Keep decisions in plain functions you can test natively.

use std::str::FromStr;

use crate::PluginError;
use crate::bindings::streamhooks::plugin::host;

/// A value from the plugin's own configuration (its manifest's `[config]`), if set.
///
/// ```no_run
/// let template = streamhooks_sdk::config("record_url");
/// ```
pub fn config(key: &str) -> Option<String> {
    host::config(key)
}

/// A configuration value, or `default` when it is not set.
///
/// ```no_run
/// let title = streamhooks_sdk::config_or("title", "Customer");
/// ```
pub fn config_or(key: &str, default: &str) -> String {
    config(key).unwrap_or_else(|| default.to_owned())
}

/// A configuration value that must be set: a `missing-config` error otherwise.
///
/// ```no_run
/// # fn f() -> Result<(), streamhooks_sdk::PluginError> {
/// let flow = streamhooks_sdk::require_config("contact_flow_id")?;
/// # Ok(()) }
/// ```
pub fn require_config(key: &str) -> Result<String, PluginError> {
    config(key)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| PluginError::missing_config(key))
}

/// A configuration value parsed as `T` (`u64`, `bool` ...): `None` when not set, a
/// `bad-config` error when it does not parse.
///
/// ```no_run
/// # fn f() -> Result<(), streamhooks_sdk::PluginError> {
/// let max_acw: u64 = streamhooks_sdk::config_parse("max_acw_seconds")?.unwrap_or(180);
/// let set_available: bool = streamhooks_sdk::config_parse("set_available")?.unwrap_or(false);
/// # Ok(()) }
/// ```
pub fn config_parse<T>(key: &str) -> Result<Option<T>, PluginError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    config(key)
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|e| PluginError::bad_config(key, format!("{v:?}: {e}")))
        })
        .transpose()
}

/// Logging, attributed by the host to the plugin and the event. Volume is capped per event
/// (the manifest's `max_log_kib`); past the cap lines are dropped and counted. Never log
/// customer data you do not need (phone numbers, attributes).
///
/// ```no_run
/// use streamhooks_sdk::log;
///
/// log::info("plain message");
/// let contact_id = "c-1";
/// log::info!("handled contact {contact_id}");
/// log::warn!("no CustomerId on {}", contact_id);
/// ```
pub mod log {
    pub use crate::Level;
    use crate::bindings::streamhooks::plugin::host;

    /// Writes one line at `level`.
    ///
    /// ```no_run
    /// streamhooks_sdk::log::log(streamhooks_sdk::Level::Debug, "details");
    /// ```
    pub fn log(level: Level, message: &str) {
        host::log(level, message);
    }

    /// Writes one `trace` line.
    ///
    /// ```no_run
    /// streamhooks_sdk::log::trace("entering");
    /// ```
    pub fn trace(message: &str) {
        log(Level::Trace, message);
    }

    /// Writes one `debug` line.
    ///
    /// ```no_run
    /// streamhooks_sdk::log::debug("state key absent");
    /// ```
    pub fn debug(message: &str) {
        log(Level::Debug, message);
    }

    /// Writes one `info` line.
    ///
    /// ```no_run
    /// streamhooks_sdk::log::info("task created");
    /// ```
    pub fn info(message: &str) {
        log(Level::Info, message);
    }

    /// Writes one `warn` line.
    ///
    /// ```no_run
    /// streamhooks_sdk::log::warn("attribute missing");
    /// ```
    pub fn warn(message: &str) {
        log(Level::Warn, message);
    }

    /// Writes one `error` line.
    ///
    /// ```no_run
    /// streamhooks_sdk::log::error("cannot decide");
    /// ```
    pub fn error(message: &str) {
        log(Level::Error, message);
    }

    pub use crate::{debug, error, info, trace, warn};
}

/// Formats and writes a `trace` line: `log::trace!("x = {x}")`.
///
/// ```no_run
/// let x = 1;
/// streamhooks_sdk::log::trace!("x = {x}");
/// ```
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::log::trace(&::std::format!($($arg)+)) };
}

/// Formats and writes a `debug` line: `log::debug!("x = {x}")`.
///
/// ```no_run
/// let x = 1;
/// streamhooks_sdk::log::debug!("x = {x}");
/// ```
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::log::debug(&::std::format!($($arg)+)) };
}

/// Formats and writes an `info` line: `log::info!("x = {x}")`.
///
/// ```no_run
/// let x = 1;
/// streamhooks_sdk::log::info!("x = {x}");
/// ```
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => { $crate::log::info(&::std::format!($($arg)+)) };
}

/// Formats and writes a `warn` line: `log::warn!("x = {x}")`.
///
/// ```no_run
/// let x = 1;
/// streamhooks_sdk::log::warn!("x = {x}");
/// ```
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::log::warn(&::std::format!($($arg)+)) };
}

/// Formats and writes an `error` line: `log::error!("x = {x}")`.
///
/// ```no_run
/// let x = 1;
/// streamhooks_sdk::log::error!("x = {x}");
/// ```
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => { $crate::log::error(&::std::format!($($arg)+)) };
}

/// The plugin's own small key/value state, kept by the host between events (private to the
/// plugin). Writes take effect only when the handler returns `Ok`; limits come from the
/// manifest (`max_state_keys`, `max_state_value_bytes`). There is no expiry and no listing:
/// delete what you no longer need (e.g. per-contact keys when the contact is destroyed).
///
/// ```no_run
/// use streamhooks_sdk::state;
///
/// # fn f() -> Result<(), streamhooks_sdk::PluginError> {
/// state::set("last-contact", "contact-1")?;
/// assert_eq!(state::get_string("last-contact").as_deref(), Some("contact-1"));
/// if state::mark("popped/contact-1")? {
///     // first time for this contact
/// }
/// state::delete("last-contact");
/// # Ok(()) }
/// ```
pub mod state {
    use crate::StateError;
    use crate::bindings::streamhooks::plugin::host;

    /// The value stored under `key`, if any.
    ///
    /// ```no_run
    /// let bytes: Option<Vec<u8>> = streamhooks_sdk::state::get("key");
    /// ```
    pub fn get(key: &str) -> Option<Vec<u8>> {
        host::state_get(key)
    }

    /// The value stored under `key` as UTF-8 text (`None` if absent or not UTF-8).
    ///
    /// ```no_run
    /// let text: Option<String> = streamhooks_sdk::state::get_string("key");
    /// ```
    pub fn get_string(key: &str) -> Option<String> {
        get(key).and_then(|v| String::from_utf8(v).ok())
    }

    /// Stores `value` under `key`.
    ///
    /// ```no_run
    /// # fn f() -> Result<(), streamhooks_sdk::PluginError> {
    /// streamhooks_sdk::state::set("key", "value")?;
    /// streamhooks_sdk::state::set("bytes", [1u8, 2, 3])?;
    /// # Ok(()) }
    /// ```
    pub fn set(key: &str, value: impl AsRef<[u8]>) -> Result<(), StateError> {
        host::state_set(key, value.as_ref())
    }

    /// Removes `key` (nothing happens if it is absent).
    ///
    /// ```no_run
    /// streamhooks_sdk::state::delete("key");
    /// ```
    pub fn delete(key: &str) {
        host::state_delete(key);
    }

    /// Whether `key` is stored.
    ///
    /// ```no_run
    /// let seen = streamhooks_sdk::state::contains("popped/contact-1");
    /// ```
    pub fn contains(key: &str) -> bool {
        get(key).is_some()
    }

    /// Marks `key` as done: `true` the first time (the key was absent and is now stored),
    /// `false` when it was marked already. For "once per contact" logic.
    ///
    /// ```no_run
    /// # fn f() -> Result<(), streamhooks_sdk::PluginError> {
    /// if !streamhooks_sdk::state::mark("logged/contact-1")? {
    ///     return Ok(()); // done before
    /// }
    /// # Ok(()) }
    /// ```
    pub fn mark(key: &str) -> Result<bool, StateError> {
        if contains(key) {
            return Ok(false);
        }
        set(key, [1u8])?;
        Ok(true)
    }

    /// A bounded set of recent items (contact ids ...) kept in ONE state value, oldest dropped
    /// first: "once per contact" without one key per contact, so state never grows without
    /// bound. Items must not contain a newline. Changes are stored by [`RecentSet::save`].
    ///
    /// ```no_run
    /// use streamhooks_sdk::state::RecentSet;
    ///
    /// # fn f() -> Result<(), streamhooks_sdk::PluginError> {
    /// let mut done = RecentSet::load("logged", 100);
    /// if done.insert("contact-1") {
    ///     done.save()?; // first time: act, and remember it
    /// }
    /// # Ok(()) }
    /// ```
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RecentSet {
        key: String,
        capacity: usize,
        items: Vec<String>,
    }

    impl RecentSet {
        /// The set stored under `key` (empty if absent), keeping at most `capacity` items.
        ///
        /// ```no_run
        /// let set = streamhooks_sdk::state::RecentSet::load("popped", 50);
        /// ```
        pub fn load(key: &str, capacity: usize) -> Self {
            let items = get_string(key)
                .map(|v| v.lines().map(str::to_owned).collect())
                .unwrap_or_default();
            Self::from_items(key, capacity, items)
        }

        /// A set with these items (oldest first), not yet stored: for tests and migrations.
        ///
        /// ```
        /// use streamhooks_sdk::state::RecentSet;
        /// let set = RecentSet::from_items("k", 2, vec!["a".into(), "b".into(), "c".into()]);
        /// assert!(!set.contains("a") && set.contains("c"));
        /// ```
        pub fn from_items(key: &str, capacity: usize, mut items: Vec<String>) -> Self {
            if items.len() > capacity {
                items.drain(..items.len() - capacity);
            }
            RecentSet {
                key: key.to_owned(),
                capacity,
                items,
            }
        }

        /// Whether `item` is in the set.
        ///
        /// ```
        /// use streamhooks_sdk::state::RecentSet;
        /// let set = RecentSet::from_items("k", 10, vec!["a".into()]);
        /// assert!(set.contains("a"));
        /// ```
        pub fn contains(&self, item: &str) -> bool {
            self.items.iter().any(|i| i == item)
        }

        /// Adds `item`: `true` if it was not there. Past the capacity the oldest item goes.
        ///
        /// ```
        /// use streamhooks_sdk::state::RecentSet;
        /// let mut set = RecentSet::from_items("k", 2, Vec::new());
        /// assert!(set.insert("a"));
        /// assert!(!set.insert("a"));
        /// set.insert("b");
        /// set.insert("c");
        /// assert!(!set.contains("a"));
        /// ```
        pub fn insert(&mut self, item: &str) -> bool {
            if self.contains(item) {
                return false;
            }
            self.items.push(item.replace('\n', " "));
            if self.items.len() > self.capacity {
                self.items.remove(0);
            }
            true
        }

        /// Removes `item`: `true` if it was there.
        ///
        /// ```
        /// use streamhooks_sdk::state::RecentSet;
        /// let mut set = RecentSet::from_items("k", 10, vec!["a".into()]);
        /// assert!(set.remove("a"));
        /// assert!(!set.remove("a"));
        /// ```
        pub fn remove(&mut self, item: &str) -> bool {
            let before = self.items.len();
            self.items.retain(|i| i != item);
            self.items.len() != before
        }

        /// The items, oldest first.
        ///
        /// ```
        /// use streamhooks_sdk::state::RecentSet;
        /// let set = RecentSet::from_items("k", 10, vec!["a".into(), "b".into()]);
        /// assert_eq!(set.items(), ["a", "b"]);
        /// ```
        pub fn items(&self) -> &[String] {
            &self.items
        }

        /// Stores the set (or deletes the key when the set is empty).
        ///
        /// ```no_run
        /// # fn f() -> Result<(), streamhooks_sdk::StateError> {
        /// let mut set = streamhooks_sdk::state::RecentSet::load("k", 10);
        /// set.insert("a");
        /// set.save()?;
        /// # Ok(()) }
        /// ```
        pub fn save(&self) -> Result<(), StateError> {
            if self.items.is_empty() {
                delete(&self.key);
                Ok(())
            } else {
                set(&self.key, self.items.join("\n"))
            }
        }
    }
}
