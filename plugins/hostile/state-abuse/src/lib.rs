//! Hostile plugin: stores one 1 MiB value under `big`, then 100,000 keys `k000000` ...
//! `k099999` (one byte each), ignoring refusals, logs how many writes were refused by reason, and
//! returns no actions. The host must refuse the big value (`value-too-large`) and every key past
//! `max_state_keys` (`too-many-keys`); since the call returns `ok`, the accepted writes are kept.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use bindings::streamhooks::plugin::host::{Level, StateError, log, state_set};

struct StateAbuse;

const BIG: usize = 1 << 20;
const KEYS: u32 = 100_000;

#[derive(Default)]
struct Refusals {
    key_too_long: u32,
    value_too_large: u32,
    too_many_keys: u32,
    unavailable: u32,
}

impl Refusals {
    fn count(&mut self, result: Result<(), StateError>) {
        match result {
            Ok(()) => {}
            Err(StateError::KeyTooLong(_)) => self.key_too_long += 1,
            Err(StateError::ValueTooLarge(_)) => self.value_too_large += 1,
            Err(StateError::TooManyKeys(_)) => self.too_many_keys += 1,
            Err(StateError::Unavailable(_)) => self.unavailable += 1,
        }
    }
}

impl Guest for StateAbuse {
    fn handle(_event: Event) -> Result<Vec<Action>, PluginError> {
        let mut refused = Refusals::default();
        refused.count(state_set("big", &vec![0x5Au8; BIG]));
        for i in 0..KEYS {
            refused.count(state_set(&format!("k{i:06}"), b"x"));
        }
        log(
            Level::Info,
            &format!(
                "state-abuse refused: key-too-long={} value-too-large={} too-many-keys={} unavailable={}",
                refused.key_too_long,
                refused.value_too_large,
                refused.too_many_keys,
                refused.unavailable
            ),
        );
        Ok(Vec::new())
    }
}

bindings::export!(StateAbuse with_types_in bindings);
