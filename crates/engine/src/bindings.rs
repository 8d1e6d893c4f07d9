//! Host bindings generated from `sdk/wit` (world `plugin`): the one source of truth shared with
//! the guest SDK.

// The generated code derives `ComponentType`, which expands to `unsafe impl`s, and its items
// carry the WIT docs only where the WIT has them.
#![allow(unsafe_code, missing_docs, unreachable_pub)]

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../../sdk/wit",
    imports: {
        // Reading state may need the store, which can fail; that failure traps the call (it is
        // recorded as `state-store`, not blamed on the plugin).
        "streamhooks:plugin/host.state-get": trappable,
        "streamhooks:plugin/host.state-delete": trappable,
    },
    additional_derives: [PartialEq],
});

pub(crate) use streamhooks::plugin::host;
pub(crate) use streamhooks::plugin::types;
