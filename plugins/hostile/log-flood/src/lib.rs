//! Hostile plugin: logs 10 MiB (10,240 lines of 1 KiB) and returns no actions. The host must keep
//! only `max_log_kib` of it, count the dropped lines, and still succeed.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use bindings::streamhooks::plugin::host::{Level, log};

struct LogFlood;

const LINES: usize = 10 * 1024;
const LINE: usize = 1024;

impl Guest for LogFlood {
    fn handle(_event: Event) -> Result<Vec<Action>, PluginError> {
        let mut line = String::with_capacity(LINE);
        for i in 0..LINES {
            line.clear();
            line.push_str("log-flood ");
            line.push_str(&i.to_string());
            line.push(' ');
            while line.len() < LINE {
                line.push('x');
            }
            log(Level::Info, &line);
        }
        Ok(Vec::new())
    }
}

bindings::export!(LogFlood with_types_in bindings);
