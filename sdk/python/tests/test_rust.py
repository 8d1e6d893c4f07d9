"""Rust's text rules (streamhooks_sdk.rust), checked against what rustc 1.95 prints."""

from __future__ import annotations

import unittest

from streamhooks_sdk import rust


class Quote(unittest.TestCase):
    def test_matches_rust_debug_of_strings(self) -> None:
        # Each expected value is `format!("{:?}", s)` printed by a rustc 1.95 program.
        cases = {
            "tab\t nl\n cr\r nul\0 bs\\ q\" sq' bell\x07 del\x7f e\u0301 nbsp\xa0 zwj\u200d ls\u2028": (
                '"tab\\t nl\\n cr\\r nul\\0 bs\\\\ q\\" sq\' bell\\u{7} del\\u{7f} e\\u{301} '
                'nbsp\\u{a0} zwj\\u{200d} ls\\u{2028}"'
            ),
            "\u0301x": '"\\u{301}x"',
            "Zoë 李 🙂": '"Zoë 李 🙂"',
            "": '""',
            "weekly": '"weekly"',
            "\u0bbe\uff9e\U0001171e": '"\\u{bbe}\\u{ff9e}\U0001171e"',
        }
        for value, expected in cases.items():
            with self.subTest(value=value):
                self.assertEqual(rust.quote(value), expected)


class Trim(unittest.TestCase):
    def test_trims_unicode_white_space_only(self) -> None:
        self.assertEqual(rust.trim(" \t\n\u3000x y\u2029\r"), "x y")
        # U+001C..U+001F are whitespace to Python, not to Rust.
        self.assertEqual(rust.trim("\x1cx\x1f"), "\x1cx\x1f")
        self.assertEqual("\x1cx\x1f".strip(), "x")


class Lines(unittest.TestCase):
    def test_splits_like_rust_str_lines(self) -> None:
        self.assertEqual(rust.lines(""), [])
        self.assertEqual(rust.lines("\n"), [""])
        self.assertEqual(rust.lines("a\nb\n"), ["a", "b"])
        self.assertEqual(rust.lines("a\r\n\nb\r"), ["a", "", "b\r"])
        self.assertEqual(rust.lines("a\rb\x0bc\u2028d"), ["a\rb\x0bc\u2028d"])


class FloatText(unittest.TestCase):
    def test_writes_floats_as_rust_display(self) -> None:
        cases = {
            0.5: "0.5",
            1.0: "1",
            -0.0: "-0",
            1e20: "100000000000000000000",
            1.5e-7: "0.00000015",
            123456.789: "123456.789",
            float("inf"): "inf",
            float("nan"): "NaN",
        }
        for value, expected in cases.items():
            with self.subTest(value=value):
                self.assertEqual(rust.float_text(value), expected)


if __name__ == "__main__":
    unittest.main()
