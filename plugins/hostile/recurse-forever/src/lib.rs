//! Hostile plugin: recurses without bound until the wasm call stack is exhausted. The host must
//! record `stack-overflow` (not crash the process).
//!
//! The recursion is not a tail call (the result is squared after the call returns), so the
//! optimizer cannot turn it into a loop; its depth bound comes through `black_box`, so it cannot
//! be computed at build time. Frames keep their values in wasm locals (nothing takes an address),
//! so the wasm call stack overflows rather than Rust's shadow stack in linear memory.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use core::hint::black_box;

struct RecurseForever;

#[inline(never)]
fn recurse(n: u64, limit: u64) -> u64 {
    if n == limit {
        return n;
    }
    let r = recurse(n.wrapping_add(1), limit);
    r.wrapping_mul(r) ^ n
}

impl Guest for RecurseForever {
    fn handle(_event: Event) -> Result<Vec<Action>, PluginError> {
        let depth = recurse(0, black_box(u64::MAX));
        // Unreachable in practice (2^64 frames); returning it keeps the call observable.
        Err(PluginError {
            code: "returned".into(),
            message: format!("recursion returned {depth}"),
            retryable: false,
        })
    }
}

bindings::export!(RecurseForever with_types_in bindings);
