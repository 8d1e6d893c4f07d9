//! What a simple wasmtime host does with the same component: its own bindings of the plugin
//! world (`sdk/wit`), wasmtime's default configuration (on-demand allocation, no pooling), and
//! per event a new `Linker`, a new `Store` and `instantiate` (no `InstancePre`). The event is
//! converted to the WIT record as `crates/engine/src/convert.rs` does. No limits, no epoch
//! deadline, no authorization: a simple host does none of that, so this baseline does less
//! work per event than the engine, not more.
#![allow(missing_docs, unsafe_code, unreachable_pub)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use streamhooks_actions::action as a;
use streamhooks_events as ev;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig, Store,
};

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../../sdk/wit",
});

use streamhooks::plugin::host;
use streamhooks::plugin::types as wit;

/// The host state of one call.
pub struct Host {
    config: Arc<BTreeMap<String, String>>,
    state: Arc<HashMap<String, Vec<u8>>>,
    pub writes: Vec<(String, Option<Vec<u8>>)>,
    pub logs: Vec<(host::Level, String)>,
}

impl host::Host for Host {
    fn log(&mut self, level: host::Level, message: String) {
        self.logs.push((level, message));
    }

    fn config(&mut self, key: String) -> Option<String> {
        self.config.get(&key).cloned()
    }

    fn state_get(&mut self, key: String) -> Option<Vec<u8>> {
        self.state.get(&key).cloned()
    }

    fn state_set(&mut self, key: String, value: Vec<u8>) -> Result<(), host::StateError> {
        self.writes.push((key, Some(value)));
        Ok(())
    }

    fn state_delete(&mut self, key: String) {
        self.writes.push((key, None));
    }
}

impl wit::Host for Host {}

/// A naive host for one component: the engine and the compiled component are kept (compiling
/// per event is absurd, and is measured apart), everything else is made per event.
pub struct Naive {
    pub engine: Engine,
    pub component: Component,
    config: Arc<BTreeMap<String, String>>,
    state: Arc<HashMap<String, Vec<u8>>>,
}

/// What one call returned.
pub struct Outcome {
    pub actions: Vec<a::Action>,
    pub writes: usize,
}

impl Naive {
    pub fn new(component: &[u8], config: BTreeMap<String, String>) -> wasmtime::Result<Naive> {
        Naive::with_wasmtime(&Config::new(), component, config)
    }

    /// The same host over a wasmtime configured by `wasm` (for the tuning rows).
    pub fn with_wasmtime(
        wasm: &Config,
        component: &[u8],
        config: BTreeMap<String, String>,
    ) -> wasmtime::Result<Naive> {
        let engine = Engine::new(wasm)?;
        let component = Component::new(&engine, component)?;
        Ok(Naive {
            engine,
            component,
            config: Arc::new(config),
            state: Arc::new(HashMap::new()),
        })
    }

    fn store(&self) -> Store<Host> {
        Store::new(
            &self.engine,
            Host {
                config: self.config.clone(),
                state: self.state.clone(),
                writes: Vec::new(),
                logs: Vec::new(),
            },
        )
    }

    /// One event as a simple host handles it: linker, store, instantiate, convert, call.
    pub fn handle(&self, event: &ev::Event) -> wasmtime::Result<Outcome> {
        let mut linker = Linker::new(&self.engine);
        Plugin::add_to_linker::<Host, HasSelf<Host>>(&mut linker, |s| s)?;
        let mut store = self.store();
        let plugin = Plugin::instantiate(&mut store, &self.component, &linker)?;
        self.call(&mut store, &plugin, event)
    }

    /// The same, compiling the component first: what a host without a compile cache does.
    pub fn handle_compiling(&self, bytes: &[u8], event: &ev::Event) -> wasmtime::Result<Outcome> {
        let component = Component::new(&self.engine, bytes)?;
        let mut linker = Linker::new(&self.engine);
        Plugin::add_to_linker::<Host, HasSelf<Host>>(&mut linker, |s| s)?;
        let mut store = self.store();
        let plugin = Plugin::instantiate(&mut store, &component, &linker)?;
        self.call(&mut store, &plugin, event)
    }

    fn call(
        &self,
        store: &mut Store<Host>,
        plugin: &Plugin,
        event: &ev::Event,
    ) -> wasmtime::Result<Outcome> {
        let event = event_to_wit(event);
        let returned = plugin
            .streamhooks_plugin_handler()
            .call_handle(&mut *store, &event)?;
        let actions = returned
            .map_err(|e| wasmtime::format_err!("plugin error {}: {}", e.code, e.message))?
            .into_iter()
            .map(action_from_wit)
            .collect::<Result<Vec<_>, _>>()
            .map_err(wasmtime::Error::msg)?;
        Ok(Outcome {
            actions,
            writes: store.data().writes.len(),
        })
    }
}

fn millis(t: &DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn named(n: &ev::Named) -> wit::Named {
    wit::Named {
        arn: n.arn.clone(),
        name: n.name.clone(),
    }
}

fn agent_state(s: &ev::AgentState) -> wit::AgentState {
    wit::AgentState {
        name: s.name.clone(),
        state_type: s.state_type.as_str().to_owned(),
        arn: s.arn.clone(),
        since: s.since.as_ref().map(millis),
    }
}

/// As `crates/engine/src/convert.rs` (private there).
fn event_to_wit(event: &ev::Event) -> wit::Event {
    wit::Event {
        version: event.version,
        id: event.id.clone(),
        source: match event.source {
            ev::Source::Streams => wit::Source::Streams,
            ev::Source::Eventbridge => wit::Source::Eventbridge,
            ev::Source::AgentStream => wit::Source::AgentStream,
        },
        kind: event.kind.as_str().to_owned(),
        source_type: event.source_type.clone(),
        occurred_at: millis(&event.occurred_at),
        instance_arn: event.instance_arn.clone(),
        agent_arn: event.agent_arn.clone(),
        contact_id: event.contact_id.clone(),
        agent: event.agent.as_ref().map(|g| wit::AgentSnapshot {
            arn: g.arn.clone(),
            username: g.username.clone(),
            name: g.name.clone(),
            state: g.state.as_ref().map(agent_state),
            next_state: g.next_state.as_ref().map(agent_state),
            routing_profile: g.routing_profile.as_ref().map(named),
            contact_ids: g.contact_ids.clone(),
        }),
        contact: event.contact.as_ref().map(|c| wit::ContactSnapshot {
            contact_id: c.contact_id.clone(),
            initial_contact_id: c.initial_contact_id.clone(),
            previous_contact_id: c.previous_contact_id.clone(),
            related_contact_id: c.related_contact_id.clone(),
            channel: c.channel.as_ref().map(|ch| ch.as_str().to_owned()),
            initiation_method: c.initiation_method.clone(),
            state: c.state.as_ref().map(|s| s.as_str().to_owned()),
            state_since: c.state_since.as_ref().map(millis),
            on_hold: c.on_hold,
            queue: c.queue.as_ref().map(named),
            initiated_at: c.initiated_at.as_ref().map(millis),
            queued_at: c.queued_at.as_ref().map(millis),
            connected_to_agent_at: c.connected_to_agent_at.as_ref().map(millis),
            disconnected_at: c.disconnected_at.as_ref().map(millis),
            attributes: c
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }),
        change: event.change.as_ref().map(|c| wit::Change {
            from: c.from.clone(),
            to: c.to.clone(),
        }),
        rule: event.rule.as_ref().map(|r| wit::RuleMatch {
            name: r.name.clone(),
            action: r.action.clone(),
            queue_arn: r.queue_arn.clone(),
        }),
        error: event.error.as_ref().map(|e| wit::ErrorInfo {
            error_type: e.error_type.clone(),
            message: e.message.clone(),
            endpoint: e.endpoint.clone(),
        }),
        muted: event.muted,
        raw_json: serde_json::to_string(&event.raw).unwrap_or_else(|_| "null".to_owned()),
    }
}

/// Only the client screen pop, the one action screen-pop returns.
fn action_from_wit(action: wit::Action) -> Result<a::Action, String> {
    match action {
        wit::Action::Client(x) => match x.directive {
            wit::ClientDirective::ScreenPop(p) => Ok(a::Action::Client(a::ClientAction {
                agent_arn: x.agent_arn,
                contact_id: x.contact_id,
                directive: a::ClientDirective::ScreenPop(a::ScreenPop {
                    url: p.url,
                    title: p.title,
                    data: p.data,
                }),
            })),
            other => Err(format!("unexpected directive {other:?}")),
        },
        other => Err(format!("unexpected action {other:?}")),
    }
}

/// A middle step: the linker and `InstancePre` made once, still wasmtime's default
/// (on-demand) allocator and a new store per event. Shows what pooling adds on its own.
pub struct NaivePre<'a> {
    naive: &'a Naive,
    pre: PluginPre<Host>,
}

impl Naive {
    pub fn pre(&self) -> wasmtime::Result<NaivePre<'_>> {
        let mut linker = Linker::new(&self.engine);
        Plugin::add_to_linker::<Host, HasSelf<Host>>(&mut linker, |s| s)?;
        let pre = PluginPre::new(linker.instantiate_pre(&self.component)?)?;
        Ok(NaivePre { naive: self, pre })
    }
}

impl NaivePre<'_> {
    pub fn handle(&self, event: &ev::Event) -> wasmtime::Result<Outcome> {
        let mut store = self.naive.store();
        let plugin = self.pre.instantiate(&mut store)?;
        self.naive.call(&mut store, &plugin, event)
    }
}

/// The engine's wasmtime settings (`crates/engine/src/engine.rs`: pooling allocator sized for 32
/// instances, copy-on-write memory images off), with `keep_resident` bytes of each linear
/// memory and table kept resident between instances (wasmtime's default is 0: decommitted
/// after every instance, so the next one faults its pages in again), and copy-on-write images
/// on or off.
pub fn pooled_config(keep_resident: usize, cow: bool) -> Config {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(32)
        .total_core_instances(32 * 16)
        .total_memories(32 * 2)
        .total_tables(32 * 16)
        .max_core_instances_per_component(16)
        .max_memories_per_component(2)
        .max_tables_per_component(16)
        .max_memory_size(256 << 20)
        .linear_memory_keep_resident(keep_resident)
        .table_keep_resident(keep_resident);
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .max_wasm_stack(256 * 1024)
        .cranelift_opt_level(OptLevel::Speed)
        .memory_init_cow(cow)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config
}
