"""The event a plugin receives: the WIT record ``event`` with the Rust SDK's helpers.

:class:`Event` *is* the generated record (a subclass of ``types.Event``, same fields: ``kind``,
``contact_id``, ``contact``, ``agent`` ..., timestamps in epoch milliseconds, options as
``None``), with methods: ``attribute``, ``require_contact_id`` ... Hooks receive one;
:meth:`Event.example` makes one for tests.
"""

from __future__ import annotations

from typing import Optional

from ._bindings import types
from .errors import PluginError
from .kinds import is_agent_kind, is_contact_kind

__all__ = ["EXAMPLE_TIME", "Event", "ascii_eq_ignore_case", "label", "source_name"]

#: 2026-11-20T09:00:00Z, the time of :meth:`Event.example` events (epoch ms).
EXAMPLE_TIME = 1_795_165_200_000

_EXAMPLE_INSTANCE = "arn:aws:connect:us-west-2:111122223333:instance/instance-1"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_eq_ignore_case(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are equal ignoring ASCII case only (Rust's
    ``eq_ignore_ascii_case``; ``str.lower()`` would also fold non-ASCII letters)."""
    return len(a) == len(b) and a.translate(_ASCII_LOWER) == b.translate(_ASCII_LOWER)


def label(named: Optional[types.Named]) -> Optional[str]:
    """A queue's (or routing profile's) name if known, else its ARN."""
    if named is None:
        return None
    return named.name if named.name is not None else named.arn


def source_name(source: types.Source) -> str:
    """The source's name as in the canonical event JSON (``streams``, ``eventbridge``,
    ``agent-stream``)."""
    return source.name.lower().replace("_", "-")


class Event(types.Event):
    """One agent or contact event (the WIT record ``event``) with helpers."""

    @classmethod
    def from_record(cls, record: types.Event) -> Event:
        """The record as an :class:`Event` (the same field values, not copied)."""
        if isinstance(record, cls):
            return record
        event = cls.__new__(cls)
        event.__dict__.update(vars(record))
        return event

    # --- kind -------------------------------------------------------------------------------

    def is_agent(self) -> bool:
        """Whether this is an agent event (``agent-*``)."""
        return is_agent_kind(self.kind)

    def is_contact(self) -> bool:
        """Whether this is a contact event (``contact-*``): such events carry a contact id."""
        return is_contact_kind(self.kind)

    # --- contact ----------------------------------------------------------------------------

    def attribute(self, key: str) -> Optional[str]:
        """A user-defined contact attribute of the contact snapshot (case-sensitive key), if
        the event has a contact and the source carried its attributes."""
        if self.contact is None:
            return None
        for k, v in self.contact.attributes:
            if k == key:
                return v
        return None

    def attributes(self) -> list[tuple[str, str]]:
        """The contact's attributes (empty if the event has no contact snapshot)."""
        return self.contact.attributes if self.contact is not None else []

    def require_contact_id(self) -> str:
        """The event's contact id (else its contact snapshot's), or raises a ``missing-data``
        :class:`PluginError` naming the event."""
        if self.contact_id is not None:
            return self.contact_id
        if self.contact is not None:
            return self.contact.contact_id
        raise self._missing("contact id")

    def initial_contact_id(self) -> Optional[str]:
        """The contact's initial contact id if the snapshot has one, else the event's contact
        id (a contact that was never transferred is its own initial contact)."""
        if self.contact is not None and self.contact.initial_contact_id is not None:
            return self.contact.initial_contact_id
        return self.contact_id

    def channel(self) -> Optional[str]:
        """The contact's channel (``VOICE``, ``CHAT``, ``TASK``, ``EMAIL`` ...), as given."""
        return self.contact.channel if self.contact is not None else None

    def initiation_method(self) -> Optional[str]:
        """The contact's initiation method (``INBOUND``, ``OUTBOUND``, ``TRANSFER``,
        ``CALLBACK`` ...)."""
        return self.contact.initiation_method if self.contact is not None else None

    def is_channel(self, channel: str) -> bool:
        """Whether the contact's channel is ``channel``, ignoring ASCII case (sources disagree
        on case)."""
        own = self.channel()
        return own is not None and ascii_eq_ignore_case(own, channel)

    def queue(self) -> Optional[types.Named]:
        """The contact's queue, if known."""
        return self.contact.queue if self.contact is not None else None

    def queue_name(self) -> Optional[str]:
        """The contact's queue name, else its ARN."""
        return label(self.queue())

    # --- agent ------------------------------------------------------------------------------

    def require_agent_arn(self) -> str:
        """The event's agent ARN (else its agent snapshot's), or raises a ``missing-data``
        :class:`PluginError` naming the event."""
        if self.agent_arn is not None:
            return self.agent_arn
        if self.agent is not None and self.agent.arn is not None:
            return self.agent.arn
        raise self._missing("agent ARN")

    def require_agent_id(self) -> str:
        """The agent's id: the last segment of its ARN (``.../agent/<id>``), short enough for
        state keys. Or raises a ``missing-data`` :class:`PluginError`."""
        return self.require_agent_arn().rsplit("/", 1)[-1]

    def agent_state(self) -> Optional[types.AgentState]:
        """The agent's current state, if the event carries an agent snapshot."""
        return self.agent.state if self.agent is not None else None

    def agent_state_name(self) -> Optional[str]:
        """The name of the agent's current state (``Available``, ``AfterCallWork`` ...)."""
        state = self.agent_state()
        return state.name if state is not None else None

    def _missing(self, what: str) -> PluginError:
        return PluginError("missing-data", f"{self.kind} event {self.id} has no {what}")

    # --- examples ---------------------------------------------------------------------------

    @classmethod
    def example(cls, kind: str) -> Event:
        """A small event of the given kind for examples and tests, the same as the Rust SDK's
        ``Event::example``: agent ``agent-1``, and for contact kinds an inbound voice contact
        ``contact-1`` in the queue ``Support``, occurred at 2026-11-20T09:00:00Z
        (:data:`EXAMPLE_TIME`)."""
        agent_arn = f"{_EXAMPLE_INSTANCE}/agent/agent-1"
        is_contact = is_contact_kind(kind)
        contact = None
        if is_contact:
            contact = types.ContactSnapshot(
                contact_id="contact-1",
                initial_contact_id=None,
                previous_contact_id=None,
                related_contact_id=None,
                channel="VOICE",
                initiation_method="INBOUND",
                state="connected",
                state_since=EXAMPLE_TIME,
                on_hold=False,
                queue=types.Named(arn=f"{_EXAMPLE_INSTANCE}/queue/queue-1", name="Support"),
                initiated_at=EXAMPLE_TIME - 60_000,
                queued_at=EXAMPLE_TIME - 50_000,
                connected_to_agent_at=EXAMPLE_TIME,
                disconnected_at=None,
                attributes=[],
            )
        return cls(
            version=1,
            id=f"example/{kind}",
            source=types.Source.STREAMS,
            kind=kind,
            source_type=kind,
            occurred_at=EXAMPLE_TIME,
            instance_arn=_EXAMPLE_INSTANCE,
            agent_arn=agent_arn,
            contact_id="contact-1" if is_contact else None,
            agent=types.AgentSnapshot(
                arn=agent_arn,
                username="agent1",
                name="Agent One",
                state=types.AgentState(
                    name="Available",
                    state_type="routable",
                    arn=None,
                    since=EXAMPLE_TIME - 600_000,
                ),
                next_state=None,
                routing_profile=None,
                contact_ids=["contact-1"] if is_contact else [],
            ),
            contact=contact,
            change=None,
            rule=None,
            error=None,
            muted=None,
            raw_json="{}",
        )
