//! The [`Handler`] trait and [`EventKind`], generated together from one list of kinds
//! (`docs/events.md`) so that every kind has exactly one hook.

use crate::{Event, HandlerResult};

macro_rules! kinds {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal => $hook:ident; )*) => {
        /// What happened: the event's `kind` as an enum (see `docs/events.md`). A kind this
        /// version of the SDK does not know (added in a later minor version of the contract)
        /// is [`EventKind::Other`], never an error.
        ///
        /// ```
        /// use streamhooks_sdk::EventKind;
        ///
        /// let kind = EventKind::parse("contact-connected");
        /// assert_eq!(kind, EventKind::ContactConnected);
        /// assert_eq!(kind.as_str(), "contact-connected");
        /// assert!(kind.is_contact());
        /// assert_eq!(EventKind::parse("contact-teleported"),
        ///            EventKind::Other("contact-teleported".to_owned()));
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventKind {
            $( $(#[doc = $doc])* $variant, )*
            /// A kind this SDK version does not know, as given.
            Other(String),
        }

        impl EventKind {
            /// The kebab-case names of every kind this SDK knows, in `docs/events.md` order.
            ///
            /// ```
            /// assert!(streamhooks_sdk::EventKind::KNOWN.contains(&"agent-heartbeat"));
            /// ```
            pub const KNOWN: &'static [&'static str] = &[$($name),*];

            /// The kind named `name` (kebab-case, as in [`Event::kind`](crate::Event)).
            ///
            /// ```
            /// use streamhooks_sdk::EventKind;
            /// assert_eq!(EventKind::parse("agent-heartbeat"), EventKind::AgentHeartbeat);
            /// ```
            pub fn parse(name: &str) -> Self {
                match name {
                    $( $name => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The kind's kebab-case name.
            ///
            /// ```
            /// use streamhooks_sdk::EventKind;
            /// assert_eq!(EventKind::ContactAcw.as_str(), "contact-acw");
            /// ```
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $name, )*
                    Self::Other(name) => name,
                }
            }
        }

        /// A plugin's event handler: one hook per [`EventKind`], each returning no actions by
        /// default, so a plugin implements only the hooks of the kinds it subscribes to.
        ///
        /// The host calls [`Handler::on_event`] once per event, on a fresh instance; by default
        /// it dispatches to the hook of the event's kind (unknown kinds go to
        /// [`Handler::on_other`]). Override `on_event` to handle every kind in one place. Hooks
        /// are associated functions: nothing lives between events but [`state`](crate::state).
        ///
        /// ```
        /// use streamhooks_sdk::{Action, Event, Handler, HandlerResult, export_plugin};
        ///
        /// struct HoldRecording;
        ///
        /// impl Handler for HoldRecording {
        ///     fn on_contact_participant_hold(event: &Event) -> HandlerResult {
        ///         let contact_id = event.require_contact_id()?;
        ///         let initial = event.initial_contact_id().unwrap_or(contact_id);
        ///         Ok(vec![Action::suspend_call_recording(contact_id, initial)])
        ///     }
        /// }
        ///
        /// export_plugin!(HoldRecording);
        /// # fn main() {}
        /// ```
        pub trait Handler {
            /// Handles one event. By default: the hook of the event's kind.
            ///
            /// ```
            /// use streamhooks_sdk::{Event, EventKind, Handler, HandlerResult, log};
            ///
            /// struct Everything;
            ///
            /// impl Handler for Everything {
            ///     fn on_event(event: &Event) -> HandlerResult {
            ///         if let EventKind::Other(kind) = event.kind() {
            ///             log::warn!("unknown kind {kind}");
            ///         }
            ///         Ok(vec![])
            ///     }
            /// }
            /// ```
            fn on_event(event: &Event) -> HandlerResult {
                match event.kind() {
                    $( EventKind::$variant => Self::$hook(event), )*
                    EventKind::Other(_) => Self::on_other(event),
                }
            }

            $(
                #[doc = concat!("Handles `", $name, "`: ")]
                $(#[doc = $doc])*
                ///
                /// Returns no actions unless overridden.
                fn $hook(event: &Event) -> HandlerResult {
                    let _ = event;
                    Ok(Vec::new())
                }
            )*

            /// Handles a kind this SDK version does not know ([`EventKind::Other`]).
            ///
            /// Returns no actions unless overridden.
            fn on_other(event: &Event) -> HandlerResult {
                let _ = event;
                Ok(Vec::new())
            }
        }
    };
}

kinds! {
    /// The agent's state name changed (Streams `agent.onStateChange`); `change` has old and new names.
    AgentStateChange = "agent-state-change" => on_agent_state_change;
    /// The agent became routable (Streams `agent.onRoutable`).
    AgentRoutable = "agent-routable" => on_agent_routable;
    /// The agent is online but not routable (Streams `agent.onNotRoutable`).
    AgentNotRoutable = "agent-not-routable" => on_agent_not_routable;
    /// The agent went offline (Streams `agent.onOffline`).
    AgentOffline = "agent-offline" => on_agent_offline;
    /// The agent entered an error state (Streams `agent.onError`).
    AgentError = "agent-error" => on_agent_error;
    /// The softphone reported an error (Streams `agent.onSoftphoneError`); browser only.
    AgentSoftphoneError = "agent-softphone-error" => on_agent_softphone_error;
    /// The agent entered After Call Work for a voice contact (Streams `agent.onAfterCallWork`).
    AgentAfterCallWork = "agent-after-call-work" => on_agent_after_call_work;
    /// A next state was enqueued while the agent handles contacts (Streams `agent.onEnqueuedNextState`).
    AgentEnqueuedNextState = "agent-enqueued-next-state" => on_agent_enqueued_next_state;
    /// The enqueued next state was cleared (Streams `agent.onClearedNextState`).
    AgentClearedNextState = "agent-cleared-next-state" => on_agent_cleared_next_state;
    /// The agent muted or unmuted (Streams `agent.onMuteToggle`); browser only.
    AgentMuteToggle = "agent-mute-toggle" => on_agent_mute_toggle;
    /// The browser lost its websocket to Amazon Connect (Streams `agent.onWebSocketConnectionLost`).
    AgentWebsocketConnectionLost = "agent-websocket-connection-lost" => on_agent_websocket_connection_lost;
    /// The browser regained its websocket (Streams `agent.onWebSocketConnectionGained`).
    AgentWebsocketConnectionGained = "agent-websocket-connection-gained" => on_agent_websocket_connection_gained;
    /// New agent data with no transition of its own (Streams `agent.onRefresh`; agent event stream `STATE_CHANGE` with nothing else to derive).
    AgentRefresh = "agent-refresh" => on_agent_refresh;
    /// The agent's configuration changed (routing profile, queues, auto-accept ...); agent event stream only.
    AgentConfigurationChange = "agent-configuration-change" => on_agent_configuration_change;
    /// The agent logged in; agent event stream `LOGIN`.
    AgentLogin = "agent-login" => on_agent_login;
    /// The agent logged out; agent event stream `LOGOUT`.
    AgentLogout = "agent-logout" => on_agent_logout;
    /// Periodic heartbeat (every 120 s with no other event); agent event stream `HEART_BEAT`.
    AgentHeartbeat = "agent-heartbeat" => on_agent_heartbeat;
    /// A queued callback is incoming (Streams `contact.onIncoming`).
    ContactIncoming = "contact-incoming" => on_contact_incoming;
    /// The contact is pending, before connecting (Streams `contact.onPending`).
    ContactPending = "contact-pending" => on_contact_pending;
    /// The contact is offered to the agent, before accepting (Streams `contact.onConnecting`).
    ContactConnecting = "contact-connecting" => on_contact_connecting;
    /// The agent accepted the contact (Streams `contact.onAccepted`); browser only.
    ContactAccepted = "contact-accepted" => on_contact_accepted;
    /// The contact is connected to the agent (Streams `contact.onConnected`).
    ContactConnected = "contact-connected" => on_contact_connected;
    /// The contact was missed or rejected, or the customer hung up before it was accepted (Streams `contact.onMissed`).
    ContactMissed = "contact-missed" => on_contact_missed;
    /// The contact ended: it left the active states (Streams `contact.onEnded`).
    ContactEnded = "contact-ended" => on_contact_ended;
    /// The contact entered After Contact Work, state `ended` (Streams `contact.onACW`).
    ContactAcw = "contact-acw" => on_contact_acw;
    /// The contact was removed from the agent's snapshot (Streams `contact.onDestroy`).
    ContactDestroyed = "contact-destroyed" => on_contact_destroyed;
    /// The contact entered the error state (Streams `contact.onError`).
    ContactError = "contact-error" => on_contact_error;
    /// New contact data with no transition of its own (Streams `contact.onRefresh`).
    ContactRefresh = "contact-refresh" => on_contact_refresh;
    /// The customer was put on hold (Streams `voiceConnection.onParticipantHold`; agent event stream `CONNECTED_ONHOLD`).
    ContactParticipantHold = "contact-participant-hold" => on_contact_participant_hold;
    /// The customer was taken off hold (Streams `voiceConnection.onParticipantResume`; agent event stream `CONNECTED_ONHOLD` to `CONNECTED`).
    ContactParticipantResume = "contact-participant-resume" => on_contact_participant_resume;
    /// A task contact was paused (EventBridge `PAUSED`; agent event stream state `PAUSED`).
    ContactPaused = "contact-paused" => on_contact_paused;
    /// A paused task contact was resumed (EventBridge `RESUMED`; agent event stream `PAUSED` to active).
    ContactResumed = "contact-resumed" => on_contact_resumed;
    /// Screen sharing started (Streams `contact.onScreenSharingStarted`); browser only.
    ContactScreenSharingStarted = "contact-screen-sharing-started" => on_contact_screen_sharing_started;
    /// Screen sharing stopped (Streams `contact.onScreenSharingStopped`); browser only.
    ContactScreenSharingStopped = "contact-screen-sharing-stopped" => on_contact_screen_sharing_stopped;
    /// Screen sharing failed (Streams `contact.onScreenSharingError`); browser only.
    ContactScreenSharingError = "contact-screen-sharing-error" => on_contact_screen_sharing_error;
    /// The contact was created (EventBridge `INITIATED`).
    ContactInitiated = "contact-initiated" => on_contact_initiated;
    /// The contact reached Amazon Connect and runs a flow (EventBridge `CONNECTED_TO_SYSTEM`).
    ContactConnectedToSystem = "contact-connected-to-system" => on_contact_connected_to_system;
    /// Contact data changed: attributes, tags, schedule, routing step (EventBridge `CONTACT_DATA_UPDATED`).
    ContactDataUpdated = "contact-data-updated" => on_contact_data_updated;
    /// The contact was placed in a queue (EventBridge `QUEUED`).
    ContactQueued = "contact-queued" => on_contact_queued;
    /// The contact was connected to an agent (EventBridge `CONNECTED_TO_AGENT`).
    ContactConnectedToAgent = "contact-connected-to-agent" => on_contact_connected_to_agent;
    /// The contact was disconnected (EventBridge `DISCONNECTED`).
    ContactDisconnected = "contact-disconnected" => on_contact_disconnected;
    /// The contact is complete, After Contact Work included (EventBridge `COMPLETED`).
    ContactCompleted = "contact-completed" => on_contact_completed;
    /// Answering machine detection was disabled for the contact (EventBridge `AMD_DISABLED`).
    ContactAmdDisabled = "contact-amd-disabled" => on_contact_amd_disabled;
    /// An Amazon Connect contact event type this version does not model; `source_type` names it.
    ContactOther = "contact-other" => on_contact_other;
    /// A Contact Lens rule matched (EventBridge `Contact Lens ... Rules Matched`); `rule` says which.
    ContactLensRuleMatched = "contact-lens-rule-matched" => on_contact_lens_rule_matched;
    /// A metrics rule matched (EventBridge `Metrics Rules Matched`); `rule` says which.
    MetricsRuleMatched = "metrics-rule-matched" => on_metrics_rule_matched;
    /// Another Amazon Connect EventBridge event (`source_type` is its `detail-type`).
    ConnectOther = "connect-other" => on_connect_other;
}

impl EventKind {
    /// Whether this is an agent event (`agent-*`).
    ///
    /// ```
    /// assert!(streamhooks_sdk::EventKind::AgentLogin.is_agent());
    /// ```
    pub fn is_agent(&self) -> bool {
        self.as_str().starts_with("agent-")
    }

    /// Whether this is a contact event (`contact-*`): such events carry a contact id.
    ///
    /// ```
    /// assert!(streamhooks_sdk::EventKind::ContactMissed.is_contact());
    /// ```
    pub fn is_contact(&self) -> bool {
        self.as_str().starts_with("contact-")
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for EventKind {
    fn from(name: &str) -> Self {
        Self::parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_kind_round_trips() {
        for name in EventKind::KNOWN {
            let kind = EventKind::parse(name);
            assert!(!matches!(kind, EventKind::Other(_)), "{name}");
            assert_eq!(kind.as_str(), *name);
        }
        assert_eq!(EventKind::KNOWN.len(), 47);
    }

    #[test]
    fn matches_the_documented_kinds() {
        let doc = include_str!("../../../docs/events.md");
        let documented: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(k, _)| k))
            .filter(|k| k.contains('-') && !k.contains('_'))
            .collect();
        assert_eq!(documented, EventKind::KNOWN);
    }
}
