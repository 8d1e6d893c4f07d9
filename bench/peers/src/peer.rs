//! The peer: Extism's host (crate `extism`) running screen-pop written with Extism's Rust PDK
//! (`bench/peers/extism-guest`). The event goes in as the canonical event's JSON, the actions
//! come back as the host's action JSON; state goes through two host functions whose writes
//! are collected and not kept, as in the engine's deferred dispatch.

use std::collections::BTreeMap;

use extism::{
    CompiledPlugin, CurrentPlugin, Error, Manifest, PTR, Plugin, PluginBuilder, UserData, Val,
    Wasm, host_fn,
};
use streamhooks_actions::Action;
use streamhooks_events::Event;

/// State writes of the current call.
#[derive(Default)]
pub struct Writes(pub Vec<(String, String)>);

// State is empty for every call (writes are not kept), as in the other cases.
host_fn!(state_get(_writes: Writes; _key: String) -> String {
    Ok(String::new())
});

host_fn!(state_set(writes: Writes; key: String, value: String) {
    let writes = writes.get()?;
    writes.lock().map_err(|_| Error::msg("poisoned"))?.0.push((key, value));
    Ok(())
});

/// The compiled guest and the host functions' state.
pub struct Peer {
    pub compiled: CompiledPlugin,
    pub writes: UserData<Writes>,
}

impl Peer {
    pub fn new(wasm: &[u8], config: &BTreeMap<String, String>) -> Result<Peer, Error> {
        let manifest = Manifest::new([Wasm::data(wasm.to_vec())])
            .with_config(config.iter().map(|(k, v)| (k.clone(), v.clone())));
        let writes = UserData::new(Writes::default());
        let compiled = PluginBuilder::new(manifest)
            .with_wasi(false)
            .with_function("state_get", [PTR], [PTR], writes.clone(), state_get)
            .with_function("state_set", [PTR, PTR], [], writes.clone(), state_set)
            .compile()?;
        Ok(Peer { compiled, writes })
    }

    /// A plugin instance, as Extism's docs use it: made once, called for every event.
    pub fn instance(&self) -> Result<Plugin, Error> {
        Plugin::new_from_compiled(&self.compiled)
    }

    /// One event: serialize, call `handle`, parse the actions; the state writes are dropped.
    pub fn handle(
        &self,
        plugin: &mut Plugin,
        event: &Event,
    ) -> Result<(Vec<Action>, usize), Error> {
        let input = serde_json::to_vec(event)?;
        let output: &[u8] = plugin.call("handle", input.as_slice())?;
        let actions: Vec<Action> = serde_json::from_slice(output)?;
        let writes = {
            let writes = self.writes.get()?;
            let mut writes = writes.lock().map_err(|_| Error::msg("poisoned"))?;
            std::mem::take(&mut writes.0).len()
        };
        Ok((actions, writes))
    }
}

// `host_fn!` names these in its expansion.
#[allow(unused_imports)]
use {CurrentPlugin as _, Val as _};
