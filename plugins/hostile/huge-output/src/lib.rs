//! Hostile plugin: returns one granted `publish` action whose detail is a 4 MiB JSON string.
//! The host must refuse the output (more than `max_output_kib`) and record `output`.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use bindings::streamhooks::plugin::types::PublishEvent;

struct HugeOutput;

const SIZE: usize = 4 << 20;

impl Guest for HugeOutput {
    fn handle(_event: Event) -> Result<Vec<Action>, PluginError> {
        let mut detail_json = String::with_capacity(SIZE + 16);
        detail_json.push_str("{\"x\":\"");
        detail_json.extend(core::iter::repeat_n('a', SIZE));
        detail_json.push_str("\"}");
        Ok(vec![Action::Publish(PublishEvent {
            detail_type: "Huge".into(),
            detail_json,
        })])
    }
}

bindings::export!(HugeOutput with_types_in bindings);
