"""PluginError and StateError (the Rust SDK's codes and messages), config and parse."""

from __future__ import annotations

import unittest

from streamhooks_sdk import Event, Handler, PluginError, StateError, config_or, config_parse, parse, require_config
from streamhooks_sdk import config as config_fn
from streamhooks_sdk._bindings import (
    StateError_KeyTooLong,
    StateError_TooManyKeys,
    StateError_Unavailable,
    StateError_ValueTooLarge,
)
from streamhooks_sdk.testing import FakeHost


class Errors(unittest.TestCase):
    def test_codes_and_messages_are_the_rust_sdks(self) -> None:
        self.assertEqual(
            PluginError.missing_config("record_url"),
            PluginError("missing-config", "the plugin's [config] has no `record_url`", False),
        )
        self.assertEqual(
            PluginError.bad_config("max_acw_seconds", "not a number"),
            PluginError("bad-config", "config `max_acw_seconds`: not a number"),
        )
        self.assertTrue(PluginError("not-yet", "waiting").as_retryable().retryable)

    def test_a_refused_state_write_becomes_a_state_error(self) -> None:
        cases = [
            (StateError_KeyTooLong(256), "state key longer than 256 bytes", False, "StateError::KeyTooLong(256)"),
            (StateError_ValueTooLarge(8), "state value larger than 8 bytes", False, "StateError::ValueTooLarge(8)"),
            (StateError_TooManyKeys(64), "state already holds 64 keys", False, "StateError::TooManyKeys(64)"),
            (
                StateError_Unavailable('slow "store"'),
                'state store unavailable: slow "store"',
                True,
                'StateError::Unavailable("slow \\"store\\"")',
            ),
        ]
        for value, message, retryable, shown in cases:
            with self.subTest(value=value):
                error = StateError(value)
                self.assertEqual(PluginError.from_state_error(error), PluginError("state", message, retryable))
                self.assertEqual(str(error), shown)
                self.assertEqual(error.retryable, retryable)


class Config(unittest.TestCase):
    def run_with(self, config: dict[str, object], function):  # type: ignore[no-untyped-def]
        """Runs `function` inside a plugin call on a fake host with `config`; returns what it
        returned (through the host's log) or raises its PluginError."""
        results = []

        class Probe(Handler):
            def on_agent_heartbeat(self, event: Event) -> None:
                results.append(function())

        FakeHost(config).call(Probe, Event.example("agent-heartbeat"))  # type: ignore[arg-type]
        return results[0]

    def test_config_config_or_and_require_config(self) -> None:
        config = {"url": "https://x", "empty": "", "n": 180, "flag": True, "ratio": 0.5}
        self.assertEqual(self.run_with(config, lambda: config_fn("url")), "https://x")
        self.assertIsNone(self.run_with(config, lambda: config_fn("absent")))
        self.assertEqual(self.run_with(config, lambda: config_or("absent", "d")), "d")
        self.assertEqual(self.run_with(config, lambda: config_or("empty", "d")), "")
        self.assertEqual(self.run_with(config, lambda: (config_fn("n"), config_fn("flag"), config_fn("ratio"))), ("180", "true", "0.5"))
        with self.assertRaises(PluginError) as caught:
            self.run_with(config, lambda: require_config("empty"))
        self.assertEqual(caught.exception, PluginError.missing_config("empty"))

    def test_config_parse_uses_rusts_rules_and_messages(self) -> None:
        config = {"n": " 180 ", "neg": "-5", "big": "99999999999999999999", "yes": "yes", "f": "1_0", "t": "true"}
        self.assertEqual(self.run_with(config, lambda: config_parse("n", parse.u64)), 180)
        self.assertEqual(self.run_with(config, lambda: config_parse("n", int)), 180)
        self.assertEqual(self.run_with(config, lambda: config_parse("neg", int)), -5)
        self.assertIsNone(self.run_with(config, lambda: config_parse("absent", int)))
        self.assertIs(self.run_with(config, lambda: config_parse("t", bool)), True)
        failures = [
            ("neg", parse.u64, 'config `neg`: "-5": invalid digit found in string'),
            ("big", int, 'config `big`: "99999999999999999999": number too large to fit in target type'),
            ("yes", bool, 'config `yes`: "yes": provided string was not `true` or `false`'),
            ("f", float, 'config `f`: "1_0": invalid float literal'),
        ]
        for key, parser, message in failures:
            with self.subTest(key=key), self.assertRaises(PluginError) as caught:
                self.run_with(config, lambda: config_parse(key, parser))
            self.assertEqual(caught.exception, PluginError("bad-config", message))


class Parse(unittest.TestCase):
    def test_integers(self) -> None:
        self.assertEqual(parse.u8("+255"), 255)
        self.assertEqual(parse.i8("-128"), -128)
        for parser, text, message in [
            (parse.u8, "256", "number too large to fit in target type"),
            (parse.i8, "-129", "number too small to fit in target type"),
            (parse.u32, "", "cannot parse integer from empty string"),
            (parse.u32, "+", "invalid digit found in string"),
            (parse.i64, "-", "invalid digit found in string"),
            (parse.i64, "1_000", "invalid digit found in string"),
            (parse.i64, "١٢", "invalid digit found in string"),
            (parse.u64, "0x10", "invalid digit found in string"),
        ]:
            with self.subTest(text=text), self.assertRaises(ValueError) as caught:
                parser(text)
            self.assertEqual(str(caught.exception), message)

    def test_floats_and_booleans(self) -> None:
        for text, value in [("1.", 1.0), (".5", 0.5), ("+1e3", 1000.0), ("-inf", float("-inf")), ("Infinity", float("inf"))]:
            self.assertEqual(parse.f64(text), value)
        for text in ["1e", ".", "e5", "1.5.2", " 1"]:
            with self.subTest(text=text), self.assertRaises(ValueError):
                parse.f64(text)
        self.assertFalse(parse.boolean("false"))
        with self.assertRaises(ValueError):
            parse.boolean("True")


if __name__ == "__main__":
    unittest.main()
