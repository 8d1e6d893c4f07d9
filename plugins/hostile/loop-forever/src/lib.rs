//! Hostile plugin: busy-loops forever. The host must stop it at its deadline (epoch
//! interruption), record `deadline`, and go on serving.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use core::hint::black_box;

struct LoopForever;

impl Guest for LoopForever {
    fn handle(event: Event) -> Result<Vec<Action>, PluginError> {
        // `black_box` keeps the loop a real computation the optimizer cannot reason away.
        let mut n = black_box(event.occurred_at as u64);
        loop {
            n = black_box(n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
    }
}

bindings::export!(LoopForever with_types_in bindings);
