"""The plugin's own small key/value state, kept by the host between events (private to the
plugin). Writes take effect only when the handler returns actions (not when it raises); limits
come from the manifest (``max_state_keys``, ``max_state_value_bytes``; keys up to 256 bytes).
There is no expiry and no listing: delete what you no longer need.

Values are bytes; text is stored as UTF-8. The formats are the Rust SDK's, so a plugin ported
from one language to the other keeps its state: :class:`RecentSet` stores its items as lines.

>>> state.set("last-contact", "contact-1")  # doctest: +SKIP
>>> state.get_string("last-contact")  # doctest: +SKIP
'contact-1'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Optional, Union

from . import host
from . import rust as _rust
from .errors import StateError

__all__ = ["RecentSet", "StateError", "contains", "delete", "get", "get_string", "mark", "set"]


def get(key: str) -> Optional[bytes]:
    """The value stored under ``key``, if any."""
    return host.current().state_get(key)


def get_string(key: str) -> Optional[str]:
    """The value stored under ``key`` as UTF-8 text (``None`` if absent or not UTF-8)."""
    value = get(key)
    if value is None:
        return None
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return None


def set(key: str, value: Union[str, bytes, bytearray]) -> None:  # noqa: A001 (Rust's name)
    """Stores ``value`` (text as UTF-8) under ``key``; raises :class:`StateError` if the host
    refuses (left uncaught, the call fails as a ``state`` plugin error)."""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    host.current().state_set(key, data)


def delete(key: str) -> None:
    """Removes ``key`` (nothing happens if it is absent)."""
    host.current().state_delete(key)


def contains(key: str) -> bool:
    """Whether ``key`` is stored."""
    return get(key) is not None


def mark(key: str) -> bool:
    """Marks ``key`` as done: ``True`` the first time (the key was absent and is now stored,
    as the single byte 1), ``False`` when it was marked already. For "once per contact" logic.
    Raises :class:`StateError` if the host refuses the write."""
    if contains(key):
        return False
    set(key, b"\x01")
    return True


class RecentSet:
    """A bounded set of recent items (contact ids ...) kept in ONE state value, oldest dropped
    first: "once per contact" without one key per contact, so state never grows without bound.
    Stored as the items joined by newlines, oldest first (the Rust SDK's format); an item's
    newlines become spaces. Changes are stored by :meth:`save`.

    >>> done = RecentSet.from_items("logged", 2, ["a", "b"])
    >>> done.insert("c"), done.items
    (True, ['b', 'c'])
    """

    __slots__ = ("_items", "capacity", "key")

    def __init__(self, key: str, capacity: int, items: Iterable[str] = ()) -> None:
        self.key = key
        self.capacity = capacity
        self._items = list(items)
        if len(self._items) > capacity:
            del self._items[: len(self._items) - capacity]

    @classmethod
    def load(cls, key: str, capacity: int) -> RecentSet:
        """The set stored under ``key`` (empty if absent), keeping at most ``capacity`` items."""
        stored = get_string(key)
        return cls(key, capacity, _rust.lines(stored) if stored is not None else ())

    @classmethod
    def from_items(cls, key: str, capacity: int, items: Iterable[str]) -> RecentSet:
        """A set with these items (oldest first), not yet stored: for tests and migrations."""
        return cls(key, capacity, items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def contains(self, item: str) -> bool:
        """Whether ``item`` is in the set (also ``item in recent``)."""
        return item in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def insert(self, item: str) -> bool:
        """Adds ``item``: ``True`` if it was not there. Past the capacity the oldest item goes."""
        if item in self._items:
            return False
        self._items.append(item.replace("\n", " "))
        if len(self._items) > self.capacity:
            self._items.pop(0)
        return True

    def remove(self, item: str) -> bool:
        """Removes ``item`` (every copy): ``True`` if it was there."""
        before = len(self._items)
        self._items = [i for i in self._items if i != item]
        return len(self._items) != before

    @property
    def items(self) -> list[str]:
        """The items, oldest first (a copy)."""
        return list(self._items)

    def save(self) -> None:
        """Stores the set (or deletes the key when the set is empty); raises
        :class:`StateError` if the host refuses."""
        if not self._items:
            delete(self.key)
        else:
            set(self.key, "\n".join(self._items))

    def __repr__(self) -> str:
        return f"RecentSet({self.key!r}, {self.capacity!r}, {self._items!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RecentSet):
            return NotImplemented
        return (self.key, self.capacity, self._items) == (other.key, other.capacity, other._items)

    __hash__ = None  # type: ignore[assignment]
