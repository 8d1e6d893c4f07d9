//! crm-call-log: when a contact handled by an agent is complete (EventBridge `contact-completed`,
//! After Contact Work included) or, if so configured, has ended (`contact-ended`), writes a call
//! log to the CRM: an upsert of a `Task` keyed by the contact id, with the agent, queue,
//! channel, times, duration and disposition. Once per contact. See README.md.

use streamhooks_sdk::json::JsonObject;
use streamhooks_sdk::state::{self, RecentSet};
use streamhooks_sdk::{
    CrmUpdate, Event, Handler, HandlerResult, PluginError, config, config_or, export_plugin, log,
    require_config, time,
};

/// How many recently logged contacts are remembered (one state value, ~37 bytes each).
const RECENT_LOGGED: usize = 200;
const LOGGED_KEY: &str = "logged";
/// The last disposition written to the CRM per recent contact, as `contact-id=disposition`
/// lines (one state value).
const SENT_KEY: &str = "dispositions-sent";

struct CrmCallLog;

impl Handler for CrmCallLog {
    fn on_contact_completed(event: &Event) -> HandlerResult {
        log_or_remember(event, LogOn::Completed)
    }

    fn on_contact_ended(event: &Event) -> HandlerResult {
        log_or_remember(event, LogOn::Ended)
    }

    fn on_contact_acw(event: &Event) -> HandlerResult {
        remember_disposition(event)
    }

    fn on_contact_destroyed(event: &Event) -> HandlerResult {
        remember_disposition(event)
    }

    fn on_contact_data_updated(event: &Event) -> HandlerResult {
        remember_disposition(event)
    }

    fn on_contact_refresh(event: &Event) -> HandlerResult {
        remember_disposition(event)
    }
}

export_plugin!(CrmCallLog);

/// Which event writes the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LogOn {
    /// EventBridge `contact-completed`: after After Contact Work, final disposition.
    Completed,
    /// `contact-ended` (Streams or agent event stream): for deployments without EventBridge.
    Ended,
}

fn log_on() -> Result<LogOn, PluginError> {
    match config("log_on").as_deref().map(str::trim) {
        None | Some("completed") => Ok(LogOn::Completed),
        Some("ended") => Ok(LogOn::Ended),
        Some(other) => Err(PluginError::bad_config(
            "log_on",
            format!("{other:?} is neither \"completed\" nor \"ended\""),
        )),
    }
}

fn disposition_attribute() -> String {
    config_or("disposition_attribute", "Disposition")
}

fn disposition_key(contact_id: &str) -> String {
    format!("disposition/{contact_id}")
}

fn log_or_remember(event: &Event, trigger: LogOn) -> HandlerResult {
    if log_on()? != trigger {
        return remember_disposition(event);
    }
    let contact_id = event.require_contact_id()?;
    let connector = require_config("connector")?;
    let mut logged = RecentSet::load(LOGGED_KEY, RECENT_LOGGED);
    if logged.contains(contact_id) {
        return Ok(Vec::new());
    }
    if !handled_by_agent(event) {
        log::debug!("contact {contact_id} never reached an agent: no call log");
        return Ok(Vec::new());
    }
    let key = disposition_key(contact_id);
    let disposition = event
        .attribute(&disposition_attribute())
        .map(str::to_owned)
        .or_else(|| state::get_string(&key));
    let subject = config_or("subject", "Amazon Connect contact");
    let fields = call_log_fields(event, contact_id, disposition.as_deref(), &subject);

    logged.insert(contact_id);
    if let Err(e) = logged.save() {
        // The upsert is keyed by the contact id: writing it twice is harmless, losing it is not.
        log::warn!("contact {contact_id}: cannot remember the call log: {e}");
    }
    if let Some(disposition) = &disposition {
        mark_sent(contact_id, disposition);
    }
    state::delete(&key);
    let update = CrmUpdate::upsert(
        connector,
        config_or("object", "Task"),
        config_or("id_field", "ContactId"),
        contact_id,
        fields,
    );
    Ok(vec![update.into()])
}

/// Keeps the contact's disposition, when this event carries it, for the event that logs. A
/// disposition that arrives after the log was written (the agent set it late, or the
/// forwarder's batch came after EventBridge's `COMPLETED`) updates the logged record: an upsert
/// of that one field under the same contact id, unless it is the disposition the record
/// already has.
fn remember_disposition(event: &Event) -> HandlerResult {
    let contact_id = event.require_contact_id()?;
    let Some(disposition) = event.attribute(&disposition_attribute()) else {
        return Ok(Vec::new());
    };
    if !RecentSet::load(LOGGED_KEY, RECENT_LOGGED).contains(contact_id) {
        if let Err(e) = state::set(&disposition_key(contact_id), disposition) {
            log::warn!("contact {contact_id}: cannot remember the disposition: {e}");
        }
        return Ok(Vec::new());
    }
    if !mark_sent(contact_id, disposition) {
        return Ok(Vec::new());
    }
    let fields = JsonObject::new()
        .string("ContactId", contact_id)
        .string("Disposition", disposition)
        .build();
    let update = CrmUpdate::upsert(
        require_config("connector")?,
        config_or("object", "Task"),
        config_or("id_field", "ContactId"),
        contact_id,
        fields,
    );
    Ok(vec![update.into()])
}

/// Records `disposition` as the one the CRM record of `contact_id` has: `false` if it has it
/// already. Only the last written value counts, so a disposition changed back (Sale, then
/// Callback requested, then Sale) is written again.
fn mark_sent(contact_id: &str, disposition: &str) -> bool {
    let item = sent_item(contact_id, disposition);
    let mut sent = RecentSet::load(SENT_KEY, RECENT_LOGGED);
    let prefix = format!("{contact_id}=");
    let last = sent
        .items()
        .iter()
        .rev()
        .find(|i| i.starts_with(&prefix))
        .cloned();
    if last.as_deref() == Some(item.as_str()) {
        return false;
    }
    if let Some(last) = last {
        sent.remove(&last);
    }
    sent.insert(&item);
    if let Err(e) = sent.save() {
        // Writing the same disposition again is harmless (keyed upsert); skipping one is not.
        log::warn!("contact {contact_id}: cannot remember the disposition sent: {e}");
    }
    true
}

/// One line of the `dispositions-sent` set (items are lines: newlines become spaces).
fn sent_item(contact_id: &str, disposition: &str) -> String {
    format!("{contact_id}={}", disposition.replace(['\n', '\r'], " "))
}

fn handled_by_agent(event: &Event) -> bool {
    event.agent_arn.is_some()
        || event
            .contact
            .as_ref()
            .is_some_and(|c| c.connected_to_agent_at.is_some())
}

/// The call log's fields as a JSON object. Times are RFC 3339 UTC; absent values are left out.
fn call_log_fields(
    event: &Event,
    contact_id: &str,
    disposition: Option<&str>,
    subject: &str,
) -> String {
    let contact = event.contact.as_ref();
    let agent = event
        .agent
        .as_ref()
        .and_then(|a| a.username.as_deref().or(a.name.as_deref()))
        .or(event.agent_arn.as_deref());
    let start = contact.and_then(|c| c.initiated_at);
    let connected = contact.and_then(|c| c.connected_to_agent_at);
    let end = contact.and_then(|c| c.disconnected_at).or(
        // contact-ended: the contact left the active states when the event happened.
        (event.kind == "contact-ended").then_some(event.occurred_at),
    );
    let acw_end = (event.kind == "contact-completed").then_some(event.occurred_at);
    let duration = start.zip(end).map(|(s, e)| time::seconds_between(s, e));
    JsonObject::new()
        .string("Subject", subject)
        .string("ContactId", contact_id)
        .opt_string("InitialContactId", event.initial_contact_id())
        .opt_string("Agent", agent)
        .opt_string("AgentArn", event.agent_arn.as_deref())
        .opt_string("Queue", event.queue_name())
        .opt_string("Channel", event.channel())
        .opt_string("InitiationMethod", event.initiation_method())
        .opt_string("StartTime", start.map(time::rfc3339).as_deref())
        .opt_string("ConnectedTime", connected.map(time::rfc3339).as_deref())
        .opt_string("EndTime", end.map(time::rfc3339).as_deref())
        .opt_string("AcwEndTime", acw_end.map(time::rfc3339).as_deref())
        .opt_int("DurationSeconds", duration)
        .opt_string("Disposition", disposition)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_completed_contact() {
        let mut event = Event::example("contact-completed");
        event.occurred_at += 120_000;
        if let Some(c) = event.contact.as_mut() {
            c.disconnected_at = Some(c.connected_to_agent_at.unwrap_or_default() + 95_000);
        }
        let fields = call_log_fields(&event, "contact-1", Some("Resolved"), "Call");
        assert_eq!(
            fields,
            concat!(
                r#"{"Subject":"Call","ContactId":"contact-1","InitialContactId":"contact-1","#,
                r#""Agent":"agent1","AgentArn":"arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1","#,
                r#""Queue":"Support","Channel":"VOICE","InitiationMethod":"INBOUND","#,
                r#""StartTime":"2026-11-20T08:59:00Z","ConnectedTime":"2026-11-20T09:00:00Z","#,
                r#""EndTime":"2026-11-20T09:01:35Z","AcwEndTime":"2026-11-20T09:02:00Z","#,
                r#""DurationSeconds":155,"Disposition":"Resolved"}"#
            )
        );
    }

    #[test]
    fn an_ended_contact_ends_when_the_event_happened() {
        let event = Event::example("contact-ended");
        let fields = call_log_fields(&event, "contact-1", None, "Call");
        assert!(
            fields.contains(r#""EndTime":"2026-11-20T09:00:00Z""#),
            "{fields}"
        );
        assert!(fields.contains(r#""DurationSeconds":60"#), "{fields}");
        assert!(!fields.contains("AcwEndTime") && !fields.contains("Disposition"));
    }

    #[test]
    fn sent_items_are_single_lines() {
        assert_eq!(sent_item("c-1", "Resolved"), "c-1=Resolved");
        assert_eq!(sent_item("c-1", "Call\nback"), "c-1=Call back");
    }

    #[test]
    fn contacts_without_an_agent_are_not_logged() {
        let mut event = Event::example("contact-completed");
        event.agent_arn = None;
        event.agent = None;
        if let Some(c) = event.contact.as_mut() {
            c.connected_to_agent_at = None;
        }
        assert!(!handled_by_agent(&event));
    }
}
