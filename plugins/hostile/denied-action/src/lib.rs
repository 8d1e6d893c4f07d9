//! Hostile plugin: returns three actions, in this order:
//! 0. `stop-contact`: not granted at all (denied);
//! 1. `client` `screen-pop`: granted (must run);
//! 2. `start-task-contact` with flow `forbidden-flow`: the grant allows only flows `allowed-*`
//!    (denied by scope).
//!
//! The host must deny 0 and 2, report them (index, type, reason), and still run 1.

#[allow(missing_docs, unreachable_pub)]
mod bindings {
    wit_bindgen::generate!({ world: "plugin", path: "../../../sdk/wit" });
}

use bindings::exports::streamhooks::plugin::handler::{Action, Event, Guest, PluginError};
use bindings::streamhooks::plugin::types::{
    ClientAction, ClientDirective, ScreenPop, StartTaskContact, StopContact,
};

struct DeniedAction;

impl Guest for DeniedAction {
    fn handle(event: Event) -> Result<Vec<Action>, PluginError> {
        let contact_id = event.contact_id.unwrap_or_else(|| "unknown-contact".into());
        let agent_arn = event.agent_arn.unwrap_or_else(|| "unknown-agent".into());
        Ok(vec![
            Action::StopContact(StopContact {
                contact_id: contact_id.clone(),
                disconnect_reason: None,
            }),
            Action::Client(ClientAction {
                agent_arn,
                contact_id: Some(contact_id.clone()),
                directive: ClientDirective::ScreenPop(ScreenPop {
                    url: Some("https://crm.example.com/granted".into()),
                    title: Some("granted".into()),
                    data: Vec::new(),
                }),
            }),
            Action::StartTaskContact(StartTaskContact {
                name: "denied by scope".into(),
                description: None,
                contact_flow_id: Some("forbidden-flow".into()),
                task_template_id: None,
                quick_connect_id: None,
                previous_contact_id: None,
                related_contact_id: Some(contact_id),
                attributes: Vec::new(),
                references: Vec::new(),
                scheduled_time: None,
            }),
        ])
    }
}

bindings::export!(DeniedAction with_types_in bindings);
