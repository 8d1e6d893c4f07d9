"""Text rules of Rust, for output byte for byte identical to a Rust plugin's (error messages,
state values, log lines). A port of a Rust plugin uses them where the Rust code formats or splits.

- ``quote``: Rust's ``format!("{:?}", s)`` of a string.
- ``trim``: Rust's ``str::trim`` (Unicode ``White_Space`` only; Python's ``str.strip()`` also
  strips U+001C..U+001F).
- ``lines``: Rust's ``str::lines`` (splits on ``\\n`` only, drops one ``\\r`` before it, no
  final empty line); Python's ``str.splitlines()`` splits on many more separators.
- ``float_text``: Rust's ``f64`` ``Display`` (how the host turns a TOML float into config text).
"""

from __future__ import annotations

import unicodedata

#: Unicode ``White_Space``, what Rust's ``str::trim`` removes.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Rust's `Debug` escapes grapheme extenders and what its `is_printable` table rejects. The
# general categories below give both for every character assigned in Python's Unicode data,
# except these (measured against rustc 1.95 over every code point): spacing marks and two
# halfwidth katakana marks that are `Grapheme_Extend`, escaped ...
_ESCAPED_ALSO = frozenset(
    [
        0x9BE, 0x9D7, 0xB3E, 0xB57, 0xBBE, 0xBD7, 0xCC0, 0xCC2, 0xCC7, 0xCC8, 0xCCA, 0xCCB,
        0xCD5, 0xCD6, 0xD3E, 0xD57, 0xDCF, 0xDDF, 0x1715, 0x1734, 0x1B35, 0x1B3B, 0x1B3D,
        0x1B43, 0x1B44, 0x1BAA, 0x1BF2, 0x1BF3, 0x302E, 0x302F, 0xA953, 0xA9C0, 0xFF9E,
        0xFF9F, 0x111C0, 0x11235, 0x1133E, 0x1134D, 0x11357, 0x114B0, 0x114BD, 0x115AF,
        0x116B6, 0x11930, 0x1193D, 0x16FF0, 0x16FF1, 0x1D165, 0x1D166, 0x1D16D, 0x1D16E,
        0x1D16F, 0x1D170, 0x1D171, 0x1D172,
    ]
)
# ... and one nonspacing mark that Rust's newer Unicode data no longer classes as one.
_PRINTED_ALSO = frozenset([0x1171E])
_ESCAPED_CATEGORIES = frozenset(["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "Me"])
_SIMPLE_ESCAPES = {"\0": "\\0", "\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"'}


def _escaped(c: str) -> bool:
    cp = ord(c)
    if cp < 0x7F:
        return cp < 0x20
    if cp in _PRINTED_ALSO:
        return False
    return cp in _ESCAPED_ALSO or unicodedata.category(c) in _ESCAPED_CATEGORIES


def quote(value: str) -> str:
    """``value`` as Rust's ``{:?}`` writes a string: in double quotes, with ``\\"``, ``\\\\``,
    ``\\n``, ``\\r``, ``\\t``, ``\\0``, and ``\\u{..}`` for control, format, separator and
    combining characters (Unicode data permitting: a character newer than this Python's Unicode
    version is escaped, as unassigned)."""
    out = ['"']
    for c in value:
        simple = _SIMPLE_ESCAPES.get(c)
        if simple is not None:
            out.append(simple)
        elif c == " ":
            out.append(c)
        elif _escaped(c):
            out.append(f"\\u{{{ord(c):x}}}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def trim(value: str) -> str:
    """Rust's ``str::trim``."""
    return value.strip(WHITE_SPACE)


def lines(value: str) -> list[str]:
    """Rust's ``str::lines``."""
    parts = value.split("\n")
    last = parts.pop()
    # A "\r" ends a line only before "\n": the last line (with no "\n" after it) keeps it.
    out = [p[:-1] if p.endswith("\r") else p for p in parts]
    if last:
        out.append(last)
    return out


def float_text(value: float) -> str:
    """Rust's ``f64`` ``Display``: shortest round-trip digits, never an exponent."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    if "e" not in text and "E" not in text:
        return text[:-2] if text.endswith(".0") else text
    mantissa, exponent = text.split("e")
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-")
    whole, _, frac = digits.partition(".")
    all_digits = whole + frac
    point = len(whole) + int(exponent)
    if point <= 0:
        out = "0." + "0" * (-point) + all_digits
    elif point >= len(all_digits):
        out = all_digits + "0" * (point - len(all_digits))
    else:
        out = all_digits[:point] + "." + all_digits[point:]
    return sign + out
