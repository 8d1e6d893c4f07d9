"""screen-pop: when a contact is offered to an agent (Streams ``contact-connecting`` /
``contact-accepted``) or connected (agent event stream ``contact-connected``), tells the agent's
browser to open the customer's CRM record, with the URL built from the ``record_url`` template
filled from contact attributes. Once per contact per agent. See README.md.

A port of ``plugins/screen-pop`` (Rust): the same decisions, state and actions.
"""

from __future__ import annotations

from typing import Optional

import streamhooks_sdk as sh
from streamhooks_sdk import Event, RecentSet, StateError, actions, log, types

#: How many recent contacts each agent's "already popped" set remembers.
RECENT_PER_AGENT = 20


class Handler(sh.Handler):
    def on_contact_connecting(self, event: Event) -> list[sh.Action]:
        return pop_once(event)

    def on_contact_accepted(self, event: Event) -> list[sh.Action]:
        return pop_once(event)

    def on_contact_connected(self, event: Event) -> list[sh.Action]:
        return pop_once(event)


def pop_once(event: Event) -> list[sh.Action]:
    agent_arn = event.require_agent_arn()
    agent_id = event.require_agent_id()
    contact_id = event.require_contact_id()
    record_url = sh.require_config("record_url")
    search_url = sh.config("search_url") or None

    popped = RecentSet.load(f"popped/{agent_id}", RECENT_PER_AGENT)
    if contact_id in popped:
        return []
    pop = screen_pop(event, record_url, search_url, title())
    if pop is None:
        log.info(f"contact {contact_id}: no attribute for record_url and no search_url; no pop")
        return []
    popped.insert(contact_id)
    try:
        popped.save()
    except StateError as e:
        # Popping twice is better than not popping: go on without the memory.
        log.warn(f"contact {contact_id}: cannot remember the pop: {e}")
    return [actions.client_screen_pop(agent_arn, contact_id, pop)]


def title() -> str:
    return sh.config_or("title", "Customer record")


def screen_pop(
    event: Event, record_url: str, search_url: Optional[str], title: str
) -> Optional[types.ScreenPop]:
    """The screen pop for ``event``: the record URL if every placeholder of ``record_url`` can
    be filled, else the search URL if it can, else none. Data: the queue and the channel."""
    url = fill(record_url, event)
    if url is None and search_url is not None:
        url = fill(search_url, event)
    if url is None:
        return None
    data = []
    queue = event.queue_name()
    if queue is not None:
        data.append(("Queue", queue))
    channel = event.channel()
    if channel is not None:
        data.append(("Channel", channel))
    return actions.screen_pop(url, title=title, data=data)


def fill(template: str, event: Event) -> Optional[str]:
    """Fills each ``{Name}`` of ``template`` with the contact attribute ``Name``,
    percent-encoded (``{ContactId}`` is the contact id unless an attribute has that name).
    ``None`` when an attribute is missing or empty, or a brace is unclosed."""
    out = []
    rest = template
    while (start := rest.find("{")) != -1:
        out.append(rest[:start])
        after = rest[start + 1 :]
        close = after.find("}")
        if close == -1:
            return None
        name = after[:close]
        value = event.attribute(name)
        if value is None and name == "ContactId":
            value = event.contact_id
        if not value:
            return None
        out.append(percent_encode(value))
        rest = after[close + 1 :]
    out.append(rest)
    return "".join(out)


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of everything but unreserved characters: attribute values are
    untrusted and must not change the URL's structure."""
    return "".join(
        chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in value.encode("utf-8")
    )

