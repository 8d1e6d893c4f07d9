"""Logging, attributed by the host to the plugin and the event. Volume is capped per event (the
manifest's ``max_log_kib``); past the cap lines are dropped and counted. Never log customer data
you do not need (phone numbers, attributes).

>>> from streamhooks_sdk import log
>>> log.info(f"handled contact {contact_id}")  # doctest: +SKIP
"""

from __future__ import annotations

from . import host
from ._bindings import Level

__all__ = ["Level", "debug", "error", "info", "log", "trace", "warn"]


def log(level: Level, message: str) -> None:
    """Writes one line at ``level`` (``Level.TRACE`` ... ``Level.ERROR``)."""
    host.current().log(level, message)


def trace(message: str) -> None:
    """Writes one ``trace`` line."""
    log(Level.TRACE, message)


def debug(message: str) -> None:
    """Writes one ``debug`` line."""
    log(Level.DEBUG, message)


def info(message: str) -> None:
    """Writes one ``info`` line."""
    log(Level.INFO, message)


def warn(message: str) -> None:
    """Writes one ``warn`` line."""
    log(Level.WARN, message)


def error(message: str) -> None:
    """Writes one ``error`` line."""
    log(Level.ERROR, message)
