"""The plugin's own configuration: its manifest's ``[config]``, read as text (numbers and
booleans as TOML writes them)."""

from __future__ import annotations

from typing import Callable, Optional, TypeVar, Union, cast, overload

from . import host, parse
from . import rust as _rust
from .errors import PluginError

T = TypeVar("T")


def config(key: str) -> Optional[str]:
    """A value from the plugin's own configuration (its manifest's ``[config]``), if set."""
    return host.current().config(key)


def config_or(key: str, default: str) -> str:
    """A configuration value, or ``default`` when it is not set (an empty value is returned
    as is)."""
    value = config(key)
    return default if value is None else value


def require_config(key: str) -> str:
    """A configuration value that must be set and not empty: raises a ``missing-config``
    :class:`PluginError` otherwise."""
    value = config(key)
    if not value:
        raise PluginError.missing_config(key)
    return value


@overload
def config_parse(key: str, parser: type[T]) -> Optional[T]: ...


@overload
def config_parse(key: str, parser: Callable[[str], T]) -> Optional[T]: ...


def config_parse(key: str, parser: Union[type[T], Callable[[str], T]]) -> Optional[T]:
    """A configuration value parsed with ``parser``: ``None`` when not set, a ``bad-config``
    :class:`PluginError` when it does not parse. The value is trimmed first.

    ``parser`` is a function of :mod:`streamhooks_sdk.parse` (``parse.u64``, ``parse.boolean``
    ...: Rust's rules and messages for that type), one of the types ``int`` (= ``parse.i64``),
    ``float`` (``parse.f64``), ``bool`` (``parse.boolean``: ``bool("false")`` would be true) and
    ``str``, or any function of a string that raises :class:`ValueError` with the reason.

    ``max_acw = config_parse("max_acw_seconds", parse.u64) or 180``
    """
    value = config(key)
    if value is None:
        return None
    function = cast(
        Callable[[str], T], parse.BUILTIN.get(parser, parser) if isinstance(parser, type) else parser
    )
    try:
        return function(_rust.trim(value))
    except ValueError as e:
        raise PluginError.bad_config(key, f"{_rust.quote(value)}: {e}") from None
