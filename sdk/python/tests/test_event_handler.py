"""Event helpers and Event.example (the Rust SDK's), the Handler's dispatch and export, the
action builders, and the list of kinds against docs/events.md."""

from __future__ import annotations

import unittest
from pathlib import Path

from streamhooks_sdk import KINDS, Err, Event, Handler, PluginError, actions, state, types
from streamhooks_sdk.event import EXAMPLE_TIME, label, source_name
from streamhooks_sdk.kinds import hook_name
from streamhooks_sdk.testing import FakeHost

REPO = Path(__file__).resolve().parents[3]
INSTANCE = "arn:aws:connect:us-west-2:111122223333:instance/instance-1"


class Events(unittest.TestCase):
    def test_the_example_is_the_rust_sdks(self) -> None:
        event = Event.example("contact-connected")
        self.assertEqual((event.id, event.kind, event.source_type), ("example/contact-connected",) + ("contact-connected",) * 2)
        self.assertEqual((event.version, event.source, event.occurred_at), (1, types.Source.STREAMS, EXAMPLE_TIME))
        self.assertEqual(event.agent_arn, f"{INSTANCE}/agent/agent-1")
        assert event.contact is not None and event.agent is not None
        self.assertEqual(event.contact.initiated_at, EXAMPLE_TIME - 60_000)
        self.assertEqual(event.contact.queued_at, EXAMPLE_TIME - 50_000)
        self.assertEqual(event.contact.queue, types.Named(f"{INSTANCE}/queue/queue-1", "Support"))
        self.assertEqual(event.agent.contact_ids, ["contact-1"])
        self.assertEqual(event.agent.state, types.AgentState("Available", "routable", None, EXAMPLE_TIME - 600_000))
        self.assertEqual(event.raw_json, "{}")
        agent = Event.example("agent-heartbeat")
        self.assertIsNone(agent.contact)
        self.assertIsNone(agent.contact_id)
        self.assertEqual(agent.attributes(), [])

    def test_helpers(self) -> None:
        event = Event.example("contact-connected")
        assert event.contact is not None
        event.contact.attributes.append(("CustomerId", "42"))
        self.assertEqual(event.attribute("CustomerId"), "42")
        self.assertIsNone(event.attribute("customerid"))
        self.assertEqual(event.require_contact_id(), "contact-1")
        self.assertEqual(event.require_agent_id(), "agent-1")
        self.assertEqual(event.initial_contact_id(), "contact-1")
        event.contact.initial_contact_id = "first"
        self.assertEqual(event.initial_contact_id(), "first")
        self.assertEqual((event.channel(), event.initiation_method()), ("VOICE", "INBOUND"))
        self.assertTrue(event.is_channel("voice"))
        self.assertFalse(event.is_channel("vöice"))
        self.assertEqual(event.queue_name(), "Support")
        self.assertEqual(label(types.Named("arn:q", None)), "arn:q")
        self.assertEqual(event.agent_state_name(), "Available")
        self.assertTrue(event.is_contact() and not event.is_agent())
        self.assertEqual(source_name(types.Source.AGENT_STREAM), "agent-stream")

    def test_require_falls_back_to_the_snapshots_then_fails_as_missing_data(self) -> None:
        event = Event.example("contact-missed")
        event.contact_id = None
        event.agent_arn = None
        self.assertEqual(event.require_contact_id(), "contact-1")
        self.assertEqual(event.require_agent_arn(), f"{INSTANCE}/agent/agent-1")
        self.assertIsNone(event.initial_contact_id())
        event.contact = None
        event.agent = None
        for require, what in [(event.require_contact_id, "contact id"), (event.require_agent_id, "agent ARN")]:
            with self.subTest(what=what), self.assertRaises(PluginError) as caught:
                require()
            self.assertEqual(
                caught.exception,
                PluginError("missing-data", f"contact-missed event example/contact-missed has no {what}"),
            )


class Kinds(unittest.TestCase):
    def test_every_kind_has_one_hook(self) -> None:
        self.assertEqual(len(KINDS), 47)
        hooks = sorted(name for name in vars(Handler) if name.startswith("on_") and name not in ("on_event", "on_other"))
        self.assertEqual(hooks, sorted(hook_name(kind) for kind in KINDS))
        self.assertEqual(hook_name("contact-teleported"), "on_other")

    def test_matches_the_documented_kinds(self) -> None:
        doc = REPO / "docs" / "events.md"
        if not doc.is_file():
            self.skipTest("docs/events.md is not beside this checkout")
        documented = []
        for line in doc.read_text().splitlines():
            if line.startswith("| `"):
                kind = line[3:].split("`", 1)[0]
                if "-" in kind and "_" not in kind:
                    documented.append(kind)
        self.assertEqual(documented, list(KINDS))


class Dispatch(unittest.TestCase):
    class Recorder(Handler):
        def on_contact_connected(self, event: Event) -> list[actions.Action]:
            return [actions.stop_contact(event.require_contact_id())]

        def on_agent_heartbeat(self, event: Event) -> None:
            return None

        def on_other(self, event: Event) -> tuple[actions.Action, ...]:
            return (actions.publish("Unknown", f'{{"kind":"{event.kind}"}}'),)

    def test_dispatches_by_kind_and_unknown_kinds_to_on_other(self) -> None:
        handler = self.Recorder()
        raw = types.Event(**vars(Event.example("contact-connected")))  # the generated record
        self.assertEqual(handler.handle(raw), [types.Action_StopContact(types.StopContact("contact-1", None))])
        self.assertEqual(handler.handle(Event.example("agent-heartbeat")), [])
        self.assertEqual(handler.handle(Event.example("contact-ended")), [])
        self.assertEqual(
            handler.handle(Event.example("agent-teleported")),
            [types.Action_Publish(types.PublishEvent("Unknown", '{"kind":"agent-teleported"}'))],
        )
        self.assertEqual(Handler().handle(Event.example("contact-teleported")), [])

    def test_errors_become_the_err_result(self) -> None:
        class Failing(Handler):
            def on_contact_connected(self, event: Event) -> None:
                raise PluginError("bad-attribute", "CustomerId is not a number", True)

            def on_contact_ended(self, event: Event) -> None:
                state.set("k" * 300, "v")

        try:
            Failing().handle(Event.example("contact-connected"))  # the export, as componentize-py calls it
        except Err as e:
            self.assertEqual(e.value, types.PluginError("bad-attribute", "CustomerId is not a number", True))
        else:
            self.fail("no Err raised")
        with self.assertRaises(PluginError) as caught:
            FakeHost().call(Failing, Event.example("contact-ended"))
        self.assertEqual(caught.exception, PluginError("state", "state key longer than 256 bytes"))

    def test_a_trap_is_described_without_reading_source_files(self) -> None:
        from streamhooks_sdk.handler import _trap_message

        def inner() -> None:
            {"a": 1}["missing"]

        try:
            inner()
        except KeyError as e:
            message = _trap_message(e)
        lines = message.split("\n")
        self.assertEqual(lines[0], "uncaught KeyError (the call traps): 'missing'")
        self.assertTrue(lines[-1].endswith(", in inner"), lines[-1])
        self.assertIn(f'File "{__file__}"', lines[-1])

    def test_a_hook_must_return_actions(self) -> None:
        class Wrong(Handler):
            def on_contact_connected(self, event: Event) -> object:
                return actions.stop_contact("c")

            def on_contact_ended(self, event: Event) -> object:
                return ["not an action"]

        with self.assertRaisesRegex(TypeError, "a list of actions, not one action"):
            Wrong().handle(Event.example("contact-connected"))
        with self.assertRaisesRegex(TypeError, "'not an action', which is not an action"):
            Wrong().handle(Event.example("contact-ended"))


class Actions(unittest.TestCase):
    def test_builders_fill_the_records(self) -> None:
        task = actions.start_task_contact(
            "Call back",
            contact_flow_id="flow",
            related_contact_id="c1",
            attributes={"Reason": "missed"},
            references=[actions.task_reference("Number", "STRING", "+1555")],
            scheduled_time=EXAMPLE_TIME,
        )
        assert isinstance(task, types.Action_StartTaskContact)
        self.assertEqual(task.value.contact_flow_id, "flow")
        self.assertEqual(task.value.related_contact_id, "c1")
        self.assertEqual(task.value.attributes, [("Reason", "missed")])
        self.assertEqual(task.value.references[0].value, "+1555")
        self.assertEqual(actions.start_task("t", "f"), actions.start_task_contact("t", contact_flow_id="f"))
        self.assertEqual(
            actions.crm_upsert("salesforce", "Task", "ContactId__c", "c1", "{}"),
            types.Action_Crm(types.CrmUpdate("salesforce", "Task", types.CrmOperation.UPSERT, "ContactId__c", "c1", "{}")),
        )
        self.assertEqual(
            actions.crm_update("s", "Case", "500", "{}").value.operation, types.CrmOperation.UPDATE
        )
        self.assertIsNone(actions.crm_create("w", "Note", "{}").value.id)
        pop = actions.screen_pop("u", title="t", data=[("Queue", "Support")])
        self.assertEqual(
            actions.client_screen_pop("a", None, pop),
            types.Action_Client(types.ClientAction("a", None, types.ClientDirective_ScreenPop(pop))),
        )
        with self.assertRaises(TypeError):
            actions.tag_contact("c", {"team": None})  # type: ignore[dict-item]

    def test_names_cover_every_action_case(self) -> None:
        every = [
            actions.put_user_status("u", "s"),
            actions.update_contact_attributes("c", [("k", "v")]),
            actions.update_contact("c", name="n"),
            actions.stop_contact("c", "spam"),
            actions.transfer_contact("c", "f", queue_id="q"),
            actions.start_task("t", "f"),
            actions.start_outbound_voice_contact("+1555", "f", queue_id="q"),
            actions.dismiss_user_contact("u", "c"),
            actions.suspend_call_recording("c", "i"),
            actions.resume_contact_recording("c", "i", types.RecordingType.SCREEN),
            actions.monitor_contact("c", "u", ["BARGE"]),
            actions.tag_contact("c", {"team": "a"}),
            actions.client("a", "c", actions.directive("send-digits", "12#")),
            actions.crm_create("w", "Note", "{}"),
            actions.publish("T", "{}"),
        ]
        names = [actions.action_name(a) for a in every]
        self.assertEqual(len(set(names)), 15)
        self.assertEqual(actions.grant_name(every[0]), "put_user_status")
        self.assertEqual(actions.grant_name(every[9]), "resume_contact_recording")
        self.assertEqual(actions.directive("mute"), types.ClientDirective_Mute())
        with self.assertRaises(ValueError):
            actions.directive("set-state")


if __name__ == "__main__":
    unittest.main()
