//! What streamhooks plugins decide, and what they are allowed to decide.
//!
//! - [`Action`]: the host-side mirror of the WIT `action` variant (`sdk/wit/streamhooks.wit`):
//!   Amazon Connect server actions, client directives for the agent's browser, CRM updates and
//!   EventBridge publishes. Plain data with a stable JSON form (`{"type": "start-task-contact",
//!   ...}`), so the executor and `streamhooks replay` need no WebAssembly runtime.
//! - [`Grants`]: the `[grants]` of a plugin manifest; [`Grants::authorize`] denies everything
//!   not granted, and checks scoped values (queues, flows, attribute keys ...) against patterns.
//! - [`Manifest`]: a validated `plugin.toml` (`docs/plugins.md`); errors name file and field.
//!
//! This crate knows no wasmtime and no AWS SDK.
//!
//! ```
//! use std::path::Path;
//! use streamhooks_actions::{Action, Manifest, StopContact};
//!
//! let manifest = Manifest::parse(r#"
//!     name = "hang-up"
//!     version = "1.0.0"
//!     component = "hang_up.wasm"
//!     subscribe = ["contact-missed"]
//!     [grants]
//!     stop_contact = true
//! "#, Path::new("plugins/hang-up/plugin.toml")).unwrap();
//! let stop = Action::StopContact(StopContact { contact_id: "c-1".into(), disconnect_reason: None });
//! assert!(manifest.grants.authorize(&stop).is_ok());
//! ```

pub mod action;
pub mod grants;
pub mod manifest;

pub use action::{
    Action, ClientAction, ClientDirective, ContactRecording, CrmOperation, CrmUpdate,
    DismissUserContact, MonitorContact, PublishEvent, PutUserStatus, RecordingType, ScreenPop,
    StartOutboundVoiceContact, StartTaskContact, StopContact, TagContact, TaskReference,
    TransferContact, UpdateContact, UpdateContactAttributes,
};
pub use grants::{Denial, Grant, Grants, Pattern};
pub use manifest::{FailurePolicy, Manifest, ManifestError, PluginLimits};
