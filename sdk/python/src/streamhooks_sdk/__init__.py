"""Write streamhooks handler plugins in Python.

A plugin receives one Amazon Connect agent or contact event at a time and decides which
actions the host should take (set an agent's status, create a task, write to a CRM, pop a
record on the agent's screen ...). It performs no I/O itself, and the host runs only what its
manifest (``plugin.toml``) grants. The plugin is a WebAssembly component built by componentize-py
against the WIT world ``plugin`` (``sdk/wit/streamhooks.wit``); this package wraps the bindings
componentize-py generates and mirrors the Rust SDK (``sdk/rust``), output for output:

- :class:`Handler`: one hook per event kind (``on_contact_connected`` ...), no actions by
  default. Name your subclass ``Handler`` in the plugin module: that is the component export.
- :class:`Event`: the event record with helpers (``attribute``, ``require_contact_id`` ...).
- :mod:`actions`: action builders (``actions.client_screen_pop`` ...).
- The host: :mod:`log`, :func:`config` / :func:`config_or` / :func:`require_config` /
  :func:`config_parse`, :mod:`state` (with :class:`RecentSet`). No clock (time comes from the
  event, ``event.occurred_at`` in epoch milliseconds), no network, no filesystem.
- :class:`PluginError` (and :class:`StateError`), :class:`JsonObject`, :func:`rfc3339`,
  :func:`seconds_between`.
- :mod:`streamhooks_sdk.testing`: a fake host to run a plugin under CPython;
  ``streamhooks-py-build``: the component build.

``types`` is the generated module of the WIT types (``types.ScreenPop``, ``types.Action_Crm``
...): inside the component componentize-py's, natively the same stub bindings (see
:mod:`streamhooks_sdk._bindings`).
"""

from __future__ import annotations

from . import actions, log, parse, rust, state
from ._bindings import IN_COMPONENT, Err, Level, types
from .actions import Action
from .config import config, config_or, config_parse, require_config
from .errors import PluginError, StateError
from .event import EXAMPLE_TIME, Event
from .handler import Handler, HookResult
from .json import JsonObject
from .kinds import KINDS
from .state import RecentSet
from .time import rfc3339, seconds_between

__version__ = "0.1.0"

__all__ = [
    "EXAMPLE_TIME",
    "IN_COMPONENT",
    "KINDS",
    "Action",
    "Err",
    "Event",
    "Handler",
    "HookResult",
    "JsonObject",
    "Level",
    "PluginError",
    "RecentSet",
    "StateError",
    "actions",
    "config",
    "config_or",
    "config_parse",
    "log",
    "parse",
    "require_config",
    "rust",
    "rfc3339",
    "seconds_between",
    "state",
    "types",
]
