"""Tests of {{name}}, natively: `python3 -m unittest` in this folder."""

from __future__ import annotations

import unittest
from pathlib import Path

from streamhooks_sdk import Event, PluginError, actions
from streamhooks_sdk.testing import FakeHost

import app


class Decide(unittest.TestCase):
    def test_marks_a_voice_contact_with_its_agent(self) -> None:
        event = Event.example("contact-connected")
        self.assertEqual(
            app.decide(event, "AnsweredBy"),
            [actions.update_contact_attributes("contact-1", {"AnsweredBy": "agent-1"})],
        )

    def test_leaves_other_channels_alone(self) -> None:
        event = Event.example("contact-connected")
        assert event.contact is not None
        event.contact.channel = "CHAT"
        self.assertEqual(app.decide(event, "AnsweredBy"), [])

    def test_needs_an_agent(self) -> None:
        event = Event.example("contact-connected")
        event.agent_arn = None
        event.agent = None
        with self.assertRaises(PluginError) as caught:
            app.decide(event, "AnsweredBy")
        self.assertEqual(caught.exception.code, "missing-data")


class Plugin(unittest.TestCase):
    """The whole plugin on a fake host, with the config of plugin.toml."""

    def test_uses_the_configured_attribute(self) -> None:
        host = FakeHost.from_manifest(Path(__file__).with_name("plugin.toml"))
        host.config["attribute"] = "Agent"
        decided = host.call(app.Handler, Event.example("contact-connected"))
        self.assertEqual(
            decided, [actions.update_contact_attributes("contact-1", {"Agent": "agent-1"})]
        )

    def test_logs_when_there_is_nothing_to_do(self) -> None:
        host = FakeHost.from_manifest(Path(__file__).with_name("plugin.toml"))
        event = Event.example("contact-connected")
        assert event.contact is not None
        event.contact.channel = "CHAT"
        self.assertEqual(host.call(app.Handler, event), [])
        self.assertEqual(host.messages("debug"), ["not a voice contact: nothing to do"])


if __name__ == "__main__":
    unittest.main()
