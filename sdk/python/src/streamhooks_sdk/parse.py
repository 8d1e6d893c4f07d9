"""Parsers for :func:`streamhooks_sdk.config_parse`, with the rules and error messages of Rust's
``str::parse`` for the same types, so that a Python plugin accepts exactly the configuration
values the Rust one does and reports a bad one with the same ``bad-config`` message.

Each takes the (trimmed) text and returns the value or raises :class:`ValueError` whose message
is Rust's: ``u64("-1")`` fails with ``invalid digit found in string``, ``boolean("yes")`` with
``provided string was not `true` or `false```.
"""

from __future__ import annotations

import re
from typing import Callable

_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\Z",
    re.IGNORECASE,
)


def _integer(bits: int, signed: bool) -> Callable[[str], int]:
    low = -(1 << (bits - 1)) if signed else 0
    high = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def parse(text: str) -> int:
        if not text:
            raise ValueError("cannot parse integer from empty string")
        digits = text
        negative = False
        if digits[0] == "+" or (signed and digits[0] == "-"):
            negative = digits[0] == "-"
            digits = digits[1:]
        if not digits or not all("0" <= c <= "9" for c in digits):
            raise ValueError("invalid digit found in string")
        value = -int(digits) if negative else int(digits)
        if value > high:
            raise ValueError("number too large to fit in target type")
        if value < low:
            raise ValueError("number too small to fit in target type")
        return value

    parse.__name__ = f"{'i' if signed else 'u'}{bits}"
    parse.__doc__ = f"Rust's ``{parse.__name__}`` parse."
    return parse


u8 = _integer(8, False)
u16 = _integer(16, False)
u32 = _integer(32, False)
u64 = _integer(64, False)
i8 = _integer(8, True)
i16 = _integer(16, True)
i32 = _integer(32, True)
i64 = _integer(64, True)


def f64(text: str) -> float:
    """Rust's ``f64`` parse (decimal or exponent notation, ``inf``, ``infinity``, ``nan``; no
    underscores, unlike Python's ``float``)."""
    if not text:
        raise ValueError("cannot parse float from empty string")
    if not _FLOAT.match(text):
        raise ValueError("invalid float literal")
    return float(text)


def boolean(text: str) -> bool:
    """Rust's ``bool`` parse: exactly ``true`` or ``false``."""
    if text == "true":
        return True
    if text == "false":
        return False
    raise ValueError("provided string was not `true` or `false`")


def string(text: str) -> str:
    """The text itself (trimmed, as every parsed value)."""
    return text


#: What :func:`streamhooks_sdk.config_parse` uses for Python's own types.
BUILTIN: dict[type, Callable[[str], object]] = {int: i64, float: f64, bool: boolean, str: string}
