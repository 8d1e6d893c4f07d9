//! screen-pop for Extism: the same decisions as `plugins/screen-pop/src/lib.rs`, written as an
//! Extism user would (extism-pdk, serde types for the part of the event it reads, JSON out).
//! The only differences are the ones the two plugin contracts impose: the event arrives as the
//! canonical event's JSON and is parsed here; state goes through the `state_get` / `state_set`
//! host functions; the action is returned as the host's action JSON.
#![no_main]

use std::collections::BTreeMap;

use extism_pdk::*;
use serde::{Deserialize, Serialize};

/// How many recent contacts each agent's "already popped" set remembers.
const RECENT_PER_AGENT: usize = 20;

#[host_fn]
extern "ExtismHost" {
    /// The value of `key` in this plugin's state; "" when absent.
    fn state_get(key: String) -> String;
    /// Stores `value` under `key` ("" deletes).
    fn state_set(key: String, value: String);
}

/// The part of the canonical event (`streamhooks_events::Event` as JSON) screen-pop reads; the
/// rest (agent snapshot, raw source event ...) is parsed past.
#[derive(Deserialize)]
struct Event {
    id: String,
    kind: String,
    #[serde(default)]
    agent_arn: Option<String>,
    #[serde(default)]
    contact_id: Option<String>,
    #[serde(default)]
    agent: Option<Agent>,
    #[serde(default)]
    contact: Option<Contact>,
}

#[derive(Deserialize)]
struct Agent {
    #[serde(default)]
    arn: Option<String>,
}

#[derive(Deserialize)]
struct Contact {
    contact_id: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    queue: Option<Named>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    arn: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// A client screen-pop action in the host's action JSON (`streamhooks_actions::Action`).
#[derive(Serialize)]
struct Action<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    agent_arn: &'a str,
    contact_id: Option<&'a str>,
    directive: &'static str,
    value: ScreenPop,
}

#[derive(Serialize)]
struct ScreenPop {
    url: Option<String>,
    title: Option<String>,
    data: Vec<(String, String)>,
}

#[derive(Serialize)]
struct PluginError {
    code: &'static str,
    message: String,
}

impl Event {
    fn missing(&self, what: &str) -> Error {
        let e = PluginError {
            code: "missing-data",
            message: format!("{} event {} has no {what}", self.kind, self.id),
        };
        Error::msg(serde_json::to_string(&e).unwrap_or_default())
    }

    fn require_contact_id(&self) -> Result<&str, Error> {
        self.contact_id
            .as_deref()
            .or_else(|| self.contact.as_ref().map(|c| c.contact_id.as_str()))
            .ok_or_else(|| self.missing("contact id"))
    }

    fn require_agent_arn(&self) -> Result<&str, Error> {
        self.agent_arn
            .as_deref()
            .or_else(|| self.agent.as_ref()?.arn.as_deref())
            .ok_or_else(|| self.missing("agent ARN"))
    }

    fn attribute(&self, key: &str) -> Option<&str> {
        self.contact
            .as_ref()?
            .attributes
            .get(key)
            .map(String::as_str)
    }

    fn queue_name(&self) -> Option<&str> {
        let queue = self.contact.as_ref()?.queue.as_ref()?;
        queue.name.as_deref().or(queue.arn.as_deref())
    }

    fn channel(&self) -> Option<&str> {
        self.contact.as_ref()?.channel.as_deref()
    }
}

fn require_config(key: &str) -> Result<String, Error> {
    config::get(key)?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::msg(format!("missing-config: {key}")))
}

/// The screen-pop SDK's `RecentSet`, over the host functions.
struct RecentSet {
    key: String,
    items: Vec<String>,
}

impl RecentSet {
    fn load(key: &str) -> Result<Self, Error> {
        let value = unsafe { state_get(key.to_owned())? };
        let mut items: Vec<String> = value.lines().map(str::to_owned).collect();
        if items.len() > RECENT_PER_AGENT {
            items.drain(..items.len() - RECENT_PER_AGENT);
        }
        Ok(RecentSet {
            key: key.to_owned(),
            items,
        })
    }

    fn contains(&self, item: &str) -> bool {
        self.items.iter().any(|i| i == item)
    }

    fn insert(&mut self, item: &str) {
        if !self.contains(item) {
            self.items.push(item.replace('\n', " "));
            if self.items.len() > RECENT_PER_AGENT {
                self.items.remove(0);
            }
        }
    }

    fn save(&self) -> Result<(), Error> {
        unsafe { state_set(self.key.clone(), self.items.join("\n")) }
    }
}

/// The handler: the canonical event as JSON in, a JSON array of actions out.
#[plugin_fn]
pub fn handle(input: String) -> FnResult<String> {
    let event: Event = serde_json::from_str(&input)?;
    match event.kind.as_str() {
        "contact-connecting" | "contact-accepted" | "contact-connected" => Ok(pop_once(&event)?),
        _ => Ok("[]".to_owned()),
    }
}

fn pop_once(event: &Event) -> Result<String, Error> {
    let agent_arn = event.require_agent_arn()?;
    let agent_id = agent_arn.rsplit('/').next().unwrap_or(agent_arn);
    let contact_id = event.require_contact_id()?;
    let record_url = require_config("record_url")?;
    let search_url = config::get("search_url")?.filter(|s| !s.is_empty());

    let mut popped = RecentSet::load(&format!("popped/{agent_id}"))?;
    if popped.contains(contact_id) {
        return Ok("[]".to_owned());
    }
    let title = config::get("title")?.unwrap_or_else(|| "Customer record".to_owned());
    let Some(pop) = screen_pop(event, &record_url, search_url.as_deref(), &title) else {
        log!(
            LogLevel::Info,
            "contact {contact_id}: no attribute for record_url and no search_url; no pop"
        );
        return Ok("[]".to_owned());
    };
    popped.insert(contact_id);
    if let Err(e) = popped.save() {
        log!(
            LogLevel::Warn,
            "contact {contact_id}: cannot remember the pop: {e}"
        );
    }
    let action = Action {
        kind: "client",
        agent_arn,
        contact_id: Some(contact_id),
        directive: "screen-pop",
        value: pop,
    };
    Ok(serde_json::to_string(&[action])?)
}

fn screen_pop(
    event: &Event,
    record_url: &str,
    search_url: Option<&str>,
    title: &str,
) -> Option<ScreenPop> {
    let url = fill(record_url, event).or_else(|| search_url.and_then(|s| fill(s, event)))?;
    let mut data = Vec::new();
    if let Some(queue) = event.queue_name() {
        data.push(("Queue".to_owned(), queue.to_owned()));
    }
    if let Some(channel) = event.channel() {
        data.push(("Channel".to_owned(), channel.to_owned()));
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
            .attribute(name)
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
