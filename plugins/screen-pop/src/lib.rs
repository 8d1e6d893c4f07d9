//! screen-pop: when a contact is offered to an agent (Streams `contact-connecting` /
//! `contact-accepted`) or connected (agent event stream `contact-connected`), tells the agent's
//! browser to open the customer's CRM record, with the URL built from the `record_url`
//! template filled from contact attributes. Once per contact per agent. See README.md.

use streamhooks_sdk::state::RecentSet;
use streamhooks_sdk::{
    Action, Event, Handler, HandlerResult, ScreenPop, config, config_or, export_plugin, log,
    require_config,
};

/// How many recent contacts each agent's "already popped" set remembers.
const RECENT_PER_AGENT: usize = 20;

struct ScreenPopPlugin;

impl Handler for ScreenPopPlugin {
    fn on_contact_connecting(event: &Event) -> HandlerResult {
        pop_once(event)
    }

    fn on_contact_accepted(event: &Event) -> HandlerResult {
        pop_once(event)
    }

    fn on_contact_connected(event: &Event) -> HandlerResult {
        pop_once(event)
    }
}

export_plugin!(ScreenPopPlugin);

fn pop_once(event: &Event) -> HandlerResult {
    let agent_arn = event.require_agent_arn()?;
    let agent_id = event.require_agent_id()?;
    let contact_id = event.require_contact_id()?;
    let record_url = require_config("record_url")?;
    let search_url = config("search_url").filter(|s| !s.is_empty());

    let mut popped = RecentSet::load(&format!("popped/{agent_id}"), RECENT_PER_AGENT);
    if popped.contains(contact_id) {
        return Ok(Vec::new());
    }
    let Some(pop) = screen_pop(event, &record_url, search_url.as_deref(), &title()) else {
        log::info!("contact {contact_id}: no attribute for record_url and no search_url; no pop");
        return Ok(Vec::new());
    };
    popped.insert(contact_id);
    if let Err(e) = popped.save() {
        // Popping twice is better than not popping: go on without the memory.
        log::warn!("contact {contact_id}: cannot remember the pop: {e}");
    }
    Ok(vec![Action::client_screen_pop(
        agent_arn,
        Some(contact_id),
        pop,
    )])
}

fn title() -> String {
    config_or("title", "Customer record")
}

/// The screen pop for `event`: the record URL if every placeholder of `record_url` can be
/// filled, else the search URL if it can, else none. Data: the queue and the channel.
fn screen_pop(
    event: &Event,
    record_url: &str,
    search_url: Option<&str>,
    title: &str,
) -> Option<ScreenPop> {
    let url = fill(record_url, event).or_else(|| search_url.and_then(|s| fill(s, event)))?;
    let mut pop = ScreenPop::url(url).with_title(title);
    if let Some(queue) = event.queue_name() {
        pop = pop.with_data("Queue", queue);
    }
    if let Some(channel) = event.channel() {
        pop = pop.with_data("Channel", channel);
    }
    Some(pop)
}

/// Fills each `{Name}` of `template` with the contact attribute `Name`, percent-encoded
/// (`{ContactId}` is the contact id unless an attribute has that name). `None` when an
/// attribute is missing or empty, or a brace is unclosed.
fn fill(template: &str, event: &Event) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        let builtin = match name {
            "ContactId" => event.contact_id.as_deref(),
            _ => None,
        };
        let value = event
            .attribute(name)
            .or(builtin)
            .filter(|v| !v.is_empty())?;
        percent_encode(value, &mut out);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// RFC 3986 percent-encoding of everything but unreserved characters: attribute values are
/// untrusted and must not change the URL's structure.
fn percent_encode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_with(attributes: &[(&str, &str)]) -> Event {
        let mut event = Event::example("contact-connecting");
        let contact = event.contact.as_mut().expect("contact");
        contact.attributes = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        event
    }

    #[test]
    fn fills_the_record_url_from_attributes() {
        let event = event_with(&[("CustomerId", "42/x y")]);
        let pop = screen_pop(
            &event,
            "https://crm.example.com/customers/{CustomerId}?c={ContactId}",
            None,
            "Customer",
        )
        .expect("pop");
        assert_eq!(
            pop.url.as_deref(),
            Some("https://crm.example.com/customers/42%2Fx%20y?c=contact-1")
        );
        assert_eq!(pop.title.as_deref(), Some("Customer"));
        assert_eq!(
            pop.data,
            vec![
                ("Queue".to_owned(), "Support".to_owned()),
                ("Channel".to_owned(), "VOICE".to_owned())
            ]
        );
    }

    #[test]
    fn falls_back_to_the_search_url_then_to_nothing() {
        let event = event_with(&[]);
        let record = "https://crm.example.com/customers/{CustomerId}";
        let search = "https://crm.example.com/search?contact={ContactId}";
        let pop = screen_pop(&event, record, Some(search), "t").expect("search pop");
        assert_eq!(
            pop.url.as_deref(),
            Some("https://crm.example.com/search?contact=contact-1")
        );
        assert!(screen_pop(&event, record, None, "t").is_none());
        assert!(screen_pop(&event, "https://x/{Unclosed", None, "t").is_none());
    }
}
