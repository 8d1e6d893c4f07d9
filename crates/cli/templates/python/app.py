"""{{name}}: when a voice contact connects to an agent, sets a contact attribute (config
``attribute``, default ``AnsweredBy``) to the agent's id.

The host calls ``Handler`` (the name componentize-py looks for) once per event, on a fresh
instance; see the SDK's README for the hooks, helpers and actions.
"""

from __future__ import annotations

import streamhooks_sdk as sh
from streamhooks_sdk import Event, actions, log


class Handler(sh.Handler):
    def on_contact_connected(self, event: Event) -> list[sh.Action]:
        attribute = sh.config_or("attribute", "AnsweredBy")
        decided = decide(event, attribute)
        if not decided:
            log.debug("not a voice contact: nothing to do")
        return decided


def decide(event: Event, attribute: str) -> list[sh.Action]:
    """The decision, as a plain function: no host calls, so it is easy to test."""
    if not event.is_channel("voice"):
        return []
    agent_id = event.require_agent_id()
    contact_id = event.require_contact_id()
    # Attributes belong to the initial contact of a chain of transfers.
    initial = event.initial_contact_id() or contact_id
    return [actions.update_contact_attributes(initial, {attribute: agent_id})]
