//! Hostile plugin: allocates 1 MiB blocks, touching each, and keeps them all until an
//! allocation fails. Allocation failure aborts (a trap); the host must refuse the memory growth
//! past the manifest's `memory_mib` and record `memory`.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use core::hint::black_box;

struct AllocForever;

const BLOCK: usize = 1 << 20;

impl Guest for AllocForever {
    fn handle(_event: Event) -> Result<Vec<Action>, PluginError> {
        let mut blocks: Vec<Vec<u8>> = Vec::new();
        loop {
            // Infallible allocation: when memory.grow is refused, the allocator aborts.
            let block = vec![0xA5u8; BLOCK];
            blocks.push(black_box(block));
            black_box(&blocks);
        }
    }
}

bindings::export!(AllocForever with_types_in bindings);
