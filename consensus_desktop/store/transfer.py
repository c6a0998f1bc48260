"""Session files: export one session to a standalone SQLite file, import it back, merge many.

One routine, :func:`copy_session`, serves all three: it copies a session's rows from one database
into another, giving every row a fresh id in the target and rewriting the foreign keys, so files
from several laptops never clash. A session is identified by its uuid: importing the same session
twice is a no-op.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from consensus_desktop import __version__
from consensus_desktop.store.database import (
    SessionFileError,
    inspect_version,
    migrate,
    now,
    open_database,
)
from consensus_desktop.store.schema import SCHEMA_VERSION, SESSION_TABLES


@dataclass(frozen=True)
class ImportResult:
    uuid: str
    name: str
    session_id: int | None  # None when it was already there
    skipped: bool


def session_rows(db: sqlite_utils.Database, session_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that belongs to one session, table by table, parents first."""
    ids: dict[str, set[int]] = {"sessions": {session_id}}
    out: dict[str, list[dict[str, Any]]] = {}
    for table, fks in SESSION_TABLES:
        if table == "sessions":
            rows = [db.table("sessions").get(session_id)]
        else:
            # a row belongs to the session when its first listed parent does
            col, parent = next(iter(fks.items()))
            parent_ids = sorted(ids.get(parent, set()))
            if not parent_ids:
                rows = []
            else:
                marks = ",".join("?" * len(parent_ids))
                rows = list(
                    db.query(
                        f"SELECT * FROM [{table}] WHERE [{col}] IN ({marks}) ORDER BY id",
                        parent_ids,
                    )
                )
        out[table] = rows
        ids[table] = {r["id"] for r in rows}
    return out


def copy_session(
    src: sqlite_utils.Database,
    session_id: int,
    dst: sqlite_utils.Database,
    rename: str | None = None,
) -> ImportResult:
    rows = session_rows(src, session_id)
    session = rows["sessions"][0]
    existing = list(dst.query("SELECT id FROM sessions WHERE uuid = ?", [session["uuid"]]))
    if existing:
        return ImportResult(session["uuid"], session["name"], None, True)
    new_ids: dict[str, dict[int, int]] = {t: {} for t, _ in SESSION_TABLES}
    dst_columns = {t: set(dst.table(t).columns_dict) for t, _ in SESSION_TABLES}
    conn = dst.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, fks in SESSION_TABLES:
            for row in rows[table]:
                values = {k: v for k, v in row.items() if k != "id" and k in dst_columns[table]}
                if table == "sessions" and rename:
                    values["name"] = rename
                for col, parent in fks.items():
                    if values.get(col) is not None:
                        values[col] = new_ids[parent][values[col]]
                cols = ",".join(f"[{c}]" for c in values)
                marks = ",".join("?" * len(values))
                cur = conn.execute(
                    f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(values.values())
                )
                assert cur.lastrowid is not None
                new_ids[table][row["id"]] = cur.lastrowid
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return ImportResult(session["uuid"], session["name"], new_ids["sessions"][session_id], False)


def _open_source(path: Path) -> sqlite_utils.Database:
    """Open a session file read-only after the checks that can refuse it."""
    version = inspect_version(path)  # raises NotSQLite / WrongSchema / Corrupt / Locked / Newer
    if version == 0:
        raise SessionFileError(f"{path.name} is an empty database, not a session file.")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db = sqlite_utils.Database(conn)
    if version < SCHEMA_VERSION:
        # Upgrade an in-memory copy: the file itself is never modified by an import.
        memory = sqlite3.connect(":memory:")
        conn.backup(memory)
        conn.close()
        db = sqlite_utils.Database(memory)
        migrate(db)
    return db


def export_session(src: sqlite_utils.Database, session_id: int, target: Path) -> Path:
    """Write one session to ``target`` as a standalone, self-describing SQLite file."""
    target = Path(target)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    out = open_database(tmp)
    try:
        copy_session(src, session_id, out)
        meta = {
            "kind": "session-export",
            "schema_version": str(SCHEMA_VERSION),
            "app_version": __version__,
            "exported_at": now(),
            "session_uuid": src.table("sessions").get(session_id)["uuid"],
        }
        for key, value in meta.items():
            out.table("meta").upsert({"key": key, "value": value}, pk="key")
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        out.conn.close()
    tmp.replace(target)
    return target


def import_session_file(path: Path, dst: sqlite_utils.Database) -> list[ImportResult]:
    """Import every session of a session file (or of another library) into ``dst``."""
    src = _open_source(Path(path))
    try:
        return [copy_session(src, r["id"], dst) for r in src.query("SELECT id FROM sessions")]
    finally:
        src.conn.close()


def merge_files(paths: list[Path], into: Path) -> list[ImportResult]:
    """Combine several session files (one per laptop or table) into one database."""
    for p in paths:
        inspect_version(Path(p))  # refuse before writing anything
    dst = open_database(Path(into))
    try:
        results: list[ImportResult] = []
        for p in paths:
            results.extend(import_session_file(Path(p), dst))
        dst.table("meta").upsert({"key": "merged_at", "value": now()}, pk="key")
        return results
    finally:
        dst.conn.close()


def timestamped_name(name: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "session"
    return f"{safe}-{datetime.now(UTC).strftime('%Y%m%d-%H%M')}.sqlite"
