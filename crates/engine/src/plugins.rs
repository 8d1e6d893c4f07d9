//! Loaded plugins and dispatching an event to them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use streamhooks_actions::Action;
use streamhooks_actions::grants::Denial;
use streamhooks_actions::manifest::{FailurePolicy, Manifest};
use streamhooks_events::{Event, EventKind};
use wasmtime::component::Component;
use wasmtime::{Store, Trap};

use crate::bindings::{self, types as wit};
use crate::convert::{action_from_wit, event_to_wit};
use crate::engine::EngineInner;
use crate::error::{EngineError, describe};
use crate::failure::PluginFailure;
use crate::host::{HostState, Limiter, LogBuffer, LogLine};
use crate::state::{StateLimits, StateStore, StateStoreError, StateView, StateWrite};

/// Where a plugin's compiled code came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentSource {
    /// Compiled from the component at load; there was no artifact beside it.
    Compiled,
    /// Deserialized from the precompiled artifact beside the component, its sidecar matching.
    Precompiled,
    /// Compiled from the component at load because the artifact beside it was refused.
    ArtifactRefused {
        /// Why (a stale sidecar, another target, a changed artifact ...).
        reason: String,
    },
}

/// One loaded plugin: its manifest and its component, compiled and linked.
pub struct Plugin {
    manifest: Manifest,
    name: Arc<str>,
    config: Arc<BTreeMap<String, String>>,
    pre: bindings::PluginPre<HostState>,
    source: ComponentSource,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.name)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why a call did not get as far as the plugin's result.
enum Phase {
    Instantiate,
    Call,
}

impl Plugin {
    pub(crate) fn new(
        engine: &EngineInner,
        manifest: Manifest,
        component: &Component,
        source: ComponentSource,
    ) -> Result<Plugin, EngineError> {
        let file = manifest.component.clone();
        let not_fit = |e: wasmtime::Error| EngineError::Component {
            file: file.clone(),
            reason: describe(&e),
        };
        // Fails when the component imports anything but `streamhooks:plugin/host`.
        let pre = engine.linker.instantiate_pre(component).map_err(not_fit)?;
        // Fails when the `handler` export is missing.
        let pre = bindings::PluginPre::new(pre).map_err(not_fit)?;
        let plugin = Plugin {
            name: manifest.name.as_str().into(),
            config: Arc::new(manifest.config.clone()),
            manifest,
            pre,
            source,
        };
        // One instantiation at load checks what only an instance shows: the `handle` export's
        // type, and that the initial memory fits `memory_mib`.
        let probe_store: Arc<dyn StateStore> = Arc::new(crate::state::MemoryStore::new());
        let mut store = plugin.store(engine, &probe_store, "load".into());
        plugin.pre.instantiate(&mut store).map_err(|e| {
            let failure = classify(&e, &store, &plugin.manifest, Phase::Instantiate);
            EngineError::Component {
                file: file.clone(),
                reason: failure.to_string(),
            }
        })?;
        Ok(plugin)
    }

    /// The plugin's name (from its manifest).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Where its compiled code came from.
    pub fn source(&self) -> &ComponentSource {
        &self.source
    }

    fn store(
        &self,
        engine: &EngineInner,
        state: &Arc<dyn StateStore>,
        event_id: Arc<str>,
    ) -> Store<HostState> {
        let limits = &self.manifest.limits;
        let host = HostState {
            plugin: self.name.clone(),
            event_id,
            config: self.config.clone(),
            state: StateView::new(
                state.clone(),
                self.name.clone(),
                StateLimits {
                    max_keys: limits.max_state_keys,
                    max_value_bytes: limits.max_state_value_bytes,
                },
            ),
            logs: LogBuffer::new(limits.max_log_bytes),
            limiter: Limiter::new(limits.memory_bytes),
        };
        let mut store = Store::new(&engine.wasmtime, host);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(engine.deadline_ticks(limits.timeout_ms));
        store.set_hostcall_fuel(hostcall_fuel(limits));
        store
    }

    fn run(
        &self,
        engine: &EngineInner,
        state: &Arc<dyn StateStore>,
        event: &wit::Event,
        defer_state: bool,
    ) -> PluginRun {
        let started = Instant::now();
        let mut store = self.store(engine, state, event.id.as_str().into());
        let result = self.call(&mut store, event);
        let duration = started.elapsed();
        let host = store.into_data();
        let writes = host.state.into_writes();
        let mut state_writes = Vec::new();
        let result = match result {
            // State is kept only when the call returned `ok`.
            Ok(decisions) if defer_state => {
                state_writes = writes;
                Ok(decisions)
            }
            // Applied now: its actions count only when the state was kept.
            Ok(decisions) if !writes.is_empty() => state
                .apply(&self.name, &writes)
                .map(|()| decisions)
                .map_err(|e| PluginFailure::StateStore { message: e.reason }),
            other => other,
        };
        if let Err(failure) = &result {
            tracing::warn!(plugin = %self.name, event_id = %event.id, failure = failure.kind(), %failure, "plugin failed");
        }
        PluginRun {
            plugin: self.name.to_string(),
            failure_policy: self.manifest.failure,
            result,
            logs: host.logs.lines,
            logs_dropped: host.logs.dropped_lines,
            log_bytes_dropped: host.logs.dropped_bytes,
            duration,
            state_writes,
        }
    }

    fn call(
        &self,
        store: &mut Store<HostState>,
        event: &wit::Event,
    ) -> Result<Vec<Decision>, PluginFailure> {
        let limits = &self.manifest.limits;
        let instance = self
            .pre
            .instantiate(&mut *store)
            .map_err(|e| classify(&e, store, &self.manifest, Phase::Instantiate))?;
        let returned = instance
            .streamhooks_plugin_handler()
            .call_handle(&mut *store, event)
            .map_err(|e| classify(&e, store, &self.manifest, Phase::Call))?;
        let actions = returned.map_err(|e| PluginFailure::Plugin {
            code: e.code,
            message: e.message,
            retryable: e.retryable,
        })?;
        if actions.len() > limits.max_actions {
            return Err(PluginFailure::Output {
                reason: format!(
                    "{} actions, more than max_actions = {}",
                    actions.len(),
                    limits.max_actions
                ),
            });
        }
        let actions = actions
            .into_iter()
            .enumerate()
            .map(|(index, action)| {
                action_from_wit(action).map_err(|reason| PluginFailure::Output {
                    reason: format!("action {index}: {reason}"),
                })
            })
            .collect::<Result<Vec<Action>, _>>()?;
        let size = serde_json::to_vec(&actions).map_or(usize::MAX, |json| json.len());
        if size > limits.max_output_bytes {
            return Err(PluginFailure::Output {
                reason: format!(
                    "{size} bytes of actions as JSON, more than max_output_kib = {} KiB",
                    limits.max_output_bytes / 1024
                ),
            });
        }
        Ok(actions
            .into_iter()
            .enumerate()
            .map(|(index, action)| {
                let verdict = self.manifest.grants.authorize(&action);
                if let Err(denial) = &verdict {
                    tracing::info!(plugin = %self.name, event_id = %event.id, index, action = denial.action_type, reason = %denial.reason, "action denied");
                }
                Decision {
                    index,
                    action,
                    verdict,
                }
            })
            .collect())
    }
}

/// Bytes the host copies out of a guest at once (a result, or one host call's arguments):
/// four times the plugin's memory limit. Whatever a guest honestly returns fits (host-side
/// list elements are larger than the guest's, hence the factor), so the output caps decide;
/// only lists and strings that alias the same guest memory over and over exceed it, and the
/// host never allocates more than this for them.
fn hostcall_fuel(limits: &streamhooks_actions::manifest::PluginLimits) -> usize {
    limits.memory_bytes.saturating_mul(4).max(1 << 20)
}

/// Types a failed instantiation or call. Decided by the error's type and the limiter's
/// record, never by its text.
fn classify(
    err: &wasmtime::Error,
    store: &Store<HostState>,
    manifest: &Manifest,
    phase: Phase,
) -> PluginFailure {
    let memory = PluginFailure::Memory {
        limit_bytes: manifest.limits.memory_bytes,
    };
    if let Some(trap) = err.downcast_ref::<Trap>() {
        return match trap {
            Trap::Interrupt => PluginFailure::Deadline {
                timeout_ms: manifest.limits.timeout_ms,
            },
            Trap::StackOverflow => PluginFailure::StackOverflow,
            // A Rust guest aborts (`unreachable`) when an allocation fails.
            _ if store.data().limiter.memory_refused => memory,
            _ => PluginFailure::Trap {
                message: trap.to_string(),
            },
        };
    }
    if let Some(e) = err.downcast_ref::<StateStoreError>() {
        return PluginFailure::StateStore {
            message: e.reason.clone(),
        };
    }
    if store.data().limiter.memory_refused {
        return memory;
    }
    match phase {
        Phase::Instantiate => PluginFailure::Instantiate {
            message: err.root_cause().to_string(),
        },
        // Not a trap, but the call failed: the guest broke the canonical ABI (invalid
        // UTF-8, pointers out of bounds, more data than the host copies at once), which the
        // component model defines as a trap.
        Phase::Call => PluginFailure::Trap {
            message: err.root_cause().to_string(),
        },
    }
}

/// One action a plugin returned, and whether its manifest grants it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Its position in the plugin's result, from 0.
    pub index: usize,
    /// The action.
    pub action: Action,
    /// `Ok` when granted; a denied action is reported, never executed.
    pub verdict: Result<(), Denial>,
}

impl Decision {
    /// Whether the action is granted.
    pub fn granted(&self) -> bool {
        self.verdict.is_ok()
    }
}

/// One plugin's call on one event.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginRun {
    /// The plugin's name.
    pub plugin: String,
    /// The plugin's failure policy, copied from its manifest.
    pub failure_policy: FailurePolicy,
    /// Its decisions, in the order returned, or why there are none.
    pub result: Result<Vec<Decision>, PluginFailure>,
    /// What it logged, up to `max_log_kib`.
    pub logs: Vec<LogLine>,
    /// Log lines dropped past `max_log_kib`.
    pub logs_dropped: u64,
    /// Bytes of the dropped log lines.
    pub log_bytes_dropped: u64,
    /// Wall-clock time of the call, instantiation included.
    pub duration: Duration,
    /// The state writes of a successful call, not yet applied: only from
    /// [`Plugins::dispatch_deferred`], which leaves them to [`Plugins::commit_state`].
    pub state_writes: Vec<StateWrite>,
}

impl PluginRun {
    /// Whether this run fails the event: it failed and its policy is `fail-event`.
    pub fn fails_event(&self) -> bool {
        self.result.is_err() && self.failure_policy == FailurePolicy::FailEvent
    }
}

/// Every subscribed plugin's run on one event, in plugin name order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    /// The event's id.
    pub event_id: String,
    /// One run per plugin subscribed to the event's kind.
    pub runs: Vec<PluginRun>,
}

impl Dispatch {
    /// Whether the event failed: a plugin with `failure = "fail-event"` failed on it, so the
    /// event source should deliver it again.
    pub fn failed_event(&self) -> bool {
        self.runs.iter().any(PluginRun::fails_event)
    }

    /// The granted actions, with the plugin that decided each, in run order.
    pub fn granted(&self) -> impl Iterator<Item = (&str, &Action)> {
        self.runs.iter().flat_map(|run| {
            run.result
                .iter()
                .flatten()
                .filter(|d| d.granted())
                .map(move |d| (run.plugin.as_str(), &d.action))
        })
    }
}

/// The loaded plugins, ready to handle events. Cheap to share: `Send + Sync`, and
/// [`Plugins::dispatch`] takes `&self`, so one value serves every thread (a Lambda handler
/// keeps one for the life of the process).
pub struct Plugins {
    engine: Arc<EngineInner>,
    plugins: Vec<Plugin>,
    state: Arc<dyn StateStore>,
}

impl std::fmt::Debug for Plugins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.plugins).finish()
    }
}

impl Plugins {
    pub(crate) fn new(
        engine: Arc<EngineInner>,
        mut plugins: Vec<Plugin>,
        state: Arc<dyn StateStore>,
    ) -> Result<Plugins, EngineError> {
        plugins.sort_by(|a, b| a.name.cmp(&b.name));
        for pair in plugins.windows(2) {
            if pair[0].name == pair[1].name {
                return Err(EngineError::Plugin {
                    file: pair[1].manifest.path.clone(),
                    field: "name".into(),
                    reason: format!(
                        "`{}` is also the name of {}",
                        pair[1].name,
                        pair[0].manifest.path.display()
                    ),
                });
            }
        }
        Ok(Plugins {
            engine,
            plugins,
            state,
        })
    }

    /// The plugins, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Plugin> {
        self.plugins.iter()
    }

    /// The plugin named `name`.
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.plugins
            .binary_search_by(|p| (*p.name).cmp(name))
            .ok()
            .map(|i| &self.plugins[i])
    }

    /// How many plugins are loaded.
    pub fn len(&self) -> usize {
        self.plugins.len()
    }

    /// Whether no plugin is loaded.
    pub fn is_empty(&self) -> bool {
        self.plugins.is_empty()
    }

    /// The plugins subscribed to `kind`.
    pub fn subscribed(&self, kind: EventKind) -> impl Iterator<Item = &Plugin> {
        self.plugins
            .iter()
            .filter(move |p| p.manifest.subscribes_to(kind))
    }

    /// Runs every plugin subscribed to the event's kind, one after another, each in a fresh
    /// instance with its own limits. A plugin's failure is recorded in its run; the others
    /// still run.
    pub fn dispatch(&self, event: &Event) -> Dispatch {
        let wit_event = event_to_wit(event);
        Dispatch {
            event_id: event.id.clone(),
            runs: self
                .subscribed(event.kind)
                .map(|p| p.run(&self.engine, &self.state, &wit_event, false))
                .collect(),
        }
    }

    /// Like [`Plugins::dispatch`], but the plugins' state writes are not applied: they are
    /// returned in each run's `state_writes`, for [`Plugins::commit_state`] once the event's
    /// handling has completed. A handler that fails after the plugins ran (an action to retry)
    /// then leaves state as it was, so that the redelivered event meets the same state and the
    /// plugins decide the same actions again.
    pub fn dispatch_deferred(&self, event: &Event) -> Dispatch {
        let wit_event = event_to_wit(event);
        Dispatch {
            event_id: event.id.clone(),
            runs: self
                .subscribed(event.kind)
                .map(|p| p.run(&self.engine, &self.state, &wit_event, true))
                .collect(),
        }
    }

    /// Applies the deferred state writes of `dispatch`, plugin by plugin (each plugin's writes
    /// all or none). Stops at the first failure, naming the plugin.
    pub fn commit_state(&self, dispatch: &Dispatch) -> Result<(), (String, StateStoreError)> {
        for run in &dispatch.runs {
            if !run.state_writes.is_empty() {
                self.state
                    .apply(&run.plugin, &run.state_writes)
                    .map_err(|e| (run.plugin.clone(), e))?;
            }
        }
        Ok(())
    }

    /// Runs the plugin named `name` on `event`, whether or not it subscribes to its kind
    /// (`streamhooks plugin check` and tests use this). `None` if there is no such plugin.
    pub fn run(&self, name: &str, event: &Event) -> Option<PluginRun> {
        let plugin = self.get(name)?;
        Some(plugin.run(&self.engine, &self.state, &event_to_wit(event), false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Plugins>();
        assert_send_sync::<crate::Engine>();
        assert_send_sync::<Dispatch>();
    }
}
