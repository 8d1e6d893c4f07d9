//! What a plugin's store holds for one call: its config, its state view, its log buffer and
//! its memory limiter; and the `host` interface implemented over them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use wasmtime::ResourceLimiter;

use crate::bindings::{host, types};
use crate::state::StateView;

/// A log line's level, as the plugin gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// `trace`.
    Trace,
    /// `debug`.
    Debug,
    /// `info`.
    Info,
    /// `warn`.
    Warn,
    /// `error`.
    Error,
}

impl LogLevel {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

impl From<host::Level> for LogLevel {
    fn from(level: host::Level) -> LogLevel {
        match level {
            host::Level::Trace => LogLevel::Trace,
            host::Level::Debug => LogLevel::Debug,
            host::Level::Info => LogLevel::Info,
            host::Level::Warn => LogLevel::Warn,
            host::Level::Error => LogLevel::Error,
        }
    }
}

/// One line a plugin logged during a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// Its level.
    pub level: LogLevel,
    /// The message, as the plugin wrote it.
    pub message: String,
}

/// A call's log lines, up to a byte cap; past it lines are dropped and counted.
#[derive(Debug, Default)]
pub(crate) struct LogBuffer {
    cap_bytes: usize,
    used_bytes: usize,
    pub(crate) lines: Vec<LogLine>,
    pub(crate) dropped_lines: u64,
    pub(crate) dropped_bytes: u64,
}

impl LogBuffer {
    pub(crate) fn new(cap_bytes: usize) -> LogBuffer {
        LogBuffer {
            cap_bytes,
            ..LogBuffer::default()
        }
    }

    /// Keeps the line if it fits under the cap; says whether it did.
    fn push(&mut self, level: LogLevel, message: String) -> Option<&LogLine> {
        let fits = self
            .used_bytes
            .checked_add(message.len())
            .is_some_and(|n| n <= self.cap_bytes);
        if !fits {
            self.dropped_lines += 1;
            self.dropped_bytes += message.len() as u64;
            return None;
        }
        self.used_bytes += message.len();
        self.lines.push(LogLine { level, message });
        self.lines.last()
    }
}

/// Enforces a plugin's memory limit and remembers that it refused, so that the failure that
/// follows (a Rust guest aborts when allocation fails) is recorded as `memory`.
#[derive(Debug)]
pub(crate) struct Limiter {
    memory_limit: usize,
    pub(crate) memory_refused: bool,
}

/// Table growth is not a plugin limit of its own; this keeps a plugin from growing its tables
/// without bound (the pooling allocator's `table_elements` caps it again).
const MAX_TABLE_ELEMENTS: usize = 100_000;

impl Limiter {
    pub(crate) fn new(memory_limit: usize) -> Limiter {
        Limiter {
            memory_limit,
            memory_refused: false,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.memory_refused = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// The data of one call's `Store`.
pub(crate) struct HostState {
    pub(crate) plugin: Arc<str>,
    pub(crate) event_id: Arc<str>,
    pub(crate) config: Arc<BTreeMap<String, String>>,
    pub(crate) state: StateView,
    pub(crate) logs: LogBuffer,
    pub(crate) limiter: Limiter,
}

macro_rules! emit {
    ($level:expr, $plugin:expr, $event_id:expr, $message:expr) => {
        match $level {
            LogLevel::Trace => tracing::trace!(target: "streamhooks::plugin", plugin = %$plugin, event_id = %$event_id, level = "trace", "{}", $message),
            LogLevel::Debug => tracing::debug!(target: "streamhooks::plugin", plugin = %$plugin, event_id = %$event_id, level = "debug", "{}", $message),
            LogLevel::Info => tracing::info!(target: "streamhooks::plugin", plugin = %$plugin, event_id = %$event_id, level = "info", "{}", $message),
            LogLevel::Warn => tracing::warn!(target: "streamhooks::plugin", plugin = %$plugin, event_id = %$event_id, level = "warn", "{}", $message),
            LogLevel::Error => tracing::error!(target: "streamhooks::plugin", plugin = %$plugin, event_id = %$event_id, level = "error", "{}", $message),
        }
    };
}

impl host::Host for HostState {
    fn log(&mut self, level: host::Level, message: String) {
        let level = LogLevel::from(level);
        if let Some(line) = self.logs.push(level, message) {
            emit!(line.level, self.plugin, self.event_id, line.message);
        }
    }

    fn config(&mut self, key: String) -> Option<String> {
        self.config.get(&key).cloned()
    }

    fn state_get(&mut self, key: String) -> wasmtime::Result<Option<Vec<u8>>> {
        // A store failure traps the call; the host records it as `state-store`.
        self.state.get(&key).map_err(wasmtime::Error::new)
    }

    fn state_set(&mut self, key: String, value: Vec<u8>) -> Result<(), host::StateError> {
        self.state.set(key, value)
    }

    fn state_delete(&mut self, key: String) -> wasmtime::Result<()> {
        self.state.delete(key).map_err(wasmtime::Error::new)
    }
}

impl types::Host for HostState {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_cap_keeps_whole_lines_and_counts_the_rest() {
        let mut logs = LogBuffer::new(10);
        assert!(logs.push(LogLevel::Info, "12345".into()).is_some());
        assert!(logs.push(LogLevel::Info, "123456".into()).is_none());
        assert!(logs.push(LogLevel::Warn, "12345".into()).is_some());
        assert!(logs.push(LogLevel::Info, "1".into()).is_none());
        assert_eq!(logs.lines.len(), 2);
        assert_eq!((logs.dropped_lines, logs.dropped_bytes), (2, 7));
    }

    #[test]
    fn limiter_refuses_past_the_limit_and_remembers() {
        let mut limiter = Limiter::new(1 << 20);
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap());
        assert!(!limiter.memory_refused);
        assert!(
            !limiter
                .memory_growing(1 << 20, (1 << 20) + 1, None)
                .unwrap()
        );
        assert!(limiter.memory_refused);
    }
}
