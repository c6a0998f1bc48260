"""Reading once a refresh: the read model keeps an answer until its connection writes."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, cast

import sqlite_utils

P = ParamSpec("P")
T = TypeVar("T")


class _Store(Protocol):
    db: sqlite_utils.Database


class Remembering(Protocol):
    """What ``remembered`` needs of its object: the store, and where it keeps answers."""

    store: _Store
    _memo: dict[tuple[Any, ...], Any]
    _stamp: int


def _copied(value: T) -> T:
    """A fresh container for the caller (who may add to a list); the rows inside are shared."""
    return copy.copy(value) if isinstance(value, list | dict | set) else value


def remembered(read: Callable[P, T]) -> Callable[P, T]:
    """Read once until the library changes: the answers of a read model method are kept while
    the connection has made no change since (``total_changes``), so one screen refresh reads
    each fact once however often it is asked."""

    @functools.wraps(read)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        self = cast(Remembering, args[0])
        stamp = self.store.db.conn.total_changes
        if self._stamp != stamp:
            self._memo, self._stamp = {}, stamp
        key = (read.__name__, args[1:], tuple(sorted(kwargs.items())))
        if key not in self._memo:
            self._memo[key] = read(*args, **kwargs)
        return _copied(self._memo[key])

    return wrapper
