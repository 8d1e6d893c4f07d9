//! Hostile plugin: logs one line, then panics. With `panic = "abort"` the panic reaches the host
//! as a trap (`unreachable`); the host must record `trap` and keep the line logged before it.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use bindings::streamhooks::plugin::host::{Level, log};

struct Trap;

impl Guest for Trap {
    fn handle(event: Event) -> Result<Vec<Action>, PluginError> {
        log(Level::Info, "trap: about to panic");
        panic!("trap: panicking on purpose on event {}", event.id);
    }
}

bindings::export!(Trap with_types_in bindings);
