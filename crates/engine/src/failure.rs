//! Why one plugin call failed, typed (docs/plugins.md, "Limits and failures").

use serde::Serialize;

/// Why one plugin call produced no decisions. Each variant is one row of the failure table in
/// docs/plugins.md; callers act on the variant (or [`PluginFailure::kind`]), never on text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PluginFailure {
    /// The call ran past the manifest's `timeout_ms` (epoch interruption).
    #[error("ran past its deadline of {timeout_ms} ms")]
    Deadline {
        /// The budget it exceeded.
        timeout_ms: u64,
    },
    /// Linear memory would have grown past the manifest's `memory_mib`.
    #[error("needed more than its memory limit of {limit_bytes} bytes")]
    Memory {
        /// The limit it hit.
        limit_bytes: usize,
    },
    /// Unbounded recursion exhausted the wasm stack.
    #[error("exhausted its stack")]
    StackOverflow,
    /// Any other trap: `unreachable` (a Rust panic), an out-of-bounds access, or a result that
    /// breaks the canonical ABI (invalid UTF-8, out-of-bounds pointers, more data than the host
    /// copies in one call).
    #[error("trapped: {message}")]
    Trap {
        /// What wasmtime reported.
        message: String,
    },
    /// The returned actions broke the output limits or could not be read (too many actions, too
    /// many bytes, `fields-json` / `detail-json` that is not a JSON object).
    #[error("returned invalid output: {reason}")]
    Output {
        /// Which limit or which action.
        reason: String,
    },
    /// The plugin returned `err(plugin-error)`.
    #[serde(rename = "plugin-error")]
    #[error("reported an error: {code}: {message}")]
    Plugin {
        /// The plugin's short stable code.
        code: String,
        /// Its message.
        message: String,
        /// Whether handling the same event again may succeed.
        retryable: bool,
    },
    /// The component could not be instantiated (the instance pool is exhausted, a start
    /// function failed ...).
    #[error("could not be instantiated: {message}")]
    Instantiate {
        /// What wasmtime reported.
        message: String,
    },
    /// The host's state store failed while the plugin read its state, or while the host saved
    /// the state writes of a call that returned `ok`. Not the plugin's fault; its actions are
    /// dropped so that they never run on state that was not kept.
    #[error("state store failed: {message}")]
    StateStore {
        /// What the store reported.
        message: String,
    },
}

impl PluginFailure {
    /// The stable name recorded with the event: `deadline`, `memory`, `stack-overflow`, `trap`,
    /// `output`, `plugin-error`, `instantiate` or `state-store`.
    pub fn kind(&self) -> &'static str {
        match self {
            PluginFailure::Deadline { .. } => "deadline",
            PluginFailure::Memory { .. } => "memory",
            PluginFailure::StackOverflow => "stack-overflow",
            PluginFailure::Trap { .. } => "trap",
            PluginFailure::Output { .. } => "output",
            PluginFailure::Plugin { .. } => "plugin-error",
            PluginFailure::Instantiate { .. } => "instantiate",
            PluginFailure::StateStore { .. } => "state-store",
        }
    }

    /// Whether handling the same event again may succeed: a plugin's own say for
    /// `plugin-error`; deadlines, instantiation (pool exhaustion) and the state store are
    /// transient; the rest fail the same way again.
    pub fn retryable(&self) -> bool {
        match self {
            PluginFailure::Plugin { retryable, .. } => *retryable,
            PluginFailure::Deadline { .. }
            | PluginFailure::Instantiate { .. }
            | PluginFailure::StateStore { .. } => true,
            PluginFailure::Memory { .. }
            | PluginFailure::StackOverflow
            | PluginFailure::Trap { .. }
            | PluginFailure::Output { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_the_documented_table() {
        let docs = include_str!("../../../docs/plugins.md");
        let all = [
            PluginFailure::Deadline { timeout_ms: 1 },
            PluginFailure::Memory { limit_bytes: 1 },
            PluginFailure::StackOverflow,
            PluginFailure::Trap {
                message: "x".into(),
            },
            PluginFailure::Output { reason: "x".into() },
            PluginFailure::Plugin {
                code: "c".into(),
                message: "m".into(),
                retryable: false,
            },
        ];
        for failure in &all {
            let cell = format!("| `{}` |", failure.kind());
            assert!(docs.contains(&cell), "docs/plugins.md lacks {cell}");
            let json = serde_json::to_value(failure).unwrap();
            assert_eq!(json["kind"], failure.kind());
        }
    }
}
