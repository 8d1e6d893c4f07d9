//! hold-recording: suspends a call's recording while the customer is on hold
//! (`contact-participant-hold`) and resumes it when they are taken off hold
//! (`contact-participant-resume`). Unlike AWS's sample, failures are not swallowed: an event
//! without a contact id is a `missing-data` plugin error. See README.md.

use streamhooks_sdk::{Action, Event, Handler, HandlerResult, PluginError, export_plugin};

struct HoldRecording;

impl Handler for HoldRecording {
    fn on_contact_participant_hold(event: &Event) -> HandlerResult {
        let (contact_id, initial) = ids(event)?;
        Ok(vec![Action::suspend_call_recording(contact_id, initial)])
    }

    fn on_contact_participant_resume(event: &Event) -> HandlerResult {
        let (contact_id, initial) = ids(event)?;
        Ok(vec![Action::resume_call_recording(contact_id, initial)])
    }
}

export_plugin!(HoldRecording);

/// The contact id and the initial contact id (the snapshot's, else the contact's own: a contact
/// that was never transferred is its own initial contact).
fn ids(event: &Event) -> Result<(&str, &str), PluginError> {
    let contact_id = event.require_contact_id()?;
    Ok((contact_id, event.initial_contact_id().unwrap_or(contact_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspends_with_the_initial_contact_id() {
        let mut event = Event::example("contact-participant-hold");
        if let Some(c) = event.contact.as_mut() {
            c.initial_contact_id = Some("initial-1".into());
        }
        let actions = HoldRecording::on_event(&event).expect("actions");
        assert_eq!(
            actions,
            vec![Action::suspend_call_recording("contact-1", "initial-1")]
        );
    }

    #[test]
    fn resumes_with_the_contact_as_its_own_initial_contact() {
        let event = Event::example("contact-participant-resume");
        let actions = HoldRecording::on_event(&event).expect("actions");
        assert_eq!(
            actions,
            vec![Action::resume_call_recording("contact-1", "contact-1")]
        );
    }

    #[test]
    fn a_missing_contact_id_is_a_plugin_error() {
        let mut event = Event::example("contact-participant-hold");
        event.contact_id = None;
        event.contact = None;
        let err = HoldRecording::on_event(&event).expect_err("error");
        assert_eq!(err.code, "missing-data");
    }
}
