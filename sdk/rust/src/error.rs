//! Helpers on [`PluginError`].

use crate::{PluginError, StateError};

impl PluginError {
    /// An error with a short stable `code` (`missing-config`, `bad-attribute` ...) and a
    /// message; not retryable.
    ///
    /// ```
    /// use streamhooks_sdk::PluginError;
    /// let err = PluginError::new("bad-attribute", "CustomerId is not a number");
    /// assert!(!err.retryable);
    /// ```
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        PluginError {
            code: code.into(),
            message: message.into(),
            retryable: false,
        }
    }

    /// Marks the error retryable: handling the same event again may succeed.
    ///
    /// ```
    /// use streamhooks_sdk::PluginError;
    /// let err = PluginError::new("not-yet", "waiting for the CRM id").retryable();
    /// assert!(err.retryable);
    /// ```
    pub fn retryable(mut self) -> Self {
        self.retryable = true;
        self
    }

    /// A `missing-config` error naming the configuration key.
    ///
    /// ```
    /// let err = streamhooks_sdk::PluginError::missing_config("record_url");
    /// assert_eq!(err.code, "missing-config");
    /// ```
    pub fn missing_config(key: &str) -> Self {
        Self::new(
            "missing-config",
            format!("the plugin's [config] has no `{key}`"),
        )
    }

    /// A `bad-config` error: the configuration value of `key` is unusable.
    ///
    /// ```
    /// let err = streamhooks_sdk::PluginError::bad_config("max_acw_seconds", "not a number");
    /// assert_eq!(err.code, "bad-config");
    /// ```
    pub fn bad_config(key: &str, reason: impl std::fmt::Display) -> Self {
        Self::new("bad-config", format!("config `{key}`: {reason}"))
    }
}

/// A refused state write becomes a `state` error (retryable when the store was unavailable), so
/// `state::set(..)?` works in a hook.
///
/// ```
/// use streamhooks_sdk::{PluginError, StateError};
/// let err = PluginError::from(StateError::TooManyKeys(64));
/// assert_eq!(err.code, "state");
/// assert!(!err.retryable);
/// ```
impl From<StateError> for PluginError {
    fn from(e: StateError) -> Self {
        let retryable = matches!(e, StateError::Unavailable(_));
        let message = match e {
            StateError::KeyTooLong(max) => format!("state key longer than {max} bytes"),
            StateError::ValueTooLarge(max) => format!("state value larger than {max} bytes"),
            StateError::TooManyKeys(max) => format!("state already holds {max} keys"),
            StateError::Unavailable(why) => format!("state store unavailable: {why}"),
        };
        PluginError {
            code: "state".into(),
            message,
            retryable,
        }
    }
}
