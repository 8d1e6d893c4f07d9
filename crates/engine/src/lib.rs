//! The streamhooks plugin engine: runs WebAssembly component plugins on canonical events, each
//! call in a fresh, limited instance, and authorizes what they decide.
//!
//! A plugin is a component built against the WIT world `plugin` in `sdk/wit` plus a manifest
//! (`plugin.toml`, see docs/plugins.md). The [`Engine`] (one per process) compiles each
//! component once and links it against the `host` interface; [`Plugins::dispatch`] runs every
//! plugin subscribed to an event's kind and returns, per plugin, the actions it decided — each
//! checked against the manifest's grants — or a typed [`PluginFailure`]: `deadline` (epoch
//! interruption), `memory` (resource limiter), `stack-overflow`, `trap`, `output` (too many
//! actions, too many bytes, invalid JSON), `plugin-error`, `instantiate`, `state-store`. One
//! plugin's failure never stops the others, and the same [`Plugins`] serves the next event.
//!
//! This crate decides; it executes nothing. It knows no AWS: state lives behind the
//! [`StateStore`] port ([`MemoryStore`] here, durable stores in adapter crates), and the
//! granted actions go to executors elsewhere.
//!
//! ```no_run
//! use std::sync::Arc;
//! use streamhooks_engine::{Engine, MemoryStore};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let event: streamhooks_events::Event = unimplemented!();
//! let engine = Engine::new()?;
//! let plugins = engine.load_dir("target/plugins".as_ref(), Arc::new(MemoryStore::new()))?;
//! let dispatch = plugins.dispatch(&event);
//! for run in &dispatch.runs {
//!     match &run.result {
//!         Ok(decisions) => {
//!             for d in decisions {
//!                 println!("{} #{}: {} granted={}", run.plugin, d.index, d.action.type_name(), d.granted());
//!             }
//!         }
//!         Err(failure) => println!("{}: {} ({failure})", run.plugin, failure.kind()),
//!     }
//! }
//! if dispatch.failed_event() {
//!     // a `fail-event` plugin failed: let the source deliver the event again
//! }
//! # Ok(()) }
//! ```
//!
//! # Limits
//!
//! Every limit is enforced inside wasmtime, per call: the epoch deadline (`timeout_ms`, a
//! ticker thread advances the epoch every [`EngineConfig::epoch_tick`]), the memory limiter
//! (`memory_mib`), the wasm stack ([`EngineConfig::max_wasm_stack`]), the output caps
//! (`max_actions`, `max_output_kib`, checked on the returned actions) and wasmtime's hostcall
//! fuel, which bounds what the host copies out of a guest at once. State writes are buffered
//! and applied only when the call returns `ok`.
//!
//! # Precompiled artifacts: the trust boundary
//!
//! [`Engine::write_artifact`] precompiles a component (for this host or another [`Target`],
//! e.g. arm64 Lambda from an x86_64 build machine) and writes a sidecar with the SHA-256 of the
//! component and of the artifact, the target and a fingerprint of the engine settings and
//! wasmtime version. At load, an artifact is deserialized (which runs its bytes as native code,
//! unchecked) only if the sidecar matches the component beside it, this host and this engine;
//! otherwise the component is compiled from source. Artifacts are produced only by the
//! project's own build and never accepted from users: whoever can write a plugin directory can
//! run native code in the host, so that directory must be as protected as the function's code.

mod artifact;
mod bindings;
mod convert;
mod engine;
mod error;
mod failure;
mod host;
mod plugins;
mod state;

pub use artifact::Target;
pub use engine::{Engine, EngineConfig};
pub use error::EngineError;
pub use failure::PluginFailure;
pub use host::{LogLevel, LogLine};
pub use plugins::{ComponentSource, Decision, Dispatch, Plugin, PluginRun, Plugins};
pub use state::{MAX_STATE_KEY_BYTES, MemoryStore, StateStore, StateStoreError, StateWrite};
