//! Helpers on the generated event records.

use crate::{
    AgentSnapshot, AgentState, ContactSnapshot, Event, EventKind, Named, PluginError, Source,
};

impl Event {
    /// The event's kind as an [`EventKind`] (the `kind` field is its kebab-case name).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// use streamhooks_sdk::EventKind;
    /// assert_eq!(event.kind(), EventKind::ContactConnected);
    /// ```
    pub fn kind(&self) -> EventKind {
        EventKind::parse(&self.kind)
    }

    /// A user-defined contact attribute of the contact snapshot (case-sensitive key), if the
    /// event has a contact and the source carried its attributes.
    ///
    /// ```
    /// # let mut event = streamhooks_sdk::Event::example("contact-connected");
    /// # event.contact.as_mut().unwrap().attributes.push(("CustomerId".into(), "42".into()));
    /// assert_eq!(event.attribute("CustomerId"), Some("42"));
    /// assert_eq!(event.attribute("customerid"), None);
    /// ```
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.contact.as_ref()?.attribute(key)
    }

    /// The contact's attributes (empty if the event has no contact snapshot).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("agent-heartbeat");
    /// assert!(event.attributes().is_empty());
    /// ```
    pub fn attributes(&self) -> &[(String, String)] {
        self.contact.as_ref().map_or(&[], |c| &c.attributes)
    }

    /// The event's contact id, or a `missing-data` [`PluginError`] naming the event.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// # fn f(event: &streamhooks_sdk::Event) -> Result<(), streamhooks_sdk::PluginError> {
    /// let contact_id = event.require_contact_id()?;
    /// # assert_eq!(contact_id, "contact-1");
    /// # Ok(()) }
    /// # f(&event).unwrap();
    /// ```
    pub fn require_contact_id(&self) -> Result<&str, PluginError> {
        self.contact_id
            .as_deref()
            .or_else(|| self.contact.as_ref().map(|c| c.contact_id.as_str()))
            .ok_or_else(|| self.missing("contact id"))
    }

    /// The event's agent ARN, or a `missing-data` [`PluginError`] naming the event.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("agent-heartbeat");
    /// # fn f(event: &streamhooks_sdk::Event) -> Result<(), streamhooks_sdk::PluginError> {
    /// let agent_arn = event.require_agent_arn()?;
    /// # assert!(agent_arn.ends_with("/agent/agent-1"));
    /// # Ok(()) }
    /// # f(&event).unwrap();
    /// ```
    pub fn require_agent_arn(&self) -> Result<&str, PluginError> {
        self.agent_arn
            .as_deref()
            .or_else(|| self.agent.as_ref()?.arn.as_deref())
            .ok_or_else(|| self.missing("agent ARN"))
    }

    /// The agent's id: the last segment of its ARN (`.../agent/<id>`), short enough for state
    /// keys. Or a `missing-data` [`PluginError`].
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("agent-heartbeat");
    /// # fn f(event: &streamhooks_sdk::Event) -> Result<(), streamhooks_sdk::PluginError> {
    /// assert_eq!(event.require_agent_id()?, "agent-1");
    /// # Ok(()) }
    /// # f(&event).unwrap();
    /// ```
    pub fn require_agent_id(&self) -> Result<&str, PluginError> {
        let arn = self.require_agent_arn()?;
        Ok(arn.rsplit('/').next().unwrap_or(arn))
    }

    /// The contact's initial contact id if the snapshot has one, else the event's contact id
    /// (a contact that was never transferred is its own initial contact).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert_eq!(event.initial_contact_id(), Some("contact-1"));
    /// ```
    pub fn initial_contact_id(&self) -> Option<&str> {
        self.contact
            .as_ref()
            .and_then(|c| c.initial_contact_id.as_deref())
            .or(self.contact_id.as_deref())
    }

    /// The contact's channel (`VOICE`, `CHAT`, `TASK`, `EMAIL` ...), as given.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert_eq!(event.channel(), Some("VOICE"));
    /// ```
    pub fn channel(&self) -> Option<&str> {
        self.contact.as_ref()?.channel.as_deref()
    }

    /// The contact's initiation method (`INBOUND`, `OUTBOUND`, `TRANSFER`, `CALLBACK` ...).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert_eq!(event.initiation_method(), Some("INBOUND"));
    /// ```
    pub fn initiation_method(&self) -> Option<&str> {
        self.contact.as_ref()?.initiation_method.as_deref()
    }

    /// Whether the contact's channel is `channel`, ignoring case (sources disagree on case).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert!(event.is_channel("voice"));
    /// ```
    pub fn is_channel(&self, channel: &str) -> bool {
        self.contact.as_ref().is_some_and(|c| c.is_channel(channel))
    }

    /// The contact's queue, if known.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert_eq!(event.queue().and_then(|q| q.name.as_deref()), Some("Support"));
    /// ```
    pub fn queue(&self) -> Option<&Named> {
        self.contact.as_ref()?.queue.as_ref()
    }

    /// The contact's queue name, else its ARN.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert_eq!(event.queue_name(), Some("Support"));
    /// ```
    pub fn queue_name(&self) -> Option<&str> {
        self.queue()?.label()
    }

    /// The agent's current state, if the event carries an agent snapshot.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("agent-heartbeat");
    /// assert_eq!(event.agent_state().map(|s| s.name.as_str()), Some("Available"));
    /// ```
    pub fn agent_state(&self) -> Option<&AgentState> {
        self.agent.as_ref()?.state.as_ref()
    }

    fn missing(&self, what: &str) -> PluginError {
        PluginError::new(
            "missing-data",
            format!("{} event {} has no {what}", self.kind, self.id),
        )
    }

    /// A small event of the given kind for examples and tests: agent `agent-1`, and for
    /// contact kinds an inbound voice contact `contact-1` in the queue `Support`, occurred at
    /// 2026-11-20T09:00:00Z (epoch ms 1_795_165_200_000).
    ///
    /// ```
    /// let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert_eq!(event.contact_id.as_deref(), Some("contact-1"));
    /// ```
    pub fn example(kind: &str) -> Self {
        const INSTANCE: &str = "arn:aws:connect:us-west-2:111122223333:instance/instance-1";
        let agent_arn = format!("{INSTANCE}/agent/agent-1");
        let is_contact = EventKind::parse(kind).is_contact();
        let contact = is_contact.then(|| ContactSnapshot {
            contact_id: "contact-1".into(),
            initial_contact_id: None,
            previous_contact_id: None,
            related_contact_id: None,
            channel: Some("VOICE".into()),
            initiation_method: Some("INBOUND".into()),
            state: Some("connected".into()),
            state_since: Some(EXAMPLE_TIME),
            on_hold: false,
            queue: Some(Named {
                arn: Some(format!("{INSTANCE}/queue/queue-1")),
                name: Some("Support".into()),
            }),
            initiated_at: Some(EXAMPLE_TIME - 60_000),
            queued_at: Some(EXAMPLE_TIME - 50_000),
            connected_to_agent_at: Some(EXAMPLE_TIME),
            disconnected_at: None,
            attributes: Vec::new(),
        });
        Event {
            version: 1,
            id: format!("example/{kind}"),
            source: Source::Streams,
            kind: kind.to_owned(),
            source_type: kind.to_owned(),
            occurred_at: EXAMPLE_TIME,
            instance_arn: Some(INSTANCE.into()),
            agent_arn: Some(agent_arn.clone()),
            contact_id: is_contact.then(|| "contact-1".into()),
            agent: Some(AgentSnapshot {
                arn: Some(agent_arn),
                username: Some("agent1".into()),
                name: Some("Agent One".into()),
                state: Some(AgentState {
                    name: "Available".into(),
                    state_type: "routable".into(),
                    arn: None,
                    since: Some(EXAMPLE_TIME - 600_000),
                }),
                next_state: None,
                routing_profile: None,
                contact_ids: if is_contact {
                    vec!["contact-1".into()]
                } else {
                    Vec::new()
                },
            }),
            contact,
            change: None,
            rule: None,
            error: None,
            muted: None,
            raw_json: "{}".into(),
        }
    }
}

/// 2026-11-20T09:00:00Z.
const EXAMPLE_TIME: i64 = 1_795_165_200_000;

impl ContactSnapshot {
    /// A user-defined contact attribute (case-sensitive key).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// let contact = event.contact.as_ref().unwrap();
    /// assert_eq!(contact.attribute("CustomerId"), None);
    /// ```
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the channel is `channel`, ignoring case.
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-connected");
    /// assert!(event.contact.as_ref().unwrap().is_channel("VOICE"));
    /// ```
    pub fn is_channel(&self, channel: &str) -> bool {
        self.channel
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(channel))
    }
}

impl AgentSnapshot {
    /// The name of the agent's current state (`Available`, `AfterCallWork` ...).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("agent-heartbeat");
    /// assert_eq!(event.agent.as_ref().unwrap().state_name(), Some("Available"));
    /// ```
    pub fn state_name(&self) -> Option<&str> {
        self.state.as_ref().map(|s| s.name.as_str())
    }
}

impl Named {
    /// The name if known, else the ARN.
    ///
    /// ```
    /// let queue = streamhooks_sdk::Named { arn: Some("arn:...:queue/q".into()), name: None };
    /// assert_eq!(queue.label(), Some("arn:...:queue/q"));
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.name.as_deref().or(self.arn.as_deref())
    }
}

impl Source {
    /// The source's name as in the canonical event JSON (`streams`, `eventbridge`,
    /// `agent-stream`).
    ///
    /// ```
    /// assert_eq!(streamhooks_sdk::Source::AgentStream.as_str(), "agent-stream");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Streams => "streams",
            Source::Eventbridge => "eventbridge",
            Source::AgentStream => "agent-stream",
        }
    }
}
