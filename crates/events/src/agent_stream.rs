//! The Amazon Connect agent event stream (Kinesis Data Streams).
//!
//! Each record carries the agent's previous and current snapshots. The browser's Streams
//! library turns consecutive snapshots into events (`src/core.js`, `_fireAgentUpdateEvents` and
//! `contactEventGraph`); this module applies the same rules to the two snapshots of a record, so
//! one record can yield several events:
//!
//! 1. `LOGIN`, `LOGOUT`, `HEART_BEAT` yield `agent-login`, `agent-logout`, `agent-heartbeat` first.
//! 2. Routing type change (`ROUTABLE`, `CUSTOM`, `OFFLINE`; no previous snapshot = `init`):
//!    `agent-routable`, `agent-not-routable` or `agent-offline`.
//! 3. Status name change: `agent-state-change` (and `agent-error` for an error state name).
//! 4. Next status: enqueued (`agent-enqueued-next-state`) or cleared (`agent-cleared-next-state`).
//! 5. Per contact, new and changed contacts in current order, then removed ones in previous order,
//!    with Streams' contact event graph: to incoming / pending / connecting / connected the
//!    same-named event; to ended `contact-acw`; to error `contact-error`; connecting or incoming to
//!    error, missed or rejected `contact-missed`; an active state to an inactive one
//!    `contact-ended`. Beyond the graph: `CONNECTED` ↔ `CONNECTED_ONHOLD` gives
//!    `contact-participant-hold` / `contact-participant-resume`; entering `PAUSED`
//!    `contact-paused`, leaving it for an active state `contact-resumed`; a voice contact entering
//!    `ENDED` also `agent-after-call-work`. A removed contact gives `contact-ended` (if it was
//!    still active) then `contact-destroyed`.
//! 6. A `STATE_CHANGE` that yields nothing else: `agent-configuration-change` if the
//!    configuration differs, `agent-refresh` otherwise. No record is silently dropped.
//!
//! Server-side, accepting and connecting cannot be told apart: there is no `contact-accepted`.
//!
//! Derived event ids are `<EventId>/<kind>` and `<EventId>/<kind>/<ContactId>`: stable across
//! redelivery and unique within a record.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::json::Node;
use crate::model::{
    AgentSnapshot, AgentState, AgentStateType, Change, Channel, ContactSnapshot, ContactState,
    Event, EventKind, Named, Source, instance_arn_of,
};
use crate::{DecodeError, Decoded, Limits, check_id};

/// Agent state names that Streams treats as error states (`AgentErrorStates` in `src/api.js`).
pub const AGENT_ERROR_STATES: &[&str] = &[
    "Error",
    "AgentHungUp",
    "BadAddressAgent",
    "BadAddressCustomer",
    "Default",
    "FailedConnectAgent",
    "FailedConnectCustomer",
    "InvalidLocale",
    "LineEngagedAgent",
    "LineEngagedCustomer",
    "MissedCallAgent",
    "MissedCallCustomer",
    "MultipleCcpWindows",
    "RealtimeCommunicationError",
];

/// Decodes a Lambda Kinesis event (`{"Records": [...]}`): each record on its own, so one bad
/// record yields one error and the others still decode.
pub fn decode_kinesis_event(value: &Value, limits: &Limits) -> Decoded {
    let root = Node::root(value, "");
    let mut out = Decoded::default();
    let records = match root.req("Records") {
        Ok(records) => records,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let count = records.len().unwrap_or(0);
    if count > limits.max_records {
        out.errors.push(DecodeError::TooLarge {
            what: "Records".into(),
            limit: limits.max_records,
            actual: count,
        });
        return out;
    }
    let items = match records.items() {
        Ok(items) => items,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    for record in items {
        match decode_record_node(&record, limits) {
            Ok(events) => out.events.extend(events),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// Decodes one Kinesis record as Lambda delivers it: `{"kinesis": {"data": "<base64>"}}`.
pub fn decode_kinesis_record(value: &Value, limits: &Limits) -> Result<Vec<Event>, DecodeError> {
    decode_record_node(&Node::root(value, ""), limits)
}

fn decode_record_node(record: &Node<'_>, limits: &Limits) -> Result<Vec<Event>, DecodeError> {
    let kinesis = record.req("kinesis")?;
    let data = kinesis.req("data")?;
    let encoded = data.as_str()?;
    // Base64 grows by 4/3; refuse before decoding anything that cannot fit.
    if encoded.len() / 4 * 3 > limits.max_document_bytes {
        return Err(DecodeError::TooLarge {
            what: data.path(),
            limit: limits.max_document_bytes,
            actual: encoded.len() / 4 * 3,
        });
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| data.invalid(format!("not valid base64 ({e})")))?;
    let inner: Value = serde_json::from_slice(&bytes).map_err(|e| {
        let DecodeError::Json {
            line,
            column,
            reason,
        } = DecodeError::from_json(&e)
        else {
            return data.invalid("decoded data is not JSON");
        };
        data.invalid(format!(
            "decoded data is not JSON (line {line}, column {column}: {reason})"
        ))
    })?;
    let label = format!("{}→", data.path());
    decode_agent_event_node(&Node::root(&inner, &label), limits)
}

/// Decodes one agent event stream record given as plain JSON.
pub fn decode_agent_event(value: &Value, limits: &Limits) -> Result<Vec<Event>, DecodeError> {
    decode_agent_event_node(&Node::root(value, ""), limits)
}

/// One side of a record: the agent and its contacts.
struct Snapshot<'a> {
    agent: AgentSnapshot,
    contacts: Vec<ContactSnapshot>,
    configuration: Option<&'a Value>,
}

fn decode_agent_event_node(root: &Node<'_>, limits: &Limits) -> Result<Vec<Event>, DecodeError> {
    root.expect_object()?;
    let event_type = root.req_str("EventType")?;
    let id_node = root.req("EventId")?;
    let event_id = id_node.as_nonempty_str()?;
    check_id(&id_node, event_id, limits.max_id_bytes)?;
    let at = root.req("EventTimestamp")?.as_timestamp()?;
    let agent_arn = root.opt_string("AgentARN")?;
    let instance_arn = match root.opt_string("InstanceARN")? {
        Some(arn) => Some(arn),
        None => agent_arn.as_deref().and_then(instance_arn_of),
    };
    let current = match root.get("CurrentAgentSnapshot") {
        Some(n) => Some(snapshot(&n, agent_arn.as_deref(), limits)?),
        None => None,
    };
    let previous = match root.get("PreviousAgentSnapshot") {
        Some(n) => Some(snapshot(&n, agent_arn.as_deref(), limits)?),
        None => None,
    };

    let mut out = Derivation {
        event_id,
        event_type,
        at,
        raw: root.value,
        agent_arn: agent_arn.as_deref(),
        instance_arn: instance_arn.as_deref(),
        agent: current.as_ref().or(previous.as_ref()).map(|s| &s.agent),
        events: Vec::new(),
    };
    match event_type.to_ascii_uppercase().as_str() {
        "LOGIN" => out.agent_event(EventKind::AgentLogin, None),
        "LOGOUT" => out.agent_event(EventKind::AgentLogout, None),
        "HEART_BEAT" => out.agent_event(EventKind::AgentHeartbeat, None),
        _ => {}
    }
    if let Some(current) = &current {
        derive_agent(&mut out, previous.as_ref(), current);
        derive_contacts(&mut out, previous.as_ref(), current);
    }
    if out.events.is_empty() {
        // A STATE_CHANGE (or an event type added later) with no transition to derive.
        let config_changed = match (&previous, &current) {
            (Some(p), Some(c)) => p.configuration != c.configuration,
            _ => false,
        };
        let kind = if config_changed {
            EventKind::AgentConfigurationChange
        } else {
            EventKind::AgentRefresh
        };
        out.agent_event(kind, None);
    }
    Ok(out.events)
}

struct Derivation<'a> {
    event_id: &'a str,
    event_type: &'a str,
    at: DateTime<Utc>,
    raw: &'a Value,
    agent_arn: Option<&'a str>,
    instance_arn: Option<&'a str>,
    agent: Option<&'a AgentSnapshot>,
    events: Vec<Event>,
}

impl Derivation<'_> {
    fn base(&self, kind: EventKind, id: String) -> Event {
        let mut e = Event::new(
            id,
            Source::AgentStream,
            kind,
            self.event_type,
            self.at,
            self.raw.clone(),
        );
        e.agent_arn = self.agent_arn.map(str::to_owned);
        e.instance_arn = self.instance_arn.map(str::to_owned);
        e.agent = self.agent.cloned();
        e
    }

    fn agent_event(&mut self, kind: EventKind, change: Option<Change>) {
        let mut e = self.base(kind, format!("{}/{}", self.event_id, kind));
        e.change = change;
        self.events.push(e);
    }

    fn contact_event(&mut self, kind: EventKind, contact: &ContactSnapshot, change: &Change) {
        let id = format!("{}/{}/{}", self.event_id, kind, contact.contact_id);
        let mut e = self.base(kind, id);
        e.contact_id = Some(contact.contact_id.clone());
        e.contact = Some(contact.clone());
        e.change = Some(change.clone());
        self.events.push(e);
    }
}

fn change(from: Option<&str>, to: Option<&str>) -> Option<Change> {
    Some(Change {
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
    })
}

fn derive_agent(out: &mut Derivation<'_>, previous: Option<&Snapshot<'_>>, current: &Snapshot<'_>) {
    let old_state = previous.and_then(|p| p.agent.state.as_ref());
    let new_state = current.agent.state.as_ref();

    let old_type = old_state.map_or(AgentStateType::Init, |s| s.state_type.clone());
    if let Some(new_type) = new_state.map(|s| &s.state_type)
        && *new_type != old_type
    {
        let kind = match new_type {
            AgentStateType::Routable => Some(EventKind::AgentRoutable),
            AgentStateType::NotRoutable => Some(EventKind::AgentNotRoutable),
            AgentStateType::Offline => Some(EventKind::AgentOffline),
            _ => None,
        };
        if let Some(kind) = kind {
            out.agent_event(
                kind,
                change(Some(old_type.as_str()), Some(new_type.as_str())),
            );
        }
    }

    let old_name = old_state.map_or("Init", |s| s.name.as_str());
    if let Some(new_name) = new_state.map(|s| s.name.as_str())
        && new_name != old_name
    {
        let transition = change(Some(old_name), Some(new_name));
        out.agent_event(EventKind::AgentStateChange, transition.clone());
        if AGENT_ERROR_STATES.contains(&new_name) {
            out.agent_event(EventKind::AgentError, transition);
        }
    }

    let old_next = previous
        .and_then(|p| p.agent.next_state.as_ref())
        .map(|s| s.name.as_str());
    let new_next = current.agent.next_state.as_ref().map(|s| s.name.as_str());
    if old_next != new_next {
        if new_next.is_some() {
            out.agent_event(
                EventKind::AgentEnqueuedNextState,
                change(old_next, new_next),
            );
        } else {
            out.agent_event(EventKind::AgentClearedNextState, change(old_next, None));
        }
    }
}

fn state_label(contact: Option<&ContactSnapshot>) -> String {
    match contact {
        None => "init".into(),
        Some(c) => match &c.state {
            Some(ContactState::Connected) if c.on_hold => "connected_onhold".into(),
            Some(state) => state.as_str().to_owned(),
            None => "init".into(),
        },
    }
}

/// The events Streams' contact event graph fires for `old` → `new`, in its order: associations
/// from any state first, then those from the specific old state, each in the order
/// `src/core.js` adds them.
pub(crate) fn contact_graph(old: &ContactState, new: &ContactState) -> Vec<EventKind> {
    use ContactState as S;
    let mut kinds = Vec::new();
    if old == new {
        return kinds;
    }
    match new {
        S::Incoming => kinds.push(EventKind::ContactIncoming),
        S::Pending => kinds.push(EventKind::ContactPending),
        S::Connecting => kinds.push(EventKind::ContactConnecting),
        S::Connected => kinds.push(EventKind::ContactConnected),
        S::Ended => kinds.push(EventKind::ContactAcw),
        S::Error => kinds.push(EventKind::ContactError),
        _ => {}
    }
    let offered = matches!(old, S::Connecting | S::Incoming);
    let known = !matches!(new, S::Other(_));
    if offered && *new == S::Error {
        kinds.push(EventKind::ContactMissed);
    }
    if old.is_active() && !new.is_active() && known && *new != S::Init {
        kinds.push(EventKind::ContactEnded);
    }
    if offered && matches!(new, S::Missed | S::Rejected) {
        kinds.push(EventKind::ContactMissed);
    }
    kinds
}

fn derive_contacts(
    out: &mut Derivation<'_>,
    previous: Option<&Snapshot<'_>>,
    current: &Snapshot<'_>,
) {
    let old_contacts: &[ContactSnapshot] = previous.map_or(&[], |p| &p.contacts);
    for contact in &current.contacts {
        let before = old_contacts
            .iter()
            .find(|c| c.contact_id == contact.contact_id);
        let init = ContactState::Init;
        let old_state = before.and_then(|c| c.state.as_ref()).unwrap_or(&init);
        let new_state = contact.state.as_ref().unwrap_or(&init);
        let was_on_hold = before.is_some_and(|c| c.on_hold);
        let transition = Change {
            from: Some(state_label(before)),
            to: Some(state_label(Some(contact))),
        };

        for kind in contact_graph(old_state, new_state) {
            out.contact_event(kind, contact, &transition);
        }
        if *new_state == ContactState::Connected && contact.on_hold && !was_on_hold {
            out.contact_event(EventKind::ContactParticipantHold, contact, &transition);
        }
        if *new_state == ContactState::Connected
            && *old_state == ContactState::Connected
            && was_on_hold
            && !contact.on_hold
        {
            out.contact_event(EventKind::ContactParticipantResume, contact, &transition);
        }
        if *new_state == ContactState::Paused && *old_state != ContactState::Paused {
            out.contact_event(EventKind::ContactPaused, contact, &transition);
        }
        if *old_state == ContactState::Paused && new_state.is_active() && *new_state != *old_state {
            out.contact_event(EventKind::ContactResumed, contact, &transition);
        }
        if *new_state == ContactState::Ended
            && *old_state != ContactState::Ended
            && contact.channel == Some(Channel::Voice)
        {
            let mut e = out.base(
                EventKind::AgentAfterCallWork,
                format!(
                    "{}/{}/{}",
                    out.event_id,
                    EventKind::AgentAfterCallWork,
                    contact.contact_id
                ),
            );
            e.change = Some(transition.clone());
            out.events.push(e);
        }
    }
    for gone in old_contacts {
        if current
            .contacts
            .iter()
            .any(|c| c.contact_id == gone.contact_id)
        {
            continue;
        }
        let transition = Change {
            from: Some(state_label(Some(gone))),
            to: None,
        };
        if gone.state.as_ref().is_some_and(ContactState::is_active) {
            out.contact_event(EventKind::ContactEnded, gone, &transition);
        }
        out.contact_event(EventKind::ContactDestroyed, gone, &transition);
    }
}

fn snapshot<'a>(
    node: &Node<'a>,
    agent_arn: Option<&str>,
    limits: &Limits,
) -> Result<Snapshot<'a>, DecodeError> {
    node.expect_object()?;
    let mut agent = AgentSnapshot {
        arn: agent_arn.map(str::to_owned),
        ..AgentSnapshot::default()
    };
    if let Some(status) = node.get("AgentStatus") {
        agent.state = Some(agent_status(&status, "StartTimestamp")?);
    }
    if let Some(next) = node.get("NextAgentStatus") {
        agent.next_state = Some(agent_status(&next, "EnqueuedTimestamp")?);
    }
    let configuration = node.get("Configuration");
    if let Some(config) = &configuration {
        config.expect_object()?;
        agent.username = config.opt_string("Username")?;
        let first = config.opt_string("FirstName")?;
        let last = config.opt_string("LastName")?;
        agent.name = match (first, last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (f, l) => f.or(l),
        };
        if let Some(profile) = config.get("RoutingProfile") {
            profile.expect_object()?;
            agent.routing_profile = Some(Named {
                arn: profile.opt_string("ARN")?,
                name: profile.opt_string("Name")?,
            });
        }
    }
    let mut contacts = Vec::new();
    if let Some(list) = node.get("Contacts") {
        let count = list.len().unwrap_or(0);
        if count > limits.max_contacts {
            return Err(list.invalid(format!(
                "{count} contacts; the limit is {}",
                limits.max_contacts
            )));
        }
        for item in list.items()? {
            let contact = contact(&item, limits)?;
            if contacts
                .iter()
                .any(|c: &ContactSnapshot| c.contact_id == contact.contact_id)
            {
                return Err(item.invalid(format!(
                    "duplicate ContactId `{}` in one snapshot",
                    contact.contact_id
                )));
            }
            contacts.push(contact);
        }
    }
    agent.contact_ids = contacts.iter().map(|c| c.contact_id.clone()).collect();
    Ok(Snapshot {
        agent,
        contacts,
        configuration: node.get_value("Configuration"),
    })
}

fn agent_status(node: &Node<'_>, since_key: &str) -> Result<AgentState, DecodeError> {
    node.expect_object()?;
    let name = node.req_str("Name")?.to_owned();
    let state_type = match node.opt_str("Type")? {
        Some(t) => AgentStateType::parse_lenient(t),
        // Records written before `Type` existed: infer from the two system status names.
        None if name.eq_ignore_ascii_case("Offline") => AgentStateType::Offline,
        None if name.eq_ignore_ascii_case("Available") => AgentStateType::Routable,
        None => AgentStateType::NotRoutable,
    };
    Ok(AgentState {
        name,
        state_type,
        arn: node.opt_string("ARN")?,
        since: node.opt_timestamp(since_key)?,
    })
}

fn contact(node: &Node<'_>, limits: &Limits) -> Result<ContactSnapshot, DecodeError> {
    node.expect_object()?;
    let id_node = node.req("ContactId")?;
    let id = id_node.as_nonempty_str()?;
    check_id(&id_node, id, limits.max_id_bytes)?;
    let mut c = ContactSnapshot::new(id);
    let (state, on_hold) = ContactState::parse_lenient(node.req_str("State")?);
    c.state = Some(state);
    c.on_hold = on_hold;
    c.initial_contact_id = node.opt_string("InitialContactId")?;
    c.channel = node.opt_str("Channel")?.map(Channel::parse_lenient);
    c.initiation_method = node
        .opt_str("InitiationMethod")?
        .map(str::to_ascii_uppercase);
    c.state_since = node.opt_timestamp("StateStartTimestamp")?;
    c.connected_to_agent_at = node.opt_timestamp("ConnectedToAgentTimestamp")?;
    c.queued_at = node.opt_timestamp("QueueTimestamp")?;
    if let Some(queue) = node.get("Queue") {
        queue.expect_object()?;
        c.queue = Some(Named {
            arn: queue.opt_string("ARN")?,
            name: queue.opt_string("Name")?,
        });
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const AGENT: &str = "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1";

    fn status(name: &str, ty: &str) -> Value {
        json!({"ARN": format!("arn:status/{name}"), "Name": name, "StartTimestamp": "2026-11-20T09:00:00.000Z", "Type": ty})
    }

    fn contact(id: &str, channel: &str, state: &str) -> Value {
        json!({"ContactId": id, "Channel": channel, "State": state, "InitiationMethod": "INBOUND",
               "Queue": {"ARN": "arn:queue/q", "Name": "BasicQueue"}})
    }

    fn record(event_type: &str, prev: Option<Value>, cur: Value) -> Value {
        let mut v = json!({
            "AWSAccountId": "111122223333", "AgentARN": AGENT, "EventId": "ev-1",
            "EventTimestamp": "2026-11-20T09:00:01.000Z", "EventType": event_type,
            "InstanceARN": "arn:aws:connect:us-west-2:111122223333:instance/i-1",
            "Version": "2017-10-01", "CurrentAgentSnapshot": cur
        });
        if let Some(p) = prev {
            v["PreviousAgentSnapshot"] = p;
        }
        v
    }

    fn snap(status: Value, contacts: Vec<Value>) -> Value {
        json!({"AgentStatus": status, "Configuration": {"Username": "jdoe", "FirstName": "Jane", "LastName": "Doe"}, "Contacts": contacts})
    }

    fn kinds(v: &Value) -> Vec<String> {
        decode_agent_event(v, &Limits::default())
            .unwrap()
            .iter()
            .map(|e| match &e.contact_id {
                Some(c) => format!("{}@{c}", e.kind),
                None => e.kind.to_string(),
            })
            .collect()
    }

    #[test]
    fn graph_matches_streams_order() {
        use ContactState as S;
        let names = |o, n| {
            contact_graph(&o, &n)
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(S::Connecting, S::Error),
            ["contact-error", "contact-missed", "contact-ended"]
        );
        assert_eq!(
            names(S::Connecting, S::Missed),
            ["contact-ended", "contact-missed"]
        );
        assert_eq!(
            names(S::Connected, S::Ended),
            ["contact-acw", "contact-ended"]
        );
        assert_eq!(names(S::Init, S::Ended), ["contact-acw"]);
        assert_eq!(names(S::Paused, S::Connected), ["contact-connected"]);
        assert!(names(S::Connected, S::Connected).is_empty());
        assert!(names(S::Connected, S::Other("X".into())).is_empty());
    }

    #[test]
    fn login_derives_from_init() {
        let v = record("LOGIN", None, snap(status("Available", "ROUTABLE"), vec![]));
        assert_eq!(
            kinds(&v),
            ["agent-login", "agent-routable", "agent-state-change"]
        );
        let events = decode_agent_event(&v, &Limits::default()).unwrap();
        let change = events[2].change.as_ref().unwrap();
        assert_eq!(change.from.as_deref(), Some("Init"));
        assert_eq!(change.to.as_deref(), Some("Available"));
        assert_eq!(events[0].id, "ev-1/agent-login");
        assert_eq!(
            events[0].agent.as_ref().unwrap().name.as_deref(),
            Some("Jane Doe")
        );
    }

    #[test]
    fn voice_call_lifecycle() {
        let avail = || status("Available", "ROUTABLE");
        let steps = [
            (
                vec![],
                vec![contact("c1", "VOICE", "CONNECTING")],
                vec!["contact-connecting@c1"],
            ),
            (
                vec![contact("c1", "VOICE", "CONNECTING")],
                vec![contact("c1", "VOICE", "CONNECTED")],
                vec!["contact-connected@c1"],
            ),
            (
                vec![contact("c1", "VOICE", "CONNECTED")],
                vec![contact("c1", "VOICE", "CONNECTED_ONHOLD")],
                vec!["contact-participant-hold@c1"],
            ),
            (
                vec![contact("c1", "VOICE", "CONNECTED_ONHOLD")],
                vec![contact("c1", "Voice", "CONNECTED")],
                vec!["contact-participant-resume@c1"],
            ),
            (
                vec![contact("c1", "VOICE", "CONNECTED")],
                vec![contact("c1", "VOICE", "ENDED")],
                vec![
                    "contact-acw@c1",
                    "contact-ended@c1",
                    "agent-after-call-work",
                ],
            ),
            (
                vec![contact("c1", "VOICE", "ENDED")],
                vec![],
                vec!["contact-destroyed@c1"],
            ),
            (
                vec![contact("c1", "VOICE", "CONNECTED")],
                vec![],
                vec!["contact-ended@c1", "contact-destroyed@c1"],
            ),
        ];
        for (prev, cur, want) in steps {
            let v = record(
                "STATE_CHANGE",
                Some(snap(avail(), prev)),
                snap(avail(), cur),
            );
            assert_eq!(kinds(&v), want);
        }
    }

    #[test]
    fn tasks_pause_and_resume() {
        let avail = || status("Available", "ROUTABLE");
        let v = record(
            "STATE_CHANGE",
            Some(snap(avail(), vec![contact("t1", "TASK", "CONNECTED")])),
            snap(avail(), vec![contact("t1", "TASK", "PAUSED")]),
        );
        assert_eq!(kinds(&v), ["contact-paused@t1"]);
        let v = record(
            "STATE_CHANGE",
            Some(snap(avail(), vec![contact("t1", "TASK", "PAUSED")])),
            snap(avail(), vec![contact("t1", "TASK", "CONNECTED")]),
        );
        assert_eq!(kinds(&v), ["contact-connected@t1", "contact-resumed@t1"]);
    }

    #[test]
    fn agent_level_transitions() {
        let mut cur = snap(status("Lunch", "CUSTOM"), vec![]);
        cur["NextAgentStatus"] =
            json!({"Name": "Break", "ARN": "x", "EnqueuedTimestamp": "2026-11-20T09:00:00.500Z"});
        let v = record(
            "STATE_CHANGE",
            Some(snap(status("Available", "ROUTABLE"), vec![])),
            cur.clone(),
        );
        assert_eq!(
            kinds(&v),
            [
                "agent-not-routable",
                "agent-state-change",
                "agent-enqueued-next-state"
            ]
        );
        let v = record(
            "STATE_CHANGE",
            Some(cur),
            snap(status("Lunch", "CUSTOM"), vec![]),
        );
        assert_eq!(kinds(&v), ["agent-cleared-next-state"]);
    }

    #[test]
    fn nothing_derived_is_never_nothing() {
        let a = snap(status("Available", "ROUTABLE"), vec![]);
        let mut b = a.clone();
        assert_eq!(
            kinds(&record("STATE_CHANGE", Some(a.clone()), b.clone())),
            ["agent-refresh"]
        );
        b["Configuration"]["RoutingProfile"] = json!({"ARN": "rp-2", "Name": "Sales"});
        assert_eq!(
            kinds(&record("STATE_CHANGE", Some(a.clone()), b)),
            ["agent-configuration-change"]
        );
        assert_eq!(
            kinds(&record("HEART_BEAT", Some(a.clone()), a)),
            ["agent-heartbeat"]
        );
    }

    #[test]
    fn base64_records_and_errors() {
        let inner = record(
            "HEART_BEAT",
            None,
            snap(status("Available", "ROUTABLE"), vec![]),
        );
        let data = base64::engine::general_purpose::STANDARD.encode(inner.to_string());
        let event = json!({"Records": [
            {"kinesis": {"data": data}},
            {"kinesis": {"data": "!!!"}},
            {"kinesis": {"data": base64::engine::general_purpose::STANDARD.encode("{oops")}},
            {"kinesis": {"data": base64::engine::general_purpose::STANDARD.encode(r#"{"EventType": "LOGIN"}"#)}},
        ]});
        let d = decode_kinesis_event(&event, &Limits::default());
        assert_eq!(d.events.len(), 3, "the good record still decodes");
        let errors: Vec<String> = d.errors.iter().map(ToString::to_string).collect();
        assert!(
            errors[0].starts_with("Records[1].kinesis.data: not valid base64"),
            "{errors:?}"
        );
        assert!(
            errors[1]
                .starts_with("Records[2].kinesis.data: decoded data is not JSON (line 1, column 2"),
            "{errors:?}"
        );
        assert_eq!(
            errors[2],
            "Records[3].kinesis.data→EventId: required field is missing"
        );
    }

    #[test]
    fn strict_on_ids_and_sizes() {
        let mut v = record(
            "STATE_CHANGE",
            None,
            snap(
                status("Available", "ROUTABLE"),
                vec![
                    contact("dup", "CHAT", "CONNECTED"),
                    contact("dup", "CHAT", "CONNECTED"),
                ],
            ),
        );
        assert_eq!(
            decode_agent_event(&v, &Limits::default())
                .unwrap_err()
                .to_string(),
            "CurrentAgentSnapshot.Contacts[1]: duplicate ContactId `dup` in one snapshot"
        );
        v["CurrentAgentSnapshot"]["Contacts"] = json!([]);
        v["EventId"] = json!("has space");
        assert_eq!(
            decode_agent_event(&v, &Limits::default())
                .unwrap_err()
                .to_string(),
            "EventId: id must be printable ASCII without spaces"
        );
    }
}
