"""A tiny JSON object writer for action payloads (``crm`` fields, ``publish`` details) that
writes exactly what the Rust SDK's ``json::JsonObject`` writes: members in insertion order, no
spaces, strings escaped with ``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t`` and ``\\u00XX`` for
the other control characters, everything else (non-ASCII included) as is. (``json.dumps``
differs: ``\\b``/``\\f``, ASCII escapes by default, ``", "`` separators.)

>>> JsonObject().string("Subject", 'Call with "Ann"').int("DurationSeconds", 95).build()
'{"Subject":"Call with \\\\"Ann\\\\"","DurationSeconds":95}'
"""

from __future__ import annotations

import builtins
from typing import Optional

__all__ = ["JsonObject", "string"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string(value: str) -> str:
    """``value`` as a JSON string literal, quotes included."""
    out = ['"']
    for c in value:
        escaped = _ESCAPES.get(c)
        if escaped is not None:
            out.append(escaped)
        elif c < " ":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


class JsonObject:
    """Builds one JSON object, member by member, in insertion order. Each method adds a member
    and returns the object, so calls chain; :meth:`build` returns the text."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[str] = []

    def _member(self, key: str, json: str) -> JsonObject:
        self._parts.append(f"{string(key)}:{json}")
        return self

    def string(self, key: str, value: str) -> JsonObject:
        """Adds a string member."""
        return self._member(key, string(value))

    def opt_string(self, key: str, value: Optional[str]) -> JsonObject:
        """Adds a string member when ``value`` is not ``None``; nothing otherwise."""
        return self if value is None else self.string(key, value)

    def int(self, key: str, value: builtins.int) -> JsonObject:
        """Adds an integer member."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"JsonObject.int({key!r}): not an int: {value!r}")
        return self._member(key, str(value))

    def opt_int(self, key: str, value: Optional[builtins.int]) -> JsonObject:
        """Adds an integer member when ``value`` is not ``None``; nothing otherwise."""
        return self if value is None else self.int(key, value)

    def bool(self, key: str, value: builtins.bool) -> JsonObject:
        """Adds a boolean member."""
        return self._member(key, "true" if value else "false")

    def null(self, key: str) -> JsonObject:
        """Adds a ``null`` member."""
        return self._member(key, "null")

    def raw(self, key: str, json: str) -> JsonObject:
        """Adds a member whose value is already JSON (another object, an array ...); the
        caller vouches that ``json`` is valid."""
        return self._member(key, json)

    def build(self) -> str:
        """The finished object."""
        return "{" + ",".join(self._parts) + "}"
