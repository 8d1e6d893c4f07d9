//! Hostile plugin: returns 10,000 granted `client` `mute` actions for the event's agent. The
//! host must refuse the output (more than `max_actions`) and record `output`.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use bindings::streamhooks::plugin::types::{ClientAction, ClientDirective};

struct TooManyActions;

const COUNT: usize = 10_000;

impl Guest for TooManyActions {
    fn handle(event: Event) -> Result<Vec<Action>, PluginError> {
        let agent_arn = event.agent_arn.unwrap_or_else(|| "unknown-agent".into());
        let action = Action::Client(ClientAction {
            agent_arn,
            contact_id: event.contact_id,
            directive: ClientDirective::Mute,
        });
        Ok(vec![action; COUNT])
    }
}

bindings::export!(TooManyActions with_types_in bindings);
