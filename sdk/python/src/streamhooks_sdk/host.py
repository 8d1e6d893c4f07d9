"""The host a plugin talks to: the component's imports inside WebAssembly, a fake natively.

Plugins do not use this module directly: they call :mod:`streamhooks_sdk.log`,
:mod:`streamhooks_sdk.state` and the config functions, which go through :func:`current`.
:mod:`streamhooks_sdk.testing` installs its fake host with :func:`installed`.
"""

from __future__ import annotations

from typing import Optional, Protocol

from ._bindings import Err, Level, component_host
from .errors import StateError


class Host(Protocol):
    """What a plugin may ask of its host (the WIT interface ``host``). ``state_set`` raises
    :class:`~streamhooks_sdk.errors.StateError` when the host refuses the write."""

    def log(self, level: Level, message: str) -> None: ...

    def config(self, key: str) -> Optional[str]: ...

    def state_get(self, key: str) -> Optional[bytes]: ...

    def state_set(self, key: str, value: bytes) -> None: ...

    def state_delete(self, key: str) -> None: ...


class ComponentHost:
    """The component's imports (``streamhooks:plugin/host@0.1.0``)."""

    def log(self, level: Level, message: str) -> None:
        component_host.log(level, message)

    def config(self, key: str) -> Optional[str]:
        value: Optional[str] = component_host.config(key)
        return value

    def state_get(self, key: str) -> Optional[bytes]:
        value: Optional[bytes] = component_host.state_get(key)
        return value

    def state_set(self, key: str, value: bytes) -> None:
        try:
            component_host.state_set(key, value)
        except Err as e:
            raise StateError(e.value) from None

    def state_delete(self, key: str) -> None:
        component_host.state_delete(key)


class _NoHost:
    def _fail(self) -> None:
        raise RuntimeError(
            "no streamhooks host outside the component: run the plugin through "
            "streamhooks_sdk.testing (FakeHost) in native tests"
        )

    def log(self, level: Level, message: str) -> None:
        self._fail()

    def config(self, key: str) -> Optional[str]:
        self._fail()
        return None

    def state_get(self, key: str) -> Optional[bytes]:
        self._fail()
        return None

    def state_set(self, key: str, value: bytes) -> None:
        self._fail()

    def state_delete(self, key: str) -> None:
        self._fail()


_current: Host = ComponentHost() if component_host is not None else _NoHost()


def current() -> Host:
    """The host calls go to now."""
    return _current


class installed:  # noqa: N801 (used as a function)
    """Sends host calls to ``host`` inside the ``with`` block (natively: a fake host).

    A class rather than ``contextlib.contextmanager``: the generated ``Err`` is a frozen
    dataclass, and ``contextmanager`` fails assigning ``__traceback__`` to one passing through.
    """

    def __init__(self, host: Host) -> None:
        self.host = host
        self.previous: Optional[Host] = None

    def __enter__(self) -> Host:
        global _current
        self.previous = _current
        _current = self.host
        return self.host

    def __exit__(self, *exc: object) -> None:
        global _current
        assert self.previous is not None
        _current = self.previous
