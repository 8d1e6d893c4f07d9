"""Reads the top-level import and export names of a WebAssembly component (binary format of the
component model), so that the build can refuse a component that imports more than the host
interface before the host does."""

from __future__ import annotations

_COMPONENT_PREAMBLE = b"\x00asm\x0d\x00\x01\x00"
_IMPORT_SECTION = 10
_EXPORT_SECTION = 11


class ComponentFormatError(ValueError):
    """Not a component, or one this reader does not understand."""


def _u32(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if i >= len(data):
            raise ComponentFormatError("truncated LEB128")
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _name(data: bytes, i: int) -> tuple[str, int]:
    # importname'/exportname': 0x00 name, or 0x01 name versionsuffix (older encoders)
    kind = data[i]
    i += 1
    if kind not in (0x00, 0x01):
        raise ComponentFormatError(f"unknown extern name kind {kind:#x}")
    length, i = _u32(data, i)
    name = data[i : i + length].decode("utf-8")
    i += length
    if kind == 0x01:
        length, i = _u32(data, i)
        i += length
    return name, i


def _externdesc(data: bytes, i: int) -> int:
    sort = data[i]
    i += 1
    if sort == 0x00:  # core module: 0x11 typeidx
        i += 1
        _, i = _u32(data, i)
    elif sort in (0x01, 0x04, 0x05):  # func, component, instance: typeidx
        _, i = _u32(data, i)
    elif sort == 0x02:  # value: 0x00 valtype-as-index or 0x01 eq index
        i += 1
        _, i = _u32(data, i)
    elif sort == 0x03:  # type: 0x00 eq typeidx | 0x01 sub resource
        bound = data[i]
        i += 1
        if bound == 0x00:
            _, i = _u32(data, i)
    else:
        raise ComponentFormatError(f"unknown extern sort {sort:#x}")
    return i


def imports_and_exports(component: bytes) -> tuple[list[str], list[str]]:
    """The names a component imports and exports at its top level."""
    if not component.startswith(_COMPONENT_PREAMBLE):
        raise ComponentFormatError("not a WebAssembly component")
    imports: list[str] = []
    exports: list[str] = []
    i = len(_COMPONENT_PREAMBLE)
    while i < len(component):
        section = component[i]
        size, i = _u32(component, i + 1)
        body = component[i : i + size]
        i += size
        if section == _IMPORT_SECTION:
            count, j = _u32(body, 0)
            for _ in range(count):
                name, j = _name(body, j)
                j = _externdesc(body, j)
                imports.append(name)
        elif section == _EXPORT_SECTION:
            count, j = _u32(body, 0)
            for _ in range(count):
                name, j = _name(body, j)
                sort = body[j]
                j += 2 if sort == 0x00 else 1  # core sorts take two bytes
                _, j = _u32(body, j)  # sort index
                if body[j] == 0x01:  # an explicit type ascription
                    j = _externdesc(body, j + 1)
                else:
                    j += 1
                exports.append(name)
    return imports, exports
