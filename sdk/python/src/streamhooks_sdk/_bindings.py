"""Where the generated WIT types come from.

Inside the component (``sys.platform == "wasi"``), componentize-py generates the module
``wit_world`` from the WIT while it builds, and the records, variants and the host functions
are the real ones.

Natively (unit tests under CPython), the same types come from the *stub* bindings that
``componentize-py bindings`` generates from the same WIT (``streamhooks_sdk/wit``, a link to
``sdk/wit/streamhooks.wit``): plain dataclasses and enums, identical in shape. They are
generated once per WIT and componentize-py version into a cache directory (see
:func:`native_bindings_dir`) and put on ``sys.path``. The generated host *functions* are never
called natively: :mod:`streamhooks_sdk.testing` installs a fake host.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

#: True inside the WebAssembly component, False under CPython.
IN_COMPONENT = sys.platform == "wasi"

#: The componentize-py version the SDK is built for (its generated code and its mapping of
#: WIT types are version specific).
COMPONENTIZE_PY_VERSION = "0.25.1"

#: The WIT world a plugin targets.
WORLD = "plugin"


def wit_path() -> Path:
    """The plugin contract the SDK was built against (``streamhooks_sdk/wit/streamhooks.wit``)."""
    return Path(__file__).resolve().parent / "wit" / "streamhooks.wit"


def native_bindings_dir() -> Path:
    """The directory holding the stub bindings for this WIT and componentize-py version:
    ``$STREAMHOOKS_PY_BINDINGS`` if set, else ``$XDG_CACHE_HOME/streamhooks-sdk`` (default
    ``~/.cache/streamhooks-sdk``) ``/bindings-<hash>``. Generated if absent."""
    import hashlib

    wit = wit_path().read_bytes()
    key = hashlib.sha256(wit + b"\0componentize-py " + COMPONENTIZE_PY_VERSION.encode())
    override = os.environ.get("STREAMHOOKS_PY_BINDINGS")
    if override:
        target = Path(override)
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        target = cache / "streamhooks-sdk" / f"bindings-{key.hexdigest()[:16]}"
    if not (target / "wit_world" / "imports" / "types.py").is_file():
        _generate(target)
    return target


def _generate(target: Path) -> None:
    try:
        import componentize_py  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as e:
        raise ImportError(
            "streamhooks_sdk needs componentize-py to generate the WIT types for native tests: "
            f"pip install componentize-py=={COMPONENTIZE_PY_VERSION}"
        ) from e
    target.parent.mkdir(parents=True, exist_ok=True)
    # Generate beside the target and rename, so that concurrent test runs never see a half
    # written directory.
    staging = target.parent / f".{target.name}.{os.getpid()}"
    componentize_py.generate_bindings(
        [str(wit_path())], [WORLD], [], False, None, str(staging), [], [], False
    )
    try:
        staging.rename(target)
    except OSError:
        if not (target / "wit_world").is_dir():
            raise
        import shutil

        shutil.rmtree(staging, ignore_errors=True)


if not IN_COMPONENT:
    _dir = str(native_bindings_dir())
    if _dir not in sys.path:
        sys.path.insert(0, _dir)

from componentize_py_types import Err  # noqa: E402
from wit_world.imports import types  # noqa: E402

if IN_COMPONENT:
    from wit_world.imports import host as _component_host  # noqa: E402
    from wit_world.imports.host import (  # noqa: E402
        Level,
        StateError_KeyTooLong,
        StateError_TooManyKeys,
        StateError_Unavailable,
        StateError_ValueTooLarge,
    )

    component_host: Any = _component_host
else:
    # Natively only the host's *types* are used (the stub functions raise
    # NotImplementedError); the fake host of `streamhooks_sdk.testing` serves the calls.
    from wit_world.imports.host import (  # noqa: E402
        Level,
        StateError_KeyTooLong,
        StateError_TooManyKeys,
        StateError_Unavailable,
        StateError_ValueTooLarge,
    )

    component_host = None

__all__ = [
    "COMPONENTIZE_PY_VERSION",
    "Err",
    "IN_COMPONENT",
    "Level",
    "StateError_KeyTooLong",
    "StateError_TooManyKeys",
    "StateError_Unavailable",
    "StateError_ValueTooLarge",
    "WORLD",
    "component_host",
    "native_bindings_dir",
    "types",
    "wit_path",
]
