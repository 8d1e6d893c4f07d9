//! Batches forwarded from agents' browsers: the `streamhooks.streams.v1` wire format.
//!
//! The forwarder (`sdk/forwarder`) subscribes to the Streams library's agent and contact events
//! and posts them in batches, each entry carrying Streams' own agent and contact data. The full
//! contract is `docs/wire-format.md`. Everything here is untrusted: the batch must name a valid
//! agent ARN, entries must carry ids and known event names, snapshots may not name another
//! agent, and sizes are capped. A bad entry is refused on its own; a bad batch as a whole.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::json::Node;
use crate::model::{
    AgentSnapshot, AgentState, AgentStateType, Change, Channel, ContactSnapshot, ContactState,
    ErrorInfo, Event, EventKind, Named, Source, arn_resource_id, instance_arn_of,
};
use crate::{DecodeError, Decoded, Limits, check_id};

/// Every `format` value of this wire format starts with this.
pub const FORMAT_PREFIX: &str = "streamhooks.streams.";

/// The version this decoder reads.
pub const FORMAT_V1: &str = "streamhooks.streams.v1";

/// Streams event names of v1 and their canonical kinds.
pub const EVENT_NAMES: &[(&str, EventKind)] = &[
    ("agent::state_change", EventKind::AgentStateChange),
    ("agent::routable", EventKind::AgentRoutable),
    ("agent::not_routable", EventKind::AgentNotRoutable),
    ("agent::offline", EventKind::AgentOffline),
    ("agent::error", EventKind::AgentError),
    ("agent::softphone_error", EventKind::AgentSoftphoneError),
    ("agent::acw", EventKind::AgentAfterCallWork),
    (
        "agent::enqueued_next_state",
        EventKind::AgentEnqueuedNextState,
    ),
    (
        "agent::cleared_next_state",
        EventKind::AgentClearedNextState,
    ),
    ("agent::mute_toggle", EventKind::AgentMuteToggle),
    (
        "agent::websocket_connection_lost",
        EventKind::AgentWebsocketConnectionLost,
    ),
    (
        "agent::websocket_connection_gained",
        EventKind::AgentWebsocketConnectionGained,
    ),
    ("agent::refresh", EventKind::AgentRefresh),
    ("contact::incoming", EventKind::ContactIncoming),
    ("contact::pending", EventKind::ContactPending),
    ("contact::connecting", EventKind::ContactConnecting),
    ("contact::accepted", EventKind::ContactAccepted),
    ("contact::connected", EventKind::ContactConnected),
    ("contact::missed", EventKind::ContactMissed),
    ("contact::ended", EventKind::ContactEnded),
    ("contact::acw", EventKind::ContactAcw),
    ("contact::destroyed", EventKind::ContactDestroyed),
    ("contact::error", EventKind::ContactError),
    ("contact::refresh", EventKind::ContactRefresh),
    (
        "contact::participant_hold",
        EventKind::ContactParticipantHold,
    ),
    (
        "contact::participant_resume",
        EventKind::ContactParticipantResume,
    ),
    (
        "contact::screen_sharing_started",
        EventKind::ContactScreenSharingStarted,
    ),
    (
        "contact::screen_sharing_stopped",
        EventKind::ContactScreenSharingStopped,
    ),
    (
        "contact::screen_sharing_error",
        EventKind::ContactScreenSharingError,
    ),
];

/// The canonical kind of a v1 Streams event name.
pub fn event_kind(name: &str) -> Option<EventKind> {
    EVENT_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
}

/// Whether `arn` is an Amazon Connect agent ARN:
/// `arn:<partition>:connect:<region>:<account>:instance/<id>/agent/<id>`.
pub fn is_agent_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    let segments: Vec<&str> = resource.split('/').collect();
    prefix == "arn"
        && !partition.is_empty()
        && service == "connect"
        && !region.is_empty()
        && !account.is_empty()
        && account.bytes().all(|b| b.is_ascii_digit())
        && segments.len() == 4
        && segments[0] == "instance"
        && segments[2] == "agent"
        && segments.iter().all(|s| !s.is_empty())
        && arn.bytes().all(|b| b.is_ascii_graphic())
}

/// Decodes one forwarded batch into canonical events, one per valid entry.
pub fn decode_batch(value: &Value, limits: &Limits) -> Decoded {
    let mut out = Decoded::default();
    let root = Node::root(value, "");
    let batch = match batch_header(&root, limits) {
        Ok(b) => b,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let Ok(events) = root.req("events") else {
        return out; // batch_header checked it is there
    };
    let Ok(entries) = events.items() else {
        return out;
    };
    for entry in entries {
        match decode_entry(&entry, &batch, limits) {
            Ok(event) => out.events.push(event),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

struct Batch<'a> {
    agent_arn: &'a str,
    agent_id: &'a str,
    instance_arn: Option<String>,
}

fn batch_header<'a>(root: &Node<'a>, limits: &Limits) -> Result<Batch<'a>, DecodeError> {
    root.expect_object()?;
    let format = root.req_str("format")?;
    if format != FORMAT_V1 {
        return Err(root.req("format")?.invalid(format!(
            "unsupported format version `{format}` (this decoder reads `{FORMAT_V1}`)"
        )));
    }
    let agent_arn = root.req_str("agent_arn")?;
    if !is_agent_arn(agent_arn) {
        return Err(root.req("agent_arn")?.invalid(format!(
            "`{agent_arn}` is not an Amazon Connect agent ARN \
             (arn:<partition>:connect:<region>:<account>:instance/<id>/agent/<id>)"
        )));
    }
    let agent_id = arn_resource_id(agent_arn).unwrap_or(agent_arn);
    if let Some(sent) = root.get("sent_at") {
        sent.as_timestamp()?;
    }
    let events = root.req("events")?;
    // An empty batch is a poll: the forwarder asks for directives waiting in the agent's
    // mailbox, or reports directive results, with nothing new to forward.
    let count = events.len().ok_or_else(|| events.type_error("an array"))?;
    if count > limits.max_batch_events {
        return Err(DecodeError::TooLarge {
            what: "events".into(),
            limit: limits.max_batch_events,
            actual: count,
        });
    }
    Ok(Batch {
        agent_arn,
        agent_id,
        instance_arn: instance_arn_of(agent_arn),
    })
}

fn decode_entry(
    entry: &Node<'_>,
    batch: &Batch<'_>,
    limits: &Limits,
) -> Result<Event, DecodeError> {
    entry.expect_object()?;
    let id_node = entry.req("id")?;
    let client_id = id_node.as_nonempty_str()?;
    check_id(&id_node, client_id, limits.max_id_bytes)?;
    let name = entry.req_str("event")?;
    let kind = event_kind(name).ok_or_else(|| match entry.req("event") {
        Ok(n) => n.invalid(format!(
            "unknown event `{name}` (v1 names are listed in docs/wire-format.md, \
             e.g. `agent::state_change`, `contact::connected`)"
        )),
        Err(e) => e,
    })?;
    let occurred_at = entry.req("occurred_at")?.as_timestamp()?;

    let mut event = Event::new(
        format!("streams/{}/{client_id}", batch.agent_id),
        Source::Streams,
        kind,
        name,
        occurred_at,
        entry.value.clone(),
    );
    event.agent_arn = Some(batch.agent_arn.to_owned());
    event.instance_arn = batch.instance_arn.clone();

    if let Some(agent) = entry.get("agent") {
        event.agent = Some(agent_data(&agent, batch.agent_arn, limits)?);
    }

    let contact_id = match entry.get("contact_id") {
        Some(n) => {
            let id = n.as_nonempty_str()?;
            check_id(&n, id, limits.max_id_bytes)?;
            Some(id)
        }
        None if kind.is_contact() => return Err(entry.missing("contact_id")),
        None => None,
    };
    if let Some(contact) = entry.get("contact") {
        let snapshot = contact_data(&contact, limits)?;
        if let Some(id) = contact_id
            && snapshot.contact_id != id
        {
            return Err(contact.req("contactId")?.invalid(format!(
                "`{}` does not match the entry's contact_id `{id}`",
                snapshot.contact_id
            )));
        }
        event.contact = Some(snapshot);
    } else if let Some(id) = contact_id {
        event.contact = Some(ContactSnapshot::new(id));
    }
    event.contact_id = contact_id.map(str::to_owned);

    let data = entry.get("data");
    match kind {
        EventKind::AgentStateChange => {
            let data = data.ok_or_else(|| entry.missing("data"))?;
            event.change = Some(Change {
                from: Some(data.req_str("oldState")?.to_owned()),
                to: Some(data.req_str("newState")?.to_owned()),
            });
        }
        EventKind::AgentSoftphoneError => {
            let data = data.ok_or_else(|| entry.missing("data"))?;
            event.error = Some(ErrorInfo {
                error_type: data.req_str("errorType")?.to_owned(),
                message: data.opt_string("errorMessage")?,
                endpoint: data.opt_string("endPointUrl")?,
            });
        }
        EventKind::ContactScreenSharingError => {
            if let Some(data) = data
                && let Some(error_type) = data.opt_string("errorType")?
            {
                event.error = Some(ErrorInfo {
                    error_type,
                    message: data.opt_string("errorMessage")?,
                    endpoint: None,
                });
            }
        }
        EventKind::AgentError => {
            let state = event.agent.as_ref().and_then(|a| a.state.as_ref());
            event.error = state.map(|s| ErrorInfo {
                error_type: s.name.clone(),
                message: None,
                endpoint: None,
            });
        }
        EventKind::AgentMuteToggle => {
            let data = data.ok_or_else(|| entry.missing("data"))?;
            event.muted = Some(
                data.opt_bool("muted")?
                    .ok_or_else(|| data.missing("muted"))?,
            );
        }
        _ => {}
    }
    Ok(event)
}

fn streams_state(node: &Node<'_>) -> Result<AgentState, DecodeError> {
    node.expect_object()?;
    Ok(AgentState {
        name: node.req_str("name")?.to_owned(),
        state_type: node.opt_str("type")?.map_or(
            AgentStateType::Other(String::new()),
            AgentStateType::parse_lenient,
        ),
        arn: node.opt_string("agentStateARN")?,
        since: match node.opt_timestamp("startTimestamp")? {
            Some(t) => Some(t),
            None => node.opt_timestamp("enqueuedTimestamp")?,
        },
    })
}

/// Streams' agent data (`{snapshot, configuration}`) as a canonical snapshot.
fn agent_data(
    node: &Node<'_>,
    batch_agent_arn: &str,
    limits: &Limits,
) -> Result<AgentSnapshot, DecodeError> {
    node.expect_object()?;
    let mut agent = AgentSnapshot {
        arn: Some(batch_agent_arn.to_owned()),
        ..AgentSnapshot::default()
    };
    if let Some(config) = node.get("configuration") {
        config.expect_object()?;
        if let Some(arn) = config.opt_str("agentARN")?
            && arn != batch_agent_arn
        {
            return Err(config.req("agentARN")?.invalid(format!(
                "`{arn}` is not the batch's agent `{batch_agent_arn}`: \
                 a batch may only carry its own agent's events"
            )));
        }
        agent.username = config.opt_string("username")?;
        agent.name = config.opt_string("name")?;
        if let Some(profile) = config.get("routingProfile") {
            profile.expect_object()?;
            agent.routing_profile = Some(Named {
                arn: profile.opt_string("routingProfileARN")?,
                name: profile.opt_string("name")?,
            });
        }
    }
    if let Some(snapshot) = node.get("snapshot") {
        snapshot.expect_object()?;
        if let Some(state) = snapshot.get("state") {
            agent.state = Some(streams_state(&state)?);
        }
        if let Some(next) = snapshot.get("nextState") {
            agent.next_state = Some(streams_state(&next)?);
        }
        if let Some(contacts) = snapshot.get("contacts") {
            let count = contacts.len().unwrap_or(0);
            if count > limits.max_contacts {
                return Err(contacts.invalid(format!(
                    "{count} contacts; the limit is {}",
                    limits.max_contacts
                )));
            }
            for contact in contacts.items()? {
                let id = contact.req_str("contactId")?;
                check_id(&contact, id, limits.max_id_bytes)?;
                agent.contact_ids.push(id.to_owned());
            }
        }
    }
    Ok(agent)
}

/// Streams' contact data (an element of `snapshot.contacts`) as a canonical snapshot.
fn contact_data(node: &Node<'_>, limits: &Limits) -> Result<ContactSnapshot, DecodeError> {
    node.expect_object()?;
    let id_node = node.req("contactId")?;
    let id = id_node.as_nonempty_str()?;
    check_id(&id_node, id, limits.max_id_bytes)?;
    let mut c = ContactSnapshot::new(id);
    c.initial_contact_id = node.opt_string("initialContactId")?;
    c.related_contact_id = node.opt_string("relatedContactId")?;
    c.channel = node.opt_str("type")?.map(Channel::parse_lenient);
    c.initiation_method = node
        .opt_str("initiationMethod")?
        .map(str::to_ascii_uppercase);
    if let Some(state) = node.get("state") {
        state.expect_object()?;
        let (parsed, on_hold) = ContactState::parse_lenient(state.req_str("type")?);
        c.state = Some(parsed);
        c.on_hold = on_hold;
        c.state_since = state.opt_timestamp("timestamp")?;
    }
    if let Some(queue) = node.get("queue") {
        queue.expect_object()?;
        c.queue = Some(Named {
            arn: queue.opt_string("queueARN")?,
            name: queue.opt_string("name")?,
        });
    }
    c.queued_at = node.opt_timestamp("queueTimestamp")?;
    if let Some(attributes) = node.get("attributes") {
        c.attributes = attributes_of(&attributes)?;
    }
    if let Some(connections) = node.get("connections") {
        for connection in connections.items()? {
            connection.expect_object()?;
            let customer = connection
                .opt_str("type")?
                .is_some_and(|t| !t.eq_ignore_ascii_case("agent"));
            let held = match connection.get("state") {
                Some(state) => state
                    .opt_str("type")?
                    .is_some_and(|t| t.eq_ignore_ascii_case("hold")),
                None => false,
            };
            c.on_hold |= customer && held;
        }
    }
    Ok(c)
}

/// Streams keeps attributes as `{key: {name, value}}`; canonical events as `{key: value}`.
fn attributes_of(node: &Node<'_>) -> Result<BTreeMap<String, String>, DecodeError> {
    let map = node.expect_object()?;
    let mut out = BTreeMap::new();
    for key in map.keys() {
        let Some(attr) = node.get(key) else {
            continue; // null attribute: nothing to keep
        };
        let value = match attr.value {
            Value::String(s) => Some(s.clone()),
            Value::Object(_) => attr.opt_string("value")?,
            _ => return Err(attr.type_error("an attribute ({name, value}) or a string")),
        };
        if let Some(value) = value {
            out.insert(key.clone(), value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const AGENT: &str = "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1";

    fn batch(events: Value) -> Value {
        json!({"format": FORMAT_V1, "agent_arn": AGENT, "sent_at": "2026-11-20T09:00:02.000Z", "events": events})
    }

    fn contact() -> Value {
        json!({"contactId": "c-1", "type": "voice", "initiationMethod": "inbound",
               "state": {"type": "connected", "timestamp": "2026-11-20T09:00:01.000Z"},
               "queue": {"name": "BasicQueue", "queueARN": "arn:queue/q"},
               "attributes": {"CustomerId": {"name": "CustomerId", "value": "C-1001"}},
               "connections": [
                   {"type": "agent", "state": {"type": "connected"}},
                   {"type": "inbound", "initial": true, "state": {"type": "hold"}}]})
    }

    #[test]
    fn decodes_entries_with_snapshots() {
        let v = batch(json!([
            {"id": "e1", "event": "contact::connected", "occurred_at": "2026-11-20T09:00:01.000Z",
             "contact_id": "c-1", "contact": contact(),
             "agent": {"snapshot": {"state": {"name": "Busy", "type": "system"}, "contacts": [{"contactId": "c-1"}]},
                       "configuration": {"agentARN": AGENT, "username": "jdoe", "name": "Jane Doe"}}},
            {"id": "e2", "event": "agent::state_change", "occurred_at": 1763629201000_i64,
             "data": {"oldState": "Available", "newState": "Busy"}},
            {"id": "e3", "event": "agent::mute_toggle", "occurred_at": "2026-11-20T09:00:03Z", "data": {"muted": true}}
        ]));
        let d = decode_batch(&v, &Limits::default());
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let e = &d.events[0];
        assert_eq!(e.id, "streams/a-1/e1");
        assert_eq!(e.kind, EventKind::ContactConnected);
        assert_eq!(
            e.instance_arn.as_deref(),
            Some("arn:aws:connect:us-west-2:111122223333:instance/i-1")
        );
        let c = e.contact.as_ref().unwrap();
        assert_eq!(c.channel, Some(Channel::Voice));
        assert_eq!(c.initiation_method.as_deref(), Some("INBOUND"));
        assert!(c.on_hold);
        assert_eq!(c.attributes["CustomerId"], "C-1001");
        let agent = e.agent.as_ref().unwrap();
        assert_eq!(agent.contact_ids, ["c-1"]);
        assert_eq!(
            agent.state.as_ref().unwrap().state_type,
            AgentStateType::System
        );
        let change = d.events[1].change.as_ref().unwrap();
        assert_eq!(change.to.as_deref(), Some("Busy"));
        assert_eq!(d.events[2].muted, Some(true));
    }

    #[test]
    fn bad_entries_are_refused_alone() {
        let v = batch(json!([
            {"id": "e1", "event": "contact::connected", "occurred_at": "2026-11-20T09:00:01Z"},
            {"id": "e2", "event": "contact::teleported", "occurred_at": "2026-11-20T09:00:01Z", "contact_id": "c"},
            {"id": "e3", "event": "agent::offline", "occurred_at": "2026-11-20T09:00:01Z",
             "agent": {"configuration": {"agentARN": "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/other"}}},
            {"id": "e4", "event": "agent::offline", "occurred_at": "2026-11-20T09:00:01Z"},
            {"id": "e5", "event": "contact::connected", "occurred_at": "2026-11-20T09:00:01Z", "contact_id": "c-2", "contact": contact()},
            {"event": "agent::offline", "occurred_at": "2026-11-20T09:00:01Z"},
            {"id": "e7", "event": "agent::state_change", "occurred_at": "2026-11-20T09:00:01Z"}
        ]));
        let d = decode_batch(&v, &Limits::default());
        assert_eq!(d.events.len(), 1);
        assert_eq!(d.events[0].kind, EventKind::AgentOffline);
        let errors: Vec<String> = d.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors[0], "events[0].contact_id: required field is missing");
        assert!(errors[1].starts_with("events[1].event: unknown event `contact::teleported`"));
        assert!(errors[2].starts_with("events[2].agent.configuration.agentARN: `arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/other` is not the batch's agent"));
        assert_eq!(
            errors[3],
            "events[4].contact.contactId: `c-1` does not match the entry's contact_id `c-2`"
        );
        assert_eq!(errors[4], "events[5].id: required field is missing");
        assert_eq!(errors[5], "events[6].data: required field is missing");
    }

    #[test]
    fn an_empty_batch_is_a_poll() {
        let decoded = decode_batch(&batch(json!([])), &Limits::default());
        assert!(decoded.events.is_empty());
        assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
    }

    #[test]
    fn bad_batches_are_refused_whole() {
        let mut v = batch(json!({}));
        assert_eq!(
            decode_batch(&v, &Limits::default()).errors[0].to_string(),
            "events: expected an array, found an object"
        );
        v["events"] = json!([]);
        v["agent_arn"] = json!("arn:aws:connect:us-west-2:111122223333:instance/i-1/queue/q");
        assert!(decode_batch(&v, &Limits::default()).errors[0]
            .to_string()
            .starts_with("agent_arn: `arn:aws:connect:us-west-2:111122223333:instance/i-1/queue/q` is not an Amazon Connect agent ARN"));
        v["format"] = json!("streamhooks.streams.v9");
        assert!(
            decode_batch(&v, &Limits::default()).errors[0]
                .to_string()
                .starts_with("format: unsupported format version `streamhooks.streams.v9`")
        );
        let entry =
            json!({"id": "e", "event": "agent::offline", "occurred_at": "2026-11-20T09:00:01Z"});
        let v = batch(Value::Array(vec![entry; 101]));
        assert_eq!(
            decode_batch(&v, &Limits::default()).errors[0].to_string(),
            "events is too large: 101 > 100"
        );
    }

    #[test]
    fn agent_arns() {
        assert!(is_agent_arn(AGENT));
        assert!(is_agent_arn(
            "arn:aws-us-gov:connect:us-gov-west-1:123:instance/x/agent/y"
        ));
        for bad in [
            "",
            "arn:aws:connect:us-west-2:123:instance/x/agent/",
            "arn:aws:connect:us-west-2:123:instance/x/agent/y/z",
            "arn:aws:s3:us-west-2:123:instance/x/agent/y",
            "arn:aws:connect:us-west-2:12a:instance/x/agent/y",
            "arn:aws:connect:us-west-2:123:instance/x/agent/y z",
        ] {
            assert!(!is_agent_arn(bad), "{bad}");
        }
    }

    #[test]
    fn every_wire_name_is_unique_and_maps_to_its_kind_family() {
        let mut seen = std::collections::HashSet::new();
        for (name, kind) in EVENT_NAMES {
            assert!(seen.insert(*name));
            assert_eq!(name.starts_with("contact::"), kind.is_contact(), "{name}");
        }
    }
}
