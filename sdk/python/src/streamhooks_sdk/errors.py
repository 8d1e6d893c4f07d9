"""Failures a plugin reports itself: :class:`PluginError`, and :class:`StateError` for a state
write the host refused."""

from __future__ import annotations

from typing import Union

from . import rust as _rust
from ._bindings import (
    StateError_KeyTooLong,
    StateError_TooManyKeys,
    StateError_Unavailable,
    StateError_ValueTooLarge,
    types,
)

#: Why the host refused a state write (the WIT variant ``host.state-error``).
StateErrorValue = Union[
    StateError_KeyTooLong, StateError_ValueTooLarge, StateError_TooManyKeys, StateError_Unavailable
]

_STATE_ERROR_CASES = {
    StateError_KeyTooLong: "KeyTooLong",
    StateError_ValueTooLarge: "ValueTooLarge",
    StateError_TooManyKeys: "TooManyKeys",
    StateError_Unavailable: "Unavailable",
}


class PluginError(Exception):
    """A failure the plugin detects itself: raise it from a hook and the host records it with
    the event (``plugin-error``), with its short stable ``code`` (``missing-config``,
    ``bad-attribute`` ...) and ``message``. ``retryable``: whether handling the same event again
    may succeed. Any other exception is a trap, which the host records as such.

    >>> err = PluginError("bad-attribute", "CustomerId is not a number")
    >>> (err.code, err.retryable)
    ('bad-attribute', False)
    """

    def __init__(self, code: str, message: str, retryable: bool = False) -> None:
        super().__init__(code, message, retryable)
        self.code = code
        self.message = message
        self.retryable = retryable

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"PluginError({self.code!r}, {self.message!r}, retryable={self.retryable!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginError):
            return NotImplemented
        return (self.code, self.message, self.retryable) == (
            other.code,
            other.message,
            other.retryable,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message, self.retryable))

    def as_retryable(self) -> PluginError:
        """The same error, marked retryable.

        >>> PluginError("not-yet", "waiting for the CRM id").as_retryable().retryable
        True
        """
        return PluginError(self.code, self.message, True)

    @classmethod
    def missing_config(cls, key: str) -> PluginError:
        """A ``missing-config`` error naming the configuration key.

        >>> PluginError.missing_config("record_url").message
        "the plugin's [config] has no `record_url`"
        """
        return cls("missing-config", f"the plugin's [config] has no `{key}`")

    @classmethod
    def bad_config(cls, key: str, reason: object) -> PluginError:
        """A ``bad-config`` error: the configuration value of ``key`` is unusable.

        >>> PluginError.bad_config("max_acw_seconds", "not a number").message
        'config `max_acw_seconds`: not a number'
        """
        return cls("bad-config", f"config `{key}`: {reason}")

    @classmethod
    def from_state_error(cls, error: StateError) -> PluginError:
        """A refused state write as a ``state`` error (retryable when the store was
        unavailable): what a :class:`StateError` a hook does not catch becomes.

        >>> PluginError.from_state_error(StateError(StateError_TooManyKeys(64))).message
        'state already holds 64 keys'
        """
        value = error.value
        if isinstance(value, StateError_KeyTooLong):
            message = f"state key longer than {value.value} bytes"
        elif isinstance(value, StateError_ValueTooLarge):
            message = f"state value larger than {value.value} bytes"
        elif isinstance(value, StateError_TooManyKeys):
            message = f"state already holds {value.value} keys"
        else:
            message = f"state store unavailable: {value.value}"
        return cls("state", message, isinstance(value, StateError_Unavailable))

    def to_record(self) -> types.PluginError:
        """The WIT record ``plugin-error`` the component returns."""
        return types.PluginError(self.code, self.message, self.retryable)

    @classmethod
    def from_record(cls, record: types.PluginError) -> PluginError:
        """The exception for a WIT ``plugin-error`` record."""
        return cls(record.code, record.message, record.retryable)


class StateError(Exception):
    """The host refused a state write (:func:`streamhooks_sdk.state.set`). ``value`` is the WIT
    variant (``StateError_TooManyKeys(64)`` ...). Catch it to go on without the write; left
    uncaught, it fails the call as a ``state`` :class:`PluginError`, as ``?`` does in Rust.
    ``str()`` is what the Rust SDK prints for it (``StateError::TooManyKeys(64)``), so log lines
    match.

    >>> str(StateError(StateError_Unavailable("timeout")))
    'StateError::Unavailable("timeout")'
    """

    def __init__(self, value: StateErrorValue) -> None:
        super().__init__(value)
        self.value = value

    @property
    def retryable(self) -> bool:
        """Whether the store was unavailable (the write may succeed later)."""
        return isinstance(self.value, StateError_Unavailable)

    def __str__(self) -> str:
        case = _STATE_ERROR_CASES.get(type(self.value), type(self.value).__name__)
        payload = self.value.value
        shown = _rust.quote(payload) if isinstance(payload, str) else str(payload)
        return f"StateError::{case}({shown})"

    def __repr__(self) -> str:
        return f"StateError({self.value!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StateError):
            return NotImplemented
        return self.value == other.value

    def __hash__(self) -> int:
        return hash(str(self))
