"""crm-call-log: when a contact handled by an agent is complete (EventBridge
``contact-completed``, After Contact Work included) or, if so configured, has ended
(``contact-ended``), writes a call log to the CRM: an upsert of a ``Task`` keyed by the contact
id, with the agent, queue, channel, times, duration and disposition. Once per contact. See
README.md.

A port of ``plugins/crm-call-log`` (Rust): the same decisions, state and actions (the fields
JSON is the same text, byte for byte).
"""

from __future__ import annotations

import enum
from typing import Optional

import streamhooks_sdk as sh
from streamhooks_sdk import Event, JsonObject, PluginError, RecentSet, StateError, actions, log
from streamhooks_sdk import state
from streamhooks_sdk.time import rfc3339, seconds_between

#: How many recently logged contacts are remembered (one state value, ~37 bytes each).
RECENT_LOGGED = 200
LOGGED_KEY = "logged"
#: The last disposition written to the CRM per recent contact, as ``contact-id=disposition``
#: lines (one state value).
SENT_KEY = "dispositions-sent"


class Handler(sh.Handler):
    def on_contact_completed(self, event: Event) -> list[sh.Action]:
        return log_or_remember(event, LogOn.COMPLETED)

    def on_contact_ended(self, event: Event) -> list[sh.Action]:
        return log_or_remember(event, LogOn.ENDED)

    def on_contact_acw(self, event: Event) -> list[sh.Action]:
        return remember_disposition(event)

    def on_contact_destroyed(self, event: Event) -> list[sh.Action]:
        return remember_disposition(event)

    def on_contact_data_updated(self, event: Event) -> list[sh.Action]:
        return remember_disposition(event)

    def on_contact_refresh(self, event: Event) -> list[sh.Action]:
        return remember_disposition(event)


class LogOn(enum.Enum):
    """Which event writes the log."""

    #: EventBridge ``contact-completed``: after After Contact Work, final disposition.
    COMPLETED = "completed"
    #: ``contact-ended`` (Streams or agent event stream): for deployments without EventBridge.
    ENDED = "ended"


def log_on() -> LogOn:
    value = sh.config("log_on")
    trimmed = None if value is None else sh.rust.trim(value)
    if trimmed is None or trimmed == "completed":
        return LogOn.COMPLETED
    if trimmed == "ended":
        return LogOn.ENDED
    raise PluginError.bad_config(
        "log_on", f'{sh.rust.quote(trimmed)} is neither "completed" nor "ended"'
    )


def disposition_attribute() -> str:
    return sh.config_or("disposition_attribute", "Disposition")


def disposition_key(contact_id: str) -> str:
    return f"disposition/{contact_id}"


def log_or_remember(event: Event, trigger: LogOn) -> list[sh.Action]:
    if log_on() != trigger:
        return remember_disposition(event)
    contact_id = event.require_contact_id()
    connector = sh.require_config("connector")
    logged = RecentSet.load(LOGGED_KEY, RECENT_LOGGED)
    if contact_id in logged:
        return []
    if not handled_by_agent(event):
        log.debug(f"contact {contact_id} never reached an agent: no call log")
        return []
    key = disposition_key(contact_id)
    disposition = event.attribute(disposition_attribute())
    if disposition is None:
        disposition = state.get_string(key)
    subject = sh.config_or("subject", "Amazon Connect contact")
    fields = call_log_fields(event, contact_id, disposition, subject)

    logged.insert(contact_id)
    try:
        logged.save()
    except StateError as e:
        # The upsert is keyed by the contact id: writing it twice is harmless, losing it is not.
        log.warn(f"contact {contact_id}: cannot remember the call log: {e}")
    if disposition is not None:
        mark_sent(contact_id, disposition)
    state.delete(key)
    return [
        actions.crm_upsert(
            connector,
            sh.config_or("object", "Task"),
            sh.config_or("id_field", "ContactId"),
            contact_id,
            fields,
        )
    ]


def remember_disposition(event: Event) -> list[sh.Action]:
    """Keeps the contact's disposition, when this event carries it, for the event that logs. A
    disposition that arrives after the log was written (the agent set it late, or the
    forwarder's batch came after EventBridge's ``COMPLETED``) updates the logged record: an
    upsert of that one field under the same contact id, unless it is the disposition the record
    already has."""
    contact_id = event.require_contact_id()
    disposition = event.attribute(disposition_attribute())
    if disposition is None:
        return []
    if contact_id not in RecentSet.load(LOGGED_KEY, RECENT_LOGGED):
        try:
            state.set(disposition_key(contact_id), disposition)
        except StateError as e:
            log.warn(f"contact {contact_id}: cannot remember the disposition: {e}")
        return []
    if not mark_sent(contact_id, disposition):
        return []
    fields = JsonObject().string("ContactId", contact_id).string("Disposition", disposition).build()
    return [
        actions.crm_upsert(
            sh.require_config("connector"),
            sh.config_or("object", "Task"),
            sh.config_or("id_field", "ContactId"),
            contact_id,
            fields,
        )
    ]


def mark_sent(contact_id: str, disposition: str) -> bool:
    """Records ``disposition`` as the one the CRM record of ``contact_id`` has: ``False`` if it
    has it already. Only the last written value counts, so a disposition changed back (Sale,
    then Callback requested, then Sale) is written again."""
    item = sent_item(contact_id, disposition)
    sent = RecentSet.load(SENT_KEY, RECENT_LOGGED)
    prefix = f"{contact_id}="
    last = next((i for i in reversed(sent.items) if i.startswith(prefix)), None)
    if last == item:
        return False
    if last is not None:
        sent.remove(last)
    sent.insert(item)
    try:
        sent.save()
    except StateError as e:
        # Writing the same disposition again is harmless (keyed upsert); skipping one is not.
        log.warn(f"contact {contact_id}: cannot remember the disposition sent: {e}")
    return True


def sent_item(contact_id: str, disposition: str) -> str:
    """One line of the ``dispositions-sent`` set (items are lines: newlines become spaces)."""
    return f"{contact_id}={disposition.replace(chr(10), ' ').replace(chr(13), ' ')}"


def handled_by_agent(event: Event) -> bool:
    return event.agent_arn is not None or (
        event.contact is not None and event.contact.connected_to_agent_at is not None
    )


def call_log_fields(
    event: Event, contact_id: str, disposition: Optional[str], subject: str
) -> str:
    """The call log's fields as a JSON object. Times are RFC 3339 UTC; absent values are left
    out."""
    contact = event.contact
    agent: Optional[str] = None
    if event.agent is not None:
        agent = event.agent.username if event.agent.username is not None else event.agent.name
    if agent is None:
        agent = event.agent_arn
    start = contact.initiated_at if contact is not None else None
    connected = contact.connected_to_agent_at if contact is not None else None
    end = contact.disconnected_at if contact is not None else None
    if end is None and event.kind == "contact-ended":
        # contact-ended: the contact left the active states when the event happened.
        end = event.occurred_at
    acw_end = event.occurred_at if event.kind == "contact-completed" else None
    duration = seconds_between(start, end) if start is not None and end is not None else None

    def time(ms: Optional[int]) -> Optional[str]:
        return None if ms is None else rfc3339(ms)

    return (
        JsonObject()
        .string("Subject", subject)
        .string("ContactId", contact_id)
        .opt_string("InitialContactId", event.initial_contact_id())
        .opt_string("Agent", agent)
        .opt_string("AgentArn", event.agent_arn)
        .opt_string("Queue", event.queue_name())
        .opt_string("Channel", event.channel())
        .opt_string("InitiationMethod", event.initiation_method())
        .opt_string("StartTime", time(start))
        .opt_string("ConnectedTime", time(connected))
        .opt_string("EndTime", time(end))
        .opt_string("AcwEndTime", time(acw_end))
        .opt_int("DurationSeconds", duration)
        .opt_string("Disposition", disposition)
        .build()
    )
