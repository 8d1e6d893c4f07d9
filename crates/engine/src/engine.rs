//! The process-wide wasmtime engine: configuration, the epoch ticker, compiling and loading
//! plugins.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use streamhooks_actions::manifest::Manifest;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Enabled, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

/// Bytes of each pooled linear memory and table kept resident (zeroed in place) when an
/// instance is freed, instead of handed back to the kernel.
const KEEP_RESIDENT_BYTES: usize = 1 << 20;
/// Decommits the pooling allocator gathers before one batch of `madvise` calls.
const DECOMMIT_BATCH: usize = 16;

/// Whether a Linux release string (`/proc/sys/kernel/osrelease`, `6.18.44-...`) names a
/// kernel with the PAGEMAP_SCAN ioctl (Linux 6.7 and later). Anything unreadable: no.
fn kernel_has_pagemap_scan(release: &str) -> bool {
    let mut parts = release.trim().split(['.', '-']);
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    match (major, minor) {
        (Some(major), Some(minor)) => (major, minor) >= (6, 7),
        _ => false,
    }
}

use crate::artifact::{self, Target};
use crate::bindings;
use crate::error::{EngineError, describe};
use crate::host::HostState;
use crate::plugins::{ComponentSource, Plugin, Plugins};
use crate::state::StateStore;

const MIB: usize = 1 << 20;

/// Sizing and tuning of the [`Engine`]. The defaults fit about 8 plugins with a few calls in
/// flight each on a 2-core Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Component instances alive at once, across all plugins and threads. One call holds one
    /// instance; a call that finds the pool full fails as `instantiate`.
    pub max_instances: u32,
    /// The largest linear memory one instance may have. A manifest whose `memory_mib` is above
    /// it is refused at load.
    pub max_memory_bytes: usize,
    /// Core instances one component may contain (a Rust plugin made by `wit-component` has
    /// three; a Python one made by componentize-py 0.25 has 38). Pool slots are reserved, not
    /// committed, so the room costs address space, not memory.
    pub max_core_instances_per_component: u32,
    /// Linear memories one component may contain.
    pub max_memories_per_component: u32,
    /// How often the epoch ticker advances: the resolution of `timeout_ms`.
    pub epoch_tick: Duration,
    /// The wasm stack one call may use; deeper recursion traps as `stack-overflow`.
    pub max_wasm_stack: usize,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            max_instances: 32,
            max_memory_bytes: 256 * MIB,
            max_core_instances_per_component: 64,
            max_memories_per_component: 2,
            epoch_tick: Duration::from_millis(1),
            max_wasm_stack: 256 * 1024,
        }
    }
}

/// Stops the epoch ticker thread when dropped.
struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: wasmtime::Engine, tick: Duration) -> Result<Ticker, EngineError> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("streamhooks-epoch".into())
            .spawn(move || {
                // Ends when the sender is dropped (or sends).
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
                    engine.increment_epoch();
                }
            })
            .map_err(|e| EngineError::Config {
                field: "epoch_tick",
                reason: format!("cannot start the epoch ticker thread: {e}"),
            })?;
        Ok(Ticker {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What [`Plugins`] shares with the [`Engine`] that loaded them; the ticker runs as long as
/// either is alive.
pub(crate) struct EngineInner {
    pub(crate) wasmtime: wasmtime::Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) config: EngineConfig,
    /// Compatibility fingerprints of the engine settings for each target (see `artifact`).
    fingerprints: [OnceLock<Result<String, String>>; 2],
    _ticker: Ticker,
}

impl EngineInner {
    /// Ticks of the epoch ticker that make up at least `timeout_ms`.
    pub(crate) fn deadline_ticks(&self, timeout_ms: u64) -> u64 {
        let tick_ms = self.config.epoch_tick.as_secs_f64() * 1000.0;
        // +1: the deadline counts from the current tick, which may be nearly over.
        ((timeout_ms as f64 / tick_ms).ceil() as u64).saturating_add(1)
    }

    /// The fingerprint of this engine's settings when compiling for `target`.
    pub(crate) fn fingerprint(&self, target: Target) -> Result<String, EngineError> {
        self.fingerprints[target as usize]
            .get_or_init(|| {
                let config =
                    compile_config(&self.config, Some(target)).map_err(|e| e.to_string())?;
                let engine = wasmtime::Engine::new(&config).map_err(|e| describe(&e))?;
                Ok(artifact::fingerprint(&engine))
            })
            .clone()
            .map_err(|reason| EngineError::Config {
                field: "target",
                reason,
            })
    }
}

/// The settings that decide what compiled code looks like; shared by the runtime engine and
/// the engines that precompile artifacts, so that artifacts fit the runtime.
fn compile_config(cfg: &EngineConfig, target: Option<Target>) -> Result<Config, EngineError> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .max_wasm_stack(cfg.max_wasm_stack)
        .cranelift_opt_level(OptLevel::Speed)
        .parallel_compilation(true)
        // Copy-on-write memory images failed intermittently on these machines ("cannot add
        // seals to the memfd"); plugin memories are small, so copying data segments costs
        // little. Artifacts record this setting, so it belongs with the compile settings.
        .memory_init_cow(false);
    if let Some(target) = target {
        config
            .target(target.triple())
            .map_err(|e| EngineError::Config {
                field: "target",
                reason: describe(&e),
            })?;
    }
    Ok(config)
}

/// The plugin engine: one per process. It compiles each plugin's component once and runs
/// every call in a fresh, limited instance from a pooling allocator.
///
/// Cloning is cheap and shares everything. The epoch ticker thread (which enforces
/// `timeout_ms`) stops when the last `Engine` clone and the last [`Plugins`] loaded from it
/// are dropped.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with the default [`EngineConfig`].
    pub fn new() -> Result<Engine, EngineError> {
        Engine::with_config(EngineConfig::default())
    }

    /// An engine sized by `config`.
    pub fn with_config(config: EngineConfig) -> Result<Engine, EngineError> {
        let mut wasm = compile_config(&config, None)?;
        let instances = config.max_instances;
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(config.max_core_instances_per_component))
            .total_memories(instances.saturating_mul(config.max_memories_per_component))
            .total_tables(instances.saturating_mul(config.max_core_instances_per_component))
            .max_core_instances_per_component(config.max_core_instances_per_component)
            .max_memories_per_component(config.max_memories_per_component)
            .max_tables_per_component(config.max_core_instances_per_component)
            .max_memory_size(config.max_memory_bytes);
        // Profiled (perf, BENCHMARKS.md): most of a call's time was the kernel taking the
        // previous instance's pages back (madvise, with TLB shootdowns) and faulting them in
        // again. Where the kernel can say which pages an instance dirtied (PAGEMAP_SCAN), they
        // are reset in place: about twice as fast per call. Without it, keeping pages resident
        // means zeroing all of them, which measured slower than madvise: the defaults stay.
        if kernel_has_pagemap_scan(
            &std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default(),
        ) {
            pool.pagemap_scan(Enabled::Auto)
                .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
                .table_keep_resident(KEEP_RESIDENT_BYTES)
                .decommit_batch_size(DECOMMIT_BATCH);
        }
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let wasmtime = wasmtime::Engine::new(&wasm).map_err(|e| EngineError::Config {
            field: "pooling allocator",
            reason: describe(&e),
        })?;
        let mut linker = Linker::new(&wasmtime);
        bindings::Plugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(|e| EngineError::Config {
                field: "linker",
                reason: describe(&e),
            })?;
        let ticker = Ticker::start(wasmtime.clone(), config.epoch_tick)?;
        Ok(Engine {
            inner: Arc::new(EngineInner {
                wasmtime,
                linker,
                config,
                fingerprints: [OnceLock::new(), OnceLock::new()],
                _ticker: ticker,
            }),
        })
    }

    /// The configuration this engine was built with.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Loads every plugin under `dir`: `dir/plugin.toml` if present, and every
    /// `dir/*/plugin.toml`; sorted by name; two plugins with the same name are refused.
    pub fn load_dir(&self, dir: &Path, store: Arc<dyn StateStore>) -> Result<Plugins, EngineError> {
        let io = |e: std::io::Error| EngineError::Io {
            file: dir.to_owned(),
            reason: e.to_string(),
        };
        let mut manifests: Vec<PathBuf> = Vec::new();
        let own = dir.join("plugin.toml");
        if own.is_file() {
            manifests.push(own);
        }
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path().join("plugin.toml");
            if path.is_file() {
                manifests.push(path);
            }
        }
        manifests.sort();
        let mut plugins = Vec::with_capacity(manifests.len());
        for path in &manifests {
            plugins.push(self.load_plugin(path)?);
        }
        Plugins::new(self.inner.clone(), plugins, store)
    }

    /// Loads the one plugin whose manifest is `manifest`.
    pub fn load(
        &self,
        manifest: &Path,
        store: Arc<dyn StateStore>,
    ) -> Result<Plugins, EngineError> {
        let plugin = self.load_plugin(manifest)?;
        Plugins::new(self.inner.clone(), vec![plugin], store)
    }

    fn load_plugin(&self, manifest_path: &Path) -> Result<Plugin, EngineError> {
        let manifest = Manifest::from_path(manifest_path)?;
        if manifest.limits.memory_bytes > self.inner.config.max_memory_bytes {
            return Err(EngineError::Plugin {
                file: manifest.path.clone(),
                field: "limits.memory_mib".into(),
                reason: format!(
                    "{} MiB is above this engine's maximum of {} MiB",
                    manifest.limits.memory_bytes / MIB,
                    self.inner.config.max_memory_bytes / MIB
                ),
            });
        }
        let (component, source) = self.component(&manifest.component)?;
        Plugin::new(&self.inner, manifest, &component, source)
    }

    /// Compiles the component at `path`, or loads the precompiled artifact beside it when its
    /// sidecar vouches for exactly these bytes, this wasmtime and this host.
    fn component(&self, path: &Path) -> Result<(Component, ComponentSource), EngineError> {
        let bytes = std::fs::read(path).map_err(|e| EngineError::Io {
            file: path.to_owned(),
            reason: e.to_string(),
        })?;
        let source = match artifact::load_trusted(&self.inner, path, &bytes) {
            Ok(Some(component)) => return Ok((component, ComponentSource::Precompiled)),
            Ok(None) => ComponentSource::Compiled,
            Err(reason) => {
                tracing::warn!(component = %path.display(), %reason, "precompiled artifact refused; compiling the component");
                ComponentSource::ArtifactRefused { reason }
            }
        };
        let component =
            Component::new(&self.inner.wasmtime, &bytes).map_err(|e| EngineError::Component {
                file: path.to_owned(),
                reason: describe(&e),
            })?;
        Ok((component, source))
    }

    /// Compiles `component` (the bytes of a component) for `target`, ahead of time. The
    /// result fits only this wasmtime version and these engine settings; see
    /// [`Engine::write_artifact`] for the form [`Engine::load`] accepts.
    pub fn precompile(&self, component: &[u8], target: Target) -> Result<Vec<u8>, EngineError> {
        let config = compile_config(&self.inner.config, Some(target))?;
        let engine = wasmtime::Engine::new(&config).map_err(|e| EngineError::Config {
            field: "target",
            reason: describe(&e),
        })?;
        engine
            .precompile_component(component)
            .map_err(|e| EngineError::Artifact {
                file: PathBuf::from("<component bytes>"),
                reason: describe(&e),
            })
    }

    /// Precompiles the component at `component` for `target` and writes the artifact beside it
    /// (`<component>.<arch>.cwasm`, so artifacts for several targets can sit side by side) with
    /// its sidecar (`<component>.<arch>.cwasm.json`: the component's SHA-256, the target and the
    /// engine fingerprint). Returns the artifact's path.
    pub fn write_artifact(&self, component: &Path, target: Target) -> Result<PathBuf, EngineError> {
        artifact::write(self, component, target)
    }
}

#[cfg(test)]
mod tests {
    use super::kernel_has_pagemap_scan;

    #[test]
    fn pagemap_scan_is_used_from_linux_6_7() {
        assert!(kernel_has_pagemap_scan("6.18.44-fc-v657\n"));
        assert!(kernel_has_pagemap_scan("6.7.0"));
        assert!(kernel_has_pagemap_scan("7.0.1-arch1"));
        assert!(!kernel_has_pagemap_scan("6.6.87.2-microsoft-standard-WSL2"));
        assert!(!kernel_has_pagemap_scan("6.1.128-136.201.amzn2023.x86_64"));
        assert!(!kernel_has_pagemap_scan("5.10.240-238.955.amzn2.x86_64"));
        assert!(!kernel_has_pagemap_scan(""));
        assert!(!kernel_has_pagemap_scan("unknown"));
    }
}
