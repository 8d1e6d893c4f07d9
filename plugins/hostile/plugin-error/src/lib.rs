//! Hostile plugin: returns `err(plugin-error)` with code `hostile-error`, retryable. The host
//! must record `plugin-error` with that code and message.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};

struct ReturnsError;

impl Guest for ReturnsError {
    fn handle(event: Event) -> Result<Vec<Action>, PluginError> {
        Err(PluginError {
            code: "hostile-error".into(),
            message: format!("plugin-error: refusing event {} on purpose", event.id),
            retryable: true,
        })
    }
}

bindings::export!(ReturnsError with_types_in bindings);
