//! {{name}}: when a voice contact connects to an agent, sets a contact attribute (config
//! `attribute`, default `AnsweredBy`) to the agent's id.

use streamhooks_sdk::{Action, Event, Handler, HandlerResult, config_or, export_plugin, log};

struct Plugin;

impl Handler for Plugin {
    fn on_contact_connected(event: &Event) -> HandlerResult {
        let attribute = config_or("attribute", "AnsweredBy");
        let actions = decide(event, &attribute)?;
        if actions.is_empty() {
            log::debug!("not a voice contact: nothing to do");
        }
        Ok(actions)
    }
}

export_plugin!(Plugin);

/// The decision, as a plain function: no host calls, so `cargo test` runs it natively.
fn decide(event: &Event, attribute: &str) -> HandlerResult {
    if !event.is_channel("voice") {
        return Ok(Vec::new());
    }
    let agent_id = event.require_agent_id()?;
    let contact_id = event.require_contact_id()?;
    // Attributes belong to the initial contact of a chain of transfers.
    let initial = event.initial_contact_id().unwrap_or(contact_id);
    Ok(vec![Action::update_contact_attributes(
        initial,
        [(attribute, agent_id)],
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_a_voice_contact_with_its_agent() {
        let event = Event::example("contact-connected");
        let actions = decide(&event, "AnsweredBy").expect("decides");
        assert_eq!(
            actions,
            vec![Action::update_contact_attributes(
                "contact-1",
                [("AnsweredBy", "agent-1")]
            )]
        );
    }

    #[test]
    fn leaves_other_channels_alone() {
        let mut event = Event::example("contact-connected");
        if let Some(contact) = event.contact.as_mut() {
            contact.channel = Some("CHAT".into());
        }
        assert_eq!(decide(&event, "AnsweredBy").expect("decides"), Vec::new());
    }

    #[test]
    fn needs_an_agent() {
        let mut event = Event::example("contact-connected");
        event.agent_arn = None;
        event.agent = None;
        let error = decide(&event, "AnsweredBy").expect_err("no agent");
        assert_eq!(error.code, "missing-data");
    }
}
