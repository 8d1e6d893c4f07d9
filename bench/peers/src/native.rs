//! screen-pop as plain Rust in the host process: the physical limit. The same decisions as
//! `plugins/screen-pop/src/lib.rs` (and its SDK helpers: `require_*`, `RecentSet`,
//! `queue_name`), on the host's own canonical event, with the plugin's configuration from its
//! manifest and state in a map. No isolation, no conversion, no copy of the event.

use std::collections::{BTreeMap, HashMap};

use streamhooks_actions::action::{Action, ClientAction, ClientDirective, ScreenPop};
use streamhooks_events::Event;

const RECENT_PER_AGENT: usize = 20;

/// The plugin's configuration and state, as the host would hold them for it.
pub struct Native {
    pub config: BTreeMap<String, String>,
    pub state: HashMap<String, Vec<u8>>,
}

/// What one call decided: its actions and the state write it asks for (kept by the caller or
/// not, as the engine's deferred dispatch does).
pub struct Outcome {
    pub actions: Vec<Action>,
    pub state_write: Option<(String, Vec<u8>)>,
}

impl Native {
    pub fn handle(&self, event: &Event) -> Result<Outcome, String> {
        match event.kind.as_str() {
            "contact-connecting" | "contact-accepted" | "contact-connected" => self.pop_once(event),
            _ => Ok(Outcome {
                actions: Vec::new(),
                state_write: None,
            }),
        }
    }

    fn config(&self, key: &str) -> Option<String> {
        self.config.get(key).cloned()
    }

    fn pop_once(&self, event: &Event) -> Result<Outcome, String> {
        let missing = |what: &str| format!("{} event {} has no {what}", event.kind, event.id);
        let agent_arn = event
            .agent_arn
            .as_deref()
            .or_else(|| event.agent.as_ref()?.arn.as_deref())
            .ok_or_else(|| missing("agent ARN"))?;
        let agent_id = agent_arn.rsplit('/').next().unwrap_or(agent_arn);
        let contact_id = event
            .contact_id
            .as_deref()
            .or_else(|| event.contact.as_ref().map(|c| c.contact_id.as_str()))
            .ok_or_else(|| missing("contact id"))?;
        let record_url = self
            .config("record_url")
            .filter(|v| !v.is_empty())
            .ok_or("missing-config: record_url")?;
        let search_url = self.config("search_url").filter(|s| !s.is_empty());

        let key = format!("popped/{agent_id}");
        let mut popped: Vec<String> = self
            .state
            .get(&key)
            .and_then(|v| String::from_utf8(v.clone()).ok())
            .map(|v| v.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        if popped.len() > RECENT_PER_AGENT {
            popped.drain(..popped.len() - RECENT_PER_AGENT);
        }
        let none = Outcome {
            actions: Vec::new(),
            state_write: None,
        };
        if popped.iter().any(|i| i == contact_id) {
            return Ok(none);
        }
        let title = self
            .config("title")
            .unwrap_or_else(|| "Customer record".to_owned());
        let Some(pop) = screen_pop(event, &record_url, search_url.as_deref(), &title) else {
            return Ok(none);
        };
        popped.push(contact_id.replace('\n', " "));
        if popped.len() > RECENT_PER_AGENT {
            popped.remove(0);
        }
        Ok(Outcome {
            actions: vec![Action::Client(ClientAction {
                agent_arn: agent_arn.to_owned(),
                contact_id: Some(contact_id.to_owned()),
                directive: ClientDirective::ScreenPop(pop),
            })],
            state_write: Some((key, popped.join("\n").into_bytes())),
        })
    }
}

fn screen_pop(
    event: &Event,
    record_url: &str,
    search_url: Option<&str>,
    title: &str,
) -> Option<ScreenPop> {
    let url = fill(record_url, event).or_else(|| search_url.and_then(|s| fill(s, event)))?;
    let mut data = Vec::new();
    let contact = event.contact.as_ref();
    if let Some(queue) = contact
        .and_then(|c| c.queue.as_ref())
        .and_then(|q| q.name.as_deref().or(q.arn.as_deref()))
    {
        data.push(("Queue".to_owned(), queue.to_owned()));
    }
    if let Some(channel) = contact.and_then(|c| c.channel.as_ref()) {
        data.push(("Channel".to_owned(), channel.as_str().to_owned()));
    }
    Some(ScreenPop {
        url: Some(url),
        title: Some(title.to_owned()),
        data,
    })
}

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
            .contact
            .as_ref()
            .and_then(|c| c.attributes.get(name))
            .map(String::as_str)
            .or(builtin)
            .filter(|v| !v.is_empty())?;
        percent_encode(value, &mut out);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

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
