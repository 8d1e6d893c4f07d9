//! The canonical event: one envelope for every Amazon Connect source.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the canonical event shape. Bumped when a field changes meaning or is removed;
/// adding an optional field does not bump it.
pub const EVENT_VERSION: u32 = 1;

/// One agent or contact event, whatever source it came from.
///
/// Every decoder produces this shape, so plugins, the state store and the executor never see
/// source-specific formats. What a source carries that is not modelled here stays in [`Event::raw`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Version of this shape ([`EVENT_VERSION`]).
    pub version: u32,
    /// Stable id used for de-duplication: the same source event redelivered gets the same id.
    pub id: String,
    /// Where the event came from.
    pub source: Source,
    /// What happened, in Streams vocabulary (`contact-connected`, `agent-state-change`, ...).
    pub kind: EventKind,
    /// The source's own name for the event (`CONNECTED_TO_AGENT`, `STATE_CHANGE`,
    /// `contact::connected`, a Contact Lens `detail-type` ...), kept for diagnostics and for
    /// event types this version does not model.
    pub source_type: String,
    /// When the event happened, as the source reports it.
    pub occurred_at: DateTime<Utc>,
    /// The Amazon Connect instance ARN, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_arn: Option<String>,
    /// The agent's ARN, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_arn: Option<String>,
    /// The contact's id, where the event concerns one contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The agent as the source saw it when the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentSnapshot>,
    /// The contact as the source saw it when the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactSnapshot>,
    /// For transitions: the state before and after (agent state names, next-state names, contact
    /// states).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// For rule events: which rule matched and which action it asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleMatch>,
    /// For error events: what went wrong, as the source reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// For `agent-mute-toggle`: whether the agent is now muted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// The original payload this event was decoded from (for Kinesis records, the decoded agent
    /// event; for forwarded batches, the one batch entry). Null (and then left out of the JSON)
    /// only where a consumer dropped it on purpose, as `streamhooks decode --no-raw` does.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub raw: Value,
}

/// The system an event was received from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Forwarded by the streamhooks forwarder from an agent's browser (amazon-connect-streams).
    Streams,
    /// Published by Amazon Connect to Amazon EventBridge.
    Eventbridge,
    /// The Amazon Connect agent event stream (Kinesis Data Streams).
    AgentStream,
}

impl Source {
    /// The name used on the wire and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Streams => "streams",
            Source::Eventbridge => "eventbridge",
            Source::AgentStream => "agent-stream",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! event_kinds {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, )+) => {
        /// What happened. Names follow the Streams events users already know, plus the
        /// server-only lifecycle. Serialized in kebab-case.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl EventKind {
            /// Every kind, in documentation order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The kebab-case name (`contact-connected`).
            pub fn as_str(self) -> &'static str {
                match self { $(EventKind::$variant => $name,)+ }
            }

            /// One-line description, as documented.
            pub fn description(self) -> &'static str {
                match self { $(EventKind::$variant => concat!($($doc),+).trim_ascii(),)+ }
            }

            /// Parses a kebab-case name.
            pub fn from_name(name: &str) -> Option<EventKind> {
                match name { $($name => Some(EventKind::$variant),)+ _ => None }
            }
        }
    };
}

event_kinds! {
    /// The agent's state name changed (Streams `agent.onStateChange`); `change` has old and new names.
    AgentStateChange = "agent-state-change",
    /// The agent became routable (Streams `agent.onRoutable`).
    AgentRoutable = "agent-routable",
    /// The agent is online but not routable (Streams `agent.onNotRoutable`).
    AgentNotRoutable = "agent-not-routable",
    /// The agent went offline (Streams `agent.onOffline`).
    AgentOffline = "agent-offline",
    /// The agent entered an error state (Streams `agent.onError`).
    AgentError = "agent-error",
    /// The softphone reported an error (Streams `agent.onSoftphoneError`); browser only.
    AgentSoftphoneError = "agent-softphone-error",
    /// The agent entered After Call Work for a voice contact (Streams `agent.onAfterCallWork`).
    AgentAfterCallWork = "agent-after-call-work",
    /// A next state was enqueued while the agent handles contacts (Streams `agent.onEnqueuedNextState`).
    AgentEnqueuedNextState = "agent-enqueued-next-state",
    /// The enqueued next state was cleared (Streams `agent.onClearedNextState`).
    AgentClearedNextState = "agent-cleared-next-state",
    /// The agent muted or unmuted (Streams `agent.onMuteToggle`); browser only.
    AgentMuteToggle = "agent-mute-toggle",
    /// The browser lost its websocket to Amazon Connect (Streams `agent.onWebSocketConnectionLost`).
    AgentWebsocketConnectionLost = "agent-websocket-connection-lost",
    /// The browser regained its websocket (Streams `agent.onWebSocketConnectionGained`).
    AgentWebsocketConnectionGained = "agent-websocket-connection-gained",
    /// New agent data with no transition of its own (Streams `agent.onRefresh`; agent event stream `STATE_CHANGE` with nothing else to derive).
    AgentRefresh = "agent-refresh",
    /// The agent's configuration changed (routing profile, queues, auto-accept ...); agent event stream only.
    AgentConfigurationChange = "agent-configuration-change",
    /// The agent logged in; agent event stream `LOGIN`.
    AgentLogin = "agent-login",
    /// The agent logged out; agent event stream `LOGOUT`.
    AgentLogout = "agent-logout",
    /// Periodic heartbeat (every 120 s with no other event); agent event stream `HEART_BEAT`.
    AgentHeartbeat = "agent-heartbeat",
    /// A queued callback is incoming (Streams `contact.onIncoming`).
    ContactIncoming = "contact-incoming",
    /// The contact is pending, before connecting (Streams `contact.onPending`).
    ContactPending = "contact-pending",
    /// The contact is offered to the agent, before accepting (Streams `contact.onConnecting`).
    ContactConnecting = "contact-connecting",
    /// The agent accepted the contact (Streams `contact.onAccepted`); browser only.
    ContactAccepted = "contact-accepted",
    /// The contact is connected to the agent (Streams `contact.onConnected`).
    ContactConnected = "contact-connected",
    /// The contact was missed or rejected, or the customer hung up before it was accepted (Streams `contact.onMissed`).
    ContactMissed = "contact-missed",
    /// The contact ended: it left the active states (Streams `contact.onEnded`).
    ContactEnded = "contact-ended",
    /// The contact entered After Contact Work, state `ended` (Streams `contact.onACW`).
    ContactAcw = "contact-acw",
    /// The contact was removed from the agent's snapshot (Streams `contact.onDestroy`).
    ContactDestroyed = "contact-destroyed",
    /// The contact entered the error state (Streams `contact.onError`).
    ContactError = "contact-error",
    /// New contact data with no transition of its own (Streams `contact.onRefresh`).
    ContactRefresh = "contact-refresh",
    /// The customer was put on hold (Streams `voiceConnection.onParticipantHold`; agent event stream `CONNECTED_ONHOLD`).
    ContactParticipantHold = "contact-participant-hold",
    /// The customer was taken off hold (Streams `voiceConnection.onParticipantResume`; agent event stream `CONNECTED_ONHOLD` to `CONNECTED`).
    ContactParticipantResume = "contact-participant-resume",
    /// A task contact was paused (EventBridge `PAUSED`; agent event stream state `PAUSED`).
    ContactPaused = "contact-paused",
    /// A paused task contact was resumed (EventBridge `RESUMED`; agent event stream `PAUSED` to active).
    ContactResumed = "contact-resumed",
    /// Screen sharing started (Streams `contact.onScreenSharingStarted`); browser only.
    ContactScreenSharingStarted = "contact-screen-sharing-started",
    /// Screen sharing stopped (Streams `contact.onScreenSharingStopped`); browser only.
    ContactScreenSharingStopped = "contact-screen-sharing-stopped",
    /// Screen sharing failed (Streams `contact.onScreenSharingError`); browser only.
    ContactScreenSharingError = "contact-screen-sharing-error",
    /// The contact was created (EventBridge `INITIATED`).
    ContactInitiated = "contact-initiated",
    /// The contact reached Amazon Connect and runs a flow (EventBridge `CONNECTED_TO_SYSTEM`).
    ContactConnectedToSystem = "contact-connected-to-system",
    /// Contact data changed: attributes, tags, schedule, routing step (EventBridge `CONTACT_DATA_UPDATED`).
    ContactDataUpdated = "contact-data-updated",
    /// The contact was placed in a queue (EventBridge `QUEUED`).
    ContactQueued = "contact-queued",
    /// The contact was connected to an agent (EventBridge `CONNECTED_TO_AGENT`).
    ContactConnectedToAgent = "contact-connected-to-agent",
    /// The contact was disconnected (EventBridge `DISCONNECTED`).
    ContactDisconnected = "contact-disconnected",
    /// The contact is complete, After Contact Work included (EventBridge `COMPLETED`).
    ContactCompleted = "contact-completed",
    /// Answering machine detection was disabled for the contact (EventBridge `AMD_DISABLED`).
    ContactAmdDisabled = "contact-amd-disabled",
    /// An Amazon Connect contact event type this version does not model; `source_type` names it.
    ContactOther = "contact-other",
    /// A Contact Lens rule matched (EventBridge `Contact Lens ... Rules Matched`); `rule` says which.
    ContactLensRuleMatched = "contact-lens-rule-matched",
    /// A metrics rule matched (EventBridge `Metrics Rules Matched`); `rule` says which.
    MetricsRuleMatched = "metrics-rule-matched",
    /// Another Amazon Connect EventBridge event (`source_type` is its `detail-type`).
    ConnectOther = "connect-other",
}

impl EventKind {
    /// Whether this kind concerns one contact (and so carries a `contact_id`).
    pub fn is_contact(self) -> bool {
        self.as_str().starts_with("contact-")
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        EventKind::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown event kind `{name}`")))
    }
}

macro_rules! open_enum {
    ($(#[doc = $doc:literal])+ $name:ident { $( $(#[doc = $vdoc:literal])+ $variant:ident = $wire:literal, )+ }) => {
        $(#[doc = $doc])+
        ///
        /// Values this version does not know are kept as `Other`, never rejected.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[doc = $vdoc])+ $variant, )+
            /// A value this version does not know, as received.
            Other(String),
        }

        impl $name {
            /// The canonical name.
            pub fn as_str(&self) -> &str {
                match self { $($name::$variant => $wire,)+ $name::Other(s) => s }
            }

            /// Parses a canonical name exactly; anything else becomes `Other`.
            pub fn from_canonical(s: &str) -> $name {
                match s { $($wire => $name::$variant,)+ _ => $name::Other(s.to_owned()) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::from_canonical(&String::deserialize(d)?))
            }
        }
    };
}

open_enum! {
    /// A contact's channel, in Amazon Connect's spelling (`VOICE`, `CHAT`, `TASK`, `EMAIL`).
    Channel {
        /// Voice calls, queued callbacks included.
        Voice = "VOICE",
        /// Chat.
        Chat = "CHAT",
        /// Tasks.
        Task = "TASK",
        /// Email.
        Email = "EMAIL",
    }
}

impl Channel {
    /// Reads a channel as any source spells it: `VOICE`, `Voice`, `voice`, `queue_callback`,
    /// `TASKS`, `task` ...
    pub fn parse_lenient(s: &str) -> Channel {
        match s.to_ascii_lowercase().as_str() {
            "voice" | "queue_callback" | "softphone" => Channel::Voice,
            "chat" => Channel::Chat,
            "task" | "tasks" => Channel::Task,
            "email" => Channel::Email,
            _ => Channel::Other(s.to_owned()),
        }
    }
}

open_enum! {
    /// The routing type of an agent state, in Streams' spelling (`AgentStateType`).
    AgentStateType {
        /// Before the first snapshot.
        Init = "init",
        /// Routable: contacts can be routed to the agent (server: `ROUTABLE`).
        Routable = "routable",
        /// Online but not routable (server: `CUSTOM`).
        NotRoutable = "not_routable",
        /// Offline.
        Offline = "offline",
        /// A system state (Busy, AfterCallWork, PendingBusy ...); browser only.
        System = "system",
        /// An error state (MissedCallAgent ...); browser only.
        Error = "error",
    }
}

impl AgentStateType {
    /// Reads a routing type as any source spells it (`ROUTABLE`, `CUSTOM`, `not_routable` ...).
    pub fn parse_lenient(s: &str) -> AgentStateType {
        match s.to_ascii_lowercase().as_str() {
            "init" => AgentStateType::Init,
            "routable" => AgentStateType::Routable,
            "not_routable" | "custom" => AgentStateType::NotRoutable,
            "offline" => AgentStateType::Offline,
            "system" => AgentStateType::System,
            "error" => AgentStateType::Error,
            _ => AgentStateType::Other(s.to_owned()),
        }
    }
}

open_enum! {
    /// A contact's state, in Streams' spelling (`ContactStateType`). Hold is not a state of its
    /// own: see [`ContactSnapshot::on_hold`].
    ContactState {
        /// Before the first snapshot.
        Init = "init",
        /// A queued callback is offered.
        Incoming = "incoming",
        /// Pending, before connecting.
        Pending = "pending",
        /// Offered to the agent, not yet accepted.
        Connecting = "connecting",
        /// Connected to the agent (on hold or not).
        Connected = "connected",
        /// Missed by the agent.
        Missed = "missed",
        /// In error.
        Error = "error",
        /// Ended: the agent is in After Contact Work.
        Ended = "ended",
        /// Rejected by the agent (non-voice; rejected voice contacts appear as missed).
        Rejected = "rejected",
        /// A paused task.
        Paused = "paused",
    }
}

impl ContactState {
    /// Reads a contact state as any source spells it (`CONNECTED`, `connected`,
    /// `CONNECTED_ONHOLD` ...). The second value says whether the spelling also means "on hold".
    pub fn parse_lenient(s: &str) -> (ContactState, bool) {
        let state = match s.to_ascii_lowercase().as_str() {
            "init" => ContactState::Init,
            "incoming" => ContactState::Incoming,
            "pending" => ContactState::Pending,
            "connecting" => ContactState::Connecting,
            "connected" => ContactState::Connected,
            "connected_onhold" => return (ContactState::Connected, true),
            "missed" => ContactState::Missed,
            "error" => ContactState::Error,
            "ended" => ContactState::Ended,
            "rejected" => ContactState::Rejected,
            "paused" => ContactState::Paused,
            _ => ContactState::Other(s.to_owned()),
        };
        (state, false)
    }

    /// Streams' `CONTACT_ACTIVE_STATES`: leaving one of these for any other known state ends
    /// the contact.
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            ContactState::Paused
                | ContactState::Incoming
                | ContactState::Pending
                | ContactState::Connecting
                | ContactState::Connected
        )
    }
}

/// The agent as a source saw it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSnapshot {
    /// The agent's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Display name (Streams `configuration.name`, or first and last name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<AgentState>,
    /// The state enqueued to apply when the agent's contacts finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_state: Option<AgentState>,
    /// The routing profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_profile: Option<Named>,
    /// Ids of the contacts the agent has, in snapshot order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_ids: Vec<String>,
}

/// An agent state (status).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentState {
    /// The state's name (`Available`, `Lunch`, `AfterCallWork` ...).
    pub name: String,
    /// Its routing type.
    #[serde(rename = "type")]
    pub state_type: AgentStateType,
    /// The agent status ARN, where the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// When the agent entered it (for a next state: when it was enqueued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

/// Something with an ARN and/or a name: a queue, a routing profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// Its ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The contact as a source saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactSnapshot {
    /// The contact's id.
    pub contact_id: String,
    /// The first contact of a chain of transfers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_contact_id: Option<String>,
    /// The contact this one was transferred from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_contact_id: Option<String>,
    /// A related contact (a task's originating contact ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_contact_id: Option<String>,
    /// The channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// How the contact was initiated, in Amazon Connect's spelling (`INBOUND`, `OUTBOUND`,
    /// `TRANSFER`, `CALLBACK`, `API` ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiation_method: Option<String>,
    /// The contact's state (sources that report one: Streams and the agent event stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ContactState>,
    /// When the contact entered its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_since: Option<DateTime<Utc>>,
    /// Whether the customer is on hold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_hold: bool,
    /// The queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<Named>,
    /// When the contact was initiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_at: Option<DateTime<Utc>>,
    /// When the contact was queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<DateTime<Utc>>,
    /// When the contact was connected to the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_to_agent_at: Option<DateTime<Utc>>,
    /// When the contact was disconnected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnected_at: Option<DateTime<Utc>>,
    /// User-defined contact attributes, where the source carries them (Streams does).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl ContactSnapshot {
    /// A snapshot that knows only the contact's id.
    pub fn new(contact_id: impl Into<String>) -> ContactSnapshot {
        ContactSnapshot {
            contact_id: contact_id.into(),
            initial_contact_id: None,
            previous_contact_id: None,
            related_contact_id: None,
            channel: None,
            initiation_method: None,
            state: None,
            state_since: None,
            on_hold: false,
            queue: None,
            initiated_at: None,
            queued_at: None,
            connected_to_agent_at: None,
            disconnected_at: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// A transition: the value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The value before (absent when there was none, e.g. no next state was enqueued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The value after (absent when there is none, e.g. the next state was cleared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A rule that matched (Contact Lens and metrics rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// The rule's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The action the rule asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The queue the rule concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_arn: Option<String>,
}

/// An error a source reported (softphone errors, agent error states).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorInfo {
    /// The error's type (`microphone_not_shared`, `MissedCallAgent` ...).
    pub error_type: String,
    /// Its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The endpoint involved, where the source names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

impl Event {
    /// An event with the required fields set and everything else empty.
    pub fn new(
        id: impl Into<String>,
        source: Source,
        kind: EventKind,
        source_type: impl Into<String>,
        occurred_at: DateTime<Utc>,
        raw: Value,
    ) -> Event {
        Event {
            version: EVENT_VERSION,
            id: id.into(),
            source,
            kind,
            source_type: source_type.into(),
            occurred_at,
            instance_arn: None,
            agent_arn: None,
            contact_id: None,
            agent: None,
            contact: None,
            change: None,
            rule: None,
            error: None,
            muted: None,
            raw,
        }
    }
}

/// The instance ARN inside an agent, contact or queue ARN
/// (`arn:aws:connect:REGION:ACCOUNT:instance/ID/agent/ID` gives `...:instance/ID`).
pub fn instance_arn_of(arn: &str) -> Option<String> {
    let start = arn.find(":instance/")?;
    let after = &arn[start + ":instance/".len()..];
    let id_len = after.find('/').unwrap_or(after.len());
    if id_len == 0 || !arn.starts_with("arn:") {
        return None;
    }
    Some(arn[..start + ":instance/".len() + id_len].to_owned())
}

/// The last path segment of an ARN (`.../contact/ID` gives `ID`).
pub fn arn_resource_id(arn: &str) -> Option<&str> {
    let id = arn.rsplit('/').next()?;
    (!id.is_empty() && id.len() < arn.len()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for kind in EventKind::ALL {
            assert!(seen.insert(kind.as_str()), "duplicate name {kind}");
            assert_eq!(EventKind::from_name(kind.as_str()), Some(*kind));
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), *kind);
            assert!(!kind.description().is_empty());
        }
        assert_eq!(EventKind::from_name("contact-Connected"), None);
    }

    #[test]
    fn docs_list_every_kind_with_its_description() {
        let docs = include_str!("../../../docs/events.md");
        for kind in EventKind::ALL {
            let row = format!("| `{kind}` | {} |", kind.description());
            assert!(docs.contains(&row), "docs/events.md lacks the row:\n{row}");
        }
    }

    #[test]
    fn lenient_spellings() {
        assert_eq!(Channel::parse_lenient("Voice"), Channel::Voice);
        assert_eq!(Channel::parse_lenient("TASKS"), Channel::Task);
        assert_eq!(Channel::parse_lenient("SMS"), Channel::Other("SMS".into()));
        assert_eq!(
            AgentStateType::parse_lenient("CUSTOM"),
            AgentStateType::NotRoutable
        );
        assert_eq!(
            ContactState::parse_lenient("CONNECTED_ONHOLD"),
            (ContactState::Connected, true)
        );
        assert_eq!(
            ContactState::parse_lenient("Weird"),
            (ContactState::Other("Weird".into()), false)
        );
    }

    #[test]
    fn arn_helpers() {
        let agent = "arn:aws:connect:us-west-2:123456789012:instance/inst-1/agent/agent-9";
        assert_eq!(
            instance_arn_of(agent).as_deref(),
            Some("arn:aws:connect:us-west-2:123456789012:instance/inst-1")
        );
        assert_eq!(
            instance_arn_of("arn:aws:connect:us-west-2:1:instance/x").as_deref(),
            Some("arn:aws:connect:us-west-2:1:instance/x")
        );
        assert_eq!(instance_arn_of("not an arn"), None);
        assert_eq!(instance_arn_of("arn:aws:connect:r:1:instance/"), None);
        assert_eq!(arn_resource_id(agent), Some("agent-9"));
        assert_eq!(arn_resource_id("plain"), None);
    }
}
