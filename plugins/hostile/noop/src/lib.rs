//! Hostile-suite baseline: returns no actions for every event (the engine benchmark baseline).

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};

struct Noop;

impl Guest for Noop {
    fn handle(_event: Event) -> Result<Vec<Action>, PluginError> {
        Ok(Vec::new())
    }
}

bindings::export!(Noop with_types_in bindings);
