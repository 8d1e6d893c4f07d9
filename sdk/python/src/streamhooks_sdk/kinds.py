"""Every event kind this SDK version knows (``docs/events.md``), in that order, with its
one-line description: the same list as the Rust SDK's ``EventKind``. A kind not listed (added in
a later minor version of the contract) is still delivered, to :meth:`Handler.on_other`."""

from __future__ import annotations

__all__ = ["KINDS", "hook_name", "is_agent_kind", "is_contact_kind", "is_known_kind"]

#: kebab-case kind -> what it means.
KINDS: dict[str, str] = {
    "agent-state-change": (
        "The agent's state name changed (Streams `agent.onStateChange`); `change` has old and"
        " new names."
    ),
    "agent-routable": "The agent became routable (Streams `agent.onRoutable`).",
    "agent-not-routable": "The agent is online but not routable (Streams `agent.onNotRoutable`).",
    "agent-offline": "The agent went offline (Streams `agent.onOffline`).",
    "agent-error": "The agent entered an error state (Streams `agent.onError`).",
    "agent-softphone-error": (
        "The softphone reported an error (Streams `agent.onSoftphoneError`); browser only."
    ),
    "agent-after-call-work": (
        "The agent entered After Call Work for a voice contact (Streams "
        "`agent.onAfterCallWork`)."
    ),
    "agent-enqueued-next-state": (
        "A next state was enqueued while the agent handles contacts (Streams "
        "`agent.onEnqueuedNextState`)."
    ),
    "agent-cleared-next-state": (
        "The enqueued next state was cleared (Streams `agent.onClearedNextState`)."
    ),
    "agent-mute-toggle": (
        "The agent muted or unmuted (Streams `agent.onMuteToggle`); browser only."
    ),
    "agent-websocket-connection-lost": (
        "The browser lost its websocket to Amazon Connect (Streams "
        "`agent.onWebSocketConnectionLost`)."
    ),
    "agent-websocket-connection-gained": (
        "The browser regained its websocket (Streams `agent.onWebSocketConnectionGained`)."
    ),
    "agent-refresh": (
        "New agent data with no transition of its own (Streams `agent.onRefresh`; agent event"
        " stream `STATE_CHANGE` with nothing else to derive)."
    ),
    "agent-configuration-change": (
        "The agent's configuration changed (routing profile, queues, auto-accept ...); agent "
        "event stream only."
    ),
    "agent-login": "The agent logged in; agent event stream `LOGIN`.",
    "agent-logout": "The agent logged out; agent event stream `LOGOUT`.",
    "agent-heartbeat": (
        "Periodic heartbeat (every 120 s with no other event); agent event stream "
        "`HEART_BEAT`."
    ),
    "contact-incoming": "A queued callback is incoming (Streams `contact.onIncoming`).",
    "contact-pending": "The contact is pending, before connecting (Streams `contact.onPending`).",
    "contact-connecting": (
        "The contact is offered to the agent, before accepting (Streams "
        "`contact.onConnecting`)."
    ),
    "contact-accepted": (
        "The agent accepted the contact (Streams `contact.onAccepted`); browser only."
    ),
    "contact-connected": "The contact is connected to the agent (Streams `contact.onConnected`).",
    "contact-missed": (
        "The contact was missed or rejected, or the customer hung up before it was accepted "
        "(Streams `contact.onMissed`)."
    ),
    "contact-ended": "The contact ended: it left the active states (Streams `contact.onEnded`).",
    "contact-acw": (
        "The contact entered After Contact Work, state `ended` (Streams `contact.onACW`)."
    ),
    "contact-destroyed": (
        "The contact was removed from the agent's snapshot (Streams `contact.onDestroy`)."
    ),
    "contact-error": "The contact entered the error state (Streams `contact.onError`).",
    "contact-refresh": (
        "New contact data with no transition of its own (Streams `contact.onRefresh`)."
    ),
    "contact-participant-hold": (
        "The customer was put on hold (Streams `voiceConnection.onParticipantHold`; agent "
        "event stream `CONNECTED_ONHOLD`)."
    ),
    "contact-participant-resume": (
        "The customer was taken off hold (Streams `voiceConnection.onParticipantResume`; "
        "agent event stream `CONNECTED_ONHOLD` to `CONNECTED`)."
    ),
    "contact-paused": (
        "A task contact was paused (EventBridge `PAUSED`; agent event stream state `PAUSED`)."
    ),
    "contact-resumed": (
        "A paused task contact was resumed (EventBridge `RESUMED`; agent event stream "
        "`PAUSED` to active)."
    ),
    "contact-screen-sharing-started": (
        "Screen sharing started (Streams `contact.onScreenSharingStarted`); browser only."
    ),
    "contact-screen-sharing-stopped": (
        "Screen sharing stopped (Streams `contact.onScreenSharingStopped`); browser only."
    ),
    "contact-screen-sharing-error": (
        "Screen sharing failed (Streams `contact.onScreenSharingError`); browser only."
    ),
    "contact-initiated": "The contact was created (EventBridge `INITIATED`).",
    "contact-connected-to-system": (
        "The contact reached Amazon Connect and runs a flow (EventBridge "
        "`CONNECTED_TO_SYSTEM`)."
    ),
    "contact-data-updated": (
        "Contact data changed: attributes, tags, schedule, routing step (EventBridge "
        "`CONTACT_DATA_UPDATED`)."
    ),
    "contact-queued": "The contact was placed in a queue (EventBridge `QUEUED`).",
    "contact-connected-to-agent": (
        "The contact was connected to an agent (EventBridge `CONNECTED_TO_AGENT`)."
    ),
    "contact-disconnected": "The contact was disconnected (EventBridge `DISCONNECTED`).",
    "contact-completed": (
        "The contact is complete, After Contact Work included (EventBridge `COMPLETED`)."
    ),
    "contact-amd-disabled": (
        "Answering machine detection was disabled for the contact (EventBridge "
        "`AMD_DISABLED`)."
    ),
    "contact-other": (
        "An Amazon Connect contact event type this version does not model; `source_type` "
        "names it."
    ),
    "contact-lens-rule-matched": (
        "A Contact Lens rule matched (EventBridge `Contact Lens ... Rules Matched`); `rule` "
        "says which."
    ),
    "metrics-rule-matched": (
        "A metrics rule matched (EventBridge `Metrics Rules Matched`); `rule` says which."
    ),
    "connect-other": (
        "Another Amazon Connect EventBridge event (`source_type` is its `detail-type`)."
    ),
}


def is_known_kind(kind: str) -> bool:
    """Whether this SDK version knows ``kind``."""
    return kind in KINDS


def hook_name(kind: str) -> str:
    """The :class:`~streamhooks_sdk.Handler` method for ``kind``: ``on_`` + snake_case
    (``contact-connected`` -> ``on_contact_connected``); ``on_other`` for a kind this SDK does
    not know."""
    return "on_" + kind.replace("-", "_") if kind in KINDS else "on_other"


def is_agent_kind(kind: str) -> bool:
    """Whether ``kind`` is an agent event (``agent-*``)."""
    return kind.startswith("agent-")


def is_contact_kind(kind: str) -> bool:
    """Whether ``kind`` is a contact event (``contact-*``): such events carry a contact id."""
    return kind.startswith("contact-")
