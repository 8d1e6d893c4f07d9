"""time (rfc3339, seconds_between) and json (JsonObject): the Rust SDK's outputs."""

from __future__ import annotations

import datetime
import unittest

from streamhooks_sdk import JsonObject, json, rfc3339, seconds_between


class Rfc3339(unittest.TestCase):
    def test_formats_known_dates_as_rust(self) -> None:
        # The Rust SDK's unit tests and doc tests.
        self.assertEqual(rfc3339(1_795_165_200_000), "2026-11-20T09:00:00Z")
        self.assertEqual(rfc3339(250), "1970-01-01T00:00:00.250Z")
        self.assertEqual(rfc3339(0), "1970-01-01T00:00:00Z")
        self.assertEqual(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z")
        self.assertEqual(rfc3339(4_102_444_799_999), "2099-12-31T23:59:59.999Z")
        self.assertEqual(rfc3339(-1_000), "1969-12-31T23:59:59Z")
        self.assertEqual(rfc3339(-1), "1969-12-31T23:59:59.999Z")

    def test_agrees_with_datetime_over_centuries(self) -> None:
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        for ms in range(-5_000_000_000_000, 30_000_000_000_000, 7_777_777_777_777 // 100):
            moment = epoch + datetime.timedelta(milliseconds=ms)
            text = moment.strftime("%Y-%m-%dT%H:%M:%S")
            millis = moment.microsecond // 1000
            expected = f"{text}.{millis:03}Z" if millis else f"{text}Z"
            self.assertEqual(rfc3339(ms), expected, ms)

    def test_seconds_between_rounds_down(self) -> None:
        self.assertEqual(seconds_between(1_000, 62_500), 61)
        self.assertEqual(seconds_between(0, 1_999), 1)
        self.assertEqual(seconds_between(1_000, 0), -1)
        self.assertEqual(seconds_between(0, -1), -1)


class Json(unittest.TestCase):
    def test_writes_what_the_rust_json_object_writes(self) -> None:
        fields = (
            JsonObject()
            .string("Subject", 'Call with "Ann"')
            .int("DurationSeconds", 95)
            .bool("Inbound", True)
            .opt_string("Disposition", None)
            .build()
        )
        self.assertEqual(fields, '{"Subject":"Call with \\"Ann\\"","DurationSeconds":95,"Inbound":true}')
        self.assertEqual(JsonObject().build(), "{}")
        self.assertEqual(JsonObject().string("k", "line\n").build(), '{"k":"line\\n"}')
        self.assertEqual(JsonObject().int("n", -3).opt_int("m", None).build(), '{"n":-3}')
        self.assertEqual(JsonObject().bool("b", False).null("x").build(), '{"b":false,"x":null}')
        inner = JsonObject().int("a", 1).build()
        self.assertEqual(JsonObject().raw("inner", inner).build(), '{"inner":{"a":1}}')

    def test_escapes_control_characters_and_keeps_unicode(self) -> None:
        # The Rust unit test, and what json.dumps would get wrong.
        self.assertEqual(JsonObject().string('k"', "é\x07\\").build(), '{"k\\"":"é\\u0007\\\\"}')
        self.assertEqual(json.string('a"b\x01'), '"a\\"b\\u0001"')
        self.assertEqual(json.string("\b\f\x7f\u2028🙂"), '"\\u0008\\u000c\x7f\u2028🙂"')

    def test_int_refuses_what_is_not_an_int(self) -> None:
        with self.assertRaises(TypeError):
            JsonObject().int("n", True)
        with self.assertRaises(TypeError):
            JsonObject().int("n", 1.5)  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
