"""Reading a session file from elsewhere (an export, another laptop's library) without trusting it.

The file is opened read-only (``immutable=1`` when no journal lies beside it) and never written.
Its schema must be exactly one of ours: every table, column and type as some released version
made it, no view, no trigger or index that our migrations did not create. Its rows are then read
with our own ``SELECT`` statements into an in-memory database built by our own migrations at the
file's version, which our migrations then bring up to date: an old file is upgraded as data, in
our copy, never by running anything on the file. Every statement on the file runs under a time
limit (SQLite's progress handler), so no file can hang the app.
"""

from __future__ import annotations

import functools
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop.store.database import (
    SQLITE_MAGIC,
    CorruptFile,
    FileLocked,
    NewerSchema,
    NotSQLiteFile,
    SessionFileError,
    WrongSchema,
    migrate,
)
from consensus_desktop.store.file_values import first_problem
from consensus_desktop.store.schema import SCHEMA_VERSION, SESSION_TABLES

TIME_LIMIT_S = 10.0
FULL_BELOW_BYTES = 1 << 20  # less free space than this, and an I/O error is the full disk
_INTERNAL_TABLES = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}


class RefusedFile(SessionFileError):
    """The file holds something no session file of ours holds (a view, a foreign trigger …)."""


@functools.cache
def _schema_at(version: int) -> dict[str, Any]:
    """What our migrations up to ``version`` create: tables' columns, indexes, triggers."""
    db = _database_at(version)

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return db.execute(sql).fetchall()

    tables = {
        name: _columns(rows, name)
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    indexes = {
        name: (table, _index_columns(rows, name))
        for name, table in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='index'")
    }
    triggers = {
        name: _normalise(sql)
        for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    db.conn.close()
    return {"tables": tables, "indexes": indexes, "triggers": triggers}


def _database_at(version: int) -> sqlite_utils.Database:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    migrate(db, up_to=version)
    return db


Rows = Callable[[str], list[tuple[Any, ...]]]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(rows: Rows, table: str) -> list[tuple[str, str, int, int, int]]:
    found = rows(f"PRAGMA table_xinfo({_quote(table)})")
    return [(r[1], str(r[2]).upper(), int(r[3]), int(r[5]), int(r[6])) for r in found]


def _index_columns(rows: Rows, index: str) -> list[str | None]:
    return [r[2] for r in rows(f"PRAGMA index_info({_quote(index)})")]


def _normalise(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


class _Guard:
    """Runs statements on the foreign connection, each under the time limit."""

    def __init__(self, conn: sqlite3.Connection, name: str, limit: float) -> None:
        self.conn, self.name, self.limit = conn, name, limit
        self.deadline = 0.0
        self.version = 0  # the file's schema version, once read
        conn.set_progress_handler(self._progress, 1000)

    def _progress(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        self.deadline = time.monotonic() + self.limit
        try:
            return self.conn.execute(sql).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise RefusedFile(
                    f"Reading {self.name} took longer than {self.limit:g} s, so it was refused "
                    "(it may be damaged or crafted)."
                ) from exc
            raise


def _open(path: Path) -> sqlite3.Connection:
    sidecars = [Path(str(path) + s) for s in ("-wal", "-journal")]
    uri = path.absolute().as_uri() + "?mode=ro"
    if not any(s.exists() for s in sidecars):
        # No journal to honour: read the bytes as they are, take no lock, create no -shm file.
        uri += "&immutable=1"
        shm = Path(f"{path}-shm")
        had_shm = shm.exists()
        probe = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, timeout=0.5)
        try:
            probe.execute("PRAGMA schema_version").fetchone()  # a writer's lock shows here
        finally:
            probe.close()
            # a WAL-mode file (every library) makes even a reader create -wal and -shm: what
            # this look made, it takes away (an empty -wal: no writer has written since)
            wal = sidecars[0]
            if wal.exists() and wal.stat().st_size == 0:
                wal.unlink(missing_ok=True)
                if not had_shm:
                    shm.unlink(missing_ok=True)
    return sqlite3.connect(uri, uri=True, timeout=0.5, isolation_level=None)


def _check_header(path: Path) -> None:
    if path.is_dir():
        raise SessionFileError(f"{path} is a folder; give the session file inside it.")
    if not path.is_file():
        raise SessionFileError(f"{path} does not exist.")
    with path.open("rb") as handle:
        head = handle.read(100)
    if not head:
        raise WrongSchema(f"{path.name} is empty, not a session file.")
    if not head.startswith(SQLITE_MAGIC):
        raise NotSQLiteFile(f"{path.name} is not a SQLite database, so not a session file.")
    if len(head) < 100:
        raise CorruptFile(f"{path.name} is truncated (only {len(head)} bytes). Use a backup copy.")


def _check_schema(guard: _Guard, name: str, version: int) -> None:
    expected = _schema_at(version)
    found_tables = set()
    objects = guard.rows("SELECT type, name, tbl_name, sql FROM sqlite_master")
    for kind, obj, table, sql in objects:
        if kind == "view":
            raise RefusedFile(
                f"{name} contains a view, {obj!r}, which no session file has; it was refused "
                "and nothing in it was run."
            )
        if kind == "trigger" and expected["triggers"].get(obj) != _normalise(sql):
            raise RefusedFile(
                f"{name} contains a trigger, {obj!r}, that is not part of the app's schema; it "
                "was refused and nothing in it was run."
            )
        if kind == "index" and not obj.startswith("sqlite_autoindex_"):
            known = expected["indexes"].get(obj)
            if known is None or known != (table, _index_columns(guard.rows, obj)):
                raise RefusedFile(
                    f"{name} contains an index, {obj!r}, that is not part of the app's schema; "
                    "it was refused."
                )
        if kind == "table":
            if obj in _INTERNAL_TABLES:
                continue
            columns = expected["tables"].get(obj)
            if columns is None or not _normalise(sql).upper().startswith("CREATE TABLE"):
                raise RefusedFile(
                    f"{name} contains a table, {obj!r}, that session files do not have; it was "
                    "refused."
                )
            if _columns(guard.rows, obj) != columns:
                raise RefusedFile(
                    f"{name}: the table {obj!r} does not have the columns and types of a "
                    f"schema-{version} session file; it was refused."
                )
            found_tables.add(obj)
    missing = sorted(set(expected["tables"]) - found_tables)
    if missing:
        raise RefusedFile(
            f"{name} has no table {missing[0]!r}, so it is not a complete session file (it may "
            "have been cut down or damaged); it was refused."
        )


def _version(guard: _Guard, name: str) -> int:
    tables = {r[0] for r in guard.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        raise WrongSchema(f"{name} is an empty database, not a session file.")
    if "_migrations" not in tables or "sessions" not in tables:
        raise WrongSchema(
            f"{name} is a SQLite database but not a consensus-desktop session file (it has none "
            "of our tables)."
        )
    [(version, kind)] = guard.rows("SELECT max(version), typeof(max(version)) FROM _migrations")
    if kind != "integer" or version < 1:
        raise RefusedFile(f"{name} has no valid schema version, so it was refused.")
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"{name} was written by a newer version of consensus-desktop (schema {version}; this "
            f"version reads up to {SCHEMA_VERSION}). Update the app to open it. The file was not "
            "changed."
        )
    return int(version)


@contextmanager
def _checked(path: Path, time_limit: float, allow_empty: bool = False) -> Iterator[_Guard | None]:
    """The file opened read-only after the checks every file from elsewhere gets (header, schema
    version, quick_check, exactly our schema), as a guard whose reads are time-limited; ``None``
    for an empty database where ``allow_empty``. Any SQLite error becomes one sentence."""
    _check_header(path)
    try:
        conn = _open(path)
    except sqlite3.Error as exc:
        raise _read_error(path, exc) from exc
    try:
        guard = _Guard(conn, path.name, time_limit)
        if allow_empty and not guard.rows("SELECT 1 FROM sqlite_master LIMIT 1"):
            yield None
            return
        guard.version = _version(guard, path.name)
        check = guard.rows("PRAGMA quick_check")[0][0]
        if check != "ok":
            raise CorruptFile(f"{path.name} is damaged ({check}). Use a backup copy.")
        _check_schema(guard, path.name, guard.version)
        yield guard
    except sqlite3.Error as exc:
        raise _read_error(path, exc) from exc
    finally:
        conn.close()


def read_session_file(path: Path, time_limit: float = TIME_LIMIT_S) -> sqlite_utils.Database:
    """The file's content in an in-memory database at the current schema, or a clear error.

    The caller closes the returned database (``db.conn.close()``).
    """
    path = Path(path)
    name = path.name
    with _checked(path, time_limit) as guard:
        assert guard is not None
        version = guard.version
        copy = _database_at(version)
        try:
            _copy_rows(guard, copy, version)
            tables = [t for t, _ in SESSION_TABLES if t in _schema_at(version)["tables"]]
            problem = first_problem(copy, tables)
            if problem:
                raise RefusedFile(
                    f"{name}: {problem}; the app never writes that, so the file was refused."
                )
            problems = copy.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RefusedFile(
                    f"{name}: rows of table {problems[0][0]!r} refer to rows that are not in the "
                    "file, so it was refused."
                )
            migrate(copy)  # our migrations, on our copy
            copy.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            copy.conn.close()
            raise
        return copy


def check_library(path: Path, time_limit: float = TIME_LIMIT_S) -> None:
    """The checks a foreign file gets, for the app's own library before any statement of the app
    runs on it: a library is a file on disk like any other, and a trigger or view planted in it
    would otherwise run with the app's writes (or hang its upgrade). Raises RefusedFile (or another
    SessionFileError) naming the file; an absent or empty file is a new library and passes."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        with _checked(path, time_limit, allow_empty=True):
            pass


def _copy_rows(guard: _Guard, copy: sqlite_utils.Database, version: int) -> None:
    tables = _schema_at(version)["tables"]
    copy.execute("BEGIN")
    for table, columns in tables.items():
        if table.startswith("_migrations") or table == "meta":
            continue  # our migrations wrote their own; meta describes the file, not a session
        names = ",".join(f"[{c[0]}]" for c in columns)
        marks = ",".join("?" * len(columns))
        rows = guard.rows(f"SELECT {names} FROM [{table}]")
        copy.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", rows)
    copy.execute("COMMIT")


def _read_error(path: Path, exc: sqlite3.Error) -> SessionFileError:
    name, text = path.name, str(exc)
    if "locked" in text or "busy" in text:
        return FileLocked(f"{name} is in use by another program. Close it there and try again.")
    if isinstance(exc, sqlite3.IntegrityError):
        return RefusedFile(f"{name} holds rows that break the app's schema ({text}); refused.")
    if ("I/O error" in text or "unable to open" in text) and _disk_full(path.parent):
        # reading a WAL-mode file needs a -shm file beside it: on a full disk SQLite says only
        # "disk I/O error", which is not damage
        return SessionFileError(
            f"The disk holding {path} is full, so it cannot be opened; free some space and try "
            "again (the file itself was not changed)."
        )
    return CorruptFile(f"{name} is damaged or truncated ({text}). Use a backup copy.")


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < FULL_BELOW_BYTES
    except OSError:
        return False
