"""Tests of screen-pop: the Rust plugin's unit tests, ported, and the handler end to end
through the SDK's fake host (config and limits from plugin.toml)."""

from __future__ import annotations

import unittest
from pathlib import Path

from streamhooks_sdk import Event, PluginError, types
from streamhooks_sdk.testing import FakeHost

import app

MANIFEST = Path(__file__).with_name("plugin.toml")
AGENT_ARN = "arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1"


def event_with(attributes: list[tuple[str, str]], kind: str = "contact-connecting") -> Event:
    event = Event.example(kind)
    assert event.contact is not None
    event.contact.attributes = list(attributes)
    return event


class ScreenPopDecisions(unittest.TestCase):
    """The Rust unit tests."""

    def test_fills_the_record_url_from_attributes(self) -> None:
        event = event_with([("CustomerId", "42/x y")])
        pop = app.screen_pop(
            event,
            "https://crm.example.com/customers/{CustomerId}?c={ContactId}",
            None,
            "Customer",
        )
        assert pop is not None
        self.assertEqual(pop.url, "https://crm.example.com/customers/42%2Fx%20y?c=contact-1")
        self.assertEqual(pop.title, "Customer")
        self.assertEqual(pop.data, [("Queue", "Support"), ("Channel", "VOICE")])

    def test_falls_back_to_the_search_url_then_to_nothing(self) -> None:
        event = event_with([])
        record = "https://crm.example.com/customers/{CustomerId}"
        search = "https://crm.example.com/search?contact={ContactId}"
        pop = app.screen_pop(event, record, search, "t")
        assert pop is not None
        self.assertEqual(pop.url, "https://crm.example.com/search?contact=contact-1")
        self.assertIsNone(app.screen_pop(event, record, None, "t"))
        self.assertIsNone(app.screen_pop(event, "https://x/{Unclosed", None, "t"))


class Fill(unittest.TestCase):
    def test_percent_encodes_utf8_bytes_and_keeps_unreserved(self) -> None:
        self.assertEqual(app.percent_encode("a-b._~Z9"), "a-b._~Z9")
        self.assertEqual(app.percent_encode("Zoë 李 🙂"), "Zo%C3%AB%20%E6%9D%8E%20%F0%9F%99%82")
        self.assertEqual(app.percent_encode('?#=%+&"\n'), "%3F%23%3D%25%2B%26%22%0A")

    def test_an_empty_attribute_does_not_fall_back_to_the_contact_id(self) -> None:
        event = event_with([("ContactId", "")])
        self.assertIsNone(app.fill("x/{ContactId}", event))
        event = event_with([("ContactId", "own")])
        self.assertEqual(app.fill("x/{ContactId}", event), "x/own")

    def test_a_value_with_braces_is_not_filled_again(self) -> None:
        event = event_with([("CustomerId", "{CustomerId}")])
        self.assertEqual(app.fill("{CustomerId}/", event), "%7BCustomerId%7D/")


class Handler(unittest.TestCase):
    def setUp(self) -> None:
        self.host = FakeHost.from_manifest(MANIFEST)

    def test_pops_the_record_once_per_contact_and_agent(self) -> None:
        event = event_with([("CustomerId", "42")])
        first = self.host.call(app.Handler, event)
        pop = types.ScreenPop(
            "https://crm.example.com/customers/42",
            "Customer record",
            [("Queue", "Support"), ("Channel", "VOICE")],
        )
        self.assertEqual(
            first,
            [
                types.Action_Client(
                    types.ClientAction(AGENT_ARN, "contact-1", types.ClientDirective_ScreenPop(pop))
                )
            ],
        )
        self.assertEqual(self.host.state_string("popped/agent-1"), "contact-1")
        accepted = event_with([("CustomerId", "42")], "contact-accepted")
        self.assertEqual(self.host.call(app.Handler, accepted), [])

    def test_remembers_the_20_latest_contacts_oldest_first(self) -> None:
        self.host.state["popped/agent-1"] = "\n".join(f"c{i}" for i in range(20)).encode()
        event = event_with([("CustomerId", "42")])
        self.assertEqual(len(self.host.call(app.Handler, event)), 1)
        stored = self.host.state_string("popped/agent-1")
        assert stored is not None
        self.assertEqual(stored.split("\n"), [f"c{i}" for i in range(1, 20)] + ["contact-1"])

    def test_uses_the_search_url_without_the_customer_id(self) -> None:
        [action] = self.host.call(app.Handler, event_with([]))
        assert isinstance(action, types.Action_Client)
        assert isinstance(action.value.directive, types.ClientDirective_ScreenPop)
        self.assertEqual(
            action.value.directive.value.url, "https://crm.example.com/search?contact=contact-1"
        )

    def test_no_pop_without_a_usable_url(self) -> None:
        self.host.config.pop("search_url")
        self.assertEqual(self.host.call(app.Handler, event_with([])), [])
        self.assertEqual(
            self.host.messages("info"),
            ["contact contact-1: no attribute for record_url and no search_url; no pop"],
        )
        self.assertEqual(self.host.state, {})

    def test_pops_even_when_the_state_cannot_be_written(self) -> None:
        host = FakeHost.from_manifest(MANIFEST, unavailable="throttled")
        self.assertEqual(len(host.call(app.Handler, event_with([("CustomerId", "42")]))), 1)
        self.assertEqual(
            host.messages("warn"),
            [
                "contact contact-1: cannot remember the pop: "
                'StateError::Unavailable("throttled")'
            ],
        )

    def test_missing_data_and_config_are_plugin_errors(self) -> None:
        no_agent = event_with([("CustomerId", "42")])
        no_agent.agent_arn = None
        no_agent.agent = None
        with self.assertRaises(PluginError) as caught:
            self.host.call(app.Handler, no_agent)
        self.assertEqual(
            caught.exception,
            PluginError(
                "missing-data", "contact-connecting event example/contact-connecting has no agent ARN"
            ),
        )
        no_contact = Event.example("contact-connected")
        no_contact.contact_id = None
        no_contact.contact = None
        with self.assertRaises(PluginError) as caught:
            self.host.call(app.Handler, no_contact)
        self.assertEqual(caught.exception.code, "missing-data")
        self.assertTrue(caught.exception.message.endswith("has no contact id"))
        self.host.config["record_url"] = ""
        with self.assertRaises(PluginError) as caught:
            self.host.call(app.Handler, event_with([]))
        self.assertEqual(
            caught.exception, PluginError("missing-config", "the plugin's [config] has no `record_url`")
        )

    def test_other_kinds_do_nothing(self) -> None:
        self.assertEqual(self.host.call(app.Handler, Event.example("contact-ended")), [])
        self.assertEqual(self.host.call(app.Handler, Event.example("contact-teleported")), [])


if __name__ == "__main__":
    unittest.main()
