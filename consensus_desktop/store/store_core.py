"""The store's core: the connection, one transaction at a time, and the event log (the base of
``SessionStore``)."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from consensus_desktop import paths
from consensus_desktop.errors import InputError
from consensus_desktop.labels import label_problem
from consensus_desktop.safe_files import register_open, unregister_open
from consensus_desktop.store.database import now, open_database, transaction
from consensus_desktop.store.file_values import store_text
from consensus_desktop.store.foreign import check_library


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _check_label(what: str, text: str) -> None:
    problem = label_problem(text)
    if problem:
        raise InputError(f"{what} holds {problem}; type it without.")


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """A row as written: its texts without the characters no session file may hold."""
    return {k: store_text(v) if isinstance(v, str) else v for k, v in row.items()}


def _pk(value: Any) -> int:
    if value is None:  # pragma: no cover - sqlite always returns the new rowid
        raise RuntimeError("insert returned no id")
    return int(value)


class StoreCore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.library_db_path()
        check_library(self.path)  # a planted trigger or view never runs, an upgrade never hangs
        self.db: sqlite_utils.Database = open_database(self.path)
        register_open(self.path)  # no export may ever write over it

    @classmethod
    def over(cls, db: sqlite_utils.Database, path: Path) -> Self:
        """The store's queries on a database opened elsewhere (a session file, read-only)."""
        store = cls.__new__(cls)
        store.path, store.db = Path(path), db
        return store

    def close(self) -> None:
        self.db.conn.close()
        unregister_open(self.path)

    def transaction(self) -> AbstractContextManager[None]:
        """Make several recording calls one atomic unit (calls inside join it)."""
        return transaction(self.db.conn)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        with self.transaction():
            return _pk(self.db.table(table).insert(_stored(row)).last_pk)

    def _touch(self, session_id: int) -> None:
        with self.transaction():
            self.db.table("sessions").update(session_id, {"updated_at": now()})

    def log_event(self, session_id: int, kind: str, payload: dict[str, Any] | None = None) -> int:
        return self._insert(
            "events",
            {"session_id": session_id, "at": now(), "kind": kind, "payload": _json(payload or {})},
        )
