"""state and RecentSet (the Rust SDK's stored format), and the fake host's state rules (the
host's: writes kept only on success, limits, key length)."""

from __future__ import annotations

import unittest
from typing import Callable

from streamhooks_sdk import Event, Handler, PluginError, RecentSet, StateError, log, state
from streamhooks_sdk.testing import FakeHost


def run(host: FakeHost, body: Callable[[], object]) -> object:
    """Runs `body` inside one plugin call on `host`; returns its result."""
    results: list[object] = []

    class Probe(Handler):
        def on_agent_heartbeat(self, event: Event) -> None:
            results.append(body())

    host.call(Probe, Event.example("agent-heartbeat"))
    return results[0]


class RecentSets(unittest.TestCase):
    def test_in_memory_behaviour_is_the_rust_sdks(self) -> None:
        s = RecentSet.from_items("k", 2, ["a", "b", "c"])
        self.assertEqual(s.items, ["b", "c"])
        self.assertFalse("a" in s)
        s = RecentSet.from_items("k", 2, [])
        self.assertTrue(s.insert("a"))
        self.assertFalse(s.insert("a"))
        s.insert("b")
        s.insert("c")
        self.assertEqual(s.items, ["b", "c"])
        self.assertTrue(s.remove("b"))
        self.assertFalse(s.remove("b"))
        self.assertTrue(s.insert("x\ny"))
        self.assertEqual(s.items, ["c", "x y"])
        zero = RecentSet.from_items("k", 0, ["a"])
        self.assertEqual((zero.items, zero.insert("b"), zero.items), ([], True, []))

    def test_stored_as_lines_oldest_first_and_deleted_when_empty(self) -> None:
        host = FakeHost(state={"k": "old1\r\nold2\n"})

        def body() -> list[str]:
            s = RecentSet.load("k", 3)
            loaded = s.items
            s.insert("new")
            s.insert("newer")
            s.save()
            return loaded

        self.assertEqual(run(host, body), ["old1", "old2"])
        self.assertEqual(host.state["k"], b"old2\nnew\nnewer")

        def empty() -> None:
            s = RecentSet.load("k", 3)
            for item in s.items:
                s.remove(item)
            s.save()

        run(host, empty)
        self.assertNotIn("k", host.state)

    def test_a_value_that_is_not_utf8_loads_as_empty(self) -> None:
        host = FakeHost(state={"k": b"\xff\xfe"})
        self.assertEqual(run(host, lambda: (RecentSet.load("k", 5).items, state.get("k"))), ([], b"\xff\xfe"))


class State(unittest.TestCase):
    def test_get_set_delete_contains_mark(self) -> None:
        host = FakeHost()

        def body() -> tuple[object, ...]:
            state.set("text", "été")
            state.set("bytes", bytes([1, 2, 3]))
            first, second = state.mark("m"), state.mark("m")
            state.delete("absent")
            return state.get_string("text"), state.get("bytes"), state.contains("text"), first, second

        self.assertEqual(run(host, body), ("été", b"\x01\x02\x03", True, True, False))
        self.assertEqual(host.state, {"text": "été".encode(), "bytes": b"\x01\x02\x03", "m": b"\x01"})

    def test_writes_of_a_failed_call_are_dropped(self) -> None:
        host = FakeHost(state={"keep": "1"})

        class Failing(Handler):
            def on_agent_heartbeat(self, event: Event) -> None:
                state.set("new", "x")
                state.delete("keep")
                assert state.get("new") == b"x" and state.get("keep") is None
                raise PluginError("nope", "after writing")

        with self.assertRaises(PluginError):
            host.call(Failing, Event.example("agent-heartbeat"))
        self.assertEqual(host.state, {"keep": b"1"})

    def test_limits_refuse_writes_like_the_host(self) -> None:
        host = FakeHost(state={"a": "1"}, max_state_keys=2, max_state_value_bytes=8)

        def body() -> list[str]:
            refused = []
            for key, value in [("k" * 257, "v"), ("b", "123456789"), ("b", "ok"), ("c", "no")]:
                try:
                    state.set(key, value)
                except StateError as e:
                    refused.append(str(e))
            state.delete("a")
            state.set("c", "now fits")
            return refused

        self.assertEqual(
            run(host, body),
            ["StateError::KeyTooLong(256)", "StateError::ValueTooLarge(8)", "StateError::TooManyKeys(2)"],
        )
        self.assertEqual(host.state, {"b": b"ok", "c": b"now fits"})

    def test_an_uncaught_state_error_fails_the_call_as_state(self) -> None:
        host = FakeHost(max_state_keys=0)

        class Careless(Handler):
            def on_agent_heartbeat(self, event: Event) -> None:
                state.set("k", "v")

        with self.assertRaises(PluginError) as caught:
            host.call(Careless, Event.example("agent-heartbeat"))
        self.assertEqual(caught.exception, PluginError("state", "state already holds 0 keys"))


class Logs(unittest.TestCase):
    def test_logs_are_captured_and_capped_per_call(self) -> None:
        host = FakeHost(max_log_kib=1)

        def body() -> None:
            log.trace("t")
            log.debug("d")
            log.info("i")
            log.warn("w")
            log.error("e")
            log.info("x" * 1020)

        run(host, body)
        self.assertEqual(host.messages()[:5], ["t", "d", "i", "w", "e"])
        self.assertEqual([line.level for line in host.logs], ["trace", "debug", "info", "warn", "error"])
        self.assertEqual(host.dropped_log_lines, 1)
        run(host, lambda: log.info("y" * 1024))
        self.assertEqual(host.messages()[-1], "y" * 1024)


if __name__ == "__main__":
    unittest.main()
