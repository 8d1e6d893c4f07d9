//! The crate's boundary error.

use std::path::PathBuf;

use streamhooks_actions::manifest::ManifestError;

/// Why the engine could not be built, or a plugin could not be loaded or compiled. Each
/// variant names the file it concerns; messages read `<file>: <field>: <reason>` like manifest
/// errors.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The manifest is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A file or directory could not be read or written.
    #[error("{}: {reason}", file.display())]
    Io {
        /// The file or directory.
        file: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The manifest is valid on its own but cannot be served by this engine (a duplicate name,
    /// a memory limit above the engine's pool).
    #[error("{}: {field}: {reason}", file.display())]
    Plugin {
        /// The manifest.
        file: PathBuf,
        /// The manifest field (`name`, `limits.memory_mib` ...).
        field: String,
        /// Why.
        reason: String,
    },
    /// The component does not compile, does not fit the `plugin` world (missing or mistyped
    /// `handler` export, imports other than `streamhooks:plugin/host`), or cannot be
    /// instantiated within its limits.
    #[error("{}: {reason}", file.display())]
    Component {
        /// The component file.
        file: PathBuf,
        /// What wasmtime reported.
        reason: String,
    },
    /// A precompiled artifact could not be produced.
    #[error("{}: {reason}", file.display())]
    Artifact {
        /// The component or artifact file.
        file: PathBuf,
        /// Why.
        reason: String,
    },
    /// The engine configuration is not usable.
    #[error("engine configuration: {field}: {reason}")]
    Config {
        /// The [`crate::EngineConfig`] field or wasmtime setting.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

/// `{:#}` of a wasmtime error: the message with its causes, on one line.
pub(crate) fn describe(err: &wasmtime::Error) -> String {
    format!("{err:#}")
}
