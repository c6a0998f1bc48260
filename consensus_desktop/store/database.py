"""Opening a session database safely: version checks, backups before upgrades, clear errors.

Every check that can refuse a file runs on a read-only connection first, so a refused file is
never modified.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop import __version__
from consensus_desktop.errors import SessionFileError
from consensus_desktop.safe_files import atomic_path
from consensus_desktop.store.schema import MIGRATIONS, SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"


class NotSQLiteFile(SessionFileError):
    pass


class WrongSchema(SessionFileError):
    pass


class CorruptFile(SessionFileError):
    pass


class FileLocked(SessionFileError):
    pass


class NewerSchema(SessionFileError):
    pass


def storage_error_message(exc: BaseException, path: Path) -> str:
    """One sentence for a failed write to a database: full disk, locked, newer, or what it was."""
    text = str(exc)
    if isinstance(exc, NewerSchema):
        return text
    if "disk is full" in text or getattr(exc, "errno", None) == 28:  # ENOSPC
        return f"The disk holding {path} is full, so nothing was written to it."
    if isinstance(exc, FileLocked) or "locked" in text or "busy" in text:
        return (
            f"{path} is locked by another program (another consensus-desktop window or command?), "
            "so nothing was written to it; close that program and try again."
        )
    if isinstance(exc, SessionFileError):
        return text
    return f"{path} could not be written ({text}), so nothing was written to it."


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
    return conn


def inspect_version(path: Path) -> int:
    """The schema version of an existing file, or raise a specific SessionFileError."""
    if not path.exists():
        raise SessionFileError(f"{path} does not exist.")
    with path.open("rb") as handle:
        head = handle.read(100)
    if len(head) == 0:
        return 0  # an empty file: a new database
    if not head.startswith(SQLITE_MAGIC):
        raise NotSQLiteFile(f"{path.name} is not a SQLite database, so not a session file.")
    try:
        conn = _read_only(path)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not tables:
                return 0
            if "_migrations" not in tables or "sessions" not in tables:
                raise WrongSchema(
                    f"{path.name} is a SQLite database but not a consensus-desktop session file "
                    "(it has none of our tables)."
                )
            version = conn.execute("SELECT max(version) FROM _migrations").fetchone()[0] or 0
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CorruptFile(f"{path.name} is damaged ({check}). Use a backup copy.")
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise FileLocked(
                f"{path.name} is in use by another program. Close it there and try again."
            ) from exc
        raise CorruptFile(f"{path.name} cannot be read ({text}); it may be truncated.") from exc
    except sqlite3.DatabaseError as exc:
        raise CorruptFile(
            f"{path.name} is damaged or truncated ({exc}). Use a backup copy."
        ) from exc
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"{path.name} was written by a newer version of consensus-desktop (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Update the app to open it. "
            "The file was not changed."
        )
    return int(version)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error).

    Nested uses join the transaction already open, so a caller can make several recording calls
    one atomic unit. The connection must be in autocommit mode (``isolation_level=None``).
    """
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def memory_database() -> sqlite_utils.Database:
    """An empty database at the current schema, in memory (exports are built here first)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys=ON")
    migrate(db)
    db.table("meta").upsert({"key": "created_at", "value": now()}, pk="key")
    return db


def _connect(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), timeout=5.0, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # a confirmed entry survives a power cut too
    db.execute("PRAGMA foreign_keys=ON")
    return db


def migrate(db: sqlite_utils.Database, up_to: int = SCHEMA_VERSION) -> list[int]:
    if "_migrations" not in db.table_names():
        db.table("_migrations").create(
            {"version": int, "name": str, "applied_at": str}, pk="version"
        )
    applied = {r["version"] for r in db.table("_migrations").rows}
    done = []
    for version, name, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
        if version in applied or version > up_to:
            continue
        with transaction(db.conn):
            fn(db)
            db.table("_migrations").insert({"version": version, "name": name, "applied_at": now()})
        done.append(version)
    if done:
        db.table("meta").upsert({"key": "app_version", "value": __version__}, pk="key")
    return done


def open_database(path: Path, create: bool = True) -> sqlite_utils.Database:
    """Open (or create) a database, upgrading an older one after a backup copy."""
    path = Path(path)
    if path.exists():
        version = inspect_version(path)
        if 0 < version < SCHEMA_VERSION:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            backup = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
            _checkpoint_copy(path, backup)
    elif not create:
        raise SessionFileError(f"{path} does not exist.")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = _connect(path)
    is_new = "_migrations" not in db.table_names()
    migrate(db)
    if is_new:
        db.table("meta").upsert({"key": "created_at", "value": now()}, pk="key")
        db.table("meta").upsert({"key": "kind", "value": "library"}, pk="key")
    return db


def _checkpoint_copy(src: Path, dst: Path) -> None:
    """A consistent copy of a (possibly WAL-mode) database, using SQLite's backup API."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(str(dst))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def current_opinions(db: sqlite_utils.Database, question_id: int) -> list[dict[str, Any]]:
    """The opinions of a question that no correction has replaced, oldest first: the one rule
    for "a participant's current opinion" (a correction is a new row naming ``replaces_id``)."""
    return list(
        db.query(
            "SELECT * FROM opinions WHERE question_id = ? AND id NOT IN "
            "(SELECT replaces_id FROM opinions WHERE replaces_id IS NOT NULL) ORDER BY id",
            [question_id],
        )
    )


def model_originals(db: sqlite_utils.Database, session_id: int) -> dict[int, str]:
    """candidate id -> the model's wording, for each statement of the session that the
    facilitator reworded (an edit of an edit goes back to the model's own)."""
    rows = db.execute(
        "SELECT c.id, c.text, c.replaces_id FROM candidates c "
        "JOIN generation_runs g ON g.id = c.run_id WHERE g.session_id = ?",
        [session_id],
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    out = {}
    for cid, _, _ in rows:
        seen, root = {cid}, by_id[cid]
        while root[2] in by_id and root[2] not in seen:  # a foreign file may hold a loop
            seen.add(root[2])
            root = by_id[root[2]]
        if root[0] != cid and root[2] is None:
            out[cid] = str(root[1])
    return out


def write_database(db: sqlite_utils.Database, target: Path) -> Path:
    """Write a database (typically built in memory) as one compact self-contained file.

    ``VACUUM INTO`` copies only live rows: no free page of the source reaches the file.
    """
    with atomic_path(target) as tmp:
        db.execute("VACUUM INTO ?", [str(tmp)])
    return target


def row_count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.table(table).count)
