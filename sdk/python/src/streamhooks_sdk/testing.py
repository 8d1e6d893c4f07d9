"""Run a plugin under CPython with an in-memory fake host, for unit tests.

:class:`FakeHost` keeps the plugin's config, its state and what it logs, and applies the host's
rules: state writes of a call are kept only when the call returns actions (not when it raises),
reads see the call's own writes, keys are at most 256 bytes, the manifest's
``max_state_keys`` / ``max_state_value_bytes`` refuse writes with the same
:class:`~streamhooks_sdk.StateError` as the host, and logs past ``max_log_kib`` are dropped and
counted.

>>> from streamhooks_sdk import Event
>>> from streamhooks_sdk.testing import FakeHost
>>> host = FakeHost.from_manifest("plugin.toml")          # doctest: +SKIP
>>> actions = host.call(Handler, Event.example("contact-connected"))  # doctest: +SKIP
>>> host.logs, host.state                                  # doctest: +SKIP

A plugin error comes back as a raised :class:`~streamhooks_sdk.PluginError`; a trap (any other
exception) as that exception.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from . import host
from . import rust as _rust
from ._bindings import (
    Err,
    Level,
    StateError_KeyTooLong,
    StateError_TooManyKeys,
    StateError_Unavailable,
    StateError_ValueTooLarge,
    types,
)
from .actions import Action
from .errors import PluginError, StateError
from .event import Event
from .handler import Handler

__all__ = ["MAX_STATE_KEY_BYTES", "Event", "FakeHost", "LogLine", "config_text"]

#: The longest state key the host accepts, in UTF-8 bytes.
MAX_STATE_KEY_BYTES = 256

ConfigValue = Union[str, int, float, bool]


def config_text(value: ConfigValue) -> str:
    """A TOML config value as the host hands it to the plugin: strings as they are, numbers
    and booleans as Rust writes them (``180``, ``0.5``, ``true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _rust.float_text(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"a config value is a string, number or boolean, not {value!r}")


@dataclass(frozen=True)
class LogLine:
    """One line a plugin logged: its level (``trace`` ... ``error``) and message."""

    level: str
    message: str


class FakeHost:
    """An in-memory host (the WIT interface ``host``) for native tests.

    ``config``: the plugin's ``[config]`` (values as in TOML); ``state``: the stored state
    (``str`` values are stored as UTF-8). ``unavailable``: when set, every state write fails
    with ``StateError_Unavailable(unavailable)``, as when the store is down. Limits default to
    the host's defaults; :meth:`from_manifest` takes them from ``plugin.toml``.

    After calls: :attr:`state` holds what the calls that succeeded wrote, :attr:`logs` every
    line logged (:attr:`dropped_log_lines` those past the cap).
    """

    def __init__(
        self,
        config: Optional[Mapping[str, ConfigValue]] = None,
        state: Optional[Mapping[str, Union[str, bytes]]] = None,
        *,
        max_state_keys: int = 64,
        max_state_value_bytes: int = 4096,
        max_log_kib: int = 16,
        unavailable: Optional[str] = None,
    ) -> None:
        self.config: dict[str, str] = {k: config_text(v) for k, v in (config or {}).items()}
        self.state: dict[str, bytes] = {
            k: v.encode("utf-8") if isinstance(v, str) else bytes(v)
            for k, v in (state or {}).items()
        }
        self.max_state_keys = max_state_keys
        self.max_state_value_bytes = max_state_value_bytes
        self.max_log_bytes = max_log_kib * 1024
        self.unavailable = unavailable
        self.logs: list[LogLine] = []
        self.dropped_log_lines = 0
        self._overlay: dict[str, Optional[bytes]] = {}
        self._key_delta = 0
        self._log_bytes = 0

    @classmethod
    def from_manifest(
        cls, path: Union[str, Path] = "plugin.toml", **overrides: object
    ) -> FakeHost:
        """A host with the ``[config]`` and the state and log ``[limits]`` of a manifest;
        keyword arguments override them (``config=``, ``state=``, ``unavailable=`` ...)."""
        with open(path, "rb") as f:
            manifest = tomllib.load(f)
        limits = manifest.get("limits", {})
        options: dict[str, object] = {
            "config": manifest.get("config", {}),
            "max_state_keys": limits.get("max_state_keys", 64),
            "max_state_value_bytes": limits.get("max_state_value_bytes", 4096),
            "max_log_kib": limits.get("max_log_kib", 16),
        }
        options.update(overrides)
        return cls(**options)  # type: ignore[arg-type]

    # --- running a plugin -------------------------------------------------------------------

    def call(self, plugin: Union[Handler, type[Handler]], event: types.Event) -> list[Action]:
        """Handles one event as the host does: a fresh instance of ``plugin`` (a class; an
        instance is used as is), its ``handle`` export, the call's state writes kept only if it
        returns actions. Returns the actions; raises :class:`PluginError` if the plugin
        returned an error, or whatever exception trapped it."""
        instance = plugin() if isinstance(plugin, type) else plugin
        self._overlay = {}
        self._key_delta = 0
        self._log_bytes = 0
        try:
            with host.installed(_HostInterface(self)):
                actions = instance.handle(event)
        except Err as e:
            raise PluginError.from_record(e.value) from None
        else:
            for key, value in self._overlay.items():
                if value is None:
                    self.state.pop(key, None)
                else:
                    self.state[key] = value
            return actions
        finally:
            self._overlay = {}
            self._key_delta = 0

    def state_string(self, key: str) -> Optional[str]:
        """A stored value as text (``None`` if absent)."""
        value = self.state.get(key)
        return None if value is None else value.decode("utf-8")

    def messages(self, level: Optional[str] = None) -> list[str]:
        """The messages logged (at ``level`` only, if given: ``info`` ...)."""
        return [line.message for line in self.logs if level is None or line.level == level]


class _HostInterface:
    """The WIT interface ``host`` over a :class:`FakeHost` (kept apart so that the fake's
    ``config`` and ``state`` can be plain attributes)."""

    def __init__(self, fake: FakeHost) -> None:
        self.fake = fake

    def log(self, level: Level, message: str) -> None:
        size = len(message.encode("utf-8"))
        if self.fake._log_bytes + size > self.fake.max_log_bytes:
            self.fake.dropped_log_lines += 1
            return
        self.fake._log_bytes += size
        self.fake.logs.append(LogLine(level.name.lower(), message))

    def config(self, key: str) -> Optional[str]:
        return self.fake.config.get(key)

    def state_get(self, key: str) -> Optional[bytes]:
        if key in self.fake._overlay:
            return self.fake._overlay[key]
        if len(key.encode("utf-8")) > MAX_STATE_KEY_BYTES:
            return None
        return self.fake.state.get(key)

    def _exists(self, key: str) -> bool:
        if key in self.fake._overlay:
            return self.fake._overlay[key] is not None
        return key in self.fake.state

    def state_set(self, key: str, value: bytes) -> None:
        if len(key.encode("utf-8")) > MAX_STATE_KEY_BYTES:
            raise StateError(StateError_KeyTooLong(MAX_STATE_KEY_BYTES))
        if len(value) > self.fake.max_state_value_bytes:
            raise StateError(StateError_ValueTooLarge(self.fake.max_state_value_bytes))
        if self.fake.unavailable is not None:
            raise StateError(StateError_Unavailable(self.fake.unavailable))
        if not self._exists(key):
            if len(self.fake.state) + self.fake._key_delta + 1 > self.fake.max_state_keys:
                raise StateError(StateError_TooManyKeys(self.fake.max_state_keys))
            self.fake._key_delta += 1
        self.fake._overlay[key] = bytes(value)

    def state_delete(self, key: str) -> None:
        if len(key.encode("utf-8")) > MAX_STATE_KEY_BYTES:
            return
        if self._exists(key):
            self.fake._key_delta -= 1
        self.fake._overlay[key] = None
