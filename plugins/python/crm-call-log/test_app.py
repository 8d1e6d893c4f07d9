"""Tests of crm-call-log: the Rust plugin's unit tests, ported, and the handler end to end
through the SDK's fake host (config and limits from plugin.toml)."""

from __future__ import annotations

import unittest
from pathlib import Path

from streamhooks_sdk import Event, PluginError, types
from streamhooks_sdk.testing import FakeHost

import app

MANIFEST = Path(__file__).with_name("plugin.toml")
AGENT_ARN = "arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1"


def completed(disposition: str | None = None, kind: str = "contact-completed") -> Event:
    event = Event.example(kind)
    assert event.contact is not None
    event.occurred_at += 120_000
    event.contact.disconnected_at = event.contact.connected_to_agent_at + 95_000  # type: ignore[operator]
    if disposition is not None:
        event.contact.attributes = [("Disposition", disposition)]
    return event


def upsert(fields: str) -> types.Action_Crm:
    return types.Action_Crm(
        types.CrmUpdate(
            "salesforce", "Task", types.CrmOperation.UPSERT, "ContactId", "contact-1", fields
        )
    )


class CallLogFields(unittest.TestCase):
    """The Rust unit tests."""

    def test_fields_of_a_completed_contact(self) -> None:
        fields = app.call_log_fields(completed(), "contact-1", "Resolved", "Call")
        self.assertEqual(
            fields,
            '{"Subject":"Call","ContactId":"contact-1","InitialContactId":"contact-1",'
            f'"Agent":"agent1","AgentArn":"{AGENT_ARN}",'
            '"Queue":"Support","Channel":"VOICE","InitiationMethod":"INBOUND",'
            '"StartTime":"2026-11-20T08:59:00Z","ConnectedTime":"2026-11-20T09:00:00Z",'
            '"EndTime":"2026-11-20T09:01:35Z","AcwEndTime":"2026-11-20T09:02:00Z",'
            '"DurationSeconds":155,"Disposition":"Resolved"}',
        )

    def test_an_ended_contact_ends_when_the_event_happened(self) -> None:
        fields = app.call_log_fields(Event.example("contact-ended"), "contact-1", None, "Call")
        self.assertIn('"EndTime":"2026-11-20T09:00:00Z"', fields)
        self.assertIn('"DurationSeconds":60', fields)
        self.assertNotIn("AcwEndTime", fields)
        self.assertNotIn("Disposition", fields)

    def test_sent_items_are_single_lines(self) -> None:
        self.assertEqual(app.sent_item("c-1", "Resolved"), "c-1=Resolved")
        self.assertEqual(app.sent_item("c-1", "Call\nback"), "c-1=Call back")
        self.assertEqual(app.sent_item("c-1", "a\r\nb"), "c-1=a  b")

    def test_contacts_without_an_agent_are_not_logged(self) -> None:
        event = Event.example("contact-completed")
        event.agent_arn = None
        event.agent = None
        assert event.contact is not None
        event.contact.connected_to_agent_at = None
        self.assertFalse(app.handled_by_agent(event))

    def test_escapes_like_the_rust_json_writer(self) -> None:
        fields = app.call_log_fields(
            completed(), "contact-1", 'Zoë "李" 🙂\n\t\x01\x7f\u2028\\', "S"
        )
        self.assertTrue(
            fields.endswith('"Disposition":"Zoë \\"李\\" 🙂\\n\\t\\u0001\x7f\u2028\\\\"}'), fields
        )

    def test_the_agent_is_its_username_else_name_else_arn(self) -> None:
        event = completed()
        assert event.agent is not None
        event.agent.username = None
        self.assertIn('"Agent":"Agent One"', app.call_log_fields(event, "c", None, "S"))
        event.agent = None
        self.assertIn(f'"Agent":"{AGENT_ARN}"', app.call_log_fields(event, "c", None, "S"))


class Handler(unittest.TestCase):
    def setUp(self) -> None:
        self.host = FakeHost.from_manifest(MANIFEST)

    def test_logs_a_completed_contact_once(self) -> None:
        [action] = self.host.call(app.Handler, completed("Resolved"))
        self.assertEqual(
            action, upsert(app.call_log_fields(completed(), "contact-1", "Resolved", "Amazon Connect contact"))
        )
        self.assertEqual(self.host.state_string("logged"), "contact-1")
        self.assertEqual(self.host.state_string("dispositions-sent"), "contact-1=Resolved")
        self.assertEqual(self.host.call(app.Handler, completed("Resolved")), [])

    def test_the_disposition_seen_before_the_log_is_used_then_forgotten(self) -> None:
        acw = Event.example("contact-acw")
        assert acw.contact is not None
        acw.contact.attributes = [("Disposition", "Sale")]
        self.assertEqual(self.host.call(app.Handler, acw), [])
        self.assertEqual(self.host.state_string("disposition/contact-1"), "Sale")
        [action] = self.host.call(app.Handler, completed())
        assert isinstance(action, types.Action_Crm)
        self.assertTrue(action.value.fields_json.endswith('"Disposition":"Sale"}'))
        self.assertNotIn("disposition/contact-1", self.host.state)

    def test_a_late_disposition_updates_the_record_unless_it_has_it(self) -> None:
        self.host.call(app.Handler, completed())
        refresh = Event.example("contact-refresh")
        assert refresh.contact is not None
        for disposition, expected in [("Sale", 1), ("Sale", 0), ("Callback", 1), ("Sale", 1)]:
            refresh.contact.attributes = [("Disposition", disposition)]
            decided = self.host.call(app.Handler, refresh)
            self.assertEqual(len(decided), expected, disposition)
            if decided:
                self.assertEqual(
                    decided[0],
                    upsert(f'{{"ContactId":"contact-1","Disposition":"{disposition}"}}'),
                )
        self.assertEqual(self.host.state_string("dispositions-sent"), "contact-1=Sale")

    def test_log_on_ended_writes_on_contact_ended_instead(self) -> None:
        self.host.config["log_on"] = " ended "
        self.assertEqual(len(self.host.call(app.Handler, Event.example("contact-ended"))), 1)
        self.assertEqual(self.host.call(app.Handler, completed()), [])

    def test_contacts_that_never_reached_an_agent_are_not_logged(self) -> None:
        event = completed()
        event.agent_arn = None
        event.agent = None
        assert event.contact is not None
        event.contact.connected_to_agent_at = None
        self.assertEqual(self.host.call(app.Handler, event), [])
        self.assertEqual(self.host.messages("debug"), ["contact contact-1 never reached an agent: no call log"])
        self.assertEqual(self.host.state, {})

    def test_a_state_failure_still_logs_with_warnings(self) -> None:
        host = FakeHost.from_manifest(MANIFEST, unavailable="down")
        self.assertEqual(len(host.call(app.Handler, completed("Sale"))), 1)
        self.assertEqual(
            host.messages("warn"),
            [
                'contact contact-1: cannot remember the call log: StateError::Unavailable("down")',
                'contact contact-1: cannot remember the disposition sent: StateError::Unavailable("down")',
            ],
        )

    def test_bad_config_and_missing_data_are_plugin_errors(self) -> None:
        self.host.config["log_on"] = ' "weekly"\n'
        with self.assertRaises(PluginError) as caught:
            self.host.call(app.Handler, completed())
        self.assertEqual(
            caught.exception,
            PluginError(
                "bad-config",
                'config `log_on`: "\\"weekly\\"" is neither "completed" nor "ended"',
            ),
        )
        del self.host.config["log_on"]
        del self.host.config["connector"]
        with self.assertRaises(PluginError) as caught:
            self.host.call(app.Handler, completed())
        self.assertEqual(caught.exception, PluginError.missing_config("connector"))
        event = completed()
        event.contact_id = None
        event.contact = None
        with self.assertRaises(PluginError) as caught:
            self.host.call(app.Handler, event)
        self.assertEqual(
            caught.exception.message, "contact-completed event example/contact-completed has no contact id"
        )
        self.assertEqual(self.host.state, {})


if __name__ == "__main__":
    unittest.main()
