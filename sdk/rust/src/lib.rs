//! Write [streamhooks](https://github.com/streamhooks/streamhooks) handler plugins in Rust.
//!
//! A plugin receives one Amazon Connect agent or contact [`Event`] at a time and decides which
//! [`Action`]s the host should take: set an agent's status, create a task, write to a CRM, pop a
//! record on the agent's screen ... It performs no I/O itself, and the host runs only the
//! actions its manifest (`plugin.toml`) grants. This crate wraps the bindings wit-bindgen
//! generates from the plugin contract (`sdk/wit/streamhooks.wit`, world `plugin`):
//!
//! - [`Handler`]: one hook per event kind, all no-ops by default; implement the ones you need.
//!   [`export_plugin!`] wires your type to the component export.
//! - [`Event`] helpers ([`Event::kind`] as an [`EventKind`], [`Event::attribute`] ...) and
//!   [`Action`] constructors and builders ([`Action::start_task`], [`Action::client_screen_pop`],
//!   [`StartTaskContact::new`] ...).
//! - The host: [`log`] (`log::info!`), [`config`], [`state`]. There is no clock (time comes from
//!   the event, [`Event::occurred_at`] in epoch milliseconds), no network, no filesystem.
//! - Small helpers that keep guests free of serde: [`json::JsonObject`], [`time::rfc3339`].
//!
//! It is not the host: see `crates/engine`. It does not build components either:
//! `scripts/build-plugins.sh` (or `streamhooks-componentize`) turns the `wasm32-unknown-unknown`
//! module into a component.
//!
//! # A complete plugin
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [package]
//! name = "greeter"
//! version = "0.1.0"
//! edition = "2024"
//!
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! streamhooks-sdk = { path = "../../sdk/rust" }
//! ```
//!
//! `src/lib.rs`:
//!
//! ```
//! use streamhooks_sdk::{
//!     Action, Event, Handler, HandlerResult, PluginError, ScreenPop, export_plugin, log,
//!     require_config, state,
//! };
//!
//! /// Pops the customer's record when a contact is connected to an agent, once per contact.
//! struct Greeter;
//!
//! impl Handler for Greeter {
//!     fn on_contact_connected(event: &Event) -> HandlerResult {
//!         let agent_arn = event.require_agent_arn()?;
//!         let contact_id = event.require_contact_id()?;
//!         if !state::mark(&format!("popped/{contact_id}"))? {
//!             return Ok(vec![]); // popped already
//!         }
//!         let Some(customer) = event.attribute("CustomerId") else {
//!             log::info!("contact {contact_id} has no CustomerId");
//!             return Ok(vec![]);
//!         };
//!         let template = require_config("record_url")?;
//!         let pop = ScreenPop::url(template.replace("{CustomerId}", customer))
//!             .with_title("Customer")
//!             .with_data("Queue", event.queue_name().unwrap_or("unknown"));
//!         Ok(vec![Action::client_screen_pop(agent_arn, Some(contact_id), pop)])
//!     }
//!
//!     fn on_contact_destroyed(event: &Event) -> HandlerResult {
//!         let contact_id = event.require_contact_id()?;
//!         state::delete(&format!("popped/{contact_id}"));
//!         Ok(vec![])
//!     }
//! }
//!
//! export_plugin!(Greeter);
//! # fn main() {}
//! ```
//!
//! `plugin.toml` beside the component (format: `docs/plugins.md`):
//!
//! ```toml
//! name = "greeter"
//! version = "0.1.0"
//! component = "greeter.wasm"
//! subscribe = ["contact-connected", "contact-destroyed"]
//!
//! [config]
//! record_url = "https://crm.example.com/customers/{CustomerId}"
//!
//! [grants]
//! client = ["screen-pop"]
//! ```
//!
//! Build: `cargo build --release --target wasm32-unknown-unknown`, then
//! `streamhooks-componentize target/wasm32-unknown-unknown/release/greeter.wasm greeter.wasm`
//! (the repository's `scripts/build-plugins.sh` does both for `plugins/`).
//!
//! Failures: return `Err(PluginError)` for what the plugin detects itself (a missing config
//! value, missing data); a panic is a trap the host records as such. Prefer errors with a stable
//! [`PluginError::code`].

mod action;
mod error;
mod event;
mod handler;
mod host;
pub mod json;
pub mod time;

pub use handler::{EventKind, Handler};
pub use host::{config, config_or, config_parse, log, require_config, state};

/// The bindings wit-bindgen generates for the world `plugin`; used by [`export_plugin!`].
/// Everything useful is re-exported at the crate root.
#[doc(hidden)]
#[allow(missing_docs, unreachable_pub, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "plugin",
        path: "../wit",
        pub_export_macro: true,
        export_macro_name: "__streamhooks_export",
        additional_derives: [PartialEq, Eq],
    });
}

pub use bindings::streamhooks::plugin::host::{Level, StateError};
pub use bindings::streamhooks::plugin::types::{
    Action, AgentSnapshot, AgentState, Change, ClientAction, ClientDirective, ContactRecording,
    ContactSnapshot, CrmOperation, CrmUpdate, DismissUserContact, ErrorInfo, Event, MonitorContact,
    Named, PluginError, PublishEvent, PutUserStatus, RecordingType, RuleMatch, ScreenPop, Source,
    StartOutboundVoiceContact, StartTaskContact, StopContact, TagContact, TaskReference, Timestamp,
    TransferContact, UpdateContact, UpdateContactAttributes,
};

/// What a handler hook returns: the actions to take (possibly none), or an error the host
/// records with the event.
///
/// ```
/// use streamhooks_sdk::{Action, HandlerResult};
///
/// fn decide() -> HandlerResult {
///     Ok(vec![Action::put_user_status("agent-id", "available-status-id")])
/// }
/// # assert_eq!(decide().map(|a| a.len()), Ok(1));
/// ```
pub type HandlerResult = Result<Vec<Action>, PluginError>;

/// Exports a [`Handler`] implementation as the plugin's `handler` interface. Invoke it once, at
/// the root of the plugin crate (a `cdylib`), with the name of a type in scope.
///
/// ```
/// use streamhooks_sdk::{Event, Handler, HandlerResult, export_plugin};
///
/// struct Quiet;
///
/// impl Handler for Quiet {
///     fn on_agent_heartbeat(_event: &Event) -> HandlerResult {
///         Ok(vec![])
///     }
/// }
///
/// export_plugin!(Quiet);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($handler:ident) => {
        $crate::bindings::__streamhooks_export!($handler with_types_in $crate::bindings);
    };
}

/// Every [`Handler`] is the component's `handler` export.
impl<T: Handler> bindings::exports::streamhooks::plugin::handler::Guest for T {
    fn handle(event: Event) -> HandlerResult {
        T::on_event(&event)
    }
}
