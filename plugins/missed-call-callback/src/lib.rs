//! missed-call-callback: when an agent misses a call (`contact-missed`) or an inbound call is
//! abandoned in queue (EventBridge `contact-disconnected` of an `INBOUND`/`TRANSFER` voice
//! contact that never reached an agent), creates a callback task linked to the contact, with the
//! customer's number as a reference when an attribute carries it. Once per contact. See
//! README.md.

use streamhooks_sdk::state::RecentSet;
use streamhooks_sdk::{
    Event, Handler, HandlerResult, PluginError, StartTaskContact, config, config_or, config_parse,
    export_plugin, log, require_config,
};

/// How many recent contacts with a callback are remembered (one state value).
const RECENT_CALLBACKS: usize = 100;
/// StartTaskContact schedules at most 6 days ahead.
const MAX_DELAY_SECONDS: u64 = 6 * 24 * 3600;

struct MissedCallCallback;

impl Handler for MissedCallCallback {
    fn on_contact_missed(event: &Event) -> HandlerResult {
        if !config_parse::<bool>("on_missed")?.unwrap_or(true) || !is_voice_or_unknown(event) {
            return Ok(Vec::new());
        }
        callback(event, "missed")
    }

    fn on_contact_disconnected(event: &Event) -> HandlerResult {
        if !abandoned_in_queue(event) {
            return Ok(Vec::new());
        }
        callback(event, "abandoned")
    }
}

export_plugin!(MissedCallCallback);

fn is_voice_or_unknown(event: &Event) -> bool {
    event.channel().is_none() || event.is_channel("VOICE")
}

/// An inbound or transferred voice call that was queued and never connected to an agent.
fn abandoned_in_queue(event: &Event) -> bool {
    let Some(contact) = event.contact.as_ref() else {
        return false;
    };
    let inbound = contact
        .initiation_method
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("INBOUND") || m.eq_ignore_ascii_case("TRANSFER"));
    let queued = contact.queue.is_some() || contact.queued_at.is_some();
    let no_agent = event.agent_arn.is_none() && contact.connected_to_agent_at.is_none();
    contact.is_channel("VOICE") && inbound && queued && no_agent
}

fn callback(event: &Event, reason: &str) -> HandlerResult {
    let contact_id = event.require_contact_id()?;
    let flow = require_config("contact_flow_id")?;
    let mut done = RecentSet::load("callbacks", RECENT_CALLBACKS);
    if !done.insert(contact_id) {
        return Ok(Vec::new());
    }
    let delay: Option<u64> = config_parse("delay_seconds")?;
    if delay.is_some_and(|d| d > MAX_DELAY_SECONDS) {
        return Err(PluginError::bad_config(
            "delay_seconds",
            format!("at most {MAX_DELAY_SECONDS} (6 days)"),
        ));
    }
    let phone_attribute = config_or("phone_attribute", "CustomerNumber");
    let task = callback_task(
        event,
        contact_id,
        reason,
        &config_or("task_name", "Call back a missed caller"),
        &flow,
        event.attribute(&phone_attribute),
        delay,
    );
    if let Err(e) = done.save() {
        log::warn!("contact {contact_id}: cannot remember the callback: {e}");
    }
    if let Some(template) = config("task_template_id").filter(|t| !t.is_empty()) {
        return Ok(vec![task.with_template(template).into()]);
    }
    Ok(vec![task.into()])
}

fn callback_task(
    event: &Event,
    contact_id: &str,
    reason: &str,
    name: &str,
    flow: &str,
    phone: Option<&str>,
    delay_seconds: Option<u64>,
) -> StartTaskContact {
    let mut task = StartTaskContact::new(name)
        .with_contact_flow(flow)
        .with_related_contact(contact_id)
        .with_description(format!("The customer's call was {reason}; call them back."))
        .with_attribute("CallbackReason", reason);
    if let Some(queue) = event.queue_name() {
        task = task.with_attribute("OriginalQueue", queue);
    }
    if let Some(phone) = phone.filter(|p| !p.is_empty()) {
        task = task.with_reference("Customer number", "STRING", phone);
    }
    if let Some(delay) = delay_seconds {
        // delay_seconds <= 6 days, so this fits in i64 milliseconds.
        task = task.scheduled_at(event.occurred_at + i64::try_from(delay * 1000).unwrap_or(0));
    }
    task
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abandoned() -> Event {
        let mut event = Event::example("contact-disconnected");
        event.agent_arn = None;
        event.agent = None;
        if let Some(c) = event.contact.as_mut() {
            c.connected_to_agent_at = None;
        }
        event
    }

    #[test]
    fn recognises_a_call_abandoned_in_queue() {
        assert!(abandoned_in_queue(&abandoned()));
        let answered = Event::example("contact-disconnected");
        assert!(!abandoned_in_queue(&answered));
        let mut outbound = abandoned();
        if let Some(c) = outbound.contact.as_mut() {
            c.initiation_method = Some("OUTBOUND".into());
        }
        assert!(!abandoned_in_queue(&outbound));
        let mut ivr_hangup = abandoned();
        if let Some(c) = ivr_hangup.contact.as_mut() {
            c.queue = None;
            c.queued_at = None;
        }
        assert!(!abandoned_in_queue(&ivr_hangup));
        let mut chat = abandoned();
        if let Some(c) = chat.contact.as_mut() {
            c.channel = Some("CHAT".into());
        }
        assert!(!abandoned_in_queue(&chat));
    }

    #[test]
    fn builds_a_linked_scheduled_task_with_the_number() {
        let event = abandoned();
        let task = callback_task(
            &event,
            "contact-1",
            "abandoned",
            "Call back",
            "flow-1",
            Some("+15550100"),
            Some(600),
        );
        assert_eq!(task.related_contact_id.as_deref(), Some("contact-1"));
        assert_eq!(task.contact_flow_id.as_deref(), Some("flow-1"));
        assert_eq!(task.references[0].value, "+15550100");
        assert_eq!(task.scheduled_time, Some(event.occurred_at + 600_000));
        assert!(
            task.attributes
                .contains(&("OriginalQueue".to_owned(), "Support".to_owned()))
        );
    }
}
